"""The result every tracker function returns: a table with its sources and assumptions.

Renderers (:mod:`materiel.report.track_render`) and charts (:mod:`materiel.report.track_charts`)
draw only from a :class:`TrackResult`, never from the computation's internals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class TrackResult:
    """A tracker answer.

    ``table`` holds one row per ally, donor or pledge; ``units`` maps a column to its
    unit or meaning (``"% of real GDP, 2015 prices"``); ``summary`` holds the sentences
    printed under the table (counts, totals); ``sources`` the citations of the figures;
    ``assumptions`` everything that is not from a source (user-given rates, fit choices).
    ``display`` lists the columns the terminal table shows (all when empty).
    ``series`` holds long-format data for charts (e.g. paths by year).
    """

    kind: str
    title: str
    table: pd.DataFrame
    units: Mapping[str, str] = field(default_factory=dict)
    summary: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    display: tuple[str, ...] = ()
    decimals: Mapping[str, int] = field(default_factory=dict)
    series: pd.DataFrame | None = None
    meta: Mapping[str, object] = field(default_factory=dict)

    def shown_columns(self) -> list[str]:
        """The columns of the terminal table, in order."""
        return [c for c in self.display if c in self.table.columns] or list(self.table.columns)
