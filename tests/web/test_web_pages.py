"""The web app over HTTP (no browser): sessions, CSRF on every form, edits, escaping, and
what each role's pages show. On SQLite and PostgreSQL, like the API's tests."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.store.policy import SYSTEM
from tests.server_kit import SECRETS, Workspace
from tests.web_kit import csrf_of, sign_in

PAGES = ("/", "/outlook", "/industry", "/ledger", "/scenarios", "/scenarios/small", "/compare")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def signed_in(client: TestClient, user: str) -> TestClient:
    answer = sign_in(client, user)
    assert answer.status_code == 303, answer.text
    return client


def row_of(space: Workspace, table: str, **match: Any) -> dict[str, Any]:
    rows = space.store.rows(SYSTEM, "small", table)
    return next(r for r in rows if all(r["data"].get(k) == v for k, v in match.items()))


def audit_count(space: Workspace) -> int:
    return int(space.store.audit_log(SYSTEM, 0, 1)["total"])


def wait_done(space: Workspace, run_id: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = space.store.run(SYSTEM, run_id)
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not end")


def start_run(client: TestClient) -> int:
    page = client.get("/scenarios/small")
    answer = client.post(
        "/scenarios/small/runs", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("/", 1)[1])


# -- sessions -------------------------------------------------------------------------
def test_pages_ask_for_sign_in(client: TestClient) -> None:
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/sign-in?next=")


def test_session_cookie_is_http_only_same_site_and_secure_over_https(app: Any) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        answer = sign_in(client, "alliance")
    assert answer.status_code == 303
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("materiel_session=")
    )
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "secure" in flags
    assert "samesite=strict" in flags


def test_wrong_password_is_refused_without_a_session(client: TestClient) -> None:
    answer = sign_in(client, "alliance", password="wrong password")
    assert answer.status_code == 401
    assert "Wrong user name, password or token." in answer.text
    assert "materiel_session" not in answer.headers.get("set-cookie", "")
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.slow
def test_sign_in_attempts_are_limited(client: TestClient) -> None:
    codes = [sign_in(client, "viewer", password="guess").status_code for _ in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    assert sign_in(client, "viewer").status_code == 429  # the right password waits too


def test_an_api_token_signs_in(client: TestClient, space: Workspace) -> None:
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"csrf": csrf_of(form.text), "token": space.tokens["admin"], "next": "/audit"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/audit"
    assert "Audit log" in client.get("/audit").text


def test_sign_in_follows_local_addresses_only(client: TestClient) -> None:
    form = client.get("/sign-in?next=//evil.example/x")
    answer = client.post(
        "/sign-in",
        data={
            "csrf": csrf_of(form.text),
            "name": "viewer",
            "password": "correct horse battery",
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_sign_out_revokes_the_session(client: TestClient) -> None:
    signed_in(client, "viewer")
    page = client.get("/")
    cookie = client.cookies.get("materiel_session")
    answer = client.post("/sign-out", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303
    client.cookies.set("materiel_session", cookie)  # a copy of the cookie kept elsewhere
    assert client.get("/", follow_redirects=False).status_code == 303


# -- CSRF on every form ----------------------------------------------------------------
def _form_routes() -> list[str]:
    """Every POST route of the web app (a new form is checked here without being named)."""
    from materiel.web import forms, pages

    routes = [*forms.router.routes, *pages.router.routes]
    return sorted(r.path for r in routes if "POST" in getattr(r, "methods", set()))


@pytest.mark.slow
def test_every_form_refuses_a_missing_or_wrong_csrf_token(
    app: Any, client: TestClient, space: Workspace
) -> None:
    space.store.import_facts(SYSTEM, [_fact(1)])
    row = row_of(space, "stockpiles", ally="AAA")
    values = {
        "name": "small",
        "table": "stockpiles",
        "row_id": str(row["id"]),
        "run_id": "1",
        "fact_id": "fweb0001",
    }
    routes = _form_routes()
    assert {"/sign-in", "/sign-out", "/facts/{fact_id}/review"} <= set(routes)
    signed_in(client, "admin")
    before = audit_count(space)
    for route in routes:
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route)
        form = {
            "version": str(row["version"]),
            "column": "initial",
            "value": "1",
            "status": "accepted",
            "name": "admin",
            "password": "x",
        }
        for token in (None, "forged" + "0" * 58):
            data = form if token is None else {**form, "csrf": token}
            answer = client.post(path, data=data, follow_redirects=False)
            assert answer.status_code == 403, (route, answer.status_code)
            assert "did not come from this site" in answer.text
    assert audit_count(space) == before
    assert row_of(space, "stockpiles", ally="AAA")["data"]["initial"] == row["data"]["initial"]
    assert space.store.facts(SYSTEM)[0]["status"] == "unreviewed"
    assert space.store.runs(SYSTEM) == []


def test_a_csrf_token_of_another_session_is_refused(client: TestClient, app: Any) -> None:
    with TestClient(app) as other:
        signed_in(other, "admin")
        foreign = csrf_of(other.get("/").text)
    signed_in(client, "admin")
    answer = client.post("/scenarios/small/runs", data={"csrf": foreign}, follow_redirects=False)
    assert answer.status_code == 403


# -- editing cells ---------------------------------------------------------------------
def _edit(client: TestClient, row: dict[str, Any], column: str, value: str, **extra: Any) -> Any:
    page = client.get("/scenarios/small?table=stockpiles")
    return client.post(
        f"/scenarios/small/tables/stockpiles/{row['id']}",
        data={
            "csrf": csrf_of(page.text),
            "version": str(row["version"]),
            "column": column,
            "value": value,
        },
        headers=extra.get("headers", {}),
    )


@pytest.mark.slow
def test_a_cell_edit_is_saved_and_audited(client: TestClient, space: Workspace) -> None:
    signed_in(client, "nation_AAA")
    row = row_of(space, "stockpiles", ally="AAA")
    answer = _edit(client, row, "target", "25000", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "Saved." in answer.text
    assert answer.text.lstrip().startswith("<tr")  # htmx gets the row alone
    assert row_of(space, "stockpiles", ally="AAA")["data"]["target"] == 25000.0
    last = space.store.audit_log(SYSTEM, 0, 1)["items"][0]
    assert (last["actor"], last["action"]) == ("nation_AAA", "row.update")


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("initial", "-5", "greater than or equal"),
        ("target", "lots", "valid number"),
        ("target_date", "2025-13", "month"),
        ("note", "n" * 3000, "at most 2000 characters"),  # refused, never cut (issue 21)
    ],
)
def test_an_invalid_cell_is_told_beside_the_field_and_changes_nothing(
    client: TestClient, space: Workspace, column: str, value: str, says: str
) -> None:
    signed_in(client, "alliance")
    row = row_of(space, "stockpiles", ally="AAA")
    before = audit_count(space)
    answer = _edit(client, row, column, value)
    assert answer.status_code == 422
    cell = re.search(
        rf'id="cell-{row["id"]}-{column}"[^>]*>\s*<span class="msg" id="msg-{row["id"]}-{column}"'
        rf"[^>]*>([^<]*)</span>",
        answer.text,
    )
    assert cell, "no message beside the field"
    assert says in cell.group(1)
    assert 'aria-invalid="true"' in answer.text
    assert row_of(space, "stockpiles", ally="AAA") == row
    assert audit_count(space) == before


def test_a_stale_edit_is_told_and_shown_the_newer_value(
    client: TestClient, space: Workspace
) -> None:
    signed_in(client, "alliance")
    row = row_of(space, "stockpiles", ally="AAA")
    assert _edit(client, row, "target", "30000").status_code == 200
    answer = _edit(client, row, "target", "40000")  # the version read before the first edit
    assert answer.status_code == 409
    assert "Someone else changed this row" in answer.text
    assert "It now holds 30000.0" in answer.text
    assert 'value="30000.0"' in answer.text
    assert row_of(space, "stockpiles", ally="AAA")["data"]["target"] == 30000.0


def test_a_nation_analyst_cannot_edit_another_allys_row(
    client: TestClient, space: Workspace
) -> None:
    signed_in(client, "nation_AAA")
    row = row_of(space, "stockpiles", ally="BBB")
    answer = _edit(client, row, "target", "1")
    assert answer.status_code == 404
    assert row_of(space, "stockpiles", ally="BBB") == row


# -- hostile input ---------------------------------------------------------------------
def _fact(n: int, note: str | None = None) -> dict[str, Any]:
    return {
        "id": f"fweb{n:04d}",
        "kind": "contract",
        "status": "unreviewed",
        "confidence": 0.8,
        "fields": {"item": HOSTILE, "quantity": 1000 + n},
        "sources": [{"file": "press.txt", "start": 0, "end": 10, "sentence": HOSTILE}],
        "note": note,
    }


def test_script_in_names_notes_and_fields_is_shown_as_text(
    client: TestClient, space: Workspace
) -> None:
    ally = row_of(space, "allies", code="AAA")
    space.store.update_row(
        SYSTEM, "small", "allies", ally["id"], ally["version"], {**ally["data"], "name": HOSTILE}
    )
    space.store.import_facts(SYSTEM, [_fact(2)])
    space.store.add_pledge(
        SYSTEM,
        {
            "ally": "POL",
            "kind": "spending",
            "value": 2.5,
            "unit": "% of GDP",
            "source": HOSTILE,
            "note": HOSTILE,
        },
    )
    signed_in(client, "alliance")
    page = client.get("/ledger")
    review = client.post(
        "/facts/fweb0002/review",
        data={"csrf": csrf_of(page.text), "version": "1", "status": "accepted", "note": HOSTILE},
    )
    assert review.status_code == 200
    for path in ("/", "/ledger", "/scenarios/small?table=allies", f"/outlook?scenario={HOSTILE}"):
        text = client.get(path).text
        assert "<script>alert" not in text, path
        assert "<img src=x" not in text, path
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in client.get("/ledger").text
    edited = _edit(client, row_of(space, "stockpiles", ally="AAA"), "item", HOSTILE)
    assert "<script>alert" not in edited.text
    assert "&lt;script&gt;" in edited.text


def test_bad_addresses_get_a_page_not_a_traceback(client: TestClient) -> None:
    signed_in(client, "alliance")
    for path, status in (
        ("/scenarios/nope", 404),
        ("/runs/abc", 422),
        ("/runs/999", 404),
        ("/compare?a=1&b=x", 422),
    ):
        answer = client.get(path)
        assert answer.status_code == status, path
        assert answer.headers["content-type"].startswith("text/html")
        assert "Traceback" not in answer.text


# -- who sees what ---------------------------------------------------------------------
def _figures(value: float) -> set[str]:
    """How a figure may appear on a page."""
    return {f"{value:,.0f}", f"{value:,.1f}", f"{value:.0f}", f"{value:.1f}", repr(value)}


@pytest.mark.slow
def test_a_nation_analysts_pages_never_show_another_allys_stockpile_figure(
    client: TestClient, space: Workspace, app: Any
) -> None:
    with TestClient(app) as alliance:
        signed_in(alliance, "alliance")
        run_id = start_run(alliance)
        assert wait_done(space, run_id)["status"] == "done"
        start_run(alliance)
        wait_done(space, run_id + 1)
    secret: set[str] = set()
    for ally in ("BBB", "CCC"):
        for value in SECRETS[ally]:
            secret |= _figures(float(value))
    result = space.store.run_table(SYSTEM, run_id, "targets")
    for row in result:
        if row["ally"] in ("BBB", "CCC"):
            for column in ("stock_at_date", "shortfall_at_date"):
                secret |= _figures(float(row[column]))
    signed_in(client, "nation_AAA")
    pages = [
        *PAGES,
        "/scenarios/small?table=stockpiles",
        "/scenarios/small?table=contracts",
        f"/runs/{run_id}",
        f"/compare?a={run_id}&b={run_id + 1}",
    ]
    for path in pages:
        text = client.get(path).text
        leaked = sorted(s for s in secret if re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d])", text))
        assert not leaked, (path, leaked)
    own = client.get("/outlook").text
    assert "10,101" in own and "20,202" in own  # its own ally in detail
    assert "Alliance total" in own
    # the alliance total's initial stock and target come from the scenario's totals
    # (the plan's totals carry none): 10,101 + 31,337 + 42,424 and 20,202 + 91,919 + 52,525
    assert "83,862" in own and "164,646" in own


def test_a_viewer_sees_no_stockpile_figure(client: TestClient, space: Workspace) -> None:
    signed_in(client, "viewer")
    text = "".join(client.get(p).text for p in PAGES)
    for figures in SECRETS.values():
        for value in figures:
            assert value not in text and f"{int(value):,}" not in text
    assert "does not see stockpile levels" in client.get("/outlook").text


# -- facts -----------------------------------------------------------------------------
def review_form(
    client: TestClient, space: Workspace, n: int, **fields: str
) -> tuple[Any, dict[str, str]]:
    """Fact ``n`` imported, an alliance analyst signed in: the ledger page and the
    review form's data (version 1, with ``fields``)."""
    space.store.import_facts(SYSTEM, [_fact(n)])
    signed_in(client, "alliance")
    page = client.get("/ledger")
    return page, {"csrf": csrf_of(page.text), "version": "1", **fields}


