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

from materiel.planner import aid_tables, bottlenecks, contracts, supplychain, workshare
from materiel.planner.aid import AV, fairness_weight, requirement_weights
from materiel.planner.model import (
    V,
    below_floor_weight,
    objective_weights,
    supply_now,
    unmet_unit_weight,
)
from materiel.planner.plan import PLAN_TABLES, Plan
from materiel.planner.solve import Solution, Status
from materiel.scenario import ModelInputs, Scenario, target_threshold

NOT_WITHIN_HORIZON = "not within horizon"
TARGET_COLUMNS = [
    "ally",
    "group",
    "label",
    "initial",
    "target",
    "target_date",
    "stock_at_date",
    "month_met",
    "months_to_target",
    "met_by_date",
    "shortfall_at_date",
    "shortfall_at_date_pct",
    "ally_total_spending",
]


def at_target(stock: np.ndarray, level: float, tolerance: float = 0.0) -> np.ndarray:
    """Where ``stock`` counts as at or above ``level``: at most ``tolerance`` (a fraction
    of the level) below it, with a hair of 1e-6 for the solver's own accuracy.

    >>> at_target(np.array([99.4, 99.6, 100.0]), 100, 0.005).tolist()
    [False, True, True]
    """
    return stock >= target_threshold(level, tolerance)


def months_to_target(stock: np.ndarray, level: float, tolerance: float = 0.0) -> int | None:
    """First month from which ``stock`` stays at target (see :func:`at_target`) to the
    end of the horizon, or None.

    >>> months_to_target(np.array([0, 60, 40, 50, 55]), 50)
    3
    >>> months_to_target(np.array([0, 10]), 50) is None
    True
    >>> months_to_target(np.array([0, 100, 99.8, 100]), 100, tolerance=0.005)
    1
    """
    ok = at_target(stock, level, tolerance)
    if not ok[-1]:
        return None
    bad = np.flatnonzero(~ok)
    return int(bad[-1]) + 1 if bad.size else 0


def objective_by_group(
    inp: ModelInputs, values: dict[str, xr.DataArray], labels: dict[str, str]
) -> pd.Series:
    """The first objective by group label [target-months]: shortfall plus unmet demand."""
    w_short, w_unmet = objective_weights(inp)
    total = xr.zeros_like(inp.target)
    below = below_floor_weight(inp)
    parts = [(V.SHORT, w_short), (V.UNMET, w_unmet)]
    if below is not None:
        parts.append((AV.BELOW, below))
    for name, weight in parts:
        if name in values:
            part = (weight * values[name].fillna(0.0)).sum("month")
            total = total + part.reindex_like(total, fill_value=0.0)
    by_group = total.sum("ally").to_series()
    return by_group.groupby(lambda g: labels.get(str(g), str(g))).sum()


#: The plan summary's keys of what pooling is worth: this prefix, then the pooling
#: comparison's ``attrs`` key (``pooling_money_saved``).
POOLING_PREFIX = "pooling_"


