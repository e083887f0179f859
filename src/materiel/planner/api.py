"""``plan(scenario)``: build, solve, explain what binds, and value pooling."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from materiel.planner import bottlenecks as bn
from materiel.planner.inputs import ModelInputs, build_inputs
from materiel.planner.model import V
from materiel.planner.result import PlanResult
from materiel.planner.solve import Progress, solve_inputs
from materiel.scenario.load import load_scenario
from materiel.scenario.model import Scenario


def plan(
    scenario: Scenario | str | Path,
    *,
    overrides: list[str] | dict[str, Any] | None = None,
    explain: int = 3,
    compare_pooling: bool = True,
    progress: Progress | None = None,
) -> PlanResult:
    """Plan a scenario (object, folder or built-in name).

    ``explain`` is how many of the top bottlenecks are re-solved with their limit 10 %
    larger to say in months what they cost; ``compare_pooling`` solves once more with
    pooling switched the other way to say what pooling is worth.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides=overrides)
    elif overrides:
        scenario = load_scenario(
            scenario.origin, overrides=[*scenario.overrides, *_pairs(overrides)]
        )
    say = progress or (lambda _msg: None)
    inputs = build_inputs(scenario)
    solution = solve_inputs(inputs, say)
    result = PlanResult(scenario=scenario, inputs=inputs, solution=solution)
    ranked = bn.rank(inputs, solution)
    ranked = _explain(result, ranked, explain, say)
    pooling = value_of_pooling(result, say) if compare_pooling else None
    return dataclasses.replace(result, bottlenecks=ranked, pooling=pooling)


def _pairs(overrides: list[str] | dict[str, Any]) -> list[str]:
    if isinstance(overrides, dict):
        return [f"{k}={v}" for k, v in overrides.items()]
    return list(overrides)


def _names(result: PlanResult) -> Any:
    lines = result.scenario.table("lines").set_index("id")
    comps = result.scenario.table("components").set_index("code")
    allies = result.scenario.table("allies").set_index("code")
    items = result.scenario.table("items").set_index("code")

    def name(kind: str, code: str) -> str:
        if kind == "line":
            row = lines.loc[code]
            return f"{code} ({row['producer']}, {items.at[row['item'], 'name']})"
        if kind == "component":
            return str(comps.at[code, "name"])
        return f"{allies.at[code, 'name']} ({code})" if code in allies.index else code

    return name


def _explain(result: PlanResult, ranked: pd.DataFrame, top: int, say: Progress) -> pd.DataFrame:
    """Add words (and the measured gain) to the ranked bottlenecks.

    Each what-if re-solves the shortfall stage only, with the plan's price tiers fixed
    (an LP), and is compared with the same solve of the unchanged scenario. It speaks in
    the weighted shortfall [target-months], which is the same for every optimal plan;
    months to target are not, and are never its headline.
    """
    ranked = ranked.copy()
    names = _names(result)
    words = []
    gained: list[float | None] = []
    done = 0
    tiers = result.solution.values.get(V.TIER)
    choice = None if tiers is None else tiers.fillna(0).round()
    baseline: PlanResult | None = None
    for row in ranked.itertuples():
        relaxed = bn.relaxed_inputs(result.inputs, row.kind, row.name) if done < top else None
        if relaxed is None:
            words.append(_first_order_words(row.kind, row.name, row.gain, names))
            gained.append(None)
            continue
        done += 1
        say(f"what-if {done}/{top}: {row.kind} {row.name} 10% larger")
        new_inputs, increase = relaxed
        if baseline is None:
            baseline = _shortfall_only(result, result.inputs, choice)
        new = _shortfall_only(result, new_inputs, choice)
        change = new.objective_by_group().sub(baseline.objective_by_group(), fill_value=0.0)
        words.append(
            bn.describe(
                row.kind,
                row.name,
                increase,
                _unit_of(result, row.kind, row.name),
                baseline.objective,
                new.objective,
                change,
                names,
            )
        )
        gained.append(max(0.0, baseline.objective - new.objective))
    ranked["shortfall_gain"] = gained
    ranked["words"] = words
    ranked.attrs["units"] = {"shortfall_gain": "target-months", "gain": "target-months"}
    return ranked


