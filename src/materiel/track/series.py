"""One ally's figures over the years, or several allies side by side (NATO's June 2024 tables).

A measure is one of NATO's tables (share of GDP as published, expenditure in current or
2015 USD, equipment share, personnel) or spending per soldier, derived from two of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from materiel.countries import BY_ISO3, name_of, resolve
from materiel.errors import InputError
from materiel.publicdata import NATO_ESTIMATE_YEARS, nato_published_shares, nato_year_table
from materiel.track.inputs import year_label
from materiel.track.result import TrackResult
from materiel.track.spending import CAVEATS, SHARES_SOURCE
from materiel.track.totals import EQUIPMENT, EXP_CONST, EXP_CURRENT, PERSONNEL, TABLE_SOURCES

#: measure -> (unit, decimals)
MEASURES: dict[str, tuple[str, int]] = {
    "share": ("% of real GDP (2015 prices), as published", 2),
    "usd": ("mn USD, current prices and exchange rates", 0),
    "usd_2015": ("mn USD, 2015 prices and exchange rates", 0),
    "equipment": ("equipment, % of defence expenditure", 2),
    "personnel": ("military personnel, thousands", 1),
    "per_soldier": ("thousand USD per soldier (current prices; derived)", 0),
}
MAX_ALLIES = 12


def measure_table(measure: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The ISO3 x year table of ``measure`` and the sources of its figures."""
    if measure == "share":
        return nato_published_shares(), (SHARES_SOURCE,)
    if measure == "per_soldier":
        exp, people = nato_year_table(EXP_CURRENT), nato_year_table(PERSONNEL)
        return exp / people, (TABLE_SOURCES[EXP_CURRENT], TABLE_SOURCES[PERSONNEL])
    files = {"usd": EXP_CURRENT, "usd_2015": EXP_CONST, "equipment": EQUIPMENT}
    filename = files.get(measure, PERSONNEL)
    return nato_year_table(filename), (TABLE_SOURCES[filename],)


def series(allies: Sequence[str], measure: str = "share") -> TrackResult:
    """``measure`` by year (rows) for each of ``allies`` (columns, by ISO3 code)."""
    if measure not in MEASURES:
        raise InputError(f"--measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    if not allies:
        raise InputError("give at least one --ally")
    codes = list(dict.fromkeys(resolve(a) for a in allies))
    outside = [name_of(c) for c in codes if not BY_ISO3[c].is_ally]
    if outside:
        raise InputError(f"not NATO allies: {', '.join(outside)}")
    if len(codes) > MAX_ALLIES:
        raise InputError(f"at most {MAX_ALLIES} allies side by side, got {len(codes)}")
    table, sources = measure_table(measure)
    missing = [name_of(c) for c in codes if c not in table.index]
    if missing:
        raise InputError(f"no figures for {', '.join(missing)} in NATO's tables")
    frame = table.loc[codes].T
    frame.index = [year_label(int(y), NATO_ESTIMATE_YEARS) for y in frame.index]
    frame = frame.rename_axis("year").reset_index()
    unit, decimals = MEASURES[measure]
    notes = [f"{name_of(c)}: {CAVEATS[c]}." for c in codes if c in CAVEATS]
    names = ", ".join(name_of(c) for c in codes)
    return TrackResult(
        kind="series",
        title=f"{unit[0].upper()}{unit[1:]}: {names}, 2014-2024e",
        table=frame,
        units={c: f"{name_of(c)}: {unit}" for c in codes},
        summary=("2023e and 2024e are NATO estimates (June 2024 edition).", *notes),
        sources=sources,
        decimals=dict.fromkeys(codes, decimals),
        meta={"measure": measure, "unit": unit, "allies": ",".join(codes)},
    )
