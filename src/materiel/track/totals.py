"""Alliance totals and real growth, the 20% equipment guideline and spending per soldier.

Everything here is summed or divided from NATO's June 2024 tables as shipped; nothing
is typed in. Totals follow NATO's own aggregate rows: an ally counts from the year it
joined (Montenegro 2017, North Macedonia 2020, Finland 2023, Sweden 2024), and "Europe
and Canada" is every member but the United States. Recounting the shipped CSVs this way
reproduces NATO's aggregate rows, which the tables' source notes quote. Real growth is
the change of the constant-2015-price total, and is given both as NATO reports it (each
year's members) and for the same members in both years, since an accession adds a
whole ally's budget to the total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from materiel.countries import ALLIES
from materiel.publicdata import (
    NATO_2024_SOURCE,
    NATO_ESTIMATE_YEARS,
    nato_published_shares,
    nato_year_table,
)
from materiel.track.inputs import finite_number, threshold_pct, year_label
from materiel.track.result import TrackResult

EXP_CURRENT = "nato_def_exp_usd_current_2014_2024e.csv"
EXP_CONST = "nato_def_exp_usd_const2015_2014_2024e.csv"
EQUIPMENT = "nato_equipment_share_2014_2024e.csv"
PERSONNEL = "nato_military_personnel_thousands_2014_2024e.csv"
TABLE_SOURCES = {
    EXP_CURRENT: f"{NATO_2024_SOURCE}, Table 2 (defence expenditure, current prices, mn USD)",
    EXP_CONST: f"{NATO_2024_SOURCE}, Table 2 (defence expenditure, 2015 prices, mn USD)",
    EQUIPMENT: f"{NATO_2024_SOURCE}, Table 8a (equipment, % of defence expenditure)",
    PERSONNEL: f"{NATO_2024_SOURCE}, Table 7 (military personnel, thousands)",
}
EQUIPMENT_GUIDELINE = 20.0
NOT_EUROPE_CANADA = frozenset({"USA"})


def members(year: int) -> list[str]:
    """ISO3 codes of the allies that were members in ``year`` (from their accession year)."""
    return [a.iso3 for a in ALLIES if a.nato_since is not None and a.nato_since <= year]


def group(name: str, year: int) -> list[str]:
    """Members of ``year`` in group ``name``: 'nato' (all) or 'europe_canada' (all but the US)."""
    codes = members(year)
    return codes if name == "nato" else [c for c in codes if c not in NOT_EUROPE_CANADA]


def group_total(table: pd.DataFrame, year: int, codes: list[str]) -> float:
    """Sum of ``table`` [its unit] over ``codes`` in ``year``; allies without figures add 0."""
    present = [c for c in codes if c in table.index]
    return float(table.loc[present, year].sum())


def growth_pct(now: float, before: float) -> float:
    """Change from ``before`` to ``now`` [%]."""
    return 100 * (now / before - 1) if before else float("nan")


def printed(value: float, places: int = 2) -> Decimal:
    """``value`` as NATO prints it, rounded half up to ``places`` decimals."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _label(year: int) -> str:
    return year_label(year, NATO_ESTIMATE_YEARS)


def totals() -> TrackResult:
    """NATO and Europe-and-Canada defence expenditure by year [bn USD] and real growth [%]."""
    current, const = nato_year_table(EXP_CURRENT), nato_year_table(EXP_CONST)
    personnel = nato_year_table(PERSONNEL)
    years = [int(y) for y in const.columns]
    rows = []
    for year in years:
        row: dict[str, object] = {"year": _label(year), "members": len(members(year))}
        for prefix in ("nato", "europe_canada"):
            codes = group(prefix, year)
            row[f"{prefix}_usd_bn"] = group_total(current, year, codes) / 1000
            row[f"{prefix}_usd_2015_bn"] = group_total(const, year, codes) / 1000
            if year - 1 in years:
                earlier = group(prefix, year - 1)
                row[f"{prefix}_real_growth_pct"] = growth_pct(
                    group_total(const, year, codes), group_total(const, year - 1, earlier)
                )
                row[f"{prefix}_same_members_growth_pct"] = growth_pct(
                    group_total(const, year, earlier), group_total(const, year - 1, earlier)
                )
        row["personnel_thousands"] = group_total(personnel, year, members(year))
        rows.append(row)
    frame = pd.DataFrame(rows)
    last, first = frame.iloc[-1], frame.iloc[0]
    summary = (
        f"Europe and Canada, {last['year']}: USD {last['europe_canada_usd_2015_bn']:,.1f} bn at "
        f"2015 prices, real growth {last['europe_canada_real_growth_pct']:+.1f}% on "
        f"{frame.iloc[-2]['year']} ({last['europe_canada_same_members_growth_pct']:+.1f}% for the "
        "same members in both years).",
        f"All allies, {last['year']}: USD {last['nato_usd_bn']:,.1f} bn at current prices "
        f"(USD {first['nato_usd_bn']:,.1f} bn in {first['year']}).",
        "Totals count each ally from the year it joined, as NATO's aggregate rows do; Europe "
        "and Canada is every member but the United States. Iceland has no expenditure figures.",
        "2023e and 2024e are NATO estimates.",
    )
    growth = "change of the 2015-price total on the year before [%]"
    return TrackResult(
        kind="totals",
        title="Alliance defence expenditure and real growth, bn USD",
        table=frame,
        units={
            "members": "allies that were members that year",
            "nato_usd_bn": "bn USD, current prices and exchange rates (sum of Table 2)",
            "nato_usd_2015_bn": "bn USD, 2015 prices and exchange rates (sum of Table 2)",
            "nato_real_growth_pct": f"{growth}, each year's members",
            "nato_same_members_growth_pct": f"{growth}, members of the earlier year only",
            "europe_canada_usd_bn": "bn USD, current prices, all members but the United States",
            "europe_canada_usd_2015_bn": "bn USD, 2015 prices, all members but the United States",
            "europe_canada_real_growth_pct": f"{growth}, each year's members",
            "europe_canada_same_members_growth_pct": f"{growth}, members of the earlier year",
            "personnel_thousands": "military personnel, thousands (sum of Table 7)",
        },
        summary=summary,
        sources=(TABLE_SOURCES[EXP_CURRENT], TABLE_SOURCES[EXP_CONST], TABLE_SOURCES[PERSONNEL]),
        display=(
            "year",
            "members",
            "nato_usd_bn",
            "nato_usd_2015_bn",
            "nato_real_growth_pct",
            "europe_canada_usd_2015_bn",
            "europe_canada_real_growth_pct",
            "europe_canada_same_members_growth_pct",
        ),
        decimals={c: 1 for c in frame.columns if c.endswith(("_bn", "_pct", "thousands"))},
        meta={"first_year": years[0], "last_year": years[-1]},
    )


