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
MUNITIONS_SOURCE = "munitions_facts.csv (one source per row)"


def _path(filename: str):  # type: ignore[no-untyped-def]
    return resources.files("materiel").joinpath(_PUBLIC, filename)


def read_table(filename: str) -> pd.DataFrame:
    """Read one public CSV by file name, e.g. ``nato_gdp_usd_2014_2024e.csv``."""
    path = _path(filename)
    if not path.is_file():
        raise DataError(f"public data file {filename!r} is missing from the package")
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def source_note(filename: str) -> str:
    """The ``.source.txt`` text beside a public table, or '' where none exists."""
    stem = filename.removesuffix(".csv")
    path = _path(f"{stem}.source.txt")
    return path.read_text(encoding="utf-8") if path.is_file() else ""


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
