"""The aid coordination tables of a plan: who gives what, what each requirement got,
and each donor's value given against its fair share and the alliance's baseline.

Value is quantity times the item's base price (``items.unit_price``), in the scenario's
currency; only the modelled items count. The EUR 40 bn a year baseline agreed at the
Washington summit (2024) is shared by GDP like the fair share; it is in EUR and is
compared with a donor's value when the scenario's currency is EUR, or USD with the
user's own rate in ``policy.eur_usd`` (no rate is ever assumed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import xarray as xr

from materiel.planner.aid import AV
from materiel.scenario import ModelInputs

#: The allies' baseline of military aid to Ukraine, a year (Washington summit
#: declaration, 10 July 2024: "a minimum baseline funding of EUR 40 billion within the
#: next year") [EUR].
BASELINE_EUR = 40e9
#: A month counts as met when at most this share of its requirement is left [-].
MET_TOLERANCE = 1e-6

ALLOCATION_COLUMNS = [
    "donor",
    "recipient",
    "item",
    "source",
    "month",
    "month_label",
    "quantity",
    "value",
]
REQUIREMENT_COLUMNS = [
    "recipient",
    "item",
    "start",
    "end",
    "priority",
    "required",
    "given",
    "from_stock",
    "from_new",
    "unmet",
    "unmet_pct",
    "months",
    "months_met",
    "month_met",
    "donors",
]
DONOR_COLUMNS = [
    "donor",
    "gdp_share_pct",
    "value_given",
    "from_stock_value",
    "from_new_value",
    "fair_share_value",
    "given_vs_fair_pct",
    "value_per_year",
    "baseline_eur_per_year",
    "given_vs_baseline_pct",
]
NOT_MET = "not met"


def _given(inp: ModelInputs, values: Mapping[str, xr.DataArray]) -> dict[str, xr.DataArray] | None:
    """Units given from stock and from new contracts (ally, requirement, month)."""
    aid = inp.aid
    if aid is None or AV.STOCK not in values:
        return None
    asked = aid.need > 0
    out = {}
    for source, name in (("stock", AV.STOCK), ("new", AV.NEW)):
        rate = values[name].fillna(0.0).clip(0, None)  # (ally, requirement, period)
        by_month = rate.isel(period=inp.month_period).drop_vars("period", errors="ignore")
        by_month = by_month.assign_coords(month=aid.need.coords["month"])
        out[source] = by_month.where(asked, 0.0).transpose("ally", "requirement", "month")
    return out


def _frame(columns: list[str], units: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(columns=columns)
    frame.attrs["units"] = units
    return frame


def allocation(
    inp: ModelInputs, values: Mapping[str, xr.DataArray], month_label: Callable[[int], str]
) -> pd.DataFrame:
    """Who gives what: donor, recipient, item, source (stock or new), month, quantity
    [units], value [currency]; zeros left out."""
    currency = inp.scenario.meta.currency
    units = {"quantity": "units", "value": currency}
    given = _given(inp, values)
    if given is None:
        return _frame(ALLOCATION_COLUMNS, units)
    aid = inp.aid
    assert aid is not None
    parts = []
    for source, amount in given.items():
        frame = amount.to_series().rename("quantity").reset_index()
        frame = frame[frame["quantity"] > 1e-6]
        frame.insert(0, "source", source)
        parts.append(frame)
    frame = pd.concat(parts, ignore_index=True)
    k = frame["requirement"].to_numpy(dtype=int)
    frame["recipient"] = aid.recipient.values[k]
    frame["item"] = aid.item.values[k]
    frame["value"] = frame["quantity"] * aid.price.values[k]
    frame["donor"] = frame["ally"]
    frame["month_label"] = [month_label(int(t)) for t in frame["month"]]
    frame = frame.sort_values(["recipient", "item", "month", "donor", "source"])
    frame = frame[ALLOCATION_COLUMNS].reset_index(drop=True)
    frame.attrs["units"] = units
    return frame


def requirements(
    inp: ModelInputs, values: Mapping[str, xr.DataArray], month_label: Callable[[int], str]
) -> pd.DataFrame:
    """Each requirement: required, given (from stock, from new), unmet [units]; the
    months it asks for and how many are met in full (requirement-months met), the month
    from which every month is met to its end (``not met`` if its last is not), and who
    gives it (donor and units, most first)."""
    units = {c: "units" for c in ("required", "given", "from_stock", "from_new", "unmet")}
    given = _given(inp, values)
    if given is None:
        return _frame(REQUIREMENT_COLUMNS, units)
    aid = inp.aid
    assert aid is not None
    by_month = (given["stock"] + given["new"]).sum("ally")
    short = (aid.need - by_month).clip(0, None)
    short = short.where(short > MET_TOLERANCE * aid.need, 0.0)  # the solver's hair
    asked = aid.need > 0
    met = asked & (short <= 0)
    rows = []
    for k, row in enumerate(inp.scenario.records("requirements")):
        need_k = aid.need.isel(requirement=k).values
        met_k = met.isel(requirement=k).values
        asked_k = asked.isel(requirement=k).values
        required = float(need_k.sum())
        from_stock = float(given["stock"].isel(requirement=k).sum())
        from_new = float(given["new"].isel(requirement=k).sum())
        months = np.flatnonzero(asked_k)
        first_met = NOT_MET
        if months.size and met_k[months[-1]]:
            failing = months[~met_k[months]]
            first = months[0] if not failing.size else months[months > failing[-1]][0]
            first_met = month_label(int(first))
        by_donor = (given["stock"] + given["new"]).isel(requirement=k).sum("month")
        donors = by_donor[by_donor > 1e-6].sortby(by_donor[by_donor > 1e-6], ascending=False)
        unmet = float(short.isel(requirement=k).sum())
        rows.append(
            {
                "recipient": row.recipient,
                "item": row.item,
                "start": row.start,
                "end": row.end,
                "priority": row.priority,
                "required": required,
                "given": from_stock + from_new,
                "from_stock": from_stock,
                "from_new": from_new,
                "unmet": unmet,
                "unmet_pct": 100.0 * unmet / required if required else 0.0,
                "months": int(months.size),
                "months_met": int(met_k[months].sum()),
                "month_met": first_met,
                "donors": "; ".join(
                    f"{d} {float(q):,.0f}" if q >= 1 else f"{d} {float(q):.2g}"
                    for d, q in zip(donors.coords["ally"].values, donors.values, strict=True)
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=REQUIREMENT_COLUMNS)
    frame.attrs["units"] = units
    return frame


def by_donor(inp: ModelInputs, values: Mapping[str, xr.DataArray]) -> pd.DataFrame:
    """Each donor's value given [currency] against its fair share (its GDP share of all
    value given) and, a year, against its GDP share of the EUR 40 bn baseline."""
    currency = inp.scenario.meta.currency
    units = {
        c: currency
        for c in (
            "value_given",
            "from_stock_value",
            "from_new_value",
            "fair_share_value",
            "value_per_year",
        )
    }
    units["baseline_eur_per_year"] = "EUR"
    given = _given(inp, values)
    if given is None:
        return _frame(DONOR_COLUMNS, units)
    aid = inp.aid
    assert aid is not None
    stock = (given["stock"] * aid.price).sum(["requirement", "month"])
    new = (given["new"] * aid.price).sum(["requirement", "month"])
    total = stock + new
    fair = aid.gdp_share * float(total.sum())
    years = inp.horizon / 12.0
    baseline = BASELINE_EUR * aid.gdp_share
    frame = pd.DataFrame(
        {
            "donor": total.coords["ally"].values,
            "gdp_share_pct": 100.0 * aid.gdp_share.values,
            "value_given": total.values,
            "from_stock_value": stock.values,
            "from_new_value": new.values,
            "fair_share_value": fair.values,
            "given_vs_fair_pct": np.where(
                fair.values > 0, 100.0 * total.values / np.maximum(fair.values, 1e-300), np.nan
            ),
            "value_per_year": total.values / years,
            "baseline_eur_per_year": baseline.values,
        }
    )
    rate = {"EUR": 1.0, "USD": inp.scenario.meta.policy.eur_usd}.get(currency)
    in_currency = frame["baseline_eur_per_year"] * (rate if rate is not None else np.nan)
    frame["given_vs_baseline_pct"] = (
        100.0 * frame["value_per_year"] / in_currency.where(lambda b: b > 0)
    )
    frame = frame.sort_values(["value_given", "donor"], ascending=[False, True])
    frame = frame.reset_index(drop=True)
    frame.attrs["units"] = units
    return frame
