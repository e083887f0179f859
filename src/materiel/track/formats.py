"""The formats every ``track`` command writes: :class:`materiel.formats.OutputFormat`,
which lives outside this package so that the command line can name them without
loading the tracker (and pandas)."""

from __future__ import annotations

from materiel.formats import OutputFormat

__all__ = ["OutputFormat"]
