"""What each page shows, shaped from the store's answers.

Every figure about a scenario or a plan comes from the store's methods called with the
signed-in principal (the same calls the API makes), so the access policy has already
removed what the user may not see: this module only arranges what is left.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from materiel.planner import months_to_target
from materiel.report import bottleneck_sentences, supply_chain_words
from materiel.store import TOTAL, TOTAL_KEY, AccessDenied, NotFound, Principal, RunInfo, Store

THRESHOLDS = (2.0, 3.5, 5.0)
#: Stock charts on one page at most (the largest gaps); the table lists every target.
MAX_CHARTS = 12


def number(value: Any, places: int = 0) -> str:
    """A figure as the pages print it (thousands separated); '' when absent."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return ""
        return f"{value:,.{places}f}"
    return str(value)


def duration(seconds: Any) -> str:
    """A run's elapsed time as the pages print it: '42 s', '3 min 07 s', '1 h 02 min'."""
    if seconds is None:
        return ""
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def finite(value: Any) -> float | None:
    """A float for a chart's JSON (which has no NaN): None when absent or not finite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def who_label(row: dict[str, Any]) -> str:
    """The ally of a row, or 'alliance total' for a total row."""
    if row.get(TOTAL_KEY) == TOTAL:
        return "Alliance total (others and you)"
    return str(row.get("ally") or "")


# -- alliance overview (public figures) ----------------------------------------------
@lru_cache(maxsize=8)
def spending_view(threshold: float) -> dict[str, Any]:
    from materiel.track import counts, spending

    result = spending(None, threshold)
    table = result.table[result.table["member"]].sort_values("share_pct", ascending=False)
    rows = [
        {
            "iso3": r["iso3"],
            "ally": r["ally"],
            "share": finite(r["share_pct"]),
            "meets": bool(r["meets"]),
            "note": r["note"],
        }
        for r in table.to_dict("records")
    ]
    history = counts(threshold)
    years = [
        {
            "year": str(r["year"]),
            "members": int(r["members"]),
            "meeting": int(r["meeting_spending"]),
        }
        for r in history.table.to_dict("records")
    ]
    return {
        "title": result.title,
        "summary": result.summary[0],
        "sources": result.sources[:1],
        "rows": rows,
        "years": years,
        "count_sources": history.sources,
    }


@lru_cache(maxsize=1)
def aid_view(top: int = 20) -> dict[str, Any]:
    from materiel.track import AidOptions, aid

    result = aid(AidOptions())
    table = result.table[result.table["type"] == "ally"]
    table = table.sort_values("total_allocation", ascending=False).head(top)
    rows = [
        {
            "donor": r["donor"],
            "aid": finite(r["total_allocation"]),
            "aid_share": finite(r["aid_share_pct"]),
            "gdp_share": finite(r["gdp_share_pct"]),
            "ratio": finite(r["ratio"]),
        }
        for r in table.to_dict("records")
    ]
    return {
        "title": result.title,
        "summary": result.summary[:2],
        "sources": result.sources,
        "rows": rows,
    }


# -- scenarios and runs ----------------------------------------------------------------
def scenario_names(store: Store, who: Principal) -> list[str]:
    """The scenarios the user sees: the shared ones, then the variants it may see."""
    return store.scenario_names(who)


def pick_scenario(names: list[str], name: str | None) -> str | None:
    """The scenario named if the user sees it (it is in ``names``, the scenarios the
    user sees), else the first shared one."""
    if name in names:
        return name
    return names[0] if names else None


def done_runs(
    store: Store, who: Principal, scenario: str, every: list[RunInfo] | None = None
) -> list[RunInfo]:
    """The finished plan runs of a scenario the user may see, oldest first (not its
    simulations and sweeps, which have no plan to show); of ``every`` run the user sees,
    when the page has read them."""
    return [
        r
        for r in (store.runs(who) if every is None else every)
        if r.scenario == scenario and r.status == "done" and r.kind == "plan"
    ]


def run_among(store: Store, who: Principal, every: list[RunInfo], run_id: int) -> RunInfo:
    """The run ``run_id`` of ``every`` run the user sees (read already for the page), else
    as :meth:`Store.run` answers (404 for a run the user may not see)."""
    return next((r for r in every if r.id == run_id), None) or store.run(who, run_id)


def chosen_run(
    store: Store,
    who: Principal,
    scenario: str,
    run_id: int | None,
    every: list[RunInfo] | None = None,
) -> tuple[RunInfo | None, list[RunInfo]]:
    """The run a page shows, and the runs it may show instead: the run asked for (404
    if the user may not see it, or it is not a finished run of the scenario), else the
    scenario's baseline, else its latest finished run (``every``: as for
    :func:`done_runs`)."""
    runs = done_runs(store, who, scenario, every)
    if run_id is not None:
        run = run_among(store, who, every or [], run_id)  # 404 if the user may not see it
        if run.scenario != scenario or run.status != "done" or run.kind != "plan":
            raise NotFound(f"no finished plan run {run_id} of {scenario}")
        return run, runs
    default = next((r for r in runs if r.baseline), runs[-1] if runs else None)
    return default, runs


def run_labels(runs: list[RunInfo]) -> dict[int, str]:
    """Which run each is, in words: 'run 12, baseline, of version 7, by alice' (or
    'latest run' for its scenario's latest finished run, 'earlier run' for the others)."""
    latest = {r.scenario: r.id for r in runs if r.status == "done" and r.kind == "plan"}
    labels = {}
    for r in runs:
        if r.baseline:
            kind = "baseline"
        elif r.status != "done":
            kind = r.status
        else:
            kind = "latest run" if latest.get(r.scenario) == r.id else "earlier run"
        labels[r.id] = f"run {r.id}, {kind}, of version {r.scenario_version}, by {r.created_by}"
    return labels


def plan_table(store: Store, who: Principal, run_id: int, table: str) -> list[dict[str, Any]]:
    """A plan table as the user may see it; empty when the role may not read it."""
    try:
        return store.run_table(who, run_id, table)
    except (AccessDenied, NotFound):
        return []


AID_COLUMNS = (
    "recipient",
    "item",
    "start",
    "end",
    "required",
    "given",
    "from_stock",
    "from_new",
    "unmet",
    "months_met",
    "months",
    "month_met",
    "donors",
)


def aid_coordination(
    store: Store, who: Principal, run: RunInfo, tags: RunTags | None = None
) -> list[dict[str, Any]]:
    """The coordinator's table of a run: each requirement, who fills it, when, what is
    left; empty where the role may not read it or the scenario has no requirements. Of
    a finished run, kept (:func:`kept`)."""

    def table() -> dict[str, Any]:
        rows = plan_table(store, who, run.id, "aid_requirements")
        return {"rows": [{c: row.get(c) for c in AID_COLUMNS} for row in rows]}

    done = run.status == "done"
    key = view_key("aid", store, who, run, ("aid_requirements",), tags) if done else None
    rows: list[dict[str, Any]] = kept(key, store, table)["rows"]
    return rows


class RunTags:
    """What the views of one page of a finished run are keyed on (:func:`view_key`), read
    in one transaction: the tags of ``tables`` as the user is served them, the versions
    of the run's scenario and of its base, and the user's view. A page that shows
    several views of a run reads them once, not once a view."""

    def __init__(self, store: Store, who: Principal, run: RunInfo, tables: tuple[str, ...]):
        policy = store.policy(who)
        self.run_id, self.tables, self.view = run.id, frozenset(tables), policy.view()
        read = [table for table in tables if policy.may_read_table(f"plan.{table}")]
        self.tags: dict[str, str] | None = None
        self.versions: tuple[str, ...] = ()
        try:
            found, self.versions = store.run_view_tags(who, run.id, read, run.scenario)
            self.tags = dict(zip(read, found, strict=True))
        except (AccessDenied, NotFound):
            pass  # a run the user may not see or that has not finished: nothing is kept

    def key(self, name: str, tables: tuple[str, ...]) -> tuple[str, ...] | None:
        """:func:`view_key` of the view ``name`` made of ``tables`` (read when made)."""
        if not self.tables.issuperset(tables):
            raise ValueError(f"{name}: tables {set(tables) - self.tables} were not tagged")
        if self.tags is None:
            return None
        tags = [self.tags.get(table, f"{table}: not read") for table in tables]
        return (name, *tags, *self.versions, *self.view)


def view_key(
    name: str,
    store: Store,
    who: Principal,
    run: RunInfo,
    tables: tuple[str, ...],
    tags: RunTags | None = None,
) -> tuple[str, ...] | None:
    """What decides the view ``name`` of a finished run that ``who`` is shown, made of
    the run's ``tables`` and its scenario's rows: the tags of the tables as the user is
    served them (the run, what decides the rows the user is served, the code that serves
    them: :meth:`materiel.store.Store.run_table_tag`; a table the user may not read is
    marked so), the versions of the scenario and of its base (every change to their
    rows changes them), and the user's view. None (nothing may be kept) for a run the
    user may not see or that has not finished. ``tags``: read already for the page."""
    if tags is None:
        tags = RunTags(store, who, run, tables)
    elif (tags.run_id, tags.view) != (run.id, store.policy(who).view()):
        raise ValueError(f"{name}: the tags were read for another run or user")
    return tags.key(name, tables)


def kept(key: tuple[str, ...] | None, store: Store, make: Callable[[], dict]) -> dict[str, Any]:
    """``make()`` worked out once for each ``key`` (:func:`view_key`) and kept by the
    store; a copy (pages add to it) with its ``key``."""
    return {**store.views.get(key, make), "key": key}


def outlook(
    store: Store, who: Principal, run: RunInfo, tags: RunTags | None = None
) -> dict[str, Any]:
    """Stock against target by ally (or alliance total) and item, from one run: worked
    out once for each :func:`view_key` (a finished run's tables never change; the
    scenario's version does when its rows do) and kept by the store."""
    key = view_key("outlook", store, who, run, OUTLOOK_TABLES, tags)
    return kept(key, store, lambda: _outlook(store, who, run))


def _outlook(store: Store, who: Principal, run: RunInfo) -> dict[str, Any]:
    targets = plan_table(store, who, run.id, "targets")
    stock = plan_table(store, who, run.id, "stock")
    # a plan's alliance totals carry no initial stock or target: those are the
    # scenario's totals by group (as published to users who see only totals)
    scenario_totals = {
        str(r.get("group")): r
        for r in _rows(store, who, run.scenario, "stockpiles")
        if r.get(TOTAL_KEY) == TOTAL
    }

    def given(row: dict[str, Any], column: str) -> Any:
        if row.get(TOTAL_KEY) == TOTAL and column not in row:
            return scenario_totals.get(str(row.get("group")), {}).get(column)
        return row.get(column)

    series: dict[str, dict[str, Any]] = {}
    for row in stock:
        key = f"{who_label(row)} · {row['group']}"
        entry = series.setdefault(
            key, {"label": key, "months": [], "month": [], "stock": [], "target": []}
        )
        entry["months"].append(row.get("month_label") or str(row.get("month")))
        entry["month"].append(row.get("month"))
        # a total the disclosure rule hides is a gap in the chart, never a zero
        entry["stock"].append(_rounded(row.get("stock")))
        entry["target"].append(_rounded(given(row, "target")))
    planned = {f"{who_label(r)} · {r['group']}": r for r in targets}
    for key, entry in series.items():
        entry["months_to_target"] = _months_to_target(entry, planned.get(key))
        entry["lateness"] = _lateness(entry, planned.get(key))
    # a chart each for the latest targets (never met first), then the largest gaps as
    # a share of the target; the table holds all
    charted = sorted(series.values(), key=lambda e: e["lateness"], reverse=True)[:MAX_CHARTS]
    rows = [
        {
            "who": who_label(r),
            "total": r.get(TOTAL_KEY) == TOTAL,
            "group": r.get("group"),
            "label": r.get("label") or r.get("group"),
            "initial": given(r, "initial"),
            "target": given(r, "target"),
            "target_date": r.get("target_date", ""),
            "stock_at_date": r.get("stock_at_date"),
            "shortfall": r.get("shortfall_at_date"),
            "month_met": r.get("month_met", ""),
            "months_to_target": r.get("months_to_target"),
        }
        for r in targets
    ]
    return {"rows": rows, "series": charted, "series_total": len(series)}


def _rounded(value: Any) -> float | None:
    number = finite(value)
    return None if number is None else round(number, 1)


def _months_to_target(entry: dict[str, Any], planned: dict[str, Any] | None) -> int | None:
    """Months from the start until the stock stays at target to the end: the planner's
    own figure (its ``targets`` table) where the series has a row there, else the
    planner's definition (:func:`materiel.planner.months_to_target`) on the series as
    shown (a total the disclosure rule hides in a month is not at target then)."""
    if planned is not None:
        value = finite(planned.get("months_to_target"))
        return None if value is None else int(value)
    need = [t for t in entry["target"] if t is not None and t > 0]
    if not need or len(need) != len(entry["target"]):
        return None
    stock = np.array([np.nan if v is None else v for v in entry["stock"]], dtype=float)
    return months_to_target(np.nan_to_num(stock, nan=-np.inf), float(need[-1]))


def _lateness(entry: dict[str, Any], planned: dict[str, Any] | None) -> tuple[float, float]:
    """How late a series' target is met (months after its date; never met: later than
    any), then its gap at the end as a share of the target: the order of the charts."""
    target = entry["target"][-1] if entry["target"] else None
    stock = entry["stock"][-1] if entry["stock"] else None
    share = (target - stock) / target if target and stock is not None else 0.0
    due_label = str((planned or {}).get("target_date") or "")
    due = entry["months"].index(due_label) if due_label in entry["months"] else 0
    met = entry["months_to_target"]
    late = float(len(entry["months"]) + 1 - due) if met is None else float(met - due)
    return (late if target else -math.inf, share)


INDUSTRY_TABLES = ("capacity", "contracts", "bottlenecks", "bottleneck_groups")


def industry(store: Store, who: Principal, scenario: str, run: RunInfo | None) -> dict:
    """Lines, components, capacity added and when, what binds, contracts to sign.

    What binds is the planner's own ranking of the run (its ``bottlenecks`` table, the
    limits by shadow price) in the report's sentences, as the user may see it; None
    where the run has no such table (a run made before plans kept it): nothing is said
    of what binds then. Of a finished run of ``scenario``, kept (:func:`kept`)."""
    if run is None or run.scenario != scenario:
        return {**_industry(store, who, scenario, run), "key": None}
    key = view_key("industry", store, who, run, INDUSTRY_TABLES)
    return kept(key, store, lambda: _industry(store, who, scenario, run))


def _industry(store: Store, who: Principal, scenario: str, run: RunInfo | None) -> dict:
    lines = _rows(store, who, scenario, "lines")
    components = _rows(store, who, scenario, "components")
    capacity = plan_table(store, who, run.id, "capacity") if run else []
    contracts = plan_table(store, who, run.id, "contracts") if run else []
    by_line: dict[str, dict[str, Any]] = {}
    for row in capacity:
        entry = by_line.setdefault(
            str(row["line"]),
            {"line": row["line"], "first": None, "last": None, "added": [], "hidden": 0},
        )
        if row.get("capacity") is None:  # its payers' shares fail the rule (store.funding)
            entry.setdefault("grown_hidden", row.get("month_label"))
            entry["last"] = None
            continue
        if "grown_hidden" in entry:
            continue
        cap = float(row.get("capacity") or 0.0)
        if entry["last"] is not None and cap > entry["last"] + 1e-6:
            entry["added"].append((row.get("month_label"), cap - entry["last"]))
        entry["first"] = cap if entry["first"] is None else entry["first"]
        entry["last"] = cap
        if row.get("output") is None:  # hidden by the disclosure rule
            entry["hidden"] += 1
    return {
        "lines": lines,
        "components": components,
        "capacity": list(by_line.values()),
        "binds": binds(store, who, run) if run else None,
        "contracts": contracts,
    }


BINDS_TABLES = ("bottlenecks", "bottleneck_groups")
OUTLOOK_TABLES = ("targets", "stock")
#: The tables of a finished run whose views its page shows (outlook, what binds, aid).
RUN_PAGE_TABLES = (*OUTLOOK_TABLES, *BINDS_TABLES, "aid_requirements")


def binds(
    store: Store, who: Principal, run: RunInfo, tags: RunTags | None = None
) -> list[str] | None:
    """The planner's sentences on what binds in a run, of the rows the user may see
    (:func:`materiel.report.bottleneck_sentences`); None where the run has no ranking
    or the user may not read it. Of a finished run, kept (:func:`kept`)."""
    if "bottlenecks" not in run.tables:
        return None
    done = run.status == "done"
    key = view_key("binds", store, who, run, BINDS_TABLES, tags) if done else None
    said: list[str] | None = kept(key, store, lambda: {"said": _binds(store, who, run)})["said"]
    return said


def _binds(store: Store, who: Principal, run: RunInfo) -> list[str] | None:
    limits = plan_table(store, who, run.id, "bottlenecks")
    return bottleneck_sentences(limits, plan_table(store, who, run.id, "bottleneck_groups"))


def supply_chain(store: Store, who: Principal, run: RunInfo, currency: str) -> dict[str, Any]:
    """The supply-chain register of a run, worst first, in words and figures, and each
    component's suppliers; empty where the role may not read them. Of a finished run,
    kept (:func:`kept`)."""
    tables = ("supply_chain", "suppliers")
    key = view_key("supply", store, who, run, tables) if run.status == "done" else None
    return kept(key, store, lambda: _supply_chain(store, who, run, currency))


def _supply_chain(store: Store, who: Principal, run: RunInfo, currency: str) -> dict[str, Any]:
    register = plan_table(store, who, run.id, "supply_chain")
    frame = pd.DataFrame(register)
    return {
        "register": register,
        "words": supply_chain_words(frame, currency) if len(frame) else [],
        "suppliers": plan_table(store, who, run.id, "suppliers"),
        "may_read": store.policy(who).may_read_table("plan.supply_chain"),
    }


def _rows(store: Store, who: Principal, scenario: str, table: str) -> list[dict[str, Any]]:
    try:
        return [r.data for r in store.rows(who, scenario, table)]
    except (AccessDenied, NotFound):
        return []


COMPARE_TABLES = ("targets", "spending", "capacity")


def compare(store: Store, who: Principal, a: RunInfo, b: RunInfo) -> dict:
    """Two runs side by side: targets, spending by year, capacity at the end, per line,
    and what changed in their inputs. Of two finished runs, kept (:func:`kept`): their
    tables, summaries and inputs never change."""
    first, second = (view_key("compare", store, who, run, COMPARE_TABLES) for run in (a, b))
    key = None
    if first is not None and second is not None and a.status == b.status == "done":
        key = first + second
    return kept(key, store, lambda: _compare(store, who, a, b))


def _compare(store: Store, who: Principal, a: RunInfo, b: RunInfo) -> dict:

    def keyed(run: RunInfo, table: str, key: tuple[str, ...], value: str) -> dict:
        out: dict[tuple[str, ...], float] = {}
        for row in plan_table(store, who, run.id, table):
            k = tuple(who_label(row) if c == "ally" else str(row.get(c)) for c in key)
            number = finite(row.get(value))
            if number is not None:  # a total the disclosure rule hides is not compared
                out[k] = number
        return out

    def side(table: str, key: tuple[str, ...], value: str) -> list[dict[str, Any]]:
        left, right = keyed(a, table, key, value), keyed(b, table, key, value)
        rows = []
        for k in sorted(set(left) | set(right)):
            x, y = left.get(k), right.get(k)
            delta = None if x is None or y is None else y - x
            rows.append({"key": " · ".join(k), "a": x, "b": y, "delta": delta})
        return rows

    def last_capacity(run: RunInfo) -> dict[tuple[str, ...], float]:
        out: dict[tuple[str, ...], float] = {}
        hidden: set[str] = set()
        for row in plan_table(store, who, run.id, "capacity"):
            if row.get("capacity") is None:  # not shown (store.funding)
                out.pop((str(row["line"]),), None)
                hidden.add(str(row["line"]))
            elif str(row["line"]) not in hidden:
                out[(str(row["line"]),)] = float(row["capacity"])
        return out

    cap_a, cap_b = last_capacity(a), last_capacity(b)
    capacity = [
        {
            "key": k[0],
            "a": cap_a.get(k),
            "b": cap_b.get(k),
            "delta": None if k not in cap_a or k not in cap_b else cap_b[k] - cap_a[k],
        }
        for k in sorted(set(cap_a) | set(cap_b))
    ]
    tables = {
        "targets": side("targets", ("ally", "group"), "target"),
        "stock_at_date": side("targets", ("ally", "group"), "stock_at_date"),
        "spending": side("spending", ("ally", "year"), "total"),
        "capacity": capacity,
    }
    out: dict[str, Any] = {k: _changed(rows, COMPARE_PLACES[k]) for k, rows in tables.items()}
    out["headline"] = _headline(a, b)
    out["inputs"] = store.input_changes(who, a.id, b.id)
    return out


#: Decimal places each compared table is shown with: a difference that rounds to 0 there
#: is no difference on the page.
COMPARE_PLACES = {"targets": 0, "stock_at_date": 0, "spending": 0, "capacity": 1}
#: The summary's figures the compare page opens with, where the user's summary has them.
HEADLINE = (
    ("met_by_date", "Targets met by their date", 0),
    ("met_within_horizon", "Targets met within the horizon", 0),
    ("spending_total", "Spending", 0),
    ("weighted_shortfall", "Weighted shortfall [target-months]", 1),
    ("requirement_months_met", "Requirement-months met", 0),
    ("capacity_expansions", "Lines expanded", 0),
    # what pooling is worth (the plan's own comparison; staff's summaries only)
    ("pooling_money_saved", "Pooling saves", 0),
    ("pooling_shortfall_gain", "Pooling's gain in shortfall [target-months]", 1),
)


def _changed(rows: list[dict[str, Any]], places: int) -> dict[str, Any]:
    """The rows whose difference shows at ``places`` decimals (or that one run lacks),
    and how many others there are."""
    shown = [r for r in rows if r["delta"] is None or round(r["delta"], places) != 0]
    return {"rows": shown, "unchanged": len(rows) - len(shown), "total": len(rows)}


def _headline(a: RunInfo, b: RunInfo) -> list[dict[str, Any]]:
    """The two runs' headline figures (those both summaries hold), B − A."""
    left, right = a.summary or {}, b.summary or {}
    out = []
    for key, title, places in HEADLINE:
        x, y = finite(left.get(key)), finite(right.get(key))
        if x is None or y is None:
            continue
        out.append({"key": title, "a": x, "b": y, "delta": y - x, "places": places})
    return out


def run_estimate(runs: list[RunInfo], run: RunInfo) -> dict[str, float] | None:
    """How long a queued or running run may take: the median time the finished runs of
    its scenario and kind (plan, simulation, sweep) the user sees took [s], and what is
    left of it now (at least 0); None when the run has ended or no such run has
    finished."""
    if run.status not in ("queued", "running"):
        return None
    took = sorted(
        r.elapsed_seconds
        for r in runs
        if r.scenario == run.scenario
        and r.kind == run.kind
        and r.status == "done"
        and r.elapsed_seconds is not None
    )
    if not took:
        return None
    middle = len(took) // 2
    typical = took[middle] if len(took) % 2 else (took[middle - 1] + took[middle]) / 2
    return {"typical": typical, "left": max(typical - (run.elapsed_seconds or 0.0), 0.0)}
