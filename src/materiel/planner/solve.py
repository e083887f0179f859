"""Solving: HiGHS through linopy's direct API, in stages chosen from measurements.

1. **Tiers** (volume price tiers make the model a MIP): the LP relaxation is solved; its
   tier choice is used when integral (the relaxation is the convex hull of each item's
   all-units price, so it usually is), else the MIP is solved for it.
2. **Least shortfall**: the LP with the tiers fixed, by interior point with crossover
   (a basis, exact duals for shadow prices, and a start for warm what-ifs).
3. **Least cost at that shortfall**: on the first LP's optimal face (columns with a
   nonzero reduced cost fixed at their value, rows with a nonzero dual held tight) the
   cost is minimised, again by interior point. Should the plan found exceed the
   first stage's shortfall, the face is dropped for one explicit row
   ``shortfall ≤ optimum``.

The stage-2 instance is a copy: the stage-1 instance stays as it is, for what-ifs
(:mod:`materiel.planner.whatif`), which change right-hand sides and re-solve warm.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import linopy
import numpy as np
import xarray as xr

from materiel.errors import InfeasibleError, SolveError
from materiel.planner import compat, lots
from materiel.planner.families import BINDING
from materiel.planner.model import (
    BuildOptions,
    C,
    E,
    V,
    build_model,
    cost_scale,
    line_base_price,
)
from materiel.scenario import ModelInputs

Progress = Callable[[str], None]
#: A row added to the model before it is solved: columns, coefficients, lower, upper.
Row = tuple[np.ndarray, np.ndarray, float, float]

#: HiGHS model status -> our name; anything else is a failure.
_NOT_SET = highspy.HighsModelStatus.kNotset
_OK = highspy.HighsModelStatus.kOptimal


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible (time limit reached; not proven optimal)"
    GAP = "feasible (whole lots further from the LP bound than policy.plan_gap)"
    FRACTIONAL = (
        "feasible in fractions only: rounding found no plan in whole lots, so the contracts "
        "keep the relaxed plan's fractional quantities"
    )
    RELAXED = "the LP relaxation (lots fractional), optimal"
    ALTERNATIVE = (
        "an alternative within the slack of the optimum's shortfall and cost, in whole lots"
    )
    ALTERNATIVE_RELAXED = (
        "an alternative within the slack of the optimum's shortfall and cost (the LP "
        "relaxation, lots fractional)"
    )


@dataclass(frozen=True)
class Solution:
    """Values of the variables, shadow prices of the binding families, the objectives.

    Values are in the model's units ([units], [units/month]); ``spending`` and ``cost``
    are in the scenario's currency.
    """

    values: dict[str, xr.DataArray]
    duals: dict[str, xr.DataArray]
    spending: xr.DataArray  # [currency] (ally, year): new orders, expansions, idle lines
    objective: float  # [target-months] weighted shortfall, the first objective
    cost: float  # [currency] the second objective
    status: Status
    mip: bool
    stats: dict[str, float] = field(default_factory=dict)  # sizes and seconds per stage
    #: [target-months] the LP relaxation's weighted shortfall: no plan can do better
    bound: float = 0.0
    #: [-] (objective − bound) / objective: how far the plan may be from the best
    gap: float = 0.0
    #: [target-months] the plan's LP (its contracts placed and tiers held, lots relaxed),
    #: from which shadow prices come and against which what-ifs are measured
    base_objective: float = 0.0
    base_values: dict[str, xr.DataArray] = field(default_factory=dict)


@dataclass
class Solved:
    """The stage-1 LP kept alive on its HiGHS instance, for warm what-ifs."""

    model: linopy.Model
    highs: highspy.Highs
    layout: compat.Layout
    inputs: ModelInputs
    solution: Solution
    #: the plan's column values on ``highs``'s columns (in whole lots where the plan is),
    #: for solves that start from the plan (:mod:`materiel.planner.alternatives`)
    columns: np.ndarray = field(default_factory=lambda: np.zeros(0))


_QUIET = threading.Lock()
_quiet_depth = 0
_saved_fd: int | None = None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence HiGHS's banner, which it writes to file descriptor 1 from C++.

    File descriptors belong to the process: plans solved in two threads share one
    redirection, undone when the last of them leaves.
    """
    global _quiet_depth, _saved_fd
    with _QUIET:
        if _quiet_depth == 0:
            sys.stdout.flush()
            try:
                _saved_fd = os.dup(1)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.close(devnull)
            except OSError:  # no real stdout (embedded use): nothing to silence
                _saved_fd = None
        _quiet_depth += 1
    try:
        yield
    finally:
        with _QUIET:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _saved_fd is not None:
                os.dup2(_saved_fd, 1)
                os.close(_saved_fd)
                _saved_fd = None


