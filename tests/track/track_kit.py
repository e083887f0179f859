"""Reading the packaged public CSVs with the csv module only, for independent checks."""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources

PUBLIC = resources.files("materiel").joinpath("data/public")


def public_rows(filename: str) -> list[dict[str, str]]:
    """Rows of a packaged public CSV as strings (no pandas, no materiel code)."""
    with PUBLIC.joinpath(filename).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def published_share(row: dict[str, str], year: int) -> Decimal:
    """The published share [% of GDP] of a row for a year, '2024e' columns included."""
    key = str(year) if str(year) in row else f"{year}e"
    return Decimal(row[key])
