"""The formats every ``track`` command writes: a leaf of the package (like
:mod:`materiel.version`), so that the command line can name them without loading the
tracker and pandas; :mod:`materiel.track` gives them on its face too."""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    """The formats every ``track`` command writes."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
