"""Scenario tables -> labelled arrays: the view of a scenario the planner and the
simulator share.

Dimensions: ``line``, ``ally``, ``group`` (interoperability group: the unit of stock),
``item``, ``component``, ``tier`` (volume price tier), ``month`` (0..H-1), ``year``.
Quantities are [units] or [units/month]; money is in the scenario's currency and price
year. Nothing here touches the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import xarray as xr

from materiel.errors import InfeasibleError
from materiel.scenario.aid import AidInputs, aid_inputs
from materiel.scenario.model import Scenario
from materiel.scenario.schema import parse_month
from materiel.scenario.sources import (
    Qualifications,
    Suppliers,
    build_qualifications,
    build_suppliers,
    check_fixed_supply,
)


@dataclass(frozen=True)
class ModelInputs:
    """Everything the model needs, as arrays with named dimensions."""

    scenario: Scenario
    # line attributes
    cap0: xr.DataArray  # [units/month] (line): capacity now
    output_now: xr.DataArray  # [units/month] (line): output before month 0 (for ramps)
    ceiling: xr.DataArray  # [units/month] (line)
    lead: xr.DataArray  # [months] (line)
    lag: xr.DataArray  # [months] (line)
    ramp: xr.DataArray  # [units/month per month] (line): most output changes in a month
    min_util: xr.DataArray  # [-] (line): orders kept as a share of capacity, else idle cost
    idle_cost: xr.DataArray  # [currency per unit/month idle for a month] (line)
    expansion_cost: xr.DataArray  # [currency per unit/month] (line)
    lot: xr.DataArray  # [units] (line): contracts buy whole lots of the line's item
    min_rate: xr.DataArray  # [units/month] (line): least rate of a contract, 0 for none
    sustaining_rate: xr.DataArray  # [units/month] (line): least output while open, 0: none
    closure_cost: xr.DataArray  # [currency] (line)
    restart_periods: xr.DataArray  # [contract periods] (line): closed at least this long
    line_item: xr.DataArray  # item code (line)
    line_group: xr.DataArray  # group code (line)
    uses: xr.DataArray  # bool (line, ally): the ally stocks the line's group
    # stocks
    has_stock: xr.DataArray  # bool (ally, group)
    initial: xr.DataArray  # [units] (ally, group)
    target: xr.DataArray  # [units] (ally, group)
    target_month: xr.DataArray  # month index, -1 for none (ally, group)
    priority: xr.DataArray  # [-] (ally, group)
    demand: xr.DataArray  # [units/month] (ally, group, month)
    aid_demand: xr.DataArray  # [units/month] (ally, group, month): the aid part of demand
    # contracts in force
    fixed_make: xr.DataArray  # [units/month] (line, month): output bound to existing contracts
    fixed_arrival: xr.DataArray  # [units/month] (ally, group, month)
    fixed_delivery: xr.DataArray  # [units/month] (line, ally, month): fixed_arrival by line
    fixed_spend: xr.DataArray  # [currency] (ally, year)
    # components
    bom: xr.DataArray  # [component units per unit] (line, component)
    supply0: xr.DataArray  # [units/month] (component)
    supply_ceiling: xr.DataArray
    supply_lead: xr.DataArray
    supply_cost: xr.DataArray  # [currency per unit/month]
    comp_users: xr.DataArray  # bool (component, ally)
    # who pays for expansions (policy.expansion_funding): shares summing to 1 per line
    line_payer: xr.DataArray  # [-] (line, ally)
    supply_payer: xr.DataArray  # [-] (component, ally)
    # money
    price: xr.DataArray  # [currency/unit] (item, tier); NaN where the tier does not exist
    tier_min: xr.DataArray  # [units] (item, tier)
    budget: xr.DataArray  # [currency] (ally, year), prorated to the months in the horizon
    month_year: xr.DataArray  # calendar year of each month (month)
    months_in_year: xr.DataArray  # (year)
    month_period: xr.DataArray  # contract period of each month (month)
    # suppliers of components and qualifications of items (scenario.sources); None: none
    suppliers: Suppliers | None = None
    qualifications: Qualifications | None = None
    # a recipient's requirements, shared out among donors (None: no requirements table)
    aid: AidInputs | None = None

    @property
    def horizon(self) -> int:
        return int(self.month_year.sizes["month"])

    @property
    def periods(self) -> int:
        return int(self.month_period.max()) + 1

    @property
    def money_scale(self) -> float:
        """Money in the model is in units of this [currency]: millions where budgets are
        large, so that coefficients and right-hand sides stay near 1."""
        largest = max(float(self.budget.max()) if self.budget.size else 0.0, 1.0)
        return 1e6 if largest >= 1e8 else 1.0

    @property
    def has_tiers(self) -> bool:
        return bool((self.price.notnull().sum("tier") > 1).any())

    @property
    def whole_lots(self) -> bool:
        return self.scenario.meta.policy.whole_lots

    @property
    def has_min_rates(self) -> bool:
        """A line takes contracts only from a least rate (binary decisions)."""
        return self.whole_lots and bool((self.min_rate > 0).any())

    @property
    def warm_lines(self) -> xr.DataArray:
        """Lines with a sustaining rate: open or closed by decision (line), bool."""
        return self.sustaining_rate > 0

    @property
    def pooling_matters(self) -> bool:
        """Pooling changes the model: volume prices, or least contract rates that small
        buyers reach only together."""
        return self.has_tiers or self.has_min_rates


def build_inputs(scenario: Scenario) -> ModelInputs:
    """Arrays for the model; InfeasibleError where existing contracts cannot hold."""
    horizon = scenario.horizon
    months = pd.RangeIndex(horizon, name="month")
    y0, m0 = parse_month(scenario.start)
    years_of = np.array([y0 + (m0 - 1 + t) // 12 for t in range(horizon)])
    years = pd.Index(sorted(set(years_of.tolist())), name="year")
    month_year = xr.DataArray(years_of, coords=[months], name="year")
    period_of = np.arange(horizon) // scenario.meta.policy.order_period_months
    month_period = xr.DataArray(period_of, coords=[months], name="period")
    months_in_year = xr.DataArray([int((years_of == y).sum()) for y in years], coords=[years])

    group_of = scenario.group_of()
    items = scenario.table("items").set_index("code")
    lines = scenario.table("lines").set_index("id")
    allies = scenario.table("allies").set_index("code")
    line_index = pd.Index(lines.index, name="line")
    ally_index = pd.Index(allies.index, name="ally")
    item_index = pd.Index(items.index, name="item")
    groups = pd.Index(sorted(set(group_of.values())), name="group")

    # Stocks by (ally, group): rows of items in one group add up.
    shape = (len(ally_index), len(groups))
    has = np.zeros(shape, dtype=bool)
    initial, target = np.zeros(shape), np.zeros(shape)
    tmonth, prio = np.full(shape, -1, dtype=int), np.zeros(shape)
    a_pos = {a: i for i, a in enumerate(ally_index)}
    g_pos = {g: i for i, g in enumerate(groups)}
    for r in scenario.records("stockpiles"):
        i, j = a_pos[r.ally], g_pos[group_of[r.item]]
        has[i, j] = True
        initial[i, j] += r.initial
        target[i, j] += r.target
        if r.target_date:
            tmonth[i, j] = max(tmonth[i, j], scenario.month_index(r.target_date))
        weight = r.priority * float(allies.at[r.ally, "priority"] * items.at[r.item, "priority"])
        prio[i, j] = max(prio[i, j], weight)
    demand, aid = np.zeros((*shape, horizon)), np.zeros((*shape, horizon))
    for r in scenario.records("demand"):
        i, j = a_pos[r.ally], g_pos[group_of[r.item]]
        has[i, j] = True
        first = max(scenario.month_index(r.start), 0)
        last = min(scenario.month_index(r.end), horizon - 1)
        if first <= last:
            demand[i, j, first : last + 1] += r.per_month
            if r.kind == "aid":
                aid[i, j, first : last + 1] += r.per_month
    ag = [ally_index, groups]
    prio[prio == 0] = 1.0
    line_groups = [group_of[i] for i in lines["item"]]
    line_group = xr.DataArray(np.array(line_groups, dtype=object), coords=[line_index])
    uses = xr.DataArray(
        np.array(
            [[has[a_pos[a], g_pos[g]] for a in ally_index] for g in line_groups], dtype=bool
        ).reshape(len(line_index), len(ally_index)),
        coords=[line_index, ally_index],
    )

    fixed = _contracts(scenario, lines, group_of, ally_index, groups, years, month_year)

    comps = scenario.table("components").set_index("code")
    comp_index = pd.Index(comps.index, name="component")
    bom = np.zeros((len(line_index), len(comp_index)))
    c_pos = {c: i for i, c in enumerate(comp_index)}
    for r in scenario.table("bom").itertuples():
        for li, line_item in enumerate(lines["item"]):
            if line_item == r.item:
                bom[li, c_pos[r.component]] += r.quantity
    bom_da = xr.DataArray(bom, coords=[line_index, comp_index])
    comp_users = (bom_da > 0).astype(float).dot(uses.astype(float)) > 0

    price, tier_min = _tiers(scenario, item_index, items)
    has_da = xr.DataArray(has, coords=ag)
    initial_da, target_da = xr.DataArray(initial, coords=ag), xr.DataArray(target, coords=ag)
    demand_da = xr.DataArray(demand, coords=[ally_index, groups, months])
    requirement = (target_da - initial_da).clip(0, None) + demand_da.sum("month")
    line_payer, supply_payer = funding_shares(
        scenario.meta.policy.expansion_funding,
        requirement=requirement.where(has_da, 0.0),
        line_group=line_group,
        uses=uses,
        host=xr.DataArray(lines["host"].to_numpy(dtype=object), coords=[line_index]),
        bom=bom_da,
    )
    budget = _budgets(scenario, ally_index, years, months_in_year)

    def line_attr(column: str, dtype: type = float) -> xr.DataArray:
        return xr.DataArray(lines[column].to_numpy(dtype=dtype), coords=[line_index])

    def comp_attr(column: str, dtype: type = float) -> xr.DataArray:
        return xr.DataArray(comps[column].to_numpy(dtype=dtype), coords=[comp_index])

    suppliers = build_suppliers(scenario, comp_index, months)
    supply0, supply_ceiling = comp_attr("supply"), comp_attr("ceiling")
    if suppliers is not None:  # a sourced component's supply is its suppliers'
        sourced = suppliers.sourced
        supply0 = xr.where(sourced, suppliers.cap0.dot(suppliers.onehot), supply0)
        supply_ceiling = xr.where(sourced, suppliers.ceiling.dot(suppliers.onehot), supply_ceiling)

    inputs = ModelInputs(
        scenario=scenario,
        cap0=line_attr("capacity"),
        output_now=line_attr("capacity"),
        ceiling=line_attr("ceiling"),
        lead=line_attr("lead_time", int),
        lag=line_attr("delivery_lag", int),
        ramp=xr.DataArray(
            lines["ramp"].fillna(lines["ceiling"] / 12.0).to_numpy(dtype=float),
            coords=[line_index],
        ),
        min_util=line_attr("min_utilisation"),
        idle_cost=line_attr("idle_cost"),
        expansion_cost=line_attr("expansion_cost"),
        lot=xr.DataArray(
            items["lot"].reindex(lines["item"]).fillna(1).to_numpy(dtype=float),
            coords=[line_index],
        ),
        min_rate=line_attr("min_rate"),
        sustaining_rate=line_attr("sustaining_rate"),
        closure_cost=line_attr("closure_cost"),
        restart_periods=xr.DataArray(
            np.ceil(
                lines["restart_months"].to_numpy(dtype=float)
                / scenario.meta.policy.order_period_months
            ).astype(int),
            coords=[line_index],
        ),
        line_item=xr.DataArray(lines["item"].to_numpy(dtype=object), coords=[line_index]),
        line_group=line_group,
        uses=uses,
        has_stock=has_da,
        initial=initial_da,
        target=target_da,
        target_month=xr.DataArray(tmonth, coords=ag),
        priority=xr.DataArray(prio, coords=ag),
        demand=demand_da,
        aid_demand=xr.DataArray(aid, coords=[ally_index, groups, months]),
        bom=bom_da,
        supply0=supply0,
        supply_ceiling=supply_ceiling,
        supply_lead=comp_attr("lead_time", int),
        supply_cost=comp_attr("expansion_cost"),
        comp_users=comp_users,
        line_payer=line_payer,
        supply_payer=supply_payer,
        price=price,
        tier_min=tier_min,
        budget=budget,
        month_year=month_year,
        months_in_year=months_in_year,
        month_period=month_period,
        fixed_make=fixed["fixed_make"],
        fixed_arrival=fixed["fixed_arrival"],
        fixed_delivery=fixed["fixed_delivery"],
        fixed_spend=fixed["fixed_spend"],
        suppliers=suppliers,
        qualifications=build_qualifications(
            scenario,
            xr.DataArray(lines["item"].to_numpy(dtype=object), coords=[line_index]),
            uses,
            item_index,
        ),
    )
    _check_fixed(inputs)
    check_fixed_supply(
        scenario,
        (inputs.bom * inputs.fixed_make).sum("line"),
        (inputs.supply0, inputs.supply_ceiling, inputs.supply_lead),
        suppliers,
    )
    requirements = aid_inputs(
        scenario,
        initial=inputs.initial,
        target=inputs.target,
        demand=inputs.demand,
        fixed_arrival=inputs.fixed_arrival,
    )
    return inputs if requirements is None else replace(inputs, aid=requirements)


def funding_shares(
    rule: str,
    *,
    requirement: xr.DataArray,
    line_group: xr.DataArray,
    uses: xr.DataArray,
    host: xr.DataArray,
    bom: xr.DataArray,
) -> tuple[xr.DataArray, xr.DataArray]:
    """Who pays for an expansion: fixed shares (line, ally) and (component, ally).

    ``users``: the allies that stock a line's group pay in proportion to their
    requirement of the group over the horizon [units] (target above initial stock plus
    demand), equally where none has a requirement; a component supplier's users pay in
    proportion to the component units their requirements take (each group's
    requirement times the most of the component one unit of the group takes).
    ``host``: the line's host nation pays everything; a line whose host is not an ally
    of the scenario, and every component supplier (no host in the table), fall back to
    the users rule. Fixed before the solve, so the split is a rule, not the solver's
    choice (shares of the plan's own orders would make the model non-linear).
    """
    allies = uses.coords["ally"]
    need = requirement.sel(group=line_group).drop_vars("group") * uses
    equal = uses.astype(float)
    line_share = xr.where(need.sum("ally") > 0, need, equal)
    line_share = (line_share / line_share.sum("ally")).fillna(0.0)
    if rule == "host":
        own = (host == allies).astype(float)
        line_share = xr.where(own.sum("ally") > 0, own, line_share)
    per_group = bom.groupby(line_group.rename("group")).max()
    comp_need = (per_group * requirement).sum("group")
    users = (bom > 0).astype(float).dot(uses.astype(float)) > 0
    comp_need = comp_need.where(users, 0.0)
    comp_share = xr.where(comp_need.sum("ally") > 0, comp_need, users.astype(float))
    comp_share = (comp_share / comp_share.sum("ally")).fillna(0.0)
    return line_share.transpose("line", "ally"), comp_share.transpose("component", "ally")


def _contracts(
    scenario: Scenario,
    lines: pd.DataFrame,
    group_of: dict[str, str],
    ally_index: pd.Index,
    groups: pd.Index,
    years: pd.Index,
    month_year: xr.DataArray,
) -> dict[str, xr.DataArray]:
    """Deliveries of existing contracts: spread evenly over their delivery months.

    A contract's deliveries arrive in months start..end; the line makes them
    ``delivery_lag`` months earlier. Framework contracts (firm = false) commit nobody and
    are left out of the model.
    """
    horizon = scenario.horizon
    line_index = pd.Index(lines.index, name="line")
    make = np.zeros((len(line_index), horizon))
    delivery = np.zeros((len(line_index), len(ally_index), horizon))
    spend = np.zeros((len(ally_index), len(years)))
    l_pos = {line: i for i, line in enumerate(line_index)}
    a_pos = {a: i for i, a in enumerate(ally_index)}
    y_pos = {y: i for i, y in enumerate(years)}
    years_of = month_year.values
    for row in scenario.records("contracts"):
        if not row.firm:
            continue
        li = l_pos[row.line]
        lag = int(lines["delivery_lag"].iloc[li])
        first = scenario.month_index(row.start)
        last = scenario.month_index(row.end)
        per_month = row.quantity / (last - first + 1)
        unit_value = row.value / row.quantity
        for t in range(max(first, 0), min(last, horizon - 1) + 1):
            for buyer, share in zip(row.buyer_list(), row.share_list(), strict=True):
                delivery[li, a_pos[buyer], t] += per_month * share
                spend[a_pos[buyer], y_pos[years_of[t]]] += per_month * share * unit_value
        for t in range(max(first - lag, 0), min(last - lag, horizon - 1) + 1):
            make[li, t] += per_month
    months = pd.RangeIndex(horizon, name="month")
    by_line = xr.DataArray(delivery, coords=[line_index, ally_index, months])
    line_groups = xr.DataArray([group_of[i] for i in lines["item"]], coords=[line_index])
    arrival = (
        by_line.groupby(line_groups.rename("group")).sum().reindex(group=groups, fill_value=0.0)
    )
    return {
        "fixed_make": xr.DataArray(make, coords=[line_index, months]),
        "fixed_delivery": by_line,
        "fixed_arrival": arrival.transpose("ally", "group", "month"),
        "fixed_spend": xr.DataArray(spend, coords=[ally_index, years]),
    }


def _tiers(
    scenario: Scenario, item_index: pd.Index, items: pd.DataFrame
) -> tuple[xr.DataArray, xr.DataArray]:
    """Volume price tiers per item; tier 0 is the base price from quantity 0."""
    tiers: dict[str, list[tuple[float, float]]] = {
        code: [(0.0, float(items.at[code, "unit_price"]))] for code in item_index
    }
    for r in scenario.records("price_tiers"):
        rows = tiers[r.item]
        if r.min_quantity == 0:
            rows[0] = (0.0, r.unit_price)
        else:
            rows.append((r.min_quantity, r.unit_price))
    width = max(len(v) for v in tiers.values())
    price = np.full((len(item_index), width), np.nan)
    qmin = np.full_like(price, np.nan)
    for i, code in enumerate(item_index):
        for k, (q, p) in enumerate(sorted(tiers[code])):
            price[i, k], qmin[i, k] = p, q
    tier = pd.RangeIndex(width, name="tier")
    return (
        xr.DataArray(price, coords=[item_index, tier]),
        xr.DataArray(qmin, coords=[item_index, tier]),
    )


def _budgets(
    scenario: Scenario, ally_index: pd.Index, years: pd.Index, months_in_year: xr.DataArray
) -> xr.DataArray:
    """Budget per ally and calendar year, prorated by the months of the year in the horizon.

    An ally with no budget row for a year has nothing to spend that year.
    """
    values = np.zeros((len(ally_index), len(years)))
    a_pos = {a: i for i, a in enumerate(ally_index)}
    y_pos = {y: i for i, y in enumerate(years)}
    for r in scenario.records("budgets"):
        if r.year in y_pos:
            yi = y_pos[r.year]
            values[a_pos[r.ally], yi] = r.amount * float(months_in_year[yi]) / 12.0
    return xr.DataArray(values, coords=[ally_index, years])


def _check_fixed(inputs: ModelInputs) -> None:
    """Name the existing contracts whose money cannot hold, before any solve.

    Contracts above what their line can make are found by validation
    (``scenario.checks.check_contracts_fit``), with their rows.
    """
    short = inputs.fixed_spend - inputs.budget
    if float(short.max()) > 1e-6 * max(1.0, float(inputs.budget.max())):
        ally, year = (
            short.where(short == short.max(), drop=True).coords[d].values[0]
            for d in ("ally", "year")
        )
        raise InfeasibleError(
            f"budget[{ally}, {year}]",
            f"existing contracts cost {float(inputs.fixed_spend.sel(ally=ally, year=year)):,.0f} "
            f"but the budget for the months of {year} in the horizon is "
            f"{float(inputs.budget.sel(ally=ally, year=year)):,.0f}",
        )


def target_threshold(level: float, tolerance: float = 0.0) -> float:
    """The least stock that counts as at ``level`` (see :func:`at_target`).

    >>> target_threshold(100, 0.005)
    99.4999
    """
    return level * (1.0 - tolerance) - 1e-6 * max(1.0, abs(level))
