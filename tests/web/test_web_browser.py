"""The web app in a real browser: Playwright drives Debian's Chromium (headless) against
the server on a loopback port. Each test saves screenshots under out/screenshots/;
with MATERIEL_UPDATE_DOCS=1 the page tour also writes the README's docs/web/*.png.

When CI=true a missing Chromium or axe-core fails these tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture says so (and fails when CI=true)
    expect = None

from materiel.app import create_app
from materiel.settings import Settings
from materiel.store.policy import SYSTEM
from tests.server_kit import PASSWORD, SECRETS, Workspace, make_workspace, sqlite_url
from tests.web_kit import live_server, wide_tables

pytestmark = pytest.mark.requires_browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
DOCS = ROOT / "docs" / "web"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HOSTILE = '<script>window.__pwned=1;alert("x")</script><img src=x onerror="window.__pwned=1">'
PAGES = {
    "overview": "/",
    "outlook": "/outlook",
    "industry": "/industry",
    "ledger": "/ledger",
    "scenarios": "/scenarios",
    "scenario": "/scenarios/small?table=stockpiles",
    "compare": "/compare",
}
ROLES = ("admin", "alliance", "nation_AAA", "industry", "viewer")


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what} is missing: .ci/run installs it")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Workspace]]:
    folder = tmp_path_factory.mktemp("web")
    space = make_workspace(sqlite_url(folder), folder)
    space.store.import_facts(SYSTEM, [_fact()])
    app = create_app(Settings(db=space.store.db.url), space.store)
    with live_server(app) as url:
        yield url, space
    space.store.db.dispose()


def _fact() -> dict[str, Any]:
    return {
        "id": "fbrowser01",
        "kind": "contract",
        "status": "unreviewed",
        "confidence": 0.7,
        "fields": {"item": "155mm", "quantity": 5000, "buyer": "AAA"},
        "sources": [
            {
                "file": "press.txt",
                "start": 0,
                "end": 30,
                "sentence": "AAA orders 5,000 shells.",
                "publisher": "Ministry",
            }
        ],
        "conflicts": {
            "quantity": [{"value": 5000, "file": "press.txt"}, {"value": 6000, "file": "other.txt"}]
        },
    }


@pytest.fixture
def page_of(browser: Any, site: tuple[str, Workspace]) -> Iterator[Any]:
    """A function: a new page signed in as a user through the sign-in form."""
    url, _ = site
    contexts: list[Any] = []
    yield lambda user: signed_in_page(browser, url, user, contexts)
    for context in contexts:
        context.close()


def signed_in_page(browser: Any, url: str, user: str, contexts: list[Any]) -> Any:
    """A new page of the server at ``url`` signed in as ``user`` through the sign-in
    form, with axe-core loaded and its script errors and dialogs kept (its context is
    added to ``contexts``, for the caller to close)."""
    context = browser.new_context(
        base_url=url, viewport={"width": 1280, "height": 860}, accept_downloads=True
    )
    contexts.append(context)
    if not AXE.exists():
        _missing(f"axe-core ({AXE}; run `make` or `npm ci`)")
    context.add_init_script(path=str(AXE))  # injected past the pages' CSP
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.dialogs = []  # type: ignore[attr-defined]

    def dialog(d: Any) -> None:
        page.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto("/sign-in")
    page.fill("#name", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


@contextmanager
def checked_page(browser: Any, url: str, user: str) -> Iterator[Any]:
    """A new page signed in as ``user`` (:func:`signed_in_page`); when the steps done with
    it end, axe finds no serious violation on it and it logged no script or CSP error."""
    contexts: list[Any] = []
    try:
        page = signed_in_page(browser, url, user, contexts)
        yield page
        violations = axe_violations(page)
        assert not violations, violations
        assert not page.errors, page.errors
    finally:
        for context in contexts:
            context.close()


def shot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations on the page (axe-core)."""
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def _ensure_runs(site: tuple[str, Workspace], count: int) -> list[int]:
    """At least ``count`` finished runs of the small scenario (started through the store
    as an alliance analyst would through the page; the plan test starts its own)."""
    from materiel.server.jobs import RunManager

    _, space = site
    done = [r["id"] for r in space.store.runs(SYSTEM) if r["status"] == "done"]
    manager = RunManager(space.store)
    try:
        while len(done) < count:
            who = space.store.principal(space.tokens["alliance"])
            run, snapshot = space.store.create_run(who, "small")
            manager.submit(run["id"], snapshot)
            _wait(space, run["id"])
            done.append(run["id"])
    finally:
        manager.shutdown()
    return done