def test_a_fact_review_is_recorded_and_a_stale_one_refused(
    client: TestClient, space: Workspace
) -> None:
    page, data = review_form(client, space, 3, status="rejected", note="wrong")
    assert "Facts waiting for review (1)" in page.text
    assert client.post("/facts/fweb0003/review", data=data).status_code == 200
    fact = space.store.facts(SYSTEM)[0]
    assert (fact["status"], fact["note"]) == ("rejected", "wrong")
    last = space.store.audit_log(SYSTEM, 0, 1)["items"][0]
    assert (last["action"], last["actor"]) == ("fact.review", "alliance")
    stale = client.post("/facts/fweb0003/review", data={**data, "status": "accepted"})
    assert stale.status_code == 409
    assert space.store.facts(SYSTEM)[0]["status"] == "rejected"


def test_a_viewer_cannot_review_facts(client: TestClient, space: Workspace) -> None:
    space.store.import_facts(SYSTEM, [_fact(4)])
    signed_in(client, "viewer")
    page = client.get("/ledger")
    assert "/facts/fweb0004/review" not in page.text
    answer = client.post(
        "/facts/fweb0004/review",
        data={"csrf": csrf_of(page.text), "version": "1", "status": "accepted"},
    )
    assert answer.status_code == 403
    assert space.store.facts(SYSTEM)[0]["status"] == "unreviewed"


