"""A server run: plan a stored scenario's snapshot and keep the plan in a folder.

The snapshot is the store's rows (``meta`` and ``tables``), loaded in memory with
:func:`materiel.scenario.load.load_tables`; the plan is saved to ``out/plan`` and the
lines' producers to ``out/producers.json`` for the workspace's disclosure rules.

A run goes through the stages of :data:`RUN_STAGES`, in that order (a plan without
whole lots or price tiers skips some); :func:`stage_of` tells which one a progress
message belongs to, so that a run can show "stage k of n".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The stages of a run, each with the starts of the progress messages that belong to it
#: (the planner's own words: :func:`materiel.planner.plan` and the solver say them).
RUN_STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("reading the scenario", ("reading the scenario",)),
    ("building the model", ("building the model", "solving with pooling")),
    ("solving for the least shortfall", ("solving for the least shortfall", "the price tiers")),
    ("solving for the least cost", ("solving for the least cost",)),
    ("rounding to whole lots", ("rounding every contract", "whole lots", "no plan in whole")),
    ("explaining the bottlenecks", ("what-if",)),
    (
        "comparing with pooling the other way",
        ("waiting for the pooling", "solving again with pooling", "the pooling comparison"),
    ),
    ("saving the plan", ("saving the plan",)),
)


def stage_of(message: str, current: int = 0) -> int:
    """The stage (1 to ``len(RUN_STAGES)``) a run is at after ``message``, never before
    ``current``: a message of no stage, or of an earlier one (the pooling comparison
    builds and solves a model of its own), leaves it where it was."""
    for number, (_name, starts) in enumerate(RUN_STAGES, start=1):
        if message.startswith(starts):
            return max(current, number)
    return current


def run_snapshot(
    snapshot: dict[str, Any], out: Path, say: Callable[[str], None] | None = None
) -> Path:
    """Plan the snapshot ``{"meta": ..., "tables": ...}``; return the plan's folder."""
    from materiel.planner import Plan, plan
    from materiel.scenario import load_tables

    say = say or (lambda _message: None)
    say("reading the scenario")
    scenario = load_tables(snapshot["meta"], snapshot["tables"])
    result = plan(scenario, progress=say)
    say("saving the plan")
    folder = Plan.from_result(result).save(out / "plan")
    producers = {r.id: r.producer for r in scenario.records("lines")}
    (out / "producers.json").write_text(json.dumps(producers), encoding="utf-8")
    return folder
