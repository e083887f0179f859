"""Sweeps: plan (and optionally simulate) every combination of policy levers.

``materiel.sweep(scenario, ["policy.pooling=true,false", ...])`` returns one table with a
row per combination. Work runs in local processes or on a Dask cluster; results are
cached in the output folder under a hash of the scenario and the overrides, so a sweep
run again computes only what is missing.
"""

from __future__ import annotations

from materiel.sweeps.alternatives import on_cluster
from materiel.sweeps.national import planned_on_cluster
from materiel.sweeps.run import Interrupted, sweep
from materiel.sweeps.runs import (
    MAX_COMBINATIONS,
    MAX_LEVERS,
    MAX_OVERRIDES,
    MAX_SWEEP_FUTURES,
    check_sweep,
    read_sweep,
    sweep_snapshot,
    sweep_stage_of,
    table_rows,
)

__all__ = [
    "MAX_COMBINATIONS",
    "MAX_LEVERS",
    "MAX_OVERRIDES",
    "MAX_SWEEP_FUTURES",
    "Interrupted",
    "annotations",
    "check_sweep",
    "on_cluster",
    "planned_on_cluster",
    "read_sweep",
    "sweep",
    "sweep_snapshot",
    "sweep_stage_of",
    "table_rows",
]
