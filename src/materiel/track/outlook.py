"""When does each ally reach a spending target [% of GDP]: on its trend or its pledged path.

Pure functions first (:func:`fit_linear`, :func:`trend_year`, :func:`path_year`), then
:func:`outlook`, which applies them to NATO's published shares. An ally already at or
above the target in the base year reports the year it first met it (and the start of
its current run); an ally whose path does not reach the target by the cap year is
"not on trend" (or "not on pledged path").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from materiel.countries import ALLIES, name_of
from materiel.errors import InputError
from materiel.publicdata import NATO_ESTIMATE_YEARS, nato_published_shares
from materiel.spending import linear_share
from materiel.track.inputs import threshold_pct, year_in, year_label
from materiel.track.ledger_model import Pledge
from materiel.track.result import TrackResult
from materiel.track.spending import CAVEATS, SHARES_SOURCE, shares_of

#: Slack on comparisons with the target [% of GDP], so that an exactly linear series
#: reaches the target in the year it should despite floating-point rounding.
TOLERANCE = 1e-9
MAX_CAP_YEAR = 2100


STATUS_ORDER = {
    "meets": 0,
    "on pledged path": 1,
    "on trend": 1,
    "not on pledged path": 2,
    "not on trend": 2,
    "pledge missed": 2,
    "no data": 3,
}


def _caveat(iso3: str) -> str:
    return CAVEATS.get(iso3, "")


def _past_line(past: list[str], base_label: str) -> list[str]:
    """The summary line on pledges already due, if any."""
    if not past:
        return []
    return [
        f"Pledges due by {base_label}, judged on the published share of their year "
        f"(their trend applies): {'; '.join(past)}."
    ]


@dataclass(frozen=True)
class LinearFit:
    """``share(year) = level + slope * (year - base_year)`` [% of GDP]."""

    base_year: int
    level: float
    slope: float

    def at(self, year: float) -> float:
        """The fitted share [% of GDP] in ``year``."""
        return self.level + self.slope * (year - self.base_year)


def fit_linear(years: Sequence[int], shares: Sequence[float]) -> LinearFit:
    """Least-squares line through (year, share [% of GDP]), anchored at the last year."""
    if len(years) != len(shares) or len(years) < 2:
        raise InputError("a linear fit needs at least two years with figures")
    x = np.asarray(years, dtype=float)
    y = np.asarray(shares, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    base = int(max(years))
    return LinearFit(base, float(intercept + slope * base), float(slope))


def trend_year(fit: LinearFit, target: float, cap_year: int) -> int | None:
    """First whole year after ``fit.base_year`` whose fitted share reaches ``target``.

    None when the trend does not reach ``target`` [% of GDP] by ``cap_year``.
    """
    if fit.at(fit.base_year + 1) >= target - TOLERANCE:
        return fit.base_year + 1 if fit.base_year + 1 <= cap_year else None
    if fit.slope <= 0:
        return None
    exact = fit.base_year + (target - fit.level) / fit.slope
    year = max(fit.base_year + 1, math.ceil(exact - TOLERANCE))
    return year if year <= cap_year else None


def path_year(
    base_year: int,
    base_share: float,
    pledge_level: float,
    pledge_year: int,
    target: float,
    cap_year: int,
) -> int | None:
    """First year the pledged path reaches ``target`` [% of GDP], or None by ``cap_year``.

    The path runs in a straight line from the base year's share to the pledged level
    [% of GDP] in the pledged year, and stays at that level afterwards.
    """
    for year in range(base_year + 1, cap_year + 1):
        value = pledged_share(year, base_year, base_share, pledge_level, pledge_year)
        if value >= target - TOLERANCE:
            return year
    return None


def pledged_share(
    year: int, base_year: int, base_share: float, pledge_level: float, pledge_year: int
) -> float:
    """The share [% of GDP] in ``year`` on the pledged path: the spending path
    ``reach:LEVEL@YEAR`` that derived budgets follow (:mod:`materiel.spending.path`)."""
    if pledge_year <= base_year:
        return pledge_level
    return linear_share(year, ((base_year, base_share), (pledge_year, pledge_level)))


def first_met(
    years: Sequence[int], shares: Sequence[float], target: float
) -> tuple[int | None, int | None]:
    """(first year at or above ``target``, first year of the run that lasts to the end)."""
    first = next((y for y, s in zip(years, shares, strict=True) if s >= target), None)
    run_start = None
    for y, s in zip(reversed(years), reversed(shares), strict=True):
        if not s >= target:
            break
        run_start = y
    return first, run_start


def latest_spending_pledges(pledges: Sequence[Pledge]) -> dict[str, Pledge]:
    """Per ally, the most recent active spending pledge that has a level and a year."""
    usable = [
        p
        for p in pledges
        if p.kind == "spending"
        and p.by_year is not None
        and p.status not in ("withdrawn", "missed")
    ]
    usable.sort(key=lambda p: (p.date.isoformat() if p.date else "", p.id))
    return {p.ally: p for p in usable}


def pledge_verdict(
    pledge: Pledge, by_year: dict[int, float], base: int
) -> tuple[str, float] | None:
    """('met' or 'missed', published share) for a pledge due by the base year; else None.

    A pledge whose year the data covers is judged on the published share of that year
    [% of GDP]: at or above the pledged level it was met, below it was missed.
    """
    if pledge.by_year is None or pledge.by_year > base or pledge.by_year not in by_year:
        return None
    share = by_year[pledge.by_year]
    return ("met" if share >= pledge.value - TOLERANCE else "missed"), share


@dataclass(frozen=True)
class OutlookOptions:
    """What the user chose: target [% of GDP], cap year, fit window [years], method."""

    target: float = 2.0
    by: int = 2030
    window: int = 5
    method: str = "trend"
    base_year: int | None = None


def outlook(
    options: OutlookOptions, pledges: Sequence[Pledge] = (), shares: pd.DataFrame | None = None
) -> TrackResult:
    """For each ally, the year it reaches ``options.target`` on its trend or pledged path.

    ``shares`` [% of GDP, ISO3 x year] defaults to NATO's published table; tests pass
    synthetic series through it.
    """
    shares = nato_published_shares() if shares is None else shares
    years = [int(y) for y in shares.columns]
    base = year_in(
        max(years) if options.base_year is None else options.base_year, years, "base year"
    )
    target = threshold_pct(options.target)
    if not base < options.by <= MAX_CAP_YEAR:
        raise InputError(
            f"--by must be a year after {base} and at most {MAX_CAP_YEAR}, got {options.by}"
        )
    window_years = [y for y in years if y <= base][-options.window :]
    if options.window < 2 or len(window_years) < options.window:
        raise InputError(f"--years must be between 2 and {len([y for y in years if y <= base])}")
    if options.method not in ("trend", "pledge"):
        raise InputError(f"--method must be 'trend' or 'pledge', got {options.method!r}")
    by_ally = latest_spending_pledges(pledges) if options.method == "pledge" else {}
    first_label = year_label(window_years[0], NATO_ESTIMATE_YEARS)
    span = f"{first_label}-{year_label(base, NATO_ESTIMATE_YEARS)}"
    trend_label = f"linear fit, last {options.window} years ({span})"
    rows, series, used, past = [], [], [], []
    for ally in ALLIES:
        row: dict[str, object] = {"iso3": ally.iso3, "ally": ally.name}
        if ally.iso3 not in shares.index:
            rows.append(
                {**row, "status": "no data", "method": "", "note": "no expenditure figures"}
            )
            continue
        by_year = shares_of(shares, ally.iso3)
        hist_years = [y for y in years if y <= base]
        history = [by_year[y] for y in hist_years]
        series += [(ally.iso3, y, s, "published") for y, s in zip(hist_years, history, strict=True)]
        fit = fit_linear(window_years, [by_year[y] for y in window_years])
        first, run = first_met(hist_years, history, target)
        row.update(share_pct=history[-1], slope_pp_per_year=round(fit.slope, 4), first_met=first)
        if run is not None:
            note = f"first met in the data: {first}" if first != run else _caveat(ally.iso3)
            rows.append(
                {**row, "status": "meets", "year": run, "method": "published", "note": note}
            )
            continue
        pledge = by_ally.get(ally.iso3)
        verdict = pledge_verdict(pledge, by_year, base) if pledge is not None else None
        note = _caveat(ally.iso3)
        if pledge is not None and verdict is not None:
            outcome, share_then = verdict
            label = year_label(pledge.by_year or base, NATO_ESTIMATE_YEARS)
            judged = (
                f"pledge {pledge.id} ({pledge.value:g}% by {pledge.by_year}) {outcome}: "
                f"{share_then:.2f}% in {label}"
            )
            used.append(f"pledge {pledge.id} ({pledge.ally_name}): {pledge.source}")
            past.append(f"{ally.name}: {judged}")
            series.append((ally.iso3, pledge.by_year or base, pledge.value, f"pledge {outcome}"))
            note = "; ".join(t for t in (judged, note) if t)
            pledge = None  # a pledge that is due gives no path: the trend applies
        if pledge is not None and pledge.by_year is not None:
            reach = path_year(base, history[-1], pledge.value, pledge.by_year, target, options.by)
            method = f"pledge {pledge.id} ({pledge.value:g}% by {pledge.by_year})"
            status = "on pledged path" if reach else "not on pledged path"
            used.append(f"pledge {pledge.id} ({pledge.ally_name}): {pledge.source}")
            for y in range(base + 1, options.by + 1):
                share = pledged_share(y, base, history[-1], pledge.value, pledge.by_year)
                series.append((ally.iso3, y, share, "path"))
        else:
            reach = trend_year(fit, target, options.by)
            method = "trend"
            status = "on trend" if reach else "not on trend"
            if verdict is not None and verdict[0] == "missed":
                status = "pledge missed"
            series += [(ally.iso3, y, fit.at(y), "path") for y in range(base + 1, options.by + 1)]
        rows.append({**row, "status": status, "year": reach, "method": method, "note": note})
    frame = pd.DataFrame(rows)
    frame["_order"] = frame["status"].map(STATUS_ORDER)
    frame = frame.sort_values(["_order", "year", "ally"], na_position="last").reset_index(drop=True)
    frame["year"] = frame["year"].astype("Int64")
    frame["first_met"] = frame["first_met"].astype("Int64")
    counts = frame["status"].value_counts()
    reach_by = int(((frame["year"] <= options.by) & frame["year"].notna()).sum())
    assumption = (
        f"Trend: {trend_label}, of published shares; projected forward unchanged."
        if options.method == "trend"
        else f"Pledged path: straight line from {base} to the pledged level and year; "
        f"allies without a usable pledge use the trend ({trend_label})."
    )
    return TrackResult(
        kind="outlook",
        title=f"Outlook: year each ally reaches {target:g}% of GDP (cap {options.by})",
        table=frame[
            [
                "iso3",
                "ally",
                "share_pct",
                "status",
                "year",
                "first_met",
                "slope_pp_per_year",
                "method",
                "note",
            ]
        ],
        units={
            "share_pct": f"% of real GDP, {year_label(base, NATO_ESTIMATE_YEARS)}, as published",
            "year": "year the target is reached (start of the current run for 'meets')",
            "first_met": "first year in the data at or above the target",
            "slope_pp_per_year": "fitted trend [percentage points per year]",
        },
        summary=(
            f"{reach_by} of {len(frame)} allies at or above {target:g}% by {options.by} "
            f"({counts.get('meets', 0)} already in {year_label(base, NATO_ESTIMATE_YEARS)}).",
            *_past_line(past, year_label(base, NATO_ESTIMATE_YEARS)),
            "2023e and 2024e are NATO estimates; Iceland has no expenditure figures.",
            *(f"{name_of(code)}: {text}." for code, text in CAVEATS.items()),
        ),
        sources=(SHARES_SOURCE, *used),
        assumptions=(assumption,),
        display=("iso3", "ally", "share_pct", "status", "year", "first_met", "method", "note"),
        decimals={"share_pct": 2, "slope_pp_per_year": 3},
        series=pd.DataFrame(series, columns=["iso3", "year", "share_pct", "kind"]),
        meta={"target": target, "by": options.by, "base_year": base, "method": options.method},
    )
