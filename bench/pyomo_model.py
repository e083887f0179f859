"""materiel's stage-1 model (least weighted shortfall) written in Pyomo, as its docs teach.

A ``ConcreteModel`` with ``Set``s, ``Param``s initialised from dictionaries, ``Var``s with
domains and bounds over (sparse) index sets, ``Constraint`` rules over those sets that
return ``Constraint.Skip`` where a row does not exist, ``quicksum`` for long sums (the
Pyomo documentation's advice for building large sums fast) and one ``Objective``.

It mirrors ``src/materiel/planner/model.py`` family by family (the equation of each
``define_*`` docstring there is written as a comment above its Pyomo counterpart) and takes
its parameters from the same ``ModelInputs`` arrays, so both peers solve the same LP.
What it derives from them (the contract period delivered in each month, the months of a
year a period's rate arrives in, the industry rule's K) is worked out here again in
plain Python, from the definitions, rather than borrowed from materiel; only the
objective weights come from ``materiel.planner.model.objective_weights``, as their
definition is materiel's choice rather than part of the model's structure.

Where materiel writes a row that can never bind (``added[l, lead] ≥ 0`` as the first
row of "capacity is kept") this model leaves it out, as a Pyomo user would; HiGHS's
presolve removes such rows anyway. The price-tier (MIP) part of materiel's model is not
mirrored: the benchmark scenarios have no tiers.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from materiel.planner.model import objective_weights
from materiel.scenario.arrays import ModelInputs


def _d1(a: xr.DataArray) -> dict[Any, float]:
    """A one-dimensional array as {coordinate: value}."""
    (dim,) = a.dims
    return {k: float(v) for k, v in zip(a.coords[dim].values.tolist(), a.values, strict=True)}


def _ints(a: xr.DataArray) -> dict[Any, int]:
    """A one-dimensional array of whole numbers as {coordinate: int}."""
    return {k: int(v) for k, v in _d1(a).items()}


def _dn(a: xr.DataArray, dims: tuple[str, ...]) -> dict[tuple[Any, ...], float]:
    """An n-dimensional array as {(coordinates...): value}, in the order ``dims``."""
    a = a.transpose(*dims)
    keys = [a.coords[d].values.tolist() for d in dims]
    out: dict[tuple[Any, ...], float] = {}
    for idx, v in np.ndenumerate(a.values):
        out[tuple(keys[k][i] for k, i in enumerate(idx))] = float(v)
    return out


def build(inp: ModelInputs) -> pyo.ConcreteModel:
    """The stage-1 LP of ``inp`` as a Pyomo ConcreteModel."""
    if inp.has_tiers:
        raise ValueError("the Pyomo peer mirrors the LP only: the scenario has price tiers")
    policy = inp.scenario.meta.policy
    H = inp.horizon
    K = policy.order_period_months
    scale = inp.money_scale

    m = pyo.ConcreteModel(name="materiel stage 1 (Pyomo peer)")

    # ---- sets ------------------------------------------------------------------------
    m.L = pyo.Set(initialize=inp.cap0.coords["line"].values.tolist(), ordered=True)
    m.N = pyo.Set(initialize=inp.has_stock.coords["ally"].values.tolist(), ordered=True)
    m.G = pyo.Set(initialize=inp.has_stock.coords["group"].values.tolist(), ordered=True)
    m.C = pyo.Set(initialize=inp.bom.coords["component"].values.tolist(), ordered=True)
    m.T = pyo.RangeSet(0, H - 1)
    m.P = pyo.RangeSet(0, inp.periods - 1)
    m.Y = pyo.Set(initialize=inp.months_in_year.coords["year"].values.tolist(), ordered=True)

    # ---- parameters ------------------------------------------------------------------
    m.cap0 = pyo.Param(m.L, initialize=_d1(inp.cap0))
    m.ceiling = pyo.Param(m.L, initialize=_d1(inp.ceiling))
    m.lead = pyo.Param(m.L, initialize=_ints(inp.lead), within=pyo.NonNegativeIntegers)
    m.lag = pyo.Param(m.L, initialize=_ints(inp.lag), within=pyo.NonNegativeIntegers)
    m.ramp = pyo.Param(m.L, initialize=_d1(inp.ramp))
    m.min_util = pyo.Param(m.L, initialize=_d1(inp.min_util))
    m.idle_cost = pyo.Param(m.L, initialize={k: v / scale for k, v in _d1(inp.idle_cost).items()})
    m.exp_cost = pyo.Param(
        m.L, initialize={k: v / scale for k, v in _d1(inp.expansion_cost).items()}
    )
    item_price = _d1(inp.price.isel(tier=0))
    line_item = dict(zip(m.L, inp.line_item.values.tolist(), strict=True))
    line_group = dict(zip(m.L, inp.line_group.values.tolist(), strict=True))
    m.price = pyo.Param(m.L, initialize={ln: item_price[line_item[ln]] / scale for ln in m.L})
    m.fixed = pyo.Param(m.L, m.T, initialize=_dn(inp.fixed_make, ("line", "month")))
    m.output_now = pyo.Param(m.L, initialize=_d1(inp.output_now))
    m.supply0 = pyo.Param(m.C, initialize=_d1(inp.supply0))
    m.supply_ceiling = pyo.Param(m.C, initialize=_d1(inp.supply_ceiling))
    m.supply_lead = pyo.Param(
        m.C, initialize=_ints(inp.supply_lead), within=pyo.NonNegativeIntegers
    )
    m.supply_cost = pyo.Param(
        m.C, initialize={k: v / scale for k, v in _d1(inp.supply_cost).items()}
    )
    bom = {k: v for k, v in _dn(inp.bom, ("line", "component")).items() if v != 0}
    m.bom = pyo.Param(m.L, m.C, initialize=bom, default=0.0)
    m.initial = pyo.Param(m.N, m.G, initialize=_dn(inp.initial, ("ally", "group")))
    m.target = pyo.Param(m.N, m.G, initialize=_dn(inp.target, ("ally", "group")))
    m.demand = pyo.Param(m.N, m.G, m.T, initialize=_dn(inp.demand, ("ally", "group", "month")))
    m.fixed_arrival = pyo.Param(
        m.N, m.G, m.T, initialize=_dn(inp.fixed_arrival, ("ally", "group", "month"))
    )
    room = (inp.budget - inp.fixed_spend) / scale
    m.budget = pyo.Param(m.N, m.Y, initialize=_dn(room, ("ally", "year")))
    m.line_payer = pyo.Param(m.L, m.N, initialize=_dn(inp.line_payer, ("line", "ally")))
    m.supply_payer = pyo.Param(m.C, m.N, initialize=_dn(inp.supply_payer, ("component", "ally")))
    year_of = dict(enumerate(inp.month_year.values.tolist()))
    period_of = dict(enumerate(inp.month_period.values.tolist()))
    uses = {k for k, v in _dn(inp.uses, ("line", "ally")).items() if v}
    has = {k for k, v in _dn(inp.has_stock, ("ally", "group")).items() if v}

    expansion = bool(policy.expansion)

    def can_expand(ln: str) -> bool:
        return expansion and m.ceiling[ln] > m.cap0[ln]

    # ---- contracts -------------------------------------------------------------------
    # rate[l,n,p] [units/month] from line l to ally n (only allies that stock the line's
    # group) in period p, for the periods whose last month a delivery can reach.
    def last_month(p: int) -> int:
        return min((p + 1) * K, H) - 1

    m.RATE = pyo.Set(
        dimen=3,
        initialize=[
            (ln, n, p) for ln in m.L for n in m.N for p in m.P
            if (ln, n) in uses and last_month(p) >= m.lag[ln]
        ],
    )  # fmt: skip
    m.rate = pyo.Var(m.RATE, domain=pyo.NonNegativeReals)
    rate_allies: dict[tuple[str, int], list[str]] = defaultdict(list)
    for ln, n, p in m.RATE:
        rate_allies[ln, p].append(n)

    def arrival_period(ln: str, t: int) -> int:
        """Period whose rate arrives from line ln in month t, -1 before the first."""
        return period_of[t] if t >= m.lag[ln] else -1

    def dispatch_period(ln: str, t: int) -> int:
        """Period whose deliveries line ln dispatches in month t, -1 if they arrive late."""
        return period_of[t + m.lag[ln]] if t + m.lag[ln] <= H - 1 else -1

    def dispatch(ln: str, t: int) -> Any:
        p = dispatch_period(ln, t)
        return pyo.quicksum(m.rate[ln, n, p] for n in rate_allies.get((ln, p), ()))

    # ---- output, producer's stock, ramps, capacity -------------------------------------
    m.make = pyo.Var(m.L, m.T, domain=pyo.NonNegativeReals)
    m.held = pyo.Var(m.L, m.T, domain=pyo.NonNegativeReals)

    # held[l,t] = held[l,t−1] + make[l,t] − dispatch[l,t], held[l,−1] = 0
    def producer_rule(m: pyo.ConcreteModel, ln: str, t: int) -> Any:
        before = m.held[ln, t - 1] if t > 0 else 0
        return m.held[ln, t] - before - m.make[ln, t] + dispatch(ln, t) == 0

    m.producer_stock = pyo.Constraint(m.L, m.T, rule=producer_rule)

    # make[l,t] − make[l,t−1] ≤ ramp[l] + what existing contracts stop taking, from
    # output now less what contracts take
    def ramp_rule(m: pyo.ConcreteModel, ln: str, t: int) -> Any:
        if t == 0:
            start = max(m.output_now[ln] - m.fixed[ln, 0], 0.0)
            return m.make[ln, 0] <= m.ramp[ln] + start
        freed = max(m.fixed[ln, t - 1] - m.fixed[ln, t], 0.0)
        return m.make[ln, t] - m.make[ln, t - 1] <= m.ramp[ln] + freed

    m.ramp_up = pyo.Constraint(m.L, m.T, rule=ramp_rule)

    # everything made is bought: held[l, H−1−lag[l]] = 0
    m.output_bought = pyo.Constraint(
        [ln for ln in m.L if H - 1 - m.lag[ln] >= 0],
        rule=lambda m, ln: m.held[ln, H - 1 - m.lag[ln]] == 0,
    )

    # added[l,t] usable extra capacity, for t ≥ lead[l] on lines that can expand
    m.ADDED = pyo.Set(
        dimen=2,
        initialize=[(ln, t) for ln in m.L if can_expand(ln) for t in m.T if t >= m.lead[ln]],
    )
    m.added = pyo.Var(m.ADDED, domain=pyo.NonNegativeReals)

    def added(ln: str, t: int) -> Any:
        return m.added[ln, t] if (ln, t) in m.ADDED else 0

    # make[l,t] + fixed[l,t] ≤ cap0[l] + added[l,t]
    def capacity_rule(m: pyo.ConcreteModel, ln: str, t: int) -> Any:
        return m.make[ln, t] - added(ln, t) <= m.cap0[ln] - m.fixed[ln, t]

    m.line_capacity = pyo.Constraint(m.L, m.T, rule=capacity_rule)

    # added[l,t] ≥ added[l,t−1] (capacity is kept)
    def kept_rule(m: pyo.ConcreteModel, ln: str, t: int) -> Any:
        if (ln, t - 1) not in m.ADDED:
            return pyo.Constraint.Skip
        return m.added[ln, t] >= m.added[ln, t - 1]

    m.capacity_kept = pyo.Constraint(m.ADDED, rule=kept_rule)

    # added[l,H−1] ≤ ceiling[l] − cap0[l]
    def ceiling_rule(m: pyo.ConcreteModel, ln: str) -> Any:
        if (ln, H - 1) not in m.ADDED:
            return pyo.Constraint.Skip
        return m.added[ln, H - 1] <= m.ceiling[ln] - m.cap0[ln]

    m.line_ceiling = pyo.Constraint(m.L, rule=ceiling_rule)

    # ---- sustainment -----------------------------------------------------------------
    # dispatch[l,t] + fixed[l,t] + idle[l,t] ≥ min_util[l]·added[l,t] where deliveries
    # arrive within the horizon
    m.IDLE = pyo.Set(
        dimen=2,
        initialize=[
            (ln, t) for (ln, t) in m.ADDED if m.min_util[ln] > 0 and t + m.lag[ln] <= H - 1
        ],
    )
    m.idle = pyo.Var(m.IDLE, domain=pyo.NonNegativeReals)

    def sustain_rule(m: pyo.ConcreteModel, ln: str, t: int) -> Any:
        lhs = dispatch(ln, t) + m.idle[ln, t] - m.min_util[ln] * m.added[ln, t]
        return lhs >= -m.fixed[ln, t]

    m.sustainment = pyo.Constraint(m.IDLE, rule=sustain_rule)

    # ---- the industry rule -------------------------------------------------------------
    # a[l,t] ≤ added[l,t], a[l,t] ≤ dispatch[l,t] + fixed[l,t] over the months whose output
    # arrives in time; Σ_t a[l,t] ≥ K_eff[l]·added[l,H−1], K_eff = min(K, H − lag − lead)
    k_rule = policy.industry_rule_months
    any_expand = any(can_expand(ln) for ln in m.L)

    def k_eff(ln: str) -> int:
        return min(k_rule, max(H - 1 - m.lag[ln] - m.lead[ln] + 1, 0))

    rule_on = k_rule > 0 and any_expand
    m.ATTR = pyo.Set(
        dimen=2,
        initialize=[
            (ln, t)
            for ln in m.L
            if rule_on and can_expand(ln) and k_eff(ln) > 0
            for t in m.T
            if m.lead[ln] <= t <= H - 1 - m.lag[ln]
        ],
    )
    m.attributed = pyo.Var(m.ATTR, domain=pyo.NonNegativeReals)
    attr_months: dict[str, list[int]] = defaultdict(list)
    for ln, t in m.ATTR:
        attr_months[ln].append(t)

    def attr_cap_rule(m: pyo.ConcreteModel, ln: str, t: int) -> Any:
        return m.attributed[ln, t] - m.added[ln, t] <= 0

    def attr_orders_rule(m: pyo.ConcreteModel, ln: str, t: int) -> Any:
        return m.attributed[ln, t] - dispatch(ln, t) <= m.fixed[ln, t]

    def industry_rule(m: pyo.ConcreteModel, ln: str) -> Any:
        if not (rule_on and can_expand(ln) and k_eff(ln) > 0 and (ln, H - 1) in m.ADDED):
            return pyo.Constraint.Skip
        got = pyo.quicksum(m.attributed[ln, t] for t in attr_months[ln])
        return k_eff(ln) * m.added[ln, H - 1] - got <= 0

    m.attributed_within_added = pyo.Constraint(m.ATTR, rule=attr_cap_rule)
    m.attributed_within_orders = pyo.Constraint(m.ATTR, rule=attr_orders_rule)
    m.industry_rule = pyo.Constraint(m.L, rule=industry_rule)

    # ---- components --------------------------------------------------------------------
    # Σ_l bom[l,c]·(make[l,t] + fixed[l,t]) ≤ supply0[c] + added_supply[c,t]
    m.SUPPLY_ADDED = pyo.Set(
        dimen=2,
        initialize=[
            (c, t)
            for c in m.C
            if expansion and m.supply_ceiling[c] > m.supply0[c]
            for t in m.T
            if t >= m.supply_lead[c]
        ],
    )
    m.added_supply = pyo.Var(m.SUPPLY_ADDED, domain=pyo.NonNegativeReals)
    lines_of: dict[str, list[str]] = defaultdict(list)
    for ln, c in bom:
        lines_of[c].append(ln)

    def supply_rule(m: pyo.ConcreteModel, c: str, t: int) -> Any:
        if not lines_of[c]:
            return pyo.Constraint.Skip
        use = pyo.quicksum(m.bom[ln, c] * m.make[ln, t] for ln in lines_of[c])
        fixed_use = sum(m.bom[ln, c] * m.fixed[ln, t] for ln in lines_of[c])
        more = m.added_supply[c, t] if (c, t) in m.SUPPLY_ADDED else 0
        return use - more <= m.supply0[c] - fixed_use

    m.component_supply = pyo.Constraint(m.C, m.T, rule=supply_rule)

    def supply_kept_rule(m: pyo.ConcreteModel, c: str, t: int) -> Any:
        if (c, t - 1) not in m.SUPPLY_ADDED:
            return pyo.Constraint.Skip
        return m.added_supply[c, t] >= m.added_supply[c, t - 1]

    m.supply_kept = pyo.Constraint(m.SUPPLY_ADDED, rule=supply_kept_rule)

    def supply_ceiling_rule(m: pyo.ConcreteModel, c: str) -> Any:
        if (c, H - 1) not in m.SUPPLY_ADDED:
            return pyo.Constraint.Skip
        return m.added_supply[c, H - 1] <= m.supply_ceiling[c] - m.supply0[c]

    m.component_ceiling = pyo.Constraint(m.C, rule=supply_ceiling_rule)

    # ---- stock, unmet demand, shortfall ------------------------------------------------
    # stock[n,g,t] = stock[n,g,t−1] + arrivals[n,g,t] − demand[n,g,t] + unmet[n,g,t];
    # shortfall[n,g,t] ≥ target[n,g] − stock[n,g,t]
    m.STOCK = pyo.Set(dimen=3, initialize=[(n, g, t) for (n, g) in sorted(has) for t in m.T])
    m.stock = pyo.Var(m.STOCK, domain=pyo.NonNegativeReals)
    m.UNMET = pyo.Set(dimen=3, initialize=[k for k in m.STOCK if m.demand[k] > 0])

    def unmet_bounds(m: pyo.ConcreteModel, n: str, g: str, t: int) -> tuple[float, float]:
        return (0.0, m.demand[n, g, t])

    m.unmet = pyo.Var(m.UNMET, domain=pyo.NonNegativeReals, bounds=unmet_bounds)
    m.SHORT = pyo.Set(dimen=3, initialize=[k for k in m.STOCK if m.target[k[0], k[1]] > 0])

    def short_bounds(m: pyo.ConcreteModel, n: str, g: str, t: int) -> tuple[float, float]:
        return (0.0, m.target[n, g])

    m.shortfall = pyo.Var(m.SHORT, domain=pyo.NonNegativeReals, bounds=short_bounds)
    group_lines: dict[str, list[str]] = defaultdict(list)
    for ln in m.L:
        group_lines[line_group[ln]].append(ln)

    def arrivals(n: str, g: str, t: int) -> Any:
        terms = []
        for ln in group_lines[g]:
            p = arrival_period(ln, t)
            if (ln, n, p) in m.RATE:
                terms.append(m.rate[ln, n, p])
        return pyo.quicksum(terms)

    def balance_rule(m: pyo.ConcreteModel, n: str, g: str, t: int) -> Any:
        before = m.stock[n, g, t - 1] if t > 0 else m.initial[n, g]
        unmet = m.unmet[n, g, t] if (n, g, t) in m.UNMET else 0
        served = m.fixed_arrival[n, g, t] - m.demand[n, g, t]
        return m.stock[n, g, t] == before + arrivals(n, g, t) + served + unmet

    m.stock_balance = pyo.Constraint(m.STOCK, rule=balance_rule)

    def shortfall_rule(m: pyo.ConcreteModel, n: str, g: str, t: int) -> Any:
        return m.shortfall[n, g, t] + m.stock[n, g, t] >= m.target[n, g]

    m.shortfall_gap = pyo.Constraint(m.SHORT, rule=shortfall_rule)

    # ---- budgets -----------------------------------------------------------------------
    # goods[n,y] + Σ_l share[l,n]·(paid[l,y] + idle[l,y]) + Σ_c share[c,n]·paid[c,y]
    #   ≤ budget[n,y] − contracts[n,y]
    # goods: the months of year y in which period p's rate arrives from line l
    months_delivered: dict[tuple[str, int, int], int] = defaultdict(int)
    for ln in m.L:
        for t in m.T:
            p = arrival_period(ln, t)
            if p >= 0:
                months_delivered[ln, p, year_of[t]] += 1
    goods_terms: dict[tuple[str, int], list[tuple[float, Any]]] = defaultdict(list)
    for ln, n, p in m.RATE:
        for y in m.Y:
            k = months_delivered.get((ln, p, y), 0)
            if k:
                goods_terms[n, y].append((m.price[ln] * k, m.rate[ln, n, p]))

    # paid[x,y] = cost[x]·Σ_{t: year(t − lead[x]) = y} (added[x,t] − added[x,t−1])
    def paid_terms(
        index: Any, var: Any, cost: Any, lead: Any
    ) -> dict[tuple[Any, int], list[tuple[float, Any]]]:
        out: dict[tuple[Any, int], list[tuple[float, Any]]] = defaultdict(list)
        for x, t in index:
            y = year_of[max(t - int(lead[x]), 0)]
            out[x, y].append((cost[x], var[x, t]))
            if (x, t - 1) in index:
                out[x, y].append((-cost[x], var[x, t - 1]))
        return out

    line_paid = paid_terms(m.ADDED, m.added, m.exp_cost, m.lead)
    supply_paid = paid_terms(m.SUPPLY_ADDED, m.added_supply, m.supply_cost, m.supply_lead)
    for ln, t in m.IDLE:
        line_paid[ln, year_of[t]].append((m.idle_cost[ln], m.idle[ln, t]))
    payers_of_line = {
        ln: [(n, m.line_payer[ln, n]) for n in m.N if m.line_payer[ln, n] != 0] for ln in m.L
    }
    payers_of_comp = {
        c: [(n, m.supply_payer[c, n]) for n in m.N if m.supply_payer[c, n] != 0] for c in m.C
    }
    spend_terms: dict[tuple[str, int], list[tuple[float, Any]]] = defaultdict(list)
    for (n, y), terms in goods_terms.items():
        spend_terms[n, y] += terms
    for payers, paid in ((payers_of_line, line_paid), (payers_of_comp, supply_paid)):
        for (x, y), terms in paid.items():
            for n, share in payers[x]:
                spend_terms[n, y] += [(share * a, v) for a, v in terms]

    def budget_rule(m: pyo.ConcreteModel, n: str, y: int) -> Any:
        terms = spend_terms.get((n, y))
        if not terms:
            return pyo.Constraint.Skip
        return pyo.quicksum(a * v for a, v in terms) <= m.budget[n, y]

    m.budget_limit = pyo.Constraint(m.N, m.Y, rule=budget_rule)

    # ---- objective: least weighted shortfall and unmet demand --------------------------
    w_short, w_unmet = objective_weights(inp)
    ws = _dn(w_short.broadcast_like(inp.demand), ("ally", "group", "month"))
    wu = _dn(w_unmet.broadcast_like(inp.demand), ("ally", "group", "month"))
    m.w_short = pyo.Param(m.SHORT, initialize={k: ws[k] for k in m.SHORT})
    m.w_unmet = pyo.Param(m.UNMET, initialize={k: wu[k] for k in m.UNMET})
    m.weighted_shortfall = pyo.Objective(
        expr=pyo.quicksum(m.w_short[k] * m.shortfall[k] for k in m.SHORT)
        + pyo.quicksum(m.w_unmet[k] * m.unmet[k] for k in m.UNMET),
        sense=pyo.minimize,
    )
    return m


def values(m: pyo.ConcreteModel) -> dict[str, np.ndarray]:
    """Every variable's values, read back from the model after a solve."""
    return {
        v.local_name: np.fromiter((x.value for x in v.values()), dtype=float, count=len(v))
        for v in m.component_objects(pyo.Var, active=True)
    }
