"""The simulator: how likely a plan is to hold, over many sampled futures."""

from __future__ import annotations

from materiel.simulation.api import check_futures, simulate
from materiel.simulation.result import Simulation, wilson

__all__ = [
    "Simulation",
    "annotations",
    "check_futures",
    "simulate",
    "wilson",
]
