"""Constraint families that say what binds, and the kinds of limit they belong to: one
record each.

A :class:`Family` names the family's constraint in the model, the kind of limit a user
sees, the dimension that names the limit, its size (what a 10 % larger limit adds, for
the first-order ranking), and how a what-if makes it 10 % larger: the change of each
affected constraint's right-hand side, so that the solved model is changed in place and
re-solved warm. A :class:`Kind` ("line", "component", "budget", "industry_rule") says
what the limit is in words, its unit, what 10 % more of it is, and the inputs a what-if
stands for. Adding a family or a kind touches this file only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import xarray as xr

from materiel.planner.model import C, V, order_value_coef, supply_now
from materiel.scenario import ModelInputs

if TYPE_CHECKING:
    from materiel.scenario import Scenario

RELAX = 0.10  # relative relaxation used to rank limits and in what-ifs

#: rhs changes by constraint name for a 10 % larger limit, given the limit's name
RhsChange = Callable[[ModelInputs, str], dict[str, xr.DataArray]]


@dataclass(frozen=True)
class Family:
    """A constraint family whose shadow price says what binds."""

    constraint: str  # name in the model (model.C)
    kind: str  # what a user sees: line | component | budget | industry_rule
    dim: str  # the dimension that names the limit
    size: Callable[[ModelInputs, dict[str, xr.DataArray]], xr.DataArray]  # by ``dim``
    relax: RhsChange | None  # how a what-if grows the limit; None: not re-solved


def _only(array: xr.DataArray, dim: str, name: str) -> xr.DataArray:
    return array.where(array.coords[dim] == name, 0.0)


def _line(inp: ModelInputs, name: str) -> dict[str, xr.DataArray]:
    """Capacity now and the ceiling both 10 % larger (output now unchanged)."""
    grow = RELAX * _only(inp.cap0, "line", name)
    room = RELAX * _only(inp.ceiling - inp.cap0, "line", name)
    return {C.CAPACITY: grow, C.CEILING: room}


def _component(inp: ModelInputs, name: str) -> dict[str, xr.DataArray]:
    """Supply now and the ceiling 10 % larger: the component's own, or each of its
    suppliers' (supply now only where it may supply, see ``policy.restrict``)."""
    changes = {
        C.SUPPLY: RELAX * _only(supply_now(inp), "component", name),
        C.SUPPLY_CEILING: RELAX * _only(inp.supply_ceiling - inp.supply0, "component", name),
    }
    sup = inp.suppliers
    if sup is not None:
        mine = sup.component == name
        changes[C.SOURCE_CEILING] = RELAX * (sup.ceiling - sup.cap0).where(mine, 0.0)
    return changes


def _budget(inp: ModelInputs, name: str) -> dict[str, xr.DataArray]:
    return {C.BUDGET: RELAX * _only(inp.budget, "ally", name) / inp.money_scale}


def _industry_size(inp: ModelInputs, values: dict[str, xr.DataArray]) -> xr.DataArray:
    added = values.get(V.ADDED)
    if added is None:
        return xr.zeros_like(inp.cap0)
    k = inp.scenario.meta.policy.industry_rule_months
    return k * added.fillna(0.0).isel(month=-1)


def _work_share_size(inp: ModelInputs, values: dict[str, xr.DataArray]) -> xr.DataArray:
    """The value each ally must place at home [money_scale] (ally): the share times the
    value of its orders in the plan; 10 % of it is what a 10 % lower share frees."""
    rate = values.get(V.RATE)
    share = inp.scenario.meta.policy.work_share
    if rate is None:
        return xr.zeros_like(inp.budget.isel(year=0, drop=True))
    total = (order_value_coef(inp) * rate.fillna(0.0)).sum(["line", "period"])
    return share * total


FAMILIES: tuple[Family, ...] = (
    Family(C.CAPACITY, "line", "line", lambda inp, _: inp.cap0, _line),
    Family(C.CEILING, "line", "line", lambda inp, _: inp.ceiling - inp.cap0, _line),
    Family(C.SUPPLY, "component", "component", lambda inp, _: inp.supply0, _component),
    Family(
        C.SUPPLY_CEILING,
        "component",
        "component",
        lambda inp, _: inp.supply_ceiling - inp.supply0,
        _component,
    ),
    Family(C.BUDGET, "budget", "ally", lambda inp, _: inp.budget / inp.money_scale, _budget),
    # The rule asks K months of orders for the capacity added: 10 % less of that.
    Family(C.INDUSTRY, "industry_rule", "line", _industry_size, None),
    # Work share: 10 % of the value an ally must place at home; its price in target-months
    # and money is measured by re-solving without it (planner.workshare), not here.
    Family(C.WORK_SHARE, "work_share", "ally", _work_share_size, None),
)

