"""The simulator benchmark: materiel's engine against the same process in SimPy.

    .venv/bin/python bench/simulate.py [--futures 10000] [--simpy 300] [--out FILE]

Two workloads:

* **nato-2024**: the built-in scenario's plan (solved here, about 15 s) with the
  scenario's own risks;
* **L**: the planner benchmark's size L (32 allies, 24 items, 150 lines, 30 components,
  120 months). Solving L takes about an hour, so its plan here is made by a rule, not
  by the optimiser: every line makes its capacity every month, shared among the allies
  that hold its group in proportion to their need. The simulator does not care how a
  plan was made; the workload is the same size.

For each: materiel's futures per second (random numbers and the compiled engine, after
a warm-up that compiles it; one thread and two), the wall time of ``materiel.simulate``
for 10,000 futures with its default sensitivity ranking, the SimPy peer's futures per
second (``bench/sim_peer.py``, one process per future), and, on nato-2024, the largest
gap between the two in any target's probability in units of its standard error.
Timing is by ``time.perf_counter``; run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import sim_peer  # noqa: E402

from materiel.planner.api import plan as make_plan  # noqa: E402
from materiel.planner.plan import Plan  # noqa: E402
from materiel.scenario.arrays import build_inputs  # noqa: E402
from materiel.scenario.load import load_scenario  # noqa: E402
from materiel.scenario.model import Scenario  # noqa: E402
from materiel.scenario.schema import Risks  # noqa: E402
from materiel.simulation import engine  # noqa: E402
from materiel.simulation.api import simulate  # noqa: E402
from materiel.simulation.inputs import SimInputs, build  # noqa: E402

#: Risks for L (the synthetic scenario has none of its own): nato-2024's.
L_RISKS = load_scenario("nato-2024").meta.risks


def rule_plan(scenario: Scenario) -> Plan:
    """A plan made by a rule: every line at its capacity now, shared by need."""
    inp = build_inputs(scenario)
    horizon = inp.horizon
    need = ((inp.target - inp.initial).clip(0, None) + inp.demand.sum("month")).where(
        inp.has_stock, 0.0
    )
    deliveries, capacity = [], []
    for li, line in enumerate(inp.cap0.coords["line"].values):
        group = str(inp.line_group.values[li])
        share = need.sel(group=group)
        share = share / float(share.sum()) if float(share.sum()) > 0 else share * 0
        cap = float(inp.cap0.values[li])
        lag = int(inp.lag.values[li])
        for ally, part in zip(share.coords["ally"].values, share.values, strict=True):
            if part > 0:
                for t in range(lag, horizon):
                    deliveries.append((line, ally, t, cap * float(part)))
        for t in range(horizon):
            capacity.append((line, t, cap, cap))
    return Plan(
        scenario_name=scenario.name,
        scenario_digest=scenario.digest(),
        start=scenario.start,
        horizon=horizon,
        currency="USD",
        tables={
            "deliveries": pd.DataFrame(deliveries, columns=["line", "ally", "month", "quantity"]),
            "capacity": pd.DataFrame(capacity, columns=["line", "month", "capacity", "output"]),
            "supply": pd.DataFrame(columns=["component", "month", "supply", "added"]),
            "stock": pd.DataFrame(columns=["ally", "group", "month", "stock"]),
        },
    )


def engine_rate(inputs: SimInputs, risks: Risks, futures: int, threads: int) -> float:
    """materiel's futures per second: draws and the engine (compiled beforehand)."""
    numba.set_num_threads(threads)
    engine.run(inputs, risks, engine.draw(inputs, risks, 0, 0, 1))  # compile, warm
    started = time.perf_counter()
    blocks = -(-futures // engine.BLOCK)
    engine.run(inputs, risks, engine.draw(inputs, risks, 7, 0, blocks))
    return blocks * engine.BLOCK / (time.perf_counter() - started)


def workload(name: str, made: Plan, scenario: Scenario, risks: Risks, args: Any) -> dict[str, Any]:
    inputs = build(made, scenario).with_theatres(risks)
    out: dict[str, Any] = {
        "workload": name,
        "rows": len(inputs.initial),
        "targets": len(inputs.target_rows),
        "lines": len(inputs.line_ids),
        "components": len(inputs.comp_ids),
        "months": inputs.horizon,
        "deliveries": len(inputs.pair_line),
    }
    out["materiel_futures_per_s_1_thread"] = engine_rate(inputs, risks, args.futures, 1)
    out["materiel_futures_per_s_2_threads"] = engine_rate(inputs, risks, args.futures, 2)
    started = time.perf_counter()
    sim = simulate(made, scenario, futures=args.futures, seed=7, risks=risks)
    out["simulate_10k_seconds"] = time.perf_counter() - started
    out["simulate_memory_bound_mib"] = sim.memory_mb
    n = args.simpy if name == "nato-2024" else max(10, args.simpy // 10)
    started = time.perf_counter()
    peer = sim_peer.run(inputs, risks, n, seed=11)
    out["simpy_futures"] = n
    out["simpy_futures_per_s"] = n / (time.perf_counter() - started)
    out["speedup_1_thread"] = out["materiel_futures_per_s_1_thread"] / out["simpy_futures_per_s"]
    out["speedup_2_threads"] = out["materiel_futures_per_s_2_threads"] / out["simpy_futures_per_s"]
    if name == "nato-2024":
        ours, theirs = sim.probability(), sim_peer.probability(inputs, peer["at_due"])
        pooled = (ours * sim.futures + theirs * n) / (sim.futures + n)
        se = np.sqrt(pooled * (1 - pooled) * (1 / sim.futures + 1 / n))
        moving = se > 0
        out["targets_moving"] = int(moving.sum())
        out["max_z_probability"] = float((np.abs(ours - theirs)[moving] / se[moving]).max())
        out["fixed_targets_equal"] = bool(np.array_equal(ours[~moving], theirs[~moving]))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--futures", type=int, default=10_000)
    parser.add_argument("--simpy", type=int, default=300, help="SimPy futures on nato-2024")
    parser.add_argument("--out", type=Path, default=HERE / "simulate_results.json")
    args = parser.parse_args(argv)
    results = []
    nato = load_scenario("nato-2024")
    made = Plan.from_result(make_plan(nato, explain=0, compare_pooling=False))
    results.append(workload("nato-2024", made, nato, nato.meta.risks, args))
    with tempfile.TemporaryDirectory() as tmp:
        big = load_scenario(generate.write(generate.SIZES["L"], Path(tmp) / "L"))
        results.append(workload("L", rule_plan(big), big, L_RISKS, args))
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
