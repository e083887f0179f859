"""The price of the work share rule (``policy.work_share``), ally by ally.

The rule itself is :func:`materiel.planner.model.define_work_share`: one row per ally,
``Σ v·(h − s)·rate ≥ 0``, whose right-hand side is 0. Dropping the rule is a change of
those rows' lower bounds (to −∞), so its price is a what-if on the solved model,
re-solved warm like the others (:mod:`materiel.planner.whatif`): the plan's LP (tiers
held, lots relaxed, contracts placed relaxed between 0 and 1 in both, so that only the
rule differs) is solved for the least weighted shortfall and then the least cost at it,
with the rule and without; the differences, per ally, are the rule's price in
target-months and in money. Like every what-if it is measured on an LP, not on the plan
in whole lots.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import xarray as xr

from materiel.errors import SolveError
from materiel.planner import compat, lots
from materiel.planner.aid import AV
from materiel.planner.model import (
    C,
    E,
    V,
    below_floor_weight,
    objective_weights,
    order_value_coef,
    work_share_partners,
)
from materiel.planner.solve import Solved, _cost_stage, _evaluate, _Infeasible, run
from materiel.scenario import ModelInputs

COLUMNS = [
    "ally",
    "work_share_group",
    "required_pct",
    "orders_value",
    "placed_at_home",
    "placed_at_home_pct",
    "shortfall_with",
    "shortfall_without",
    "shortfall_price",
    "spending_with",
    "spending_without",
    "money_price",
]


def placed_at_home(inp: ModelInputs, rate: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """The value of each ally's new orders and the part of it placed with lines that
    count for its work share, at the items' base prices [currency] (ally)."""
    value = order_value_coef(inp) * rate.fillna(0.0) * inp.money_scale
    home = work_share_partners(inp).astype(float)
    return value.sum(["line", "period"]), (home * value).sum(["line", "period"])


