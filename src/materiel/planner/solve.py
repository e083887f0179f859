"""Solving: HiGHS through linopy's direct API (no files on disk), named failures.

With volume price tiers the model is a MIP; it is solved, then re-solved as an LP with
the chosen tiers fixed so that every binding constraint gets a shadow price.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

import linopy
import xarray as xr

from materiel.errors import InfeasibleError, SolveError
from materiel.planner.inputs import ModelInputs
from materiel.planner.model import BINDING, BuildOptions, C, E, V, build_model
from materiel.planner.warm import solve_cost_stage

Progress = Callable[[str], None]


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible (time limit reached; not proven optimal)"


@dataclass(frozen=True)
class Solution:
    """Values of the variables, shadow prices of the binding families, the objective."""

    values: dict[str, xr.DataArray]
    duals: dict[str, xr.DataArray]
    spending: xr.DataArray  # [currency] (ally, year), new orders and expansions
    objective: float  # [target-months] weighted shortfall, the first objective
    cost: float  # [currency] new orders and expansions, the second objective
    status: Status
    mip: bool


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the solver's banner, which it writes to file descriptor 1 from C++."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(io.StringIO()):
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _run(m: linopy.Model, inp: ModelInputs, heuristics: float = 0.05) -> tuple[str, str]:
    """Solve with HiGHS; ``heuristics`` is its primal-heuristic effort for a MIP."""
    policy = inp.scenario.meta.policy
    with warnings.catch_warnings(), _quiet_stdout():
        warnings.simplefilter("ignore")
        return m.solve(
            solver_name="highs",
            io_api="direct",
            progress=False,
            time_limit=policy.time_limit,
            mip_rel_gap=policy.mip_gap,
            output_flag=False,
            log_to_console=False,
            mip_heuristic_effort=heuristics,
        )


def _ok(status: str, condition: str) -> Status | None:
    if status == "ok" and condition == "optimal":
        return Status.OPTIMAL
    if condition in ("time_limit", "iteration_limit") and status in ("ok", "warning"):
        return Status.FEASIBLE
    return None


#: Families tried, one at a time, to name what makes a model infeasible.
_DIAGNOSE = (C.INDUSTRY,)


def _solve_checked(
    m: linopy.Model, inp: ModelInputs, stage: str, heuristics: float = 0.05
) -> Status:
    status, condition = _run(m, inp, heuristics)
    ok = _ok(status, condition)
    if ok is None:
        _raise_for(inp, condition)
    if m.objective.value is None:
        raise SolveError(f"{stage}: the solver returned no solution ({status}, {condition})")
    return ok  # type: ignore[return-value]


def cost_scale(inp: ModelInputs) -> float:
    """Money per unit of the cost objective: the largest price, so coefficients are ≤ 1.

    Dividing by a large total instead pushes coefficients below the solver's
    tolerances, and it then leaves money on the table.
    """
    arrays = (inp.price, inp.expansion_cost, inp.supply_cost)
    return max([float(a.max()) for a in arrays if a.size and a.notnull().any()] + [1.0])


def _duals(m: linopy.Model) -> dict[str, xr.DataArray]:
    """Shadow prices of the constraint families that say what binds."""
    return {name: m.constraints[name].dual for name in BINDING if name in m.constraints}


def solve_inputs(
    inp: ModelInputs,
    progress: Progress | None = None,
    *,
    cost_stage: bool = True,
    tier_choice: xr.DataArray | None = None,
    shadow_prices: bool = True,
) -> Solution:
    """Shortfall first, then cost; then shadow prices of the shortfall stage.

    1. minimise the weighted shortfall; 2. add ``shortfall ≤ optimum`` and minimise
    spending, warm on the same HiGHS instance with stage 1's plan as incumbent (see
    warm.py): this is the plan; 3. shadow prices come from stage 1 (an LP), or, with
    volume price tiers (a MIP), from stage 1 re-solved with the plan's tiers fixed.
    ``cost_stage=False`` stops after stage 1 (what-ifs that only ask about months);
    ``tier_choice`` fixes the price tiers, which makes every stage an LP;
    ``shadow_prices=False`` skips the re-solve that a MIP needs for them.
    """
    say = progress or (lambda _msg: None)
    say("building the model")
    m = build_model(inp, BuildOptions(tier_choice=tier_choice))
    mip = V.TIER in m.variables
    say(
        f"solving for the least shortfall ({m.nvars:,} variables, {m.ncons:,} constraints"
        f"{', with volume price tiers' if mip else ''})"
    )
    status = _solve_checked(m, inp, "shortfall stage")
    best = float(m.objective.value)  # type: ignore[arg-type]
    duals = _duals(m)
    values = {name: m.variables[name].solution for name in m.variables}
    spending = m.expressions[E.SPENDING].solution
    cost = float(m.expressions[E.COST].solution)
    if cost_stage:
        say("solving for the least cost at that shortfall")
        tolerance = inp.scenario.meta.policy.shortfall_tolerance
        stage = solve_cost_stage(
            m,
            shortfall=m.expressions[E.SHORTFALL],
            bound=best + max(tolerance * abs(best), 1e-7),
            cost=m.expressions[E.COST],
            spending=m.expressions[E.SPENDING],
            scale=cost_scale(inp),
        )
        if stage is None:
            raise SolveError("cost stage: the solver returned no plan")
        values, spending, cost = stage.values, stage.spending, stage.cost
        if not stage.optimal:
            status = Status.FEASIBLE
    if mip and cost_stage and shadow_prices:
        say("re-solving with the chosen price tiers fixed, for shadow prices")
        choice = values[V.TIER].fillna(0).round()
        fixed = build_model(inp, BuildOptions(tier_choice=choice))
        _solve_checked(fixed, inp, "shadow prices")
        duals = _duals(fixed)
    return Solution(
        values=values,
        duals=duals,
        spending=spending,
        objective=best,
        cost=cost,
        status=status,
        mip=mip,
    )


def _raise_for(inp: ModelInputs, condition: str) -> None:
    if condition not in ("infeasible", "infeasible_or_unbounded"):
        raise SolveError(f"the solver stopped without a plan: {condition}")
    for family in _DIAGNOSE:
        relaxed = build_model(inp, BuildOptions(without=frozenset({family})))
        status, cond = _run(relaxed, inp)
        if _ok(status, cond) is not None:
            raise InfeasibleError(
                family,
                "the plan is infeasible with this constraint and feasible without it "
                "(existing contracts may need an expansion that firm orders do not cover)",
            )
    raise InfeasibleError(
        "existing contracts, capacity and budgets",
        "no plan satisfies the fixed deliveries of existing contracts within line "
        "capacity, component supply and budgets; check the contracts table",
    )
