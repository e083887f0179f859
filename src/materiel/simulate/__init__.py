"""The simulator: how likely a plan is to hold, over many sampled futures."""

from __future__ import annotations

from materiel.simulate.api import simulate
from materiel.simulate.result import Simulation

__all__ = ["Simulation", "simulate"]
