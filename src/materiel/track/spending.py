"""Who meets a defence-spending threshold [% of GDP] in a year, counted as NATO counts.

NATO counts an ally as meeting 2% on its *published* share, rounded to two decimals
(Slovak Republic 2024e is printed 2.00 from 1.989 unrounded), so these functions count
on the published two-decimal figures of NATO's Table 3 (share of real GDP, 2015 prices).
Shares are never computed from the current-price tables. Iceland, which has no armed
forces and no expenditure figures, counts in the denominator as not meeting.
"""

from __future__ import annotations

import pandas as pd

from materiel.countries import ALLIES, name_of
from materiel.publicdata import (
    NATO_2024_SOURCE,
    NATO_ESTIMATE_YEARS,
    NATO_NATIONAL_2PCT_LAWS,
    nato_published_shares,
)
from materiel.track.inputs import threshold_pct, year_in, year_label
from materiel.track.result import TrackResult
from materiel.track.totals import EQUIPMENT_GUIDELINE, TABLE_SOURCES, ally_figures

BASE_YEAR = 2014
SHARES_SOURCE = f"{NATO_2024_SOURCE}, Table 3 (defence expenditure as % of real GDP, 2015 prices)"
#: The edition every count is made on; counts announced at the time from earlier
#: editions can differ, because NATO revises past years in each edition.
EDITION = "NATO's June 2024 edition (Defence Expenditure of NATO Countries 2014-2024)"
#: Allies whose series has a break the data README warns about, and the first year after it.
CAVEATS = {
    "LUX": "GDP denominator changes in 2023e (most likely GNI): not comparable across the break"
}
BREAK_YEAR = {"LUX": 2023}
COUNT_BASIS = (
    "Counted on NATO's published two-decimal figures, as NATO counts "
    "(e.g. Slovak Republic 2024e is printed 2.00, 1.989 unrounded)."
)


def shares_of(shares: pd.DataFrame, iso3: str) -> dict[int, float]:
    """One ally's row of a year table as {year: share [% of GDP]}; empty if absent."""
    if iso3 not in shares.index:
        return {}
    row: dict[object, float] = shares.loc[iso3].astype(float).to_dict()
    return {int(str(year)): value for year, value in row.items()}


def member_in(nato_since: int | None, year: int) -> bool:
    """Whether an ally that joined in ``nato_since`` counts in ``year``'s totals."""
    return nato_since is not None and nato_since <= year


def meets(share_pct: float, threshold: float) -> bool:
    """Whether a published share [% of GDP] is at or above ``threshold`` [% of GDP].

    A missing share (NaN: Iceland) does not meet any threshold.
    """
    return bool(share_pct >= threshold) if pd.notna(share_pct) else False


def spending_frame(shares: pd.DataFrame, year: int, threshold: float) -> pd.DataFrame:
    """One row per ally: published share [% of GDP] in ``year``, whether it meets ``threshold``.

    ``shares`` is indexed by ISO3 with integer year columns (as
    :func:`materiel.publicdata.nato_published_shares`); allies missing from it (Iceland)
    get NaN and do not meet. Rows are sorted by share, highest first.
    """
    rows = []
    for ally in ALLIES:
        row = shares_of(shares, ally.iso3)
        has = bool(row)
        share = row.get(year, float("nan"))
        base = row.get(BASE_YEAR, float("nan"))
        rows.append(
            {
                "iso3": ally.iso3,
                "ally": ally.name,
                "share_pct": share,
                "meets": meets(share, threshold),
                "member": member_in(ally.nato_since, year),
                f"share_{BASE_YEAR}_pct": base,
                "change_pp": round(share - base, 2),
                "national_2pct_law": ally.iso3 in NATO_NATIONAL_2PCT_LAWS,
                "note": _note(ally.iso3, has, year),
            }
        )
    frame = pd.DataFrame(rows)
    frame["_missing"] = frame["share_pct"].isna()
    frame = frame.sort_values(["_missing", "share_pct", "ally"], ascending=[True, False, True])
    return frame.drop(columns="_missing").reset_index(drop=True)


def _note(iso3: str, has: bool, year: int) -> str:
    if not has:
        return "no armed forces; no expenditure figures"
    if year >= BREAK_YEAR.get(iso3, 9999):
        return CAVEATS[iso3] + f"; change since {BASE_YEAR} spans it"
    return ""


