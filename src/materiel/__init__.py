"""materiel: defence industrial capacity and munitions stockpile planning."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from materiel.errors import (
    DataError,
    InfeasibleError,
    InputError,
    MaterielError,
    ScenarioError,
    SolveError,
)

if TYPE_CHECKING:
    from materiel.planner import Plan, PlanResult, plan, value_of_pooling
    from materiel.scenario import Scenario, load_scenario
    from materiel.simulation import simulate
    from materiel.sweeps import sweep

from materiel.version import __version__

__all__ = [
    "DataError",
    "InfeasibleError",
    "InputError",
    "MaterielError",
    "Plan",
    "PlanResult",
    "Scenario",
    "ScenarioError",
    "SolveError",
    "__version__",
    "load_scenario",
    "plan",
    "simulate",
    "sweep",
    "value_of_pooling",
]

#: Names imported on first use, so that ``import materiel.ingest`` (or ``materiel
#: ingest``) does not load the planner, the solver and pandas.
_LAZY = {
    "plan": "materiel.planner.api",
    "value_of_pooling": "materiel.planner.api",
    "simulate": "materiel.simulation.api",
    "Plan": "materiel.planner.plan",
    "PlanResult": "materiel.planner.result",
    "load_scenario": "materiel.scenario.load",
    "Scenario": "materiel.scenario.model",
    "sweep": "materiel.sweeps.run",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'materiel' has no attribute {name!r}")
