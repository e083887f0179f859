"""A simulation run of a plan run, finished by hand with target rows written here (the
small workspace's scenario, tests/server_kit.py: allies AAA, BBB, CCC, item SHELL,
months 2025-01 to 2025-12), for the outlook's probabilities and its fan chart."""

from __future__ import annotations

from typing import Any

from materiel.store import SIM_TABLE
from materiel.store.policy import SYSTEM

NEVER = "not within horizon"


def _target(ally: str, p: float, low: float, high: float, *months: str) -> dict[str, Any]:
    p05, p50, p95 = months
    return {
        "ally": ally,
        "group": "SHELL",
        "target": 1000.0,
        "target_date": "2025-12",
        "plan_met_by_date": False,
        "probability": p,
        "ci_low": low,
        "ci_high": high,
        "p_within_horizon": 0.9,
        "month_met_p05": p05,
        "month_met_p50": p50,
        "month_met_p95": p95,
    }


#: A simulation run's targets, as the worker stores them (the small scenario: months
#: 2025-01 to 2025-12, index 0 to 11; "not within horizon" is drawn at 12).
ROWS = [
    _target("CCC", 0.0512, 0.0213, 0.1134, "2025-10", NEVER, NEVER),
    _target("AAA", 0.2468, 0.1937, 0.3188, "2025-03", "2025-08", NEVER),
    _target("BBB", 0.6173, 0.5311, 0.6982, "2025-02", "2025-05", "2025-11"),
]


def simulate_by_hand(space: Any, plan_run: int, rows: list[dict[str, Any]]) -> int:
    """A simulation run of ``plan_run`` finished with ``rows`` as its targets."""
    sim = space.store.create_simulation(SYSTEM, plan_run, 500, 9)
    summary = {"futures": 500, "seed": 9, "plan_run": plan_run, "confidence": None}
    space.store.set_run(sim.id, status="running")
    result = {"summary": summary, "tables": {SIM_TABLE: rows}}
    space.store.set_run(sim.id, status="done", result=result)
    return int(sim.id)
