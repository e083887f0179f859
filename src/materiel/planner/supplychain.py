"""Supply chains and interoperability: where a plan hangs on one supplier, and what
qualifying an item for another ally is worth.

The register (one row per component the plan uses): its suppliers' shares of the supply
used, the Herfindahl–Hirschman index of those shares, the largest share, the share from
non-allied countries, and the target-months of shortfall lost if the largest supplier
stops for :data:`OUTAGE_MONTHS` months from the start (a warm what-if on the plan's LP,
as :mod:`materiel.planner.whatif`), with the value of a second source: the other
supplier whose expansion to its ceiling removes most of that loss, and its cost.

Shares of supply used: the plan decides a component's use, not which supplier fills
it; each month's use is taken from the suppliers in proportion to the supply each can
give that month (capacity now plus added, none while restricted).

A component without rows in the ``suppliers`` table is its own single supplier (named
by its code, country unknown); its outage is not measured (:data:`OUTAGE_OF_UNLISTED`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from materiel.errors import SolveError
from materiel.planner.model import C, V, first_arrival, qualification_coef, supply_now
from materiel.planner.solve import Solved
from materiel.planner.whatif import what_if
from materiel.scenario import ModelInputs

#: The outage of a component's largest supplier the register measures [months], from
#: the start of the plan.
OUTAGE_MONTHS = 6
OUTAGE_START = 0
#: Whether the outage of a component without rows in the suppliers table (the whole
#: component) is measured too. An outage is a large change: its warm re-solve takes
#: seconds at nato-2024's size (5 to 14 s each, measured under load), where a 10 %
#: what-if takes half a second; the register measures the components whose suppliers
#: are listed, where the question is asked.
OUTAGE_OF_UNLISTED = False

SUPPLIER_COLUMNS = [
    "component",
    "supplier",
    "country",
    "allied",
    "capacity_now",
    "added",
    "ceiling",
    "restricted_from",
    "supplied",
    "share_pct",
]
REGISTER_COLUMNS = [
    "component",
    "name",
    "suppliers",
    "used",
    "largest_supplier",
    "largest_share_pct",
    "hhi",
    "non_allied_share_pct",
    "outage_months",
    "outage_loss",
    "outage_most_in",
    "second_source",
    "second_source_cost",
    "second_source_removes",
]
BySource = Callable[[dict[str, xr.DataArray]], pd.Series]


@dataclass(frozen=True)
class Source:
    """One supplier of a component: a row of the suppliers table, or the component."""

    component: str
    key: str  # the supplier coordinate, or the component code for its own supply
    name: str
    country: str
    allied: bool | None
    cap0: float
    ceiling: float
    cost: float
    lead: int
    available: np.ndarray  # [-] (month)
    own: bool  # the component's own supply (no suppliers table rows)


def sources(inp: ModelInputs) -> list[Source]:
    """Every supplier of every component some line uses."""
    used = (inp.bom > 0).any("line")
    sup = inp.suppliers
    out: list[Source] = []
    for comp in inp.bom.coords["component"].values:
        if not bool(used.sel(component=comp)):
            continue
        if sup is not None and bool(sup.sourced.sel(component=comp)):
            for key in sup.component.coords["supplier"].values:
                if str(sup.component.sel(supplier=key).item()) != str(comp):
                    continue
                out.append(
                    Source(
                        str(comp),
                        str(key),
                        str(sup.name.sel(supplier=key).item()),
                        str(sup.country.sel(supplier=key).item()),
                        bool(sup.allied.sel(supplier=key)),
                        float(sup.cap0.sel(supplier=key)),
                        float(sup.ceiling.sel(supplier=key)),
                        float(sup.cost.sel(supplier=key)),
                        int(sup.lead.sel(supplier=key)),
                        sup.available.sel(supplier=key).values,
                        False,
                    )
                )
        else:
            out.append(
                Source(
                    str(comp),
                    str(comp),
                    str(comp),
                    "",
                    None,
                    float(inp.supply0.sel(component=comp)),
                    float(inp.supply_ceiling.sel(component=comp)),
                    float(inp.supply_cost.sel(component=comp)),
                    int(inp.supply_lead.sel(component=comp)),
                    np.ones(inp.horizon),
                    True,
                )
            )
    return out


def _added(source: Source, values: dict[str, xr.DataArray], horizon: int) -> np.ndarray:
    name, dim = (V.SUPPLY_ADDED, "component") if source.own else (V.SOURCE_ADDED, "supplier")
    if name not in values or source.key not in values[name].coords[dim].values:
        return np.zeros(horizon)
    return values[name].sel({dim: source.key}).fillna(0.0).values


def component_use(inp: ModelInputs, values: dict[str, xr.DataArray]) -> xr.DataArray:
    """What the plan's output takes of each component [units/month] (component, month)."""
    make = values[V.MAKE].fillna(0.0) + inp.fixed_make
    return (inp.bom * make).sum("line")


