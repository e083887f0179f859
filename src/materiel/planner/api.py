"""``plan(scenario)``: build, solve, explain what binds, and value pooling."""

from __future__ import annotations

import dataclasses
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pandas as pd

from materiel.errors import InfeasibleError, InputError, MaterielError, SolveError
from materiel.planner import bottlenecks as bn
from materiel.planner import supplychain, workshare
from materiel.planner.result import PlanResult, objective_by_group
from materiel.planner.solve import Progress, Solution, solve_inputs
from materiel.processes import as_worker, end_now
from materiel.scenario import ModelInputs, Scenario, apply_overrides, build_inputs, load_scenario


def plan(
    scenario: Scenario | str | Path,
    *,
    overrides: list[str] | dict[str, Any] | None = None,
    explain: int = 3,
    compare_pooling: bool = True,
    progress: Progress | None = None,
) -> PlanResult:
    """Plan a scenario (object, folder or built-in name).

    ``overrides`` (``"policy.pooling=false"``, ...) apply to the scenario given, object
    or not; ``explain`` is how many of the top bottlenecks are re-solved with their limit
    10 % larger (warm, on the solved model); ``compare_pooling`` solves once more with
    pooling switched the other way to say what pooling is worth.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides=overrides)
    elif overrides:
        scenario = apply_overrides(scenario, overrides)
    if explain < 0:
        raise InputError(f"explain must be 0 or more, found {explain}")
    say = progress or (lambda _msg: None)
    inputs = build_inputs(scenario)
    # The pooling comparison is a second, independent solve: it runs beside the plan in
    # another process (a second core), since HiGHS holds the interpreter while it solves.
    other = _flipped(inputs) if compare_pooling and inputs.pooling_matters else None
    context = multiprocessing.get_context("fork")
    before = set(multiprocessing.active_children())  # the caller's own, left alone
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=as_worker)
    try:
        pending = pool.submit(_solve_quietly, other) if other is not None else None
        if pending is not None:
            say(f"solving with pooling {'off' if scenario.meta.policy.pooling else 'on'} beside")
        solved = solve_inputs(inputs, say)
        work_share = workshare.work_share_price(solved, say)
        result = PlanResult(scenario=scenario, inputs=inputs, solution=solved.solution)
        ranked = bn.rank(inputs, solved.solution)
        labels = result.group_labels
        ranked, groups = bn.explain(
            solved,
            ranked,
            explain,
            lambda values: objective_by_group(inputs, values, labels),
            say,
        )
        risk = supplychain.outage_risks(
            solved, lambda values: objective_by_group(inputs, values, labels), say
        )
        worth, standard = supplychain.qualification_worth(solved, say)
        if pending is not None:
            say("waiting for the pooling comparison")
        comparison: Solution | SolveError | None = None
        if pending is not None:
            try:
                comparison = _result_of(pending)
            except MaterielError as exc:  # a side solve never costs the plan
                comparison = SolveError(str(exc))
    except BaseException:  # stopped (Ctrl-C, SIGTERM) or failed: end the side solve now
        end_now(pool, before)
        raise
    pool.shutdown(wait=True)
    pooling = None
    if compare_pooling:
        pooling = value_of_pooling(result, say, comparison=comparison)
    return dataclasses.replace(
        result,
        bottlenecks=ranked,
        bottleneck_groups=groups,
        pooling=pooling,
        supply_risk=risk,
        qualification_worth=worth,
        standardisation=standard,
        work_share_price=work_share,
    )


#: The comparison's tier choice is proven within this relative gap of the best weighted
#: shortfall: buying alone has a price tier per ally, a harder choice than pooled. Both
#: plans are then rounded to whole lots, which leaves each some 3-6 % above its
#: relaxation on nato-2024 (the ``gap_pooled`` and ``gap_alone`` the report states):
#: proving the tiers to 0.1 % took the comparison 49 s of local search against 11 s at
#: 1 % (this machine at load 3), for no difference the rounding does not swamp.
COMPARISON_GAP = 1e-2


def _solve_quietly(inputs: ModelInputs) -> Solution:
    """The comparison solve, in a worker process (no progress callback crosses over)."""
    return solve_inputs(inputs).solution


def _result_of(pending: Future[Solution]) -> Solution:
    try:
        return pending.result()
    except BrokenProcessPool as exc:
        raise SolveError(f"the pooling comparison's worker process failed: {exc}") from exc


def _flipped(inputs: ModelInputs) -> ModelInputs:
    """The same inputs with pooling switched the other way (and the comparison's gap)."""
    meta = inputs.scenario.meta
    policy = meta.policy
    flipped_policy = policy.model_copy(
        update={"pooling": not policy.pooling, "mip_gap": max(policy.mip_gap, COMPARISON_GAP)}
    )
    scenario = dataclasses.replace(
        inputs.scenario, meta=meta.model_copy(update={"policy": flipped_policy})
    )
    return dataclasses.replace(inputs, scenario=scenario)


def value_of_pooling(
    result: PlanResult,
    progress: Progress | None = None,
    *,
    comparison: Solution | SolveError | None = None,
) -> pd.DataFrame:
    """Solve with pooling switched the other way; what pooling saves in money and shortfall.

    The totals are in ``attrs``: spending pooled and alone [currency], money saved, the
    weighted shortfall pooled and alone and its difference [target-months], unmet
    demand pooled and alone [units], and the solver status of the comparison solve
    (proven within ``comparison_mip_gap``). The rows (one per target: months to target
    pooled and alone) are for the record only: months come from one of possibly many
    equally good plans of each solve. Without volume price tiers pooling changes no
    price, the two models are the same and nothing is solved again. ``comparison`` is
    the other solve when it was already made (or the error it ended with).

    A comparison that fails never costs the plan: the table comes back empty, with
    ``attrs["unavailable"]`` saying why and what to try.
    """
    say = progress or (lambda _msg: None)
    meta = result.scenario.meta
    other_inputs = _flipped(result.inputs)
    try:
        if not result.inputs.pooling_matters:
            solution = result.solution
        elif isinstance(comparison, SolveError):
            raise comparison
        elif comparison is not None:
            solution = comparison
        else:
            say(f"solving again with pooling {'off' if meta.policy.pooling else 'on'}")
            solution = solve_inputs(other_inputs, say).solution
    except (SolveError, InfeasibleError) as exc:
        say(f"the pooling comparison is unavailable: {exc}")
        return unavailable_pooling(result, str(exc))
    other = PlanResult(scenario=other_inputs.scenario, inputs=other_inputs, solution=solution)
    pooled, alone = (result, other) if meta.policy.pooling else (other, result)
    gains = bn.months_gained(alone.targets, pooled.targets, meta.horizon)
    gains = gains.rename(
        columns={
            "months_to_target_base": "months_to_target_alone",
            "months_to_target_new": "months_to_target_pooled",
            "gained": "months_gained_by_pooling",
        }
    )
    pooled_totals, alone_totals = pooled.totals(), alone.totals()
    pooled_spend = float(pooled_totals["spending_total"])
    alone_spend = float(alone_totals["spending_total"])
    gains.attrs = {
        "spending_pooled": pooled_spend,
        "spending_alone": alone_spend,
        "money_saved": alone_spend - pooled_spend,
        "objective_pooled": pooled.objective,
        "objective_alone": alone.objective,
        "shortfall_gain": alone.objective - pooled.objective,
        # the relaxations' bounds: pooled is never worse there (any pooled plan may buy as
        # each ally alone would); the plans in whole lots are within their gaps of them
        "bound_pooled": pooled.solution.bound,
        "bound_alone": alone.solution.bound,
        "gap_pooled": pooled.solution.gap,
        "gap_alone": alone.solution.gap,
        "unmet_demand_pooled": float(pooled_totals["unmet_demand_total"]),
        "unmet_demand_alone": float(alone_totals["unmet_demand_total"]),
        "has_tiers": result.inputs.has_tiers,
        "has_min_rates": result.inputs.has_min_rates,
        "comparison_status": str(other.status),
        "comparison_mip_gap": other_inputs.scenario.meta.policy.mip_gap,
        "currency": meta.currency,
    }
    return gains


def unavailable_pooling(result: PlanResult, reason: str) -> pd.DataFrame:
    """The pooling table when its comparison solve failed: no rows, the reason in attrs."""
    frame = pd.DataFrame(
        columns=["ally", "group", "months_to_target_alone", "months_to_target_pooled"]
    )
    frame.attrs = {
        "unavailable": (
            f"{reason}. The plan above is whole; only the comparison with pooling "
            f"{'off' if result.scenario.meta.policy.pooling else 'on'} is missing: plan "
            "again, or raise policy.time_limit"
        ),
        "currency": result.scenario.meta.currency,
        "has_tiers": result.inputs.has_tiers,
    }
    return frame
