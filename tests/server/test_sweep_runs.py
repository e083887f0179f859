"""Sweep runs: a sweep of a stored scenario queued as a run of its own, taken by the
workers as plan runs are; the same table as ``materiel sweep`` on the same inputs (in the
run's process, and on the Dask scheduler the settings name); alliance staff's only; bad
input refused with no run made; a cancelled sweep ends cancelled, its processes gone."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import materiel
from materiel.app import create_app
from materiel.scenario import load_scenario
from materiel.settings import Settings
from materiel.store import SYSTEM
from materiel.sweeps import table_rows
from tests.server.test_server_runs import _run_processes
from tests.server_kit import Workspace, running, wait_for_run
from tests.sweep.sweep_kit import small_scenario

API = "/api/v1"
VARY = ["lines.L1.ceiling=5,20", "policy.pooling=true,false"]
SET = ["policy.contract_months=3"]


@pytest.fixture
def lever(space: Workspace, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The sweeps' small scenario (one line that can grow), stored; its name and folder."""
    folder = small_scenario(tmp_path / "lever")
    scenario = load_scenario(folder)
    space.store.import_scenario(SYSTEM, scenario)
    yield scenario.name, folder


def app_client(space: Workspace, **given: Any) -> TestClient:
    return TestClient(create_app(Settings(db=space.store.db.url, **given), space.store))


def start(client: TestClient, space: Workspace, name: str, body: dict[str, Any]) -> int:
    started = client.post(
        f"{API}/scenarios/{name}/sweeps", headers=space.headers("admin"), json=body
    )
    assert started.status_code == 202, started.text
    return int(started.json()["id"])


def sweep_rows(client: TestClient, space: Workspace, run_id: int) -> list[dict[str, Any]]:
    got = client.get(
        f"{API}/runs/{run_id}/tables/sweep?limit=500", headers=space.headers("alliance")
    )
    assert got.status_code == 200, got.text
    return list(got.json()["items"])


@pytest.mark.slow
def test_a_sweep_run_gives_the_table_of_materiel_sweep(
    space: Workspace, lever: tuple[str, Path]
) -> None:
    name, folder = lever
    body = {"vary": VARY, "set": SET, "simulate": 20, "seed": 5}
    with app_client(space, sweep_workers=1) as client:
        run_id = start(client, space, name, body)
        done = wait_for_run(client, space.headers("admin"), run_id)
        assert done["status"] == "done", done
        assert done["kind"] == "sweep" and done["tables"] == ["sweep"]
        assert done["stage"] == done["stages"] == 4  # a stage per combination
        rows = sweep_rows(client, space, run_id)
        # the command line's function on the same scenario and settings
        reference = materiel.sweep(folder, VARY, overrides=SET, simulate=20, seed=5, workers=1)
        assert rows == table_rows(reference)
        assert [(r["lines.L1.ceiling"], r["policy.pooling"]) for r in rows] == [
            ("5", "true"),
            ("5", "false"),
            ("20", "true"),
            ("20", "false"),
        ]
        # the lever takes effect: a ceiling of 20 meets the target, 5 does not
        assert [r["met_by_date"] for r in rows] == [0, 0, 1, 1]
        assert done["summary"]["combinations"] == 4 and done["summary"]["errors"] == 0
        # listed with the other runs, as a sweep
        listed = client.get(f"{API}/runs", headers=space.headers("admin")).json()["items"]
        assert [r["kind"] for r in listed if r["id"] == run_id] == ["sweep"]
        # alliance staff's table: nation analysts see the run, not its rows
        for role in ("nation_AAA", "industry", "viewer"):
            refused = client.get(f"{API}/runs/{run_id}/tables/sweep", headers=space.headers(role))
            assert refused.status_code == 403, (role, refused.text)
        seen = client.get(f"{API}/runs/{run_id}", headers=space.headers("nation_AAA")).json()
        assert seen["tables"] == [] and "levers" not in seen["summary"]
        # a sweep is not a plan: not simulated, not a baseline
        sim = client.post(
            f"{API}/runs/{run_id}/simulations", headers=space.headers("admin"), json={}
        )
        assert sim.status_code == 422 and "is a sweep" in sim.text, sim.text
        base = client.put(
            f"{API}/scenarios/{name}/baseline", headers=space.headers("admin"), json={"run": run_id}
        )
        assert base.status_code == 422 and "not a plan run" in base.text, base.text


