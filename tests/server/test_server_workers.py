"""Runs are jobs in the database, taken by any number of workers: each queued run is
planned exactly once, a run whose worker is killed is failed after the lease (never
lost, never planned twice), a stopped worker puts its run back in the queue, queued
runs survive a server restart, a cancel reaches a worker in another process. Workers
are real processes (tests/worker_kit.py: the loop of ``materiel worker`` with a
stand-in planner). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from materiel.app import create_app
from materiel.settings import Settings
from materiel.store.base import aware
from materiel.store.models import RunRecord
from materiel.store.policy import SYSTEM
from materiel.workflows import run_snapshot
from tests.server_kit import Workspace, running, wait_for_run
from tests.worker_kit import ROOT, Workers

API = "/api/v1"
#: The workers' lease in these tests [s]: they send a heartbeat every fifth of it.
LEASE = 5.0
ENDED = ("done", "failed", "cancelled")
_PREMADE: dict[str, Path] = {}

pytestmark = pytest.mark.skipif(
    not hasattr(os, "killpg") or not Path("/proc/self/stat").exists(),
    reason="process groups and /proc are POSIX/Linux",
)


@pytest.fixture
def plan_from(space: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan of the small scenario, made once, that the copying stand-in hands on."""
    if "small" not in _PREMADE:
        folder = tmp_path_factory.mktemp("premade")
        run_snapshot(space.store.load(SYSTEM, "small")[2], folder)
        _PREMADE["small"] = folder
    return _PREMADE["small"]


@pytest.fixture
def workers(space: Workspace, tmp_path: Path, plan_from: Path) -> Iterator[Workers]:
    started = Workers(space.store.db.url, tmp_path, plan_from)
    yield started
    started.end()


def _queue(space: Workspace, count: int) -> list[int]:
    admin = space.store.principal(space.tokens["admin"])
    return [space.store.create_run(admin, "small", limit=None)[0].id for _ in range(count)]


def _wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.1)


def _planner_pid(space: Workspace, run_id: int) -> int:
    """The run's planning process, as the sleeping stand-in says it."""
    said: list[str] = []

    def told() -> bool:
        said[:] = [space.store.run(SYSTEM, run_id).progress]
        return said[0].startswith("pids ")

    _wait_until(told, 120, f"run {run_id} to be planned")
    return int(said[0].split()[1])


def _planning(space: Workspace, workers: Workers) -> tuple[int, int, int]:
    """A worker w1 planning a run with the sleeping stand-in: (the worker's process id,
    the run's id, its planning process's id)."""
    worker = workers.start("w1", "sleeping", LEASE)
    [run] = _queue(space, 1)
    return worker, run, _planner_pid(space, run)


def _heartbeat(space: Workspace, run_id: int) -> dt.datetime:
    with space.store.tx() as s:
        return s.scalar(select(RunRecord.heartbeat_at).where(RunRecord.id == run_id))


