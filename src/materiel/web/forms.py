"""The forms (POST): sign in and out, edit a cell, start a plan run, review a fact.

Each checks the session's CSRF token before anything else, and changes the store only
through its methods (which apply the access policy and the audit log)."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from materiel.errors import InputError, MaterielError, ScenarioError
from materiel.scenario import TABLES
from materiel.server import TooManyAttempts
from materiel.store import AccessDenied, Conflict, NotFound, Unauthenticated, UserDisabled
from materiel.sweeps import check_sweep
from materiel.web import session
from materiel.web.pages import _local, _store, table_rows
from materiel.web.render import WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
#: A form field longer than this is refused, never cut; each field's own limit (a row's
#: note, a fact's review note: 2,000 characters) is the store's to check and tell.
MAX_FIELD = 20_000


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    for name, value in fields.items():
        if len(value) > MAX_FIELD:
            raise InputError(
                f"{name}: at most {MAX_FIELD:,} characters, this has {len(value):,}; "
                "nothing was saved"
            )
    return fields


def _int(text: str | None, what: str) -> int:
    try:
        return int(str(text))
    except ValueError:
        raise InputError(f"{what} must be a whole number") from None


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    await session.check_csrf(request, before_sign_in=True)
    form = await _form(request)
    store = _store(request)
    target = _local(form.get("next", "/"))
    client = request.client.host if request.client else "unknown"
    hours = request.app.state.settings.session_hours  # the sign-in and its cookie alike
    try:
        request.app.state.sign_in_limit.hit(client, form.get("name", ""))
        if form.get("token"):
            token = form["token"].strip()
            store.principal(token)  # refuses an unknown, revoked or expired token
        else:
            token, _ = store.sign_in(form.get("name", ""), form.get("password", ""), hours)
    except MaterielError as exc:  # wrong password, disabled user, too many attempts
        message = (
            str(exc)
            if not isinstance(exc, Unauthenticated) or isinstance(exc, UserDisabled)
            else ("Wrong user name, password or token.")
        )
        return page(
            request,
            "sign_in.html",
            None,
            status=429 if isinstance(exc, TooManyAttempts) else 401,
            form_csrf=request.cookies.get(session.PRE_COOKIE, ""),
            next=target,
            error=message,
            name=form.get("name", ""),
        )
    response = RedirectResponse(target, status_code=303)
    lifetime = round(hours * 3600)
    session.set_cookie(request, response, session.SESSION_COOKIE, token, lifetime)
    response.delete_cookie(session.PRE_COOKIE, path="/")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    await session.check_csrf(request)
    store = _store(request)
    token = session.session_token(request)
    with contextlib.suppress(Unauthenticated):  # an ended session signs out all the same
        _revoke(store, session.principal(request), token)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(session.SESSION_COOKIE, path="/")
    return response


def _revoke(store: Any, who: Any, token: str | None) -> None:
    """Revoke the session's own token (found by its hash among the user's tokens)."""
    from materiel.store import TokenRecord, hash_token

    if not token:
        return
    with store.tx() as s:
        token_id = s.scalar(
            select(TokenRecord.id).where(TokenRecord.token_hash == hash_token(token))
        )
    if token_id is not None:
        store.revoke_token(who, token_id)


@router.post("/scenarios/{name}/tables/{table}/{row_id}")
async def edit_cell(request: Request, name: str, table: str, row_id: int) -> Response:
    """Change one cell of a row: saved, refused with the reason beside the field, or
    told it is stale and shown the newer value. A refused edit changes nothing."""
    await session.check_csrf(request)
    who = session.principal(request)
    store = _store(request)
    form = await _form(request)
    if table not in TABLES:
        raise NotFound(f"no table {table!r}")
    column = form.get("column", "")
    if column not in TABLES[table].row.model_fields:
        raise InputError(f"table {table} has no column {column!r}")
    version = _int(form.get("version"), "version")
    value: Any = form.get("value", "")
    current = store.row(who, name, table, row_id)
    data = {**current.data, column: (value.strip() if value.strip() != "" else None)}
    message, kind, shown = "", "ok", None
    shown_id = current.id  # in a variant, a base row's first change gets a new id
    try:
        shown_id = store.update_row(who, name, table, row_id, version, data).id
        message = "Saved."
    except ScenarioError as exc:
        kind, shown = "invalid", value
        mine = [p.message for p in exc.problems if p.column in (column, None)]
        message = "; ".join(mine or [p.message for p in exc.problems])
    except Conflict as exc:
        fresh = store.row(who, name, table, row_id)
        shown_id = fresh.id
        if fresh.version != version:
            kind = "stale"
            message = (
                f"Someone else changed this row since you opened it. It now holds "
                f"{fresh.data.get(column)!s}; your value {value!r} was not saved. "
                "Enter it again if it still holds."
            )
        else:
            kind, shown, message = "invalid", value, str(exc)
    except (AccessDenied, InputError) as exc:
        kind, shown, message = "invalid", value, str(exc)
    rows = table_rows(store, who, name, table)
    row = next(r for r in rows if r["id"] == shown_id)
    context: dict[str, Any] = {
        "scenario": store.get_scenario(who, name),
        "table": table,
        "columns": list(TABLES[table].row.model_fields),
        "messages": {(shown_id, column): (kind, message, shown)},
    }
    status = {"ok": 200, "invalid": 422, "stale": 409}[kind]
    if request.headers.get("hx-request"):
        # htmx swaps 2xx answers only: the row carries the outcome beside the field
        return page(request, "_row.html", who, row=row, **context)
    return page(request, "_row_page.html", who, status=status, row=row, rows=[row], **context)


@router.post("/scenarios/{name}/runs")
async def start_run(request: Request, name: str) -> Response:
    await session.check_csrf(request)
    who = session.principal(request)
    limit = request.app.state.settings.run_limit
    run, snapshot = _store(request).create_run(who, name, limit)
    request.app.state.jobs.submit(run.id, snapshot)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.post("/runs/{run_id}/simulations")
async def start_simulation(request: Request, run_id: int) -> Response:
    """Simulate a finished plan run (futures, seed, an optional confidence level, as
    the form gives them; the store checks them as the API does); then the new run."""
    await session.check_csrf(request)
    who = session.principal(request)
    form = await _form(request)
    confidence = form.get("confidence", "").strip()
    run = _store(request).create_simulation(
        who,
        run_id,
        _number(form.get("futures", ""), int),
        _number(form.get("seed", "7"), int),
        _number(confidence, float) if confidence else None,
        request.app.state.settings.run_limit,
    )
    request.app.state.jobs.submit(run.id)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.post("/scenarios/{name}/sweeps")
async def start_sweep(request: Request, name: str) -> Response:
    """A sweep of the scenario (levers one per line, ``KEY=V1,V2,...``; overrides one
    per line; futures to simulate, optional; the seed), checked as the API checks it;
    then the new run."""
    await session.check_csrf(request)
    who = session.principal(request)
    form = await _form(request)
    futures = form.get("simulate", "").strip()
    vary, sets = _lines(form.get("vary", "")), _lines(form.get("set", ""))
    simulate = _number(futures, int) if futures else None
    seed = _number(form.get("seed", "0"), int)
    run = _store(request).create_sweep(
        who,
        name,
        lambda scenario: check_sweep(scenario, vary, sets, simulate, seed),
        request.app.state.settings.run_limit,
    )
    request.app.state.jobs.submit(run.id)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


def _lines(text: str) -> list[str]:
    """A text area's lines, without blank ones."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(text: str, kind: type[int] | type[float]) -> object:
    """A form's number as ``kind``, or the text as given (the store's check then says
    what is wrong with it, naming the field)."""
    try:
        return kind(text.strip())
    except ValueError:
        return text


