"""Every HiGHS run of the planner's solve of a scenario, grouped: a benchmark, not a test.

    PYTHONPATH=src .venv/bin/python bench/rounding_runs.py [SCENARIO] [OVERRIDE ...] [--cost-bound]

Runs ``solve_inputs`` once (default ``nato-2024``, with the given ``--set``-style
overrides, such as ``policy.rounding=down``) and prints its stages' seconds and
objectives (``stats``), then every HiGHS run it made, grouped by whether it was a step
(limited in iterations: the dive's and the repairs' after it), whether a basis had just
been put back on its instance (``setBasis``), and how it ended: how many runs, their
seconds and their simplex iterations. This is how the cost of a step that starts from a
basis put back was found (docs/model.md, stage 3). The load average is printed beside
the figures. With ``--cost-bound`` it also solves the plan's LP (lots free) for its
least spending at no more shortfall than the plan's, to show how much the rounding costs
in money (:func:`cost_bound`).
"""

from __future__ import annotations

import collections
import os
import sys
import time

import highspy
import numpy as np

from materiel.planner import solve
from materiel.planner.model import E
from materiel.scenario.arrays import build_inputs
from materiel.scenario.load import load_scenario


def cost_bound(solved: solve.Solved) -> tuple[float, float]:
    """The least spending of the plan's LP (lots free, contracts placed and warm lines
    as the plan has them) at no more shortfall than the plan in whole lots, and the
    seconds it took: how far the cost stage after rounding is from its relaxation."""
    m, layout, inp, h = solved.model, solved.layout, solved.inputs, solved.highs
    started = time.perf_counter()
    n = h.getNumCol()
    shortfall = np.asarray(h.getLp().col_cost_)
    index = np.flatnonzero(shortfall).astype(np.int32)
    lp = solve.copy_of(h, warm=False)
    lp.addRow(-highspy.kHighsInf, solved.solution.objective, len(index), index, shortfall[index])
    lp.changeColsCost(n, np.arange(n, dtype=np.int32), solve._cost_vector(m, layout, inp, n))
    lp.setOptionValue("solver", "ipm")
    lp.run()
    if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SystemExit(f"the cost bound's LP ended {lp.getModelStatus()}")
    x = np.asarray(lp.getSolution().col_value)
    spending = solve._evaluate(m.expressions[E.SPENDING], layout, x) * inp.money_scale
    return float(spending.sum()), time.perf_counter() - started


def main(argv: list[str]) -> None:
    bound = "--cost-bound" in argv
    argv = [a for a in argv if a != "--cost-bound"]
    name = argv[0] if argv and "=" not in argv[0] else "nato-2024"
    overrides = [a for a in argv if "=" in a]
    runs: list[tuple[bool, bool, str, float, int]] = []
    put_back: set[int] = set()
    set_basis, solve_run = highspy.Highs.setBasis, solve.run

    def recorded_set_basis(self: highspy.Highs, *args: object) -> object:
        put_back.add(id(self))
        return set_basis(self, *args)

    def recorded_run(h: highspy.Highs, inp: object, **kw: object) -> object:
        after, ended, started = id(h) in put_back, "error", time.perf_counter()
        put_back.discard(id(h))
        try:
            status = solve_run(h, inp, **kw)  # type: ignore[arg-type]
            ended = str(status)
            return status
        finally:
            step = kw.get("iterations") is not None
            seconds = time.perf_counter() - started
            runs.append((step, after, ended, seconds, h.getInfo().simplex_iteration_count))

    highspy.Highs.setBasis = recorded_set_basis  # type: ignore[method-assign]
    solve.run = recorded_run  # type: ignore[assignment]
    inputs = build_inputs(load_scenario(name, overrides=overrides))
    print(f"{name} {' '.join(overrides)}; load average before: {os.getloadavg()[0]:.2f}")
    solved = solve.solve_inputs(inputs)
    stats = solved.solution.stats
    print("stages:", {k: round(v, 2) for k, v in stats.items() if k.endswith(("_s", "objective"))})
    plan = solved.solution
    print(
        f"plan: weighted shortfall {plan.objective:,.2f} ({100 * plan.gap:.3f} % above the "
        f"bound), spending {plan.cost:,.0f} {inputs.scenario.meta.currency}, {plan.status}"
    )
    if bound:
        least, seconds = cost_bound(solved)
        print(
            f"the plan's LP at that shortfall, lots free: spending {least:,.0f} "
            f"(the plan {100 * (plan.cost / least - 1):.1f} % more; {seconds:.1f} s)"
        )
    groups: dict[tuple[bool, bool, str], list[float]] = collections.defaultdict(lambda: [0, 0, 0])
    for step, after, ended, seconds, iterations in runs:
        group = groups[(step, after, ended)]
        group[0] += 1
        group[1] += seconds
        group[2] += iterations
    print("step   after setBasis  ended     runs   seconds  iterations")
    for (step, after, ended), (count, seconds, iterations) in sorted(
        groups.items(), key=lambda kv: -kv[1][1]
    ):
        print(f"{step!s:6} {after!s:15} {ended:9} {count:5} {seconds:9.1f} {iterations:11,}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