@pytest.mark.slow
def test_a_sweep_run_on_the_dask_scheduler_the_settings_name(
    space: Workspace, lever: tuple[str, Path]
) -> None:
    distributed = pytest.importorskip("distributed")
    name, folder = lever
    with (
        distributed.LocalCluster(
            n_workers=1,
            processes=False,
            threads_per_worker=1,
            dashboard_address=None,
            protocol="tcp://",
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster.scheduler_address) as watcher,
        app_client(space, sweep_scheduler=cluster.scheduler_address) as client,
    ):
        run_id = start(client, space, name, {"vary": VARY, "set": SET})
        done = wait_for_run(client, space.headers("admin"), run_id)
        assert done["status"] == "done", done
        assert done["summary"]["on"] == "a Dask cluster"
        # the cluster's worker planned every combination
        tasks = watcher.run_on_scheduler(
            lambda dask_scheduler: [str(k) for k in dask_scheduler.task_prefixes]
        )
        assert "run_combination" in tasks, tasks
        reference = materiel.sweep(folder, VARY, overrides=SET, workers=1)
        assert sweep_rows(client, space, run_id) == table_rows(reference)


def test_a_scheduler_that_cannot_be_reached_fails_the_run_and_says_why(
    space: Workspace, lever: tuple[str, Path]
) -> None:
    with app_client(space, sweep_scheduler="tcp://127.0.0.1:9") as client:
        run_id = start(client, space, lever[0], {"vary": VARY})
        done = wait_for_run(client, space.headers("admin"), run_id)
    assert done["status"] == "failed", done
    assert "cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'" in done["error"]


def test_bad_sweep_requests_name_the_field_and_make_no_run(
    space: Workspace, lever: tuple[str, Path]
) -> None:
    name = lever[0]
    before = space.store.runs(SYSTEM)
    with app_client(space, run_workers=0) as client:

        def refused(
            body: Any, status: int, word: str, who: str = "alliance", to: str = name
        ) -> None:
            got = client.post(f"{API}/scenarios/{to}/sweeps", headers=space.headers(who), json=body)
            assert got.status_code == status, (body, got.text)
            assert word in got.text, (body, got.text)

        refused({}, 422, "vary")  # no grid
        refused({"vary": []}, 422, "vary")  # an empty grid
        refused({"vary": ["policy.pooling="]}, 422, "vary")  # a lever without values
        refused({"vary": ["policy.pooling=true,,false"]}, 422, "vary: --vary")
        refused({"vary": ["policy.nonsense=1,2"]}, 422, "unknown lever 'policy.nonsense'")
        refused({"vary": ["lines.NOPE.ceiling=1,2"]}, 422, "vary: the combination")
        refused({"vary": ["policy.pooling=maybe,no"]}, 422, "vary: the combination")
        refused({"vary": "policy.pooling=true,false"}, 422, "vary")  # not a list
        refused({"vary": [3]}, 422, "vary")
        many = [f"lines.L1.ceiling={','.join(str(v) for v in range(5, 13))}"]
        many.append("policy.contract_months=1,2,3,4,5,6,7,8,9")
        refused({"vary": many}, 422, "72 combinations; a sweep run plans at most 64")
        refused({"vary": VARY, "simulate": 0}, 422, "simulate")
        refused({"vary": VARY, "simulate": -5}, 422, "simulate")
        refused({"vary": VARY, "simulate": 10**9}, 422, "simulate")
        refused({"vary": VARY, "simulate": 60_000}, 422, "240,000")  # 4 x 60,000 in all
        refused({"vary": VARY, "simulate": "100"}, 422, "simulate")
        refused({"vary": VARY, "seed": -1}, 422, "seed")
        refused({"vary": VARY, "seed": 1.5}, 422, "seed")
        refused({"vary": VARY, "set": ["policy.pooling"]}, 422, "set")
        refused({"vary": VARY, "set": "policy.pooling=true"}, 422, "set")
        refused({"vary": VARY, "workers": 8}, 422, "workers")  # not the requester's to say
        refused({"vary": VARY, "scheduler": "tcp://evil:1"}, 422, "scheduler")
        refused({"vary": VARY}, 404, "no-such", to="no-such")
        for role in ("nation_AAA", "industry", "viewer"):
            refused({"vary": VARY}, 403, "may not start sweeps", who=role)
        assert space.store.runs(SYSTEM) == before
        made = client.post(
            f"{API}/scenarios/{name}/sweeps", headers=space.headers("alliance"), json={"vary": VARY}
        )
        assert made.status_code == 202, made.text
        assert made.json()["progress"] == "queued: a sweep of 4 combinations"
    assert len(space.store.runs(SYSTEM)) == len(before) + 1


