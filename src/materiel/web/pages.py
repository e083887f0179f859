"""The pages (GET): each asks the store as the signed-in user and renders what it gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.scenario import TABLES
from materiel.store import SIM_TABLE, SWEEP_TABLE, AccessDenied, NotFound, RunInfo, Store
from materiel.web import downloads, headline, national, odds, session, views
from materiel.web.grid import AID_UNITS, numeric_columns, schema_units
from materiel.web.render import WebRoute, fragment, outlook_body, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Name = Annotated[str | None, Query(max_length=100)]
RunQ = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="the run to show")]
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


def _scenario_and_run(
    request: Request, name: str | None, run_id: int | None
) -> tuple[Any, str | None, Any, dict[str, Any], list[RunInfo]]:
    """Who asks, the scenario shown, the run shown (the one asked for, else the
    scenario's baseline, else its latest finished run), the context of the pickers (the
    scenarios the user sees, the runs one may choose instead and how each is called) and
    every run the user sees (each read once a page)."""
    who = session.principal(request)
    store = _store(request)
    may_read_runs = store.policy(who).may("run.read")
    every = store.runs(who) if may_read_runs else []
    if run_id is not None:  # 404 for a run the user may not see, as for none
        if not may_read_runs:
            raise NotFound(f"no run {run_id}")
        name = views.run_among(store, who, every, run_id).scenario
    names = views.scenario_names(store, who)
    scenario = views.pick_scenario(names, name)
    run: RunInfo | None = None
    runs: list[RunInfo] = []
    if scenario is not None and may_read_runs:
        run, runs = views.chosen_run(store, who, scenario, run_id, every)
    picker = {"runs": runs, "labels": views.run_labels(runs), "scenarios": names}
    return who, scenario, run, picker, every


@router.get("/outlook")
def outlook(request: Request, scenario: Name = None, run: RunQ = None) -> Response:
    who, name, shown, picker, every = _scenario_and_run(request, scenario, run)
    store = _store(request)
    data: dict[str, Any] = {"rows": [], "series": [], "series_total": 0}
    may_simulate = store.policy(who).may("run.create")
    if shown is not None:
        data = views.outlook(store, who, shown)
        data["odds"] = odds.odds(store, who, shown, odds.plan_months(data["series"]), every)
        data["body"] = outlook_body(store, shown, data, may_simulate)
    return page(
        request,
        "outlook.html",
        who,
        scenario=name,
        run=shown,
        sees_stock=store.policy(who).may_read_table("plan.stock"),
        may_simulate=may_simulate,
        **picker,
        **data,
    )


@router.get("/industry")
def industry(request: Request, scenario: Name = None, run: RunQ = None) -> Response:
    def data(store: Store, who: Any, name: str | None, shown: RunInfo | None) -> dict:
        made = views.industry(store, who, name, shown) if name else {"key": None}
        currency = str((shown.summary or {}).get("currency") or "") if shown else ""
        key = made["key"] and (*made["key"], name, currency, str(shown and shown.id))
        context = {"data": made, "scenario": name, "run": shown, "currency": currency}
        made["body"] = fragment(store, "_industry_body.html", key, who=who, **context)
        return made

    return _run_page(request, scenario, run, "industry.html", data)


@router.get("/supply-chain")
def supply_chain(request: Request, scenario: Name = None, run: RunQ = None) -> Response:
    def data(store: Store, who: Any, _name: str | None, shown: RunInfo | None) -> dict:
        if shown is None:
            return {}
        currency = str((shown.summary or {}).get("currency") or "")
        return views.supply_chain(store, who, shown, currency)

    return _run_page(request, scenario, run, "supply_chain.html", data)


def _run_page(
    request: Request,
    scenario: str | None,
    run: int | None,
    template: str,
    data: Callable[[Store, Any, str | None, RunInfo | None], dict],
) -> Response:
    """A page about a scenario's run, with the scenario and run pickers."""
    who, name, shown, picker, _ = _scenario_and_run(request, scenario, run)
    store = _store(request)
    return page(
        request,
        template,
        who,
        scenario=name,
        run=shown,
        data=data(store, who, name, shown),
        **picker,
    )


