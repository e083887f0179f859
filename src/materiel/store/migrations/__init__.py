"""Alembic migrations of the store (run by ``materiel db upgrade`` and at server start)."""
