"""A recipient's requirements as arrays: what the planner shares out among donors.

Dimensions: ``requirement`` (one row of the ``requirements`` table), ``ally`` (every
ally is a possible donor), ``group``, ``month``. The rules these arrays encode are on
the model page (docs/model.md, *Aid coordination*):

- **donors** are the allies with a ``gdp``; each donor's fair share of the value given
  is its share of the donors' GDP (every ally, in equal shares, when none has a GDP); a
  donor's ``aid_cap`` (a pledge, a year) bounds the value it gives over the horizon;
- a donor gives **from stock** only in months from which its stock without any stock
  aid and without new orders (initial stock, plus existing contracts, less its own
  demand) stays above ``policy.donor_floor`` × its target to the end of the horizon;
  then its stock is held at or above that floor from that month on, so its own target,
  due date and consumption come first and aid can only take what lies above the floor;
- a donor may **pay for new contracts** delivered to the recipient on the lines of a
  group it stocks itself (its own contract variables buy them); a donor that stocks
  none of a group gives its fair share in other items. (Giving every ally a stock of
  every group asked for made nato-2024's plan four times slower: most of the added
  contracts are small ones the rounding to whole lots then has to settle.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from materiel.scenario.model import Scenario


@dataclass(frozen=True)
class AidInputs:
    """The requirements and the donors' limits (see the module's rules)."""

    recipient: xr.DataArray  # code (requirement)
    item: xr.DataArray  # item code (requirement)
    group: xr.DataArray  # group code (requirement)
    need: xr.DataArray  # [units/month] (requirement, month)
    priority: xr.DataArray  # [-] (requirement)
    price: xr.DataArray  # [currency/unit] (requirement): the item's base price
    gdp_share: xr.DataArray  # [-] (ally): fair share of the value given, 0 for non-donors
    cap: xr.DataArray  # [currency] (ally): most value given over the horizon, NaN: none
    floor: xr.DataArray  # [units] (ally, requirement): donor_floor x the donor's target
    from_stock: xr.DataArray  # bool (ally, requirement, month): stock aid allowed


def donors(scenario: Scenario, allies: pd.Index) -> np.ndarray:
    """GDP share of each ally among the donors (ally order of ``allies``) [-]."""
    table = scenario.table("allies").set_index("code")
    gdp = table["gdp"].reindex(allies).astype(float).fillna(0.0).to_numpy()
    if gdp.sum() <= 0:
        gdp = np.ones(len(allies))
    return gdp / gdp.sum()


def caps(scenario: Scenario, allies: pd.Index) -> np.ndarray:
    """Each ally's pledge cap over the horizon [currency]: ``aid_cap`` a year times the
    horizon's years; NaN where it has none."""
    table = scenario.table("allies").set_index("code")
    yearly = table["aid_cap"].reindex(allies).astype(float).to_numpy()
    return yearly * scenario.horizon / 12.0


def aid_inputs(
    scenario: Scenario,
    *,
    initial: xr.DataArray,
    target: xr.DataArray,
    demand: xr.DataArray,
    fixed_arrival: xr.DataArray,
) -> AidInputs | None:
    """The requirement arrays, or None when the scenario has no requirement."""
    rows = list(scenario.records("requirements"))
    if not rows:
        return None
    horizon = scenario.horizon
    months = demand.coords["month"]
    group_of = scenario.group_of()
    items = scenario.table("items").set_index("code")
    req = pd.RangeIndex(len(rows), name="requirement")
    need = np.zeros((len(rows), horizon))
    for k, r in enumerate(rows):
        first = max(scenario.month_index(r.start), 0)
        last = min(scenario.month_index(r.end), horizon - 1)
        if first <= last:
            need[k, first : last + 1] = r.per_month

    def by_row(values: list[object], dtype: type = object) -> xr.DataArray:
        return xr.DataArray(np.array(values, dtype=dtype), coords=[req])

    group = by_row([group_of[r.item] for r in rows])
    allies = pd.Index(initial.coords["ally"].values, name="ally")
    floor = scenario.meta.policy.donor_floor * target.sel(group=group).drop_vars("group")
    # The donor's stock with no new orders and no stock aid; stock aid is allowed from
    # the first month after which it never again falls to the floor or below.
    base = initial + (fixed_arrival - demand).cumsum("month")
    base = base.sel(group=group).drop_vars("group")
    above = base > floor + 1e-9
    ok_to_end = above.isel(month=slice(None, None, -1)).cumprod("month").astype(bool)
    ok_to_end = ok_to_end.isel(month=slice(None, None, -1)).assign_coords(month=months)
    need_da = xr.DataArray(need, coords=[req, months])
    return AidInputs(
        recipient=by_row([r.recipient for r in rows]),
        item=by_row([r.item for r in rows]),
        group=group,
        need=need_da,
        priority=by_row([r.priority for r in rows], float),
        price=by_row([float(items.at[r.item, "unit_price"]) for r in rows], float),
        gdp_share=xr.DataArray(donors(scenario, allies), coords=[allies]),
        cap=xr.DataArray(caps(scenario, allies), coords=[allies]),
        floor=floor.transpose("ally", "requirement"),
        from_stock=(ok_to_end & (need_da > 0)).transpose("ally", "requirement", "month"),
    )
