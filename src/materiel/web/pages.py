"""The pages (GET): each asks the store as the signed-in user and renders what it gets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.scenario import TABLES
from materiel.store import AccessDenied, NotFound, RunInfo, Store
from materiel.web import session, views
from materiel.web.render import WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Name = Annotated[str | None, Query(max_length=100)]
PAGE_ROWS = 100


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.get("/sign-in")
def sign_in_page(request: Request, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    response = HTMLResponse("")
    token = session.pre_token(request, response)
    shown = page(request, "sign_in.html", None, form_csrf=token, next=_local(next), error="")
    for key, value in response.headers.items():
        if key == "set-cookie":
            shown.headers.append(key, value)
    return shown


def _local(target: str) -> str:
    """Only a path of this site is followed after sign-in (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/")
def overview(request: Request, threshold: Annotated[float, Query(ge=0, le=100)] = 2.0) -> Response:
    who = session.principal(request)
    threshold = threshold if threshold in views.THRESHOLDS else 2.0
    pledges = _store(request).pledges(who)
    return page(
        request,
        "overview.html",
        who,
        threshold=threshold,
        thresholds=views.THRESHOLDS,
        spending=views.spending_view(threshold),
        aid=views.aid_view(),
        pledges=pledges,
    )


@router.get("/overview/spending")
def overview_spending(
    request: Request, threshold: Annotated[float, Query(ge=0, le=100)] = 2.0
) -> Response:
    who = session.principal(request)
    threshold = threshold if threshold in views.THRESHOLDS else 2.0
    return page(
        request,
        "_spending.html",
        who,
        threshold=threshold,
        thresholds=views.THRESHOLDS,
        spending=views.spending_view(threshold),
    )


def _scenario_and_run(request: Request, name: str | None) -> tuple[Any, str | None, Any]:
    who = session.principal(request)
    store = _store(request)
    scenario = views.pick_scenario(store, who, name)
    run = None
    if scenario is not None and store.policy(who).may("run.read"):
        run = views.latest_run(store, who, scenario)
    return who, scenario, run


@router.get("/outlook")
def outlook(request: Request, scenario: Name = None) -> Response:
    who, name, run = _scenario_and_run(request, scenario)
    store = _store(request)
    data = views.outlook(store, who, run) if run else {"rows": [], "series": [], "series_total": 0}
    return page(
        request,
        "outlook.html",
        who,
        scenario=name,
        scenarios=views.scenario_names(store, who),
        run=run,
        sees_stock=store.policy(who).may_read_table("plan.stock"),
        **data,
    )


@router.get("/industry")
def industry(request: Request, scenario: Name = None) -> Response:
    who, name, run = _scenario_and_run(request, scenario)
    store = _store(request)
    data = views.industry(store, who, name, run) if name else {}
    return page(
        request,
        "industry.html",
        who,
        scenario=name,
        scenarios=views.scenario_names(store, who),
        run=run,
        data=data,
    )


@router.get("/ledger")
def ledger(request: Request, scenario: Name = None) -> Response:
    who = session.principal(request)
    store = _store(request)
    name = views.pick_scenario(store, who, scenario)
    contracts: list[dict[str, Any]] = []
    if name:
        try:
            contracts = [r.data for r in store.rows(who, name, "contracts")]
        except AccessDenied:
            contracts = []
    facts = store.facts(who)
    return page(
        request,
        "ledger.html",
        who,
        scenario=name,
        scenarios=views.scenario_names(store, who),
        contracts=contracts,
        columns=_columns(contracts),
        waiting=[f for f in facts if f.get("status") == "unreviewed"],
        reviewed=[f for f in facts if f.get("status") != "unreviewed"],
        may_review=store.policy(who).may("facts.write"),
    )


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    return columns


@router.get("/scenarios")
def scenarios(request: Request) -> Response:
    who = session.principal(request)
    store = _store(request)
    items = store.list_scenarios(who)
    runs = store.runs(who) if store.policy(who).may("run.read") else []
    return page(request, "scenarios.html", who, scenarios=items, runs=runs)


@router.get("/scenarios/{name}")
def scenario(
    request: Request,
    name: str,
    table: Annotated[str, Query(max_length=40)] = "allies",
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    who = session.principal(request)
    store = _store(request)
    summary = store.get_scenario(who, name)
    readable = [t for t in TABLES if store.policy(who).may_read_table(t)]
    if table not in readable:
        table = readable[0] if readable else ""
    rows = table_rows(store, who, name, table) if table else []
    runs = (
        [r for r in store.runs(who) if r.scenario == name]
        if store.policy(who).may("run.read")
        else []
    )
    return page(
        request,
        "scenario.html",
        who,
        scenario=summary,
        tables=readable,
        table=table,
        columns=list(TABLES[table].row.model_fields) if table else [],
        rows=rows[offset : offset + PAGE_ROWS],
        offset=offset,
        total=len(rows),
        page_rows=PAGE_ROWS,
        messages={},
        runs=runs,
        may_run=store.policy(who).may("run.create"),
        validation=store.validate(who, name),
    )


def table_rows(store: Store, who: Any, name: str, table: str) -> list[dict[str, Any]]:
    """Rows (as dicts for the templates) with whether the user may change each (the
    policy's own answer)."""
    policy = store.policy(who)
    producers = {
        str(r.data.get("id")): str(r.data.get("producer"))
        for r in (store.rows(who, name, "lines") if policy.may_read_table("lines") else [])
    }
    return [
        {
            **row.as_dict(),
            "editable": row.id is not None and policy.may_write_row(table, row.data, producers),
        }
        for row in store.rows(who, name, table)
    ]


@router.get("/runs/{run_id}")
def run(request: Request, run_id: int) -> Response:
    who = session.principal(request)
    store = _store(request)
    info = store.run(who, run_id)
    return page(request, "run.html", who, run=info, **_run_result(store, who, info))


@router.get("/runs/{run_id}/status")
def run_status(request: Request, run_id: int) -> Response:
    who = session.principal(request)
    store = _store(request)
    info = store.run(who, run_id)
    return page(request, "_run_status.html", who, run=info, **_run_result(store, who, info))


def _run_result(store: Store, who: Any, info: RunInfo) -> dict[str, Any]:
    """The run's outlook when it is done, and whether this user may cancel it."""
    may_cancel = store.policy(who).may_cancel_run(info.created_by)
    if info.status != "done":
        return {"result": None, "may_cancel": may_cancel}
    return {"result": views.outlook(store, who, info), "may_cancel": may_cancel}


@router.get("/compare")
def compare(
    request: Request,
    a: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    b: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    who = session.principal(request)
    store = _store(request)
    if not store.policy(who).may("run.read"):
        return page(
            request,
            "compare.html",
            who,
            runs=[],
            a=None,
            b=None,
            diff=None,
            error=f"Your role ({who.role}) does not see plan runs.",
        )
    done = [r for r in store.runs(who) if r.status == "done"]
    if a is None or b is None:
        if len(done) >= 2 and a is None and b is None:
            return RedirectResponse(f"/compare?a={done[-2].id}&b={done[-1].id}", 303)
        return page(request, "compare.html", who, runs=done, a=None, b=None, diff=None)
    try:
        run_a, run_b = store.run(who, a), store.run(who, b)
    except NotFound as exc:
        return page(
            request,
            "compare.html",
            who,
            runs=done,
            a=None,
            b=None,
            diff=None,
            error=str(exc),
            status=404,
        )
    diff = views.compare(store, who, run_a, run_b)
    return page(request, "compare.html", who, runs=done, a=run_a, b=run_b, diff=diff)


@router.get("/audit")
def audit(request: Request) -> Response:
    who = session.principal(request)
    log = _store(request).audit_log(who, 0, 200)
    return page(request, "audit.html", who, records=log.items, total=log.total)