def _wait(space: Workspace, run_id: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while space.store.run_status(run_id) in ("queued", "running"):
        assert time.monotonic() < deadline, f"run {run_id} did not end"
        time.sleep(0.2)


def _row(space: Workspace, table: str, **match: Any) -> dict[str, Any]:
    rows = space.store.rows(SYSTEM, "small", table)
    return next(r for r in rows if all(r["data"].get(k) == v for k, v in match.items()))


def _plan_now(page: Any) -> int:
    """Start a plan run from the scenario's page; wait until the run page says done."""
    page.goto("/scenarios/small")
    page.click("text=Plan this scenario now")
    page.wait_for_url(re.compile(r".*/runs/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])
    assert page.locator("#run-state").inner_text() in ("queued", "running", "done")
    expect(page.locator("#run-state")).to_have_text("done", timeout=120_000)
    assert page.url.endswith(f"/runs/{run_id}")  # updated in place by polling
    return run_id


# -- every role, every page -------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_each_page_with_no_serious_accessibility_violation(
    role: str, page_of: Any, site: tuple[str, Workspace]
) -> None:
    _ensure_runs(site, 2)
    page = page_of(role)
    for name, path in PAGES.items():
        answer = page.goto(path)
        assert answer is not None and answer.status == 200, (role, path)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() == 1
        if name == "compare" and role != "viewer":  # a viewer sees no plan runs
            page.wait_for_url(re.compile(r".*/compare\?a=\d+&b=\d+"))
        saved = shot(page, f"{role}-{name}")
        if role == "alliance" and os.environ.get("MATERIEL_UPDATE_DOCS") == "1":
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(saved, DOCS / f"{name}.png")
        violations = axe_violations(page)
        assert not violations, (role, path, violations)
        assert not page.errors, (role, path, page.errors)  # no script or CSP error


def test_the_guideline_switch_and_chart_downloads(page_of: Any) -> None:
    page = page_of("viewer")
    headline = page.locator("#spending-count")
    assert "at or above 2%" in headline.inner_text()
    page.get_by_label("3.5 %").check()
    expect(headline).to_contain_text("at or above 3.5%")
    assert page.url.endswith("/")  # switched in place by htmx
    with page.expect_download() as download:
        page.click("button[data-csv='spending-chart']")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "label,% of GDP"
    assert re.search(r"^POL,\d+\.\d+$", text, re.M)
    with page.expect_download() as download:
        page.click("button[data-png='spending-chart']")
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shown = "() => { const s = Chart.getChart('count-chart').scales.x; return [s.min, s.max]; }"
    full = page.evaluate(shown)
    page.click("button[data-zoom=in][data-chart=count-chart]")
    narrower = page.evaluate(shown)
    assert narrower[1] - narrower[0] < full[1] - full[0]
    page.click("button[data-zoom=reset][data-chart=count-chart]")
    assert page.evaluate(shown) == full
    shot(page, "overview-threshold-3.5")


# -- editing, planning, comparing -------------------------------------------------------
def test_a_cell_edit_shows_its_validation_message_and_then_saves(
    page_of: Any, site: tuple[str, Workspace]
) -> None:
    _, space = site
    page = page_of("nation_AAA")
    page.goto("/scenarios/small?table=stockpiles")
    row = _row(space, "stockpiles", ally="AAA")
    cell = page.locator(f"#cell-{row['id']}-target")
    cell.fill("lots")
    cell.press("Enter")
    message = page.locator(f"#msg-{row['id']}-target")
    message.wait_for()
    assert "valid number" in message.inner_text()
    assert page.locator(f"#cell-{row['id']}-target").get_attribute("aria-invalid") == "true"
    shot(page, "edit-invalid")
    assert _row(space, "stockpiles", ally="AAA") == row
    page.locator(f"#cell-{row['id']}-target").fill("20500")
    page.locator(f"#cell-{row['id']}-target").press("Enter")
    expect(page.locator(f"#msg-{row['id']}-target")).to_have_text("Saved.")
    assert space.store.row(SYSTEM, "small", "stockpiles", row["id"])["data"]["target"] == 20500.0
    shot(page, "edit-saved")


def test_a_plan_run_shows_progress_then_its_result_and_two_plans_compare(
    page_of: Any, site: tuple[str, Workspace]
) -> None:
    _, space = site
    page = page_of("alliance")
    run_id = _plan_now(page)
    page.locator("#targets").wait_for()
    assert "Ally" in page.locator("#targets").inner_text()
    shot(page, "run-done")
    # change a target, plan again, compare the two plans
    row = _row(space, "stockpiles", ally="CCC")
    space.store.update_row(
        SYSTEM, "small", "stockpiles", row["id"], row["version"], {**row["data"], "target": 6e4}
    )
    second = _plan_now(page)
    page.goto("/scenarios")
    page.get_by_label(f"Run {run_id} as A").check()
    page.get_by_label(f"Run {second} as B").check()
    page.click("text=Compare the two runs")
    page.wait_for_url(re.compile(r".*/compare\?"))
    assert f"a={run_id}" in page.url and f"b={second}" in page.url
    targets = page.locator("#cmp-targets").inner_text()
    assert re.search(r"CCC · SHELL\s+52,525\s+60,000\s+\+7,475", targets), targets
    shot(page, "compare")


# -- who sees what, hostile input --------------------------------------------------------
def test_a_nation_analysts_pages_never_show_another_allys_stockpile_figure(
    page_of: Any, site: tuple[str, Workspace]
) -> None:
    runs = _ensure_runs(site, 2)
    _, space = site
    secret: set[str] = set()
    for ally in ("BBB", "CCC"):
        for value in SECRETS[ally]:
            secret |= {value, f"{int(value):,}"}
    for row in space.store.run_table(SYSTEM, runs[-1], "targets"):
        if row["ally"] in ("BBB", "CCC"):
            secret.add(f"{row['stock_at_date']:,.0f}")
    page = page_of("nation_AAA")
    national = f"/runs/{runs[-1]}/national"
    for path in [
        *PAGES.values(),
        f"/runs/{runs[-1]}",
        national,
        f"/compare?a={runs[0]}&b={runs[-1]}",
    ]:
        page.goto(path)
        text = page.locator("body").inner_text()
        leaked = [s for s in secret if re.search(rf"(?<![\d.,]){re.escape(s)}(?!\d)", text)]
        assert not leaked, (path, leaked)
    page.goto("/outlook")
    assert "10,101" in page.locator("#targets").inner_text()
    shot(page, "nation-outlook")


def test_script_in_names_and_notes_is_shown_as_text_and_never_runs(
    page_of: Any, site: tuple[str, Workspace]
) -> None:
    _, space = site
    ally = _row(space, "allies", code="CCC")
    space.store.update_row(
        SYSTEM, "small", "allies", ally["id"], ally["version"], {**ally["data"], "name": HOSTILE}
    )
    page = page_of("alliance")
    page.goto("/ledger")
    page.fill("#note-fbrowser01", HOSTILE)
    page.click("#fact-fbrowser01 button[value=accepted]")
    page.wait_for_url(re.compile(r".*/ledger"))
    assert HOSTILE in page.locator("#fact-fbrowser01").inner_text()
    page.goto("/scenarios/small?table=allies")
    assert page.locator(f"#cell-{ally['id']}-name").input_value() == HOSTILE
    page.locator(f"#cell-{ally['id']}-name").fill(HOSTILE + " again")
    page.locator(f"#cell-{ally['id']}-name").press("Enter")
    expect(page.locator(f"#msg-{ally['id']}-name")).to_have_text("Saved.")
    for path in ("/", "/ledger", "/scenarios/small?table=allies"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert page.dialogs == []
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script:not([src])").count() == 0
    shot(page, "hostile-text")
    audit = space.store.audit_log(SYSTEM, 0, 5)["items"]
    assert any(a["action"] == "fact.review" and a["actor"] == "alliance" for a in audit)
    assert json.dumps(HOSTILE)[1:-1] in json.dumps([a.as_dict() for a in audit])


# -- grids: sorting, filtering, paging ---------------------------------------------------
@pytest.fixture(scope="module")
def wide_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Workspace, int]]:
    """A workspace of its own with the wide scenario (more contracts than a grid's page)
    and a finished run of it: the module's site keeps only the small scenario's runs."""
    from materiel.scenario.load import load_scenario
    from materiel.server.jobs import RunManager
    from tests.scenario_kit import write_scenario

    folder = tmp_path_factory.mktemp("wide")
    space = make_workspace(sqlite_url(folder), folder)
    scenario = write_scenario(folder / "wide", wide_tables(), name="wide")
    space.store.import_scenario(SYSTEM, load_scenario(scenario))
    manager = RunManager(space.store)
    try:
        who = space.store.principal(space.tokens["alliance"])
        run, snapshot = space.store.create_run(who, "wide")
        manager.submit(run["id"], snapshot)
        _wait(space, run["id"])
    finally:
        manager.shutdown()
    app = create_app(Settings(db=space.store.db.url), space.store)
    with live_server(app) as url:
        yield url, space, run["id"]
    space.store.db.dispose()


def test_the_contracts_grid_sorts_numbers_filters_by_ally_and_pages(
    browser: Any, wide_site: tuple[str, Workspace, int]
) -> None:
    url, space, run_id = wide_site
    plan = space.store.run_table(SYSTEM, run_id, "contracts")
    assert len(plan) > 25, "the wide plan has more contracts than a page"
    with checked_page(browser, url, "alliance") as page:
        page.goto(f"/industry?scenario=wide&run={run_id}")
        grid = page.locator("#contracts")
        rows = grid.locator("tbody tr")
        expect(rows).to_have_count(25)  # a page of 25 rows, of all the plan's
        expect(page.locator("#contracts_info")).to_have_text(f"Rows 1 to 25 of {len(plan)}")

        def values() -> list[float]:
            cells = grid.locator("tbody tr td.n:last-child")
            return [float(v) for v in cells.evaluate_all("c => c.map(e => e.dataset.order)")]

        # sorted by value, largest first (the second click), as numbers: as text, "600"
        # would come before "4,500"
        value = grid.locator("thead th", has_text="Value [USD]")
        value.click()
        value.click()
        expect(value).to_have_attribute("aria-sort", "descending")
        largest = sorted((r["value"] for r in plan), reverse=True)
        assert values() == largest[:25]
        shot(page, "grid-sorted")
        # the next page holds the rest, still largest first
        page.locator(".dt-paging button", has_text="2").click()
        expect(page.locator("#contracts_info")).to_have_text(
            f"Rows 26 to {len(plan)} of {len(plan)}"
        )
        assert values() == largest[25:]
        # filtered by an ally's code: its contracts only, from every page
        page.get_by_label("Filter rows of New contracts of the plan").fill("DDD")
        mine = sorted(r["contract"] for r in plan if "DDD" in r["buyers"].split(";"))
        expect(rows).to_have_count(len(mine))
        assert sorted(rows.locator("th").all_inner_texts()) == mine
        assert all(b == "DDD" for b in rows.locator("td:nth-of-type(1)").all_inner_texts())
        shot(page, "grid-filtered")
        page.get_by_label("Filter rows of New contracts of the plan").fill("")
        page.get_by_label("Rows a page of New contracts of the plan").select_option("50")
        expect(rows).to_have_count(len(plan))
        # by keyboard: Enter on a header's sort button
        page.get_by_role("button", name="Rate [units/month]: Activate to sort").press("Enter")
        rate = grid.locator("thead th", has_text="Rate [units/month]")
        expect(rate).to_have_attribute("aria-sort", "ascending")


def test_the_ledger_scrolls_sideways_in_its_box_not_the_page(page_of: Any) -> None:
    page = page_of("alliance")
    page.set_viewport_size({"width": 800, "height": 860})
    page.goto("/ledger")
    box = page.locator("#ledger").locator("xpath=..")  # the grid's cell that scrolls
    expect(box).to_have_attribute("role", "region")  # a region one may focus to scroll
    width = "e => [e.scrollWidth, e.clientWidth]"
    inner, shown = box.evaluate(width)
    assert inner > shown, "the ledger is wider than the window: it scrolls in its box"
    page_width, window_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert page_width <= window_width
    assert page.get_by_label("Filter rows of The contract ledger").is_visible()
    assert not axe_violations(page)
    shot(page, "ledger-narrow")


# -- the outlook's probabilities and fan chart ------------------------------------------
@pytest.fixture(scope="module")
def odds_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Workspace, int]]:
    """A workspace of its own with a finished plan run of the small scenario and a
    simulation run of it finished by hand (tests/odds_kit.py), served by an app without
    a run worker (so that none takes the simulation run before the test finishes it)."""
    from materiel.server.jobs import RunManager
    from tests.odds_kit import ROWS, simulate_by_hand

    folder = tmp_path_factory.mktemp("odds")
    space = make_workspace(sqlite_url(folder), folder)
    manager = RunManager(space.store)
    try:
        run, snapshot = space.store.create_run(
            space.store.principal(space.tokens["alliance"]), "small"
        )
        manager.submit(run["id"], snapshot)
        _wait(space, run["id"])
    finally:
        manager.shutdown()
    simulate_by_hand(space, run["id"], ROWS)
    app = create_app(Settings(db=space.store.db.url, run_workers=0), space.store)
    with live_server(app) as url:
        yield url, space, run["id"]
    space.store.db.dispose()


