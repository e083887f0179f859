"""Solving: HiGHS through linopy's direct API (no files on disk), named failures.

With volume price tiers the model is a MIP; it is solved, then re-solved as an LP with
the chosen tiers fixed so that every binding constraint gets a shadow price.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import linopy
import xarray as xr

from materiel.errors import InfeasibleError, SolveError
from materiel.plan.inputs import ModelInputs
from materiel.plan.model import BINDING, C, V, BuildOptions, build_model

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
    objective: float
    status: Status
    mip: bool


def _run(m: linopy.Model, inp: ModelInputs) -> tuple[str, str]:
    policy = inp.scenario.meta.policy
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return m.solve(
            solver_name="highs",
            io_api="direct",
            progress=False,
            time_limit=policy.time_limit,
            mip_rel_gap=policy.mip_gap,
            output_flag=False,
        )


def _ok(status: str, condition: str) -> Status | None:
    if status == "ok" and condition == "optimal":
        return Status.OPTIMAL
    if condition in ("time_limit", "iteration_limit") and status in ("ok", "warning"):
        return Status.FEASIBLE
    return None


#: Families tried, one at a time, to name what makes a model infeasible.
_DIAGNOSE = (C.INDUSTRY,)


def solve_inputs(inp: ModelInputs, progress: Progress | None = None) -> Solution:
    """Build, solve, and (for a MIP) re-solve with tiers fixed to get shadow prices."""
    say = progress or (lambda _msg: None)
    say("building the model")
    m = build_model(inp)
    mip = V.TIER in m.variables
    say(f"solving ({m.nvars:,} variables, {m.ncons:,} constraints"
        f"{', with volume price tiers' if mip else ''})")
    status, condition = _run(m, inp)
    ok = _ok(status, condition)
    if ok is None:
        _raise_for(inp, condition)
    if m.variables[V.SHIP].solution.isnull().all() and m.variables[V.SHIP].size:
        raise SolveError(f"the solver returned no solution ({status}, {condition})")
    if mip:
        say("fixing the chosen price tiers and re-solving for shadow prices")
        choice = m.variables[V.TIER].solution.fillna(0).round()
        lp = build_model(inp, BuildOptions(tier_choice=choice))
        lp_status, lp_condition = _run(lp, inp)
        if _ok(lp_status, lp_condition) is None:
            raise SolveError(f"re-solve with fixed tiers failed ({lp_condition})")
        values = {name: m.variables[name].solution for name in m.variables}
        source = lp
    else:
        values = {name: m.variables[name].solution for name in m.variables}
        source = m
    duals = {name: source.constraints[name].dual for name in BINDING
             if name in source.constraints}
    spending = m.expressions["spending"].solution  # type: ignore[attr-defined]
    return Solution(values=values, duals=duals, spending=spending,
                    objective=float(m.objective.value or 0.0), status=ok, mip=mip)


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
