"""Private what-ifs and baselines in the web app: a nation analyst's variant, its edits
and its runs never show on anyone else's pages; every page that shows a run says which
run it is and lets the user pick another (a run the user may not see is 404); the
baseline chosen by alliance staff is what the pages show by default. On SQLite and
PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.store.policy import SYSTEM
from tests.server_kit import Workspace
from tests.web.test_web_pages import wait_done
from tests.web_kit import csrf_of, sign_in

VARIANT = "small-aaa"
TRIED = "77777"  # the target AAA tries in its variant (the base's is 20,202)


def signed_in(app: Any, user: str) -> TestClient:
    client = TestClient(app)
    answer = sign_in(client, user)
    assert answer.status_code == 303, answer.text
    return client


@contextmanager
def three(app: Any) -> Iterator[tuple[TestClient, TestClient, TestClient]]:
    """Alliance staff, AAA's and BBB's nation analysts, each signed in."""
    with ExitStack() as stack:
        users = ("alliance", "nation_AAA", "nation_BBB")
        alliance, aaa, bbb = (stack.enter_context(signed_in(app, u)) for u in users)
        yield alliance, aaa, bbb


def planned(client: TestClient, space: Workspace, scenario: str) -> int:
    """A run of the scenario started from its page, once it is done."""
    page = client.get(f"/scenarios/{scenario}")
    answer = client.post(
        f"/scenarios/{scenario}/runs", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    run_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert wait_done(space, run_id)["status"] == "done"
    return run_id


def shown_run(text: str) -> str:
    """What the page says about the run it shows."""
    found = re.search(r'id="run-shown">(.*?)</p>', text, re.S)
    assert found, "the page does not say which run it shows"
    text = re.sub(r"<[^>]+>", "", found.group(1)).strip()
    return re.sub(r"^(Showing|This is) ", "", text)


def make_variant_and_edit(aaa: TestClient, space: Workspace) -> None:
    """AAA makes its variant and changes its own target there, through the pages."""
    page = aaa.get("/scenarios/small")
    made = aaa.post(
        "/scenarios/small/variants",
        data={"csrf": csrf_of(page.text), "variant": VARIANT},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"] == f"/scenarios/{VARIANT}"
    row = next(
        r for r in space.store.rows(SYSTEM, VARIANT, "stockpiles") if r.data["ally"] == "AAA"
    )
    page = aaa.get(f"/scenarios/{VARIANT}?table=stockpiles")
    assert "A private variant of" in page.text
    edit = aaa.post(
        f"/scenarios/{VARIANT}/tables/stockpiles/{row.id}",
        data={
            "csrf": csrf_of(page.text),
            "version": str(row.version),
            "column": "target",
            "value": TRIED,
        },
        headers={"HX-Request": "true"},
    )
    assert edit.status_code == 200 and "Saved." in edit.text, edit.text
    assert f'id="cell-{row.id}-target"' not in edit.text  # the row has the override's id now


@pytest.mark.slow
def test_a_variant_and_its_runs_never_show_on_other_users_pages(app: Any, space: Workspace) -> None:
    with three(app) as (alliance, aaa, bbb):
        shared = planned(alliance, space, "small")
        pages = ("/outlook", "/industry", "/scenarios", "/scenarios/small?table=stockpiles")
        before = {path: bbb.get(path).text for path in pages}
        assert shown_run(before["/outlook"]).startswith(f"run {shared}, latest run")

        make_variant_and_edit(aaa, space)
        mine = planned(aaa, space, VARIANT)

        for path in pages:  # BBB's pages as they were
            assert bbb.get(path).text == before[path], path
        for path in (
            f"/outlook?run={mine}",
            f"/industry?run={mine}",
            f"/runs/{mine}",
            f"/compare?a={shared}&b={mine}",
            f"/scenarios/{VARIANT}",
            f"/outlook?scenario={VARIANT}&run={mine}",
            f"/compare?scenario={VARIANT}",
        ):
            got = bbb.get(path, follow_redirects=False)
            assert got.status_code == 404, (path, got.status_code)
            assert TRIED not in got.text and "77,777" not in got.text
        # its owner sees the variant's run on the variant's pages, the base's elsewhere
        assert shown_run(aaa.get("/outlook").text).startswith(f"run {shared}, latest run")
        own = aaa.get(f"/outlook?scenario={VARIANT}")
        assert shown_run(own.text).startswith(f"run {mine}, latest run")
        assert "77,777" in own.text
        # and compares it with the base's run
        pick = aaa.get(f"/compare?scenario={VARIANT}", follow_redirects=False)
        assert pick.headers["location"] == f"/compare?a={shared}&b={mine}"
        compared = aaa.get(pick.headers["location"])
        assert compared.status_code == 200 and "77,777" in compared.text
        assert f"small, run {shared}" in compared.text
        assert f"{VARIANT}, run {mine}" in compared.text


@pytest.mark.slow
def test_the_baseline_chooses_what_the_pages_show_and_run_picks_another(
    app: Any, space: Workspace
) -> None:
    with three(app) as (alliance, aaa, bbb):
        first = planned(alliance, space, "small")
        second = planned(bbb, space, "small")  # BBB's experiment, on the shared scenario
        for path in ("/outlook", "/industry"):
            assert shown_run(aaa.get(path).text).startswith(f"run {second}, latest run, of ")
        run_page = alliance.get(f"/runs/{first}")
        refused = bbb.post(f"/runs/{first}/baseline", data={"csrf": csrf_of(bbb.get("/").text)})
        assert refused.status_code == 403
        chosen = alliance.post(
            f"/runs/{first}/baseline",
            data={"csrf": csrf_of(run_page.text)},
            follow_redirects=False,
        )
        assert chosen.status_code == 303
        for path in ("/outlook", "/industry"):
            text = aaa.get(path).text
            assert shown_run(text) == (
                f"run {first}, baseline, of version 1, by alliance (the scenario's baseline)."
            ), path
            assert f'<option value="{second}">run {second}, latest run' in text
        assert shown_run(aaa.get(f"/runs/{first}").text).startswith(f"run {first}, baseline")
        picked = aaa.get(f"/outlook?scenario=small&run={second}")
        assert shown_run(picked.text).startswith(f"run {second}, latest run, of version 1, by")
        assert aaa.get(f"/industry?run={second}").status_code == 200
        assert aaa.get("/outlook?run=999999").status_code == 404
        last = space.store.audit_log(SYSTEM, 0, 1).items[0]
        assert (last.action, last.actor, last.after) == (
            "scenario.baseline",
            "alliance",
            {"run": first},
        )