def run(
    h: highspy.Highs,
    inp: ModelInputs,
    *,
    method: str,
    crossover: bool = True,
    strategy: int = 1,
    retry: bool = True,
    iterations: int | None = None,
) -> Status:
    """One HiGHS run with a fresh time limit; a named error if no plan comes back.

    ``method``: HiGHS's solver option (simplex, ipm, choose); ``strategy``: its simplex
    strategy (1 dual, 4 primal). ``iterations``: a rounding step's simplex iteration
    limit (see :data:`STEP_SHARE`), which also bounds the step's time by
    :data:`STEP_GUARD_SECONDS`. A run that ends with no verdict (HiGHS's "Unknown") is
    retried once by interior point before it is an error.
    """
    policy = inp.scenario.meta.policy
    h.setOptionValue("solver", method)
    h.setOptionValue("simplex_strategy", strategy)
    h.setOptionValue("run_crossover", "on" if crossover else "off")
    h.setOptionValue("simplex_iteration_limit", _NO_LIMIT if iterations is None else iterations)
    step = iterations is not None
    limit = min(STEP_GUARD_SECONDS, policy.time_limit) if step else policy.time_limit
    h.setOptionValue("time_limit", float(h.getRunTime()) + limit)
    h.setOptionValue("mip_rel_gap", policy.mip_gap)
    h.setOptionValue("threads", 1)
    stall = _Stall(STEP_STALL) if step else None
    if stall is not None:
        h.cbSimplexInterrupt.subscribe(stall)
    try:
        if h.run() == highspy.HighsStatus.kError and h.getModelStatus() == _NOT_SET:
            # HiGHS keeps one pool of threads a process, sized by its first run: after a
            # run with another number of threads (by other code in the process), it
            # refuses ours until the pool is made anew.
            highspy.Highs.resetGlobalScheduler(True)
            h.run()
    finally:
        if stall is not None:
            h.cbSimplexInterrupt.unsubscribe(stall)
    status = h.getModelStatus()
    if status == _OK:
        return Status.OPTIMAL
    feasible = h.getInfo().primal_solution_status == 2
    if status in (
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kInterrupt,
    ):
        if feasible and status != highspy.HighsModelStatus.kInterrupt:
            return Status.FEASIBLE
        raise SolveError(
            f"a rounding step found no plan within {iterations:,} simplex iterations or {limit:g} s"
            + (" (it stalled: see solve.STEP_STALL)" if stall is not None and stall.stalled else "")
            if step
            else f"the solver reached its time limit ({limit:g} s) without a plan: "
            "raise policy.time_limit"
        )
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        raise _Infeasible
    if retry and method != "ipm":
        # HiGHS gives up now and then on a badly scaled or degenerate LP with one method
        # ("Unknown"); interior point with crossover starts afresh from the same model.
        h.clearSolver()
        return run(h, inp, method="ipm", crossover=True, retry=False)
    raise SolveError(
        f"the solver stopped without a plan: {h.modelStatusToString(status)} "
        f"({_STATUS_MEANS.get(h.modelStatusToString(status), 'no plan came back')}); "
        "try policy.time_limit larger, or a smaller scenario to find the row at fault"
    )


_STATUS_MEANS = {
    "Unknown": "HiGHS stopped without proving the plan optimal or the model infeasible, "
    "with every method tried",
    "Solve error": "HiGHS hit an internal error",
    "Unbounded": "a variable can grow without limit: a constraint is missing",
}


class _Infeasible(SolveError):
    """Raised by :func:`run`; turned into a named InfeasibleError by the caller."""

    def __init__(self) -> None:
        super().__init__("the LP is infeasible")


