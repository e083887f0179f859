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

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "InfeasibleError",
    "InputError",
    "MaterielError",
    "ScenarioError",
    "SolveError",
    "__version__",
]
