"""Countries by ISO 3166-1 alpha-3 code, with the names and spellings people use.

The 32 NATO allies (as of March 2024) carry their accession year. Other countries that
appear in the public data (aid donors, the aid recipient) are listed without one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from materiel.errors import InputError


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    nato_since: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def is_ally(self) -> bool:
        return self.nato_since is not None


_COUNTRIES: tuple[Country, ...] = (
    Country("ALB", "Albania", 2009),
    Country("BEL", "Belgium", 1949),
    Country("BGR", "Bulgaria", 2004),
    Country("CAN", "Canada", 1949),
    Country("HRV", "Croatia", 2009),
    Country("CZE", "Czechia", 1999, ("Czech Republic",)),
    Country("DNK", "Denmark", 1949),
    Country("EST", "Estonia", 2004),
    Country("FIN", "Finland", 2023),
    Country("FRA", "France", 1949),
    Country("DEU", "Germany", 1949, ("Federal Republic of Germany",)),
    Country("GRC", "Greece", 1952, ("Hellenic Republic",)),
    Country("HUN", "Hungary", 1999),
    Country("ISL", "Iceland", 1949),
    Country("ITA", "Italy", 1949),
    Country("LVA", "Latvia", 2004),
    Country("LTU", "Lithuania", 2004),
    Country("LUX", "Luxembourg", 1949),
    Country("MNE", "Montenegro", 2017),
    Country("NLD", "Netherlands", 1949, ("The Netherlands", "Holland")),
    Country("MKD", "North Macedonia", 2020, ("Macedonia",)),
    Country("NOR", "Norway", 1949),
    Country("POL", "Poland", 1999),
    Country("PRT", "Portugal", 1949),
    Country("ROU", "Romania", 2004),
    Country("SVK", "Slovak Republic", 2004, ("Slovakia",)),
    Country("SVN", "Slovenia", 2004),
    Country("ESP", "Spain", 1982),
    Country("SWE", "Sweden", 2024),
    Country("TUR", "Türkiye", 1952, ("Turkey", "Turkiye", "Republic of Türkiye")),
    Country(
        "GBR",
        "United Kingdom",
        1949,
        (
            "UK",
            "U.K.",
            "Britain",
            "Great Britain",
            "United Kingdom of Great Britain and Northern Ireland",
        ),
    ),
    Country(
        "USA",
        "United States",
        1949,
        ("US", "U.S.", "USA", "U.S.A.", "United States of America", "America"),
    ),
    # Not allies: aid donors in the public data and the aid recipient.
    Country("UKR", "Ukraine"),
    Country("AUS", "Australia"),
    Country("AUT", "Austria"),
    Country("CYP", "Cyprus"),
    Country("IRL", "Ireland"),
    Country("JPN", "Japan"),
    Country("MLT", "Malta"),
    Country("NZL", "New Zealand"),
    Country("KOR", "South Korea", aliases=("Republic of Korea", "Korea")),
    Country("CHE", "Switzerland"),
    Country("CHN", "China"),
    Country("TWN", "Taiwan"),
    Country("IND", "India"),
)

BY_ISO3: dict[str, Country] = {c.iso3: c for c in _COUNTRIES}
ALLIES: tuple[Country, ...] = tuple(c for c in _COUNTRIES if c.is_ally)


def _fold(text: str) -> str:
    """Lower-case, strip accents, dots and extra spaces: 'Türkiye' -> 'turkiye'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace(".", "").replace("’", "'").casefold()
    return " ".join(plain.split())


_LOOKUP: dict[str, str] = {}
for _c in _COUNTRIES:
    for _name in (_c.iso3, _c.name, *_c.aliases):
        _LOOKUP[_fold(_name)] = _c.iso3


def resolve(name: str) -> str:
    """ISO alpha-3 code for a code, name or common spelling; InputError if unknown.

    >>> resolve("Turkey"), resolve("czech republic"), resolve("UK"), resolve("deu")
    ('TUR', 'CZE', 'GBR', 'DEU')
    """
    code = _LOOKUP.get(_fold(name))
    if code is None:
        raise InputError(f"unknown country {name!r}: give an ISO 3166 alpha-3 code or a name")
    return code


def try_resolve(name: str) -> str | None:
    """Like resolve(), but None for an unknown name."""
    return _LOOKUP.get(_fold(name))


def name_of(iso3: str) -> str:
    country = BY_ISO3.get(iso3)
    return country.name if country else iso3


def nato_allies() -> frozenset[str]:
    """ISO3 codes of the NATO allies (as of March 2024)."""
    return frozenset(c.iso3 for c in _COUNTRIES if c.is_ally)
