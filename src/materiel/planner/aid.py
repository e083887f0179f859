"""Aid coordination: a recipient's requirements met by donors, from stock above their
floors and from new contracts they pay for, shared by GDP (the model's aid family).

Variables exist only where a requirement asks for something: ``aid_from_stock``
(ally, requirement, period) where the donor's stock may give (see
:mod:`materiel.scenario.aid`), ``aid_from_new`` (ally, requirement, period) where a line
of the group exists (a steady rate in each contract period, as contracts deliver),
``requirement_unmet`` (requirement, month) and ``aid_unfair`` (ally). New contracts for
the recipient are the donor's own contract variables (``rate``, ``lots``): the donor
buys, the deliveries are passed on in the month they arrive, so whole lots, least rates
and pooling (several donors on one line and period form one multinational contract) work
unchanged. The recipient is not an ally: it has no stock, budget or target in the model.

Units: the gifts, a requirement's row and the donor's floor count in the unit of the
group's stock (``model.stock_unit``, passed in as ``unit``), what is left unmet in
:func:`unmet_unit` (a multiple of it: requirements weigh little per unit); the value
given (``aid_value``, ``aid_value_total``, ``aid_unfair``) in :func:`value_unit` times
``money_scale``. Values read back through ``compat.values_of`` are in units/month and
``money_scale`` as the names below say.
"""

from __future__ import annotations

import linopy
import numpy as np
import xarray as xr

from materiel.planner import compat
from materiel.scenario import ModelInputs


class AV:
    """Variable names of the aid family."""

    STOCK = "aid_from_stock"  # [units/month] (ally, requirement, period)
    NEW = "aid_from_new"  # [units/month] (ally, requirement, period)
    UNMET = "requirement_unmet"  # [units/month] (requirement, month)
    UNFAIR = "aid_unfair"  # [money_scale] (ally): value given off the donor's fair share
    FORGONE = "donor_demand_forgone"  # [units] (ally, group, month): own demand left
    # unmet since the month the donor may first give the group from stock
    VALUE = "aid_value"  # [money_scale] (ally): value a donor gives
    TOTAL = "aid_value_total"  # [money_scale]: value all donors give
    BELOW = "below_floor"  # [units] (ally, group, month): stock below floor x target,
    # where a requirement may take stock between the floor and the target


class AC:
    """Constraint names of the aid family."""

    REQUIREMENT = "requirement_met"
    FLOOR = "donor_floor"
    FORGONE = "donor_demand_forgone"
    NEW = "aid_within_new_deliveries"
    VALUE = "aid_value"
    TOTAL = "aid_value_total"
    FAIR_ABOVE = "aid_fair_above"
    FAIR_BELOW = "aid_fair_below"
    BELOW = "below_floor"


def _line_for_group(inp: ModelInputs) -> xr.DataArray:
    """Where some line makes the requirement's group (ally, requirement), bool."""
    assert inp.aid is not None
    by_group = inp.uses.groupby(inp.line_group.rename("group")).max()
    by_group = by_group.reindex(group=inp.has_stock.coords["group"].values, fill_value=False)
    return by_group.sel(group=inp.aid.group).drop_vars("group").astype(bool)


def _periods(inp: ModelInputs) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """Where a requirement asks in a contract period (requirement, period); where a donor
    may give from stock in it (ally, requirement, period): in every month it asks; and
    the period a month's gift is given in, -1 where nothing is asked (requirement, month).
    """
    aid = inp.aid
    assert aid is not None
    asked = aid.need > 0
    period = inp.month_period
    asked_p = asked.groupby(period).max().astype(bool)
    not_yet = (asked & ~aid.from_stock).groupby(period).max().astype(bool)
    stock_p = asked_p & ~not_yet
    src = xr.where(asked, period, -1)
    return asked_p, stock_p.transpose("ally", "requirement", "period"), src


def requirement_unit(inp: ModelInputs, unit: xr.DataArray) -> xr.DataArray:
    """The stock unit of each requirement's group (requirement) [units]."""
    assert inp.aid is not None
    return unit.sel(group=inp.aid.group).drop_vars("group")