@dataclass(frozen=True, eq=False)
class PlanResult:
    """The plan for one scenario: solution arrays plus the tables derived from them."""

    scenario: Scenario
    inputs: ModelInputs
    solution: Solution
    bottlenecks: pd.DataFrame = field(default_factory=pd.DataFrame)
    bottleneck_groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    pooling: pd.DataFrame | None = None
    #: outage what-ifs by component (supplychain.outage_risks); None: not measured
    supply_risk: pd.DataFrame | None = None
    #: what each qualification row is worth (supplychain.qualification_worth)
    qualification_worth: pd.DataFrame | None = None
    #: [target-months] the value of standardisation (every item qualified everywhere)
    standardisation: float = float("nan")
    #: the work share's price by ally (workshare.work_share_price); None: not measured
    work_share_price: pd.DataFrame | None = None

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
        """Months to target by ally and group, shortfall at the target date, spending.

        Met by its date: ``stock[D] ≥ L`` (within ``policy.target_tolerance``); months
        to target: the first month from which stock stays there to the end.
        """
        inp = self.inputs
        tolerance = self.scenario.meta.policy.target_tolerance
        spend = self.spending().groupby("ally")["total"].sum()
        rows = []
        for ally in inp.has_stock.coords["ally"].values:
            for group in inp.has_stock.coords["group"].values:
                target = float(inp.target.sel(ally=ally, group=group))
                if not bool(inp.has_stock.sel(ally=ally, group=group)) or target <= 0:
                    continue
                series = self.stock.sel(ally=ally, group=group).values
                month = months_to_target(series, target, tolerance)
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
                        "stock_at_date": at_due,
                        "month_met": (
                            self.scenario.month_label(month)
                            if month is not None
                            else NOT_WITHIN_HORIZON
                        ),
                        "months_to_target": month,
                        "met_by_date": bool(at_target(np.array([at_due]), target, tolerance)[0]),
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
            "stock_at_date": "units",
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

    def line_closures(self) -> pd.DataFrame:
        """Warm lines the plan closes: when, until when, what closing costs and what
        keeping the line warm instead would have cost (its sustaining rate bought at the
        item's base price over the months closed) [currency]."""
        columns = [
            "line",
            "item",
            "closed_from",
            "reopens",
            "months_closed",
            "closure_cost",
            "keep_warm_cost",
        ]
        opened = self.solution.values.get(V.OPEN)
        rows: list[dict[str, object]] = []
        if opened is not None:
            inp = self.inputs
            period_months = self.scenario.meta.policy.order_period_months
            prices = inp.price.isel(tier=0)
            for line in opened.coords["line"].values:
                state = opened.sel(line=line).values
                if np.isnan(state).all():
                    continue
                was = 1.0
                for p, now in enumerate(np.nan_to_num(state, nan=1.0)):
                    if was > 0.5 and now < 0.5:
                        after = np.flatnonzero(np.nan_to_num(state[p:], nan=1.0) > 0.5)
                        end = p + int(after[0]) if after.size else len(state)
                        first, last = p * period_months, min(end * period_months, inp.horizon)
                        item = str(inp.line_item.sel(line=line).item())
                        sustain = float(inp.sustaining_rate.sel(line=line))
                        rows.append(
                            {
                                "line": str(line),
                                "item": item,
                                "closed_from": self.scenario.month_label(first),
                                "reopens": self.scenario.month_label(last)
                                if last < inp.horizon
                                else "",
                                "months_closed": last - first,
                                "closure_cost": float(inp.closure_cost.sel(line=line)),
                                "keep_warm_cost": sustain
                                * (last - first)
                                * float(prices.sel(item=item)),
                            }
                        )
                    was = now
        frame = pd.DataFrame(rows, columns=columns)
        currency = self.scenario.meta.currency
        frame.attrs["units"] = {
            "months_closed": "months",
            "closure_cost": currency,
            "keep_warm_cost": currency,
        }
        return frame

    def _supply_added(self, *, usable: bool = False) -> xr.DataArray:
        """Supply added to each component [units/month] (component, month): its own, or
        its suppliers' (``usable``: only where they may supply, see policy.restrict)."""
        inp = self.inputs
        like = inp.supply0 * xr.zeros_like(inp.month_year, dtype=float)
        added = self._added(V.SUPPLY_ADDED, like)
        sup = inp.suppliers
        if sup is not None and V.SOURCE_ADDED in self.solution.values:
            by = self._value(V.SOURCE_ADDED) * (sup.available if usable else 1.0)
            added = added + (sup.onehot * by).sum("supplier")
        return added

    def supply_added(self) -> pd.DataFrame:
        """Supply added by component, like :meth:`capacity_added` [units/month]; a
        component's suppliers' together (see :meth:`suppliers`)."""
        inp = self.inputs
        frame = self._growth(
            self._supply_added(),
            inp.supply0,
            inp.supply_ceiling,
            inp.supply_lead,
            "component",
        )
        sup = inp.suppliers
        if sup is None or V.SOURCE_ADDED not in self.solution.values:
            return frame
        # a sourced component is ordered when its first supplier's expansion is, by
        # that supplier's lead time (the components row's is not used)
        by = self._value(V.SOURCE_ADDED)
        orders: dict[str, int] = {}
        for key in by.coords["supplier"].values:
            first = np.flatnonzero(by.sel(supplier=key).values > 1e-6)
            if first.size:
                comp = str(sup.component.sel(supplier=key).item())
                month = int(first[0]) - int(sup.lead.sel(supplier=key))
                orders[comp] = min(month, orders.get(comp, month))
        sourced = [bool(sup.sourced.sel(component=c)) for c in frame["component"]]
        frame.loc[sourced, "ordered"] = [
            self.scenario.month_label(orders[c]) if c in orders else ""
            for c in frame.loc[sourced, "component"]
        ]
        return frame

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
        """Who pays for added capacity and supply, and for idle capacity, by year [currency].

        The payers and their shares follow ``policy.expansion_funding`` (see
        ``inputs.funding_shares``); expansions are paid in the year capacity is ordered,
        idle capacity (kind ``idle``) in the year it is idle.
        """
        inp = self.inputs
        columns = ["kind", "for", "ally", "share", "year", "amount"]
        parts = []
        growing = [
            (V.ADDED, inp.expansion_cost, inp.lead, inp.line_payer, "line"),
            (V.SUPPLY_ADDED, inp.supply_cost, inp.supply_lead, inp.supply_payer, "component"),
        ]
        if inp.suppliers is not None:
            sup = inp.suppliers
            payer = (sup.onehot * inp.supply_payer).sum("component")
            growing.append((V.SOURCE_ADDED, sup.cost, sup.lead, payer, "supplier"))
        for name, cost, lead, share, dim in growing:
            if name not in self.solution.values:
                continue
            like = cost * xr.zeros_like(inp.month_year, dtype=float)
            added = self._added(name, like).transpose(dim, "month").values
            grow = np.diff(added, axis=1, prepend=0.0) * cost.values[:, None]
            order = (np.arange(inp.horizon)[None, :] - lead.values[:, None]).clip(0, None)
            years = inp.month_year.values[order]
            rows = []
            for i, code in enumerate(cost.coords[dim].values):
                for year in np.unique(years[i][grow[i] > 1e-9]):
                    money = float(grow[i][years[i] == year].sum())
                    for ally, part in share.sel({dim: code}).to_series().items():
                        if part > 0 and money * part > 1e-6:
                            rows.append((dim, str(code), str(ally), part, int(year), money * part))
            parts.append(pd.DataFrame(rows, columns=columns))
        if V.IDLE in self.solution.values:
            idle = (inp.idle_cost * self._value(V.IDLE)).groupby(inp.month_year).sum()
            paid = (inp.line_payer * idle).to_series().rename("amount").reset_index()
            paid = paid[paid["amount"] > 1e-6].rename(columns={"line": "for"})
            paid["share"] = [
                float(inp.line_payer.sel(line=f, ally=a))
                for f, a in zip(paid["for"], paid["ally"], strict=True)
            ]
            paid.insert(0, "kind", "idle")
            parts.append(paid[columns])
        if not parts:
            frame = pd.DataFrame(columns=columns)
        else:
            frame = pd.concat(parts, ignore_index=True)[columns].reset_index(drop=True)
        frame.attrs["units"] = {"amount": self.scenario.meta.currency, "share": "-"}
        frame.attrs["rule"] = self.scenario.meta.policy.expansion_funding
        return frame

    def funding_cells(self) -> pd.DataFrame:
        """Who pays for expansions in proportion to requirements, as cells for the
        disclosure rule (:mod:`materiel.planner.funding`)."""
        from materiel.planner.funding import funding_cells

        return funding_cells(self.inputs)

    def supply_by_month(self) -> pd.DataFrame:
        """Supply of each component by month, now plus added [units/month], long format."""
        inp = self.inputs
        added = self._supply_added(usable=True)
        frame = xr.Dataset({"supply": supply_now(inp) + added, "added": added}).to_dataframe()
        frame = frame.reset_index()[["component", "month", "supply", "added"]]
        frame.attrs["units"] = {"supply": "units/month", "added": "units/month"}
        return frame

    def suppliers(self) -> pd.DataFrame:
        """Each component's suppliers: supply, added, and share of the supply used
        (see :mod:`.supplychain`)."""
        return supplychain.supplier_table(
            self.inputs, self.solution.values, self.scenario.month_label
        )

    def supply_chain(self) -> pd.DataFrame:
        """The supply-chain register, worst first (see :mod:`.supplychain`)."""
        return supplychain.register(
            self.inputs, self.solution.values, self.scenario.month_label, self.supply_risk
        )

    def bottleneck_table(self) -> pd.DataFrame:
        """What binds, as the plan keeps it: the ranked limits with their labels, units,
        whose they are and the lines they bound (see :func:`.bottlenecks.table`)."""
        return bottlenecks.table(self.inputs, self.bottlenecks)

    def bottleneck_group_table(self) -> pd.DataFrame:
        """The re-solved limits' change of the weighted shortfall by group."""
        return bottlenecks.group_table(self.bottleneck_groups)

    def qualifications(self) -> pd.DataFrame:
        """Items not qualified for an ally: taken or not, when usable, cost and worth."""
        return supplychain.qualification_table(
            self.inputs, self.solution.values, self.scenario.month_label, self.qualification_worth
        )

    @property
    def plan(self) -> Plan:
        """The plan as tables with no solver in it, to save, load and simulate (its
        tables are those of :data:`materiel.planner.plan.PLAN_TABLES`)."""
        scenario = self.scenario
        totals = {k: v for k, v in self.totals().items() if isinstance(v, str | int | float | bool)}
        tables = {}
        for table in PLAN_TABLES:
            made = getattr(self, table.made_by)
            tables[table.name] = made() if callable(made) else made
        return Plan(
            scenario_name=scenario.name,
            scenario_digest=scenario.digest(),
            start=scenario.start,
            horizon=scenario.horizon,
            currency=scenario.meta.currency,
            tables=tables,
            summary={"objective": self.objective, **totals, **self.pooling_summary()},
        )

    def pooling_summary(self) -> dict[str, str | int | float | bool]:
        """What pooling is worth (the pooling comparison's figures, ``pooling.attrs``), as
        the plan's summary keeps them: ``pooling_money_saved``, ``pooling_shortfall_gain``
        [target-months], ... ({} without the comparison). They are sums over every ally."""
        if self.pooling is None:
            return {}
        out: dict[str, str | int | float | bool] = {}
        for key, value in self.pooling.attrs.items():
            plain = value.item() if isinstance(value, np.generic) else value
            if isinstance(plain, str | int | float | bool):
                out[f"{POOLING_PREFIX}{key}"] = plain
        return out

    def delivery_table(self) -> pd.DataFrame:
        """New orders arriving: line, ally, month, quantity [units] (none left out but
        zeros)."""
        deliveries = self.deliveries.to_series().rename("quantity").reset_index()
        return deliveries[deliveries["quantity"] > 1e-9].reset_index(drop=True)

    def unmet_table(self) -> pd.DataFrame:
        """Demand the plan leaves unmet: ally, group, month, unmet [units] (zeros left out)."""
        unmet = self.unmet_demand
        return unmet[unmet["unmet"] > 1e-9][["ally", "group", "month", "unmet"]]

    def capacity_by_month(self) -> pd.DataFrame:
        """Usable capacity, output and the producer's stock of each line by month, long
        format [units/month; held: units]. Output includes existing contracts."""
        inp = self.inputs
        added = self._added(V.ADDED, inp.fixed_make)
        capacity = inp.cap0 + added
        output = self._value(V.MAKE).reindex_like(inp.fixed_make).fillna(0.0) + inp.fixed_make
        held = self._value(V.HELD).reindex_like(inp.fixed_make).fillna(0.0)
        frame = xr.Dataset({"capacity": capacity, "output": output, "held": held}).to_dataframe()
        frame = frame.reset_index()
        frame["month_label"] = [self.scenario.month_label(int(t)) for t in frame["month"]]
        frame = frame[["line", "month", "month_label", "capacity", "output", "held"]]
        frame.attrs["units"] = {"capacity": "units/month", "output": "units/month", "held": "units"}
        return frame

    @cached_property
    def deliveries(self) -> xr.DataArray:
        """New orders arriving from each line at each ally by month [units] (line, ally,
        month): the contract rate of the month's period, from the line's first delivery."""
        return contracts.deliveries(self.inputs, self._value(V.RATE))

    def orders(self) -> pd.DataFrame:
        """New orders: quantity from each line to each ally by year of delivery [units]."""
        by_year = self.deliveries.groupby(self.inputs.month_year).sum()
        frame = by_year.to_series().rename("quantity").reset_index()
        frame = frame[frame["quantity"] > 1e-6].reset_index(drop=True)
        frame["item"] = [str(self.inputs.line_item.sel(line=line).item()) for line in frame["line"]]
        frame = frame[["ally", "item", "line", "year", "quantity"]]
        frame.attrs["units"] = {"quantity": "units"}
        return frame

    @cached_property
    def contracts(self) -> pd.DataFrame:
        """The contracts to sign: buyers, line, producer, item, monthly rate, first and last
        delivery month, quantity, value, pooled or not (see :mod:`.contracts`)."""
        return contracts.contract_table(self.inputs, self.solution.values, self.scenario)

    def stock_table(self) -> pd.DataFrame:
        """Stock and target by ally, group and month [units], long format."""
        frame = self.stock.to_series().dropna().rename("stock").reset_index()
        target = self.inputs.target.to_series().rename("target").reset_index()
        frame = frame.merge(target, on=["ally", "group"])
        frame["month_label"] = [self.scenario.month_label(int(t)) for t in frame["month"]]
        return frame

    @cached_property
    def objective_parts(self) -> dict[str, float]:
        """The first objective split into its parts [target-months]: shortfall to
        targets and unmet demand (their sum is the objective)."""
        w_short, w_unmet = objective_weights(self.inputs)
        short = self._value(V.SHORT) if V.SHORT in self.solution.values else None
        unmet = self._value(V.UNMET) if V.UNMET in self.solution.values else None
        below = below_floor_weight(self.inputs)
        parts = {
            "shortfall": float((w_short * short).sum()) if short is not None else 0.0,
            "unmet_demand": float((w_unmet * unmet).sum()) if unmet is not None else 0.0,
        }
        if below is not None and AV.BELOW in self.solution.values:
            # stock below a floor: the rest of its shortfall's weight (aid.band_weights)
            parts["shortfall"] += float((below * self._value(AV.BELOW)).sum())
        if AV.UNMET in self.solution.values:
            parts["requirements"] = self._aid_objective()
        return parts

    def _aid_objective(self) -> float:
        """The aid part of the first objective: requirements unmet and value given off
        fair shares [target-months]."""
        values = self.solution.values
        inp = self.inputs
        assert inp.aid is not None
        unit = unmet_unit_weight(inp)
        total = float((requirement_weights(inp, unit) * values[AV.UNMET].fillna(0.0)).sum())
        if AV.UNFAIR in values:
            total += fairness_weight(inp, unit) * float(values[AV.UNFAIR].fillna(0.0).sum())
        return total

    def work_share(self) -> pd.DataFrame:
        """The work share by ally: required, placed at home, and its price in
        target-months and money against the plan without it (see :mod:`.workshare`)."""
        if self.work_share_price is not None:
            return self.work_share_price
        frame = pd.DataFrame(columns=workshare.COLUMNS)
        if V.RATE in self.solution.values and self.scenario.meta.policy.work_share > 0:
            total, home = workshare.placed_at_home(self.inputs, self._value(V.RATE))
            frame = pd.DataFrame({"ally": [str(a) for a in total.coords["ally"].values]}).assign(
                orders_value=total.values, placed_at_home=home.values
            )
            frame = frame.reindex(columns=workshare.COLUMNS)
        return frame

    def aid_allocation(self) -> pd.DataFrame:
        """Who gives what to a recipient's requirements: donor, recipient, item, source
        (stock or new), month, quantity [units], value [currency]."""
        return aid_tables.allocation(self.inputs, self.solution.values, self.scenario.month_label)

    def aid_requirements(self) -> pd.DataFrame:
        """Each requirement: required, given, unmet [units], requirement-months met, the
        month met and its donors."""
        return aid_tables.requirements(self.inputs, self.solution.values, self.scenario.month_label)

    def aid_by_donor(self) -> pd.DataFrame:
        """Each donor's value given against its fair share and the EUR 40 bn baseline."""
        return aid_tables.by_donor(self.inputs, self.solution.values)

    def objective_by_group(self) -> pd.Series:
        """The first objective by group label [target-months]: shortfall plus unmet demand."""
        return objective_by_group(self.inputs, self.solution.values, self.group_labels)

    @cached_property
    def _unmet(self) -> tuple[xr.DataArray, xr.DataArray]:
        """Unmet demand [units] and its share of the month's demand (ally, group, month)."""
        inp = self.inputs
        unmet = (
            self._value(V.UNMET).reindex_like(inp.demand).fillna(0.0).clip(0, None)
            if V.UNMET in self.solution.values
            else xr.zeros_like(inp.demand)
        )
        return unmet, (unmet / inp.demand).where(inp.demand > 0, 0.0)

    @cached_property
    def _aid_demand(self) -> xr.DataArray:
        """Aid in the demand [units/month] (ally, group, month, recipient)."""
        inp = self.inputs
        groups = self.scenario.group_of()
        rows = [r for r in self.scenario.records("demand") if r.kind == "aid"]
        recipients = sorted({r.recipient or "unnamed" for r in rows})
        allies = list(inp.demand.coords["ally"].values)
        codes = list(inp.demand.coords["group"].values)
        values = np.zeros((len(recipients), *inp.demand.shape))
        for r in rows:
            first = max(self.scenario.month_index(r.start), 0)
            last = min(self.scenario.month_index(r.end), inp.horizon - 1)
            if first <= last:
                k = recipients.index(r.recipient or "unnamed")
                i, j = allies.index(r.ally), codes.index(groups[r.item])
                values[k, i, j, first : last + 1] += r.per_month
        return xr.DataArray(
            values,
            dims=["recipient", *inp.demand.dims],
            coords={"recipient": recipients, **inp.demand.coords},
        )

    @cached_property
    def unmet_demand(self) -> pd.DataFrame:
        """Demand served and unmet by ally, group and month [units], where there is demand.

        When an ally cannot serve all of a month's demand of a group, its aid and its
        own consumption fall short in proportion to their shares of that demand (the
        model has one unmet-demand figure per ally, group and month); ``aid_unmet`` is
        aid's part.
        """
        inp = self.inputs
        unmet, share = self._unmet
        aid = self._aid_demand.sum("recipient")
        frame = xr.Dataset(
            {
                "demand": inp.demand,
                "served": inp.demand - unmet,
                "unmet": unmet,
                "aid_demand": aid,
                "aid_unmet": aid * share,
            }
        ).to_dataframe()
        frame = frame[frame["demand"] > 0].reset_index()
        frame.insert(2, "label", [self.group_labels.get(str(g), str(g)) for g in frame["group"]])
        frame.insert(4, "month_label", [self.scenario.month_label(int(t)) for t in frame["month"]])
        frame["unmet_pct"] = 100.0 * frame["unmet"] / frame["demand"]
        frame.attrs["units"] = {
            c: "units" for c in ("demand", "served", "unmet", "aid_demand", "aid_unmet")
        }
        return frame

    def unmet_by_year(self) -> pd.DataFrame:
        """:attr:`unmet_demand` by ally, group and calendar year, worst share first."""
        frame = self.unmet_demand.copy()
        frame["year"] = self.inputs.month_year.values[frame["month"].to_numpy(dtype=int)]
        sums = ["demand", "served", "unmet", "aid_demand", "aid_unmet"]
        out = frame.groupby(["ally", "group", "label", "year"], as_index=False)[sums].sum()
        out["unmet_pct"] = 100.0 * out["unmet"] / out["demand"]
        out = out.sort_values(["unmet_pct", "unmet", "ally"], ascending=[False, False, True])
        out.attrs["units"] = {c: "units" for c in sums}
        return out.reset_index(drop=True)

    def aid_served(self) -> pd.DataFrame:
        """Aid by recipient and group over the horizon: asked, served, unmet [units].

        Aid's unmet part follows the proportional rule of :attr:`unmet_demand`.
        """
        aid = self._aid_demand
        _, share = self._unmet
        asked = aid.sum(["ally", "month"])
        short = (aid * share).sum(["ally", "month"])
        frame = xr.Dataset({"aid": asked, "unmet": short}).to_dataframe().reset_index()
        frame = frame[frame["aid"] > 0].reset_index(drop=True)
        frame.insert(2, "label", [self.group_labels.get(str(g), str(g)) for g in frame["group"]])
        frame["served"] = frame["aid"] - frame["unmet"]
        frame["unmet_pct"] = 100.0 * frame["unmet"] / frame["aid"]
        frame = frame[["recipient", "group", "label", "aid", "served", "unmet", "unmet_pct"]]
        frame.attrs["units"] = {c: "units" for c in ("aid", "served", "unmet")}
        return frame

    def _aid_totals(self, parts: dict[str, float]) -> dict[str, float | int]:
        """Requirements in the summary (nothing without requirements)."""
        if "requirements" not in parts:
            return {}
        frame = self.aid_requirements()
        return {
            "requirements_penalty": parts["requirements"],
            "requirements_total": float(frame["required"].sum()),
            "requirements_unmet_total": float(frame["unmet"].sum()),
            "requirement_months": int(frame["months"].sum()),
            "requirement_months_met": int(frame["months_met"].sum()),
        }

    def totals(self) -> dict[str, float | int | str]:
        """Alliance totals for the summary."""
        spend = self.spending()
        targets = self.targets
        unmet = self.unmet_demand
        demand = float(unmet["demand"].sum()) if len(unmet) else 0.0
        parts = self.objective_parts
        # measured when planned by planner.api (NaN otherwise, which JSON cannot hold)
        value = float(self.standardisation)
        measured = {"standardisation_value": value} if np.isfinite(value) else {}
        return {
            "targets": len(targets),
            "met_by_date": int(targets["met_by_date"].sum()) if len(targets) else 0,
            "met_within_horizon": int(targets["months_to_target"].notna().sum())
            if len(targets)
            else 0,
            "weighted_shortfall": parts["shortfall"],
            "unmet_demand_penalty": parts["unmet_demand"],
            **self._aid_totals(parts),
            "demand_total": demand,
            "unmet_demand_total": float(unmet["unmet"].sum()) if len(unmet) else 0.0,
            "unmet_demand_pct": 100.0 * float(unmet["unmet"].sum()) / demand if demand else 0.0,
            "aid_total": float(unmet["aid_demand"].sum()) if len(unmet) else 0.0,
            "aid_unmet_total": float(unmet["aid_unmet"].sum()) if len(unmet) else 0.0,
            "spending_total": float(spend["total"].sum()),
            "budget_total": float(spend["budget"].sum()),
            "capacity_expansions": int((self.capacity_added()["added"] > 1e-6).sum()),
            "supply_expansions": int((self.supply_added()["added"] > 1e-6).sum()),
            "currency": self.scenario.meta.currency,
            "status": str(self.status),
            "lp_bound": float(self.solution.bound),
            "gap_pct": 100.0 * float(self.solution.gap),
            **measured,
        }
