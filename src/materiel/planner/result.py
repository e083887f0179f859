"""What a plan tells its user, as labelled arrays and tidy tables.

Tables are pandas DataFrames whose ``attrs["units"]`` maps columns to units; reports
and charts are drawn from these tables only, never from solver internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import xarray as xr

from materiel.planner.inputs import ModelInputs
from materiel.planner.model import V
from materiel.planner.solve import Solution, Status
from materiel.scenario.model import Scenario

NOT_WITHIN_HORIZON = "not within horizon"
TARGET_COLUMNS = [
    "ally",
    "group",
    "label",
    "initial",
    "target",
    "target_date",
    "month_met",
    "months_to_target",
    "met_by_date",
    "shortfall_at_date",
    "shortfall_at_date_pct",
    "ally_total_spending",
]


def months_to_target(stock: np.ndarray, level: float, tol: float = 1e-6) -> int | None:
    """First month from which ``stock`` stays at or above ``level`` to the end, or None.

    >>> months_to_target(np.array([0, 60, 40, 50, 55]), 50)
    3
    >>> months_to_target(np.array([0, 10]), 50) is None
    True
    """
    ok = stock >= level - tol * max(1.0, abs(level))
    if not ok[-1]:
        return None
    bad = np.flatnonzero(~ok)
    return int(bad[-1]) + 1 if bad.size else 0


@dataclass(frozen=True, eq=False)
class PlanResult:
    """The plan for one scenario: solution arrays plus the tables derived from them."""

    scenario: Scenario
    inputs: ModelInputs
    solution: Solution
    bottlenecks: pd.DataFrame = field(default_factory=pd.DataFrame)
    pooling: pd.DataFrame | None = None

    @property
    def status(self) -> Status:
        return self.solution.status

    @property
    def objective(self) -> float:
        return self.solution.objective

    def _value(self, name: str) -> xr.DataArray:
        return self.solution.values[name].fillna(0.0)

    @cached_property
    def stock(self) -> xr.DataArray:
        """End-of-month stock [units] (ally, group, month); NaN where the ally holds none."""
        return self.solution.values[V.STOCK]

    @cached_property
    def group_labels(self) -> dict[str, str]:
        """Group code -> readable label (the item's name where the group has one item)."""
        items = self.scenario.table("items")
        groups = self.scenario.group_of()
        labels: dict[str, str] = {}
        for group in set(groups.values()):
            members = [code for code, g in groups.items() if g == group]
            labels[group] = (
                items.set_index("code").at[members[0], "name"] if len(members) == 1 else group
            )
        return labels

    @cached_property
    def targets(self) -> pd.DataFrame:
        """Months to target by ally and group, shortfall at the target date, spending."""
        inp = self.inputs
        spend = self.spending().groupby("ally")["total"].sum()
        rows = []
        for ally in inp.has_stock.coords["ally"].values:
            for group in inp.has_stock.coords["group"].values:
                target = float(inp.target.sel(ally=ally, group=group))
                if not bool(inp.has_stock.sel(ally=ally, group=group)) or target <= 0:
                    continue
                series = self.stock.sel(ally=ally, group=group).values
                month = months_to_target(series, target)
                due = int(inp.target_month.sel(ally=ally, group=group))
                at_due = float(series[due])
                rows.append(
                    {
                        "ally": str(ally),
                        "group": str(group),
                        "label": self.group_labels.get(str(group), str(group)),
                        "initial": float(inp.initial.sel(ally=ally, group=group)),
                        "target": target,
                        "target_date": self.scenario.month_label(due),
                        "month_met": (
                            self.scenario.month_label(month)
                            if month is not None
                            else NOT_WITHIN_HORIZON
                        ),
                        "months_to_target": month,
                        "met_by_date": month is not None and month <= due,
                        "shortfall_at_date": max(0.0, target - at_due),
                        "shortfall_at_date_pct": 100.0 * max(0.0, target - at_due) / target,
                        "ally_total_spending": float(spend.get(str(ally), 0.0)),
                    }
                )
        frame = pd.DataFrame(rows, columns=TARGET_COLUMNS)
        if not frame.empty:
            frame = frame.sort_values(["shortfall_at_date_pct", "ally"], ascending=[False, True])
            frame = frame.reset_index(drop=True)
        frame.attrs["units"] = {
            "initial": "units",
            "target": "units",
            "shortfall_at_date": "units",
            "ally_total_spending": self.scenario.meta.currency,
            "months_to_target": "months",
        }
        return frame

    def spending(self) -> pd.DataFrame:
        """Spending by ally and calendar year [currency]: new orders, expansions, contracts."""
        inp = self.inputs
        new = self.solution.spending.fillna(0.0)
        frame = pd.DataFrame(
            {
                "new_orders_and_expansion": new.to_series(),
                "existing_contracts": inp.fixed_spend.to_series(),
                "budget": inp.budget.to_series(),
            }
        ).reset_index()
        frame["total"] = frame["new_orders_and_expansion"] + frame["existing_contracts"]
        frame["budget_used_pct"] = np.where(
            frame["budget"] > 0, 100 * frame["total"] / frame["budget"], np.nan
        )
        frame.attrs["units"] = {
            c: self.scenario.meta.currency
            for c in ("new_orders_and_expansion", "existing_contracts", "budget", "total")
        }
        return frame

    def _added(self, name: str, like: xr.DataArray) -> xr.DataArray:
        """Added capacity or supply [units/month], zero where it cannot grow."""
        if name in self.solution.values:
            return self._value(name).reindex_like(like).fillna(0.0)
        return xr.zeros_like(like)

    def capacity_added(self) -> pd.DataFrame:
        """Capacity added by line: how much, usable from which month, ordered when [units/month]."""
        inp = self.inputs
        frame = self._growth(
            self._added(V.ADDED, inp.fixed_make), inp.cap0, inp.ceiling, inp.lead, "line"
        )
        frame.insert(1, "item", [str(inp.line_item.sel(line=n).item()) for n in frame["line"]])
        return frame

    def supply_added(self) -> pd.DataFrame:
        """Supply added by component, like :meth:`capacity_added` [units/month]."""
        inp = self.inputs
        like = inp.supply0 * xr.zeros_like(inp.month_year)
        return self._growth(
            self._added(V.SUPPLY_ADDED, like),
            inp.supply0,
            inp.supply_ceiling,
            inp.supply_lead,
            "component",
        )

    def _growth(
        self,
        added: xr.DataArray,
        now: xr.DataArray,
        ceiling: xr.DataArray,
        lead: xr.DataArray,
        dim: str,
    ) -> pd.DataFrame:
        rows = []
        for name in now.coords[dim].values:
            series = added.sel({dim: name}).values
            total = float(series[-1]) if series.size else 0.0
            first = np.flatnonzero(series > 1e-6)
            order = int(first[0]) - int(lead.sel({dim: name})) if first.size else None
            rows.append(
                {
                    dim: str(name),
                    "capacity_now": float(now.sel({dim: name})),
                    "added": total,
                    "capacity_end": float(now.sel({dim: name})) + total,
                    "ceiling": float(ceiling.sel({dim: name})),
                    "first_usable": self.scenario.month_label(int(first[0])) if first.size else "",
                    "ordered": self.scenario.month_label(order) if order is not None else "",
                }
            )
        frame = pd.DataFrame(
            rows,
            columns=[
                dim,
                "capacity_now",
                "added",
                "capacity_end",
                "ceiling",
                "first_usable",
                "ordered",
            ],
        )
        frame.attrs["units"] = {
            c: "units/month" for c in ("capacity_now", "added", "capacity_end", "ceiling")
        }
        return frame

    def expansion_funding(self) -> pd.DataFrame:
        """Who pays for added capacity and supply, by year [currency]."""
        parts = []
        for name, dim in ((V.FUND, "line"), (V.SUPPLY_FUND, "component")):
            if name in self.solution.values:
                series = self._value(name).to_series().rename("amount").reset_index()
                series = series.rename(columns={dim: "for"})
                series.insert(0, "kind", dim)
                parts.append(series[series["amount"] > 1e-6])
        columns = ["kind", "for", "ally", "year", "amount"]
        if not parts:
            return pd.DataFrame(columns=columns)
        return pd.concat(parts, ignore_index=True)[columns]

    def capacity_by_month(self) -> pd.DataFrame:
        """Usable capacity and output of each line by month [units/month], long format."""
        inp = self.inputs
        added = self._added(V.ADDED, inp.fixed_make)
        make = self._value(V.MAKE).reindex_like(inp.fixed_make).fillna(0.0)
        capacity = inp.cap0 + added
        output = make + inp.fixed_make
        frame = xr.Dataset({"capacity": capacity, "output": output}).to_dataframe()
        frame = frame.reset_index()
        frame["month_label"] = [self.scenario.month_label(int(t)) for t in frame["month"]]
        return frame[["line", "month", "month_label", "capacity", "output"]]

    def orders(self) -> pd.DataFrame:
        """New orders: quantity from each line to each ally by year of delivery [units]."""
        ship = self._value(V.SHIP)
        by_year = ship.groupby(self.inputs.month_year).sum()
        frame = by_year.to_series().rename("quantity").reset_index()
        frame = frame[frame["quantity"] > 1e-6].reset_index(drop=True)
        frame["item"] = [str(self.inputs.line_item.sel(line=line).item()) for line in frame["line"]]
        return frame[["ally", "item", "line", "year", "quantity"]]

    def stock_table(self) -> pd.DataFrame:
        """Stock and target by ally, group and month [units], long format."""
        frame = self.stock.to_series().dropna().rename("stock").reset_index()
        target = self.inputs.target.to_series().rename("target").reset_index()
        frame = frame.merge(target, on=["ally", "group"])
        frame["month_label"] = [self.scenario.month_label(int(t)) for t in frame["month"]]
        return frame

    def totals(self) -> dict[str, float | int | str]:
        """Alliance totals for the summary."""
        spend = self.spending()
        targets = self.targets
        return {
            "targets": len(targets),
            "met_by_date": int(targets["met_by_date"].sum()) if len(targets) else 0,
            "met_within_horizon": int(targets["months_to_target"].notna().sum())
            if len(targets)
            else 0,
            "spending_total": float(spend["total"].sum()),
            "budget_total": float(spend["budget"].sum()),
            "capacity_expansions": int((self.capacity_added()["added"] > 1e-6).sum()),
            "supply_expansions": int((self.supply_added()["added"] > 1e-6).sum()),
            "currency": self.scenario.meta.currency,
            "status": str(self.status),
        }
