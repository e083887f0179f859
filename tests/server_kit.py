"""A small shared workspace for the server tests: a store on SQLite or PostgreSQL, a
three-ally scenario with figures that must never leak, and users of every role."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.scenario_kit import NO_RAMP, write_scenario

PG_ENV = "MATERIEL_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")

#: Stockpile figures of BBB and CCC: a nation analyst of another ally must never see them.
SECRETS = {"BBB": ("31337", "91919"), "CCC": ("42424", "52525"), "AAA": ("10101", "20202")}


def small_tables() -> dict[str, list[dict[str, Any]]]:
    """Three allies, one item, two producers' lines, contracts, aid and budgets."""
    line = {"item": "SHELL", "capacity": 10, "ceiling": 10, "lead_time": 3, "ramp": NO_RAMP}
    return {
        "allies": [{"code": c, "name": f"Ally {c[0]}"} for c in ("AAA", "BBB", "CCC")],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": [
            {"id": "L1", "producer": "P", "host": "AAA", **line},
            {"id": "L2", "producer": "Q", "host": "BBB", **line},
        ],
        "stockpiles": [
            {
                "ally": ally,
                "item": "SHELL",
                "initial": float(a),
                "target": float(b),
                "target_date": "2025-12",
            }
            for ally, (a, b) in SECRETS.items()
        ],
        "demand": [
            {
                "ally": "AAA",
                "item": "SHELL",
                "kind": "consumption",
                "start": "2025-01",
                "end": "2025-12",
                "per_month": 1,
            },
            {
                "ally": "BBB",
                "item": "SHELL",
                "kind": "aid",
                "recipient": "UKR",
                "start": "2025-01",
                "end": "2025-12",
                "per_month": 2,
            },
        ],
        "contracts": [
            {
                "id": "C_AAA",
                "buyers": "AAA",
                "line": "L1",
                "quantity": 12,
                "value": 1200,
                "currency": "USD",
                "start": "2025-02",
                "end": "2025-04",
                "assumption": True,
            },
            {
                "id": "C_BBB",
                "buyers": "BBB",
                "line": "L2",
                "quantity": 12,
                "value": 1200,
                "currency": "USD",
                "start": "2025-02",
                "end": "2025-04",
                "assumption": True,
            },
            {
                "id": "C_CCC",
                "buyers": "CCC",
                "line": "L2",
                "quantity": 6,
                "value": 600,
                "currency": "USD",
                "start": "2025-05",
                "end": "2025-06",
                "assumption": False,
            },
        ],
        "budgets": [{"ally": c, "year": 2025, "amount": 1e9} for c in ("AAA", "BBB", "CCC")],
    }


def small_scenario(folder: Path, name: str = "small") -> Path:
    return write_scenario(folder, small_tables(), name=name)


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'store.db'}"


def fresh_pg_database() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {PG_ENV} is not set: .ci/run starts PostgreSQL for these")
        pytest.skip(f"no PostgreSQL: set {PG_ENV} (see .ci/postgres.sh)")
    name = f"materiel_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin: Any, name: str) -> None:
    """Drop a test database. ``WITH (FORCE)`` ends the test's own connections, but it also
    checks the right to end an autovacuum worker's (a superuser's) and fails without
    ``pg_signal_backend`` (seen on CI); a plain DROP then ends the autovacuum worker
    itself, and is tried again while a last connection of the test closes."""
    with admin.connect() as conn:
        try:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except DBAPIError:
            pass
    for attempt in range(20):
        with admin.connect() as conn:
            try:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except DBAPIError:
                if attempt == 19:
                    raise
        time.sleep(0.25)


ROLE_USERS: dict[str, dict[str, Any]] = {
    "admin": {"role": "admin"},
    "alliance": {"role": "alliance"},
    "nation_AAA": {"role": "nation", "ally": "AAA"},
    "nation_BBB": {"role": "nation", "ally": "BBB"},
    "industry": {"role": "industry", "producer": "P"},
    "viewer": {"role": "viewer"},
}
PASSWORD = "correct horse battery"


@dataclass
class Workspace:
    """A store with the small scenario, a user of every role and a token each."""

    store: Any
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}


def make_workspace(url: str, folder: Path) -> Workspace:
    from materiel.scenario.load import load_scenario
    from materiel.store.policy import SYSTEM, Principal
    from materiel.store.repo import open_store

    store = open_store(url)
    store.import_scenario(SYSTEM, load_scenario(small_scenario(folder / "small")))
    space = Workspace(store)
    for user, fields in ROLE_USERS.items():
        made = store.create_user(SYSTEM, user, password=PASSWORD, **fields)
        who = Principal(
            user, fields["role"], fields.get("ally"), fields.get("producer"), made["id"]
        )
        space.tokens[user] = store.create_token(who, "tests", 1)["token"]
    return space


def wait_for_run(
    client: Any, headers: dict[str, str], run_id: int, timeout: float = 120
) -> dict[str, Any]:
    """Poll a run until it ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v1/runs/{run_id}", headers=headers).json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not end within {timeout} s")


def proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, process group) of a process from /proc, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[2])


def running(pid: int) -> bool:
    """A process that exists and is not a zombie (a zombie holds nothing; one whose
    parent has gone waits for PID 1 to reap it)."""
    stat = proc_stat(pid)
    return stat is not None and stat[0] != "Z"