def supplier_table(
    inp: ModelInputs, values: dict[str, xr.DataArray], label: Callable[[int], str]
) -> pd.DataFrame:
    """Each supplier's supply and its share of the component's use [units, %]."""
    use = component_use(inp, values)
    found = sources(inp)
    can = {s.key: s.available * (s.cap0 + _added(s, values, inp.horizon)) for s in found}
    rows = []
    for s in found:
        total = sum(can[o.key] for o in found if o.component == s.component)
        part = np.divide(can[s.key], total, out=np.zeros(inp.horizon), where=total > 1e-12)
        monthly = use.sel(component=s.component).values
        supplied = float((part * monthly).sum())
        stopped = np.flatnonzero(s.available < 0.5)
        rows.append(
            {
                "component": s.component,
                "supplier": s.name,
                "country": s.country,
                "allied": s.allied,
                "capacity_now": s.cap0,
                "added": float(_added(s, values, inp.horizon)[-1]),
                "ceiling": s.ceiling,
                "restricted_from": label(int(stopped[0])) if stopped.size else "",
                "supplied": supplied,
                "share_pct": 0.0,
            }
        )
    frame = pd.DataFrame(rows, columns=SUPPLIER_COLUMNS)
    if len(frame):
        totals = frame.groupby("component")["supplied"].transform("sum")
        frame["share_pct"] = np.where(totals > 1e-9, 100.0 * frame["supplied"] / totals, 0.0)
    frame.attrs["units"] = {
        "capacity_now": "units/month",
        "added": "units/month",
        "ceiling": "units/month",
        "supplied": "units",
        "share_pct": "%",
    }
    return frame


def concentration(suppliers: pd.DataFrame) -> pd.DataFrame:
    """Per component: suppliers, use, largest share, HHI (Σ share², shares in %: 10,000
    for one supplier) and the non-allied share, from the supplier table alone."""
    rows = []
    for comp, part in suppliers.groupby("component", sort=False):
        shares = part["share_pct"].to_numpy(dtype=float)
        top = int(np.argmax(shares)) if len(shares) else 0
        foreign = part["allied"].map(lambda a: not pd.isna(a) and not bool(a))
        rows.append(
            {
                "component": comp,
                "suppliers": len(part),
                "used": float(part["supplied"].sum()),
                "largest_supplier": str(part["supplier"].iloc[top]),
                "largest_share_pct": float(shares[top]) if len(shares) else 0.0,
                "hhi": float((shares**2).sum()),
                "non_allied_share_pct": float(shares[foreign.to_numpy(dtype=bool)].sum()),
            }
        )
    return pd.DataFrame(rows)


