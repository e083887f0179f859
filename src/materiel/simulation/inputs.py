"""What the simulator runs forward: a plan's schedule and a scenario's stocks as arrays.

The plan gives, by month, each line's planned output and capacity, each component
supplier's supply, and the deliveries of every line to every ally (new contracts and
contracts in force alike); the scenario gives initial stocks, targets and demand. All
are plain NumPy arrays indexed by position, ready for the engine
(:mod:`materiel.simulation.engine`).

Stocks are held by *rows*: the (ally, group) pairs that hold a stock. Deliveries are
held by *pairs*: the (line, row) pairs that receive something from the line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from materiel.errors import InputError
from materiel.planner import Plan
from materiel.scenario import Risks, Scenario, build_inputs, target_threshold

OTHER_THEATRE = "other"


@dataclass(frozen=True)
class SimInputs:
    """Arrays of one plan and scenario (see the module docstring)."""

    horizon: int
    start: str
    # stock rows (ally, group)
    row_ally: np.ndarray  # (R,) str
    row_group: np.ndarray  # (R,) str
    initial: np.ndarray  # (R,) [units]
    target: np.ndarray  # (R,) [units], 0 where none
    due: np.ndarray  # (R,) month index of the target date
    threshold: np.ndarray  # (R,) [units]: stock at or above this counts as at target
    consumption: np.ndarray  # (R, T) [units/month]
    aid: np.ndarray  # (R, T) [units/month]
    unmet_plan: np.ndarray  # (R, T) [units]: demand the plan itself leaves unmet
    plan_stock: np.ndarray  # (R, T) [units]: the plan's stock path
    row_theatre: np.ndarray  # (R,) int
    theatres: tuple[str, ...]
    # lines
    line_ids: np.ndarray  # (L,) str
    lag: np.ndarray  # (L,) int
    cap0: np.ndarray  # (L,) [units/month]
    cap_added: np.ndarray  # (L, T) [units/month] capacity added under the plan
    output: np.ndarray  # (L, T) [units/month] planned output, contracts in force included
    bom: np.ndarray  # (L, C) [component units per unit]
    # components
    comp_ids: np.ndarray  # (C,) str
    supply0: np.ndarray  # (C, T) [units/month] supply now (none from a restricted supplier)
    supply_added: np.ndarray  # (C, T)
    comp_use: np.ndarray  # (C, T) planned use [units/month]
    # deliveries
    pair_line: np.ndarray  # (P,) int
    pair_row: np.ndarray  # (P,) int
    pair_arrival: np.ndarray  # (P, T) [units] planned arrivals by month
    dispatch: np.ndarray  # (L, T) [units] planned dispatch by month (arrivals lag earlier)
    in_transit: np.ndarray  # (R, T) [units]: arrivals dispatched before month 0
    period: np.ndarray  # (T,) contract period of each month

    @property
    def target_rows(self) -> np.ndarray:
        """Positions of the rows that have a target."""
        return np.flatnonzero(self.target > 0)

    def with_theatres(self, risks: Risks) -> SimInputs:
        """The same arrays with rows assigned to the surge risk's theatres."""
        names = (*risks.surge.theatres, OTHER_THEATRE)
        of = {a: i for i, (_, allies) in enumerate(risks.surge.theatres.items()) for a in allies}
        other = len(names) - 1
        theatre = np.array([of.get(str(a), other) for a in self.row_ally], dtype=np.int64)
        return replace(self, row_theatre=theatre, theatres=names)


