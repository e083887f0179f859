"""The scenario page offers "Run a sweep" (CSRF form) to alliance staff; the sweep run's
page shows its table, as the API serves it, with its CSV download; nation analysts are
not offered sweeps and do not see a sweep's rows."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.scenario import load_scenario
from materiel.store import SYSTEM, Principal
from tests.server_kit import Workspace
from tests.sweep.sweep_kit import small_scenario
from tests.web_kit import csrf_of, sign_in

pytestmark = pytest.mark.slow  # plans a sweep in a process of its own


def wait(space: Workspace, run_id: int) -> None:
    deadline = time.monotonic() + 120
    while space.store.run(SYSTEM, run_id).status in ("queued", "running"):
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.2)
    assert space.store.run(SYSTEM, run_id).status == "done", space.store.run(SYSTEM, run_id)


def test_run_a_sweep_from_the_scenario_page_and_read_its_table(
    client: TestClient, space: Workspace, tmp_path: Path
) -> None:
    scenario = load_scenario(small_scenario(tmp_path / "lever"))
    space.store.import_scenario(SYSTEM, scenario)
    name = scenario.name
    assert sign_in(client, "alliance").status_code == 303
    page = client.get(f"/scenarios/{name}").text
    assert 'id="sweep-form"' in page
    before = len(space.store.runs(SYSTEM))

    bad = client.post(
        f"/scenarios/{name}/sweeps",
        data={"csrf": csrf_of(page), "vary": "policy.nonsense=1,2", "seed": "0"},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and "unknown lever" in bad.text, bad.text
    no_csrf = client.post(f"/scenarios/{name}/sweeps", data={"vary": "policy.pooling=true,false"})
    assert no_csrf.status_code == 403
    assert len(space.store.runs(SYSTEM)) == before

    made = client.post(
        f"/scenarios/{name}/sweeps",
        data={
            "csrf": csrf_of(page),
            "vary": "lines.L1.ceiling=5,20\r\n\r\npolicy.pooling=true,false\r\n",
            "set": "policy.contract_months=3",
            "simulate": "",
            "seed": "0",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    run_id = int(made.headers["location"].rsplit("/", 1)[1])
    wait(space, run_id)
    listed = client.get(f"/scenarios/{name}").text  # listed with the runs, as a sweep
    assert re.search(
        rf'href="/runs/{run_id}">Run {run_id}</a></th><td>[^<]*</td><td>sweep<', listed
    )
    assert f'aria-label="Run {run_id} as A"' not in listed  # not a plan to compare
    shown = client.get(f"/runs/{run_id}").text
    assert f"Sweep run {run_id}" in shown
    assert "over lines.L1.ceiling, policy.pooling: 4 combinations" in shown
    body = re.search(r'<table id="sweep-table".*?</table>', shown, re.S)
    assert body is not None
    cells = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td><td>(\w+)</td>", body.group(0))
    assert cells == [
        ("5", "true", "optimal"),
        ("5", "false", "optimal"),
        ("20", "true", "optimal"),
        ("20", "false", "optimal"),
    ]
    # the same rows as the API's table, as a CSV download
    served = space.store.run_table(Principal("a", "alliance"), run_id, "sweep")
    assert f'href="/runs/{run_id}/tables/sweep.csv"' in shown
    got = client.get(f"/runs/{run_id}/tables/sweep.csv")
    assert got.status_code == 200, got.text
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["met_by_date"] for r in rows] == [str(r["met_by_date"]) for r in served]
    assert [r["met_by_date"] for r in rows] == ["0", "0", "1", "1"]
    assert 'id="simulate-form"' not in shown  # a sweep is not simulated
    # the scenario's outlook stays on its plan runs: a sweep has no plan to show
    outlook = client.get(f"/outlook?scenario={name}")
    assert outlook.status_code == 200 and f"No finished plan of {name} yet" in outlook.text
    asked = client.get(f"/outlook?scenario={name}&run={run_id}")
    assert asked.status_code == 404 and f"no finished plan run {run_id}" in asked.text
    compared = client.get(f"/compare?a={run_id}&b={run_id}")
    assert compared.status_code == 404 and f"run {run_id} is a sweep" in compared.text

    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})
    assert sign_in(client, "nation_AAA").status_code == 303
    assert 'id="sweep-form"' not in client.get(f"/scenarios/{name}").text
    seen = client.get(f"/runs/{run_id}").text
    assert 'id="sweep-table"' not in seen and "does not see this sweep's table" in seen
    assert client.get(f"/runs/{run_id}/tables/sweep.csv").status_code == 403
    refused = client.post(
        f"/scenarios/{name}/sweeps",
        data={"csrf": csrf_of(seen), "vary": "policy.pooling=true,false", "seed": "0"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
