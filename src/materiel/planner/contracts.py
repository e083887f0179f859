"""The plan as contracts to sign, from its delivery rates.

The model orders a delivery rate per line, buyer and contract period. Consecutive
periods at the same rate are one contract (a long contract at a steady rate is what
industry asks for); with pooling on, the buyers of an item whose price depends on the
pooled quantity (volume tiers) sign one multinational contract per line and rate
period, and each buyer's share is listed with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from materiel.planner.model import V, arrival_period
from materiel.scenario import ModelInputs

if TYPE_CHECKING:
    from materiel.scenario import Scenario

CONTRACT_COLUMNS = [
    "contract",
    "buyers",
    "pooled",
    "line",
    "producer",
    "item",
    "rate",
    "first_delivery",
    "last_delivery",
    "months",
    "quantity",
    "value",
    "unit_price",
    "shares",
    "pooled_only",
]

#: Rates below this [units/month] are solver noise, not orders.
RATE_FLOOR = 1e-6


def deliveries(inp: ModelInputs, rate: xr.DataArray) -> xr.DataArray:
    """Units of new orders arriving (line, ally, month): ``rate[l,n,p(t)]`` from the
    line's first possible delivery on."""
    src = arrival_period(inp)
    index = src.clip(0, None)
    taken = rate.fillna(0.0).isel(period=index)
    return taken.where(src >= 0, 0.0).transpose("line", "ally", "month")


def _unit_prices(inp: ModelInputs, values: Mapping[str, xr.DataArray]) -> xr.DataArray:
    """What each ally pays per unit of each item over the horizon [currency/unit]:
    the base price, or the tiers' prices weighted by the quantities bought at each."""
    base = inp.price.isel(tier=0).drop_vars("tier")
    q = values.get(V.TIER_QTY)
    if q is None:
        return base.expand_dims(ally=inp.uses.coords["ally"].values)
    q = q.fillna(0.0)
    paid = (inp.price.fillna(0.0) * q).sum(["tier", "year"])
    units = q.sum(["tier", "year"])
    return xr.where(units > 1e-9, paid / units.where(units > 1e-9), base)


def contract_table(
    inp: ModelInputs, values: Mapping[str, xr.DataArray], scenario: Scenario
) -> pd.DataFrame:
    """One row per contract: a line's deliveries to a buyer (or a pooled group of buyers)
    at one steady rate over consecutive months, from the solved ``values``."""
    rate = values.get(V.RATE)
    if rate is None:
        return pd.DataFrame(columns=CONTRACT_COLUMNS)
    arrive = deliveries(inp, rate).values  # (line, ally, month)
    lines = scenario.table("lines").set_index("id")
    prices = _unit_prices(inp, values)
    pooled_items = set()
    pooled_lines: set[str] = set()
    if inp.scenario.meta.policy.pooling:
        multi = inp.price.notnull().sum("tier") > 1
        pooled_items = {str(i) for i in multi.coords["item"].values[multi.values]}
        if inp.has_min_rates:
            least = inp.min_rate > 0
            pooled_lines = {str(x) for x in least.coords["line"].values[least.values]}
    whole = inp.whole_lots
    allies = [str(a) for a in inp.uses.coords["ally"].values]
    rows: list[dict[str, object]] = []
    for li, line in enumerate(inp.cap0.coords["line"].values):
        item = str(inp.line_item.sel(line=line).item())
        pooled = item in pooled_items or str(line) in pooled_lines
        lot = float(inp.lot.sel(line=line)) if whole else 0.0
        least_rate = float(inp.min_rate.sel(line=line)) if whole else 0.0
        series = arrive[li]  # (ally, month)
        groups = [list(range(len(allies)))] if pooled else [[a] for a in range(len(allies))]
        for members in groups:
            block = series[members]
            total = block.sum(axis=0)
            for first, last in _runs(block):
                per_buyer = {
                    allies[a]: _whole(float(block[i][first : last + 1].sum()), lot)
                    for i, a in enumerate(members)
                    if block[i][first] > RATE_FLOOR
                }
                if not per_buyer:
                    continue
                buyers = list(per_buyer)
                months = last - first + 1
                value = sum(q * float(prices.sel(ally=b, item=item)) for b, q in per_buyer.items())
                quantity = _whole(float(total[first : last + 1].sum()), lot)
                # buyers whose own rate is below the line's least: they buy only by pooling
                small = [
                    allies[a]
                    for i, a in enumerate(members)
                    if RATE_FLOOR < block[i][first] < least_rate - 1e-6 and len(per_buyer) > 1
                ]
                rows.append(
                    {
                        "buyers": ";".join(buyers),
                        "pooled": pooled and len(buyers) > 1,
                        "line": str(line),
                        "producer": str(lines.at[line, "producer"]),
                        "item": item,
                        "rate": float(total[first]),
                        "first_delivery": scenario.month_label(first),
                        "last_delivery": scenario.month_label(last),
                        "months": months,
                        "quantity": quantity,
                        "value": value,
                        "unit_price": value / quantity if quantity else 0.0,
                        "shares": ";".join(f"{b}:{q / quantity:.4f}" for b, q in per_buyer.items()),
                        "pooled_only": ";".join(small),
                    }
                )
    frame = pd.DataFrame(rows, columns=[c for c in CONTRACT_COLUMNS if c != "contract"])
    frame = frame.sort_values(["line", "first_delivery", "buyers"]).reset_index(drop=True)
    frame.insert(0, "contract", [f"K{i + 1:03d}" for i in range(len(frame))])
    frame.attrs["units"] = {
        "rate": "units/month",
        "quantity": "units",
        "months": "months",
        "value": scenario.meta.currency,
        "unit_price": scenario.meta.currency,
    }
    return frame


def _whole(quantity: float, lot: float) -> float:
    """A quantity the plan holds at whole lots, cleared of the solver's last digits."""
    if lot <= 0:
        return quantity
    lots = round(quantity / lot)
    return lots * lot if abs(quantity - lots * lot) <= 1e-6 * max(1.0, quantity) else quantity


def _runs(block: np.ndarray) -> list[tuple[int, int]]:
    """Spans of months over which every buyer's rate stays the same and some is ordered.

    ``block`` is (buyer, month); a span ends where any buyer's rate changes.
    """
    months = block.shape[1]
    spans: list[tuple[int, int]] = []
    start = None
    for t in range(months):
        active = bool((block[:, t] > RATE_FLOOR).any())
        same = start is not None and np.allclose(
            block[:, t], block[:, t - 1], rtol=1e-6, atol=RATE_FLOOR
        )
        if start is not None and not (active and same):
            spans.append((start, t - 1))
            start = None
        if active and start is None:
            start = t
    if start is not None:
        spans.append((start, months - 1))
    return spans
