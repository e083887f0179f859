"""Constraint families that say what binds: one record each.

A record names the family's constraint in the model, the kind of limit a user sees
("line", "component", "budget", "industry_rule"), the dimension that names the limit,
its size (what a 10 % larger limit adds, for the first-order ranking), and how a what-if
makes it 10 % larger: the change of each affected constraint's right-hand side, so that
the solved model is changed in place and re-solved warm. Adding a family touches this
file only; how a kind is said in words is the report's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import xarray as xr

from materiel.planner.inputs import ModelInputs
from materiel.planner.model import C, V

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
    return {
        C.SUPPLY: RELAX * _only(inp.supply0, "component", name),
        C.SUPPLY_CEILING: RELAX * _only(inp.supply_ceiling - inp.supply0, "component", name),
    }


def _budget(inp: ModelInputs, name: str) -> dict[str, xr.DataArray]:
    return {C.BUDGET: RELAX * _only(inp.budget, "ally", name) / inp.money_scale}


def _industry_size(inp: ModelInputs, values: dict[str, xr.DataArray]) -> xr.DataArray:
    added = values.get(V.ADDED)
    if added is None:
        return xr.zeros_like(inp.cap0)
    k = inp.scenario.meta.policy.industry_rule_months
    return k * added.fillna(0.0).isel(month=-1)


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
)

#: Constraint families whose duals are kept with a solution.
BINDING: tuple[str, ...] = tuple(dict.fromkeys(f.constraint for f in FAMILIES))


def relaxation(kind: str) -> RhsChange | None:
    """How a what-if grows a limit of this kind, or None."""
    for family in FAMILIES:
        if family.kind == kind:
            return family.relax
    return None


def increase(inp: ModelInputs, kind: str, name: str) -> float:
    """What 10 % more of a limit is, in its unit: [units/month] at the ceiling for a
    line or component, [currency/year] for a budget."""
    if kind == "line":
        top = inp.ceiling if inp.scenario.meta.policy.expansion else inp.cap0
        return RELAX * float(top.sel(line=name))
    if kind == "component":
        return RELAX * float(inp.supply_ceiling.sel(component=name))
    if kind == "budget":
        per_year = float(inp.budget.sel(ally=name).sum() / inp.months_in_year.sum() * 12)
        return RELAX * per_year
    return 0.0
