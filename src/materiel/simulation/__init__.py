"""The simulator: how likely a plan is to hold, over many sampled futures."""

from __future__ import annotations

from materiel.simulation.api import check_futures, simulate
from materiel.simulation.result import TARGET_COLUMNS, Simulation, surely_reaches, wilson

__all__ = [
    "TARGET_COLUMNS",
    "Simulation",
    "annotations",
    "check_futures",
    "simulate",
    "surely_reaches",
    "wilson",
]