def _round_by_quantity(
    m: linopy.Model, layout: compat.Layout, inp: ModelInputs, x: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """A tier choice from a relaxed plan: the tier whose range holds the quantity bought.

    The relaxation may spread a contract over tiers; the quantity it buys says which
    tier's price applies (all-units prices: from the tier's threshold up). Returns the
    choice for the tier columns (:func:`lots.columns`), in their order, and for each
    contract (an item pooled, an ally's item alone) the positions of its tiers in it.
    """
    z = m.variables[V.TIER]
    quantity = compat.values_of(m.variables[V.TIER_QTY], layout, x).fillna(0.0)
    reach = ["ally", "year", "tier"] if "ally" not in z.labels.dims else ["year", "tier"]
    total = quantity.sum(reach)
    labels = z.labels.transpose(..., "tier")
    exists = (labels >= 0).values
    tmin = inp.tier_min.broadcast_like(labels).transpose(*labels.dims).values
    amount = total.broadcast_like(labels).transpose(*labels.dims).values
    reached = exists & (np.nan_to_num(tmin, nan=np.inf) <= amount + 1e-6 * (1 + amount))
    last = reached.shape[-1] - 1 - np.argmax(reached[..., ::-1], axis=-1)
    choice = np.zeros(reached.shape)
    np.put_along_axis(choice, last[..., None], 1.0, axis=-1)
    ordered = xr.DataArray(np.where(exists, choice, 0.0), coords=labels.coords, dims=labels.dims)
    keep = (z.labels >= 0).values.ravel()
    position = np.cumsum(keep) - 1  # label slot -> position among the tier columns
    slots = (
        xr.DataArray(
            np.arange(keep.size).reshape(z.labels.shape), coords=z.labels.coords, dims=z.labels.dims
        )
        .transpose(..., "tier")
        .values.reshape(-1, labels.sizes["tier"])
    )
    groups = [position[row[keep[row]]] for row in slots if keep[row].sum() > 1]
    back = ordered.transpose(*z.labels.dims).values.ravel()
    return back[keep], groups


def _improve(
    h: highspy.Highs,
    inp: ModelInputs,
    tiers: np.ndarray,
    choice: np.ndarray,
    relaxed: np.ndarray,
    groups: list[np.ndarray],
    good_enough: float,
) -> tuple[np.ndarray, float]:
    """One pass of local search: each contract the relaxation split tries the other
    tiers it used, kept when the plan gets better (each a warm dual simplex re-solve),
    until the plan is within ``good_enough``."""
    n = len(tiers)
    best = _try(h, inp, tiers, choice)
    for group in groups:
        if best <= good_enough:
            break
        split = group[(relaxed[group] > 1e-6) & (choice[group] < 0.5)]
        for k in split:
            trial = choice.copy()
            trial[group] = 0.0
            trial[k] = 1.0
            value = _try(h, inp, tiers, trial)
            if value < best - 1e-9 * max(1.0, abs(best)):
                best, choice = value, trial
    h.changeColsBounds(n, tiers, choice, choice)
    return choice, best


def _try(h: highspy.Highs, inp: ModelInputs, tiers: np.ndarray, choice: np.ndarray) -> float:
    h.changeColsBounds(len(tiers), tiers, choice, choice)
    try:
        run(h, inp, method="simplex")
    except _Infeasible:
        return float("inf")
    return float(h.getInfo().objective_function_value)


def _fix_tiers(
    h: highspy.Highs,
    m: linopy.Model,
    layout: compat.Layout,
    inp: ModelInputs,
    tiers: np.ndarray,
    say: Progress,
) -> tuple[bool, float, int]:
    """Fix the tier binaries at a choice proven within ``policy.mip_gap`` of the best.

    The LP relaxation is a lower bound. Its tier choice is used when integral, else the
    tiers holding the quantities it buys; when the plan with those tiers is within the
    gap of the bound, that is proof enough. Otherwise the MIP is solved, starting from
    that plan. Returns whether the MIP had to be solved, the relaxation's bound and its
    simplex iterations.
    """
    n = len(tiers)
    lots.relax(h, tiers)
    run(h, inp, method="simplex")
    bound = float(h.getInfo().objective_function_value)
    iterations = int(h.getInfo().simplex_iteration_count)
    x = np.asarray(h.getSolution().col_value)
    value = x[tiers]
    gap = inp.scenario.meta.policy.mip_gap
    if np.allclose(value, np.round(value), atol=1e-6):
        choice = np.round(value)
        h.changeColsBounds(n, tiers, choice, choice)
        run(h, inp, method="simplex")
        return False, bound, iterations
    choice, groups = _round_by_quantity(m, layout, inp, x)
    good_enough = bound + gap * abs(bound) + 1e-9
    choice, found = _improve(h, inp, tiers, choice, value, groups, good_enough)
    start = None
    if np.isfinite(found):
        run(h, inp, method="simplex")
        if found <= good_enough:
            return False, bound, iterations
        start = h.getSolution()
    say(
        "the price tiers of the relaxation "
        + ("cannot be bought" if start is None else f"are {found - bound:.3g} target-months off")
        + ": solving the tier choice as a MIP"
    )
    h.changeColsBounds(n, tiers, np.zeros(n), np.ones(n))
    h.changeColsIntegrality(n, tiers, compat.integrality(n, integer=True))
    if start is not None:
        h.setSolution(start)
    run(h, inp, method="choose")
    choice = np.round(np.asarray(h.getSolution().col_value)[tiers])
    lots.relax(h, tiers)
    h.changeColsBounds(n, tiers, choice, choice)
    run(h, inp, method="simplex")
    return True, bound, iterations


def solve_inputs(
    inp: ModelInputs,
    progress: Progress | None = None,
    *,
    cost_stage: bool = True,
    options: BuildOptions | None = None,
    rows: Sequence[Row] = (),
) -> Solved:
    """Shortfall first, then cost; shadow prices from the shortfall stage.

    ``rows`` are added to the model, after its own, before anything is solved (an
    alternative's measure held, :mod:`materiel.planner.alternatives`); they hold in
    every stage, the rounding to whole lots included.

    With whole lots and least rates (:mod:`materiel.planner.lots`): the relaxation gives
    the bound, the plan's LP (contracts placed, tiers held) the shadow prices and the
    start of what-ifs, and the plan itself holds every quantity at whole lots.
    """
    say = progress or (lambda _msg: None)
    stats: dict[str, float] = {}
    started = time.perf_counter()
    say("building the model")
    m = build_model(inp, options)
    with quiet():
        h, layout = compat.to_highs(m)
    for index, coeffs, lower, upper in rows:
        h.addRow(lower, upper, len(index), np.asarray(index, dtype=np.int32), coeffs)
    stats.update(rows=h.getNumRow(), columns=h.getNumCol(), nonzeros=h.getNumNz())
    stats["build_s"] = time.perf_counter() - started
    tiers = lots.columns(m, layout, V.TIER)
    whole = lots.columns(m, layout, V.LOTS)
    decided = [lots.columns(m, layout, name) for name in (V.PLACED, V.OPEN, V.QUALIFY)]
    # HiGHS would run its MIP on any integer column: every solve here is an LP, the
    # integer decisions being fixed by the stages below.
    lots.relax(h, whole)
    for cols in decided:
        lots.relax(h, cols)
    say(
        f"solving for the least shortfall ({h.getNumCol():,} variables, {h.getNumRow():,} "
        f"constraints, {h.getNumNz():,} nonzeros"
        f"{', with volume price tiers' if len(tiers) else ''}"
        f"{', in whole lots' if len(whole) else ''})"
    )
    clock = time.perf_counter()
    status = Status.OPTIMAL
    try:
        if len(tiers):
            mip, bound, relaxed_iterations = _fix_tiers(h, m, layout, inp, tiers, say)
        else:
            mip = False
            status = run(h, inp, method="simplex")
            bound = float(h.getInfo().objective_function_value)
            relaxed_iterations = int(h.getInfo().simplex_iteration_count)
    except _Infeasible:
        raise _named_infeasibility(inp) from None
    if status is not Status.OPTIMAL:  # a time-limited relaxation bounds nothing
        bound = float("nan")
    stats["relaxation_iterations"] = float(relaxed_iterations)
    stats["step_iterations"] = limit = step_iterations(relaxed_iterations)
    if any(len(cols) for cols in decided):
        try:
            _decide(h, m, layout, inp, say, limit)
        except _Infeasible:
            # The relaxation has a plan: it is the rounding that found none, not the
            # scenario that has none.
            raise SolveError(
                "the relaxation has a plan, but no choice of warm lines open and contracts "
                "placed found by rounding it holds (budgets cannot pay a line's sustaining "
                "output or a contract's least rate); lower sustaining_rate or min_rate, or "
                "try policy.whole_lots=false to see the relaxed plan"
            ) from None
    stats["shortfall_s"] = time.perf_counter() - clock
    best, duals, base_values = _plan_lp(h, m, layout)
    solution = np.asarray(h.getSolution().col_value)
    if cost_stage:
        say("solving for the least cost at that shortfall")
        clock = time.perf_counter()
        solution, cost_status = _cost_stage(h, m, layout, inp, best)
        stats["cost_s"] = time.perf_counter() - clock
        if cost_status is not Status.OPTIMAL:
            status = cost_status
    objective = best
    if len(whole):
        say("rounding every contract to whole lots")
        clock = time.perf_counter()
        relaxed = solution
        nearer = inp.scenario.meta.policy.rounding == "nearer"
        worth = lots.lot_worth(m, layout, inp) if nearer else None
        cap = lots_cap(whole, relaxed) if cost_stage else None
        h3, dived = _round(h, whole, inp, worth, limit, cap)
        stats["dive_s"] = time.perf_counter() - clock
        if h3 is None and len(tiers):
            # A price tier's threshold the relaxed plan sits on can be out of reach in
            # whole lots with the money there is: try every contract at its base price.
            say("whole lots cannot reach the price tiers chosen: rounding at base prices")
            before = h.getLp()
            _base_tiers(h, m, layout)
            run(h, inp, method="simplex")
            h3, dived = _round(h, whole, inp, worth, limit)
            if h3 is None:  # back to the plan's LP as it was
                low, high = np.asarray(before.col_lower_), np.asarray(before.col_upper_)
                h.changeColsBounds(len(tiers), tiers, low[tiers], high[tiers])
                run(h, inp, method="simplex")
            else:  # the plan's LP is now this one: what-ifs and shadow prices come from it
                stats["tiers_at_base_price"] = 1.0
                best, duals, base_values = _plan_lp(h, m, layout)
        if h3 is None or dived is None:
            say("no plan in whole lots was found by rounding: the plan keeps fractions")
            status, solution = Status.FRACTIONAL, relaxed
        else:
            stats["dive_objective"] = float(h3.getInfo().objective_function_value)
            step = time.perf_counter()
            try:
                added = lots.raise_affordable(h3, m, layout, inp, _solver(inp, limit))
            except SolveError:  # the repair only adds: the dive's plan stands
                h3.changeColsBounds(len(whole), whole, dived, dived)
                run(h3, inp, method="simplex")
                added = 0
            stats["lots_added_by_repair"] = float(added)
            stats["raise_objective"] = float(h3.getInfo().objective_function_value)
            stats["raise_s"], step = time.perf_counter() - step, time.perf_counter()
            repaired = np.round(np.asarray(h3.getSolution().col_value)[whole])
            try:
                traded = lots.trade_for_lots(h3, m, layout, _solver(inp, limit))
            except SolveError:  # a trade could not be undone: back to the repaired plan
                h3.changeColsBounds(len(whole), whole, repaired, repaired)
                run(h3, inp, method="simplex")
                traded = 0
            stats["lots_traded_by_repair"] = float(traded)
            stats["trade_objective"] = float(h3.getInfo().objective_function_value)
            stats["trade_s"], step = time.perf_counter() - step, time.perf_counter()
            if cost_stage:
                dropped = _drop_unneeded_lots(h3, m, layout, inp, whole, dived)
                stats["lots_dropped_by_repair"] = float(dropped)
                stats["drop_s"] = time.perf_counter() - step
            objective = float(h3.getInfo().objective_function_value)
            solution = np.asarray(h3.getSolution().col_value)
            if cost_stage:
                step = time.perf_counter()
                solution, cost_status, cheaper, objective = _cheaper_lots(
                    h3, m, layout, inp, whole, relaxed, limit
                )
                stats["lots_moved_to_cheaper_plan"] = float(cheaper)
                stats["cheaper_s"] = time.perf_counter() - step
                if cost_status is not Status.OPTIMAL:
                    status = cost_status
        stats["whole_lots_s"] = time.perf_counter() - clock
    if np.isnan(bound):
        gap = float("nan")
    else:
        gap = max(objective - bound, 0.0) / abs(objective) if abs(objective) > 1e-9 else 0.0
    if status is Status.FRACTIONAL:
        gap = 0.0  # the relaxed plan is the bound: but it is not in whole lots
    elif gap > inp.scenario.meta.policy.plan_gap + 1e-12 and status is Status.OPTIMAL:
        status = Status.GAP
    stats.update(bound=bound, gap=gap, lp_objective=best)
    values = {name: compat.values_of(m.variables[name], layout, solution) for name in m.variables}
    spending = _evaluate(m.expressions[E.SPENDING], layout, solution) * inp.money_scale
    stats["total_s"] = time.perf_counter() - started
    return Solved(
        model=m,
        highs=h,
        layout=layout,
        inputs=inp,
        solution=Solution(
            values=values,
            duals=duals,
            spending=spending,
            objective=objective,
            cost=float(spending.sum()),
            status=status,
            mip=mip or bool(len(whole) or any(len(cols) for cols in decided)),
            stats=stats,
            bound=bound,
            gap=gap,
            base_objective=best,
            base_values=base_values,
        ),
        columns=solution,
    )


#: A rounding step's LP re-solve is warm and takes a few hundred simplex iterations at
#: nato-2024's size when it holds; one that runs longer (an infeasibility the dual
#: simplex is slow to prove, or a batch that moves the plan so far that halving it is
#: quicker) counts as failed. The bound is in simplex iterations, so that the same
#: scenario gives the same plan on any machine at any load: a share of the
#: relaxation's own iterations (a warm step that needs a good part of a cold solve is
#: no longer warm), between STEP_FLOOR and STEP_CAP. It was a time limit (the
#: relaxation's time, 1-10 s) until CI's loaded machine failed more steps than an idle
#: one and ended nato-2024's plan 5.2 % above its bound instead of about 4 %.
STEP_SHARE = 0.125  # nato-2024: 26,055 iterations cold, so 3,257 a step
STEP_FLOOR = 500
STEP_CAP = 50_000

#: A rounding or repair step that tries to raise a lot its line or components cannot
#: make is infeasible, and HiGHS's dual simplex is now and then very slow to prove it:
#: it finds a ray, cannot prove it (``assessPossiblyDualUnbounded``), rejects the
#: candidate and chooses again, many times an iteration. HiGHS calls its simplex
#: interrupt callback at each such try, and a step is stopped (failed) after this many
#: calls that did not advance the iteration count. Counted, not timed, so that the
#: same scenario gives the same plan at any load. Measured on nato-2024's rounding
#: (117 steps): a step that held wasted at most 42 such calls; the slow infeasible
#: steps 375 to 8,027, about 400 calls a second (one in the raise ran 20 s into
#: :data:`STEP_GUARD_SECONDS`; one in the trades took 11 s to be proved infeasible).
STEP_STALL = 200

#: Now and then HiGHS's dual simplex spins inside one iteration (in its ratio test,
#: HEkkDualRow::chooseFinal, seen on a repair step of nato-2024: over nine minutes
#: without reaching its iteration limit); a step still running after this long is
#: failed. A step at its iteration limit takes about 2 s on an idle 2-core machine.
STEP_GUARD_SECONDS = 20.0

_NO_LIMIT = 2**31 - 1


class _Stall:
    """HiGHS's simplex interrupt callback for a step: interrupts the run once
    ``most`` calls have come without a new iteration (see :data:`STEP_STALL`)."""

    def __init__(self, most: int) -> None:
        self.most, self.idle, self.last = most, 0, -1

    @property
    def stalled(self) -> bool:
        return self.idle > self.most

    def __call__(self, event: highspy.highs.HighsCallbackEvent) -> None:
        count = int(event.data_out.simplex_iteration_count)
        if count == self.last:
            self.idle += 1
        self.last = count
        # Said at every call, not only to stop: HiGHS keeps the flag from one run to
        # the next, and a step after a stopped one would stop at once.
        event.interrupt(self.idle > self.most)


def step_iterations(relaxation_iterations: int) -> int:
    """The simplex iteration limit of one rounding or repair step."""
    return int(min(max(round(STEP_SHARE * relaxation_iterations), STEP_FLOOR), STEP_CAP))


def _drop_unneeded_lots(
    h: highspy.Highs,
    m: linopy.Model,
    layout: compat.Layout,
    inp: ModelInputs,
    whole: np.ndarray,
    dived: np.ndarray,
) -> int:
    """After the repairs: the lots held above the dive's that the shortfall does not
    need, dropped. The repair raises at once every lot whose reduced cost helps, though
    one of them may close the gap (a lot of 200 against a target of 120, in each of
    twelve monthly periods); those lots are freed between the dive's and what they
    hold, the least cost found at the least shortfall (:func:`_cost_stage`), and each
    held at the whole number above that. Where the shortfall would rise at all, the lots
    stay as they were. ``h`` ends solved with every lot held; returns the lots dropped."""
    held = np.round(np.asarray(h.getSolution().col_value)[whole])
    extra = np.flatnonzero(held > dived + 0.5)
    if not len(extra):
        return 0
    cols = whole[extra].astype(np.int32)
    before = float(h.getInfo().objective_function_value)
    h.changeColsBounds(len(cols), cols, dived[extra], held[extra])
    try:
        run(h, inp, method="simplex")
        best = float(h.getInfo().objective_function_value)
        x, _ = _cost_stage(h, m, layout, inp, best)
        need = np.minimum(np.ceil(x[cols] - lots.INTEGRAL), held[extra])
        need = np.maximum(need, dived[extra])
        h.changeColsBounds(len(cols), cols, need, need)
        run(h, inp, method="simplex")
        if float(h.getInfo().objective_function_value) > before + 1e-9 * max(abs(before), 1.0):
            raise SolveError("dropping lots would raise the shortfall")
    except SolveError:  # _Infeasible too
        h.changeColsBounds(len(cols), cols, held[extra], held[extra])
        run(h, inp, method="simplex")
        return 0
    return round(float((held[extra] - need).sum()))


def _cheaper_lots(
    h: highspy.Highs,
    m: linopy.Model,
    layout: compat.Layout,
    inp: ModelInputs,
    whole: np.ndarray,
    least_cost: np.ndarray,
    iterations: int,
) -> tuple[np.ndarray, Status, int, float]:
    """The plan's least cost at its shortfall (:func:`_cost_stage`), or a cheaper plan
    in whole lots of no more shortfall where the least-cost relaxed plan gives one.

    The dive rounds the vertex the first stage ended on: where plans of equal shortfall
    differ in cost (three lines able to fill an order, the first the cheapest), it may
    hold lots on a dear line that the cost stage can then not move. The least-cost
    relaxed plan's lots (``least_cost``), rounded to the nearer and then to the upper
    whole number, are each tried, warm from the plan's basis: a candidate is kept if
    its shortfall is no more than the plan's (to the solver's accuracy) and its least
    cost is lower. Each try is a step of ``iterations`` simplex iterations at most, so
    the outcome is the same at any load. ``h`` is left as it was (the plan's lots held);
    returns the least-cost solution of the lots kept, its status, how many lots moved,
    and its shortfall.
    """
    held = np.round(np.asarray(h.getSolution().col_value)[whole])
    shortfall = float(h.getInfo().objective_function_value)
    cost = _cost_vector(m, layout, inp, h.getNumCol())
    solution, status = _cost_stage(h, m, layout, inp, shortfall)
    spent, kept = float(cost @ solution), held
    for candidate in lot_candidates(np.asarray(least_cost)[whole]):
        if np.array_equal(candidate, kept):
            continue
        h4 = held_at(h, whole, candidate, inp, iterations)
        if h4 is None:
            continue
        short = float(h4.getInfo().objective_function_value)
        if short > shortfall + 1e-9 * max(abs(shortfall), 1.0):
            continue
        x, cost_status = _cost_stage(h4, m, layout, inp, short)
        if float(cost @ x) < spent * (1 - 1e-9) - 1e-9:
            solution, status, spent, kept = x, cost_status, float(cost @ x), candidate
            shortfall = short
    return solution, status, round(float(np.abs(kept - held).sum())), shortfall


def lot_candidates(relaxed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A relaxed plan's lots rounded to the nearer and to the upper whole number: the
    plans in whole lots tried beside the dive's (:func:`_cheaper_lots`)."""
    return np.floor(relaxed + 0.5), np.ceil(relaxed - lots.INTEGRAL)


def copy_of(h: highspy.Highs, *, warm: bool = True) -> highspy.Highs:
    """A new, silent HiGHS instance with ``h``'s LP (and its basis, when ``warm``)."""
    with quiet():
        copy = highspy.Highs()
    copy.setOptionValue("output_flag", False)
    copy.passModel(h.getLp())
    if warm:
        copy.setBasis(h.getBasis())
    return copy


def held_at(
    h: highspy.Highs, whole: np.ndarray, candidate: np.ndarray, inp: ModelInputs, iterations: int
) -> highspy.Highs | None:
    """A copy of ``h``'s LP with the lots held at ``candidate``, solved warm from ``h``'s
    basis in one step of ``iterations`` simplex iterations at most (so the outcome is
    the same at any load); None where it finds no optimal plan (the candidate breaks a
    budget or capacity)."""
    h4 = copy_of(h)
    h4.changeColsBounds(len(whole), whole, candidate, candidate)
    try:
        status = run(h4, inp, method="simplex", retry=False, iterations=iterations)
    except SolveError:  # infeasible too
        return None
    return h4 if status is Status.OPTIMAL else None


def _cost_vector(m: linopy.Model, layout: compat.Layout, inp: ModelInputs, n: int) -> np.ndarray:
    """The cost objective's coefficients: spending over :func:`cost_scale`, and the
    tie-break :data:`HOLDING` on output held for no order."""
    index, coeffs = layout.terms(m.expressions[E.COST])
    cost = np.zeros(n)
    cost[index] = coeffs / cost_scale(inp)
    held, holding = _holding_cost(m, layout, inp)
    cost[held] += holding
    return cost


def _round(
    h: highspy.Highs,
    whole: np.ndarray,
    inp: ModelInputs,
    worth: np.ndarray | None,
    iterations: int,
    cap: np.ndarray | None = None,
) -> tuple[highspy.Highs | None, np.ndarray | None]:
    """The plan's LP rounded to whole lots (see :func:`lots.round_lots`), or None; with
    ``cap`` (:func:`lots_cap`), the most lots of each contract the dive may hold."""
    lp = h.getLp()
    if cap is not None:
        upper = np.asarray(lp.col_upper_).copy()
        upper[whole] = np.minimum(upper[whole], cap)
        lp.col_upper_ = upper
    try:
        return lots.round_lots(lp, whole, _solver(inp, iterations), basis=h.getBasis(), worth=worth)
    except SolveError:
        return None, None


#: How far above the least-cost relaxed plan's lots the dive may hold a contract's. The
#: least shortfall does not count money, so the first stage's vertex may buy lots no
#: target needs while the budget has room (on nato-2024, 4.3 M rounds from US_155
#: where the least-cost plan of the same shortfall buys 2.3 M), and once the dive holds
#: them the cost stage can no longer take them back: the plan spent 107.2 bn USD where
#: its own LP at the same shortfall spends 89.4 bn (``bench/rounding_runs.py
#: --cost-bound``). Capped at the least-cost plan's lots and a tenth more, the plan cost
#: 103.3 bn at a shortfall of 4,700 instead of 4,715 target-months; the tenth leaves the
#: dive room to make up for lots rounded down (with none, 102.5 bn but 4,732). Measured
#: on four horizons (docs/performance.md): cheaper on three (1.7-6.5 %) at a shortfall
#: 0.3 % lower to 0.1 % higher, the same plan on the fourth. Where the capped dive
#: cannot reach the price tiers chosen, the dive at base prices runs without the cap
#: (the least-cost plan was costed at the tiers): with pooling off nato-2024 takes that
#: path, and its plan is the same as without the cap to the last digit; capped there
#: too it ended 20 % above its bound.
LOTS_HEADROOM = 0.1


def lots_cap(whole: np.ndarray, least_cost: np.ndarray) -> np.ndarray:
    """The most lots of each contract the dive may hold: the least-cost relaxed plan's
    (``least_cost``, every column) and :data:`LOTS_HEADROOM` more, rounded up."""
    return np.ceil(np.asarray(least_cost)[whole] * (1 + LOTS_HEADROOM) - lots.INTEGRAL)


def _plan_lp(
    h: highspy.Highs, m: linopy.Model, layout: compat.Layout
) -> tuple[float, dict[str, xr.DataArray], dict[str, xr.DataArray]]:
    """The plan's LP as solved on ``h``: its weighted shortfall, the shadow prices of the
    binding families, and the shortfall, unmet demand and stock what-ifs compare with."""
    x = np.asarray(h.getSolution().col_value)
    row_dual = np.asarray(h.getSolution().row_dual)
    duals = {
        name: compat.duals_of(m.constraints[name], layout, row_dual)
        for name in BINDING
        if name in m.constraints
    }
    values = {
        name: compat.values_of(m.variables[name], layout, x)
        for name in (V.SHORT, V.UNMET, V.STOCK)
        if name in m.variables
    }
    return float(h.getInfo().objective_function_value), duals, values


def _base_tiers(h: highspy.Highs, m: linopy.Model, layout: compat.Layout) -> None:
    """Hold every contract's price tier at the base price (tier 0, from quantity 0)."""
    cols = layout.columns(m.variables[V.TIER])
    base = (cols.coords["tier"] == 0).broadcast_like(cols).values
    keep = cols.values >= 0
    value = base[keep].astype(float)
    index = cols.values[keep].astype(np.int32)
    h.changeColsBounds(len(index), index, value, value)


def _solver(inp: ModelInputs, iterations: int) -> Callable[[highspy.Highs], None]:
    """Solve and return only on an optimal LP; raise otherwise (a failed rounding step).
    Its ``full`` attribute solves without the step's limit (to settle back on a plan
    known to hold after a failed step)."""

    def solve(h: highspy.Highs) -> None:
        # The basis the step starts from is the last plan that held: a failed step
        # leaves it, so that the solve after (the step undone, or half of it) starts
        # warm again, not from wherever the failed one stopped.
        basis = h.getBasis()
        try:
            if run(h, inp, method="simplex", retry=False, iterations=iterations) is Status.OPTIMAL:
                return
        except SolveError:
            h.setBasis(basis)
            raise
        h.setBasis(basis)
        raise SolveError(f"a rounding step found no optimal LP within {iterations:,} iterations")

    def full(h: highspy.Highs) -> None:
        run(h, inp, method="simplex")

    solve.full = full  # type: ignore[attr-defined]
    return solve


def _decide(
    h: highspy.Highs,
    m: linopy.Model,
    layout: compat.Layout,
    inp: ModelInputs,
    say: Progress,
    iterations: int,
) -> None:
    """Take qualifications, open or close warm lines and place contracts on lines with a
    least rate, from the least-cost relaxed plan (see :mod:`materiel.planner.lots`),
    and solve the plan's LP.

    Warm lines are open where the relaxation keeps them half open or more, else where it
    keeps them fully open, else all open, the first that holds; contracts are placed in
    batches, halved where a batch cannot hold.
    """
    best = float(h.getInfo().objective_function_value)
    x, _ = _cost_stage(h, m, layout, inp, best)
    if V.QUALIFY in m.variables:  # qualifications first: they decide what may be ordered
        lots.qualify_used(h, m, layout, x, _solver(inp, iterations))
        best = float(h.getInfo().objective_function_value)
        x, _ = _cost_stage(h, m, layout, inp, best)
    openings: list[np.ndarray | None] = [None]
    if V.OPEN in m.variables:  # half open or more; fully open only; every line open
        openings = [lots.open_lines(m, layout, inp, x, share=k) for k in (0.5, 1.0)] + [None]
    for opening in openings:
        lots.fix_open(h, m, layout, opening)
        try:
            if V.PLACED in m.variables:
                lots.place_one_by_one(h, m, layout, inp, x, _solver(inp, iterations))
            else:
                run(h, inp, method="simplex")
            return
        except _Infeasible:
            say("the warm lines as rounded cannot hold: trying the next choice")
    raise _Infeasible


def _evaluate(expr: compat.Expression, layout: compat.Layout, x: np.ndarray) -> xr.DataArray:
    data = expr.data
    labels = data["vars"].values
    cols = np.where(labels >= 0, layout.column_of[np.clip(labels, 0, None)], -1)
    values = np.where(cols >= 0, x[np.clip(cols, 0, None)], 0.0)
    total = (data["coeffs"] * xr.DataArray(values, dims=data["vars"].dims)).sum("_term")
    return (total + data["const"]) if "const" in data else total


#: A reduced cost or dual this large (relative to the largest objective coefficient)
#: marks a column or row that every optimal plan of the first stage shares.
FACE_TOLERANCE = 1e-10


def _cost_stage(
    h: highspy.Highs, m: linopy.Model, layout: compat.Layout, inp: ModelInputs, best: float
) -> tuple[np.ndarray, Status]:
    """Least cost among the plans of least shortfall, on a copy of the stage-1 LP."""
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    rc = np.asarray(sol.col_dual)
    activity, dual = np.asarray(sol.row_value), np.asarray(sol.row_dual)
    lp = h.getLp()
    weight = max(float(np.abs(np.asarray(lp.col_cost_)).max(initial=0.0)), 1e-12)
    with quiet():
        h2 = highspy.Highs()
    h2.setOptionValue("output_flag", False)
    h2.passModel(lp)
    n = h2.getNumCol()
    cost = _cost_vector(m, layout, inp, n)
    h2.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    fixed_cols = np.flatnonzero(np.abs(rc) > FACE_TOLERANCE * weight).astype(np.int32)
    h2.changeColsBounds(len(fixed_cols), fixed_cols, x[fixed_cols], x[fixed_cols])
    tight = np.flatnonzero(np.abs(dual) > FACE_TOLERANCE * weight).astype(np.int32)
    compat.change_rows_bounds(h2, tight, activity[tight], activity[tight])
    # The stage-1 basis is feasible on the face: the primal simplex goes on from it.
    h2.setBasis(h.getBasis())
    status = run(h2, inp, method="simplex", strategy=4)
    shortfall_index, shortfall_coeffs = layout.terms(m.expressions[E.SHORTFALL])
    plan = np.asarray(h2.getSolution().col_value)
    if float(plan[shortfall_index] @ shortfall_coeffs) > best + _slack(inp, best):
        # The face was too wide (a reduced cost below the tolerance): keep the stage-1
        # shortfall by an explicit row instead.
        h2.passModel(lp)
        h2.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h2.addRow(
            -highspy.kHighsInf,
            best + _slack(inp, best),
            len(shortfall_index),
            shortfall_index,
            shortfall_coeffs,
        )
        status = run(h2, inp, method="ipm")
        plan = np.asarray(h2.getSolution().col_value)
    return plan, status


#: The tie-break of the least-cost stage [of the unit's price, a month]: of plans of
#: equal shortfall and cost, the one whose producers hold least output made for new
#: orders and not yet dispatched (else a line may run above what its contracts take and
#: keep the rest, which no one ordered and which a simulation would count as real).
HOLDING = 1e-4


def _holding_cost(
    m: linopy.Model, layout: compat.Layout, inp: ModelInputs
) -> tuple[np.ndarray, np.ndarray]:
    """The producers' held-output columns and their tie-break cost: HOLDING of the
    line's item price a unit a month, in the cost objective's scale, times the unit a
    column counts in (``model.held_unit``)."""
    grid = layout.columns(m.variables[V.HELD]).transpose("line", "month")
    per_unit = line_base_price(inp) * compat.unit_of(m.variables[V.HELD])
    per_line = per_unit.reindex(line=grid.coords["line"]).values
    cols = grid.values
    costs = np.broadcast_to(HOLDING * per_line[:, None] / cost_scale(inp), cols.shape)
    keep = cols >= 0
    return cols[keep].astype(np.int32), costs[keep]


def _slack(inp: ModelInputs, best: float) -> float:
    return max(inp.scenario.meta.policy.shortfall_tolerance * abs(best), 1e-7)


#: Families tried, one at a time, to name what makes a model infeasible.
_DIAGNOSE = (C.INDUSTRY, C.SUSTAINING)


def _named_infeasibility(inp: ModelInputs) -> InfeasibleError:
    in_model = {
        C.INDUSTRY: inp.scenario.meta.policy.industry_rule_months > 0,
        C.SUSTAINING: bool(inp.warm_lines.any()),
    }
    for family in _DIAGNOSE:
        if not in_model.get(family, True):
            continue
        relaxed = build_model(inp, BuildOptions(without=frozenset({family})))
        with quiet():
            h, _ = compat.to_highs(relaxed)
        n = h.getNumCol()  # the relaxation answers whether a plan exists at all
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), compat.integrality(n, integer=False)
        )
        try:
            run(h, inp, method="choose")
        except _Infeasible:
            continue
        return InfeasibleError(
            family,
            "the plan is infeasible with this constraint and feasible without it "
            + (
                "(existing contracts may need an expansion that firm orders do not cover)"
                if family == C.INDUSTRY
                else "(a warm line's output must be bought while it winds down or stays "
                "open, and no budget pays for it: lower sustaining_rate, raise ramp or "
                "budgets)"
            ),
        )
    return InfeasibleError(
        "existing contracts, capacity, ramp rates and budgets",
        "no plan delivers the fixed deliveries of existing contracts within line "
        "capacity, ramp rates, component supply and budgets; check the contracts table",
    )