def build(plan: Plan, scenario: Scenario) -> SimInputs:
    """The arrays of ``plan`` for ``scenario`` (whose digest the caller has checked)."""
    inp = build_inputs(scenario)
    horizon = inp.horizon
    if plan.horizon != horizon:
        raise InputError(f"the plan covers {plan.horizon} months, the scenario {horizon}")
    has = inp.has_stock.to_series()
    rows = has[has].index  # (ally, group)
    r_pos = {key: i for i, key in enumerate(rows)}
    allies = np.array([a for a, _ in rows], dtype=object)
    groups = np.array([g for _, g in rows], dtype=object)

    def by_row(da: object) -> np.ndarray:
        frame = da.stack(row=("ally", "group")).transpose("row", ...)  # type: ignore[attr-defined]
        values = frame.to_numpy()
        index = pd.MultiIndex.from_arrays(
            [frame.coords["ally"].values, frame.coords["group"].values]
        )
        return values[index.get_indexer(rows)]

    target = by_row(inp.target)
    due = by_row(inp.target_month).astype(np.int64)
    due = np.where(due < 0, horizon - 1, np.minimum(due, horizon - 1))
    tolerance = scenario.meta.policy.target_tolerance
    threshold = np.array(
        [target_threshold(level, tolerance) if level > 0 else np.inf for level in target]
    )
    demand = by_row(inp.demand)
    aid = by_row(inp.aid_demand)
    # what the plan gives to recipients' requirements is aid the donor serves like its own
    gifts = np.zeros_like(aid)
    given = plan.tables.get("aid_allocation")
    if given is not None and len(given):
        group_of = scenario.group_of()
        for rec in given.itertuples(index=False):
            i = r_pos.get((rec.donor, group_of.get(rec.item, rec.item)))
            if i is not None:
                gifts[i, int(rec.month)] += float(rec.quantity)
    demand, aid = demand + gifts, aid + gifts
    unmet = np.zeros((len(rows), horizon))
    table = plan.tables.get("unmet")
    if table is not None:
        for rec in table.itertuples(index=False):
            i = r_pos.get((rec.ally, rec.group))
            if i is not None:
                unmet[i, int(rec.month)] += float(rec.unmet)
    plan_stock = np.full((len(rows), horizon), np.nan)
    for rec in plan.stock.itertuples(index=False):
        i = r_pos.get((rec.ally, rec.group))
        if i is not None:
            plan_stock[i, int(rec.month)] = float(rec.stock)

    lines = list(inp.cap0.coords["line"].values)
    l_pos = {line: i for i, line in enumerate(lines)}
    cap0 = inp.cap0.to_numpy().astype(np.float64)
    capacity = _line_month(plan.capacity, "capacity", l_pos, horizon)
    output = _line_month(plan.capacity, "output", l_pos, horizon)
    cap_added = np.maximum(capacity - cap0[:, None], 0.0)
    comps = list(inp.supply0.coords["component"].values)
    c_pos = {c: i for i, c in enumerate(comps)}
    supply_added = np.zeros((len(comps), horizon))
    # supply now by month: the plan's supply less what it added (policy.restrict takes a
    # restricted supplier's part out of both)
    supply0 = np.repeat(inp.supply0.to_numpy().astype(np.float64)[:, None], horizon, axis=1)
    for rec in plan.supply.itertuples(index=False):
        if rec.component in c_pos:
            supply_added[c_pos[rec.component], int(rec.month)] = float(rec.added)
            supply0[c_pos[rec.component], int(rec.month)] = float(rec.supply) - float(rec.added)
    bom = inp.bom.to_numpy().astype(np.float64)
    lag = inp.lag.to_numpy().astype(np.int64)

    # Deliveries by (line, row): new contracts from the plan, contracts in force from the
    # scenario; what arrives before a line's lag was dispatched before month 0.
    fixed = inp.fixed_delivery.to_series()
    fixed = fixed[fixed > 0].rename("quantity").reset_index()
    both = pd.concat(
        [plan.deliveries[["line", "ally", "month", "quantity"]], fixed], ignore_index=True
    )
    both = both[both["quantity"] > 0]
    li = both["line"].map(l_pos).to_numpy(dtype=np.int64)
    group = inp.line_group.to_numpy()[li]
    row = pd.Series(list(zip(both["ally"], group, strict=True))).map(r_pos).to_numpy()
    month = both["month"].to_numpy(dtype=np.int64)
    quantity = both["quantity"].to_numpy(dtype=np.float64)
    known = ~pd.isna(row)
    li, row, month, quantity = li[known], row[known].astype(np.int64), month[known], quantity[known]
    early = month < lag[li]
    in_transit = np.zeros((len(rows), horizon))
    np.add.at(in_transit, (row[early], month[early]), quantity[early])
    late = ~early
    pairs, pair_index = np.unique(li[late] * len(rows) + row[late], return_inverse=True)
    pair_line, pair_row = pairs // len(rows), pairs % len(rows)
    pair_arrival = np.zeros((len(pairs), horizon))
    np.add.at(pair_arrival, (pair_index, month[late]), quantity[late])
    dispatch = np.zeros((len(lines), horizon))
    for p, li in enumerate(pair_line):
        lg = lag[li]
        dispatch[li, : horizon - lg] += pair_arrival[p, lg:]

    return SimInputs(
        horizon=horizon,
        start=scenario.start,
        row_ally=allies,
        row_group=groups,
        initial=by_row(inp.initial).astype(np.float64),
        target=target.astype(np.float64),
        due=due,
        threshold=threshold,
        consumption=demand - aid,
        aid=aid,
        unmet_plan=unmet,
        plan_stock=plan_stock,
        row_theatre=np.zeros(len(rows), dtype=np.int64),
        theatres=(OTHER_THEATRE,),
        line_ids=np.array(lines, dtype=object),
        lag=lag,
        cap0=cap0,
        cap_added=cap_added,
        output=output,
        bom=bom,
        comp_ids=np.array(comps, dtype=object),
        supply0=supply0,
        supply_added=supply_added,
        comp_use=bom.T @ output,
        pair_line=pair_line,
        pair_row=pair_row,
        pair_arrival=pair_arrival,
        dispatch=dispatch,
        in_transit=in_transit,
        period=inp.month_period.to_numpy().astype(np.int64),
    ).with_theatres(scenario.meta.risks)


def _line_month(frame: pd.DataFrame, column: str, pos: dict[str, int], horizon: int) -> np.ndarray:
    out = np.zeros((len(pos), horizon))
    for rec in frame[["line", "month", column]].itertuples(index=False):
        if rec.line in pos:
            out[pos[rec.line], int(rec.month)] = float(getattr(rec, column))
    return out
