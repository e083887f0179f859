"""Whole lots against the LP relaxation: what signable contracts cost in time and shortfall.

    .venv/bin/python bench/lots.py [SCENARIO ...] [--out FILE]

For each scenario (default: the built-in ``nato-2024`` and the planner benchmark's size
S), ``solve_inputs`` is run three times on the same machine, one after the other: with
``policy.whole_lots=false`` (the LP relaxation: fractional quantities, the first
generation's model), with whole lots (the default, ``policy.rounding=down``) and with
whole lots rounded dear lots first (``policy.rounding=nearer``). Each run reports its stages'
seconds (build, least shortfall with tiers and placements, least cost, whole lots),
the weighted shortfall of the plan, the relaxation's bound and the gap between them,
and how many contract quantities are not whole. The load average is printed beside the
figures; run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

from materiel.planner.api import plan  # noqa: E402
from materiel.planner.result import PlanResult  # noqa: E402
from materiel.planner.solve import solve_inputs  # noqa: E402
from materiel.scenario.arrays import build_inputs  # noqa: E402
from materiel.scenario.load import load_scenario  # noqa: E402


def _source(name: str, folder: Path) -> str:
    if name in generate.SIZES:
        return str(generate.write(generate.SIZES[name], folder / name))
    return name


def measure(source: str, whole: bool, rounding: str = "down") -> dict[str, Any]:
    overrides = [f"policy.whole_lots={str(whole).lower()}", f"policy.rounding={rounding}"]
    scenario = load_scenario(source, overrides=overrides)
    inputs = build_inputs(scenario)
    started = time.perf_counter()
    solved = solve_inputs(inputs)
    seconds = time.perf_counter() - started
    sol = solved.solution
    result = PlanResult(scenario=scenario, inputs=inputs, solution=sol)
    quantity = result.contracts["quantity"].to_numpy(dtype=float)
    return {
        "whole_lots": whole,
        "rounding": rounding if whole else None,
        "seconds": round(seconds, 2),
        "stages": {k: round(v, 2) for k, v in sol.stats.items() if k.endswith("_s")},
        "objective": sol.objective,
        "bound": sol.bound,
        "gap_pct": 100.0 * sol.gap,
        "status": str(sol.status),
        "contracts": len(quantity),
        "not_whole": int((np.abs(quantity - np.round(quantity)) > 1e-6).sum()),
    }


def end_to_end(source: str) -> float:
    """``materiel.plan`` as ``make run`` calls it (what-ifs and the pooling comparison)."""
    started = time.perf_counter()
    plan(source)
    return round(time.perf_counter() - started, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=["nato-2024", "S"])
    parser.add_argument("--out", type=Path, default=HERE / "lots_results.json")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.scenarios:
            source = _source(name, Path(tmp))
            for whole, rounding in ((False, "down"), (True, "down"), (True, "nearer")):
                load = os.getloadavg()[0]
                measured = measure(source, whole, rounding)
                row = {"scenario": name, "load_before": round(load, 2), **measured}
                print(json.dumps(row), flush=True)
                rows.append(row)
            row = {"scenario": name, "end_to_end_s": end_to_end(source)}
            row["load_after"] = round(os.getloadavg()[0], 2)
            print(json.dumps(row), flush=True)
            rows.append(row)
    args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
