"""A finished run of the small workspace's scenario with a table of what binds written by
hand (tests/server_kit.py's allies AAA, BBB, CCC; line L1 of producer P, L2 of Q), for
the access rule and the industry page: its figures and sentences stated here."""

from __future__ import annotations

from typing import Any

from materiel.store.policy import SYSTEM

NAN = None  # a figure the planner did not measure (NaN in the plan, null when stored)


def _limit(kind: str, name: str, label: str, unit: str, gain: float, **more: Any) -> dict:
    row = {
        "kind": kind,
        "name": name,
        "label": label,
        "unit": unit,
        "ally": name if kind == "budget" else "",
        "lines": more.pop("lines", ""),
        "shadow_price": 2 * gain,
        "gain": gain,
        "increase": NAN,
        "shortfall_before": NAN,
        "shortfall_after": NAN,
        "shortfall_gain": NAN,
        "unavailable": "",
    }
    return {**row, **more}


#: Largest first, as the planner ranks them: L1 re-solved, then three first-order ones.
LIMITS = [
    _limit(
        "line",
        "L1",
        "L1 (P, Shell)",
        "units/month",
        1.5,
        lines="L1",
        increase=1.0,
        shortfall_before=30.0,
        shortfall_after=28.5,
        shortfall_gain=1.5,
    ),
    _limit("budget", "BBB", "Ally B (BBB)", "USD/year", 0.8),
    _limit("budget", "AAA", "Ally A (AAA)", "USD/year", 0.4),
    _limit("component", "MOTOR", "Rocket motor", "units/month", 0.2, lines="L2"),
]
GROUPS = [{"kind": "line", "name": "L1", "label": "Shell", "change": -1.5}]

#: What the planner says of each, in the report's words.
SAID = {
    "L1 re-solved": "10% more capacity on line L1 (P, Shell) (+1 units/month) lowers the "
    "weighted shortfall by 1.5 target-months (from 30 to 28.5, 5.0%), most in Shell 1.5.",
    "L1": "capacity of line L1 (P, Shell) binds: 10% more is worth about 1.5 target-months "
    "of shortfall (first-order estimate from its shadow price)",
    "BBB": "budget of Ally B (BBB) binds: 10% more is worth about 0.8 target-months of "
    "shortfall (first-order estimate from its shadow price)",
    "AAA": "budget of Ally A (AAA) binds: 10% more is worth about 0.4 target-months of "
    "shortfall (first-order estimate from its shadow price)",
    "MOTOR": "supply of Rocket motor binds: 10% more is worth about 0.2 target-months of "
    "shortfall (first-order estimate from its shadow price)",
}

MONTHS = 12
#: L1 runs at its capacity (10) in 5 of 12 months only: the old rule of thumb (at
#: capacity in half the months or more) called it spare.
BUSY = {0, 1, 2, 3, 4}


def capacity() -> list[dict[str, Any]]:
    return [
        {
            "line": line,
            "month": m,
            "month_label": f"2025-{m + 1:02d}",
            "capacity": 10.0,
            "output": 10.0 if line == "L1" and m in BUSY else 6.0,
            "held": 0.0,
        }
        for line in ("L1", "L2")
        for m in range(MONTHS)
    ]


def delivered() -> list[dict[str, Any]]:
    """L1 delivers to all three allies every month (its totals may be shown); L2 to BBB
    alone (its output is hidden from those who do not see its deliveries)."""
    rows = []
    for m in range(MONTHS):
        made = 10.0 if m in BUSY else 6.0
        for ally, part in (("AAA", 0.3), ("BBB", 0.3), ("CCC", 0.4)):
            rows.append(
                {
                    "line": "L1",
                    "ally": ally,
                    "month": m,
                    "made": m,
                    "group": "SHELL",
                    "quantity": part * made,
                }
            )
        rows.append(
            {"line": "L2", "ally": "BBB", "month": m, "made": m, "group": "SHELL", "quantity": 6.0}
        )
    return rows


def finished_run(store: Any, with_limits: bool = True, scenario: str = "small") -> int:
    """A done run of ``scenario`` whose result holds these tables (without
    ``bottlenecks`` and ``bottleneck_groups`` when not ``with_limits``: a run made
    before plans kept them); its id."""
    run, _ = store.create_run(SYSTEM, scenario)
    tables: dict[str, Any] = {"capacity": capacity(), "contracts": []}
    if with_limits:
        tables |= {"bottlenecks": LIMITS, "bottleneck_groups": GROUPS}
    result = {
        "summary": {},
        "tables": tables,
        "producers": {"L1": "P", "L2": "Q"},
        "delivered": delivered(),
    }
    store.set_run(run.id, status="running")
    store.set_run(run.id, status="done", result=result)
    return int(run.id)
