"""Runs that cannot be abused: who may cancel a run, the per-user limit on queued and
running runs, a run's processes all ended with it, and its elapsed time and stage. On
SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.server.jobs import RunManager
from materiel.settings import Settings
from materiel.store.policy import SYSTEM
from materiel.workflows import RUN_STAGES, run_snapshot, stage_of
from tests.server_kit import Workspace, proc_stat, running, wait_for_run

API = "/api/v1"


# -- who may cancel --------------------------------------------------------------------
def test_a_nation_analyst_cannot_cancel_another_allys_run_and_it_completes(
    space: Workspace, client: TestClient
) -> None:
    aaa, bbb, admin = (space.headers(w) for w in ("nation_AAA", "nation_BBB", "admin"))
    started = client.post(f"{API}/scenarios/small/runs", headers=aaa)
    assert started.status_code == 202
    run_id = started.json()["id"]
    refused = client.post(f"{API}/runs/{run_id}/cancel", headers=bbb)
    assert refused.status_code == 403, refused.text
    assert "started by another user" in refused.json()["detail"]
    assert client.get(f"{API}/runs/{run_id}", headers=admin).json()["status"] in (
        "queued",
        "running",
        "done",
    )
    assert wait_for_run(client, admin, run_id)["status"] == "done"
    assert not [e for e in space.store.audit_log(SYSTEM, 0, 100).items if e.action == "run.cancel"]


def test_the_starter_and_alliance_analysts_may_cancel(space: Workspace) -> None:
    aaa = space.store.principal(space.tokens["nation_AAA"])
    alliance = space.store.principal(space.tokens["alliance"])
    first, _ = space.store.create_run(aaa, "small")
    second, _ = space.store.create_run(aaa, "small")
    assert space.store.cancel_run(aaa, first.id).status == "cancelled"
    assert space.store.cancel_run(alliance, second.id).status == "cancelled"


# -- the per-user limit -----------------------------------------------------------------
@pytest.fixture
def limited(space: Workspace) -> Iterator[TestClient]:
    settings = Settings(db=space.store.db.url, run_limit=2, run_workers=0)
    with TestClient(create_app(settings, space.store)) as c:
        yield c


def test_one_run_over_the_limit_is_429_and_another_user_may_still_start_one(
    space: Workspace, limited: TestClient
) -> None:
    aaa = space.store.principal(space.tokens["nation_AAA"])
    for _ in range(2):  # queued: no worker takes them
        space.store.create_run(aaa, "small", limit=2)
    before = len(space.store.runs(SYSTEM))
    refused = limited.post(f"{API}/scenarios/small/runs", headers=space.headers("nation_AAA"))
    assert refused.status_code == 429, refused.text
    assert "limit per user (2, MATERIEL_RUN_LIMIT)" in refused.json()["detail"]
    assert len(space.store.runs(SYSTEM)) == before  # nothing was made
    other = limited.post(f"{API}/scenarios/small/runs", headers=space.headers("nation_BBB"))
    assert other.status_code == 202, other.text
    # a run that ends frees its place
    space.store.cancel_run(aaa, space.store.runs(aaa)[0].id)
    again = limited.post(f"{API}/scenarios/small/runs", headers=space.headers("nation_AAA"))
    assert again.status_code == 202, again.text


def test_two_runs_asked_at_once_past_the_limit_one_is_refused(space: Workspace) -> None:
    settings = Settings(db=space.store.db.url, run_limit=1, run_workers=0)
    headers = space.headers("nation_AAA")
    with TestClient(create_app(settings, space.store)) as c:
        barrier = threading.Barrier(4)
        codes: list[int] = []

        def start() -> None:
            barrier.wait()
            codes.append(c.post(f"{API}/scenarios/small/runs", headers=headers).status_code)

        threads = [threading.Thread(target=start) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes) == [202, 429, 429, 429]
        assert len(space.store.runs(SYSTEM)) == 1


def test_the_run_limit_is_a_setting() -> None:
    assert Settings().run_limit == 3
    assert Settings(run_limit=7).run_limit == 7


# -- a run is a process group ------------------------------------------------------------
def _group(pgid: int) -> list[int]:
    """The running processes of a process group, by listing /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat is not None and stat[1] == pgid and stat[0] != "Z":
                members.append(int(entry.name))
    return members


def _side_worker(say: Callable[[str], None]) -> ProcessPoolExecutor:
    """A worker process started as the planner starts its pooling comparison's (a
    process pool forked from the run's process), busy for ten minutes; says the pids."""
    import multiprocessing

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    worker = pool.submit(os.getpid).result()
    pool.submit(time.sleep, 600)
    say(f"pids {os.getpid()} {worker}")
    return pool


def sleeping_planner(snapshot: dict[str, Any], out: Path, say: Callable[[str], None]) -> None:
    """A stand-in planner (imported by the run's process): a side worker, then sleep."""
    _side_worker(say)
    time.sleep(600)


def failing_planner(snapshot: dict[str, Any], out: Path, say: Callable[[str], None]) -> None:
    """A stand-in planner that fails while its side worker still runs."""
    _side_worker(say)
    time.sleep(1)
    raise RuntimeError("the stand-in planner failed")


def _pids(store: Any, run_id: int, timeout: float = 60) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = store.run(SYSTEM, run_id).progress
        if progress.startswith("pids "):
            child, worker = progress.split()[1:]
            return int(child), int(worker)
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} never said its pids")


