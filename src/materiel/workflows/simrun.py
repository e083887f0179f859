"""A server simulation run: simulate a finished plan run's plan over sampled futures.

The run's snapshot is the plan run's (``meta`` and ``tables``) with ``simulation``: the
plan run's id, the futures, the seed, the confidence level (or None) and the scenario's
digest the plan was made for; the worker adds ``plan``, the plan run's stored result
(summary and tables as rows), before it hands the snapshot to the run's process. There
:func:`simulate_snapshot` rebuilds the plan from those rows, simulates it with
:func:`materiel.simulation.simulate` (as ``materiel simulate`` does; no sensitivity
ranking) and saves the targets table to ``out/simulation.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from materiel.simulation import TARGET_COLUMNS, surely_reaches

if TYPE_CHECKING:
    import pandas as pd

    from materiel.simulation import Simulation

#: The columns of a simulation run's table of targets: one row per target (ally, group).
SIM_COLUMNS = TARGET_COLUMNS
#: The stages of a simulation run (its progress messages start with these words).
SIM_STAGES = ("reading the plan", "simulating", "saving the simulation")
#: The file in the run's folder that holds the result.
RESULT_FILE = "simulation.json"


def simulation_rows(sim: Simulation, confidence: float | None) -> list[dict[str, Any]]:
    """The targets table of ``sim`` as rows of plain values (floats in full), with
    ``reaches_confidence`` (the lower end of the 95 % interval at least ``confidence``,
    as planning to a confidence level reads it) when a level is given."""
    frame: pd.DataFrame = sim.targets[list(SIM_COLUMNS)].copy()
    if confidence is not None:
        frame["reaches_confidence"] = surely_reaches(frame["ci_low"], confidence)
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def simulate_snapshot(
    snapshot: dict[str, Any], out: Path, say: Callable[[str], None] | None = None
) -> Path:
    """Simulate the plan of ``snapshot["plan"]`` as ``snapshot["simulation"]`` asks;
    save ``{"summary": ..., "rows": the targets' rows}`` to ``out/simulation.json``."""
    from materiel.planner import Plan
    from materiel.scenario import load_tables
    from materiel.simulation import simulate

    say = say or (lambda _message: None)
    job = snapshot["simulation"]
    say("reading the plan")
    scenario = load_tables(snapshot["meta"], snapshot["tables"])
    plan = Plan.from_stored(snapshot["plan"], scenario, str(job["digest"]))
    futures = int(job["futures"])
    step = max(1, futures // 10)
    said = [0]

    def progress(label: str, done: int, total: int) -> None:
        if done - said[0] >= step or done == total:
            said[0] = done
            say(f"simulating: {done:,} of {total:,} futures")

    sim = simulate(
        plan, scenario, futures=futures, seed=int(job["seed"]), sensitivity=0, progress=progress
    )
    say("saving the simulation")
    summary = {**sim.summary(), "plan_run": job["plan_run"], "confidence": job["confidence"]}
    rows = simulation_rows(sim, job["confidence"])
    if job["confidence"] is not None:
        summary["targets_reaching_confidence"] = sum(r["reaches_confidence"] for r in rows)
    path = out / RESULT_FILE
    path.write_text(
        json.dumps({"summary": summary, "rows": rows}, default=str),
        encoding="utf-8",
    )
    return path


def sim_stage_of(message: str, current: int = 0) -> int:
    """The stage (1 to ``len(SIM_STAGES)``) a simulation run is at after ``message``,
    never before ``current``."""
    for number, start in enumerate(SIM_STAGES, start=1):
        if message.startswith(start):
            return max(current, number)
    return current


def read_result(out: Path) -> dict[str, Any]:
    """What :func:`simulate_snapshot` saved in ``out``: ``{"summary", "rows"}``."""
    return dict(json.loads((out / RESULT_FILE).read_text(encoding="utf-8")))
