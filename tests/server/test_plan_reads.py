"""A finished run's result is read from the database once and kept by the store (a
result never changes once its run is done): later reads do not parse it again, and a
user who changes the rows it was given changes nothing for the next reader."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from materiel.store.models import RunRecord
from materiel.store.policy import SYSTEM, Principal
from materiel.store.repo import open_store
from tests.server_kit import make_workspace, sqlite_url

ROWS = [
    {"ally": "AAA", "group": "SHELL", "target": 100.0, "stock_at_date": 80.0},
    {"ally": "BBB", "group": "SHELL", "target": 200.0, "stock_at_date": 210.0},
]


def test_a_finished_runs_result_is_read_once_and_its_rows_stay_as_they_are(
    tmp_path: Path,
) -> None:
    space = make_workspace(sqlite_url(tmp_path), tmp_path)
    store = space.store
    run, _ = store.create_run(SYSTEM, "small")
    store.set_run(run.id, status="running")
    store.set_run(run.id, status="done", result={"tables": {"targets": ROWS}, "producers": {}})
    staff = Principal("a", "alliance")
    first = store.run_table(staff, run.id, "targets")
    assert [r["target"] for r in first] == [100.0, 200.0]
    first[0]["target"] = -1.0  # a caller's change to its own copy
    with store.tx(write=True) as s:  # the stored result changed behind the store's back
        s.execute(update(RunRecord).where(RunRecord.id == run.id).values(result={"tables": {}}))
    again = store.run_table(staff, run.id, "targets")
    assert [r["target"] for r in again] == [100.0, 200.0]
    # a store that has not read it yet (another server process) reads the database
    fresh = open_store(sqlite_url(tmp_path))
    assert fresh.run_table(staff, run.id, "targets") == []