def unmet_unit(inp: ModelInputs, unit: xr.DataArray, unit_weight: xr.DataArray) -> xr.DataArray:
    """The unit of a requirement left unmet (requirement) [units]: the group's stock unit
    times a power of ten, so that a unit-month of it weighs at least 1e-3 target-months.

    A requirement's weight follows from the least weight per unit of money of any
    target (:func:`requirement_weights`), not from its own group's size: nato-2024 weighs
    a missile of a requirement about 1e-6 target-months, and counted in the group's
    stock unit (10 missiles) it would still be below HiGHS's least cost without a
    warning (1e-4)."""
    per = requirement_unit(inp, unit)
    assert inp.aid is not None
    weight = requirement_weights(inp, unit_weight).where(inp.aid.need > 0).min("month") * per
    lift = xr.apply_ufunc(lambda w: np.ceil(np.log10(1e-3 / w)), weight)
    lift = lift.clip(min=0).fillna(0.0)
    return per * 10.0**lift


def value_unit(inp: ModelInputs, unit_weight: xr.DataArray) -> float:
    """The unit of the value aid gives [money_scale]: a power of ten, at least 1, at which
    a unit given off a donor's fair share weighs at least 1e-3 target-months
    (:func:`fairness_weight`; nato-2024: 3.4e-6 per money_scale, so 1,000 money_scale),
    well above HiGHS's least cost without a warning (1e-4)."""
    weight = fairness_weight(inp, unit_weight) if inp.aid is not None else 0.0
    if weight <= 0:
        return 1.0
    return float(10.0 ** max(0.0, np.ceil(np.log10(1e-3 / weight))))


def define_aid_variables(
    m: linopy.Model, inp: ModelInputs, unit: xr.DataArray, unit_weight: xr.DataArray
) -> None:
    """What each donor gives each requirement, from stock and from new contracts
    [units/month], at a steady rate within each contract period (as contracts deliver:
    one rate a period keeps the model small), and what is left unmet each month; gifts
    count in the group's stock ``unit``, what is left unmet in :func:`unmet_unit`."""
    aid = inp.aid
    if aid is None:
        return
    asked = aid.need > 0
    asked_p, stock_p, _ = _periods(inp)
    m.add_variables(lower=0, coords=stock_p.coords, name=AV.STOCK, mask=stock_p)
    new = (_line_for_group(inp) & asked_p).transpose("ally", "requirement", "period")
    m.add_variables(lower=0, coords=new.coords, name=AV.NEW, mask=new)
    left = unmet_unit(inp, unit, unit_weight)
    m.add_variables(lower=0, upper=aid.need / left, coords=asked.coords, name=AV.UNMET, mask=asked)
    for name in (AV.STOCK, AV.NEW):
        compat.set_unit(m.variables[name], requirement_unit(inp, unit))
    compat.set_unit(m.variables[AV.UNMET], left)


def _monthly(m: linopy.Model, inp: ModelInputs, name: str) -> linopy.LinearExpression:
    """A gift by month [units/month] (ally, requirement, month): the period's rate in the
    months the requirement asks."""
    return compat.take(m.variables[name], "period", _periods(inp)[2])


def _by_group(inp: ModelInputs, expr: linopy.LinearExpression) -> linopy.LinearExpression:
    assert inp.aid is not None
    summed = expr.groupby(inp.aid.group.rename("group")).sum()
    return summed.reindex(group=inp.has_stock.coords["group"].values)


def given_by_donor(m: linopy.Model, inp: ModelInputs) -> linopy.LinearExpression | None:
    """What leaves each donor's stock for the recipients [units/month] (ally, group,
    month), None without requirements."""
    if inp.aid is None:
        return None
    return _by_group(inp, _monthly(m, inp, AV.STOCK) + _monthly(m, inp, AV.NEW))