def test_the_outlook_draws_the_fan_of_the_month_each_target_is_met(
    browser: Any, odds_site: tuple[str, Workspace, int]
) -> None:
    url, _, plan_run = odds_site
    with checked_page(browser, url, "alliance") as page:
        page.goto(f"/outlook?scenario=small&run={plan_run}")
        page.wait_for_load_state("networkidle")
        fan = (
            "id => { const c = Chart.getChart(id); return c && c.data.datasets.map(d => d.data); }"
        )
        drawn = page.evaluate(fan, "month-met-fan")
        # the bars run from the 5th to the 95th percentile month (to the end of that
        # month: + 0.5), in the simulation's order CCC, AAA, BBB; "not within horizon"
        # is month 12, past 2025-12; then the medians and the target dates (2025-12 = 11)
        assert drawn == [[[9, 12.5], [2, 12.5], [1, 10.5]], [12, 7, 4], [11, 11, 11]]
        ticks = page.evaluate(
            "() => { const x = Chart.getChart('month-met-fan').scales.x;"
            " return [x.getLabelForValue(0), x.ticks.map(t => t.label)]; }"
        )
        assert "2025-01" in ticks[1] and "later" in ticks[1]
        box = page.locator("#month-met-fan").bounding_box()
        assert box is not None and box["height"] > 150  # three rows, readable
        with page.expect_download() as download:
            page.click("button[data-csv='month-met-fan']")
        text = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
        assert text[0] == (
            "label,month met: 5th percentile,month met: median,"
            "month met: 95th percentile,target date"
        )
        assert text[1:] == [
            "CCC · SHELL,2025-10,later,later,2025-12",
            "AAA · SHELL,2025-03,2025-08,later,2025-12",
            "BBB · SHELL,2025-02,2025-05,2025-11,2025-12",
        ]
        shot(page, "outlook-fan")
        assert not axe_violations(page)
        # the plan run's page: the same fan, with the headline figures (what pooling is
        # worth) and what binds; checked by axe as the block ends
        page.goto(f"/runs/{plan_run}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(fan, "month-met-fan") == drawn
        expect(page.locator("#pooling")).to_contain_text("pooling saves")
        shot(page, "run-fan")


def test_an_editable_grid_sorts_filters_and_keeps_its_edits(
    browser: Any, odds_site: tuple[str, Workspace, int]
) -> None:
    # The stockpiles of the small scenario (initial: AAA 10,101, BBB 31,337, CCC 42,424)
    # as a grid of edit forms: sorted by a field's value (the grid reads data-order, not
    # the text of a cell, which has none), an edit saved in place, the grid sorting by
    # the new value, and the row's forms carrying its new version (a second edit saves).
    url, space, _ = odds_site
    ids = {a: _row(space, "stockpiles", ally=a)["id"] for a in ("AAA", "BBB", "CCC")}
    with checked_page(browser, url, "alliance") as page:
        page.goto("/scenarios/small?table=stockpiles")
        grid = page.locator("#table-stockpiles")
        order = "rs => rs.map(r => r.id)"
        initial = grid.locator("thead th", has_text="initial [units]")
        initial.click()
        expect(initial).to_have_attribute("aria-sort", "ascending")
        rows = grid.locator("tbody tr")
        assert rows.evaluate_all(order) == [f"row-{ids[a]}" for a in ("AAA", "BBB", "CCC")]
        cell = page.locator(f"#cell-{ids['CCC']}-initial")
        cell.fill("5")
        with page.expect_response(lambda r: r.request.method == "POST"):
            cell.press("Enter")
        expect(page.locator(f"#msg-{ids['CCC']}-initial")).to_have_text("Saved.")
        assert space.store.row(SYSTEM, "small", "stockpiles", ids["CCC"])["data"]["initial"] == 5
        initial.click()  # descending, by the values now held: CCC's 5 comes last
        expect(initial).to_have_attribute("aria-sort", "descending")
        assert rows.evaluate_all(order) == [f"row-{ids[a]}" for a in ("BBB", "AAA", "CCC")]
        again = page.locator(f"#cell-{ids['CCC']}-initial")
        assert again.input_value() == "5.0"
        again.fill("6")
        # the row's new version is in its forms: saved, not stale (waiting for the
        # answer itself: the first edit's "Saved." may still be on the page)
        with page.expect_response(lambda r: r.request.method == "POST"):
            again.press("Enter")
        expect(page.locator(f"#msg-{ids['CCC']}-initial")).to_have_text("Saved.")
        assert space.store.row(SYSTEM, "small", "stockpiles", ids["CCC"])["data"]["initial"] == 6
        page.get_by_label("Filter rows of Table stockpiles of small").fill("CCC")
        expect(rows).to_have_count(1)
        assert rows.evaluate_all(order) == [f"row-{ids['CCC']}"]
        shot(page, "edit-grid")