# -- the store: claims -----------------------------------------------------------------------
def test_claims_at_once_take_each_queued_run_once_oldest_first(space: Workspace) -> None:
    ids = _queue(space, 10)
    barrier = threading.Barrier(4)
    taken: list[tuple[str, int]] = []

    def take(name: str) -> None:
        barrier.wait()
        while (claimed := space.store.claim_run(name)) is not None:
            taken.append((name, claimed[0]))

    threads = [threading.Thread(target=take, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(run for _, run in taken) == ids  # each once, none left
    for name, run in taken:
        assert space.store.run_status(run) == "running"
        assert space.store.run_worker(run) == name
    # each claimer took its runs oldest first
    for name in {n for n, _ in taken}:
        mine = [run for n, run in taken if n == name]
        assert mine == sorted(mine)
    assert space.store.claim_run("late") is None


def test_a_claimed_run_carries_its_snapshot_and_a_released_one_is_taken_again(
    space: Workspace,
) -> None:
    admin = space.store.principal(space.tokens["admin"])
    first, snapshot = space.store.create_run(admin, "small", limit=None)
    second = _queue(space, 1)[0]
    claimed = space.store.claim_run("a", stages=8)
    assert claimed == (first.id, snapshot)
    info = space.store.run(SYSTEM, first.id)
    assert (info.status, info.stage, info.stages) == ("running", 0, 8)
    assert space.store.heartbeat_run(first.id, "a")
    assert not space.store.heartbeat_run(first.id, "b")  # not b's run
    assert space.store.release_run(first.id, "a")
    info = space.store.run(SYSTEM, first.id)
    assert (info.status, info.started_at) == ("queued", None)
    assert space.store.run_worker(first.id) is None
    assert space.store.claim_run("b") == (first.id, snapshot)  # the oldest again
    space.store.cancel_run(admin, first.id)
    assert not space.store.heartbeat_run(first.id, "b")  # cancelled: the worker stops
    assert not space.store.release_run(first.id, "b")
    assert space.store.run_status(first.id) == "cancelled"
    assert space.store.claim_run("c") == (second, snapshot)


def test_a_run_past_its_lease_is_failed_and_one_within_it_is_not(space: Workspace) -> None:
    ids = _queue(space, 2)
    space.store.claim_run("gone")
    space.store.claim_run("alive")
    assert space.store.fail_lost_runs(3600) == []
    time.sleep(0.05)
    space.store.heartbeat_run(ids[1], "alive")  # a fresh heartbeat
    assert space.store.fail_lost_runs(0.03) == [ids[0]]
    lost = space.store.run(SYSTEM, ids[0])
    assert lost.status == "failed" and lost.finished_at is not None
    assert lost.error is not None
    assert "its worker stopped: gone sent no heartbeat for over 0.03 s" in lost.error
    assert "failed, not retried" in lost.error
    assert space.store.run_status(ids[1]) == "running"
    assert space.store.claim_run("other") is None  # a failed run is never taken again


def test_a_run_queued_without_its_snapshot_is_failed_when_taken(space: Workspace) -> None:
    old, new = _queue(space, 2)
    with space.store.tx(write=True) as s:  # as an older materiel left it
        s.execute(update(RunRecord).where(RunRecord.id == old).values(snapshot=None))
    assert space.store.claim_run("w") is not None
    assert space.store.run_status(old) == "failed"
    assert "before runs kept their scenario" in (space.store.run(SYSTEM, old).error or "")
    assert space.store.run_status(new) == "running"


# -- worker processes -------------------------------------------------------------------------
def test_two_worker_processes_plan_each_of_ten_runs_exactly_once(
    space: Workspace, workers: Workers
) -> None:
    pids = {workers.start(name, "copying", LEASE): name for name in ("w1", "w2")}
    ids = _queue(space, 10)
    _wait_until(lambda: all(space.store.run_status(i) in ENDED for i in ids), 300, "the ten runs")
    assert {i: space.store.run_status(i) for i in ids} == dict.fromkeys(ids, "done")
    planned = workers.planned()
    assert sorted(run for run, _ in planned) == ids  # each planned once: none lost or doubled
    assert set(pids) == {pid for _, pid in planned}  # both workers took runs
    for run, pid in planned:  # the store names the worker that planned it
        assert space.store.run_worker(run) == pids[pid]
    assert space.store.run(SYSTEM, ids[0]).tables  # the stand-in's plan became the result


def test_a_killed_workers_run_is_failed_after_the_lease_never_lost_or_doubled(
    space: Workspace, workers: Workers
) -> None:
    doomed, lost, planner = _planning(space, workers)
    os.kill(doomed, signal.SIGKILL)
    assert space.store.fail_lost_runs(LEASE) == []  # within the lease: still its run
    assert space.store.run_status(lost) == "running"
    # its planning process ends its group once its worker has gone
    _wait_until(lambda: not running(planner), 60, "the killed worker's planning to end")
    survivor = workers.start("w2", "copying", LEASE)
    [later] = _queue(space, 1)
    _wait_until(
        lambda: space.store.run_status(lost) in ENDED and space.store.run_status(later) in ENDED,
        180,
        "the lost run to be failed and the next one planned",
    )
    failed = space.store.run(SYSTEM, lost)
    assert failed.status == "failed", failed
    last_beat = aware(_heartbeat(space, lost))
    assert failed.finished_at is not None  # failed a lease after its last heartbeat
    waited = dt.datetime.fromisoformat(failed.finished_at) - last_beat
    assert waited.total_seconds() >= LEASE - 0.1
    assert failed.error is not None and "its worker stopped: w1 sent no heartbeat" in failed.error
    assert space.store.run_worker(lost) == "w1"  # never taken again
    assert space.store.run_status(later) == "done"
    assert workers.planned() == [(later, survivor)]


def test_a_worker_stopped_by_sigterm_queues_its_run_again_for_another(
    space: Workspace, workers: Workers
) -> None:
    first, run, planner = _planning(space, workers)
    os.kill(first, signal.SIGTERM)
    assert workers.started["w1"].wait(timeout=60) == 0, workers.errors("w1")
    assert not running(planner)  # its run's group was ended before it stopped
    info = space.store.run(SYSTEM, run)
    assert (info.status, info.stage, info.started_at) == ("queued", 0, None)
    assert "its worker stopped" in info.progress
    second = workers.start("w2", "copying", LEASE)
    _wait_until(lambda: space.store.run_status(run) in ENDED, 120, "the run to be planned")
    assert space.store.run_status(run) == "done"
    assert space.store.run_worker(run) == "w2"
    assert workers.planned() == [(run, second)]


def test_a_cancel_reaches_a_worker_in_another_process(space: Workspace, workers: Workers) -> None:
    worker, run, planner = _planning(space, workers)
    beats = {_heartbeat(space, run)}

    def two_more_beats() -> bool:  # a worker at work keeps its run's heartbeat fresh
        beats.add(_heartbeat(space, run))
        return len(beats) >= 3

    _wait_until(two_more_beats, 60, "two more heartbeats")
    assert space.store.fail_lost_runs(LEASE) == []
    space.store.cancel_run(space.store.principal(space.tokens["admin"]), run)
    _wait_until(lambda: not running(planner), 60, "the cancelled run's planning to end")
    assert space.store.run_status(run) == "cancelled"
    [after] = _queue(space, 1)  # the worker goes on to the next run
    assert _planner_pid(space, after) != planner
    assert workers.started["w1"].poll() is None and running(worker)


# -- the server and the command ---------------------------------------------------------------
def test_a_queued_run_survives_a_server_restart_and_is_planned(space: Workspace) -> None:
    admin = space.headers("admin")
    without = Settings(db=space.store.db.url, run_workers=0)
    with TestClient(create_app(without, space.store)) as c:  # serve --run-workers 0
        run = c.post(f"{API}/scenarios/small/runs", headers=admin).json()
        assert run["status"] == "queued"
    assert space.store.run_status(run["id"]) == "queued"  # the stop left it queued
    again = Settings(db=space.store.db.url, run_poll_s=0.1)
    with TestClient(create_app(again, space.store)) as c:  # one worker, by default
        assert wait_for_run(c, admin, run["id"])["status"] == "done"
    assert (space.store.run_worker(run["id"]) or "").endswith("/server-1")


def test_materiel_worker_once_plans_one_queued_run(space: Workspace) -> None:
    ids = _queue(space, 2)
    command = [sys.executable, "-m", "materiel.cli", "worker", "--db", space.store.db.url]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    got = subprocess.run(
        [*command, "--name", "cli", "--once"], capture_output=True, text=True, env=env, timeout=300
    )
    assert got.returncode == 0, got.stderr
    assert "worker cli on" in got.stdout and "worker cli stopped" in got.stdout
    assert space.store.run_status(ids[0]) == "done"
    assert space.store.run_worker(ids[0]) == "cli"
    assert space.store.run_status(ids[1]) == "queued"  # once: one run


def test_the_migration_fails_runs_an_older_server_left_running(db_url: str) -> None:
    """Runs left running by a server before 0005 have no heartbeat to lapse: the
    migration fails them (as that server's next start did); queued ones stay queued and
    are failed when a worker takes them (they have no snapshot)."""
    from sqlalchemy import text

    from materiel.store.db import Database, upgrade
    from materiel.store.repo import open_store

    db = Database(db_url)
    upgrade(db, "0004")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO scenarios (id, name, meta, version, created_at, updated_at) "
                "VALUES (1, 's', '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for run_id, status in ((1, "running"), (2, "queued"), (3, "done")):
            conn.execute(
                text(
                    "INSERT INTO plan_runs (id, scenario_id, scenario_version, scenario_digest,"
                    " status, progress, stage, stages, created_by, created_at) VALUES "
                    "(:id, 1, 1, 'd', :status, '', 0, 0, 'u', CURRENT_TIMESTAMP)"
                ),
                {"id": run_id, "status": status},
            )
    db.dispose()
    store = open_store(db_url)  # upgrades to the head
    assert [store.run_status(i) for i in (1, 2, 3)] == ["failed", "queued", "done"]
    assert store.claim_run("w") is None  # the queued one had no snapshot: failed
    assert [store.run_status(i) for i in (1, 2, 3)] == ["failed", "failed", "done"]
    store.db.dispose()
