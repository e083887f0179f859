"""The spending guideline: NATO's published counts, and other thresholds from the data."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from materiel.errors import InputError
from materiel.publicdata import nato_published_shares
from materiel.track.spending import count_meeting, spending, spending_frame
from tests.track.track_kit import public_rows, published_share

PUBLISHED = "nato_def_exp_share_gdp_2014_2024e.csv"


def test_nato_published_count_2014_is_3_greece_uk_us():
    result = spending(2014, 2.0)
    meeting = set(result.table.loc[result.table["meets"] & result.table["member"], "iso3"])
    assert meeting == {"GRC", "GBR", "USA"}
    assert result.meta["meeting"] == 3


def test_nato_published_count_2024_is_23_of_32_and_labelled_estimate():
    result = spending(2024, 2.0)
    assert (result.meta["meeting"], result.meta["of"]) == (23, 32)
    assert "23 of 32" in result.summary[0]
    assert "2024e" in result.title and "estimate" in result.summary[0]
    assert any("published two-decimal" in line for line in result.summary)


def test_slovakia_2024_counts_on_its_published_2_00():
    table = spending(2024, 2.0).table.set_index("iso3")
    assert table.at["SVK", "share_pct"] == 2.0 and table.at["SVK", "meets"]


def test_iceland_is_in_the_denominator_and_does_not_meet():
    table = spending(2024, 2.0).table.set_index("iso3")
    assert math.isnan(table.at["ISL", "share_pct"])
    assert not table.at["ISL", "meets"] and table.at["ISL", "member"]


@pytest.mark.parametrize("threshold", ["3.5", "5", "2.5", "0"])
def test_higher_thresholds_match_an_independent_count_of_the_csv(threshold):
    rows = public_rows(PUBLISHED)
    expected = sum(published_share(r, 2024) >= Decimal(threshold) for r in rows)
    result = spending(2024, float(threshold))
    assert result.meta["meeting"] == expected
    assert result.meta["of"] == len(rows) + 1  # + Iceland, no figures


def test_published_table_is_the_4_decimal_table_to_within_half_a_cent():
    """The 4-decimal figures are themselves rounded: 0.8950 (MKD 2017) is printed 0.89."""
    four = {r["iso3"]: r for r in public_rows("nato_def_exp_share_real_gdp_2014_2024e.csv")}
    shares = nato_published_shares()
    for iso3, row in four.items():
        for year in range(2014, 2025):
            precise = published_share(row, year)
            printed = Decimal(str(shares.at[iso3, year]))
            assert abs(precise - printed) <= Decimal("0.005"), (iso3, year)


def test_netherlands_2024_is_the_real_gdp_share_not_current_prices():
    table = spending(2024, 2.0).table.set_index("iso3")
    assert table.at["NLD", "share_pct"] == 2.05  # 1.85 on current prices


def test_change_since_2014_in_percentage_points():
    table = spending(2024, 2.0).table.set_index("iso3")
    assert table.at["POL", "change_pp"] == pytest.approx(4.12 - 1.88)


def test_members_are_counted_from_accession():
    result = spending(2023, 2.0)
    table = result.table.set_index("iso3")
    assert table.at["FIN", "member"] and not table.at["SWE", "member"]
    assert result.meta["of"] == 31


@pytest.mark.parametrize("year", [2013, 2025, 1999])
def test_year_outside_the_data_is_refused(year):
    with pytest.raises(InputError, match="outside the data"):
        spending(year, 2.0)


@pytest.mark.parametrize("threshold", [float("nan"), -0.5, float("inf"), 101.0])
def test_bad_thresholds_are_refused(threshold):
    with pytest.raises(InputError):
        spending(2024, threshold)


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0, 6), high=st.floats(0, 6))
def test_count_never_rises_with_the_threshold(low, high):
    low, high = sorted((low, high))
    shares = nato_published_shares()
    assert count_meeting(spending_frame(shares, 2024, high)) <= count_meeting(
        spending_frame(shares, 2024, low)
    )


def test_the_2023_count_names_the_edition_it_comes_from():
    """Wrong today (7): 10 of 31 on the June 2024 figures, with no word of the edition."""
    rows = public_rows(PUBLISHED)
    members_2023 = {r["Country"] for r in rows} - {"Sweden"}
    expected = sum(
        published_share(r, 2023) >= Decimal("2") for r in rows if r["Country"] in members_2023
    )
    result = spending(2023, 2.0)
    assert result.meta["meeting"] == expected
    assert f"{expected} of 31" in result.summary[0] and "June 2024 edition" in result.summary[0]
    assert any("earlier edition" in s for s in result.summary)
    assert "June 2024" in str(result.meta["edition"])


@pytest.mark.parametrize(("year", "flagged"), [(2023, True), (2024, True), (2022, False)])
def test_luxembourgs_break_is_flagged_in_spending_too(year, flagged):
    """Wrong today (7): the 2023 change of denominator was flagged in outlook only."""
    result = spending(year, 2.0)
    note = result.table.set_index("iso3").at["LUX", "note"]
    assert ("denominator" in note) is flagged
    assert any("Luxembourg" in s for s in result.summary) is flagged