@router.get("/ledger")
def ledger(request: Request, scenario: Name = None) -> Response:
    who = session.principal(request)
    store = _store(request)
    names = views.scenario_names(store, who)
    name = views.pick_scenario(names, scenario)
    contracts: list[dict[str, Any]] = []
    if name:
        try:
            contracts = [r.data for r in store.rows(who, name, "contracts")]
        except AccessDenied:
            contracts = []
    facts = store.facts(who)
    columns = _columns(contracts)
    return page(
        request,
        "ledger.html",
        who,
        scenario=name,
        scenarios=names,
        contracts=contracts,
        columns=columns,
        units=schema_units("contracts", columns),
        numeric=numeric_columns(contracts, columns),
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
    return page(
        request, "scenarios.html", who, scenarios=items, runs=runs, labels=views.run_labels(runs)
    )


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
        labels=views.run_labels(runs),
        may_variant=store.policy(who).may("scenario.variant") and summary.base is None,
        scenario=summary,
        tables=readable,
        table=table,
        columns=list(TABLES[table].row.model_fields) if table else [],
        rows=rows[offset : offset + PAGE_ROWS],
        grid=True,
        numeric=numeric_columns([r["data"] for r in rows], TABLES[table].row.model_fields)
        if table
        else set(),
        offset=offset,
        total=len(rows),
        page_rows=PAGE_ROWS,
        messages={},
        runs=runs,
        may_run=store.policy(who).may("run.create"),
        may_sweep=store.policy(who).may("run.sweep"),
        validation=store.validate(who, name),
    )


def table_rows(store: Store, who: Any, name: str, table: str) -> list[dict[str, Any]]:
    """Rows (as dicts for the templates) with whether the user may change each (the
    policy's own answer; a variant only its owner changes)."""
    policy = store.policy(who)
    owner = store.get_scenario(who, name).owner
    mine = owner is None or owner == who.name
    producers = {
        str(r.data.get("id")): str(r.data.get("producer"))
        for r in (store.rows(who, name, "lines") if policy.may_read_table("lines") else [])
    }
    return [
        {
            **row.as_dict(),
            "editable": mine
            and row.id is not None
            and policy.may_write_row(table, row.data, producers),
        }
        for row in store.rows(who, name, table)
    ]


@router.get("/runs/{run_id}")
def run(request: Request, run_id: int) -> Response:
    who = session.principal(request)
    store = _store(request)
    info, every = _run_among(store, who, run_id)
    runs = [r for r in every if r.scenario == info.scenario]
    return page(
        request,
        "run.html",
        who,
        run=info,
        runs=runs,
        labels=views.run_labels(runs),
        may_baseline=store.policy(who).may("scenario.baseline") and info.status == "done",
        **_run_result(store, who, info, every),
    )


@router.get("/runs/{run_id}/status")
def run_status(request: Request, run_id: int) -> Response:
    who = session.principal(request)
    store = _store(request)
    info, every = _run_among(store, who, run_id)
    return page(request, "_run_status.html", who, run=info, **_run_result(store, who, info, every))


def _run_among(store: Store, who: Any, run_id: int) -> tuple[RunInfo, list[RunInfo]]:
    """The run, and every run the user sees, read once (404 as :meth:`Store.run` says)."""
    every = store.runs(who)
    return views.run_among(store, who, every, run_id), every


