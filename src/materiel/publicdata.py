"""Public figures shipped with the package, each table with its source.

The CSV files under ``materiel/data/public`` are copies of the project's gathered public
data; each NATO table has a ``.source.txt`` beside it naming the edition and cells.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from materiel.errors import DataError

_PUBLIC = "data/public"

#: Short citation for the NATO tables (June 2024 edition).
NATO_2024_SOURCE = (
    'NATO, "Defence Expenditure of NATO Countries (2014-2024)", press release of 17 June 2024, '
    "file 240617-def-exp-2024-TABLES-en.xlsx"
)
KIEL_R28_SOURCE = (
    "Kiel Institute for the World Economy, Ukraine Support Tracker, Release 28, "
    "Country Summary (EUR)"
)


def _path(filename: str):
    return resources.files("materiel").joinpath(_PUBLIC, filename)


def read_table(filename: str, *, as_text: bool = False) -> pd.DataFrame:
    """Read one public CSV by file name, e.g. ``nato_gdp_usd_2014_2024e.csv``.

    With ``as_text`` every cell stays a string, so that callers can parse printed
    figures exactly (``"2.00"`` -> ``2.0`` by Python's correctly rounded ``float``).
    """
    path = _path(filename)
    if not path.is_file():
        raise DataError(f"public data file {filename!r} is missing from the package")
    with path.open("r", encoding="utf-8") as fh:
        if as_text:
            return pd.read_csv(fh, dtype=str, keep_default_na=False)
        return pd.read_csv(fh)


def nato_year_table(filename: str) -> pd.DataFrame:
    """A NATO ``country,iso3,2014..2024e`` table, indexed by iso3 with integer year columns.

    Estimated years keep their figures; which years are estimates is given by
    :data:`NATO_ESTIMATE_YEARS`.
    """
    frame = read_table(filename)
    if "iso3" not in frame.columns:
        raise DataError(f"public data file {filename!r} has no iso3 column")
    frame = frame.set_index("iso3").drop(columns=["country"])
    frame.columns = [int(str(c).rstrip("e")) for c in frame.columns]
    return frame


NATO_ESTIMATE_YEARS = frozenset({2023, 2024})


#: NATO's published shares of real GDP [%], two decimals as printed (Table 3).
NATO_PUBLISHED_SHARES = "nato_def_exp_share_gdp_2014_2024e.csv"
#: The same table at four decimals, with ISO3 codes.
NATO_REAL_GDP_SHARES = "nato_def_exp_share_real_gdp_2014_2024e.csv"
#: NATO Table 5, GDP at current prices and exchange rates [bn USD]; includes Iceland.
NATO_GDP_USD = "nato_gdp_usd_2014_2024e.csv"
#: Kiel Ukraine Support Tracker, Release 28, aid by donor [EUR bn].
KIEL_R28_AID = "kiel_ust_r28_country_summary_eur_bn.csv"

#: Allies marked * in NATO's file: national laws or political agreements calling for 2%
#: of GDP or more.
NATO_NATIONAL_2PCT_LAWS = frozenset({"CZE", "EST", "LVA", "LTU", "POL", "ROU"})


def nato_published_shares() -> pd.DataFrame:
    """NATO's published defence expenditure [% of real GDP, 2015 prices], as printed.

    Indexed by ISO3 code (names resolved with :func:`materiel.countries.resolve`), integer
    year columns 2014..2024, values parsed exactly from their two-decimal text. This is
    the figure NATO counts allies on (Slovak Republic 2024e is printed 2.00).
    """
    from materiel.countries import try_resolve

    frame = read_table(NATO_PUBLISHED_SHARES, as_text=True)
    name_col = frame.columns[0]
    codes = []
    for name in frame[name_col]:
        code = try_resolve(name)
        if code is None:
            raise DataError(f"{NATO_PUBLISHED_SHARES}: unknown country name {name!r}")
        codes.append(code)
    values = frame.drop(columns=[name_col]).map(_parse_cell)
    values.index = pd.Index(codes, name="iso3")
    values.columns = [int(str(c).rstrip("e")) for c in values.columns]
    return values


def _parse_cell(text: str) -> float:
    """A printed figure as a float; an empty cell as NaN."""
    text = text.strip()
    if not text:
        return float("nan")
    try:
        return float(text)
    except ValueError as exc:
        raise DataError(f"public data holds a non-number {text!r}") from exc
