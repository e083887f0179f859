"""Name resolution: every ally's name in NATO's tables, and the common spellings."""

from __future__ import annotations

import pytest

from materiel.countries import ALLIES, name_of, resolve, try_resolve
from materiel.errors import InputError
from tests.track.track_kit import public_rows

NATO_TABLES = [
    "nato_def_exp_share_real_gdp_2014_2024e.csv",
    "nato_gdp_usd_2014_2024e.csv",
    "nato_def_exp_usd_const2015_2014_2024e.csv",
]


@pytest.mark.parametrize("filename", NATO_TABLES)
def test_every_name_in_the_nato_tables_resolves_to_its_iso3(filename):
    for row in public_rows(filename):
        assert resolve(row["country"]) == row["iso3"], row["country"]


def test_published_table_names_cover_31_allies_and_gdp_covers_all_32():
    published = {
        resolve(r["Country"]) for r in public_rows("nato_def_exp_share_gdp_2014_2024e.csv")
    }
    gdp = {r["iso3"] for r in public_rows("nato_gdp_usd_2014_2024e.csv")}
    allies = {a.iso3 for a in ALLIES}
    assert len(allies) == 32 and gdp == allies and allies - published == {"ISL"}


@pytest.mark.parametrize("ally", ALLIES, ids=lambda a: a.iso3)
def test_every_ally_resolves_by_code_name_and_case(ally):
    assert resolve(ally.iso3) == resolve(ally.iso3.lower()) == ally.iso3
    assert resolve(ally.name) == resolve(ally.name.upper()) == ally.iso3
    assert name_of(ally.iso3) == ally.name


@pytest.mark.parametrize(
    ("spelling", "iso3"),
    [
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Slovak Republic", "SVK"),
        ("Slovakia", "SVK"),
        ("United Kingdom", "GBR"),
        ("UK", "GBR"),
        ("U.K.", "GBR"),
        ("United States", "USA"),
        ("US", "USA"),
        ("the Netherlands", "NLD"),
        ("North Macedonia", "MKD"),
        ("  united   kingdom ", "GBR"),
    ],
)
def test_common_spellings(spelling, iso3):
    assert resolve(spelling) == iso3


def test_every_kiel_donor_is_a_country_or_the_eu_institutions():
    unknown = [
        r["land"]
        for r in public_rows("kiel_ust_r28_country_summary_eur_bn.csv")
        if try_resolve(r["land"]) is None
    ]
    assert unknown == ["EU (Commission and Council)"]


@pytest.mark.parametrize("name", ["Narnia", "", "XXX", "EU"])
def test_unknown_names_are_an_input_error(name):
    assert try_resolve(name) is None
    with pytest.raises(InputError, match="unknown country"):
        resolve(name)
