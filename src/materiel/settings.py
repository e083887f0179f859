"""Settings: one place for what the environment may set.

Each field is read from ``MATERIEL_<FIELD>`` (``MATERIEL_DB``, ``MATERIEL_LEDGER``,
``MATERIEL_DATA_DIR``, ``MATERIEL_SESSION_HOURS``, ``MATERIEL_MAX_BODY_BYTES``, ...) unless
given as an argument; :func:`settings` reads the environment each time it is called, so
a test or a command that sets a variable sees it at once. A bad value is an
:class:`~materiel.errors.InputError` naming the variable.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from materiel.errors import InputError, field_problems


def platform_data_dir() -> Path:
    """The user's data folder for materiel: ``$XDG_DATA_HOME/materiel`` (default
    ``~/.local/share/materiel``), ``~/Library/Application Support/materiel`` on macOS,
    ``%LOCALAPPDATA%\\materiel`` on Windows."""
    import os

    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "materiel"


class Settings(BaseSettings):
    """What a deployment may set; every field has a default that works on one machine."""

    model_config = SettingsConfigDict(env_prefix="MATERIEL_", frozen=True, extra="ignore")

    db: str | None = Field(
        None,
        description="the store's database URL (sqlite:///FILE or postgresql+psycopg://...); "
        "None: materiel.db in the data folder",
    )
    ledger: Path | None = Field(
        None, description="the pledge ledger file; None: pledges.json in the data folder"
    )
    data_dir: Path | None = Field(
        None,
        description="where the store and the ledger live by default; None: the "
        "platform's user data folder",
    )
    session_hours: float = Field(
        12.0, gt=0, le=24 * 30, description="how long a sign-in (and its browser session) lasts"
    )
    max_body_bytes: int = Field(
        5 * 1024 * 1024, gt=0, description="a request larger than this is refused (413)"
    )
    sign_in_attempts: int = Field(
        10,
        gt=0,
        description="sign-in attempts per client and name within the window (six times as "
        "many per client over all names); counted in the database, so every server "
        "process on it counts the same attempts",
    )
    sign_in_window_s: float = Field(60.0, gt=0, description="the window of sign-in attempts [s]")
    run_workers: int = Field(
        1,
        ge=0,
        le=64,
        description="workers the server starts itself: plan runs it solves at the same "
        "time (a process each); 0: none, separate `materiel worker` processes take the runs",
    )
    threads: int = Field(
        4,
        ge=1,
        le=64,
        description="threads each server process answers requests in (pages and API "
        "calls run in them). Their work holds Python's interpreter lock for most of its "
        "time, so threads beyond a few spend CPU handing the lock round: a finished "
        "run's page under 50 clients took 24 ms of CPU with 40 threads, 15 ms with 4, "
        "11 ms with 1 (bench/server/reads.py). Static files, downloads and a write "
        "waiting for SQLite's lock take a thread too: with 1, a slow request (a national "
        "plan's PDF) holds up all others in that process; scale with --workers instead",
    )
    run_lease_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="a running plan run whose worker has sent no heartbeat for this long "
        "has lost its worker and is failed (workers send one every fifth of it) [s]",
    )
    run_poll_s: float = Field(
        1.0, gt=0, le=60, description="how often an idle worker looks for queued runs [s]"
    )
    run_limit: int = Field(
        3,
        ge=1,
        le=1000,
        description="plan runs one user may have queued or running at once; one more is "
        "refused (429)",
    )
    run_grace_s: float = Field(
        3.0,
        gt=0,
        le=60,
        description="how long a cancelled or stopped run's processes have to end after "
        "SIGTERM before they are killed [s]",
    )
    sweep_scheduler: str | None = Field(
        None,
        max_length=300,
        description="the Dask scheduler a worker runs sweep runs on (tcp://HOST:PORT, as "
        "materiel sweep --scheduler); None: in local processes, as materiel sweep does "
        "without one",
    )
    sweep_workers: int | None = Field(
        None,
        ge=1,
        le=64,
        description="local processes a sweep run plans in when no scheduler is set "
        "(materiel sweep --workers); None: one per core; 1: in the run's own process",
    )
    debug: bool = Field(False, description="show tracebacks of unexpected errors")
    disclosure_min_contributors: int = Field(
        3,
        ge=1,
        le=1000,
        description="a total of allies' figures is shown to those who may not see them in "
        "detail only if at least this many allies contribute (the threshold rule)",
    )
    disclosure_p: float = Field(
        0.10,
        ge=0.0,
        le=1.0,
        description="... and only if the contributors other than the two largest add up to "
        "at least this fraction of the largest (the p% rule): no ally can estimate "
        "another's figure to within it",
    )

    def folder(self) -> Path:
        """The data folder: ``data_dir`` or the platform's."""
        return (self.data_dir or platform_data_dir()).expanduser()

    def ledger_path(self) -> Path:
        return (self.ledger or self.folder() / "pledges.json").expanduser()

    def db_path(self) -> Path:
        """The default SQLite file (when ``db`` is not set)."""
        return self.folder() / "materiel.db"


def settings(**given: object) -> Settings:
    """The settings from the environment, with ``given`` fields over them."""
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = field_problems(exc.errors(), lambda field: f"MATERIEL_{field.upper()}")
        raise InputError(f"settings: {problems}") from None