def define_aid(
    m: linopy.Model,
    inp: ModelInputs,
    *,
    stock: linopy.Variable,
    arrived: linopy.LinearExpression,
    unit: xr.DataArray,
    values_in: float,
    unmet: linopy.Variable | None = None,
) -> None:
    """Requirements, floors, new deliveries passed on and fairness.

    - each requirement k in each month t it asks for:
      ``Σ_d (from_stock[d,k,t] + from_new[d,k,t]) + unmet[k,t] = need[k,t]`` (nothing
      is given beyond the requirement);
    - a donor's floor: ``stock[d,g,t] − forgone[d,g,t] ≥ donor_floor·target[d,g]`` in
      every month t from the first m in which it may give group g from stock, with
      ``forgone[d,g,t] = Σ_{m≤τ≤t} unmet_demand[d,g,τ]`` its own demand left unmet since
      then (it may from a month on only if its stock without new orders or stock aid
      stays above the floor from then on, so the floor never binds its own plan, only
      its aid; and stock kept by leaving its own consumption or firm aid unmet is not
      above the floor, whatever a requirement's priority);
    - new contracts: ``Σ_{k of g} from_new[d,k,t] ≤ arrivals of new orders[d,g,t]`` (a
      donor passes on what its contracts deliver in the month they arrive);
    - below a floor under 1: :func:`_define_below_floor` (the objective weighs stock
      below the floor above any requirement, :func:`requirement_weights`);
    - a pledge: ``V[d] ≤ aid_cap[d]·H/12`` where the ally has one;
    - fairness: ``unfair[d] ≥ V[d] − (1 + b)·s[d]·T`` and ``unfair[d] ≥ (1 − b)·s[d]·T −
      V[d]`` with ``V[d] = Σ_{k,t} price[k]·(from_stock + from_new)[d,k,t]`` the value
      donor d gives, ``T = Σ_e V[e]``, ``s[d]`` its share of the donors' GDP and ``b``
      ``policy.aid_fairness_tolerance``.

    Quantities and rows count in the group's stock ``unit`` (``arrived`` too), values
    in ``values_in`` (:func:`value_unit`) times ``money_scale``.
    """
    aid = inp.aid
    assert aid is not None
    s, n = _monthly(m, inp, AV.STOCK), _monthly(m, inp, AV.NEW)
    asked = aid.need > 0
    per = requirement_unit(inp, unit)
    left = compat.unit_of(m.variables[AV.UNMET]) / per  # unmet_unit in the stock unit
    given = (s + n).sum("ally") + left * m.variables[AV.UNMET]
    m.add_constraints(given == aid.need / per, name=AC.REQUIREMENT, mask=asked)
    groups = inp.has_stock.coords["group"].values
    started = aid.from_stock.astype(int).cumsum("month") > 0
    held = started.groupby(aid.group.rename("group")).max()
    held = held.reindex(group=groups, fill_value=False).astype(bool)
    floor = inp.scenario.meta.policy.donor_floor * inp.target / unit
    floored = held & inp.has_stock
    kept = stock - _forgone(m, floored, unmet, unit) if unmet is not None else stock
    m.add_constraints(kept >= floor, name=AC.FLOOR, mask=floored)
    _define_below_floor(m, inp, stock, floor, unit)
    passed = _by_group(inp, n)
    asks = asked.groupby(aid.group.rename("group")).max()
    asks = asks.reindex(group=groups, fill_value=False).astype(bool)
    m.add_constraints(passed - arrived <= 0, name=AC.NEW, mask=asks & inp.has_stock)
    compat.set_unit(m.constraints[AC.REQUIREMENT], per)
    for name in (AC.FLOOR, AC.NEW):
        compat.set_unit(m.constraints[name], unit)
    # Each donor's value and the total as variables: written out, every donor's
    # fairness rows would hold every donor's gifts (dense rows, slow solves).
    allies = [aid.gdp_share.indexes["ally"]]
    capped = aid.cap.notnull()
    cap = (aid.cap / (inp.money_scale * values_in)).where(capped, np.inf)
    m.add_variables(lower=0, upper=cap, coords=allies, name=AV.VALUE)
    value = m.variables[AV.VALUE]
    m.add_constraints(value - _value_given(m, inp, per, values_in) == 0, name=AC.VALUE)
    compat.set_unit(value, values_in)
    if inp.scenario.meta.policy.aid_fairness > 0:
        m.add_variables(lower=0, name=AV.TOTAL)
        m.add_variables(lower=0, coords=allies, name=AV.UNFAIR)
        total = m.variables[AV.TOTAL]
        unfair = m.variables[AV.UNFAIR]
        m.add_constraints(total - value.sum() == 0, name=AC.TOTAL)
        band = inp.scenario.meta.policy.aid_fairness_tolerance
        fair = aid.gdp_share * total
        m.add_constraints(unfair - value + (1 + band) * fair >= 0, name=AC.FAIR_ABOVE)
        m.add_constraints(unfair + value - (1 - band) * fair >= 0, name=AC.FAIR_BELOW)
        for item in (total, unfair):
            compat.set_unit(item, values_in)


def _define_below_floor(
    m: linopy.Model,
    inp: ModelInputs,
    stock: linopy.Variable,
    floor: xr.DataArray,
    unit: xr.DataArray,
) -> None:
    """``below_floor[n,g,t] ≥ donor_floor·target[n,g] − stock[n,g,t]`` where the
    shortfall's weight is split at a floor below 1 (:func:`floor_band`); ``floor`` and
    the row in the stock ``unit``."""
    band = floor_band(inp)
    if band is None:
        return
    below = band & (stock.labels != -1)
    upper = floor.broadcast_like(below)
    m.add_variables(lower=0, upper=upper, coords=below.coords, name=AV.BELOW, mask=below)
    m.add_constraints(m.variables[AV.BELOW] + stock >= floor, name=AC.BELOW, mask=below)
    compat.set_unit(m.variables[AV.BELOW], unit)
    compat.set_unit(m.constraints[AC.BELOW], unit)


