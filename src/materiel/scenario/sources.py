"""Suppliers of components and qualifications of items, as labelled arrays.

A component with rows in the ``suppliers`` table draws its supply from them: its supply
now and its ceiling are the sums of theirs, and each supplier expands on its own (lead
time, cost). A component without such rows is its own single supplier, as before.
``policy.restrict`` stops supply from the restrictable suppliers of the named countries
from a month on.

Qualifications: an item serves an ally's stock of its group unless a row of the
``qualifications`` table says it is not qualified; a row with a cost may be qualified by
the plan, usable from its lead time on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from materiel.countries import nato_allies
from materiel.errors import InfeasibleError
from materiel.scenario.model import Scenario

#: Separates a component from its supplier in the ``supplier`` coordinate.
SEP = "/"


@dataclass(frozen=True)
class Suppliers:
    """The suppliers table by ``supplier`` (``component/supplier``)."""

    component: xr.DataArray  # component code (supplier)
    name: xr.DataArray  # supplier name (supplier)
    country: xr.DataArray  # ISO3 (supplier)
    allied: xr.DataArray  # bool (supplier): a NATO ally or an ally of the scenario
    cap0: xr.DataArray  # [units/month] (supplier)
    ceiling: xr.DataArray  # [units/month] (supplier)
    lead: xr.DataArray  # [months] (supplier)
    cost: xr.DataArray  # [currency per unit/month] (supplier)
    available: xr.DataArray  # [-] (supplier, month): 1 where it may supply, 0 restricted
    onehot: xr.DataArray  # [-] (supplier, component): 1 for the supplier's component

    @property
    def sourced(self) -> xr.DataArray:
        """Components with suppliers (component), bool."""
        return self.onehot.sum("supplier") > 0


@dataclass(frozen=True)
class Qualifications:
    """Items not qualified for an ally (rows with ``qualified: false``)."""

    unqualified: xr.DataArray  # bool (line, ally): the line's item does not serve yet
    cost: xr.DataArray  # [currency] (ally, item): NaN where it cannot be qualified
    lead: xr.DataArray  # [months] (ally, item)
    item_pos: xr.DataArray  # position of each line's item in ``cost.item`` (line)

    @property
    def qualifiable(self) -> xr.DataArray:
        """(ally, item) bool: not qualified, and the plan may qualify it."""
        return self.cost.notnull()


def build_suppliers(
    scenario: Scenario, components: pd.Index, months: pd.RangeIndex
) -> Suppliers | None:
    rows = scenario.records("suppliers")
    if not rows:
        return None
    index = pd.Index([f"{r.component}{SEP}{r.supplier}" for r in rows], name="supplier")

    def attr(values: list[object], dtype: type = float) -> xr.DataArray:
        return xr.DataArray(np.array(values, dtype=dtype), coords=[index])

    allies = {str(r.code) for r in scenario.records("allies")}
    nato = nato_allies()
    available = np.ones((len(rows), len(months)))
    restrict = scenario.meta.policy.restrict
    for i, r in enumerate(rows):
        if r.restrictable and r.country in restrict:
            available[i, max(scenario.month_index(restrict[r.country]), 0) :] = 0.0
    onehot = np.zeros((len(rows), len(components)))
    position = {c: k for k, c in enumerate(components)}
    for i, r in enumerate(rows):
        onehot[i, position[r.component]] = 1.0
    return Suppliers(
        component=attr([r.component for r in rows], object),
        name=attr([r.supplier for r in rows], object),
        country=attr([r.country for r in rows], object),
        allied=attr([r.country in allies or r.country in nato for r in rows], bool),
        cap0=attr([r.capacity for r in rows]),
        ceiling=attr([r.ceiling for r in rows]),
        lead=attr([r.lead_time for r in rows], int),
        cost=attr([r.expansion_cost for r in rows]),
        available=xr.DataArray(available, coords=[index, months]),
        onehot=xr.DataArray(onehot, coords=[index, components]),
    )


def check_fixed_supply(
    scenario: Scenario,
    fixed_use: xr.DataArray,
    supply: tuple[xr.DataArray, xr.DataArray, xr.DataArray],
    suppliers: Suppliers | None,
) -> None:
    """Name the component existing contracts take more of than can ever be supplied
    in a month, before any solve: supply now (none from a restricted supplier) and every
    expansion at its ceiling from its lead time. ``fixed_use`` [units/month]
    (component, month); ``supply``: the components' supply now, ceiling and lead time.
    """
    if fixed_use.size == 0:  # no components
        return
    supply0, ceiling, lead = supply
    months = fixed_use.coords["month"]
    t = xr.DataArray(np.arange(months.size), coords=[months])
    grows = scenario.meta.policy.expansion
    most = supply0 + xr.where((t >= lead) & grows, ceiling - supply0, 0.0)
    if suppliers is not None:
        s = suppliers
        room = xr.where((t >= s.lead) & grows, s.ceiling - s.cap0, 0.0)
        sourced = (s.available * (s.cap0 + room) * s.onehot).sum("supplier")
        most = xr.where(s.sourced, sourced, most)
    short = fixed_use - most
    worst = float(short.max())
    if worst <= 1e-6 * max(1.0, float(fixed_use.max())):
        return
    at = short.where(short == worst, drop=True)
    comp, month = str(at.coords["component"].values[0]), int(at.coords["month"].values[0])
    label = scenario.month_label(month)
    detail = (
        f"existing contracts take {float(fixed_use.sel(component=comp, month=month)):,.6g} "
        f"a month of it in {label}, but at most "
        f"{float(most.sel(component=comp, month=month)):,.6g} can be supplied"
    )
    if suppliers is not None:
        stopped = [
            f"{suppliers.name.values[i]} ({suppliers.country.values[i]}) from "
            + scenario.month_label(int(np.flatnonzero(suppliers.available.values[i] < 0.5)[0]))
            for i in range(suppliers.name.size)
            if suppliers.component.values[i] == comp and suppliers.available.values[i, month] < 0.5
        ]
        if stopped:
            detail += "; policy.restrict stops " + ", ".join(stopped)
    raise InfeasibleError(f"component_supply[{comp}, {label}]", detail)


def build_qualifications(
    scenario: Scenario, line_item: xr.DataArray, uses: xr.DataArray, items: pd.Index
) -> Qualifications | None:
    rows = [r for r in scenario.records("qualifications") if not r.qualified]
    if not rows:
        return None
    allies = uses.coords["ally"].to_index()
    shape = (len(allies), len(items))
    cost, lead = np.full(shape, np.nan), np.zeros(shape, dtype=int)
    blocked = np.zeros(shape, dtype=bool)
    a_pos = {a: i for i, a in enumerate(allies)}
    i_pos = {c: i for i, c in enumerate(items)}
    for r in rows:
        i, j = a_pos[r.ally], i_pos[r.item]
        blocked[i, j] = True
        if r.cost is not None:
            cost[i, j], lead[i, j] = r.cost, r.lead_time
    item_pos = xr.DataArray(
        np.array([i_pos[str(c)] for c in line_item.values]), coords=line_item.coords
    )
    blocked_da = xr.DataArray(blocked, coords=[allies, items])
    unqualified = blocked_da.isel(item=item_pos).drop_vars("item") & uses
    return Qualifications(
        unqualified=unqualified.transpose("line", "ally"),
        cost=xr.DataArray(cost, coords=[allies, items]),
        lead=xr.DataArray(lead, coords=[allies, items]),
        item_pos=item_pos,
    )
