"""The planning model as an ordered script of ``define_*`` functions.

Each function adds one family of variables or constraints, with its equation in the
docstring. Variables exist only where they can be non-zero (masks, not loops): a line
delivers only to allies that stock its group, capacity is added only after its lead
time. Month ``t`` runs over 0..H-1; ``x[t-1]`` at t = 0 is the initial value; contract
period ``p(t) = t // order_period_months``. Money is in units of ``inp.money_scale``.

Units, so that HiGHS finds the model well scaled (no coefficient warnings, see
``tests/planner/test_scaling.py``): a line's quantities (rates, output, capacity) are in
units of its item; a group's stock-side quantities (stock, shortfall, unmet demand, a
recipient's requirements and the aid that meets them) in the group's
:func:`stock_unit`, a power of ten; the value of aid in :func:`aid.value_unit` times
``money_scale``. The variables' docstrings and :data:`V` give the documented unit, which
:func:`compat.values_of` returns whatever unit a column counts in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import linopy
import numpy as np
import xarray as xr

from materiel.planner import aid, compat
from materiel.planner.compat import take
from materiel.scenario import ModelInputs


class V:
    """Variable names."""

    RATE = "rate"  # [units/month] (line, ally, period): contract delivery rate
    DISPATCHED = "dispatched"  # [units/month] (line, period): Σ_n rate, see define_period_totals
    ARRIVING = "arriving"  # [units/month] (ally, group, period): Σ_{l of g} rate, likewise
    LOTS = "lots"  # integer (line, ally, period): whole lots delivered in the period
    PLACED = "contract_placed"  # binary (line, period) pooled, (line, ally, period) alone
    OPEN = "line_open"  # binary (line, period): a line with a sustaining rate is open
    CLOSE = "line_closed"  # [0, 1] (line, period): the line closes at the period's start
    MAKE = "make"  # [units/month] (line, month): output for new orders
    HELD = "held_by_producer"  # [units] (line, month): made, not yet dispatched
    IDLE = "idle_capacity"  # [units/month] (line, month): below the sustainment rate
    ADDED = "added_capacity"  # [units/month] (line, month) usable extra capacity
    ATTRIBUTED = "output_of_added_capacity"  # [units/month] (line, month), industry rule
    SUPPLY_ADDED = "added_supply"  # [units/month] (component, month)
    SOURCE_ADDED = "added_supplier_supply"  # [units/month] (supplier, month)
    QUALIFY = "qualification_taken"  # binary (ally, item): the plan qualifies the item
    STOCK = "stock"  # [units] (ally, group, month), end of month
    SHORT = "shortfall"  # [units] (ally, group, month) below target
    UNMET = "unmet_demand"  # [units] (ally, group, month)
    TIER_QTY = "tier_quantity"  # [units] (ally, item, tier, year)
    TIER = "tier_chosen"  # binary (item, tier) pooled, (ally, item, tier) alone


class C:
    """Constraint names; what each means to a user is in ``families.FAMILIES``."""

    WHOLE_LOTS = "whole_lots"
    DISPATCHED = "dispatched_total"
    ARRIVING = "arriving_total"
    PLACED_OPEN = "contract_within_line"
    MIN_RATE = "min_rate"
    PRODUCER = "producer_stock"
    ALL_BOUGHT = "output_bought"
    SUSTAINING = "sustaining_rate"
    CLOSED = "closed_makes_nothing"
    RAMP_DOWN = "ramp_down"
    CLOSING = "closing"
    RESTART = "restart"
    CAPACITY = "line_capacity"
    RAMP_UP = "ramp_up"
    SUSTAIN = "sustainment"
    CEILING = "line_ceiling"
    MONOTONE = "capacity_kept"
    INDUSTRY = "industry_rule"
    ATTRIBUTED_CAPACITY = "attributed_within_added"
    ATTRIBUTED_ORDERS = "attributed_within_orders"
    SUPPLY = "component_supply"
    SUPPLY_CEILING = "component_ceiling"
    SUPPLY_MONOTONE = "supply_kept"
    SOURCE_CEILING = "supplier_ceiling"
    SOURCE_MONOTONE = "supplier_supply_kept"
    QUALIFIED = "qualified_only"
    BALANCE = "stock_balance"
    SHORTFALL = "shortfall"
    TIER_SPLIT = "tier_split"
    TIER_ONE = "tier_one"
    TIER_OPEN = "tier_open"
    TIER_REACH = "tier_reach"
    BUDGET = "budget"
    WORK_SHARE = "work_share"


class E:
    """Expression names."""

    SPENDING = "spending"  # [money_scale currency] (ally, year): new orders, expansions, idle
    SHORTFALL = "weighted_shortfall"  # [target-months] the first objective
    COST = "total_spending"  # [money_scale currency] the second objective


@dataclass(frozen=True)
class BuildOptions:
    """How to build: a fixed tier choice turns the MIP into an LP (for duals).

    The boolean fields are formulation options: each writes the same LP (the same
    optimum) with fewer nonzeros or rows; ``bench/model_size.py`` measures them.
    """

    tier_choice: xr.DataArray | None = None  # 1.0 on the chosen tier, same dims as V.TIER
    without: frozenset[str] = field(default_factory=frozenset)  # families left out
    #: ``Σ_n rate[l,n,p]`` once per line and period (:func:`define_period_totals`)
    dispatch_per_period: bool = False
    #: ``Σ_{l of g} rate[l,n,p]`` once per ally, group and period (likewise)
    arrivals_per_period: bool = False


def _months(inp: ModelInputs) -> xr.DataArray:
    return xr.DataArray(np.arange(inp.horizon), coords=[inp.month_year.coords["month"]])


def _can_expand(inp: ModelInputs) -> xr.DataArray:
    return (inp.ceiling > inp.cap0) & inp.scenario.meta.policy.expansion


def arrival_period(inp: ModelInputs) -> xr.DataArray:
    """Contract period whose rate arrives from line l in month t, -1 before the first
    delivery a new order can make (t < lag[l]) (line, month)."""
    t = _months(inp)
    return xr.where(t >= inp.lag, inp.month_period, -1)


def dispatch_period(inp: ModelInputs) -> xr.DataArray:
    """Contract period whose deliveries line l dispatches in month t (they arrive in
    t + lag[l]), -1 where that arrival is past the horizon (line, month)."""
    t = _months(inp)
    arrival = t + inp.lag
    period = inp.month_period.values[np.clip(arrival.values, 0, inp.horizon - 1)]
    return xr.where(arrival <= inp.horizon - 1, xr.DataArray(period, coords=arrival.coords), -1)


def months_delivered(inp: ModelInputs) -> xr.DataArray:
    """Months of calendar year y in which period p's rate arrives from line l
    (line, period, year) [months]: deliveries per year = months × rate."""
    src = arrival_period(inp)
    periods = xr.DataArray(np.arange(inp.periods), dims=["period"])
    hit = (src == periods).astype(float)
    return hit.groupby(inp.month_year).sum()


def define_contracts(m: linopy.Model, inp: ModelInputs) -> None:
    """Orders are contracts: a delivery rate constant within each contract period.

    ``rate[l,n,p]`` [units/month] from line l to ally n (only allies that stock the
    line's group) in period p. New orders arrive in month t at ``rate[l,n,p(t)]`` from
    ``t = lag[l]`` on, and leave the line ``lag[l]`` months earlier:
    ``dispatch[l,t] = Σ_n rate[l,n,p(t + lag[l])]`` while ``t + lag[l] ≤ H − 1``.

    Whole lots (``policy.whole_lots``): what a buyer receives in a period is a whole
    number of the item's lots, ``rate[l,n,p]·months[l,p] = lot[l]·lots[l,n,p]`` with
    ``lots`` integer and ``months[l,p]`` the months of period p in which the line
    delivers; a contract (consecutive periods) is then whole lots too.
    """
    periods = xr.DataArray(np.arange(inp.periods), dims=["period"])
    last_month = (
        np.minimum((periods + 1) * inp.scenario.meta.policy.order_period_months, inp.horizon) - 1
    )
    mask = inp.uses & (last_month >= inp.lag)
    mask = mask.assign_coords(period=np.arange(inp.periods))
    m.add_variables(lower=0, coords=mask.coords, name=V.RATE, mask=mask)
    if not inp.whole_lots:
        return
    m.add_variables(lower=0, coords=mask.coords, name=V.LOTS, mask=mask, integer=True)
    months = months_delivered(inp).sum("year")
    m.add_constraints(
        months * m.variables[V.RATE] - inp.lot * m.variables[V.LOTS] == 0,
        name=C.WHOLE_LOTS,
        mask=mask,
    )


def work_share_partners(inp: ModelInputs) -> xr.DataArray:
    """Where line l counts towards ally n's work share (line, ally), bool: the line's
    host is n, or an ally of n's ``work_share_group`` (allies table)."""
    allies = inp.uses.coords["ally"]
    group = {r.code: r.work_share_group for r in inp.scenario.records("allies")}
    hosts = {r.id: r.host for r in inp.scenario.records("lines")}
    lines = inp.uses.coords["line"].values

    def counts(line: str, ally: str) -> bool:
        mine = group.get(ally)
        return hosts[line] == ally or (mine is not None and group.get(hosts[line]) == mine)

    same = [[counts(str(line), str(ally)) for ally in allies.values] for line in lines]
    return xr.DataArray(np.array(same, dtype=bool), coords=[inp.uses.coords["line"], allies])


def order_value_coef(inp: ModelInputs) -> xr.DataArray:
    """What a unit/month of ``rate[l,n,p]`` is worth over the horizon [money_scale]
    (line, period): the months period p delivers from line l times the base price."""
    return months_delivered(inp).sum("year") * line_base_price(inp)


def define_work_share(m: linopy.Model, inp: ModelInputs) -> None:
    """Work share (``policy.work_share`` s > 0): each ally places at least s of the value
    of its new orders with lines it hosts or an ally of its work-share group hosts:

    ``Σ_{l,p} v[l,p]·(h[l,n] − s)·rate[l,n,p] ≥ 0`` for each ally n, with
    ``v[l,p] = months[l,p]·price[item(l)]`` the value of a unit/month of period p's rate
    at the item's base price and ``h[l,n] = 1`` where line l counts for n
    (:func:`work_share_partners`). Over the whole horizon; orders bought for a
    recipient's requirements count as the donor's. With volume price tiers an item's
    tier price applies alike to all its lines, so base prices differ from what is paid
    only across items. An ally whose every line counts gets no row; with s = 0 the
    model has no row at all.
    """
    share = inp.scenario.meta.policy.work_share
    if share <= 0:
        return
    rate = m.variables[V.RATE]
    exists = rate.labels >= 0
    home = work_share_partners(inp)
    abroad = (exists & ~home).any(["line", "period"])
    if not bool(abroad.any()):
        return
    coef = order_value_coef(inp) * (home.astype(float) - share)
    m.add_constraints((coef * rate).sum(["line", "period"]) >= 0, name=C.WORK_SHARE, mask=abroad)


def define_min_rates(m: linopy.Model, inp: ModelInputs) -> None:
    """A line takes a contract only at or above its least rate, in each period.

    With ``placed`` binary: ``Σ rate ≤ ceiling[l]·placed`` and ``Σ lots ≥
    ⌈min_rate[l]·months[l,p]/lot[l]⌉·placed``, the sums over the buyers of one
    contract. Pooled (``policy.pooling``), every buyer of a line and period may join
    one multinational contract, so the sum runs over all of them (buyers too small
    alone reach the rate together); alone, each buyer's own rate is a contract. A line
    delivers no more a month than its ceiling.
    """
    if not inp.has_min_rates:
        return
    rate = m.variables[V.RATE]
    exists = rate.labels >= 0
    lines = inp.min_rate > 0
    if inp.scenario.meta.policy.pooling:
        mask = exists.any("ally") & lines
        total = rate.sum("ally")
    else:
        mask = exists & lines
        total = 1 * rate
    m.add_variables(coords=mask.coords, name=V.PLACED, binary=True, mask=mask)
    placed = m.variables[V.PLACED]
    m.add_constraints(total - inp.ceiling * placed <= 0, name=C.PLACED_OPEN, mask=mask)
    # In whole lots: the contract's lots in the period reach the least rate's, rounded up
    # (the same set of plans in whole numbers, and a tighter relaxation).
    lots = m.variables[V.LOTS]
    months = months_delivered(inp).sum("year")
    least = np.ceil(inp.min_rate * months / inp.lot - 1e-9)
    lots_total = lots.sum("ally") if inp.scenario.meta.policy.pooling else 1 * lots
    m.add_constraints(lots_total - least * placed >= 0, name=C.MIN_RATE, mask=mask)


def define_period_totals(m: linopy.Model, inp: ModelInputs, options: BuildOptions) -> None:
    """A contract period's totals, written once instead of in every month of the period.

    A rate is constant within its contract period, so every month of the period repeats
    the same sums of rates: what a line dispatches, ``Σ_n rate[l,n,p]``, in the rows of
    :func:`define_output`, :func:`define_sustainment` and
    :func:`define_industry_rule`; what a group's holder receives,
    ``Σ_{l of g} rate[l,n,p]``, in the stock balance of :func:`define_stock`. With
    ``options.dispatch_per_period``: ``dispatched[l,p] = Σ_n rate[l,n,p]``, one row a
    line and period, and those rows take ``dispatched`` (one term a month instead of
    one per buyer). With ``options.arrivals_per_period``:
    ``arriving[n,g,p] = Σ_{l of g} rate[l,n,p]``, and a month's arrivals are
    ``arriving[n,g,p(t)]`` once every line of g delivers (``t ≥ max lag``), the sum of
    the lines that deliver before then. The LP is the same (each new variable is fixed
    by its row); each rate then sits in a few rows instead of four a month of its period.
    """
    rate = m.variables[V.RATE]
    exists = rate.labels >= 0
    if options.dispatch_per_period:
        lines = exists.any("ally")
        m.add_variables(lower=0, coords=lines.coords, name=V.DISPATCHED, mask=lines)
        total = m.variables[V.DISPATCHED] - rate.sum("ally")
        m.add_constraints(total == 0, name=C.DISPATCHED, mask=lines)
    if options.arrivals_per_period:
        group = inp.line_group.rename("group")
        groups = inp.has_stock.coords["group"].values
        held = exists.groupby(group).any().reindex(group=groups, fill_value=False)
        held = held.transpose("ally", "group", "period")
        m.add_variables(lower=0, coords=held.coords, name=V.ARRIVING, mask=held)
        summed = (1 * rate).groupby(group).sum().reindex(group=groups)
        m.add_constraints(m.variables[V.ARRIVING] - summed == 0, name=C.ARRIVING, mask=held)


def arrivals(m: linopy.Model, inp: ModelInputs) -> linopy.LinearExpression:
    """New orders arriving [units/month] (line, ally, month)."""
    return take(m.variables[V.RATE], "period", arrival_period(inp))


def dispatch(m: linopy.Model, inp: ModelInputs) -> linopy.LinearExpression:
    """New orders leaving each line [units/month] (line, month)."""
    if V.DISPATCHED in m.variables:  # options.dispatch_per_period
        return take(m.variables[V.DISPATCHED], "period", dispatch_period(inp))
    return take(m.variables[V.RATE], "period", dispatch_period(inp)).sum("ally")


def cost_scale(inp: ModelInputs) -> float:
    """Money per unit of the cost objective [money_scale]: the largest price or cost,
    so that its coefficients are at most 1."""
    arrays = (inp.price, inp.expansion_cost, inp.supply_cost, inp.idle_cost, inp.closure_cost)
    largest = max([float(a.max()) for a in arrays if a.size and a.notnull().any()] + [1.0])
    return largest / inp.money_scale


def held_unit(inp: ModelInputs) -> xr.DataArray:
    """The unit in which the model counts what a producer holds (line) [units]: a power
    of ten, at least 1, worth ten to a hundred times the largest price or cost
    (:func:`cost_scale`) at the item's base price.

    Holding is only priced by the cost stage's tie-break, ``solve.HOLDING`` (1e-4) of
    the item's price a unit-month over :func:`cost_scale`: counted in single shells its
    cost would be 4.5e-8 (nato-2024), below HiGHS's least cost without a warning (1e-4);
    in this unit it is 1e-3 to 1e-2. Values read back are in units."""
    price = line_base_price(inp)
    ratio = (cost_scale(inp) / price.where(price > 0)).fillna(1.0)
    exponent = xr.apply_ufunc(lambda r: np.ceil(np.log10(r)) + 1, ratio).clip(min=0)
    return 10.0**exponent


def define_output(m: linopy.Model, inp: ModelInputs) -> None:
    """Output, the producer's stock, ramp rates and line capacity.

    ``make[l,t]`` is the output for new orders; existing contracts take ``fixed[l,t]`` of
    the line on their own, given schedule.
    ``held[l,t] = held[l,t−1] + make[l,t] − dispatch[l,t] ≥ 0`` (a producer may make ahead
    of a contract's steady deliveries, never after), ``held[l,−1] = 0``;
    ``make[l,t] − make[l,t−1] ≤ ramp[l] + freed[l,t]``, starting from the output now
    less what existing contracts take: output for new orders rises by at most the ramp
    rate a month, and what existing contracts stop taking (``freed``) new orders may take
    over at once (a contract that starts adds to the total beyond the ramp: it is
    given). Output may fall at once unless the line has a sustaining rate (see
    :func:`define_warm_lines`); a warm line's output is bought:
    ``held[l, H−1−lag[l]] = 0`` (what it makes by the last month whose deliveries arrive
    in the horizon has been delivered by then);
    ``make[l,t] + fixed[l,t] ≤ cap0[l] + added[l,t]``, ``added[l,t] ≥ added[l,t−1]``
    (capacity is kept), ``added[l,H−1] ≤ ceiling[l] − cap0[l]``, ``added[l,t] = 0`` for
    t < lead[l] (capacity ordered in month t is usable from t + lead). What a producer
    holds counts in :func:`held_unit`.
    """
    t = _months(inp)
    lines = xr.ones_like(inp.cap0, dtype=bool) & (t >= 0)
    m.add_variables(lower=0, coords=lines.coords, name=V.MAKE)
    m.add_variables(lower=0, coords=lines.coords, name=V.HELD)
    make, held = m.variables[V.MAKE], m.variables[V.HELD]
    unit = held_unit(inp)  # held counts in it (the row in units/month)
    compat.set_unit(held, unit)
    m.add_constraints(
        unit * held - unit * held.shift(month=1) - make + dispatch(m, inp) == 0, name=C.PRODUCER
    )
    # What existing contracts stop taking, new orders may take over at once.
    freed = (_fixed_before(inp) - inp.fixed_make).clip(0, None)
    # (a warm line's ramp-up is written with its opening: see define_warm_lines)
    m.add_constraints(
        make - make.shift(month=1) <= inp.ramp + freed, name=C.RAMP_UP, mask=lines & ~inp.warm_lines
    )
    # A warm line's output is bought: what it has made by the last month whose
    # deliveries arrive within the horizon has been dispatched by then (else its
    # sustaining rate would cost nothing). Elsewhere the producer may make ahead and
    # hold, which keeps rounding to whole lots from pulling output along its ramp.
    last = inp.horizon - 1 - inp.lag
    bought = lines & (t == last) & inp.warm_lines
    if bool(bought.any()):
        m.add_constraints(1 * held == 0, name=C.ALL_BOUGHT, mask=bought)
    mask = _can_expand(inp) & (t >= inp.lead)
    m.add_variables(lower=0, coords=mask.coords, name=V.ADDED, mask=mask)
    added = m.variables[V.ADDED]
    m.add_constraints(make - added <= inp.cap0 - inp.fixed_make, name=C.CAPACITY)
    if bool(mask.any()):
        m.add_constraints(added - added.shift(month=1) >= 0, name=C.MONOTONE, mask=mask & (t >= 1))
        m.add_constraints(
            added.isel(month=-1) <= inp.ceiling - inp.cap0, name=C.CEILING, mask=mask.isel(month=-1)
        )


def _fixed_before(inp: ModelInputs) -> xr.DataArray:
    """Output of existing contracts the month before (line, month); the whole output
    now (``output_now``) before month 0."""
    before = inp.fixed_make.shift(month=1)
    return before.where(_months(inp) > 0, inp.output_now)


def _period_of_month(inp: ModelInputs) -> xr.DataArray:
    return inp.month_period.broadcast_like(inp.cap0)


def define_warm_lines(m: linopy.Model, inp: ModelInputs) -> None:
    """Lines that stay warm, or close on purpose (lines with a sustaining rate).

    ``open[l,p]`` binary per contract period, open before month 0. With total output
    ``T = make + fixed``: ``T[l,t] ≥ sustain[l]·open[l,p(t)]`` and
    ``T[l,t] ≤ ceiling[l]·open[l,p(t)]`` (a closed line makes nothing, so a line with
    existing contracts stays open); ``T[l,t−1] − T[l,t] ≤ ramp[l] +
    ceiling[l]·(1 − open[l,p(t)])`` (while open, output falls by at most the ramp a
    month, ``T[−1]`` the output now; closing drops it to nothing at once).
    ``T[l,t] − T[l,t−1] ≤ ramp[l] + sustain[l]·(1 − open[l,p(t−1)])`` (up by the ramp,
    or at once to the sustaining rate when the line reopens; new orders also take over
    at once what existing contracts free, as on every line);
    ``close[l,p] ≥ open[l,p−1] − open[l,p]``, ``close[l,p] ≤ open[l,p−1]``,
    ``close[l,p] ≤ 1 − open[l,p]`` (so close is 1 exactly where the line closes), and a
    line closed stays closed ``R[l]`` periods: ``open[l,p] + Σ_{k=1..R−1} close[l,p−k]
    ≤ 1``. Closing costs ``closure_cost[l]``, paid like an expansion in the year of
    the period's first month (:func:`define_spending`).
    """
    warm = inp.warm_lines
    if not bool(warm.any()):
        return
    period = xr.DataArray(np.arange(inp.periods), dims=["period"])
    mask = (warm & (period >= 0)).assign_coords(period=np.arange(inp.periods))
    m.add_variables(coords=mask.coords, name=V.OPEN, binary=True, mask=mask)
    m.add_variables(lower=0, upper=1, coords=mask.coords, name=V.CLOSE, mask=mask)
    opened, close = m.variables[V.OPEN], m.variables[V.CLOSE]
    make = m.variables[V.MAKE]
    open_t = take(opened, "period", _period_of_month(inp))
    fixed = inp.fixed_make
    by_month = warm & (_months(inp) >= 0)
    m.add_constraints(
        make - inp.sustaining_rate * open_t >= -fixed, name=C.SUSTAINING, mask=by_month
    )
    m.add_constraints(make - inp.ceiling * open_t <= -fixed, name=C.CLOSED, mask=by_month)
    m.add_constraints(
        make.shift(month=1) - make + inp.ceiling * open_t
        <= inp.ramp + inp.ceiling + fixed - _fixed_before(inp),
        name=C.RAMP_DOWN,
        mask=by_month,
    )
    # Up by at most the ramp, as every line; a line that reopens may start at once at its
    # sustaining rate (closed the month before: open_prev = 0).
    t = _months(inp)
    before = _period_of_month(inp).shift(month=1).fillna(-1).astype(int)
    open_prev = take(opened, "period", before)
    freed = (_fixed_before(inp) - fixed).clip(0, None)
    m.add_constraints(
        make - make.shift(month=1) + inp.sustaining_rate * open_prev
        <= inp.ramp + freed + inp.sustaining_rate * (t > 0),
        name=C.RAMP_UP + "_warm",
        mask=by_month,
    )
    first = xr.where(period == 0, 1.0, 0.0).assign_coords(period=np.arange(inp.periods))
    m.add_constraints(close - opened.shift(period=1) + opened >= first, name=C.CLOSING, mask=mask)
    m.add_constraints(
        close - opened.shift(period=1) <= first, name=C.CLOSING + "_after_open", mask=mask
    )
    m.add_constraints(close + opened <= 1, name=C.CLOSING + "_when_closed", mask=mask)
    longest = int(inp.restart_periods.max())
    if longest > 1:
        kept = 1 * opened
        for k in range(1, longest):
            kept = kept + (inp.restart_periods > k).astype(float) * close.shift(period=k)
        m.add_constraints(kept <= 1, name=C.RESTART, mask=mask & (inp.restart_periods > 1))


def closure_paid(m: linopy.Model, inp: ModelInputs) -> linopy.LinearExpression | None:
    """Money for closing lines [money_scale] (line, year): ``closure_cost[l]·close[l,p]``
    in the calendar year of period p's first month."""
    if V.CLOSE not in m.variables:
        return None
    starts = np.arange(inp.periods) * inp.scenario.meta.policy.order_period_months
    year_of = xr.DataArray(inp.month_year.values[starts], dims=["period"]).assign_coords(
        period=np.arange(inp.periods)
    )
    in_year = (year_of == inp.months_in_year.coords["year"]).astype(float)
    cost = inp.closure_cost / inp.money_scale
    return (cost * in_year * m.variables[V.CLOSE]).sum("period")


def define_sustainment(m: linopy.Model, inp: ModelInputs) -> None:
    """An expanded line stays warm: its orders cover at least ``min_util`` of the capacity
    added, or the plan pays for the idle part:
    ``dispatch[l,t] + fixed[l,t] + idle[l,t] ≥ min_util[l]·added[l,t]`` for months whose
    deliveries arrive within the horizon; the idle part costs ``idle_cost[l]`` per
    unit/month, paid like the expansion (see :func:`define_spending`). A line that is not
    expanded asks nothing, so the rule never makes a plan impossible: it makes expanding
    dearer, a real cost and a real choice.
    """
    if V.ADDED not in m.variables:
        return
    t = _months(inp)
    mask = (inp.min_util > 0) & _can_expand(inp) & (t >= inp.lead)
    mask = mask & (t + inp.lag <= inp.horizon - 1)
    if not bool(mask.any()):
        return
    m.add_variables(lower=0, coords=mask.coords, name=V.IDLE, mask=mask)
    lhs = dispatch(m, inp) + m.variables[V.IDLE] - inp.min_util * m.variables[V.ADDED]
    m.add_constraints(lhs >= -inp.fixed_make, name=C.SUSTAIN, mask=mask)


def define_industry_rule(m: linopy.Model, inp: ModelInputs) -> None:
    """A line expands only when firm orders cover K months of the added output.

    The output that the added capacity can account for in month t is
    ``a[l,t] ≤ added[l,t]`` and ``a[l,t] ≤ dispatch[l,t] + fixed[l,t]``; over the months
    whose output reaches a buyer within the horizon it must add up to K months of the
    capacity added: ``Σ_t a[l,t] ≥ K_eff[l]·added[l,H−1]`` with
    ``K_eff = min(K, H − lag − lead)``. Planned contracts count as firm (the plan is the
    set of long-term contracts to sign), as do firm existing contracts; framework
    contracts do not. With nothing added the rule asks nothing.
    """
    k = inp.scenario.meta.policy.industry_rule_months
    if k <= 0 or not bool(_can_expand(inp).any()):
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
        attributed - dispatch(m, inp) <= inp.fixed_make, name=C.ATTRIBUTED_ORDERS, mask=mask
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
    if inp.suppliers is not None:  # a sourced component grows by its suppliers
        expand = expand & ~inp.suppliers.sourced
    mask = expand & (t >= inp.supply_lead)
    m.add_variables(lower=0, coords=mask.coords, name=V.SUPPLY_ADDED, mask=mask)
    sadded = m.variables[V.SUPPLY_ADDED]
    use = (inp.bom * m.variables[V.MAKE]).sum("line")
    fixed_use = (inp.bom * inp.fixed_make).sum("line")
    used = (inp.bom > 0).any("line")
    lhs = use - sadded
    sources = define_suppliers(m, inp)
    if sources is not None:
        lhs = lhs - sources
    m.add_constraints(lhs <= supply_now(inp) - fixed_use, name=C.SUPPLY, mask=used & (t >= 0))
    _kept_to_ceiling(
        m, sadded, mask, inp.supply_ceiling - inp.supply0, C.SUPPLY_MONOTONE, C.SUPPLY_CEILING
    )


def _kept_to_ceiling(
    m: linopy.Model,
    added: linopy.Variable,
    mask: xr.DataArray,
    room: xr.DataArray,
    kept: str,
    ceiling: str,
) -> None:
    """Supply added is kept, ``added[x,t] ≥ added[x,t−1]``, and stops at the ceiling,
    ``added[x,H−1] ≤ room[x]``."""
    if not bool(mask.any()):
        return
    t = xr.DataArray(np.arange(mask.sizes["month"]), coords=[mask.coords["month"]])
    m.add_constraints(added - added.shift(month=1) >= 0, name=kept, mask=mask & (t >= 1))
    m.add_constraints(added.isel(month=-1) <= room, name=ceiling, mask=mask.isel(month=-1))


def supply_now(inp: ModelInputs) -> xr.DataArray:
    """Supply without expansion [units/month] (component, month): the component's own,
    or the sum of its suppliers' where they may supply (``policy.restrict``)."""
    now = inp.supply0 * xr.ones_like(inp.month_year, dtype=float)
    sup = inp.suppliers
    if sup is None:
        return now
    sourced = (sup.available * sup.cap0 * sup.onehot).sum("supplier")
    return xr.where(sup.sourced, sourced, now)


def define_suppliers(m: linopy.Model, inp: ModelInputs) -> linopy.LinearExpression | None:
    """Suppliers of a component (the ``suppliers`` table): supply added by each.

    ``added_s[s,t]`` is kept, capped by the supplier's ceiling and usable after its lead
    time, like a component's own. A sourced component's supply is
    ``Σ_s a[s,t]·(cap0[s] + added_s[s,t])`` with ``a[s,t] = 0`` from the month
    ``policy.restrict`` stops trade with the supplier's country (if restrictable), else
    1. Returns ``Σ_s a·added_s`` by component (component, month), or None.
    """
    sup = inp.suppliers
    if sup is None:
        return None
    t = _months(inp)
    grow = (sup.ceiling > sup.cap0) & inp.scenario.meta.policy.expansion
    mask = grow & (t >= sup.lead) & (sup.available > 0).any("month")
    m.add_variables(lower=0, coords=mask.coords, name=V.SOURCE_ADDED, mask=mask)
    added = m.variables[V.SOURCE_ADDED]
    _kept_to_ceiling(m, added, mask, sup.ceiling - sup.cap0, C.SOURCE_MONOTONE, C.SOURCE_CEILING)
    return (sup.onehot * sup.available * added).sum("supplier")


def define_qualifications(m: linopy.Model, inp: ModelInputs) -> None:
    """An item serves an ally's stock only where it is qualified for the ally.

    Where a ``qualifications`` row says an item is not qualified for ally n:
    ``rate[l,n,p] ≤ ceiling[l]·u[l,n,p]·q[n,i(l)]`` for every line l of the item, with
    ``q`` binary (only where the row gives a cost: else the right-hand side is 0) and
    ``u = 1`` where the period's first delivery comes at or after the qualification's
    lead time (a contract period's rate is one: a period that starts earlier cannot
    use it). Qualifying costs ``cost[n,i]·q[n,i]``, paid by the ally in the first year
    (:func:`define_spending`). The stock balance is untouched: rows only for the pairs
    the table names, so a model without them is the model it was.
    """
    qual = inp.qualifications
    if qual is None:
        return
    rate = m.variables[V.RATE]
    mask = (rate.labels >= 0) & qual.unqualified
    if not bool(mask.any()):
        return
    qmask = qual.qualifiable
    if not bool(qmask.any()):  # none can be qualified: those pairs never serve
        m.add_constraints(1 * rate <= 0, name=C.QUALIFIED, mask=mask)
        return
    m.add_variables(coords=qmask.coords, name=V.QUALIFY, binary=True, mask=qmask)
    q_line = take(m.variables[V.QUALIFY], "item", qual.item_pos)  # (ally, line)
    coef = qualification_coef(inp)
    m.add_constraints(rate - coef * q_line <= 0, name=C.QUALIFIED, mask=mask)


def qualification_coef(inp: ModelInputs) -> xr.DataArray:
    """``ceiling[l]·u[l,n,p]`` of :func:`define_qualifications` (line, ally, period), 0
    where the item cannot be qualified or the period starts before the lead time."""
    qual = inp.qualifications
    assert qual is not None
    first = first_arrival(inp)
    lead = qual.lead.isel(item=qual.item_pos).drop_vars("item")
    can = qual.qualifiable.isel(item=qual.item_pos).drop_vars("item")
    return (inp.ceiling * ((first >= lead) & can)).astype(float)


def first_arrival(inp: ModelInputs) -> xr.DataArray:
    """The month period p's rate first arrives from line l (line, period): the period's
    start, or the line's delivery lag if later (:func:`arrival_period`)."""
    period = xr.DataArray(np.arange(inp.periods), coords=[("period", np.arange(inp.periods))])
    start = period * inp.scenario.meta.policy.order_period_months
    return xr.where(start >= inp.lag, start, inp.lag)


def qualification_paid(m: linopy.Model, inp: ModelInputs) -> linopy.LinearExpression | None:
    """Money for qualifications [money_scale] (ally, year): paid in the first year."""
    if V.QUALIFY not in m.variables or inp.qualifications is None:
        return None
    years = inp.months_in_year.coords["year"]
    first = (years == years[0]).astype(float)
    cost = inp.qualifications.cost.fillna(0.0) / inp.money_scale
    return first * (cost * m.variables[V.QUALIFY]).sum("item")


def group_arrivals(m: linopy.Model, inp: ModelInputs) -> linopy.LinearExpression:
    """New orders arriving [units/month] (ally, group, month)."""
    # Each group sums only its own lines (a one-hot over all lines would give every row a
    # term slot per line, nearly all empty: most of the build's time at alliance scale).
    group = inp.line_group.rename("group")
    groups = inp.has_stock.coords["group"].values
    arrived = arrivals(m, inp).groupby(group).sum().reindex(group=groups)
    if V.ARRIVING not in m.variables:
        return arrived
    # options.arrivals_per_period: the period's total once every line of the group
    # delivers, the lines' own sum before then.
    last = inp.lag.groupby(group).max().reindex(group=groups, fill_value=0)
    every = _months(inp) >= last
    total = take(m.variables[V.ARRIVING], "period", inp.month_period)
    return total.where(every) + arrived.where(~every)


def stock_unit(inp: ModelInputs) -> xr.DataArray:
    """The unit in which the model measures a group's stock-side quantities (group)
    [units]: a power of ten, a hundredth of the group's largest target among the allies
    that hold it (a year of demand where an ally has no target), never below 1 unit.

    Stock, shortfall, unmet demand and a recipient's requirements count in this unit
    (nato-2024: 155 mm shells in 10,000s, most missiles in single units), their rows
    (stock balance, shortfall, requirements, floors) too: without it a shortfall column
    of 3.1 million shells weighs 3e-7 target-months per shell, and HiGHS warns of
    excessively small costs and large bounds (thresholds 1e-4 and 1e6,
    ``tests/planner/test_scaling.py``). With it a target is 100 to 1,000 units of the
    group's largest holder and a unit-month of its shortfall weighs about
    ``priority / 100`` or more. Values read back (:func:`compat.values_of`) are in units.
    """
    yearly = 12 * inp.demand.mean("month")
    reference = inp.target.where(inp.target > 0, yearly)
    largest = reference.where(inp.has_stock & (reference > 0)).max("ally")
    exponent = xr.apply_ufunc(lambda x: np.floor(np.log10(x)) - 2, largest)
    exponent = exponent.clip(min=0).fillna(0.0)
    return 10.0**exponent


def define_stock(m: linopy.Model, inp: ModelInputs, unit: xr.DataArray) -> linopy.LinearExpression:
    """Stock balance and target gaps, by ally and interoperability group.

    ``stock[n,g,t] = stock[n,g,t−1] + arrivals[n,g,t] − demand[n,g,t] + unmet[n,g,t]``,
    ``stock[n,g,−1] = initial``, arrivals = deliveries of every line of group g plus
    existing contracts; ``shortfall[n,g,t] ≥ target[n,g] − stock[n,g,t]``. Stock,
    shortfall, unmet demand and both rows count in the group's :func:`stock_unit`,
    ``unit`` (arrivals of new orders, in units, enter the balance over it). Returns
    those arrivals in ``unit`` (ally, group, month), which the aid rows use too.
    """
    t = _months(inp)
    has = inp.has_stock & (t >= 0)
    m.add_variables(lower=0, coords=has.coords, name=V.STOCK, mask=has)
    # Unmet demand is demand not served: at most the month's demand, never extra stock.
    m.add_variables(
        lower=0,
        upper=inp.demand / unit,
        coords=has.coords,
        name=V.UNMET,
        mask=has & (inp.demand > 0),
    )
    gap = has & (inp.target > 0)
    m.add_variables(
        lower=0,
        upper=(inp.target / unit).broadcast_like(gap),
        coords=gap.coords,
        name=V.SHORT,
        mask=gap,
    )
    stock, unmet = m.variables[V.STOCK], m.variables[V.UNMET]
    first = xr.where(t == 0, inp.initial, 0.0)
    arrived = group_arrivals(m, inp) * (1.0 / unit)
    lhs = stock - stock.shift(month=1) - arrived - unmet
    given = aid.given_by_donor(m, inp)  # aid to a recipient leaves the donor's stock
    if given is not None:
        lhs = lhs + given
    m.add_constraints(
        lhs == (inp.fixed_arrival - inp.demand + first) / unit,
        name=C.BALANCE,
        mask=has,
    )
    m.add_constraints(m.variables[V.SHORT] + stock >= inp.target / unit, name=C.SHORTFALL, mask=gap)
    for item in (stock, unmet, m.variables[V.SHORT]):
        compat.set_unit(item, unit)
    for name in (C.BALANCE, C.SHORTFALL):
        compat.set_unit(m.constraints[name], unit)
    return arrived


def _goods_cost(
    m: linopy.Model, inp: ModelInputs, options: BuildOptions
) -> linopy.LinearExpression:
    """Money for delivered goods [money_scale] (ally, year); volume tiers where given.

    Deliveries in year y are ``Σ_p months[l,p,y]·rate[l,n,p]`` (see
    :func:`months_delivered`). Without tiers: ``Σ_l price[item(l)]·deliveries``. With
    tiers, deliveries of
    item i to ally n in year y are split over tiers, ``Σ_k q[n,i,k,y] = delivered``; one
    tier is chosen per item (pooling: one multinational contract) or per ally and item
    (alone): ``Σ_k z = 1`` and the contract quantity lies in the tier's range:
    ``Q_k·z[i,k] ≤ Σ_{n,y} q[n,i,k,y] ≤ Q_{k+1}·z[i,k]`` (pooled; alone: ``Σ_y`` per
    ally), with the top tier bounded by what the item's lines can make in the horizon.
    """
    per_year = (months_delivered(inp) * m.variables[V.RATE]).sum("period")
    pooled = inp.scenario.meta.policy.pooling
    item_onehot = (inp.line_item == inp.price.coords["item"]).astype(float)
    price = inp.price / inp.money_scale
    if not inp.has_tiers:
        return (line_base_price(inp) * per_year).sum("line")
    delivered = (item_onehot * per_year).sum("line")
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
    return (price.fillna(0) * q).sum(["item", "tier"])


def expansion_paid(
    m: linopy.Model, inp: ModelInputs, *, added: str, cost: xr.DataArray, lead: xr.DataArray
) -> linopy.LinearExpression | None:
    """Money for added capacity in the year it is ordered [money_scale] (line or component,
    year); ``cost`` is in money_scale per unit/month.

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

    ``goods[n,y] + Σ_l share[l,n]·(paid[l,y] + idle[l,y]) + Σ_c share[c,n]·paid[c,y] ≤
    budget[n,y] − contracts[n,y]``; who pays for an expansion or an idle line is the
    stated rule of
    ``policy.expansion_funding`` (fixed shares, see inputs.funding_shares), never the
    solver's choice.
    """
    total = _goods_cost(m, inp, options)
    scale = inp.money_scale
    for added, cost, lead, share, dim in (
        (V.ADDED, inp.expansion_cost, inp.lead, inp.line_payer, "line"),
        (V.SUPPLY_ADDED, inp.supply_cost, inp.supply_lead, inp.supply_payer, "component"),
    ):
        paid = expansion_paid(m, inp, added=added, cost=cost / scale, lead=lead)
        if paid is not None:
            total = total + (share * paid).sum(dim)
    sup = inp.suppliers
    if sup is not None:
        paid = expansion_paid(m, inp, added=V.SOURCE_ADDED, cost=sup.cost / scale, lead=sup.lead)
        if paid is not None:
            payer = (sup.onehot * inp.supply_payer).sum("component")
            total = total + (payer * paid).sum("supplier")
    qualifying = qualification_paid(m, inp)
    if qualifying is not None:
        total = total + qualifying
    if V.IDLE in m.variables:
        idle = (inp.idle_cost / scale * m.variables[V.IDLE]).groupby(inp.month_year).sum()
        total = total + (inp.line_payer * idle).sum("line")
    closing = closure_paid(m, inp)
    if closing is not None:
        total = total + (inp.line_payer * closing).sum("line")
    m.add_expressions(total, name=E.SPENDING)
    m.add_constraints(total <= (inp.budget - inp.fixed_spend) / scale, name=C.BUDGET)


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

    Where a recipient's requirement may take stock down to a ``donor_floor`` below 1,
    the shortfall's weight is split at the floor (:func:`aid.band_weights`): this is the
    part between the floor and the target; :func:`below_floor_weight` the rest.
    """
    short = shortfall_weight(inp)
    unit = unmet_unit_weight(inp)
    split = aid.band_weights(inp, short, unit)
    if split is not None:  # stock between a floor below 1 and the target: aid.band_weights
        short = split[0]
    return short, inp.priority * unit


def below_floor_weight(inp: ModelInputs) -> xr.DataArray | None:
    """The extra weight of a unit-month below ``donor_floor · target`` where the
    shortfall's weight is split at the floor (ally, group, month), None elsewhere."""
    split = aid.band_weights(inp, shortfall_weight(inp), unmet_unit_weight(inp))
    return None if split is None else split[1]


def shortfall_weight(inp: ModelInputs) -> xr.DataArray:
    """``w[n,g,t]``: the weight of a unit-month below target before any floor's split
    (ally, group, month), see :func:`objective_weights`."""
    policy = inp.scenario.meta.policy
    due = _months(inp) >= inp.target_month
    overdue = xr.where(due & (inp.target_month >= 0), policy.overdue_weight, 1.0)
    return (inp.priority / inp.target * overdue).where(inp.target > 0, 0.0)


def unmet_unit_weight(inp: ModelInputs) -> xr.DataArray:
    """``u · ω[g] · (2H − t)`` (group, month): the weight of a unit of demand of priority
    1 left unmet in month t (see :func:`objective_weights`)."""
    policy = inp.scenario.meta.policy
    yearly = 12 * inp.demand.mean("month")
    reference = inp.target.where(inp.target > 0, yearly)
    reference = reference.where(inp.has_stock & (reference > 0))
    smallest = reference.min("ally").fillna(1.0)
    left = 2 * inp.horizon - _months(inp)
    return policy.unmet_demand_weight * policy.overdue_weight * left / smallest


def define_objective(
    m: linopy.Model, inp: ModelInputs, unit: xr.DataArray, unmet_weight: xr.DataArray
) -> None:
    """Weighted shortfall first (this objective), then cost (a second solve, see solve.py).

    ``min Σ_{n,g,t} w[n,g,t]·shortfall[n,g,t] + Σ_{n,g,t} u[n,g]·unmet[n,g,t]`` with the
    weights of :func:`objective_weights`. The unit is the target-month: one whole
    target missing for one month. ``unit``: the groups' :func:`stock_unit`, which the
    columns count in (a column's weight is unit times w); ``unmet_weight``:
    :func:`unmet_unit_weight`.
    """
    w_short, w_unmet = objective_weights(inp)
    shortfall = (unit * w_short * m.variables[V.SHORT]).sum()
    if V.UNMET in m.variables:
        shortfall = shortfall + (unit * w_unmet * m.variables[V.UNMET]).sum()
    aid_part = aid.objective(m, inp, unmet_weight, below_floor_weight(inp), unit)
    if aid_part is not None:
        shortfall = shortfall + aid_part
    m.add_expressions(shortfall, name=E.SHORTFALL)
    m.add_expressions(m.expressions[E.SPENDING].sum(), name=E.COST)
    m.add_objective(shortfall)


def build_model(inp: ModelInputs, options: BuildOptions | None = None) -> linopy.Model:
    """The whole model, in the order of the planning model in DESIGN.md."""
    options = options or BuildOptions()
    m = compat.new_model()
    define_contracts(m, inp)
    define_period_totals(m, inp, options)
    define_work_share(m, inp)
    define_qualifications(m, inp)
    define_min_rates(m, inp)
    define_output(m, inp)
    if C.SUSTAINING not in options.without:
        define_warm_lines(m, inp)
    define_sustainment(m, inp)
    if C.INDUSTRY not in options.without:
        define_industry_rule(m, inp)
    define_components(m, inp)
    unit, unmet_weight = stock_unit(inp), unmet_unit_weight(inp)
    aid.define_aid_variables(m, inp, unit, unmet_weight)
    arrived = define_stock(m, inp, unit)
    if inp.aid is not None:
        unmet = None  # linopy's Variables has no get()
        if V.UNMET in m.variables:
            unmet = m.variables[V.UNMET]
        aid.define_aid(
            m,
            inp,
            stock=m.variables[V.STOCK],
            arrived=arrived,
            unit=unit,
            values_in=aid.value_unit(inp, unmet_weight),
            unmet=unmet,
        )
    define_spending(m, inp, options)
    define_objective(m, inp, unit, unmet_weight)
    return m


def line_base_price(inp: ModelInputs) -> xr.DataArray:
    """The base price of each line's item (line) [money_scale/unit]."""
    item_onehot = (inp.line_item == inp.price.coords["item"]).astype(float)
    return (item_onehot * inp.price.isel(tier=0).fillna(0.0)).sum("item") / inp.money_scale