def _forgone(
    m: linopy.Model, floored: xr.DataArray, unmet: linopy.Variable, unit: xr.DataArray
) -> linopy.Variable:
    """A donor's own demand left unmet in the months its floor holds, summed from the
    first (ally, group, month) [units]: ``forgone[t] = forgone[t−1] + unmet_demand[t]``,
    the first month's ``forgone[t−1]`` absent (masked); in the stock ``unit`` as
    ``unmet``."""
    m.add_variables(lower=0, coords=floored.coords, name=AV.FORGONE, mask=floored)
    forgone = m.variables[AV.FORGONE]
    m.add_constraints(forgone - forgone.shift(month=1) - unmet == 0, name=AC.FORGONE, mask=floored)
    compat.set_unit(forgone, unit)
    return forgone


def _value_given(
    m: linopy.Model, inp: ModelInputs, per: xr.DataArray, values_in: float
) -> linopy.LinearExpression:
    """Value each donor gives [values_in × money_scale] (ally), at the items' base
    prices: a period's rate (in the requirement's stock unit ``per``) times the months it
    asks in the period."""
    aid = inp.aid
    assert aid is not None
    months = (aid.need > 0).astype(float).groupby(inp.month_period).sum()
    price = aid.price * per / (inp.money_scale * values_in) * months
    rates = m.variables[AV.STOCK] + m.variables[AV.NEW]
    return (price * rates).sum(["requirement", "period"])


def target_unit_weight(inp: ModelInputs) -> xr.DataArray:
    """The least weight of a unit-month missing from a target in each group (group)
    [target-months per unit]: ``min_n priority[n,g] / target[n,g]`` over the allies with
    a target of the group (before its date; from its date on the weight is
    ``overdue_weight`` times more), NaN where no ally has one."""
    per_unit = (inp.priority / inp.target).where(inp.has_stock & (inp.target > 0))
    return per_unit.min("ally")


def _least_per_money(inp: ModelInputs) -> float:
    """The least weight of a unit-month missing from any target of any group per unit of
    money [target-months per currency]: ``min_g min_n(priority/target)[g] / price[g]``,
    with ``price[g]`` the dearest base price of the group's items; inf without targets."""
    group_of = inp.scenario.group_of()
    base = inp.price.isel(tier=0).drop_vars("tier", errors="ignore").to_series()
    dearest: dict[str, float] = {}
    for item, price in base.items():
        group = group_of.get(str(item))
        if group is not None and np.isfinite(price) and price > 0:
            dearest[group] = max(dearest.get(group, 0.0), float(price))
    per_unit = target_unit_weight(inp).to_series().dropna()
    ratios = [w / dearest[g] for g, w in per_unit.items() if g in dearest]
    return min(ratios) if ratios else float("inf")


def requirement_weights(inp: ModelInputs, unit_weight: xr.DataArray) -> xr.DataArray:
    """Weight of a unit of requirement k left unmet in month t [target-months per unit]
    (requirement, month): ``requirement_weight · priority[k] · W[k,t]`` with

    - ``W[k,t] = min(v[g], price[k]·m) · (2H − t)/(2H)`` where an ally has a target,
      ``v[g] = min_n(priority[n,g] / target[n,g])`` the least weight of a unit-month
      missing from a target of the requirement's group and ``m`` the least weight of a
      unit-month missing from any target per unit of money (:func:`_least_per_money`):
      a unit of requirement weighs less than one month of a unit missing from any ally's
      target of its group (below its floor), and less than one month of its price's worth
      missing from any target of any group. So with ``requirement_weight · priority < 1``
      every ally's own targets come before a recipient's requirement, for line capacity
      and for money: a donor never gives (from stock or from new contracts) what would
      leave it below its floor for a month, nor spends on a recipient what its own
      targets could use. The factor in ``t`` meets a requirement as early as it can be;
    - ``W[k,t] = u·ω[g]·(2H − t)`` where no ally has a target of any group asked for: the
      weight of a unit of the donors' own demand left unmet (``requirement_weight`` 0.5:
      their consumption and firm aid first). ``W`` is never more than that.
    """
    aid = inp.aid
    assert aid is not None
    horizon = 2.0 * inp.horizon
    by_group = target_unit_weight(inp).sel(group=aid.group).drop_vars("group").fillna(np.inf)
    by_money = (aid.price * _least_per_money(inp)).where(aid.price > 0, np.inf)
    per_unit = xr.where(by_money < by_group, by_money, by_group)  # inf: no target at all
    per_unit = per_unit * (horizon - unit_weight.coords["month"]) / horizon
    own_demand = unit_weight.sel(group=aid.group).drop_vars("group")
    weight = xr.where(per_unit < own_demand, per_unit, own_demand)
    weight = inp.scenario.meta.policy.requirement_weight * aid.priority * weight
    return weight.where(aid.need > 0, 0.0)


