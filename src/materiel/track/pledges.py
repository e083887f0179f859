"""The pledge ledger as a table: filtering and the :class:`TrackResult` of ``pledges list``."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from materiel.countries import resolve
from materiel.errors import InputError
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
DISPLAY = tuple(c for c in (*COLUMNS, "ref") if c not in ("ally", "date", "source", "note"))


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
    n_assumed = sum(p.basis == "assumption" for p in chosen)
    summary = [
        f"{len(chosen)} pledge{'s' if len(chosen) != 1 else ''}; "
        f"{sum(p.builtin for p in chosen)} built in."
    ]
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
        },
        summary=tuple(summary),
        sources=tuple(f"[{i}] {text}" for i, text in enumerate(distinct, start=1)),
        assumptions=tuple(assumptions),
        display=DISPLAY,
        decimals={"value": 2},
    )
