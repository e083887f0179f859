"""Connecting to the store and upgrading its schema.

``sqlite:///path`` (the default, a file in the user's data directory) or
``postgresql+psycopg://user:password@host/db``. On SQLite, write transactions begin
with ``BEGIN IMMEDIATE`` so that concurrent writers queue (busy timeout) instead of
failing, and the journal is WAL so that readers never wait for a writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from materiel.errors import DataError, InputError
from materiel.settings import settings

BUSY_TIMEOUT_MS = 30_000


def default_db_path() -> Path:
    """``materiel.db`` in the data folder (beside the pledge ledger; see
    :class:`~materiel.settings.Settings`)."""
    return settings().db_path()


def resolve_url(url: str | None) -> str:
    """The URL given, else ``$MATERIEL_DB``, else the default SQLite file."""
    url = url or settings().db
    if not url:
        return f"sqlite:///{default_db_path()}"
    if "://" not in url:  # a bare path means an SQLite file
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


class Database:
    """An engine and two session factories: ``read()`` and ``write()``."""

    def __init__(self, url: str | None = None):
        self.url = resolve_url(url)
        try:
            parsed = make_url(self.url)
        except ArgumentError as exc:
            raise InputError(f"not a database URL: {self.url!r} ({exc})") from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            path = sqlite_path(self.url)
            if path is None:
                raise InputError("an SQLite store needs a file: sqlite:///path/to/materiel.db")
            path.parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
            kwargs["pool_size"] = 20
            kwargs["max_overflow"] = 40
        elif parsed.get_backend_name() == "postgresql":
            kwargs["pool_size"] = 10
            kwargs["max_overflow"] = 20
            kwargs["pool_pre_ping"] = True
        else:
            raise InputError(
                f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///FILE "
                "or postgresql+psycopg://USER:PASSWORD@HOST/DB"
            )
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except (ArgumentError, ImportError) as exc:
            raise InputError(f"cannot use database {self.display}: {exc}") from None
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        writer = self.engine.execution_options(materiel_write=True)
        self.read = sessionmaker(self.engine, expire_on_commit=False)
        self.write = sessionmaker(writer, expire_on_commit=False)

    @property
    def display(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def session(self, write: bool = False) -> Session:
        return (self.write if write else self.read)()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("materiel_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the Alembic migrations shipped in the package."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "materiel.store:migrations")
    try:
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise DataError(f"cannot upgrade the database {db.display}: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__