#: Kinds of limit that are one ally's own (named by the ally: a budget, a work share).
PER_ALLY: frozenset[str] = frozenset(f.kind for f in FAMILIES if f.dim == "ally")

#: Constraint families whose duals are kept with a solution.
BINDING: tuple[str, ...] = tuple(dict.fromkeys(f.constraint for f in FAMILIES))


def relaxation(kind: str) -> RhsChange | None:
    """How a what-if grows a limit of this kind, or None."""
    for family in FAMILIES:
        if family.kind == kind:
            return family.relax
    return None


@dataclass(frozen=True)
class Kind:
    """A kind of limit as a user sees it: what it is in words, its unit, what 10 % more
    of it is in that unit, and the inputs a what-if stands for (for a cold solve)."""

    name: str
    what: str  # "capacity of line": the limit, before its display name
    more: str  # "more capacity on line": a what-if, before the display name
    unit: Callable[[Scenario, str], str]
    increase: Callable[[ModelInputs, str], float]  # 10 % more, in ``unit``
    grown: Callable[[ModelInputs, str], ModelInputs] | None  # the inputs with 10 % more
    digits: str = ",.4g"  # how the increase is written


def _line_unit(scenario: Scenario, code: str) -> str:
    lines = scenario.table("lines").set_index("id")
    items = scenario.table("items").set_index("code")
    return f"{items.at[lines.at[code, 'item'], 'unit']}/month"


def _line_increase(inp: ModelInputs, name: str) -> float:
    top = inp.ceiling if inp.scenario.meta.policy.expansion else inp.cap0
    return RELAX * float(top.sel(line=name))


def _grown(inp: ModelInputs, dim: str, name: str, *fields: str) -> ModelInputs:
    """The inputs with ``fields`` 10 % larger where ``dim`` is ``name``."""
    first = getattr(inp, fields[0])
    sel = first.coords[dim] == name
    changed = {f: getattr(inp, f).where(~sel, getattr(inp, f) * (1.0 + RELAX)) for f in fields}
    return dataclasses.replace(inp, **changed)


def _line_grown(inp: ModelInputs, name: str) -> ModelInputs:
    """Capacity now and the ceiling 10 % larger; output now is left as it is (more
    capacity, not more output)."""
    return _grown(inp, "line", name, "cap0", "ceiling")


def _component_unit(scenario: Scenario, code: str) -> str:
    comps = scenario.table("components").set_index("code")
    return f"{comps.at[code, 'unit']}/month"


def _component_grown(inp: ModelInputs, name: str) -> ModelInputs:
    grown = _grown(inp, "component", name, "supply0", "supply_ceiling")
    sup = inp.suppliers
    if sup is None:
        return grown
    mine = sup.component == name
    more = {
        f: getattr(sup, f).where(~mine, getattr(sup, f) * (1.0 + RELAX))
        for f in ("cap0", "ceiling")
    }
    return dataclasses.replace(grown, suppliers=dataclasses.replace(sup, **more))


def _budget_increase(inp: ModelInputs, name: str) -> float:
    per_year = float(inp.budget.sel(ally=name).sum() / inp.months_in_year.sum() * 12)
    return RELAX * per_year


def _budget_grown(inp: ModelInputs, name: str) -> ModelInputs:
    return _grown(inp, "ally", name, "budget")


def _money_unit(scenario: Scenario, _code: str) -> str:
    return f"{scenario.meta.currency}/year"


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "line",
            "capacity of line",
            "more capacity on line",
            _line_unit,
            _line_increase,
            _line_grown,
        ),
        Kind(
            "component",
            "supply of",
            "more supply of",
            _component_unit,
            lambda inp, name: RELAX * float(inp.supply_ceiling.sel(component=name)),
            _component_grown,
        ),
        Kind(
            "budget",
            "budget of",
            "more budget for",
            _money_unit,
            _budget_increase,
            _budget_grown,
            digits=",.0f",
        ),
        Kind(
            "work_share",
            "the work share (orders placed with its own or its group's lines) of",
            "a lower work share for",
            _money_unit,
            lambda _inp, _name: 0.0,
            None,
            digits=",.0f",
        ),
        Kind(
            "industry_rule",
            "the industry rule (firm orders needed before expanding) on line",
            "a looser industry rule on line",
            _line_unit,
            lambda _inp, _name: 0.0,
            None,
        ),
    )
}


def increase(inp: ModelInputs, kind: str, name: str) -> float:
    """What 10 % more of a limit is, in its unit: [units/month] at the ceiling for a
    line or component, [currency/year] for a budget."""
    return KINDS[kind].increase(inp, name) if kind in KINDS else 0.0