def counts(threshold: float = 2.0, equipment: float = EQUIPMENT_GUIDELINE) -> TrackResult:
    """Allies meeting the spending ``threshold`` and the ``equipment`` guideline, every year.

    Both on NATO's figures as printed (two decimals): shares of GDP from Table 3 as
    published, equipment shares from Table 8a rounded half up to two decimals. Members
    count from their accession year; Iceland (no figures) counts as not meeting.
    """
    threshold = threshold_pct(threshold)
    equipment = finite_number(equipment, "--equipment [% of expenditure]", maximum=100.0)
    shares, kit = nato_published_shares(), nato_year_table(EQUIPMENT)
    rows = []
    for year in [int(y) for y in shares.columns]:
        codes = members(year)
        spend = [c for c in codes if c in shares.index and shares.at[c, year] >= threshold]
        equip = [
            c for c in codes if c in kit.index and printed(kit.at[c, year]) >= printed(equipment)
        ]
        rows.append(
            {
                "year": _label(year),
                "members": len(codes),
                "meeting_spending": len(spend),
                "meeting_equipment": len(equip),
                "meeting_both": len(set(spend) & set(equip)),
            }
        )
    frame = pd.DataFrame(rows)
    last = frame.iloc[-1]
    return TrackResult(
        kind="counts",
        title=f"Allies at {threshold:g}% of GDP and {equipment:g}% on equipment, by year",
        table=frame,
        units={
            "meeting_spending": f"members at or above {threshold:g}% of GDP (Table 3, as printed)",
            "meeting_equipment": (
                f"members spending {equipment:g}% or more of defence expenditure on equipment "
                "(Table 8a, rounded to two decimals)"
            ),
            "meeting_both": "members meeting both",
        },
        summary=(
            f"{last['year']}: {last['meeting_spending']} of {last['members']} allies at or above "
            f"{threshold:g}% of GDP, {last['meeting_equipment']} at {equipment:g}% or more on "
            f"equipment, {last['meeting_both']} both.",
            "Counted on NATO's June 2024 edition as printed (two decimals); members from the "
            "year they joined; Iceland has no figures and counts as not meeting. Each edition "
            "revises past years, so counts announced at the time can differ.",
            "2023e and 2024e are NATO estimates.",
        ),
        sources=(
            f"{NATO_2024_SOURCE}, Table 3 (defence expenditure as % of real GDP, 2015 prices)",
            TABLE_SOURCES[EQUIPMENT],
        ),
        meta={"threshold": threshold, "equipment": equipment},
    )


def ally_figures(year: int) -> pd.DataFrame:
    """Per ally in ``year``: expenditure [mn USD, current and 2015 prices], real change on the
    year before [%], equipment share [% of expenditure] and expenditure per soldier
    [thousand USD, current prices]; indexed by ISO3, allies without figures absent.
    """
    current, const = nato_year_table(EXP_CURRENT), nato_year_table(EXP_CONST)
    kit, people = nato_year_table(EQUIPMENT), nato_year_table(PERSONNEL)
    frame = pd.DataFrame(
        {
            "exp_usd_mn": current[year],
            "exp_usd_2015_mn": const[year],
            "real_change_pct": (
                100 * (const[year] / const[year - 1] - 1) if year - 1 in const.columns else None
            ),
            "equipment_pct": kit[year],
            "per_soldier_kusd": current[year] / people[year],
        }
    )
    frame["equipment_20"] = [printed(v) >= printed(EQUIPMENT_GUIDELINE) for v in kit[year]]
    return frame
