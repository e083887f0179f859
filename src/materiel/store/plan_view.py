"""A plan's tables as one principal sees them: the filter :meth:`RunOps.run_table` applies
to a run's stored result, written once so that a national plan made from a plan folder
on the command line shows what the workspace would show its ally's analysts, no more.

A run's result is the dict the server stores (:func:`run_result`): ``tables`` (plan
table -> rows), ``producers`` (line -> producer) and ``delivered`` (what the lines
deliver, for the disclosure rule on stock and capacity).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from materiel.store import disclosure, funding
from materiel.store.delivered import delivered_by
from materiel.store.policy import Policy, Principal, See

if TYPE_CHECKING:
    from materiel.planner import Plan

#: The tables whose disclosure needs what the lines deliver (stock and output over time,
#: and the limits on lines whose output may be hidden).
BY_DELIVERIES = ("stock", "capacity", "bottlenecks")
#: The scenario's tables a national plan reads (each through its own access rule).
NATIONAL_SCENARIO_TABLES = ("allies", "items", "lines", "components", "suppliers", "bom")


def run_result(
    plan: Plan,
    producers: dict[str, str],
    scenario_tables: dict[str, list[dict[str, Any]]] | None = None,
    start: str | None = None,
) -> dict[str, Any]:
    """A plan's result as the store keeps a run's: summary, tables as rows, the lines'
    producers and, given the planned scenario's rows (``scenario_tables``, its first
    month ``start``), what the lines deliver (:func:`materiel.store.delivered_by`)."""
    tables = {
        name: json.loads(frame.to_json(orient="records", double_precision=15))
        for name, frame in plan.tables.items()
    }
    summary = json.loads(json.dumps(plan.summary, default=str))
    result: dict[str, Any] = {"summary": summary, "tables": tables, "producers": producers}
    if scenario_tables is not None:
        new = tables.get("deliveries", [])
        result["delivered"] = delivered_by(scenario_tables, str(start or plan.start), new)
    return result


def plan_rows(
    policy: Policy,
    table: str,
    result: dict[str, Any],
    deliveries: Callable[[], list[dict[str, Any]]],
    memo_key: tuple[Any, ...] | None = None,
) -> list[dict[str, Any]]:
    """One plan table of ``result`` as ``policy``'s principal may see it (the caller has
    checked it may read the table): detail where allowed, a shared row cut to its own
    part, then the alliance totals the disclosure rule allows. ``deliveries`` gives what
    the lines deliver (asked for the stock and capacity only)."""
    rows = result["tables"].get(table, [])
    producers = result.get("producers") or {}
    if table not in BY_DELIVERIES:
        seen = policy.rows(f"plan.{table}", rows, producers, memo_key=memo_key)
    else:
        seen = policy.rows(
            f"plan.{table}",
            rows,
            producers,
            deliveries=deliveries(),
            memo_key=memo_key,
            initial=result["tables"].get("targets", []),
        )
    if table in funding.FILTERED and policy.sees("plan.spending") is See.OWN_AND_TOTALS:
        # it knows its own share of what expansions cost (store.funding)
        cells = result["tables"].get("funding_cells", [])
        seen = funding.hide(table, seen, *funding.hidden_expansions(policy.rule, cells))
    return seen


def nation_view(
    ally: str,
    result: dict[str, Any],
    scenario_tables: dict[str, list[dict[str, Any]]] | None = None,
    extra: dict[str, list[dict[str, Any]]] | None = None,
    rule: disclosure.Rule | None = None,
    memo: disclosure.Memo | None = None,
    memo_key: tuple[Any, ...] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """What a nation analyst of ``ally`` sees of a run's ``result`` and of its scenario's
    rows, keyed as the access rules name tables (``plan.contracts``, ``lines``): every
    table it may read, through the same filter as the workspace's; the tables it may
    not read are absent. ``extra``: other tables keyed the same way (e.g.
    ``simulation.targets``), shown in detail only where the rule of
    that name lets the analyst see a row (no rule: none); a table named ``simulation.X``
    follows the rule of ``plan.X`` row by row, without totals. ``memo`` and ``memo_key``
    (a stored run's) keep the rule's decisions, as :meth:`RunOps.run_table` does."""
    rule = rule or disclosure.Rule.from_settings()
    who = Principal(name=f"nation analyst of {ally}", role="nation", ally=ally)
    policy = Policy(who, rule, memo)
    out: dict[str, list[dict[str, Any]]] = {}
    delivered = result.get("delivered")

    def deliveries() -> list[dict[str, Any]]:
        if delivered is None:
            raise ValueError("the result has no 'delivered' rows: pass the scenario's tables")
        return list(delivered)

    for table in result.get("tables", {}):
        if policy.may_read_table(f"plan.{table}"):
            out[f"plan.{table}"] = plan_rows(policy, table, result, deliveries, memo_key)
    producers = result.get("producers") or {}
    for table, rows in (scenario_tables or {}).items():
        if policy.may_read_table(table):
            out[table] = policy.rows(table, rows, producers)
    for name, rows in (extra or {}).items():
        ruled = name.replace("simulation.", "plan.", 1)
        out[name] = [dict(r) for r in rows if policy.sees_row(ruled, r, producers)]
        if not policy.may_read_table(ruled):
            del out[name]
    return out