def test_the_store_checks_what_the_api_checks(space: Workspace, lever: tuple[str, Path]) -> None:
    """Callers other than the API (the web app's form) get the same checks."""
    from materiel.errors import InputError
    from materiel.sweeps import check_sweep

    name = lever[0]
    before = space.store.runs(SYSTEM)
    for vary, sets, simulate, seed, word in (
        ([], [], None, 0, "vary: give at least one lever"),
        (["policy.pooling=true"] * 9, [], None, 0, "vary: at most 8"),
        (VARY, [], True, 0, "simulate"),
        (VARY, [], None, "7", "seed"),
        (VARY, ["horizon=0"], None, 0, "set: "),
    ):

        def check(scenario: Any, asked: tuple[Any, ...] = (vary, sets, simulate, seed)) -> Any:
            return check_sweep(scenario, *asked)

        with pytest.raises(InputError, match=word):
            space.store.create_sweep(SYSTEM, name, check)
    assert space.store.runs(SYSTEM) == before


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="lists processes in /proc")
def test_a_cancelled_sweep_ends_cancelled_with_no_process_left(
    space: Workspace, lever: tuple[str, Path]
) -> None:
    """Cancelled while its local processes plan, the sweep's run ends cancelled (not
    done, not failed) and every process it started has ended."""
    name = lever[0]
    vary = ["lines.L1.ceiling=5,6,7,8,9,10,11,12", "policy.contract_months=1,2,3,4,5,6,7,8"]
    members: list[int] = []
    with app_client(space, sweep_workers=2, run_grace_s=2.0) as client:
        admin = space.headers("admin")
        try:
            run_id = start(client, space, name, {"vary": vary})
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                run = client.get(f"{API}/runs/{run_id}", headers=admin).json()
                members = _run_processes()
                # queued until a worker takes it: only an end stops the wait
                over = run["status"] not in ("queued", "running")
                if (run["stage"] >= 1 and len(members) >= 3) or over:
                    break
                time.sleep(0.1)
            assert run["status"] == "running" and run["stages"] == 64, run
            assert len(members) >= 3, "the run and its two local processes never ran"
            cancelled = client.post(f"{API}/runs/{run_id}/cancel", headers=admin)
            assert cancelled.status_code == 200, cancelled.text
            # within the grace (2 s) and a poll or two; the whole sweep takes far longer
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline and any(running(p) for p in members):
                time.sleep(0.2)
            assert not [p for p in members if running(p)], "processes of the sweep were left"
            time.sleep(1.0)  # the worker has recorded how it ended
            ended = client.get(f"{API}/runs/{run_id}", headers=admin).json()
            assert ended["status"] == "cancelled", ended
            assert ended["stage"] < 64 and ended["tables"] == []
        finally:
            for pid in members:  # on a failure, leave nothing running either
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


def test_a_sweep_says_each_combination_planned_as_a_stage(
    space: Workspace, lever: tuple[str, Path], tmp_path: Path
) -> None:
    """The run's process says "planned k of n combinations" as each ends: stage k of n."""
    from materiel.sweeps import check_sweep, read_sweep, sweep_snapshot, sweep_stage_of

    name = lever[0]
    _checked, _version, snapshot = space.store.load(SYSTEM, name)
    scenario = _checked.scenario
    job = check_sweep(scenario, VARY, SET, None, 0)
    said: list[str] = []
    sweep_snapshot({**snapshot, "sweep": job, "cluster": {"workers": 1}}, tmp_path, said.append)
    stages, stage = [], 0
    for message in said:
        stage = sweep_stage_of(message, stage)
        stages.append(stage)
    assert said[0] == "reading the scenario" and said[-1] == "saving the sweep"
    assert stages == [0, 1, 2, 3, 4, 4], said
    assert sweep_stage_of("planned 2 of 4 combinations", 3) == 3  # never back
    saved = read_sweep(tmp_path)
    assert len(saved["rows"]) == 4 and saved["summary"]["on"] == "local processes"
