"""A server run: plan a stored scenario's snapshot and keep the plan in a folder.

The snapshot is the store's rows (``meta`` and ``tables``), loaded in memory with
:func:`materiel.scenario.load.load_tables`; the plan is saved to ``out/plan`` and the
lines' producers to ``out/producers.json`` for the workspace's disclosure rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def run_snapshot(
    snapshot: dict[str, Any], out: Path, say: Callable[[str], None] | None = None
) -> Path:
    """Plan the snapshot ``{"meta": ..., "tables": ...}``; return the plan's folder."""
    from materiel.planner import Plan, plan
    from materiel.scenario import load_tables

    say = say or (lambda _message: None)
    scenario = load_tables(snapshot["meta"], snapshot["tables"])
    say("solving")
    result = plan(scenario, progress=say)
    folder = Plan.from_result(result).save(out / "plan")
    producers = {r.id: r.producer for r in scenario.records("lines")}
    (out / "producers.json").write_text(json.dumps(producers), encoding="utf-8")
    return folder
