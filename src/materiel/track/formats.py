"""The formats every ``track`` command writes (kept apart from the renderers, so that
the command line can name them without loading pandas)."""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    """The formats every ``track`` command writes."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
