"""The pledge ledger as a table: filtering and the :class:`TrackResult` of ``pledges list``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from materiel.countries import resolve
from materiel.errors import InputError
from materiel.publicdata import NATO_ESTIMATE_YEARS, nato_published_shares
from materiel.track.inputs import year_label
from materiel.track.ledger_model import ALLIANCE, KINDS, Pledge
from materiel.track.result import TrackResult

COLUMNS = (
    "id",
    "ally",
    "name",
    "kind",
    "value",
    "unit",
    "item",
    "by_year",
    "status",
    "basis",
    "date",
    "source",
    "note",
)

#: The terminal table's columns; sources are printed under it, keyed by ``ref``.
DISPLAY = tuple(
    c for c in (*COLUMNS, "assessed", "ref") if c not in ("ally", "date", "source", "note")
)


def assess(pledge: Pledge, shares: pd.DataFrame, today: dt.date | None = None) -> str:
    """A spending pledge against NATO's published shares [% of GDP]: met, missed or not yet.

    A pledge due in a year the data covers is met or missed on that year's published
    share; a standing one is compared with the latest year; one due after the data is
    'due <year>' (and says so when that year has passed with no figure in the data).
    """
    if pledge.kind != "spending" or pledge.ally not in shares.index:
        return ""
    years = [int(y) for y in shares.columns]
    last = max(years)
    year = pledge.by_year if pledge.by_year is not None else last
    if year > last:
        passed = year < (today or dt.date.today()).year
        return f"due {year}" + ("; passed, no figure in the data" if passed else "")
    if year not in years:
        return ""
    share = float(shares.at[pledge.ally, year])
    label = year_label(year, NATO_ESTIMATE_YEARS)
    met = share >= pledge.value - 1e-9
    if pledge.by_year is None:
        return f"{'at or above' if met else 'below'} in {label} ({share:.2f}%)"
    return f"{'met' if met else 'missed'} ({share:.2f}% in {label})"


def pledge_table(
    pledges: Sequence[Pledge], *, ally: str | None = None, kind: str | None = None
) -> TrackResult:
    """The pledges, optionally only one ally's (name or ISO3) or one kind's, as a table."""
    chosen = list(pledges)
    if ally is not None:
        code = ALLIANCE if ally.strip().upper() == ALLIANCE else resolve(ally)
        chosen = [p for p in chosen if p.ally == code]
    if kind is not None:
        if kind not in KINDS:
            raise InputError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
        chosen = [p for p in chosen if p.kind == kind]
    rows = [
        {
            "id": p.id,
            "ally": p.ally,
            "name": p.ally_name,
            "kind": p.kind,
            "value": p.value,
            "unit": p.unit,
            "item": p.item,
            "by_year": p.by_year,
            "status": p.status,
            "basis": p.basis,
            "date": p.date.isoformat() if p.date else "",
            "source": p.source,
            "note": p.note,
        }
        for p in chosen
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    distinct = list(dict.fromkeys(p.source for p in chosen))
    frame["ref"] = [f"[{distinct.index(p.source) + 1}]" for p in chosen]
    frame["by_year"] = frame["by_year"].astype("Int64")
    shares = nato_published_shares()
    frame["assessed"] = [assess(p, shares) for p in chosen]
    n_assumed = sum(p.basis == "assumption" for p in chosen)
    summary = [
        f"{len(chosen)} pledge{'s' if len(chosen) != 1 else ''}; "
        f"{sum(p.builtin for p in chosen)} built in."
    ]
    if any(frame["assessed"]):
        summary.append(
            "assessed: spending pledges against NATO's published share of GDP (Table 3, June "
            "2024 edition, 2023e-2024e estimates) in the year due, or the latest year if standing."
        )
    assumptions = []
    if n_assumed:
        assumptions.append(f"{n_assumed} pledge(s) entered as assumptions (basis 'assumption').")
    return TrackResult(
        kind="pledges",
        title="Pledge ledger",
        table=frame,
        units={
            "value": "in 'unit': % of GDP (spending), currency/year (aid), units/year (capacity)",
            "by_year": "year the level is due; empty = standing commitment",
            "basis": "public source, estimate or assumption",
            "assessed": "spending pledges against NATO's published share of their year "
            "(June 2024 edition; standing pledges: the latest year)",
        },
        summary=tuple(summary),
        sources=tuple(f"[{i}] {text}" for i, text in enumerate(distinct, start=1)),
        assumptions=tuple(assumptions),
        display=DISPLAY,
        decimals={"value": 2},
    )
