"""The work of one combination: plan the scenario with its overrides (and simulate).

:func:`run_combination` runs in a worker (a local process or a Dask worker); it takes
the base scenario (sent to each worker once) and a few override strings, and returns a
small dict of figures, so that little crosses the wire per task.
"""

from __future__ import annotations

import math
from typing import Any

from materiel.errors import MaterielError
from materiel.scenario import Scenario


def run_combination(
    base: Scenario, overrides: tuple[str, ...], futures: int | None = None, seed: int = 0
) -> dict[str, Any]:
    """Figures of the plan for ``base`` with ``overrides``; an expected failure (an
    infeasible plan, say) becomes a row with its message rather than ending the sweep."""
    from materiel.planner import plan
    from materiel.scenario import apply_overrides

    try:
        scenario = apply_overrides(base, list(overrides))
        result = plan(scenario, explain=0, compare_pooling=False)
        row = plan_figures(result)
        if futures:
            row.update(simulate_figures(result, scenario, futures, seed))
    except MaterielError as exc:
        return {"status": "error", "error": str(exc)}
    return row


def plan_figures(result: Any) -> dict[str, Any]:
    """The sweep's figures of a plan: totals, and months to target per item group."""
    totals = result.totals()
    row: dict[str, Any] = {
        "status": str(totals["status"]),
        "error": "",
        "targets": int(totals["targets"]),
        "met_by_date": int(totals["met_by_date"]),
        "met_within_horizon": int(totals["met_within_horizon"]),
        "weighted_shortfall": float(totals["weighted_shortfall"]),
        "unmet_demand": float(totals["unmet_demand_total"]),
        "spending": float(totals["spending_total"]),
        "budget": float(totals["budget_total"]),
        "lines_expanded": int(totals["capacity_expansions"]),
        "supplies_expanded": int(totals["supply_expansions"]),
    }
    targets = result.targets
    for group, rows in targets.groupby("group", sort=True):
        months = rows["months_to_target"]
        # the month from which every ally's target of the group holds; None if one never does
        last = None if months.isna().any() else int(months.max())
        row[f"months_to_target:{group}"] = last
        row[f"met_by_date:{group}"] = int(rows["met_by_date"].sum())
    return row


def simulate_figures(result: Any, scenario: Scenario, futures: int, seed: int) -> dict[str, Any]:
    """Probabilities that targets are met by their dates, from the simulator's targets
    table (no sensitivity ranking: a sweep compares levers, not risks)."""
    from materiel.planner import Plan
    from materiel.simulation import simulate

    run = simulate(Plan.from_result(result), scenario, futures=futures, seed=seed, sensitivity=0)
    table = run.targets
    row: dict[str, Any] = {
        "p_mean": _mean(table["probability"]),
        "p_min": float(table["probability"].min()) if len(table) else None,
    }
    for group, rows in table.groupby("group", sort=True):
        row[f"p:{group}"] = _mean(rows["probability"])
    return row


def _mean(values: Any) -> float | None:
    value = float(values.mean()) if len(values) else math.nan
    return None if math.isnan(value) else value
