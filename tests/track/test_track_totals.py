"""Alliance totals, real growth, the equipment guideline and per-soldier spending,
each checked against a recount of the shipped CSVs with the csv module."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from materiel.cli.main import main
from materiel.errors import InputError
from materiel.track.spending import spending
from materiel.track.totals import counts, totals
from tests.track.track_kit import public_rows, published_share

#: Allies that joined after 2014, with the year they joined; the others were members.
LATE = {"MNE": 2017, "MKD": 2020, "FIN": 2023, "SWE": 2024}


def recount(filename: str, year: int, *, europe_canada: bool = False) -> float:
    """Sum of a NATO year table over the members of ``year`` (csv module only)."""
    total = 0.0
    for row in public_rows(filename):
        if LATE.get(row["iso3"], 0) > year or (europe_canada and row["iso3"] == "USA"):
            continue
        total += float(row[str(year) if str(year) in row else f"{year}e"])
    return total


CONST = "nato_def_exp_usd_const2015_2014_2024e.csv"
CURRENT = "nato_def_exp_usd_current_2014_2024e.csv"


def test_europe_and_canada_real_growth_2024_is_recounted_from_the_csv():
    growth = 100 * (
        recount(CONST, 2024, europe_canada=True) / recount(CONST, 2023, europe_canada=True) - 1
    )
    assert round(growth, 1) == 17.9  # NATO: "about 18%"
    result = totals()
    row = result.table.set_index("year").loc["2024e"]
    assert row["europe_canada_real_growth_pct"] == pytest.approx(growth)
    assert "+17.9%" in result.summary[0]


@pytest.mark.parametrize("year", [2014, 2017, 2020, 2023, 2024])
def test_totals_in_current_and_constant_usd_match_a_recount(year):
    row = totals().table.iloc[year - 2014]
    assert row["nato_usd_bn"] == pytest.approx(recount(CURRENT, year) / 1000)
    assert row["nato_usd_2015_bn"] == pytest.approx(recount(CONST, year) / 1000)
    assert row["europe_canada_usd_bn"] == pytest.approx(
        recount(CURRENT, year, europe_canada=True) / 1000
    )
    members = 28 + sum(joined <= year for joined in LATE.values())
    assert row["members"] == members


def test_same_members_growth_leaves_the_newcomer_out():
    before = recount(CONST, 2023, europe_canada=True)
    sweden = next(float(r["2024e"]) for r in public_rows(CONST) if r["iso3"] == "SWE")
    same = 100 * ((recount(CONST, 2024, europe_canada=True) - sweden) / before - 1)
    row = totals().table.set_index("year").loc["2024e"]
    assert row["europe_canada_same_members_growth_pct"] == pytest.approx(same)
    assert same < row["europe_canada_real_growth_pct"]


def equipment_recount(year: int, guideline: str = "20") -> int:
    key = str(year) if year < 2023 else f"{year}e"
    return sum(
        Decimal(r[key]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) >= Decimal(guideline)
        for r in public_rows("nato_equipment_share_2014_2024e.csv")
        if LATE.get(r["iso3"], 0) <= year
    )


@pytest.mark.parametrize("year", range(2014, 2025))
def test_every_years_counts_match_a_recount(year):
    spend = sum(
        published_share(r, year) >= Decimal("2")
        for r in public_rows("nato_def_exp_share_gdp_2014_2024e.csv")
        if LATE.get({"Montenegro": "MNE", "North Macedonia": "MKD", "Finland": "FIN",
                     "Sweden": "SWE"}.get(r["Country"], ""), 0) <= year
    )  # fmt: skip
    row = counts().table.iloc[year - 2014]
    assert (row["meeting_spending"], row["meeting_equipment"]) == (spend, equipment_recount(year))


def test_the_equipment_count_is_in_the_spending_summary_and_table():
    result = spending(2024, 2.0)
    expected = equipment_recount(2024)
    assert any(f"{expected} of 32 allies spend 20% or more" in s for s in result.summary)
    table = result.table.set_index("iso3")
    assert int(table["equipment_20"].sum()) == expected
    assert table.at["POL", "equipment_pct"] == pytest.approx(51.13, abs=0.005)


def test_per_soldier_spending_is_expenditure_over_personnel():
    exp = next(float(r["2024e"]) for r in public_rows(CURRENT) if r["iso3"] == "POL")
    people = next(
        float(r["2024e"])
        for r in public_rows("nato_military_personnel_thousands_2014_2024e.csv")
        if r["iso3"] == "POL"
    )
    table = spending(2024, 2.0).table.set_index("iso3")
    assert table.at["POL", "per_soldier_kusd"] == pytest.approx(exp / people)
    const = {r["iso3"]: r for r in public_rows(CONST)}["POL"]
    assert table.at["POL", "real_change_pct"] == pytest.approx(
        100 * (float(const["2024e"]) / float(const["2023e"]) - 1)
    )


@pytest.mark.parametrize(
    "bad", [{"threshold": -1}, {"equipment": 120}, {"equipment": float("nan")}]
)
def test_bad_guidelines_are_refused(bad):
    with pytest.raises(InputError):
        counts(**bad)


def test_totals_and_counts_on_the_command_line(capsys, tmp_path):
    assert main(["track", "counts", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["year"] == "2014" and len(rows) == 11
    png = tmp_path / "t.png"
    assert main(["track", "totals", "--chart", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["track", "counts", "--equipment", "200"]) == 2