def floor_band(inp: ModelInputs) -> xr.DataArray | None:
    """Where a requirement may take stock between ``donor_floor · target`` and the target
    (ally, group), bool; None with a floor of 1 (no such stock) or no requirements."""
    aid = inp.aid
    if aid is None or inp.scenario.meta.policy.donor_floor >= 1.0:
        return None
    asked = (aid.need > 0).any("month").groupby(aid.group.rename("group")).max()
    asked = asked.reindex(group=inp.target.coords["group"].values, fill_value=False)
    band = inp.has_stock & (inp.target > 0) & asked.astype(bool)
    return band if bool(band.any()) else None


def band_weights(
    inp: ModelInputs, short: xr.DataArray, unit_weight: xr.DataArray
) -> tuple[xr.DataArray, xr.DataArray] | None:
    """The shortfall weight ``w`` (ally, group, month) split at the floor where
    :func:`floor_band` holds: ``(c·w, (1 − c)·w)``, the weight of a unit-month between the
    floor and the target and the extra of one below the floor, with
    ``c[g] = min_{k,t} R[k,t] / (2H · max_{n,t} w[n,g,t])``: a unit kept between the floor
    and the target for the whole horizon weighs less than half the least unit of a
    requirement of the group, so stock there goes to the recipient first; below the floor
    the weight is ``w`` as before. None without such a band."""
    band = floor_band(inp)
    if band is None:
        return None
    aid = inp.aid
    assert aid is not None
    weight = requirement_weights(inp, unit_weight).where(aid.need > 0)
    least = weight.min("month").groupby(aid.group.rename("group")).min()
    least = least.reindex(group=band.coords["group"].values)
    most = short.where(band).max(["ally", "month"])
    scale = (least / (2.0 * inp.horizon * most)).where(most > 0).fillna(1.0).clip(max=1.0)
    inside = xr.where(band, scale, 1.0)
    return short * inside, (short * (1.0 - inside)).where(band, 0.0)


def fairness_weight(inp: ModelInputs, unit_weight: xr.DataArray) -> float:
    """Weight of a unit of value [money_scale] given off a donor's fair share
    [target-months]: ``aid_fairness / 2`` times the least weight of a unit of requirement
    unmet per unit of its value. A unit given off a fair share moves two donors' figures
    at most, so with ``aid_fairness < 1`` meeting a requirement always outweighs being
    fair and fairness only chooses among donors; from 1 on it may leave a requirement
    unmet rather than have one donor give beyond its share."""
    aid = inp.aid
    assert aid is not None
    weight = requirement_weights(inp, unit_weight)
    price = (aid.price / inp.money_scale).where(aid.price > 0)
    per_value = (weight / price).where(aid.need > 0)
    least = float(per_value.min()) if bool(per_value.notnull().any()) else 0.0
    return inp.scenario.meta.policy.aid_fairness * least / 2.0


def objective(
    m: linopy.Model,
    inp: ModelInputs,
    unit_weight: xr.DataArray,
    below: xr.DataArray | None,
    unit: xr.DataArray,
) -> linopy.LinearExpression | None:
    """The aid part of the first objective [target-months]: requirements left unmet
    (:func:`requirement_weights`) and value given off fair shares
    (:func:`fairness_weight`); with ``below`` (the extra weight of stock below a floor,
    :func:`band_weights`), the stock below the floor too. The weights are per unit and
    per money_scale; a column's is that times the unit it counts in (``unit``, the
    group's stock unit; :func:`value_unit`)."""
    if inp.aid is None:
        return None
    left = compat.unit_of(m.variables[AV.UNMET])  # unmet_unit
    part = (left * requirement_weights(inp, unit_weight) * m.variables[AV.UNMET]).sum()
    if below is not None and AV.BELOW in m.variables:
        part = part + (unit * below * m.variables[AV.BELOW]).sum()
    if AV.UNFAIR in m.variables:
        in_value = compat.unit_of(m.variables[AV.UNFAIR])  # value_unit, as define_aid set
        weight = fairness_weight(inp, unit_weight) * in_value
        part = part + weight * m.variables[AV.UNFAIR].sum()
    return part
