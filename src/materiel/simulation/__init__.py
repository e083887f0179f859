"""The simulator: how likely a plan is to hold, over many sampled futures."""

from __future__ import annotations

from materiel.simulation.api import simulate
from materiel.simulation.result import Simulation

__all__ = ["Simulation", "simulate"]