def _unit_of(result: PlanResult, kind: str, name: str) -> str:
    """The unit of a limit: the line's item per month, the component's, or money/year."""
    if kind == "line":
        lines = result.scenario.table("lines").set_index("id")
        items = result.scenario.table("items").set_index("code")
        return f"{items.at[lines.at[name, 'item'], 'unit']}/month"
    if kind == "component":
        comps = result.scenario.table("components").set_index("code")
        return f"{comps.at[name, 'unit']}/month"
    return f"{result.scenario.meta.currency}/year"


def _shortfall_only(
    result: PlanResult, inputs: ModelInputs, choice: xr.DataArray | None
) -> PlanResult:
    solution = solve_inputs(inputs, cost_stage=False, tier_choice=choice)
    return PlanResult(scenario=result.scenario, inputs=inputs, solution=solution)


def _first_order_words(kind: str, name: str, gain: float, names: Any) -> str:
    what = {
        "line": "capacity of line",
        "component": "supply of",
        "budget": "budget of",
        "industry_rule": "the industry rule (firm orders needed before expanding) on line",
    }
    return (
        f"{what.get(kind, kind)} {names('line' if kind == 'industry_rule' else kind, name)}"
        f" binds: 10% more is worth about {gain:.3g} target-months of shortfall "
        "(first-order estimate from its shadow price)"
    )


#: The comparison solve may stop at this relative MIP gap and time limit [s] per stage:
#: buying alone has a price tier per ally, a much harder MIP than the pooled plan.
COMPARISON_GAP = 1e-3
COMPARISON_TIME_LIMIT = 120.0


def value_of_pooling(result: PlanResult, progress: Progress | None = None) -> pd.DataFrame:
    """Solve with pooling switched the other way; what pooling saves in money and shortfall.

    The totals are in ``attrs``: spending pooled and alone [currency], money saved, the
    weighted shortfall pooled and alone and its difference [target-months], unmet
    demand pooled and alone [units], and the solver status of the comparison solve. The
    rows (one per target: months to target pooled and alone) are for the record only:
    months come from one of possibly many equally good plans of each solve. Without
    volume price tiers pooling changes no price, the two models are the same and nothing
    is solved again.
    """
    say = progress or (lambda _msg: None)
    meta = result.scenario.meta
    policy = meta.policy
    flipped_policy = policy.model_copy(
        update={
            "pooling": not policy.pooling,
            "mip_gap": max(policy.mip_gap, COMPARISON_GAP),
            "time_limit": min(policy.time_limit, COMPARISON_TIME_LIMIT),
        }
    )
    other_scenario = dataclasses.replace(
        result.scenario, meta=meta.model_copy(update={"policy": flipped_policy})
    )
    other_inputs: ModelInputs = dataclasses.replace(result.inputs, scenario=other_scenario)
    if result.inputs.has_tiers:
        say(f"solving again with pooling {'off' if policy.pooling else 'on'}")
        solution = solve_inputs(other_inputs, say, shadow_prices=False)
    else:
        solution = result.solution
    other = PlanResult(scenario=other_scenario, inputs=other_inputs, solution=solution)
    pooled, alone = (result, other) if meta.policy.pooling else (other, result)
    gains = bn.months_gained(alone.targets, pooled.targets, meta.horizon)
    gains = gains.rename(
        columns={
            "months_to_target_base": "months_to_target_alone",
            "months_to_target_new": "months_to_target_pooled",
            "gained": "months_gained_by_pooling",
        }
    )
    pooled_totals, alone_totals = pooled.totals(), alone.totals()
    pooled_spend = float(pooled_totals["spending_total"])
    alone_spend = float(alone_totals["spending_total"])
    gains.attrs.update(
        {
            "spending_pooled": pooled_spend,
            "spending_alone": alone_spend,
            "money_saved": alone_spend - pooled_spend,
            "objective_pooled": pooled.objective,
            "objective_alone": alone.objective,
            "shortfall_gain": alone.objective - pooled.objective,
            "unmet_demand_pooled": float(pooled_totals["unmet_demand_total"]),
            "unmet_demand_alone": float(alone_totals["unmet_demand_total"]),
            "has_tiers": result.inputs.has_tiers,
            "comparison_status": str(other.status),
            "comparison_mip_gap": flipped_policy.mip_gap,
            "currency": meta.currency,
        }
    )
    return gains