def register(
    inp: ModelInputs,
    values: dict[str, xr.DataArray],
    label: Callable[[int], str],
    risk: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The supply-chain register, worst first: by the outage's loss, then concentration.
    ``risk`` holds the outage what-ifs by component (:func:`outage_risks`); without it
    their columns are empty."""
    table = concentration(supplier_table(inp, values, label))
    if table.empty:
        return pd.DataFrame(columns=REGISTER_COLUMNS)
    names = inp.scenario.table("components").set_index("code")["name"]
    table.insert(1, "name", [str(names.get(c, c)) for c in table["component"]])
    table["outage_months"] = OUTAGE_MONTHS
    for column in REGISTER_COLUMNS[REGISTER_COLUMNS.index("outage_loss") :]:
        table[column] = np.nan if column not in ("outage_most_in", "second_source") else ""
    if risk is not None and len(risk):
        table = table.drop(columns=list(risk.columns.drop("component"))).merge(
            risk, on="component", how="left"
        )
        for column in ("outage_most_in", "second_source"):
            if column in table:
                table[column] = table[column].fillna("")
    table = table.sort_values(
        ["outage_loss", "hhi", "component"], ascending=[False, False, True], na_position="last"
    )
    table = table[REGISTER_COLUMNS].reset_index(drop=True)
    table.attrs["units"] = {
        "used": "units",
        "largest_share_pct": "%",
        "hhi": "0-10,000",
        "non_allied_share_pct": "%",
        "outage_months": "months",
        "outage_loss": "target-months",
        "second_source_cost": inp.scenario.meta.currency,
        "second_source_removes": "target-months",
    }
    return table


@contextmanager
def _changed(
    solved: Solved,
    coeffs: list[tuple[int, int, float, float]],
    bounds: dict[int, tuple[float, float]],
) -> Iterator[None]:
    """Matrix coefficients (row, column, new, old) and column bounds changed for a
    what-if, then put back."""
    h = solved.highs
    before = {}
    if bounds:
        lp = h.getLp()
        low, high = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
        before = {c: (float(low[c]), float(high[c])) for c in bounds}
    try:
        for r, c, new, _ in coeffs:
            h.changeCoeff(r, c, new)
        for c, (lo, hi) in bounds.items():
            h.changeColBounds(c, lo, hi)
        yield
    finally:
        for r, c, _, old in coeffs:
            h.changeCoeff(r, c, old)
        for c, (lo, hi) in before.items():
            h.changeColBounds(c, lo, hi)


def _stop(
    solved: Solved, source: Source, months: np.ndarray, grown: Source | None = None
) -> tuple[dict[str, xr.DataArray], list[tuple[int, int, float, float]]]:
    """The rhs changes and coefficients that stop ``source`` in ``months``: its supply
    now leaves the component's supply rows, and what the plan adds to it enters them
    with coefficient 0 (it was ``−available``, see ``model.define_suppliers``).

    Existing contracts share what is left: where they take more than the other suppliers
    give that month (supply now and the plan's expansions, held), the lines' output for
    them falls in proportion and its deliveries never arrive (:func:`_lost_fixed`,
    ``grown``: a second source held at its ceiling); new orders get what the contracts
    leave, never below none."""
    inp, m, layout = solved.inputs, solved.model, solved.layout
    rows = layout.rows(m.constraints[C.SUPPLY]).sel(component=source.component).values
    hit = np.isin(np.arange(inp.horizon), months)
    lost, balance = _lost_fixed(solved, source, hit, grown)
    cut = xr.DataArray(
        np.where(hit, lost - source.cap0 * source.available, 0.0),
        coords=[inp.month_year.coords["month"]],
    )
    comp = inp.bom.coords["component"]
    delta = cut * (comp == source.component).astype(float)
    name, dim = (V.SUPPLY_ADDED, "component") if source.own else (V.SOURCE_ADDED, "supplier")
    coeffs: list[tuple[int, int, float, float]] = []
    if name in m.variables and source.key in m.variables[name].labels.coords[dim].values:
        cols = layout.columns(m.variables[name]).sel({dim: source.key}).values
        for month in months:
            if cols[month] >= 0 and rows[month] >= 0:
                was = -1.0 if source.own else -float(source.available[month])
                coeffs.append((int(rows[month]), int(cols[month]), 0.0, was))
    return {C.SUPPLY: delta, C.BALANCE: balance}, coeffs


def _lost_fixed(
    solved: Solved, source: Source, hit: np.ndarray, grown: Source | None = None
) -> tuple[np.ndarray, xr.DataArray]:
    """What existing contracts lose of the component in the months ``hit`` with
    ``source`` stopped [units/month] (month): their use beyond what the other suppliers
    give (supply now and the plan's expansions, ``grown``'s at its ceiling from its lead
    time, as :func:`_held` holds it); and the deliveries that never arrive for it,
    ``−lost`` on the stock balance (ally, group, month) [units]."""
    inp, values = solved.inputs, solved.solution.values
    comp = source.component
    bom = inp.bom.sel(component=comp)
    fixed_use = (bom * inp.fixed_make).sum("line").values
    left = supply_now(inp).sel(component=comp).values - source.cap0 * source.available
    t = np.arange(inp.horizon)
    for other in sources(inp):
        if other.component != comp or other.key == source.key:
            continue
        if grown is not None and other.key == grown.key:
            added = np.where(t >= other.lead, other.ceiling - other.cap0, 0.0)
        else:
            added = _added(other, values, inp.horizon)
        left = left + other.available * added
    lost = np.where(hit, np.clip(fixed_use - np.clip(left, 0.0, None), 0.0, None), 0.0)
    share = np.divide(lost, fixed_use, out=np.zeros(inp.horizon), where=fixed_use > 1e-12)
    # a line's output made in month t arrives lag[l] months later
    made = t[None, :] - inp.lag.values[:, None]  # (line, arrival month)
    fraction = np.where(made >= 0, share[np.clip(made, 0, None)], 0.0)
    fraction = fraction * (bom.values > 0)[:, None]
    kept = xr.DataArray(fraction, coords=[inp.lag.coords["line"], inp.month_year.coords["month"]])
    gone = (inp.fixed_delivery * kept).groupby(inp.line_group.rename("group")).sum()
    gone = gone.reindex(group=inp.has_stock.coords["group"].values, fill_value=0.0)
    return lost, -gone


def _held(
    solved: Solved, source: Source, *, ceiling: bool = False
) -> dict[int, tuple[float, float]]:
    """Column bounds that hold what ``source`` adds at the plan's values (a surprise
    outage: expansions are as planned), or at its ceiling from its lead time on."""
    m, layout = solved.model, solved.layout
    name, dim = (V.SUPPLY_ADDED, "component") if source.own else (V.SOURCE_ADDED, "supplier")
    if name not in m.variables or source.key not in m.variables[name].labels.coords[dim].values:
        return {}
    cols = layout.columns(m.variables[name]).sel({dim: source.key}).values
    plan = _added(source, solved.solution.values, solved.inputs.horizon)
    room = source.ceiling - source.cap0
    return {
        int(c): (room, room) if ceiling else (float(plan[t]), float(plan[t]))
        for t, c in enumerate(cols)
        if c >= 0
    }


def outage_risks(solved: Solved, by_group: BySource, say: Callable[[str], None]) -> pd.DataFrame:
    """The outage what-if for each component's largest supplier, and its second source."""
    inp, sol = solved.inputs, solved.solution
    before = sol.base_objective
    base = by_group(sol.base_values or sol.values)
    table = supplier_table(inp, sol.values, str)
    found = {(s.component, s.name): s for s in sources(inp)}
    months = np.arange(OUTAGE_START, min(OUTAGE_START + OUTAGE_MONTHS, inp.horizon))
    rows = []
    for comp, part in table.groupby("component", sort=False):
        top = part.sort_values("share_pct", ascending=False).iloc[0]
        largest = found[(str(comp), str(top["supplier"]))]
        if largest.own and not OUTAGE_OF_UNLISTED:  # no suppliers listed: not measured
            continue
        say(f"supply chain: {comp} without {largest.name} for {OUTAGE_MONTHS} months")
        row: dict[str, object] = {"component": comp}
        mine = [s for s in found.values() if s.component == comp]
        planned: dict[int, tuple[float, float]] = {}
        for s in mine:
            planned.update(_held(solved, s))
        try:
            loss, change = _loss(solved, largest, months, planned, before, base, by_group)
        except SolveError as exc:
            row.update(outage_loss=np.nan, outage_most_in=f"unavailable: {exc}")
            rows.append(row)
            continue
        row.update(
            outage_loss=loss,
            outage_most_in=str(change.idxmax()) if len(change) and change.max() > 1e-9 else "",
            second_source="",
            second_source_cost=np.nan,
            second_source_removes=np.nan,
        )
        best = 0.0
        for other in (s for s in mine if s is not largest):
            grown = _held(solved, other, ceiling=True)
            if other.own or not grown or loss <= 1e-9:
                continue
            try:
                held = {**planned, **grown}
                after, _ = _loss(solved, largest, months, held, before, base, by_group, other)
            except SolveError:
                continue
            # measured against the plan: the expansion may also help outside the outage
            removes = loss - max(after, 0.0)
            if removes > best + 1e-9:
                best = removes
                more = other.ceiling - other.cap0 - _added(other, sol.values, inp.horizon)[-1]
                row.update(
                    second_source=other.name,
                    second_source_cost=max(more, 0.0) * other.cost,  # beyond the plan's
                    second_source_removes=removes,
                )
        rows.append(row)
    return pd.DataFrame(rows)


def _loss(
    solved: Solved,
    source: Source,
    months: np.ndarray,
    bounds: dict[int, tuple[float, float]],
    before: float,
    base: pd.Series,
    by_group: BySource,
    grown: Source | None = None,
) -> tuple[float, pd.Series]:
    changes, coeffs = _stop(solved, source, months, grown)
    with _changed(solved, coeffs, bounds):
        after, values = what_if(solved, changes)
    change = by_group(values).sub(base, fill_value=0.0)
    return after - before, change


QUALIFICATION_COLUMNS = [
    "ally",
    "item",
    "group",
    "can_qualify",
    "cost",
    "lead_time",
    "taken",
    "usable_from",
    "cost_paid",
    "value",
]


def qualification_table(
    inp: ModelInputs,
    values: dict[str, xr.DataArray],
    label: Callable[[int], str],
    worth: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Items not qualified for an ally: whether the plan qualifies them, when they are
    usable, what it pays, and what each is worth [target-months] (``worth``: taken, the
    shortfall it saves the plan; not taken, what it would save were it free)."""
    qual = inp.qualifications
    if qual is None:
        return pd.DataFrame(columns=QUALIFICATION_COLUMNS)
    group_of = inp.scenario.group_of()
    taken = values.get(V.QUALIFY)
    rows = []
    for r in inp.scenario.records("qualifications"):
        if r.qualified:
            continue
        took = taken is not None and bool(taken.sel(ally=r.ally, item=r.item).fillna(0.0) > 0.5)
        rows.append(
            {
                "ally": r.ally,
                "item": r.item,
                "group": group_of[r.item],
                "can_qualify": r.cost is not None,
                "cost": r.cost if r.cost is not None else np.nan,
                "lead_time": r.lead_time,
                "taken": took,
                "usable_from": _label(label, _usable(inp, r.ally, r.item)) if took else "",
                "cost_paid": float(r.cost) if took and r.cost is not None else 0.0,
                "value": np.nan,
            }
        )
    frame = pd.DataFrame(rows, columns=QUALIFICATION_COLUMNS)
    if worth is not None and len(worth) and len(frame):
        frame = frame.drop(columns="value").merge(worth, on=["ally", "item"], how="left")
        frame = frame[QUALIFICATION_COLUMNS]
    currency = inp.scenario.meta.currency
    frame.attrs["units"] = {
        "cost": currency,
        "cost_paid": currency,
        "lead_time": "months",
        "value": "target-months",
    }
    return frame


def _usable(inp: ModelInputs, ally: str, item: str) -> int | None:
    """The first month a qualification serves, as the model has it
    (:func:`~materiel.planner.model.qualification_coef`): the first delivery of the
    first contract period of one of the item's lines that arrives at or after its lead
    time (a period's rate is one); None where none does within the horizon."""
    usable = qualification_coef(inp).sel(ally=ally) > 0  # (line, period)
    usable = usable & (inp.line_item == item)
    months = first_arrival(inp).where(usable).values
    return int(np.nanmin(months)) if np.isfinite(months).any() else None


def _label(label: Callable[[int], str], month: int | None) -> str:
    return "" if month is None else label(month)


def _qualification_delta(
    inp: ModelInputs, pairs: list[tuple[str, str]], amount: xr.DataArray
) -> xr.DataArray:
    """``amount`` (line, ally, period) where the line's item and the ally are one of
    ``pairs``, else 0."""
    hit = xr.zeros_like(inp.uses, dtype=bool)
    for ally, item in pairs:
        hit = hit | ((inp.line_item == item) & (inp.uses.coords["ally"] == ally))
    return amount.where(hit, 0.0)


def qualification_worth(solved: Solved, say: Callable[[str], None]) -> tuple[pd.DataFrame, float]:
    """What each qualification row is worth, and the value of standardisation: the
    shortfall the plan would save were every item of every group qualified for every
    ally from the start, at no cost [target-months] (warm what-ifs)."""
    inp, m = solved.inputs, solved.model
    qual = inp.qualifications
    if qual is None or C.QUALIFIED not in m.constraints:
        return pd.DataFrame(columns=["ally", "item", "value"]), 0.0
    before = solved.solution.base_objective
    coef = qualification_coef(inp)
    ceiling = inp.ceiling * xr.ones_like(coef)
    taken = solved.solution.values.get(V.QUALIFY)
    rows = []
    for r in inp.scenario.records("qualifications"):
        if r.qualified:
            continue
        took = taken is not None and bool(taken.sel(ally=r.ally, item=r.item).fillna(0.0) > 0.5)
        say(f"qualification of {r.item} for {r.ally}: {'without' if took else 'with'} it")
        # taken: without it; not taken: with it at no cost, from its lead time (from the
        # start where it cannot be qualified at all)
        free = coef if r.cost is not None else ceiling
        delta = _qualification_delta(inp, [(r.ally, r.item)], -coef if took else free)
        try:
            after, _ = what_if(solved, {C.QUALIFIED: delta})
        except SolveError:
            rows.append({"ally": r.ally, "item": r.item, "value": np.nan})
            continue
        rows.append({"ally": r.ally, "item": r.item, "value": abs(after - before)})
    try:
        everything, _ = what_if(solved, {C.QUALIFIED: ceiling})
        standard = max(before - everything, 0.0)
    except SolveError:
        standard = float("nan")
    return pd.DataFrame(rows, columns=["ally", "item", "value"]), standard
