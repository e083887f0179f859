"""A small scenario for sweeps: plans in a fraction of a second, levers that matter."""

from __future__ import annotations

from pathlib import Path

from tests.scenario_kit import one_line

VARY = [
    "lines.L1.ceiling=5,20",
    "policy.contract_months=1,3",
    "policy.pooling=true,false",
]


def small_scenario(folder: Path) -> Path:
    """One line of 5/month that can grow to 20 in 2 months; a target of 80 by 2025-12."""
    return one_line(
        folder, capacity=5, ceiling=20, lead=2, target=80, budget=1e6, expansion_cost=10
    )
