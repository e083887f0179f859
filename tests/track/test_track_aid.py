"""Aid to Ukraine: Kiel figures by donor, fair share, % of GDP and the pledge check."""

from __future__ import annotations

import pandas as pd
import pytest
from track_kit import public_rows

from materiel.errors import InputError
from materiel.track.aid import AidOptions, aid, fair_share
from materiel.track.fx import Rate, RateTable, user_eur_usd

KIEL = "kiel_ust_r28_country_summary_eur_bn.csv"


def test_fair_share_of_two_donors_by_hand():
    # A gives 3, B gives 1 (EUR bn); GDP A 1, B 3 (USD bn).
    # Aid shares 75% / 25%, GDP shares 25% / 75%; ratios 3 and 1/3;
    # fair amounts = GDP share x total aid (4) = 1 and 3 EUR bn.
    out = fair_share(pd.Series({"A": 3.0, "B": 1.0}), pd.Series({"A": 1.0, "B": 3.0}))
    assert out.loc["A"].tolist() == pytest.approx([75.0, 25.0, 3.0, 1.0])
    assert out.loc["B"].tolist() == pytest.approx([25.0, 75.0, 1 / 3, 3.0])


def test_fair_share_on_the_data_matches_a_hand_computation():
    kiel = {r["land"]: float(r["total_allocation"]) for r in public_rows(KIEL)}
    gdp = {r["iso3"]: float(r["2021"]) for r in public_rows("nato_gdp_usd_2014_2024e.csv")}
    names = {r["iso3"]: r["country"] for r in public_rows("nato_gdp_usd_2014_2024e.csv")}
    kiel_names = {"TUR": "Turkiye", "SVK": "Slovakia"}
    pairs = {
        c: kiel[kiel_names.get(c, names[c])] for c in gdp if kiel_names.get(c, names[c]) in kiel
    }
    aid_total = sum(pairs.values())
    gdp_total = sum(gdp[c] for c in pairs)
    expected_dnk = (pairs["DNK"] / aid_total) / (gdp["DNK"] / gdp_total)
    table = aid(AidOptions()).table.set_index("donor")
    assert table.at["Denmark", "ratio"] == pytest.approx(expected_dnk)
    assert len(pairs) == 29  # Albania, Montenegro, North Macedonia are not in the Kiel data


def test_donor_types_and_names():
    table = aid(AidOptions()).table.set_index("donor")
    assert table.at["Türkiye", "iso3"] == "TUR" and table.at["Türkiye", "type"] == "ally"
    assert table.at["Slovak Republic", "iso3"] == "SVK"
    assert table.at["EU institutions", "type"] == "institution"
    assert table.at["Japan", "type"] == "non-ally" and pd.isna(table.at["Japan", "ratio"])
    assert table.at["United States", "total_allocation"] == pytest.approx(115.38064937220787)


def test_percent_of_gdp_is_refused_without_a_rate():
    result = aid(AidOptions())
    assert "pct_gdp" not in result.table.columns
    assert any("--eur-usd" in line for line in result.summary)


def test_percent_of_gdp_with_a_user_rate_is_recorded_as_an_assumption():
    result = aid(AidOptions(gdp_year=2021), user_eur_usd(1.25))
    gdp_deu = next(
        float(r["2021"]) for r in public_rows("nato_gdp_usd_2014_2024e.csv") if r["iso3"] == "DEU"
    )
    table = result.table.set_index("donor")
    assert table.at["Germany", "pct_gdp"] == pytest.approx(
        100 * 25.294509050280748 / (gdp_deu / 1.25)
    )
    assert any("user assumption" in a for a in result.assumptions)


def test_pledge_check_needs_the_period_and_a_rate_for_other_currencies():
    with pytest.raises(InputError, match="--aid-years"):
        aid(AidOptions(pledge=40e9))
    with pytest.raises(InputError, match="no USD->EUR rate"):
        aid(AidOptions(pledge=40e9, currency="USD", aid_years=3))
    with pytest.raises(InputError, match="no GBP->EUR rate"):
        aid(AidOptions(pledge=40e9, currency="GBP", aid_years=3), user_eur_usd(1.1))


def test_pledge_check_compares_the_yearly_allied_military_total():
    allies_mil = sum(
        float(r["military_allocation"])
        for r in public_rows(KIEL)
        if r["land"] not in ("Australia", "Japan", "New Zealand", "South Korea", "Switzerland")
        and r["land"] not in ("Austria", "Cyprus", "Ireland", "Malta", "China", "Taiwan", "India")
        and not r["land"].startswith("EU ")
    )
    result = aid(AidOptions(pledge=40e9, aid_years=4))
    line = next(s for s in result.summary if "pledge" in s)
    assert f"EUR {allies_mil / 4:,.1f} bn a year" in line
    assert "EUR 40.0 bn" in line


def test_rate_table_converts_both_ways_and_refuses_unknown_pairs():
    rates = RateTable((Rate("EUR", "USD", 1.25, "test"),))
    assert rates.convert(100, "EUR", "USD") == pytest.approx(125)
    assert rates.convert(125, "USD", "EUR") == pytest.approx(100)
    with pytest.raises(InputError):
        rates.convert(1, "EUR", "GBP")


@pytest.mark.parametrize(
    "options",
    [AidOptions(measure="pledged"), AidOptions(category="cyber"), AidOptions(gdp_year=2030)],
)
def test_bad_aid_options_are_refused(options):
    with pytest.raises(InputError):
        aid(options)


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_rates_are_refused(rate):
    with pytest.raises(InputError):
        user_eur_usd(rate)
