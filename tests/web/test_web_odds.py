"""The stockpile outlook of a plan run with a finished simulation run of it: each target's
probability of being met by its date, its 95 % interval and the month it is met at the
5th, 50th and 95th percentile (the simulation run's ``simulation_targets`` rows, written
here by hand), and the fan chart's figures; each user sees what the table's rule lets it
see (a nation analyst its own ally's rows; industry users and viewers nothing). With no
simulation, the page says how to get one. The table is a download like the plan's."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.settings import Settings
from materiel.store import SIM_TABLE
from materiel.store.policy import SYSTEM
from tests.odds_kit import NEVER, ROWS, simulate_by_hand
from tests.server_kit import Workspace, make_workspace, sqlite_url
from tests.web_kit import page_as, plan_from_page, read_table, sign_in


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Workspace, int]]:
    """The small workspace (SQLite), a finished plan run of the small scenario, and a
    client of an app without a run worker (a simulation run queued here stays queued
    until the test finishes it by hand)."""
    folder: Path = tmp_path_factory.mktemp("odds")
    space = make_workspace(sqlite_url(folder), folder)
    with TestClient(create_app(Settings(db=space.store.db.url), space.store)) as planner:
        sign_in(planner, "alliance")
        plan_run = plan_from_page(planner, space, "small")
    idle = create_app(Settings(db=space.store.db.url, run_workers=0), space.store)
    with TestClient(idle) as client:
        yield client, space, plan_run
    space.store.db.dispose()


def copy_of_plan(space: Workspace, plan_run: int) -> int:
    """Another finished plan run with the same result (no simulation of it yet)."""
    run, _ = space.store.create_run(SYSTEM, "small")
    space.store.set_run(run.id, status="running")
    space.store.set_run(run.id, status="done", result=space.store.plan_result(plan_run))
    return int(run.id)


@pytest.fixture(scope="module")
def simulated(site: tuple[TestClient, Workspace, int]) -> int:
    return simulate_by_hand(site[1], site[2], ROWS)


def fan_of(page: str) -> dict[str, Any] | None:
    found = re.search(r"<canvas id=\"month-met-fan\"[^>]*data-spec='([^']*)'", page)
    return None if found is None else json.loads(found.group(1).replace("&#34;", '"'))


def odds_columns(page: str) -> dict[str, list[str]]:
    """The targets table's rows with a probability: ally -> [P, interval, months met]."""
    table = read_table(page, "targets")
    names = [c.text for c in table.head]
    at = next(i for i, n in enumerate(names) if n.startswith("P(met by date)"))
    return {row[0].text: [c.text for c in row[at : at + 3]] for row in table.rows}


def test_the_outlook_gives_each_target_s_odds_and_fan_to_alliance_staff(
    site: tuple[TestClient, Workspace, int], simulated: int
) -> None:
    client, _, plan_run = site
    page = page_as(client, "alliance", f"/outlook?scenario=small&run={plan_run}")
    assert f'<a href="/runs/{simulated}">simulation run {simulated}</a>' in page
    assert "over 500 futures (seed 9)" in page
    head = [c.text for c in read_table(page, "targets").head]
    assert "P(met by date) [%]" in head and "95 % interval" in head
    assert odds_columns(page) == {
        "AAA": ["24.7", "19.4–31.9 %", f"2025-03 · 2025-08 · {NEVER}"],
        "BBB": ["61.7", "53.1–69.8 %", "2025-02 · 2025-05 · 2025-11"],
        "CCC": ["5.1", "2.1–11.3 %", f"2025-10 · {NEVER} · {NEVER}"],
    }
    table = read_table(page, "targets")
    cells = zip(table.rows, table.column("P(met"), strict=True)
    assert {r[0].text: c.attrs["data-order"] for r, c in cells} == {
        "AAA": "24.68",
        "BBB": "61.73",
        "CCC": "5.12",
    }
    # the fan, in the simulation's order: months counted from 2025-01 (0); a percentile
    # not reached within the horizon at 12, labelled "later"
    fan = fan_of(page)
    assert fan is not None and fan["type"] == "fan"
    assert fan["labels"] == ["CCC · SHELL", "AAA · SHELL", "BBB · SHELL"]
    assert fan["months"] == [f"2025-{m:02d}" for m in range(1, 13)] + ["later"]
    assert [d["data"] for d in fan["datasets"]] == [
        [9, 2, 1],  # 5th percentile
        [12, 7, 4],  # median
        [12, 12, 10],  # 95th percentile
        [11, 11, 11],  # the target date, 2025-12
    ]
    # the run page of the plan run shows the same
    run_page = page_as(client, "alliance", f"/runs/{plan_run}")
    assert odds_columns(run_page) == odds_columns(page)
    assert fan_of(run_page) == fan


