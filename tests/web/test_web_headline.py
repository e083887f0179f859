"""A plan run's page says what the report says: the headline figures with what pooling is
worth (money and target-months, from the plan's own comparison kept in its summary) to
those who see every ally's figures and never to a nation analyst, industry user or
viewer; and the planner's ranking of what binds with its re-solved what-ifs, as each
user may see them (the industry page's sentences)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.scenario import load_scenario
from materiel.settings import Settings
from materiel.store.policy import SYSTEM
from materiel.web.headline import pooling
from tests.bottleneck_kit import SAID, finished_run
from tests.planner.test_hand_solved import _pooling_tier
from tests.server_kit import Workspace, make_workspace, sqlite_url
from tests.web.test_web_binds import said
from tests.web_kit import page_as, plan_from_page, read_table, sign_in


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Workspace, int]]:
    """The small workspace (SQLite) with the hand-solved price-tier scenario ("tier":
    allies AAA and BBB need 60 each; a tier of 8 from 100 units against 10), planned from
    its page with pooling on (the planner compares with pooling off)."""
    folder: Path = tmp_path_factory.mktemp("headline")
    space = make_workspace(sqlite_url(folder), folder)
    space.store.import_scenario(SYSTEM, load_scenario(_pooling_tier(folder / "tier")), "tier")
    with TestClient(create_app(Settings(db=space.store.db.url), space.store)) as client:
        sign_in(client, "alliance")
        run_id = plan_from_page(client, space, "tier")
        client.app.state.small_run = plan_from_page(client, space, "small")  # type: ignore[attr-defined]
        yield client, space, run_id
    space.store.db.dispose()


def dd(page: str, key: str) -> str | None:
    found = re.search(rf'<dd id="{key}">(.*?)</dd>', page, re.S)
    return None if found is None else " ".join(html.unescape(found.group(1)).split())


def test_staff_read_what_pooling_is_worth_on_the_run_page(
    site: tuple[TestClient, Workspace, int],
) -> None:
    client, _, run_id = site
    page = page_as(client, "alliance", f"/runs/{run_id}")
    # pooled, 120 units at 8 = 960; alone 60 each at 10 = 1,200: pooling saves 240, and
    # both meet their targets by month 5, so the shortfall is the same (gain 0)
    assert dd(page, "pooling-money") == "240 USD"
    assert dd(page, "pooling-months") == "0.0 target-months"
    sentence = re.search(r'<p id="pooling">(.*?)</p>', page, re.S)
    assert sentence is not None
    assert html.unescape(sentence.group(1)).startswith(
        "Spending 960 pooled vs 1.2k alone (USD), pooling saves 240; the same weighted shortfall"
    )


@pytest.mark.parametrize("user", ["nation_AAA", "industry"])
def test_no_one_else_reads_what_pooling_is_worth(
    site: tuple[TestClient, Workspace, int], user: str
) -> None:
    client, _, run_id = site
    page = page_as(client, user, f"/runs/{run_id}")
    assert 'id="met-by-date"' in page  # the counts, which every reader of runs sees
    assert "pooling-money" not in page and 'id="pooling"' not in page
    shown = page[page.index('<main id="main"') :]  # not the header's random CSRF token
    assert "1.2k" not in shown and "960" not in shown


def test_a_summary_without_pooling_figures_says_nothing_of_pooling() -> None:
    assert pooling({"targets": 3, "met_by_date": 1}) is None
    assert pooling(None) is None
    told = pooling({"pooling_unavailable": "time limit", "pooling_currency": "EUR"})
    assert told is not None and told["money_saved"] is None
    assert told["sentence"] == "What pooling is worth is unavailable: time limit."


def test_the_run_page_says_what_binds_as_each_user_may_see_it(
    site: tuple[TestClient, Workspace, int],
) -> None:
    client, space, _ = site
    run_id = finished_run(space.store)
    assert said(page_as(client, "alliance", f"/runs/{run_id}")) == [
        SAID["L1 re-solved"],
        SAID["BBB"],
        SAID["AAA"],
        SAID["MOTOR"],
    ]
    assert said(page_as(client, "nation_AAA", f"/runs/{run_id}")) == [SAID["L1"], SAID["AAA"]]
    assert said(page_as(client, "industry", f"/runs/{run_id}")) == [SAID["L1"]]
    # a run without the ranking says nothing of what binds
    older = finished_run(space.store, with_limits=False)
    assert said(page_as(client, "alliance", f"/runs/{older}")) is None


def test_the_run_page_says_how_much_demand_is_unmet_to_those_who_see_the_sums(
    site: tuple[TestClient, Workspace, int],
) -> None:
    client, _, _ = site
    small = client.app.state.small_run  # type: ignore[attr-defined]
    # the small scenario's demand: AAA consumes 1 a month and BBB gives UKR 2 a month
    # for 12 months: 12 + 24 = 36 units, all served from stock (initial 10,101 and more)
    page = page_as(client, "alliance", f"/runs/{small}")
    assert dd(page, "unmet-demand") == "0.0 % (0 of 36 units of consumption and aid)"
    # a nation analyst's summary has no sums over all allies: no empty "Unmet demand %"
    page = page_as(client, "nation_AAA", f"/runs/{small}")
    assert 'id="unmet-demand"' not in page and "<dt>Unmet demand</dt>" not in page


def test_compare_opens_on_what_pooling_is_worth_for_staff_only(
    site: tuple[TestClient, Workspace, int],
) -> None:
    client, _, tier = site
    small = client.app.state.small_run  # type: ignore[attr-defined]
    path = f"/compare?a={tier}&b={small}"
    rows = {
        r[0].text: [c.text for c in r[1:]]
        for r in read_table(page_as(client, "alliance", path), "cmp-headline").rows
    }
    # the tier scenario's pooling saves 240 (above); the small one's, with no tiers, 0
    assert rows["Pooling saves"] == ["240", "0", "-240"]
    assert rows["Pooling's gain in shortfall [target-months]"] == ["0.0", "0.0", "same"]
    headline = read_table(page_as(client, "nation_AAA", path), "cmp-headline")
    assert not [r for r in headline.rows if r[0].text.startswith("Pooling")]
