"""Simulation runs: a finished plan run simulated over sampled futures, as a run of its
own in the queue; the same numbers as ``materiel simulate`` on the same plan and seed;
each nation analyst sees its own ally's targets only; bad input refused, no run made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.planner import Plan, plan
from materiel.scenario import load_scenario
from materiel.simulation import simulate
from materiel.store import SYSTEM
from tests.scenario_kit import write_scenario
from tests.server_kit import Workspace, small_tables, wait_for_run

API = "/api/v1"
FUTURES, SEED = 2000, 11
#: Outages, yield loss and late deliveries: targets the plan meets are met in some
#: futures only (with no risk every probability would be 0 or 1).
RISKS = {
    "outage": {"probability": 0.05, "max_months": 2},
    "yield_loss": {"loss_min": 0.0, "loss_max": 0.1},
    "late_delivery": {"probability": 0.2, "max_months": 2},
}
#: Targets the plan can meet, unlike the small scenario's (AAA, BBB, CCC: initial 0).
TARGETS = {"AAA": 30.0, "BBB": 60.0, "CCC": 50.0}


def odds_scenario(folder: Path) -> Path:
    tables = small_tables()
    for row in tables["stockpiles"]:
        row["initial"], row["target"] = 0.0, TARGETS[row["ally"]]
    return write_scenario(folder, tables, name="odds", risks=RISKS)


def planned(client: TestClient, space: Workspace, name: str = "odds") -> int:
    admin = space.headers("admin")
    started = client.post(f"{API}/scenarios/{name}/runs", headers=admin)
    assert started.status_code == 202, started.text
    run_id = int(started.json()["id"])
    assert wait_for_run(client, admin, run_id)["status"] == "done"
    return run_id


def table(client: TestClient, headers: dict[str, str], run_id: int) -> list[dict[str, Any]]:
    got = client.get(f"{API}/runs/{run_id}/tables/simulation_targets", headers=headers)
    assert got.status_code == 200, got.text
    return list(got.json()["items"])


@pytest.fixture
def odds(space: Workspace, tmp_path: Path) -> Path:
    folder = odds_scenario(tmp_path / "odds")
    space.store.import_scenario(SYSTEM, load_scenario(folder))
    return folder


def test_a_simulation_run_agrees_with_materiel_simulate_and_each_nation_sees_its_own(
    space: Workspace, client: TestClient, odds: Path
) -> None:
    plan_run = planned(client, space)
    aaa = space.headers("nation_AAA")
    asked = client.post(
        f"{API}/runs/{plan_run}/simulations",
        headers=aaa,
        json={"futures": FUTURES, "seed": SEED, "confidence": 0.8},
    )
    assert asked.status_code == 202, asked.text
    sim_run = int(asked.json()["id"])
    assert asked.json()["scenario"] == "odds"
    assert asked.json()["simulates"] == plan_run
    assert client.get(f"{API}/runs/{plan_run}", headers=aaa).json()["simulates"] is None
    done = wait_for_run(client, aaa, sim_run)
    assert done["status"] == "done", done
    assert done["tables"] == ["simulation_targets"]
    assert done["stage"] == done["stages"] == 3

    # the command line's function on the same scenario, plan and seed
    scenario = load_scenario(odds)
    reference = simulate(
        Plan.from_result(plan(scenario)), scenario, futures=FUTURES, seed=SEED, sensitivity=0
    ).targets
    whole = table(client, space.headers("alliance"), sim_run)
    assert sorted((r["ally"], r["target"]) for r in whole) == sorted(TARGETS.items())
    by_ally = {r["ally"]: r for r in whole}
    for ref in reference.itertuples():
        row = by_ally[ref.ally]
        assert row["group"] == ref.group == "SHELL"
        assert row["probability"] == ref.probability
        assert (row["ci_low"], row["ci_high"]) == (ref.ci_low, ref.ci_high)
        assert row["plan_met_by_date"] == ref.plan_met_by_date
        months = (row["month_met_p05"], row["month_met_p50"], row["month_met_p95"])
        assert months == (ref.month_met_p05, ref.month_met_p50, ref.month_met_p95)
        assert row["reaches_confidence"] == (ref.ci_low >= 0.8)
    # some futures miss a target the plan meets: the risks are in the numbers
    assert 0 < min(r["probability"] for r in whole) < 1
    assert {r["probability"] * FUTURES % 1 for r in whole} == {0.0}
    assert done["summary"]["futures"] == FUTURES and done["summary"]["seed"] == SEED
    assert done["summary"]["plan_run"] == plan_run
    # sums over every ally are for those who see every ally
    assert "expected_targets_met_by_date" not in done["summary"]

    # a nation analyst sees its own ally's row and no total of the others
    for ally in ("AAA", "BBB"):
        seen = table(client, space.headers(f"nation_{ally}"), sim_run)
        assert seen == [by_ally[ally]]
    for role in ("industry", "viewer"):
        refused = client.get(
            f"{API}/runs/{sim_run}/tables/simulation_targets", headers=space.headers(role)
        )
        assert refused.status_code in (403, 404), refused.text


def test_bad_simulation_requests_name_the_field_and_make_no_run(
    space: Workspace, client: TestClient, odds: Path
) -> None:
    plan_run = planned(client, space, "small")
    aaa, bbb = space.headers("nation_AAA"), space.headers("nation_BBB")
    made = client.post(f"{API}/scenarios/small/variants", headers=bbb, json={"name": "bbb-own"})
    assert made.status_code == 201, made.text
    hidden = client.post(f"{API}/scenarios/bbb-own/runs", headers=bbb)
    assert hidden.status_code == 202, hidden.text
    hidden_run = int(hidden.json()["id"])
    wait_for_run(client, bbb, hidden_run)
    before = space.store.runs(SYSTEM)

    def refused(run_id: int, body: dict[str, Any], status: int, word: str) -> None:
        got = client.post(f"{API}/runs/{run_id}/simulations", headers=aaa, json=body)
        assert got.status_code == status, (body, got.text)
        assert word in got.text, (body, got.text)

    refused(plan_run, {"futures": 0}, 422, "futures")
    refused(plan_run, {"futures": 10**9}, 422, "futures")
    refused(plan_run, {"futures": "100"}, 422, "futures")
    refused(plan_run, {"futures": 1.5}, 422, "futures")
    refused(plan_run, {"futures": 100, "seed": -1}, 422, "seed")
    refused(plan_run, {"futures": 100, "confidence": 1.0}, 422, "confidence")
    refused(plan_run, {"futures": 100, "seeds": 3}, 422, "seeds")
    refused(999_999, {"futures": 100}, 404, "no run 999999")
    refused(hidden_run, {"futures": 100}, 404, f"no run {hidden_run}")
    assert space.store.runs(SYSTEM) == before
    # the variant's owner may simulate it
    own = client.post(f"{API}/runs/{hidden_run}/simulations", headers=bbb, json={"futures": 100})
    assert own.status_code == 202, own.text


def test_the_store_checks_the_settings_as_the_command_line_does(
    space: Workspace, client: TestClient
) -> None:
    """Callers other than the API (the web app's form) get the same checks."""
    from materiel.errors import InputError
    from materiel.store import Principal

    plan_run = planned(client, space, "small")
    admin = Principal("admin", "admin")
    before = space.store.runs(SYSTEM)
    for futures, seed, confidence, word in (
        (0, 7, None, "futures: futures must be between 1"),
        (True, 7, None, "futures: futures must be a whole number"),
        (10**6, 7, None, "futures: a simulation run may sample at most 200,000"),
        (100, "7", None, "seed"),
        (100, 7, 0.0, "confidence"),
        (100, 7, "0.9", "confidence"),
    ):
        with pytest.raises(InputError, match=word):
            space.store.create_simulation(admin, plan_run, futures, seed, confidence)
    sim = space.store.create_simulation(admin, plan_run, 100, 7)
    with pytest.raises(InputError, match=f"run {sim.id} is a simulation"):
        space.store.create_simulation(admin, sim.id, 100, 7)
    assert len(space.store.runs(SYSTEM)) == len(before) + 1
