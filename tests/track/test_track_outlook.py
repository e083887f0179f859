"""Outlook: the year an ally reaches a target on its trend or pledged path."""

from __future__ import annotations

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

YEARS = list(range(2014, 2025))


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