def test_a_nation_analyst_sees_its_own_target_s_odds_only(
    site: tuple[TestClient, Workspace, int], simulated: int
) -> None:
    client, _, plan_run = site
    page = page_as(client, "nation_AAA", f"/outlook?scenario=small&run={plan_run}")
    rows = odds_columns(page)
    assert rows["AAA"] == ["24.7", "19.4–31.9 %", f"2025-03 · 2025-08 · {NEVER}"]
    # the alliance total has no probability; nothing of BBB's or CCC's
    assert all(v == ["—", "—", "—"] for k, v in rows.items() if k != "AAA")
    fan = fan_of(page)
    assert fan is not None and fan["labels"] == ["AAA · SHELL"]
    assert [d["data"] for d in fan["datasets"]] == [[2], [7], [12], [11]]
    for hidden in ("61.7", "53.1", "69.8", "5.1", "2.1–11.3", "2025-10 ·", "CCC · SHELL"):
        assert hidden not in page


@pytest.mark.parametrize("user", ["industry", "viewer"])
def test_industry_users_and_viewers_see_no_odds(
    site: tuple[TestClient, Workspace, int], simulated: int, user: str
) -> None:
    client, _, plan_run = site
    # a viewer does not read plan runs at all: it asks for the scenario's outlook
    ask = f"&run={plan_run}" if user == "industry" else ""
    page = page_as(client, user, f"/outlook?scenario=small{ask}")
    assert 'id="odds"' not in page and "month-met-fan" not in page
    assert "24.7" not in page and "61.7" not in page


def test_without_a_simulation_the_outlook_says_how_to_get_one(
    site: tuple[TestClient, Workspace, int],
) -> None:
    client, space, plan_run = site
    other = copy_of_plan(space, plan_run)
    page = page_as(client, "nation_AAA", f"/outlook?scenario=small&run={other}")
    assert 'id="odds-none"' in page and "P(met by date)" not in page
    assert f'<a href="/runs/{other}#simulate-form">' in page and "Simulate this plan" in page
    run_page = page_as(client, "nation_AAA", f"/runs/{other}")
    assert 'id="odds-none"' in run_page and 'id="simulate-form"' in run_page

    queued = space.store.create_simulation(SYSTEM, other, 100, 1)
    page = page_as(client, "alliance", f"/outlook?scenario=small&run={other}")
    assert "A simulation of this plan is queued" in page
    assert f'<a href="/runs/{queued.id}">simulation run {queued.id}</a>' in page
    assert "P(met by date)" not in page


def test_the_simulation_s_table_downloads_as_each_user_may_see_it(
    site: tuple[TestClient, Workspace, int], simulated: int
) -> None:
    client, _, _ = site
    page_as(client, "alliance", f"/runs/{simulated}")
    got = client.get(f"/runs/{simulated}/tables/{SIM_TABLE}.csv")
    assert got.status_code == 200 and got.headers["etag"]
    frame = pd.read_csv(io.BytesIO(got.content))
    assert sorted(frame["ally"]) == ["AAA", "BBB", "CCC"]
    assert frame.set_index("ally").loc["BBB", "probability"] == 0.6173
    again = client.get(
        f"/runs/{simulated}/tables/{SIM_TABLE}.csv", headers={"If-None-Match": got.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    book = client.get(f"/runs/{simulated}/tables/{SIM_TABLE}.xlsx")
    assert book.status_code == 200
    assert sorted(pd.read_excel(io.BytesIO(book.content))["ally"]) == ["AAA", "BBB", "CCC"]

    page = page_as(client, "nation_AAA", f"/runs/{simulated}")
    assert f'href="/runs/{simulated}/tables/{SIM_TABLE}.csv"' in page
    mine = client.get(f"/runs/{simulated}/tables/{SIM_TABLE}.csv")
    assert mine.status_code == 200 and mine.headers["etag"] != got.headers["etag"]
    assert list(pd.read_csv(io.BytesIO(mine.content))["ally"]) == ["AAA"]
    # the alliance staff's tag does not open the nation analyst's file
    assert (
        client.get(
            f"/runs/{simulated}/tables/{SIM_TABLE}.xlsx",
            headers={"If-None-Match": got.headers["etag"]},
        ).status_code
        == 200
    )

    page = page_as(client, "industry", f"/runs/{simulated}")
    assert f"{SIM_TABLE}.csv" not in page
    assert client.get(f"/runs/{simulated}/tables/{SIM_TABLE}.csv").status_code == 403
    page_as(client, "viewer", "/")
    assert client.get(f"/runs/{simulated}").status_code == 403  # viewers read no runs
    assert client.get(f"/runs/{simulated}/tables/{SIM_TABLE}.csv").status_code == 403