def _by_ally(solved: Solved, x: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """Weighted shortfall (below a floor too) and unmet demand [target-months] and
    spending [currency] by ally, of the plan ``x`` of the stage-1 model (a recipient's
    requirements are no ally's: their part is in the alliance's total only)."""
    m, layout, inp = solved.model, solved.layout, solved.inputs
    w_short, w_unmet = objective_weights(inp)
    shortfall = xr.zeros_like(inp.target)
    parts = [(V.SHORT, w_short), (V.UNMET, w_unmet)]
    below = below_floor_weight(inp)
    if below is not None:  # stock below a floor: the rest of its weight (aid.band_weights)
        parts.append((AV.BELOW, below))
    for name, weight in parts:
        if name in m.variables:
            part = (weight * compat.values_of(m.variables[name], layout, x).fillna(0.0)).sum(
                "month"
            )
            shortfall = shortfall + part.reindex_like(shortfall, fill_value=0.0)
    spending = _evaluate(m.expressions[E.SPENDING], layout, x).sum("year") * inp.money_scale
    return shortfall.sum("group").to_series(), spending.to_series()


def _least_cost(solved: Solved) -> tuple[float, np.ndarray]:
    """Solve the stage-1 model as it now is (warm): its least weighted shortfall and the
    least-cost plan at it."""
    h, m, layout, inp = solved.highs, solved.model, solved.layout, solved.inputs
    try:
        run(h, inp, method="simplex")
    except _Infeasible:
        raise SolveError("the plan's LP is infeasible") from None
    best = float(h.getInfo().objective_function_value)
    x, _ = _cost_stage(h, m, layout, inp, best)
    return best, x


def work_share_price(solved: Solved, say: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Per ally: the work share required, the value of its orders and the part placed at
    home in the plan [currency]; its weighted shortfall [target-months] and spending
    [currency] on the plan's LP with the rule and without, and their differences (the
    price). Empty (the columns only) without the rule (work_share 0). The
    alliance's totals are in ``attrs`` (for the report, not for a nation's view)."""
    say = say or (lambda _msg: None)
    m, layout, inp = solved.model, solved.layout, solved.inputs
    frame = pd.DataFrame(columns=COLUMNS)
    frame.attrs["units"] = _units(inp)
    if inp.scenario.meta.policy.work_share <= 0:
        return frame
    say("what-if: the plan without the work share rule")
    h = solved.highs
    rows = np.zeros(0, dtype=np.int32)
    if C.WORK_SHARE in m.constraints:  # none where every ally's lines all count
        rows = layout.rows(m.constraints[C.WORK_SHARE]).values
        rows = rows[rows >= 0].astype(np.int32)
    lp = h.getLp()
    lower, upper = np.asarray(lp.row_lower_)[rows], np.asarray(lp.row_upper_)[rows]
    # The contracts placed are the plan's, made with the rule: a contract only the rule
    # asked for would stay placed (at its least rate) without it. Both solves leave
    # them free between 0 and 1 (the relaxation of placing), so that only the rule
    # differs between them.
    placed = lots.columns(m, layout, V.PLACED)
    col_lower = np.asarray(lp.col_lower_)[placed]
    col_upper = np.asarray(lp.col_upper_)[placed]
    h.changeColsBounds(len(placed), placed, np.zeros(len(placed)), np.ones(len(placed)))
    try:
        with_rule, x_with = _least_cost(solved)
        without, x_without = with_rule, x_with
        if len(rows):
            compat.change_rows_bounds(h, rows, np.full(len(rows), -np.inf), upper)
            try:
                without, x_without = _least_cost(solved)
            finally:
                compat.change_rows_bounds(h, rows, lower, upper)
    except SolveError as exc:  # a side solve never costs the plan
        say(f"the work share's price is unavailable: {exc}")
        frame.attrs["unavailable"] = str(exc)
        return frame
    finally:
        h.changeColsBounds(len(placed), placed, col_lower, col_upper)
        run(h, inp, method="simplex")  # back to the plan's LP, for later what-ifs
    short_with, spend_with = _by_ally(solved, x_with)
    short_without, spend_without = _by_ally(solved, x_without)
    total, home = placed_at_home(inp, solved.solution.values[V.RATE])
    group = {r.code: r.work_share_group or "" for r in inp.scenario.records("allies")}
    share = inp.scenario.meta.policy.work_share
    out = pd.DataFrame({"ally": [str(a) for a in total.coords["ally"].values]})
    out["work_share_group"] = [group.get(a, "") for a in out["ally"]]
    out["required_pct"] = 100.0 * share
    out["orders_value"] = total.values
    out["placed_at_home"] = home.values
    ordered = out["orders_value"].where(out["orders_value"] > 0)  # NaN: no orders
    out["placed_at_home_pct"] = 100.0 * out["placed_at_home"] / ordered
    for column, series in (
        ("shortfall_with", short_with),
        ("shortfall_without", short_without),
        ("spending_with", spend_with),
        ("spending_without", spend_without),
    ):
        out[column] = series.reindex(out["ally"]).fillna(0.0).to_numpy()
    out["shortfall_price"] = out["shortfall_with"] - out["shortfall_without"]
    out["money_price"] = out["spending_with"] - out["spending_without"]
    out = out[COLUMNS]
    out.attrs["units"] = _units(inp)
    out.attrs.update(
        objective_with=with_rule,
        objective_without=without,
        shortfall_price=with_rule - without,
        money_price=float(out["money_price"].sum()),
        work_share=share,
    )
    return out


def _units(inp: ModelInputs) -> dict[str, str]:
    currency = inp.scenario.meta.currency
    money = ("orders_value", "placed_at_home", "spending_with", "spending_without", "money_price")
    units = dict.fromkeys(money, currency)
    months = ("shortfall_with", "shortfall_without", "shortfall_price")
    units.update(dict.fromkeys(months, "target-months"))
    return units
