"""The run page offers "simulate this plan" (CSRF form) to those who may start runs, and
a simulation run's page shows the probability per target, each nation its own ally's."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from materiel.store import SYSTEM
from tests.server_kit import Workspace
from tests.web_kit import csrf_of, plan_from_page, sign_in

pytestmark = pytest.mark.slow  # plans a run and simulates it, each in a process of its own


def wait(space: Workspace, run_id: int) -> None:
    deadline = time.monotonic() + 120
    while space.store.run(SYSTEM, run_id).status in ("queued", "running"):
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.2)
    assert space.store.run(SYSTEM, run_id).status == "done"


def test_simulate_a_plan_from_its_page_and_read_each_targets_odds(
    client: TestClient, space: Workspace
) -> None:
    assert sign_in(client, "nation_AAA").status_code == 303
    plan_run = plan_from_page(client, space, "small")
    page = client.get(f"/runs/{plan_run}").text
    assert 'id="simulate-form"' in page
    before = len(space.store.runs(SYSTEM))

    bad = client.post(
        f"/runs/{plan_run}/simulations",
        data={"csrf": csrf_of(page), "futures": "many", "seed": "7"},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and "futures" in bad.text
    no_csrf = client.post(
        f"/runs/{plan_run}/simulations", data={"futures": "200"}, follow_redirects=False
    )
    assert no_csrf.status_code == 403
    assert len(space.store.runs(SYSTEM)) == before

    made = client.post(
        f"/runs/{plan_run}/simulations",
        data={"csrf": csrf_of(page), "futures": "200", "seed": "3", "confidence": "0.9"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    sim_run = int(made.headers["location"].rsplit("/", 1)[1])
    wait(space, sim_run)
    shown = client.get(f"/runs/{sim_run}").text
    assert f"Simulation run {sim_run} (of plan run {plan_run})" in shown
    assert "over 200 futures (seed 3, confidence 90 %)" in shown
    body = re.search(r'<table id="simulation-targets">.*?</table>', shown, re.S)
    assert body is not None
    rows = re.findall(r"<tr><td>(\w+)</td><td>SHELL</td>", body.group(0))
    assert rows == ["AAA"]  # its own ally's target only
    # the small scenario's targets are out of reach (20,202 from 10,101): met in no future
    assert "<td>0.0 %</td>" in body.group(0)
    assert 'id="simulate-form"' not in shown  # a simulation is not simulated again

    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})
    assert sign_in(client, "alliance").status_code == 303
    seen = client.get(f"/runs/{sim_run}").text
    body = re.search(r'<table id="simulation-targets">.*?</table>', seen, re.S)
    assert body is not None
    assert sorted(re.findall(r"<tr><td>(\w+)</td><td>SHELL</td>", body.group(0))) == [
        "AAA",
        "BBB",
        "CCC",
    ]


def test_an_industry_user_is_not_offered_a_simulation(client: TestClient, space: Workspace) -> None:
    assert sign_in(client, "alliance").status_code == 303
    plan_run = plan_from_page(client, space, "small")
    assert 'id="simulate-form"' in client.get(f"/runs/{plan_run}").text
    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})
    assert sign_in(client, "industry").status_code == 303
    assert 'id="simulate-form"' not in client.get(f"/runs/{plan_run}").text
