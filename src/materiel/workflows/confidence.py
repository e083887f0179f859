"""A plan that holds: ``materiel plan --confidence 0.9``.

Plan, simulate, and where a target is met in fewer than the asked share of futures,
plan it to a higher level (a buffer above the real target) and try again:

1. simulate the plan against the real targets;
2. for each target not surely at the confidence ``c`` (the lower end of the 95 % Wilson
   interval of its probability below ``c``), the buffer grows by how far the
   ``(1 − c)`` quantile of simulated stock at the date falls short of the target, plus
   1 % of the target (so that the next round does not stop just short);
3. re-plan with the buffered levels; stop when every target holds, when a buffered
   level can no longer be reached by the plan itself (budgets or capacity bind), or
   after ``rounds`` rounds.

The last plan is checked on an independent set of futures (seed + 1) and the result
says, for each target, its buffer, its probability before and after with the interval
after, and, for those that cannot reach the confidence, why: a target reaches it only
when the lower end of its interval does; one whose estimate does but whose interval
reaches below is said to be uncertain, with the interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from materiel.errors import InputError
from materiel.planner import Plan, PlanResult
from materiel.planner import plan as make_plan
from materiel.scenario import Scenario, apply_overrides
from materiel.simulation import Simulation, simulate, surely_reaches

MARGIN = 0.01  # of the target, added to each raise of a buffer


@dataclass
class ConfidentPlan:
    """The plan returned, its check, and what each target needed."""

    result: PlanResult  # the last plan (of the scenario with buffered targets)
    plan: Plan  # the same, for the simulator: made for the buffered scenario of `base`
    simulation: Simulation  # the check, on futures independent of those that set buffers
    table: pd.DataFrame  # ally, group, target, buffer, probability before/after, why
    confidence: float
    rounds: int


def check_confidence(confidence: float, name: str = "confidence") -> None:
    """A confidence level is a share of futures strictly between 0 and 1 (InputError
    naming it as the caller spells it)."""
    if not 0 < confidence < 1:
        raise InputError(f"{name} must lie between 0 and 1 (e.g. 0.9), not {confidence}")


def plan_with_confidence(
    scenario: Scenario,
    confidence: float,
    *,
    futures: int = 2_000,
    seed: int = 7,
    rounds: int = 4,
    explain: int = 0,
    compare_pooling: bool = False,
    say: Callable[[str], None] | None = None,
) -> ConfidentPlan:
    """Plan ``scenario`` so that each target is met by its date in at least
    ``confidence`` of the simulated futures where the plan can reach that."""
    check_confidence(confidence)
    if not 1 <= rounds <= 20:
        raise InputError(f"rounds must be between 1 and 20, not {rounds}")
    say = say or (lambda _m: None)
    base_digest = scenario.digest()
    buffers: dict[tuple[str, str], float] = {}
    current = scenario
    result = make_plan(current, explain=0, compare_pooling=False)
    before: np.ndarray | None = None
    done = 0
    stuck: dict[tuple[str, str], str] = {}
    for done in range(1, rounds + 1):
        sim = simulate(
            _plan_of(result, base_digest), scenario, futures=futures, seed=seed, sensitivity=0
        )
        probability = sim.probability()
        if before is None:
            before = probability
        raised = _raise_buffers(sim, result, confidence, buffers, stuck)
        say(
            f"round {done}: {int((probability >= confidence).sum())} of {len(probability)} "
            f"targets at {confidence:.0%} or more; {raised} buffers raised"
        )
        if not raised:
            break
        current = _buffered(scenario, buffers)
        result = make_plan(current, explain=0, compare_pooling=False)
    if explain or compare_pooling:
        result = make_plan(current, explain=explain, compare_pooling=compare_pooling)
    final = _plan_of(result, base_digest, buffers)
    check = simulate(final, scenario, futures=futures, seed=seed + 1, sensitivity=0)
    assert before is not None
    table = _table(check, before, buffers, confidence, stuck)
    return ConfidentPlan(result, final, check, table, confidence, done)


def _plan_of(
    result: PlanResult, base_digest: str, buffers: dict[tuple[str, str], float] | None = None
) -> Plan:
    """The plan of ``result``, marked as made for the unbuffered scenario."""
    plan = Plan.from_result(result)
    summary = {**plan.summary, "base_digest": base_digest}
    tables = dict(plan.tables)
    if buffers is not None:
        tables["buffers"] = pd.DataFrame(
            [{"ally": a, "group": g, "buffer": b} for (a, g), b in sorted(buffers.items())],
            columns=["ally", "group", "buffer"],
        )
    return Plan(
        scenario_name=plan.scenario_name,
        scenario_digest=plan.scenario_digest,
        start=plan.start,
        horizon=plan.horizon,
        currency=plan.currency,
        tables=tables,
        summary=summary,
    )


def _raise_buffers(
    sim: Simulation,
    result: PlanResult,
    confidence: float,
    buffers: dict[tuple[str, str], float],
    stuck: dict[tuple[str, str], str],
) -> int:
    """Raise the buffer of each target below ``confidence`` that the plan itself meets;
    record in ``stuck`` why the others cannot get there. Returns how many rose."""
    inp = sim.inputs
    rows = inp.target_rows
    low, _ = sim.interval()
    low_quantile = np.quantile(sim.outcome.at_due[:, rows], 1 - confidence, axis=0)
    planned = result.targets.set_index(["ally", "group"])
    raised = 0
    for j, i in enumerate(rows):
        key = (str(inp.row_ally[i]), str(inp.row_group[i]))
        if surely_reaches(low[j], confidence):  # the whole interval is at the level
            continue
        level = float(planned.loc[key, "target"])  # the level planned to, buffer included
        at_date = float(planned.loc[key, "stock_at_date"])
        if at_date < level * (1 - 1e-3):
            stuck[key] = _why(result, key, level, at_date)
            continue
        # at the quantile already, but not surely above the level: the margin alone
        gap = max(0.0, float(inp.threshold[i] - low_quantile[j]))
        buffers[key] = buffers.get(key, 0.0) + gap + MARGIN * float(inp.target[i])
        stuck.pop(key, None)
        raised += 1
    return raised


def _why(result: PlanResult, key: tuple[str, str], level: float, at_date: float) -> str:
    """Why the plan cannot reach ``level``: the ally's budget or the group's capacity."""
    ally, group = key
    due = str(result.targets.set_index(["ally", "group"]).loc[key, "target_date"])
    year = int(due[:4])
    spend = result.spending()
    mine = spend[(spend["ally"] == ally) & (spend["year"] <= year)]
    used = float(mine["total"].sum()) / max(float(mine["budget"].sum()), 1e-9)
    short = f"the plan reaches {at_date:,.0f} of the {level:,.0f} needed by {due}"
    if used >= 0.99:
        return f"{short}: {ally}'s budget to {year} is spent ({100 * used:.0f}%)"
    return (
        f"{short}: {ally} has budget left ({100 * used:.0f}% used to {year}); the lines "
        f"of {group} and their components are taken up before the date"
    )


def _buffered(scenario: Scenario, buffers: dict[tuple[str, str], float]) -> Scenario:
    """``scenario`` with each buffered target raised on its first stockpile row."""
    groups = scenario.group_of()
    overrides = []
    for (ally, group), buffer in buffers.items():
        row = next(
            r for r in scenario.records("stockpiles") if r.ally == ally and groups[r.item] == group
        )
        overrides.append(f"stockpiles.{ally}:{row.item}.target={row.target + buffer:.6f}")
    return apply_overrides(scenario, overrides)


def _table(
    check: Simulation,
    before: np.ndarray,
    buffers: dict[tuple[str, str], float],
    confidence: float,
    stuck: dict[tuple[str, str], str],
) -> pd.DataFrame:
    inp, rows = check.inputs, check.inputs.target_rows
    after = check.probability()
    low, high = check.interval()
    out = []
    for j, i in enumerate(rows):
        key = (str(inp.row_ally[i]), str(inp.row_group[i]))
        reached = bool(surely_reaches(low[j], confidence))
        why = stuck.get(key, "not within the rounds allowed: run with more --rounds")
        if not reached and after[j] >= confidence:
            why = (
                f"uncertain: met in {after[j]:.1%} of {check.futures:,} futures, but its 95% "
                f"interval ({low[j]:.1%} to {high[j]:.1%}) reaches below {confidence:.0%}: "
                "simulate more futures"
            )
        out.append(
            {
                "ally": key[0],
                "group": key[1],
                "target": float(inp.target[i]),
                "buffer": buffers.get(key, 0.0),
                "planned_level": float(inp.target[i]) + buffers.get(key, 0.0),
                "p_before": float(before[j]),
                "p_after": float(after[j]),
                "p_after_low": float(low[j]),
                "p_after_high": float(high[j]),
                "reaches_confidence": bool(reached),
                "why_not": "" if reached else why,
            }
        )
    frame = pd.DataFrame(out)
    return frame.sort_values(["reaches_confidence", "p_after", "ally"]).reset_index(drop=True)