def count_meeting(frame: pd.DataFrame) -> tuple[int, int]:
    """(allies meeting, allies counted): members of the year only, Iceland included."""
    members = frame[frame["member"]]
    return int(members["meets"].sum()), len(members)


def spending(year: int | None = None, threshold: float = 2.0) -> TrackResult:
    """Every ally's defence expenditure [% of real GDP] in ``year`` against ``threshold``.

    ``year`` defaults to the latest year of the data; a year outside it, or a threshold
    that is not a finite number in [0, 100], raises :class:`~materiel.errors.InputError`.
    """
    shares = nato_published_shares()
    years = [int(y) for y in shares.columns]
    year = year_in(max(years) if year is None else year, years)
    threshold = threshold_pct(threshold)
    frame = spending_frame(shares, year, threshold)
    frame = frame.join(ally_figures(year), on="iso3")
    frame["equipment_20"] = frame["equipment_20"].fillna(False).astype(bool)
    n_meet, n_all = count_meeting(frame)
    n_kit = int((frame["equipment_20"] & frame["member"]).sum())
    label = year_label(year, NATO_ESTIMATE_YEARS)
    estimate = " (NATO estimates)" if year in NATO_ESTIMATE_YEARS else ""
    summary = [
        f"{n_meet} of {n_all} allies at or above {threshold:g}% of GDP in {label}{estimate}, "
        f"on {EDITION}.",
        COUNT_BASIS,
        "Each NATO edition revises past years: a count announced at the time, on an earlier "
        "edition, can differ from this recount.",
    ]
    summary.append(
        f"{n_kit} of {n_all} allies spend {EQUIPMENT_GUIDELINE:g}% or more of their defence "
        f"expenditure on equipment in {label} (Table 8a, two decimals)."
    )
    summary += [
        f"{name_of(code)}: {CAVEATS[code]}." for code, first in BREAK_YEAR.items() if year >= first
    ]
    outside = frame[~frame["member"]]
    if len(outside):
        names = ", ".join(outside["ally"])
        summary.append(f"Not yet members in {year}, shown but not counted: {names}.")
    if year in NATO_ESTIMATE_YEARS:
        summary.append(f"{label} figures are NATO estimates.")
    summary.append(
        "Iceland has no armed forces and no expenditure figures: counted as not meeting."
    )
    return TrackResult(
        kind="spending",
        title=f"Defence expenditure as % of GDP, {label}, threshold {threshold:g}%",
        table=frame,
        units={
            "share_pct": f"% of real GDP (2015 prices), {label}, as published (2 decimals)",
            "meets": f"published share >= {threshold:g}",
            "member": f"NATO member in {year} (counted)",
            f"share_{BASE_YEAR}_pct": f"% of real GDP, {BASE_YEAR}, as published",
            "change_pp": f"change since {BASE_YEAR} [percentage points], {label} minus {BASE_YEAR}",
            "national_2pct_law": "marked * by NATO: national law or agreement calling for 2%+",
            "exp_usd_mn": f"mn USD, {label}, current prices and exchange rates (Table 2)",
            "exp_usd_2015_mn": f"mn USD, {label}, 2015 prices and exchange rates (Table 2)",
            "real_change_pct": f"change of expenditure at 2015 prices on {year - 1} [%]",
            "equipment_pct": f"equipment, % of defence expenditure, {label} (Table 8a)",
            "equipment_20": f"equipment share, two decimals, >= {EQUIPMENT_GUIDELINE:g}%",
            "per_soldier_kusd": (
                "derived: expenditure (current USD) / military personnel (Table 7), thousand USD"
            ),
        },
        summary=tuple(summary),
        sources=(SHARES_SOURCE, *TABLE_SOURCES.values()),
        display=(
            "iso3",
            "ally",
            "share_pct",
            "meets",
            "change_pp",
            "member",
            "exp_usd_mn",
            "real_change_pct",
            "equipment_pct",
            "per_soldier_kusd",
            "note",
        ),
        decimals={
            "share_pct": 2,
            f"share_{BASE_YEAR}_pct": 2,
            "change_pp": 2,
            "exp_usd_mn": 0,
            "exp_usd_2015_mn": 0,
            "real_change_pct": 1,
            "equipment_pct": 2,
            "per_soldier_kusd": 0,
        },
        meta={
            "year": year,
            "year_label": label,
            "threshold": threshold,
            "meeting": n_meet,
            "of": n_all,
            "edition": EDITION,
        },
    )
