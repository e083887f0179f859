"""The store: scenarios, facts, pledges, users, tokens, plan runs and the audit log in
one database (SQLite by default, PostgreSQL for shared deployments), through SQLAlchemy 2
with Alembic migrations. Who may see and change what is decided in
:mod:`materiel.store.policy`, and every read and write of :class:`~materiel.store.repo.Store`
goes through it."""
