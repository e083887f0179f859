"""What binds: constraints ranked by shadow price, and what relaxing them is worth.

Shadow prices of different constraints have different units (per unit of capacity, per
unit of currency), so each is turned into the same measure: the first-order change of
the objective [target-months] if the limit were 10 % larger. The top few are then
re-solved with the limit really 10 % larger, and the change in months to target said
in words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd
import xarray as xr

from materiel.planner.inputs import ModelInputs
from materiel.planner.model import C, V
from materiel.planner.solve import Solution

RELAX = 0.10  # relative relaxation used to compare and to re-solve
_EPS = 1e-9


def rank(inp: ModelInputs, sol: Solution) -> pd.DataFrame:
    """Binding limits with their first-order value, largest first.

    Columns: kind (line | component | budget | industry_rule), name, shadow_price (sum over
    months or years of the dual, objective units per unit of the limit), gain (first-order
    objective improvement from a 10 % larger limit [target-months]).
    """
    rows: list[dict[str, object]] = []
    # Each limit grows by what relaxed_inputs() adds to the constraint's right-hand side:
    # 10 % of capacity now (and of the room to the ceiling), of supply, of the budget.
    added = sol.values.get(V.ADDED)
    _collect(rows, "line", sol.duals.get(C.CAPACITY), inp.cap0, "line")
    _collect(rows, "line", sol.duals.get(C.CEILING), inp.ceiling - inp.cap0, "line")
    _collect(rows, "component", sol.duals.get(C.SUPPLY), inp.supply0, "component")
    _collect(
        rows,
        "component",
        sol.duals.get(C.SUPPLY_CEILING),
        inp.supply_ceiling - inp.supply0,
        "component",
    )
    _collect(rows, "budget", sol.duals.get(C.BUDGET), inp.budget, "ally")
    if C.INDUSTRY in sol.duals and added is not None:
        k = inp.scenario.meta.policy.industry_rule_months
        _collect(
            rows, "industry_rule", sol.duals[C.INDUSTRY], k * added.fillna(0).isel(month=-1), "line"
        )
    if not rows:
        return pd.DataFrame(columns=["kind", "name", "shadow_price", "gain"])
    frame = pd.DataFrame(rows).groupby(["kind", "name"], as_index=False).sum()
    frame = frame[frame["gain"] > _EPS].sort_values("gain", ascending=False)
    return frame.reset_index(drop=True)


def _collect(
    rows: list[dict[str, object]],
    kind: str,
    dual: xr.DataArray | None,
    limit: xr.DataArray,
    dim: str,
) -> None:
    if dual is None or dual.size == 0:
        return
    magnitude = abs(dual.fillna(0.0))
    gain = (magnitude * RELAX * abs(limit)).broadcast_like(magnitude)
    others = [d for d in magnitude.dims if d != dim]
    price = magnitude.sum(others) if others else magnitude
    gain_sum = gain.sum(others) if others else gain
    for name in magnitude.coords[dim].values:
        rows.append(
            {
                "kind": kind,
                "name": str(name),
                "shadow_price": float(price.sel({dim: name})),
                "gain": float(gain_sum.sel({dim: name})),
            }
        )


def relaxed_inputs(inp: ModelInputs, kind: str, name: str) -> tuple[ModelInputs, float] | None:
    """Inputs with one limit 10 % larger, and the increase [units/month or currency/year]."""
    factor = 1.0 + RELAX
    if kind == "line":
        sel = inp.cap0.coords["line"] == name
        base = (
            float(inp.ceiling.sel(line=name))
            if inp.scenario.meta.policy.expansion
            else float(inp.cap0.sel(line=name))
        )
        new = dataclasses.replace(
            inp,
            cap0=inp.cap0.where(~sel, inp.cap0 * factor),
            ceiling=inp.ceiling.where(~sel, inp.ceiling * factor),
        )
        return new, base * RELAX
    if kind == "component":
        sel = inp.supply0.coords["component"] == name
        base = float(inp.supply_ceiling.sel(component=name))
        new = dataclasses.replace(
            inp,
            supply0=inp.supply0.where(~sel, inp.supply0 * factor),
            supply_ceiling=inp.supply_ceiling.where(~sel, inp.supply_ceiling * factor),
        )
        return new, base * RELAX
    if kind == "budget":
        sel = inp.budget.coords["ally"] == name
        per_year = float(inp.budget.sel(ally=name).sum() / inp.months_in_year.sum() * 12)
        return dataclasses.replace(inp, budget=inp.budget.where(~sel, inp.budget * factor)), (
            per_year * RELAX
        )
    return None


def months_gained(base: pd.DataFrame, new: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Months to target before and after, per ally and group; not met counts as H.

    Months come from one of possibly many equally good plans: a table for the record,
    never the headline of a comparison (see :func:`describe`).
    """
    keys = ["ally", "group", "label"]
    merged = base[[*keys, "months_to_target"]].merge(
        new[[*keys, "months_to_target"]], on=keys, suffixes=("_base", "_new")
    )
    before = merged["months_to_target_base"].fillna(horizon)
    after = merged["months_to_target_new"].fillna(horizon)
    merged["gained"] = (before - after).astype(int)
    return merged


def describe(
    kind: str,
    name: str,
    increase: float,
    unit: str,
    before: float,
    after: float,
    by_group: pd.Series,
    names: Callable[[str, str], str],
) -> str:
    """One sentence a planner can read, in measures that do not depend on which of
    several equally good plans the solver returned: the weighted shortfall (with unmet
    demand) before and after [target-months], and the groups where it fell.

    ``by_group`` is the change by group label, after minus before (negative = better).
    A larger limit cannot make the optimum worse; a rise within solver accuracy is
    reported as no change.
    """
    pct = f"{RELAX:.0%}"
    if kind == "line":
        head = f"{pct} more capacity on line {names('line', name)} (+{increase:,.4g} {unit})"
    elif kind == "component":
        head = f"{pct} more supply of {names('component', name)} (+{increase:,.4g} {unit})"
    else:
        head = f"{pct} more budget for {names('ally', name)} (+{increase:,.0f} {unit})"
    gain = before - after
    if gain <= 1e-6 * max(1.0, abs(before)):
        return (
            f"{head} does not lower the weighted shortfall ({before:,.4g} target-months): "
            "something else binds as soon as it grows."
        )
    share = f"{100 * gain / before:.1f}%" if before > 0 else "all of it"
    text = (
        f"{head} lowers the weighted shortfall by {gain:,.4g} target-months "
        f"(from {before:,.4g} to {after:,.4g}, {share})"
    )
    falls = by_group[by_group < -0.05 * gain].sort_values()
    if len(falls):
        parts = [f"{label} {-float(v):,.3g}" for label, v in falls.head(3).items()]
        text += ", most in " + ", ".join(parts)
    return text + "."
