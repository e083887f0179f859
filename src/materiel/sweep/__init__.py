"""Sweeps: plan (and optionally simulate) every combination of policy levers.

``materiel.sweep(scenario, ["policy.pooling=true,false", ...])`` returns one table with a
row per combination. Work runs in local processes or on a Dask cluster; results are
cached in the output folder under a hash of the scenario and the overrides, so a sweep
run again computes only what is missing.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from materiel.sweep.run import sweep

__all__ = ["sweep"]


class _CallableModule(types.ModuleType):
    """Importing ``materiel.sweep`` binds the package over the function of the same name
    in ``materiel``; calling the package calls the function, so ``materiel.sweep(...)``
    works either way."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
