"""The industry page's "what binds" is the planner's: the rows of the run's own ranking
(its ``bottlenecks`` table) the user may see, in the report's sentences and order; a
line the plan runs at its capacity is never called spare; a run without the ranking
says nothing of what binds. On SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.planner import plan
from materiel.report import bottleneck_words
from materiel.scenario import load_scenario
from materiel.store import SYSTEM
from tests.bottleneck_kit import SAID, finished_run
from tests.server_kit import Workspace, small_scenario
from tests.web_kit import csrf_of, plan_from_page, sign_in

BINDS = re.compile(r'<ol class="binds">(.*?)</ol>', re.S)
ITEM = re.compile(r"<li>(.*?)</li>", re.S)


def said(page: str) -> list[str] | None:
    """The sentences of the page's "what binds" list (None: the page has none)."""
    found = BINDS.search(page)
    if found is None:
        return None
    return [" ".join(html.unescape(s).split()) for s in ITEM.findall(found.group(1))]


def _industry(client: TestClient, user: str, run_id: int) -> str:
    assert sign_in(client, user).status_code == 303
    page = client.get(f"/industry?scenario=small&run={run_id}")
    assert page.status_code == 200, page.text[:300]
    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})
    return page.text


def test_what_binds_is_the_planners_table_as_each_user_may_see_it(
    client: TestClient, space: Workspace
) -> None:
    run_id = finished_run(space.store)
    assert said(_industry(client, "alliance", run_id)) == [
        SAID["L1 re-solved"],
        SAID["BBB"],
        SAID["AAA"],
        SAID["MOTOR"],
    ]
    # its own budget, and L1's limit in first order (the re-solved shortfall sums every
    # ally's); never BBB's budget, nor the motor of L2 (whose output it is not shown)
    assert said(_industry(client, "nation_AAA", run_id)) == [SAID["L1"], SAID["AAA"]]
    assert said(_industry(client, "industry", run_id)) == [SAID["L1"]]


def test_a_line_the_plan_runs_at_capacity_is_never_called_spare(
    client: TestClient, space: Workspace
) -> None:
    """L1 is at its capacity in 5 of 12 months and the planner ranks it first; the rule
    of thumb the page had (at capacity in half the months) called it spare."""
    run_id = finished_run(space.store)
    for user in ("alliance", "nation_AAA", "industry"):
        page = _industry(client, user, run_id)
        assert "spare" not in page and "does not limit" not in page, user
        assert any("L1 (P, Shell)" in s for s in said(page) or []), user


def test_a_run_without_the_ranking_says_nothing_of_what_binds(
    client: TestClient, space: Workspace
) -> None:
    run_id = finished_run(space.store, with_limits=False)
    page = _industry(client, "alliance", run_id)
    assert "Capacity added" in page  # the run is shown
    assert said(page) is None and "What binds" not in page and "binds" not in page


@pytest.mark.slow
def test_a_planned_runs_page_says_what_the_report_says(
    client: TestClient, space: Workspace, tmp_path: Path
) -> None:
    """A run planned by the workspace: one sentence per row of its stored table, in its
    order, and the report's sentences for the same scenario planned here."""
    assert sign_in(client, "alliance").status_code == 303
    run_id = plan_from_page(client, space, "small")
    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})
    stored = space.store.run_table(SYSTEM, run_id, "bottlenecks")
    page = said(_industry(client, "alliance", run_id))
    assert page is not None and len(page) == len(stored) > 0
    for sentence, row in zip(page, stored, strict=True):
        assert row["label"] in sentence
    report = bottleneck_words(plan(load_scenario(small_scenario(tmp_path / "here"))))
    assert page == report
