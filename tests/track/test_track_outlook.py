"""Outlook: the year an ally reaches a target on its trend or pledged path."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from materiel.errors import InputError
from materiel.track.ledger_model import make_pledge
from materiel.track.outlook import (
    OutlookOptions,
    first_met,
    fit_linear,
    outlook,
    path_year,
    trend_year,
)
from tests.track.track_kit import public_rows, published_share

YEARS = list(range(2014, 2025))
PUBLISHED = "nato_def_exp_share_gdp_2014_2024e.csv"


def synthetic(rows: dict[str, list[float]]) -> pd.DataFrame:
    """A shares table [% of GDP] for the given allies over 2014-2024."""
    return pd.DataFrame.from_dict(rows, orient="index", columns=YEARS)


def test_exactly_linear_series_reaches_the_target_in_the_year_the_line_says():
    # 0.1 pp a year: 1.0 in 2014 ... 2.0 in 2024 would be met; start lower: 0.5 ... 1.5.
    shares = [0.5 + 0.1 * i for i in range(11)]  # 2024: 1.5; 2.0 reached in 2029
    fit = fit_linear(YEARS[-5:], shares[-5:])
    assert fit.slope == pytest.approx(0.1)
    assert fit.at(2024) == pytest.approx(1.5)
    assert trend_year(fit, 2.0, 2035) == 2029
    assert trend_year(fit, 1.55, 2035) == 2025
    assert trend_year(fit, 2.0, 2028) is None  # beyond the cap: not on trend


def test_synthetic_ally_through_outlook():
    table = synthetic({"DEU": [0.5 + 0.1 * i for i in range(11)], "POL": [2.5] * 11})
    result = outlook(OutlookOptions(target=2.0, by=2030), shares=table).table.set_index("iso3")
    assert (result.at["DEU", "status"], result.at["DEU", "year"]) == ("on trend", 2029)
    assert (result.at["POL", "status"], result.at["POL", "year"]) == ("meets", 2014)
    assert result.at["FRA", "status"] == "no data"
    assert outlook(OutlookOptions(target=2.0, by=2028), shares=table).table.set_index("iso3").at[
        "DEU", "status"
    ] == ("not on trend")


def test_falling_or_flat_trend_never_reaches():
    fit = fit_linear([2020, 2021, 2022], [1.5, 1.4, 1.3])
    assert trend_year(fit, 2.0, 2100) is None
    assert trend_year(fit_linear([2020, 2021], [1.0, 1.0]), 2.0, 2100) is None


def test_pledged_path_is_a_straight_line_then_flat():
    # 1.0 in 2024 to 3.0 in 2028: 1.5, 2.0, 2.5, 3.0
    assert path_year(2024, 1.0, 3.0, 2028, 2.0, 2035) == 2026
    assert path_year(2024, 1.0, 3.0, 2028, 3.0, 2035) == 2028
    assert path_year(2024, 1.0, 1.8, 2026, 2.0, 2035) is None


def test_first_met_and_current_run():
    years = [2018, 2019, 2020, 2021, 2022]
    assert first_met(years, [1.0, 2.1, 1.9, 2.0, 2.2], 2.0) == (2019, 2021)
    assert first_met(years, [1.0, 1.0, 1.0, 1.0, 1.9], 2.0) == (None, None)


def test_real_data_allies_already_meeting_report_the_year_they_first_met():
    table = outlook(OutlookOptions(target=2.0, by=2030)).table.set_index("iso3")
    meets = table[table["status"] == "meets"]
    assert len(meets) == 23
    assert table.at["GRC", "year"] == 2014
    assert (table.at["POL", "year"], table.at["POL", "first_met"]) == (2020, 2015)
    assert table.at["ISL", "status"] == "no data"


def test_pledge_method_uses_the_pledged_path():
    pledge = make_pledge(
        id="P0001", ally="Italy", kind="spending", value=2.0, by_year=2028, source="test"
    )
    options = OutlookOptions(target=2.0, by=2030, method="pledge")
    table = outlook(options, [pledge]).table.set_index("iso3")
    assert table.at["ITA", "year"] == 2028 and "P0001" in table.at["ITA", "method"]
    assert table.at["ESP", "method"] == "trend"


@pytest.mark.parametrize(
    "options",
    [
        OutlookOptions(by=2024),
        OutlookOptions(by=2200),
        OutlookOptions(window=1),
        OutlookOptions(window=20),
        OutlookOptions(method="magic"),
        OutlookOptions(target=float("nan")),
        OutlookOptions(base_year=2030),
    ],
)
def test_bad_options_are_refused(options):
    with pytest.raises(InputError):
        outlook(options)


def test_a_pledge_past_its_year_and_not_met_is_missed_not_a_path():
    """Wrong today (1): 2% by 2024 put Spain 'on pledged path' in 2025 (1.28% -> 2%)."""
    spain = published_share(
        next(r for r in public_rows(PUBLISHED) if r["Country"] == "Spain"), 2024
    )
    pledge = make_pledge(
        id="P0001", ally="ESP", kind="spending", value=2.0, by_year=2024, source="test"
    )
    result = outlook(OutlookOptions(target=2.0, by=2030, method="pledge"), [pledge])
    row = result.table.set_index("iso3").loc["ESP"]
    assert row["status"] == "pledge missed" and row["method"] == "trend"
    assert f"missed: {spain:.2f}% in 2024e" in row["note"]
    assert any("Spain: pledge P0001" in s and "missed" in s for s in result.summary)
    path = result.series[(result.series["iso3"] == "ESP") & (result.series["kind"] == "path")]
    assert path["share_pct"].max() < 2.0  # the chart draws the trend, not a jump to 2%


def test_a_pledge_past_its_year_and_met_is_said_to_be_met():
    shares = synthetic({"DEU": [1.0] * 9 + [1.6, 1.7]})
    pledge = make_pledge(
        id="P0001", ally="DEU", kind="spending", value=1.5, by_year=2023, source="t"
    )
    result = outlook(OutlookOptions(method="pledge"), [pledge], shares=shares)
    row = result.table.set_index("iso3").loc["DEU"]
    assert row["status"] != "pledge missed" and "met: 1.60% in 2023e" in row["note"]


def test_a_pledge_due_after_the_data_still_gives_a_path():
    shares = synthetic({"DEU": [1.0] * 11})
    pledge = make_pledge(
        id="P0001", ally="DEU", kind="spending", value=2.0, by_year=2026, source="t"
    )
    row = outlook(OutlookOptions(method="pledge"), [pledge], shares=shares).table.iloc[0]
    assert (row["iso3"], row["status"], row["year"]) == ("DEU", "on pledged path", 2026)


def test_end_labels_of_the_chart_do_not_overlap():
    from materiel.report.track_charts import spread

    ys = spread([1.70, 1.71, 1.69, 2.5, 1.0], gap=0.05)
    ordered = sorted(ys)
    assert all(b - a >= 0.05 - 1e-12 for a, b in itertools.pairwise(ordered))
    assert ys[3] == 2.5 and ys[4] == 1.0  # labels far from others stay at their point