@pytest.mark.skipif(
    not hasattr(os, "killpg") or not Path("/proc/self/stat").exists(),
    reason="process groups and /proc are POSIX/Linux",
)
@pytest.mark.parametrize("how", ["cancel", "failure", "server stop"])
def test_a_run_leaves_no_process_behind(space: Workspace, how: str) -> None:
    planner = failing_planner if how == "failure" else sleeping_planner
    jobs = RunManager(space.store, grace=2.0, planner=planner)
    admin = space.store.principal(space.tokens["admin"])
    run, snapshot = space.store.create_run(admin, "small")
    jobs.submit(run.id, snapshot)
    child = worker = 0
    try:
        child, worker = _pids(space.store, run.id)
        assert running(child) and running(worker)
        group = os.getpgid(child)
        if how == "cancel":
            space.store.cancel_run(admin, run.id)
        elif how == "server stop":
            jobs.shutdown()
        # a stopped server's worker puts its run back in the queue for another worker
        expected = {"cancel": "cancelled", "failure": "failed", "server stop": "queued"}[how]
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (
            running(child) or running(worker) or space.store.run(SYSTEM, run.id).status != expected
        ):
            time.sleep(0.2)
        assert not running(worker), f"the side worker {worker} outlived the run ({how})"
        assert not running(child), f"the run's process {child} outlived the run ({how})"
        assert group == child != os.getpgid(0)  # the run led a group of its own ...
        assert _group(group) == []  # ... and nothing of it is left
        assert space.store.run(SYSTEM, run.id).status == expected
    finally:
        jobs.shutdown()
        for pid in (worker, child):  # on a failure, leave nothing running either
            if pid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


def _children(parent: int) -> list[int]:
    """The running children of a process, by listing /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _run_processes() -> list[int]:
    """This process's run processes (spawned) and their children."""
    runs = []
    for child in _children(os.getpid()):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                runs.append(child)
    return runs + [grandchild for run in runs for grandchild in _children(run)]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="lists processes in /proc")
def test_cancelling_a_real_plan_ends_its_pooling_comparison(space: Workspace) -> None:
    """The built-in scenario's plan solves its pooling comparison in a process of its
    own from the start: cancelled while it solves, no process of the run is left."""
    from materiel.scenario.load import load_scenario

    space.store.import_scenario(SYSTEM, load_scenario("nato-2024"))
    jobs = RunManager(space.store, grace=2.0)
    run, snapshot = space.store.create_run(SYSTEM, "nato-2024")
    jobs.submit(run.id, snapshot)
    members: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(members) < 2:
            stage = space.store.run(SYSTEM, run.id).stage
            members = _run_processes() if stage >= 2 else []
            time.sleep(0.2)
        assert len(members) >= 2, "the plan and its pooling comparison never ran side by side"
        space.store.cancel_run(SYSTEM, run.id)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(running(p) for p in members):
            time.sleep(0.2)
        assert not [p for p in members if running(p)], "processes of the run were left"
    finally:
        jobs.shutdown()
        for pid in members:  # on a failure, leave nothing running either
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


# -- elapsed time and stage ----------------------------------------------------------------
def test_the_planners_messages_map_to_stages_in_order(space: Workspace, tmp_path: Path) -> None:
    _run, snapshot = space.store.create_run(space.store.principal(space.tokens["admin"]), "small")
    said: list[str] = []
    run_snapshot(snapshot, tmp_path, said.append)
    stages, stage = [], 0
    for message in said:
        stage = stage_of(message, stage)
        stages.append(stage)
    names = [name for name, _ in RUN_STAGES]
    seen = {names[s - 1] for s in stages if s}
    assert {
        "reading the scenario",
        "building the model",
        "solving for the least shortfall",
        "solving for the least cost",
        "saving the plan",
    } <= seen, said
    assert stages == sorted(stages) and stages[-1] == len(RUN_STAGES)
    assert stage_of("an unknown message", 3) == 3
    assert stage_of("building the model", 7) == 7  # the comparison's own model: no going back


def test_a_run_reports_elapsed_time_and_stage_k_of_n(space: Workspace, client: TestClient) -> None:
    admin = space.headers("admin")
    queued = client.post(f"{API}/scenarios/small/runs", headers=admin).json()
    assert queued["stages"] in (0, len(RUN_STAGES)) and queued["stage"] == 0
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = client.get(f"{API}/runs/{queued['id']}", headers=admin).json()
        seen.append((now["status"], now["stage"], now["elapsed_seconds"]))
        if now["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert now["status"] == "done", now
    assert now["stage"] == now["stages"] == len(RUN_STAGES) == 8
    started = now["started_at"]
    assert started is not None and now["created_at"] <= started <= now["finished_at"]
    from datetime import datetime

    took = datetime.fromisoformat(now["finished_at"]) - datetime.fromisoformat(started)
    assert now["elapsed_seconds"] == pytest.approx(took.total_seconds(), abs=1e-3)
    assert now["elapsed_seconds"] > 0
    busy = [s for s in seen if s[0] == "running"]
    assert all(e is not None for _, _, e in busy)
    assert [k for _, k, _ in seen] == sorted(k for _, k, _ in seen)  # never goes back
    assert all(e is None for s, _, e in seen if s == "queued")