@pytest.mark.slow
def test_a_scenario_with_price_tiers_plans_from_the_page(
    client: TestClient, space: Workspace, tmp_path: Any
) -> None:
    """The planner solves its pooling comparison in a process of its own: the run's
    process must be allowed to start it (a daemon process may not)."""
    from tests.server_kit import small_tables

    tables = small_tables()
    tables["price_tiers"] = [{"item": "SHELL", "min_quantity": 50, "unit_price": 90}]
    run_id = planned_from_the_page(client, space, tmp_path, "tiers", tables)
    assert "Targets met by their date" in client.get(f"/runs/{run_id}").text


def planned_from_the_page(
    client: TestClient,
    space: Workspace,
    tmp_path: Any,
    name: str,
    tables: dict[str, list[dict[str, Any]]],
) -> int:
    """Import a scenario of these tables, plan it from its page as alliance staff and
    wait for the run to end well; its id."""
    from materiel.scenario.load import load_scenario
    from tests.scenario_kit import write_scenario

    folder = write_scenario(tmp_path / name, tables, name=name)
    space.store.import_scenario(SYSTEM, load_scenario(folder))
    signed_in(client, "alliance")
    page = client.get(f"/scenarios/{name}")
    answer = client.post(
        f"/scenarios/{name}/runs", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    run_id = int(answer.headers["location"].rsplit("/", 1)[1])
    run = wait_done(space, run_id)
    assert run["status"] == "done", run["error"]
    return run_id


@pytest.mark.slow
def test_a_run_shows_alliance_staff_the_aid_coordination_table(
    client: TestClient, space: Workspace, tmp_path: Any
) -> None:
    """Alliance staff see each requirement, who fills it and what is left; a nation
    analyst sees none of it (every donor's figures are in it)."""
    from tests.server_kit import small_tables

    tables = small_tables()
    tables["requirements"] = [
        {"recipient": "UKR", "item": "SHELL", "start": "2025-02", "end": "2025-03", "per_month": 3}
    ]
    run_id = planned_from_the_page(client, space, tmp_path, "aid", tables)
    text = client.get(f"/runs/{run_id}").text
    assert 'id="aid-coordination"' in text
    table = text[text.index('id="aid-coordination"') :]
    assert (
        "<td>UKR</td><td>SHELL</td><td>2025-02</td><td>2025-03</td>"
        '<td class="n" data-order="6.0">6</td>' in table
    )
    client.cookies.clear()
    signed_in(client, "nation_AAA")
    seen = client.get(f"/runs/{run_id}")
    assert seen.status_code == 200 and "Targets met by their date" in seen.text
    assert 'id="aid-coordination"' not in seen.text
