"""materiel: defence industrial capacity and munitions stockpile planning."""

from __future__ import annotations

from materiel.errors import (
    DataError,
    InfeasibleError,
    InputError,
    MaterielError,
    ScenarioError,
    SolveError,
)
from materiel.planner.api import plan, value_of_pooling
from materiel.planner.result import PlanResult
from materiel.scenario.load import load_scenario
from materiel.scenario.model import Scenario

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "InfeasibleError",
    "InputError",
    "MaterielError",
    "PlanResult",
    "Scenario",
    "ScenarioError",
    "SolveError",
    "__version__",
    "load_scenario",
    "plan",
    "value_of_pooling",
]
