"""The planning model as an ordered script of ``define_*`` functions.

Each function adds one family of variables or constraints, with its equation in the
docstring. Variables exist only where they can be non-zero (masks, not loops): a line
ships only to allies that stock its group, capacity is added only after its lead time.
Month ``t`` runs over 0..H-1; ``x[t-1]`` at t = 0 is the initial value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import linopy
import numpy as np
import xarray as xr
from linopy import LinopySemanticsWarning

from materiel.planner.inputs import ModelInputs


class V:
    """Variable names."""

    SHIP = "ship"  # [units/month] (line, ally, month), indexed by arrival month
    MAKE = "make"  # [units/month] (line, month) made for new orders
    ADDED = "added_capacity"  # [units/month] (line, month) usable extra capacity
    ATTRIBUTED = "output_of_added_capacity"  # [units/month] (line, month), industry rule
    SUPPLY_ADDED = "added_supply"  # [units/month] (component, month)
    STOCK = "stock"  # [units] (ally, group, month), end of month
    SHORT = "shortfall"  # [units] (ally, group, month) below target
    UNMET = "unmet_demand"  # [units] (ally, group, month)
    TIER_QTY = "tier_quantity"  # [units] (ally, item, tier, year)
    TIER = "tier_chosen"  # binary (item, tier) pooled, (ally, item, tier) alone


class C:
    """Constraint names; the ones users see in bottleneck tables are in ``BINDING``."""

    PRODUCTION = "production"
    CAPACITY = "line_capacity"
    CEILING = "line_ceiling"
    MONOTONE = "capacity_kept"
    INDUSTRY = "industry_rule"
    ATTRIBUTED_CAPACITY = "attributed_within_added"
    ATTRIBUTED_ORDERS = "attributed_within_orders"
    SUPPLY = "component_supply"
    SUPPLY_CEILING = "component_ceiling"
    SUPPLY_MONOTONE = "supply_kept"
    BALANCE = "stock_balance"
    SHORTFALL = "shortfall"
    TIER_SPLIT = "tier_split"
    TIER_ONE = "tier_one"
    TIER_OPEN = "tier_open"
    TIER_REACH = "tier_reach"
    BUDGET = "budget"


class E:
    """Expression names."""

    SPENDING = "spending"  # [currency] (ally, year): new orders and expansions
    SHORTFALL = "weighted_shortfall"  # [target-months] the first objective
    COST = "total_spending"  # [currency] the second objective


#: Constraint families whose duals say what binds, with their dimension besides month/year.
BINDING = (C.CAPACITY, C.CEILING, C.SUPPLY, C.SUPPLY_CEILING, C.BUDGET, C.INDUSTRY)


@dataclass(frozen=True)
class BuildOptions:
    """How to build: a fixed tier choice turns the MIP into an LP (for duals)."""

    tier_choice: xr.DataArray | None = None  # 1.0 on the chosen tier, same dims as V.TIER
    without: frozenset[str] = field(default_factory=frozenset)  # families left out


def take_months(expr: linopy.LinearExpression, src: xr.DataArray) -> linopy.LinearExpression:
    """``out[..., t] = expr[..., src[..., t]]``; where ``src`` is -1 the term is dropped.

    Used for per-line shifts (delivery lags, lead times) and window ends, so that each
    constraint keeps only the few terms it needs.
    """
    data = expr.data
    months = data.sizes["month"]
    valid = (src >= 0) & (src < months)
    index = src.clip(0, months - 1).drop_vars("month", errors="ignore")
    taken = data[["coeffs", "vars"]].isel(month=index)
    coeffs = taken["coeffs"].where(valid, 0.0)
    labels = taken["vars"].where(valid, -1).astype(int)
    dims = [d for d in data["vars"].dims]
    out = xr.Dataset({"coeffs": coeffs.transpose(*dims), "vars": labels.transpose(*dims)})
    out = out.assign_coords(month=data.coords["month"])
    return linopy.LinearExpression(out, expr.model)


def _months(inp: ModelInputs) -> xr.DataArray:
    return xr.DataArray(np.arange(inp.horizon), coords=[inp.month_year.coords["month"]])


def _can_expand(inp: ModelInputs) -> xr.DataArray:
    return (inp.ceiling > inp.cap0) & inp.scenario.meta.policy.expansion


def define_production(m: linopy.Model, inp: ModelInputs) -> None:
    """Shipments and production.

    ``ship[l,n,t]`` arrives at ally n in month t; it was made in month t − lag[l]:
    ``Σ_n ship[l,n,t] = make[l, t − lag[l]]``. Only allies that stock the line's group
    get a variable, and only where t − lag ≥ 0; ``make`` exists where t + lag ≤ H − 1.
    """
    t = _months(inp)
    # No upper bounds here: the capacity constraint must be what binds, so that its
    # shadow price (not a bound's reduced cost) says what more capacity is worth.
    ship_mask = inp.uses & (t >= inp.lag)
    m.add_variables(lower=0, coords=ship_mask.coords, name=V.SHIP, mask=ship_mask)
    make_mask = (t + inp.lag <= inp.horizon - 1) & inp.uses.any("ally")
    m.add_variables(lower=0, coords=make_mask.coords, name=V.MAKE, mask=make_mask)
    made = take_months(1 * m.variables[V.MAKE], t - inp.lag)
    m.add_constraints(
        m.variables[V.SHIP].sum("ally") - made == 0, name=C.PRODUCTION, mask=ship_mask.any("ally")
    )


def define_capacity(m: linopy.Model, inp: ModelInputs) -> None:
    """Line capacity with lead times and ceilings.

    ``make[l,t] + fixed[l,t] ≤ cap0[l] + added[l,t]``; ``added[l,t] ≥ added[l,t−1]``
    (capacity is kept); ``added[l,H−1] ≤ ceiling[l] − cap0[l]``; ``added[l,t] = 0`` for
    t < lead[l]. Capacity ordered in month t is usable from t + lead.
    """
    t = _months(inp)
    mask = _can_expand(inp) & (t >= inp.lead)
    m.add_variables(lower=0, coords=mask.coords, name=V.ADDED, mask=mask)
    added = m.variables[V.ADDED]
    make = m.variables[V.MAKE]
    lhs = make - added
    m.add_constraints(lhs <= inp.cap0 - inp.fixed_make, name=C.CAPACITY)
    if bool(mask.any()):
        m.add_constraints(added - added.shift(month=1) >= 0, name=C.MONOTONE, mask=mask & (t >= 1))
        m.add_constraints(
            added.isel(month=-1) <= inp.ceiling - inp.cap0, name=C.CEILING, mask=mask.isel(month=-1)
        )


def define_industry_rule(m: linopy.Model, inp: ModelInputs) -> None:
    """A line expands only when firm orders cover K months of the added output.

    The output that the added capacity can account for in month t is
    ``a[l,t] ≤ added[l,t]`` and ``a[l,t] ≤ make[l,t] + firm[l,t]``; over the months whose
    output reaches a buyer within the horizon it must add up to K months of the capacity
    added: ``Σ_t a[l,t] ≥ K_eff[l]·added[l,H−1]`` with ``K_eff = min(K, H − lag − lead)``.
    Planned orders count as firm (the plan is the set of long-term contracts to sign),
    as do firm existing contracts; framework contracts do not. With nothing added the
    rule asks nothing.
    """
    k = inp.scenario.meta.policy.industry_rule_months
    if k <= 0 or V.ADDED not in m.variables:
        return
    added = m.variables[V.ADDED]
    t = _months(inp)
    last_month = inp.horizon - 1 - inp.lag  # last month whose output arrives in time
    k_eff = np.minimum(k, (last_month - inp.lead + 1).clip(0, None))
    lines = _can_expand(inp) & (k_eff > 0)
    mask = lines & (t >= inp.lead) & (t <= last_month)
    m.add_variables(lower=0, coords=mask.coords, name=V.ATTRIBUTED, mask=mask)
    attributed = m.variables[V.ATTRIBUTED]
    m.add_constraints(attributed - added <= 0, name=C.ATTRIBUTED_CAPACITY, mask=mask)
    m.add_constraints(
        attributed - m.variables[V.MAKE] <= inp.fixed_make, name=C.ATTRIBUTED_ORDERS, mask=mask
    )
    m.add_constraints(
        k_eff * added.isel(month=-1) - attributed.sum("month") <= 0,
        name=C.INDUSTRY,
        mask=lines & (added.labels.isel(month=-1) >= 0),
    )


def define_components(m: linopy.Model, inp: ModelInputs) -> None:
    """Critical components shared across items.

    ``Σ_l bom[l,c]·(make[l,t] + fixed[l,t]) ≤ supply0[c] + added_supply[c,t]``, with
    ``added_supply`` kept, capped by the ceiling and usable after the supplier's lead time.
    """
    if inp.bom.sizes["component"] == 0:
        return
    t = _months(inp)
    expand = (inp.supply_ceiling > inp.supply0) & inp.scenario.meta.policy.expansion
    mask = expand & (t >= inp.supply_lead)
    m.add_variables(lower=0, coords=mask.coords, name=V.SUPPLY_ADDED, mask=mask)
    sadded = m.variables[V.SUPPLY_ADDED]
    use = (inp.bom * m.variables[V.MAKE]).sum("line")
    fixed_use = (inp.bom * inp.fixed_make).sum("line")
    used = (inp.bom > 0).any("line")
    m.add_constraints(use - sadded <= inp.supply0 - fixed_use, name=C.SUPPLY, mask=used & (t >= 0))
    if bool(mask.any()):
        m.add_constraints(
            sadded - sadded.shift(month=1) >= 0, name=C.SUPPLY_MONOTONE, mask=mask & (t >= 1)
        )
        m.add_constraints(
            sadded.isel(month=-1) <= inp.supply_ceiling - inp.supply0,
            name=C.SUPPLY_CEILING,
            mask=mask.isel(month=-1),
        )


def define_stock(m: linopy.Model, inp: ModelInputs) -> None:
    """Stock balance and target gaps, by ally and interoperability group.

    ``stock[n,g,t] = stock[n,g,t−1] + arrivals[n,g,t] − demand[n,g,t] + unmet[n,g,t]``,
    ``stock[n,g,−1] = initial``, arrivals = shipments of every line of group g plus
    existing contracts; ``shortfall[n,g,t] ≥ target[n,g] − stock[n,g,t]``.
    """
    t = _months(inp)
    has = inp.has_stock & (t >= 0)
    m.add_variables(lower=0, coords=has.coords, name=V.STOCK, mask=has)
    # Unmet demand is demand not served: at most the month's demand, never extra stock.
    m.add_variables(
        lower=0, upper=inp.demand, coords=has.coords, name=V.UNMET, mask=has & (inp.demand > 0)
    )
    gap = has & (inp.target > 0)
    m.add_variables(
        lower=0, upper=inp.target.broadcast_like(gap), coords=gap.coords, name=V.SHORT, mask=gap
    )
    stock, unmet = m.variables[V.STOCK], m.variables[V.UNMET]
    onehot = (inp.line_group == inp.has_stock.coords["group"]).astype(float)
    arrivals = (onehot * m.variables[V.SHIP]).sum("line")
    first = xr.where(t == 0, inp.initial, 0.0)
    m.add_constraints(
        stock - stock.shift(month=1) - arrivals - unmet == inp.fixed_arrival - inp.demand + first,
        name=C.BALANCE,
        mask=has,
    )
    m.add_constraints(m.variables[V.SHORT] + stock >= inp.target, name=C.SHORTFALL, mask=gap)


def _goods_cost(
    m: linopy.Model, inp: ModelInputs, options: BuildOptions
) -> linopy.LinearExpression:
    """Money for delivered goods [currency] (ally, year); volume tiers where given.

    Without tiers: ``Σ_{l,t∈y} price[item(l)]·ship[l,n,t]``. With tiers, deliveries of
    item i to ally n in year y are split over tiers, ``Σ_k q[n,i,k,y] = delivered``; one
    tier is chosen per item (pooling: one multinational contract) or per ally and item
    (alone): ``Σ_k z = 1`` and the contract quantity lies in the tier's range:
    ``Q_k·z[i,k] ≤ Σ_{n,y} q[n,i,k,y] ≤ Q_{k+1}·z[i,k]`` (pooled; alone: ``Σ_y`` per
    ally), with the top tier bounded by what the item's lines can make in the horizon.
    """
    ship = m.variables[V.SHIP]
    pooled = inp.scenario.meta.policy.pooling
    item_onehot = (inp.line_item == inp.price.coords["item"]).astype(float)
    if not inp.has_tiers:
        base = inp.price.isel(tier=0)
        line_price = (item_onehot * base).sum("item")
        return (line_price * ship).sum("line").groupby(inp.month_year).sum()
    delivered = (item_onehot * ship).sum("line").groupby(inp.month_year).sum()
    uses_item = (item_onehot * inp.uses).any("line")
    most = (item_onehot * inp.ceiling).sum("line") * inp.horizon
    # Tiers no buyer could reach with all its budget get no variable: most allies alone
    # cannot reach a large contract's tier, and each such tier would be a binary.
    money = inp.budget.sum("year")
    money = money.sum("ally") if pooled else money
    reachable = inp.tier_min <= np.minimum(money / inp.price.min("tier"), most)
    exists = inp.price.notnull() & (reachable | (inp.tier_min == 0))
    multi = exists.sum("tier") > 1
    years = inp.months_in_year.coords["year"]
    q_mask = exists & uses_item & (years > 0)
    if options.tier_choice is not None:
        q_mask = q_mask & (~multi | (options.tier_choice > 0.5))
    m.add_variables(lower=0, coords=q_mask.coords, name=V.TIER_QTY, mask=q_mask)
    q = m.variables[V.TIER_QTY]
    m.add_constraints(
        q.sum("tier") - delivered == 0, name=C.TIER_SPLIT, mask=uses_item & (years > 0)
    )
    # A tier's quantity lies between its threshold and the next tier's: beyond that the
    # next tier is cheaper. Per item this is the convex hull of the all-units price, so
    # the LP relaxation is tight and branch and bound short.
    upper = inp.tier_min.shift(tier=-1).fillna(most).where(exists)
    reach_sum = ["ally", "year"] if pooled else ["year"]
    if options.tier_choice is None:
        z_mask = exists & multi
        if not pooled:
            z_mask = z_mask & uses_item
        m.add_variables(coords=z_mask.coords, name=V.TIER, binary=True, mask=z_mask)
        z = m.variables[V.TIER]
        one_mask = multi if pooled else multi & uses_item
        m.add_constraints(z.sum("tier") == 1, name=C.TIER_ONE, mask=one_mask)
        m.add_constraints(q.sum(reach_sum) - upper * z <= 0, name=C.TIER_OPEN, mask=z_mask)
        m.add_constraints(
            q.sum(reach_sum) - inp.tier_min * z >= 0,
            name=C.TIER_REACH,
            mask=z_mask & (inp.tier_min > 0),
        )
    else:
        chosen = (options.tier_choice > 0.5) & multi
        m.add_constraints(q.sum(reach_sum) <= upper, name=C.TIER_OPEN, mask=chosen)
        m.add_constraints(
            q.sum(reach_sum) >= inp.tier_min.fillna(0),
            name=C.TIER_REACH,
            mask=chosen & (inp.tier_min > 0),
        )
    return (inp.price.fillna(0) * q).sum(["item", "tier"])


def expansion_paid(
    m: linopy.Model, inp: ModelInputs, *, added: str, cost: xr.DataArray, lead: xr.DataArray
) -> linopy.LinearExpression | None:
    """Money for added capacity in the year it is ordered [currency] (line or component, year).

    ``paid[x,y] = cost[x]·Σ_{t: year(t − lead[x]) = y} (added[x,t] − added[x,t−1])``
    """
    if added not in m.variables:
        return None
    t = _months(inp)
    years = inp.months_in_year.coords["year"]
    order_month = (t - lead).clip(0, None)
    order_year = inp.month_year.isel(month=order_month.drop_vars("month")).drop_vars(
        "month", errors="ignore"
    )
    in_year = (order_year == years).astype(float)
    grow = m.variables[added] - m.variables[added].shift(month=1)
    return (cost * in_year * grow).sum("month")


def define_spending(m: linopy.Model, inp: ModelInputs, options: BuildOptions) -> None:
    """Each ally's spending in a calendar year stays within its budget.

    ``goods[n,y] + Σ_l share[l,n]·paid[l,y] + Σ_c share[c,n]·paid[c,y] ≤ budget[n,y] −
    contracts[n,y]``; who pays for an expansion is the stated rule of
    ``policy.expansion_funding`` (fixed shares, see inputs.funding_shares), never the
    solver's choice.
    """
    total = _goods_cost(m, inp, options)
    for added, cost, lead, share, dim in (
        (V.ADDED, inp.expansion_cost, inp.lead, inp.line_payer, "line"),
        (V.SUPPLY_ADDED, inp.supply_cost, inp.supply_lead, inp.supply_payer, "component"),
    ):
        paid = expansion_paid(m, inp, added=added, cost=cost, lead=lead)
        if paid is not None:
            total = total + (share * paid).sum(dim)
    m.add_expressions(total, name=E.SPENDING)
    m.add_constraints(total <= inp.budget - inp.fixed_spend, name=C.BUDGET)


def objective_weights(inp: ModelInputs) -> tuple[xr.DataArray, xr.DataArray]:
    """Weights of the first objective [target-months per unit].

    Shortfall, per unit and month (ally, group, month): ``w = priority / target`` before
    the target date and ``overdue_weight`` times that from the target date on, so that a
    missing missile and a missing shell compare and gaps close as soon as they can.

    Unmet demand, per unit (ally, group, month): ``u · priority · ω[g] · (2H − t)`` with
    ``ω[g] = overdue_weight / ref[g]``, ``ref[g]`` the smallest target of the group
    among the allies that hold it (a year of demand where an ally has no target): a unit
    of unmet demand costs ``u`` times a unit missing from the group's smallest target,
    once due, for the whole horizon (the most a unit of stock can ever be worth) plus
    ``u`` times that unit-month for every month left. So with ``u ≥ 1`` and equal
    priorities no stock anywhere in the group is worth leaving consumption or aid
    unmet, and demand is served as early as it can be (a month's delay costs more than
    holding the unit a month is worth). A user who gives one ally's stock a higher
    priority than another's demand says otherwise, and the priorities decide.
    """
    policy = inp.scenario.meta.policy
    due = _months(inp) >= inp.target_month
    overdue = xr.where(due & (inp.target_month >= 0), policy.overdue_weight, 1.0)
    short = (inp.priority / inp.target * overdue).where(inp.target > 0, 0.0)
    yearly = 12 * inp.demand.mean("month")
    reference = inp.target.where(inp.target > 0, yearly)
    reference = reference.where(inp.has_stock & (reference > 0))
    smallest = reference.min("ally").fillna(1.0)
    left = 2 * inp.horizon - _months(inp)
    unmet = policy.unmet_demand_weight * inp.priority * policy.overdue_weight * left / smallest
    return short, unmet


def define_objective(m: linopy.Model, inp: ModelInputs) -> None:
    """Weighted shortfall first (this objective), then cost (a second solve, see solve.py).

    ``min Σ_{n,g,t} w[n,g,t]·shortfall[n,g,t] + Σ_{n,g,t} u[n,g]·unmet[n,g,t]`` with the
    weights of :func:`objective_weights`. The unit is the target-month: one whole
    target missing for one month.
    """
    w_short, w_unmet = objective_weights(inp)
    shortfall = (w_short * m.variables[V.SHORT]).sum()
    if V.UNMET in m.variables:
        shortfall = shortfall + (w_unmet * m.variables[V.UNMET]).sum()
    m.add_expressions(shortfall, name=E.SHORTFALL)
    m.add_expressions(m.expressions[E.SPENDING].sum(), name=E.COST)
    m.add_objective(shortfall)


def build_model(inp: ModelInputs, options: BuildOptions | None = None) -> linopy.Model:
    """The whole model, in the order of the planning model in DESIGN.md."""
    options = options or BuildOptions()
    m = linopy.Model(force_dim_names=True)
    # Absent slots (masked variables, shifts past month 0) contribute nothing to a sum:
    # linopy's "legacy" semantics, which this model is written for.
    previous = linopy.options["semantics"]
    linopy.options["semantics"] = "legacy"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=LinopySemanticsWarning)
            define_production(m, inp)
            define_capacity(m, inp)
            if C.INDUSTRY not in options.without:
                define_industry_rule(m, inp)
            define_components(m, inp)
            define_stock(m, inp)
            define_spending(m, inp, options)
            define_objective(m, inp)
    finally:
        linopy.options["semantics"] = previous
    return m
