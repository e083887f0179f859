"""The pages' views of a finished run are worked out and rendered once per key and kept
(:func:`materiel.web.views.view_key`): the key must name all that decides what a user is
shown. Read in turns by users of different allies in one server, each page shows each
user only its own ally's detail, as when read alone; and a change to the scenario's rows
shows on the next read, although the run has not changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.settings import Settings
from materiel.store.policy import SYSTEM
from tests.server_kit import Workspace, make_workspace, sqlite_url
from tests.web_kit import page_as, plan_from_page, read_table, sign_in


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Workspace, int]]:
    """The small workspace (SQLite) with a finished plan run of the small scenario."""
    folder: Path = tmp_path_factory.mktemp("kept")
    space = make_workspace(sqlite_url(folder), folder)
    with TestClient(create_app(Settings(db=space.store.db.url), space.store)) as client:
        sign_in(client, "alliance")
        run = plan_from_page(client, space, "small")
        yield client, space, run
    space.store.db.dispose()


def allies_in_detail(page: str) -> set[str]:
    """The allies the outlook's targets table names row by row (not its totals)."""
    table = read_table(page, "targets")
    return {row[0].text for row in table.rows if "total" not in (row[0].text or "").lower()}


@pytest.mark.parametrize("path", ["/outlook?run={run}", "/runs/{run}"])
def test_users_of_different_allies_in_turn_each_see_their_own_ally(
    site: tuple[TestClient, Workspace, int], path: str
) -> None:
    client, _, run = site
    url = path.format(run=run)
    alone = {who: allies_in_detail(page_as(client, who, url)) for who in ("nation_AAA",)}
    assert alone["nation_AAA"] == {"AAA"}  # the small scenario's own ally, worked out
    for who, ally in [("nation_BBB", "BBB"), ("nation_AAA", "AAA"), ("nation_BBB", "BBB")]:
        assert allies_in_detail(page_as(client, who, url)) == {ally}
    everyone = allies_in_detail(page_as(client, "alliance", url))
    assert {"AAA", "BBB"} <= everyone
    assert allies_in_detail(page_as(client, "nation_AAA", url)) == {"AAA"}


def capacity_of(page: str, line: str) -> str:
    """The capacity the industry page's table of lines gives ``line``."""
    table = read_table(page, "lines")
    names = [c.text for c in table.head]
    at = next(i for i, n in enumerate(names) if (n or "").startswith("Capacity"))
    return next(row[at].text for row in table.rows if row[0].text == line)


def test_a_changed_line_shows_on_the_industry_page_of_the_same_run(
    site: tuple[TestClient, Workspace, int],
) -> None:
    client, space, run = site
    row = space.store.rows(SYSTEM, "small", "lines")[0]
    line, before = str(row.data["id"]), float(row.data["capacity"])
    url = f"/industry?scenario=small&run={run}"
    assert capacity_of(page_as(client, "alliance", url), line) == f"{before:,.1f}"
    space.store.update_row(
        SYSTEM, "small", "lines", row.id, row.version, {**row.data, "capacity": before - 1}
    )
    assert capacity_of(page_as(client, "alliance", url), line) == f"{before - 1:,.1f}"


def picked_allies(page: str) -> list[str]:
    """The allies the run page's national-plan picker offers."""
    picker = page.split('id="national-ally"', 1)[1].split("</select>", 1)[0]
    return [part.split('"', 1)[0] for part in picker.split('<option value="')[1:]]


def test_an_ally_added_to_the_scenario_is_offered_a_national_plan_of_the_same_run(
    site: tuple[TestClient, Workspace, int],
) -> None:
    client, space, run = site
    url = f"/runs/{run}"
    codes = [str(r.data["code"]) for r in space.store.rows(SYSTEM, "small", "allies")]
    assert picked_allies(page_as(client, "alliance", url)) == codes
    template = space.store.rows(SYSTEM, "small", "allies")[0].data
    space.store.add_row(SYSTEM, "small", "allies", {**template, "code": "ZZZ", "name": "Zed"})
    assert picked_allies(page_as(client, "alliance", url)) == [*codes, "ZZZ"]
    assert "national-ally" not in page_as(client, "nation_AAA", url)  # its own ally: a link