@router.post("/scenarios/{name}/variants")
async def make_variant(request: Request, name: str) -> Response:
    """A private variant of the scenario, named in the form; then its page."""
    await session.check_csrf(request)
    who = session.principal(request)
    form = await _form(request)
    made = _store(request).create_variant(who, name, form.get("variant", "").strip())
    return RedirectResponse(f"/scenarios/{made.name}", status_code=303)


@router.post("/runs/{run_id}/baseline")
async def make_baseline(request: Request, run_id: int) -> Response:
    """Make the run its scenario's baseline (alliance staff and admins)."""
    await session.check_csrf(request)
    who = session.principal(request)
    store = _store(request)
    store.set_baseline(who, store.run(who, run_id).scenario, run_id)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.post("/runs/{run_id}/cancel")
async def cancel_run(request: Request, run_id: int) -> Response:
    await session.check_csrf(request)
    who = session.principal(request)
    _store(request).cancel_run(who, run_id)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.post("/facts/{fact_id}/review")
async def review_fact(request: Request, fact_id: str) -> Response:
    """Accept, reject or annotate a fact (recorded in the audit log by the store)."""
    await session.check_csrf(request)
    who = session.principal(request)
    form = await _form(request)
    status = form.get("status", "")
    note = form.get("note") or None
    store = _store(request)
    try:
        store.review_fact(who, fact_id, _int(form.get("version"), "version"), status, note)
    except Conflict:
        return page(
            request,
            "error.html",
            who,
            status=409,
            status_code=409,
            message=f"Fact {fact_id} was reviewed by someone else since you opened the page; "
            "your review was not saved. Reload the page to see the newer review.",
        )
    return RedirectResponse(f"/ledger#fact-{fact_id}", status_code=303)