def _run_result(
    store: Store, who: Any, info: RunInfo, every: list[RunInfo] | None = None
) -> dict[str, Any]:
    """The run's outlook when it is done, and whether this user may cancel it (``every``:
    the runs the user sees, when the page has read them)."""
    may_cancel = store.policy(who).may_cancel_run(info.created_by)
    if info.simulates is not None:  # a simulation run: its targets' odds, once done
        done = info.status == "done"
        rows = views.plan_table(store, who, info.id, SIM_TABLE) if done else []
        return {
            "result": None,
            "may_cancel": may_cancel,
            "estimate": None,
            "simulation": rows,
            "downloads": downloads.readable(store, who, info),
        }
    if info.status != "done":
        estimate = views.run_estimate(store.runs(who) if every is None else every, info)
        return {"result": None, "may_cancel": may_cancel, "estimate": estimate}
    if info.kind == "sweep":  # a sweep run: its table, as the user may see it
        rows = views.plan_table(store, who, info.id, SWEEP_TABLE)
        readable = downloads.readable(store, who, info)
        return {"result": None, "may_cancel": may_cancel, "sweep": rows, "downloads": readable}
    tags = views.RunTags(store, who, info, views.RUN_PAGE_TABLES)  # one read for every view
    result = views.outlook(store, who, info, tags)
    result["odds"] = odds.odds(store, who, info, odds.plan_months(result["series"]), every)
    result["body"] = outlook_body(store, info, result, store.policy(who).may("run.create"))
    return {
        "result": result,
        "aid": views.aid_coordination(store, who, info, tags),
        "aid_columns": views.AID_COLUMNS,
        "aid_units": AID_UNITS,
        "may_cancel": may_cancel,
        "national": national.choice(store, who, info, tags.versions),
        "downloads": downloads.readable(store, who, info),
        "may_simulate": store.policy(who).may("run.create"),
        "pooling": headline.pooling(info.summary),
        "binds": views.binds(store, who, info, tags),
    }


@router.get("/compare")
def compare(
    request: Request,
    a: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    b: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    scenario: Name = None,
) -> Response:
    """Two runs side by side. With ``scenario``, the runs to pick from are those of the
    scenario, its base and its variants; for a variant, A defaults to its base's
    baseline (else latest) run and B to the variant's latest."""
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
    every = store.runs(who)
    labels = views.run_labels(every)
    done = [r for r in every if r.status == "done" and r.kind == "plan"]
    pair = (done[-2].id, done[-1].id) if len(done) >= 2 else None
    if scenario is not None:
        done, pair = _family(store, who, scenario, done)
    if a is None or b is None:
        if pair is not None and a is None and b is None:
            return RedirectResponse(f"/compare?a={pair[0]}&b={pair[1]}", 303)
        return page(
            request, "compare.html", who, runs=done, labels=labels, a=None, b=None, diff=None
        )
    try:
        run_a, run_b = (views.run_among(store, who, every, run_id) for run_id in (a, b))
        for shown in (run_a, run_b):
            if shown.kind != "plan":  # a simulation or a sweep has no plan to compare
                raise NotFound(f"run {shown.id} is a {shown.kind}, not a plan run")
    except NotFound as exc:
        return page(
            request,
            "compare.html",
            who,
            runs=done,
            labels=labels,
            a=None,
            b=None,
            diff=None,
            error=str(exc),
            status=404,
        )
    diff = views.compare(store, who, run_a, run_b)
    return page(request, "compare.html", who, runs=done, labels=labels, a=run_a, b=run_b, diff=diff)


def _family(
    store: Store, who: Any, name: str, done: list[RunInfo]
) -> tuple[list[RunInfo], tuple[int, int] | None]:
    """The finished runs of a scenario, its base and its variants (those the user sees),
    and the pair compared by default: for a variant, its base's baseline (else latest)
    run against the variant's latest run."""
    info = store.get_scenario(who, name)  # 404 for a variant the user may not see
    family = {name, *([info.base] if info.base else [])}
    family |= {s.name for s in store.list_scenarios(who) if s.base == name}
    runs = [r for r in done if r.scenario in family]
    mine = [r for r in runs if r.scenario == name]
    if info.base:
        base, _ = views.chosen_run(store, who, info.base, None)
        pair = (base.id, mine[-1].id) if base and mine else None
    else:
        pair = (mine[-2].id, mine[-1].id) if len(mine) >= 2 else None
    return runs, pair


@router.get("/audit")
def audit(request: Request) -> Response:
    who = session.principal(request)
    log = _store(request).audit_log(who, 0, 200)
    return page(request, "audit.html", who, records=log.items, total=log.total)
