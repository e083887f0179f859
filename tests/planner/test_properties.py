"""Properties of every plan, on random small scenarios (hypothesis).

Checked on the solution arrays, independently of the planner's own tables: deliveries
constant within each contract period, stock balance in every month, the producer's
stock, ramp rates, line and component capacity, budgets, money as the conventions
define it, that pooling never makes a plan worse, and that a warm what-if gives the
objective of a cold solve of the changed scenario.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from materiel.planner.api import plan
from materiel.planner.result import PlanResult
from materiel.scenario.load import load_scenario
from materiel.scenario.schema import month_label
from tests.scenario_kit import write_scenario

pytestmark = pytest.mark.slow  # about 40-100 s: many random scenarios, each planned twice

ALLIES = ["AAA", "BBB", "CCC"]
TOL = 1e-6
EXAMPLES = int(os.environ.get("MATERIEL_PROPERTY_EXAMPLES", "20"))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """Tables and scenario.yaml fields of a random small scenario."""
    horizon = draw(st.integers(6, 18))
    start_month = draw(st.integers(1, 12))
    start = f"2025-{start_month:02d}"
    years = sorted({2025 + (start_month - 1 + t) // 12 for t in range(horizon)})
    allies = ALLIES[: draw(st.integers(1, 3))]
    n_items = draw(st.integers(1, 3))
    grouped = n_items >= 2 and draw(st.booleans())
    items = []
    for i in range(n_items):
        row: dict[str, Any] = {
            "code": f"I{i}",
            "name": f"Item {i}",
            "unit_price": draw(st.integers(1, 1000)),
        }
        if grouped and i < 2:
            row["group"] = "G"
        items.append(row)
    codes = [r["code"] for r in items]

    tiers = []
    if draw(st.booleans()):
        for item in items:
            if draw(st.booleans()):
                qty, price = 0, item["unit_price"]
                for _ in range(draw(st.integers(1, 2))):
                    qty += draw(st.integers(10, 200))
                    price = max(1, int(price * draw(st.floats(0.5, 0.95))))
                    tiers.append({"item": item["code"], "min_quantity": qty, "unit_price": price})

    lines = []
    for j in range(draw(st.integers(1, 3))):
        capacity = draw(st.integers(0, 50))
        lines.append(
            {
                "id": f"L{j}",
                "item": draw(st.sampled_from(codes)),
                "producer": f"P{j}",
                "host": draw(st.sampled_from(allies)),
                "capacity": capacity,
                "ceiling": capacity + draw(st.sampled_from([0, 0, 10, 40])),
                "lead_time": draw(st.integers(0, 4)),
                "delivery_lag": draw(st.integers(0, 3)),
                "expansion_cost": draw(st.sampled_from([0, 5, 50, 500])),
                "ramp": draw(st.sampled_from([1e9, 1e9, 2, 10])),
                "min_utilisation": draw(st.sampled_from([0, 0, 0.5])),
                "idle_cost": draw(st.sampled_from([0, 3])),
            }
        )

    components, bom = [], []
    if draw(st.booleans()):
        for c in range(draw(st.integers(1, 2))):
            supply = draw(st.integers(0, 60))
            components.append(
                {
                    "code": f"C{c}",
                    "name": f"Component {c}",
                    "supply": supply,
                    "ceiling": supply + draw(st.sampled_from([0, 20])),
                    "lead_time": draw(st.integers(0, 3)),
                    "expansion_cost": draw(st.sampled_from([0, 20])),
                }
            )
            for code in codes:
                if draw(st.booleans()):
                    bom.append(
                        {
                            "item": code,
                            "component": f"C{c}",
                            "quantity": draw(st.sampled_from([0.5, 1, 2])),
                        }
                    )

    stockpiles = []
    for ally in allies:
        for code in codes:
            if draw(st.booleans()) or not stockpiles:
                target = draw(st.sampled_from([0, 50, 200, 600]))
                row = {
                    "ally": ally,
                    "item": code,
                    "initial": draw(st.integers(0, 100)),
                    "target": target,
                    "priority": draw(st.sampled_from([1, 1, 3])),
                }
                # Rows without a target may go without a target_date too.
                if target or draw(st.booleans()):
                    row["target_date"] = month_label(draw(st.integers(0, horizon - 1)), start)
                stockpiles.append(row)

    demand = []
    for row in stockpiles:
        if draw(st.integers(0, 3)) == 0:
            first = draw(st.integers(0, horizon - 1))
            last = draw(st.integers(first, horizon - 1))
            demand.append(
                {
                    "ally": row["ally"],
                    "item": row["item"],
                    "kind": "consumption",
                    "start": month_label(first, start),
                    "end": month_label(last, start),
                    "per_month": draw(st.integers(1, 30)),
                }
            )

    budgets = [
        {"ally": ally, "year": year, "amount": draw(st.sampled_from([0, 2_000, 50_000, 1e6, 1e9]))}
        for ally in allies
        for year in years
    ]

    tables: dict[str, list[dict[str, Any]]] = {
        "allies": [{"code": a, "name": f"Ally {a}"} for a in allies],
        "items": items,
        "lines": lines,
        "stockpiles": stockpiles,
        "budgets": budgets,
    }
    for name, rows in (
        ("price_tiers", tiers),
        ("components", components),
        ("bom", bom),
        ("demand", demand),
    ):
        if rows:
            tables[name] = rows
    meta = {
        "start": start,
        "horizon": horizon,
        "policy": {
            "industry_rule_months": draw(st.sampled_from([0, 0, 3, 6])),
            "mip_gap": 0,
            "order_period_months": draw(st.sampled_from([1, 3, 12])),
            "expansion_funding": draw(st.sampled_from(["host", "users"])),
        },
    }
    return tables, meta


def _values(result: PlanResult, name: str, like: xr.DataArray) -> xr.DataArray:
    """A solution array aligned to ``like`` with zeros where the variable does not exist."""
    values = result.solution.values.get(name)
    if values is None:
        return xr.zeros_like(like, dtype=float)
    return values.fillna(0.0).reindex_like(like, fill_value=0.0)


def arrivals(result: PlanResult) -> xr.DataArray:
    """New orders arriving (line, ally, month), from the contract rates and the rule:
    period p(t) = t // order_period_months, nothing before the line's lag."""
    inp = result.inputs
    rate = _values(
        result,
        "rate",
        inp.uses.astype(float)
        * xr.zeros_like(
            xr.DataArray(
                np.zeros(inp.periods), dims=["period"], coords={"period": np.arange(inp.periods)}
            )
        ),
    )
    period = inp.scenario.meta.policy.order_period_months
    out = np.zeros((inp.uses.sizes["line"], inp.uses.sizes["ally"], inp.horizon))
    for li in range(out.shape[0]):
        lag = int(inp.lag.values[li])
        for t in range(lag, inp.horizon):
            out[li, :, t] = rate.values[li, :, t // period]
    return xr.DataArray(
        out,
        dims=["line", "ally", "month"],
        coords={
            "line": inp.uses.coords["line"],
            "ally": inp.uses.coords["ally"],
            "month": inp.fixed_make.coords["month"],
        },
    )


def check_deliveries_are_steady(result: PlanResult) -> None:
    # Within a contract period every buyer's deliveries from a line are the same each
    # month (from the line's first delivery on), and the contracts table adds up to them.
    inp = result.inputs
    period = inp.scenario.meta.policy.order_period_months
    arrive = result.deliveries
    for line in arrive.coords["line"].values:
        lag = int(inp.lag.sel(line=line))
        series = arrive.sel(line=line).values  # (ally, month)
        for t in range(lag + 1, inp.horizon):
            if t // period == (t - 1) // period:
                np.testing.assert_allclose(series[:, t], series[:, t - 1], atol=TOL)
    np.testing.assert_allclose(arrive.values, arrivals(result).values, atol=TOL)
    table = result.contracts
    for line in arrive.coords["line"].values:
        total = float(arrive.sel(line=line).sum())
        listed = float(table.loc[table["line"] == line, "quantity"].sum())
        assert abs(total - listed) <= 1e-5 * max(1.0, total), (line, total, listed)


def check_stock_balance(result: PlanResult) -> None:
    # stock[t] = stock[t-1] + arrivals[t] - demand[t] + unmet[t], stock[-1] = initial,
    # arrivals = deliveries from every line of the group + existing contracts.
    inp = result.inputs
    stock = result.solution.values["stock"]
    has = inp.has_stock
    onehot = (inp.line_group == has.coords["group"]).astype(float)
    arrived = (onehot * arrivals(result)).sum("line") + inp.fixed_arrival
    unmet = _values(result, "unmet_demand", inp.demand)
    previous = stock.shift(month=1)
    previous[{"month": 0}] = inp.initial
    residual = stock - previous - arrived + inp.demand - unmet
    scale = np.maximum(1.0, abs(stock).fillna(0.0))
    bad = (abs(residual) > TOL * scale) & has
    assert not bool(bad.any()), residual.where(bad, drop=True)
    assert float(stock.where(has).min()) >= -TOL
    assert float(unmet.min()) >= -TOL
    # unmet demand is demand not served: never more than the month's demand (else the
    # balance would let the plan conjure stock out of nothing)
    excess = unmet - inp.demand
    assert float(excess.max()) <= TOL * max(1.0, float(inp.demand.max())), excess.max()


def check_production_and_capacity(result: PlanResult) -> None:
    inp = result.inputs
    months = inp.fixed_make.coords["month"]
    make = _values(result, "make", inp.fixed_make)
    held = _values(result, "held_by_producer", inp.fixed_make)
    added = _values(result, "added_capacity", inp.fixed_make)
    arrive = arrivals(result).sum("ally")
    scale = TOL * max(1.0, float(inp.ceiling.max()))
    for line in inp.cap0.coords["line"].values:
        lag = int(inp.lag.sel(line=line))
        # dispatched in t = arriving in t + lag; made before it is dispatched
        sent = np.zeros(inp.horizon)
        sent[: inp.horizon - lag] = arrive.sel(line=line).values[lag:]
        made = make.sel(line=line).values  # for new orders; existing contracts apart
        np.testing.assert_allclose(
            held.sel(line=line).values, np.cumsum(made - sent), atol=scale * inp.horizon
        )
        assert held.sel(line=line).values.min() >= -scale
        # output for new orders rises by at most the ramp rate a month, from the output
        # now less what existing contracts take
        start = max(0.0, float(inp.output_now.sel(line=line) - inp.fixed_make.sel(line=line)[0]))
        rise = np.diff(made, prepend=start)
        assert rise.max() <= float(inp.ramp.sel(line=line)) + scale
    # make + fixed <= cap0 + added; 0 <= added <= ceiling - cap0; added = 0 before lead
    output = make + inp.fixed_make
    over = output - (inp.cap0 + added)
    assert float(over.max()) <= scale, over
    assert float(added.min()) >= -TOL
    assert bool((added <= inp.ceiling - inp.cap0 + TOL).all())
    early = added.where(months < inp.lead, 0.0)
    assert float(abs(early).max()) <= TOL
    assert bool((added.diff("month") >= -TOL).all())  # capacity is kept
    assert float(make.min()) >= -TOL
    if inp.bom.sizes["component"]:
        supply_added = _values(
            result, "added_supply", xr.zeros_like(inp.supply0 * inp.fixed_make.sum("line"))
        )
        used = (inp.bom * output).sum("line")
        limit = inp.supply0 + supply_added
        assert float((used - limit).max()) <= TOL * max(1.0, float(limit.max()))
        early_supply = supply_added.where(months < inp.supply_lead, 0.0)
        assert float(abs(early_supply).max()) <= TOL


def check_budgets_and_money(result: PlanResult) -> None:
    inp = result.inputs
    spend = result.spending()
    over = spend["total"] - spend["budget"] * (1 + TOL) - TOL
    assert (over <= 0).all(), spend
    if inp.has_tiers:
        return
    # Without tiers, money by ally and year is: unit price x units delivered in the year,
    # plus its share (policy.expansion_funding) of expansion cost x capacity added in the
    # year the capacity was ordered (usable month - lead time), and of idle capacity.
    year = inp.month_year
    price = inp.price.isel(tier=0).sel(item=inp.line_item.values)
    price = price.assign_coords(item=inp.line_item.coords["line"].values).rename(item="line")
    goods = (price * arrivals(result)).groupby(year).sum().sum("line")
    expected = (
        goods.to_series()
        .unstack("year")
        .reindex(columns=inp.months_in_year.coords["year"].values, fill_value=0.0)
    )
    for name, cost, lead, share, dim in (
        ("added_capacity", inp.expansion_cost, inp.lead, inp.line_payer, "line"),
        ("added_supply", inp.supply_cost, inp.supply_lead, inp.supply_payer, "component"),
    ):
        added = result.solution.values.get(name)
        if added is None:
            continue
        added = added.fillna(0.0)
        grow = added - added.shift(month=1, fill_value=0.0)
        for key in added.coords[dim].values:
            lead_k = int(lead.sel({dim: key}))
            for t, g in enumerate(grow.sel({dim: key}).values):
                if abs(g) > 0:
                    for ally in expected.index:
                        part = float(share.sel({dim: key, "ally": ally}))
                        expected.loc[ally, int(year.values[t - lead_k])] += (
                            part * float(cost.sel({dim: key})) * g
                        )
    idle = result.solution.values.get("idle_capacity")
    if idle is not None:
        paid = (inp.idle_cost * idle.fillna(0.0)).groupby(year).sum()
        by_ally = (inp.line_payer * paid).sum("line").to_series().unstack("year")
        expected = expected + by_ally.reindex_like(expected).fillna(0.0)
    actual = spend.set_index(["ally", "year"])["new_orders_and_expansion"].unstack("year")
    np.testing.assert_allclose(
        actual.to_numpy(),
        expected.loc[actual.index, actual.columns].to_numpy(),
        rtol=1e-6,
        atol=1e-4,
    )


def check_warm_what_if_equals_cold(folder: Path) -> None:
    # The first budget, line or component limit made 10 % larger: the warm re-solve on
    # the solved model gives the objective of a cold solve of the changed scenario.
    from materiel.planner import bottlenecks as bn
    from materiel.planner import families
    from materiel.planner.solve import solve_inputs
    from materiel.planner.whatif import what_if
    from materiel.scenario.arrays import build_inputs

    inp = build_inputs(load_scenario(folder))
    solved = solve_inputs(inp, cost_stage=False)
    for kind, dim in (("budget", "ally"), ("line", "line"), ("component", "component")):
        coords = (
            (inp.budget if kind == "budget" else inp.cap0 if kind == "line" else inp.supply0)
            .coords[dim]
            .values
        )
        if len(coords) == 0:
            continue
        name = str(coords[0])
        relax = families.relaxation(kind)
        assert relax is not None
        warm, _ = what_if(solved, relax(inp, name))
        changed = bn.relaxed_inputs(inp, kind, name)
        assert changed is not None
        # what-ifs re-solve the plan's LP (lots relaxed): the cold side is that LP too
        cold = solve_inputs(changed, cost_stage=False).solution.base_objective
        tol = 1e-6 * max(1.0, abs(cold))
        if inp.has_tiers:  # the cold solve may pick other tiers: never worse than warm
            assert cold <= warm + tol, (kind, name, warm, cold)
        else:
            assert abs(warm - cold) <= tol, (kind, name, warm, cold)


def _plan(folder: Path, pooling: bool) -> PlanResult:
    scenario = load_scenario(folder, overrides=[f"policy.pooling={str(pooling).lower()}"])
    return plan(scenario, explain=0, compare_pooling=False)


# Each example solves twice (a few tenths of a second each); shrinking a failure can
# take minutes, so it is on only when MATERIEL_PROPERTY_SHRINK is set.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target] + (
    [Phase.shrink] if os.environ.get("MATERIEL_PROPERTY_SHRINK") else []
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_plans_hold_their_invariants(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    tables, meta = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_scenario(Path(tmp) / "s", tables, **meta)
        pooled = _plan(folder, True)
        # Without price tiers pooling has nothing to act on and the model is the same;
        # solving it again would only double the run time.
        alone = _plan(folder, False) if pooled.inputs.has_tiers else None
        check_warm_what_if_equals_cold(folder)
    for result in (pooled, alone):
        if result is not None:
            check_deliveries_are_steady(result)
            check_stock_balance(result)
            check_production_and_capacity(result)
            check_budgets_and_money(result)
    if alone is None:
        return
    # Pooling never makes the weighted shortfall worse, and at equal shortfall never
    # costs more (any plan bought alone can be bought pooled at the same or lower tier
    # prices, since tier prices fall with quantity).
    tol = TOL * max(1.0, abs(alone.objective))
    assert pooled.objective <= alone.objective + tol
    if abs(pooled.objective - alone.objective) <= tol:
        assert pooled.solution.cost <= alone.solution.cost * (1 + TOL) + TOL
