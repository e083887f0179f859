"""Alternatives near the optimum: modelling to generate alternatives (MGA).

After the optimum (the staged solve: least weighted shortfall S*, then least cost C* at
it), two rows are added to the plan's LP: ``shortfall ≤ (1 + slack)·S*`` and
``cost ≤ (1 + slack)·C*``, and a measure is optimised instead, to find plans that are
nearly as good and as different as they can be (as PyPSA's ``optimize_mga`` does for
energy systems, with the Hop-Skip-Jump order of objectives of Brill et al.):

- ``hosts`` (default): which allies host the capacity added: the value of a month's
  output of the capacity added on lines each ally hosts (added capacity at the horizon's
  end times the item's base price) [currency/month];
- ``money``: where the money goes: each ally's spending over the horizon [currency];
- ``pooled``: which lines take the orders (the value of all buyers' orders on each line
  [currency]), the linear stand-in for which orders are pooled together; the table gives
  the value of each plan's pooled contracts too.

The first alternative minimises the measure on every unit (ally or line) a plan so far
has used (the Hop-Skip-Jump step); the next ones each maximise one unit that the plans
so far have used least. A plan the same as one before (its measure within 1e-6) is
dropped, so fewer than ``count`` may come back.

With a cluster (``remote``), the alternatives after the first are solved there at
once, each a task that solves the optimum again (:func:`most_of`).

**Whole lots** (``policy.whole_lots``, the default): the optimum is the plan in whole
lots as :func:`~materiel.planner.solve.solve_inputs` gives it (``materiel plan``'s), and
S*, C* are measured on it; so the slack rows hold every alternative within the slack of
a plan a programme office can sign. Each alternative is found in three steps:

1. **its direction**, on the optimum's plan LP (lots relaxed; price tiers, contracts
   placed on lines with a least rate and warm lines open held as the optimum's) with
   the slack rows (the shortfall's keeping back what rounding cost the optimum): the
   measure's best, then the least cost there;
2. **a plan in whole lots that goes as far**: the plan as ``materiel plan`` makes it
   (least shortfall, the optimum's own rounding to whole lots and its repairs, least
   cost), with two rows more: the measure at least as good as the relaxed
   alternative's, and the cost's slack row. The rounding runs on the objective it is
   made for, so it takes about as long as the optimum's; rounding the measure's own
   vertex instead (a dive on the slack rows) failed step after step and had not ended
   after 32 minutes on nato-2024;
3. **within the slack**: if that plan is within both slack rows, its lots held and the
   measure's best under them, then the least cost there (where this step does not
   end, the plan of step 2 stands).

Where step 2's plan is past the slack, steps 2 and 3 are tried with the measure held
halfway between the optimum's and the relaxed alternative's; and last, step 3 with the
optimum's own lots. An alternative none of these gives, or whose optimum keeps
fractions, is dropped and listed (:attr:`Alternatives.dropped`), and the output says
how many. With ``policy.whole_lots`` false every plan is the LP relaxation, the optimum
included, and each alternative is its first step.

The plans' objectives are read back from their stock and spending (a shortfall variable
may sit above the gap when it is not minimised), so they are what their tables say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import pandas as pd

from materiel.errors import InputError, SolveError
from materiel.planner import compat, lots
from materiel.planner.model import E, V, line_base_price, order_value_coef
from materiel.planner.result import PlanResult
from materiel.planner.solve import (
    STEP_FLOOR,
    Row,
    Solution,
    Solved,
    Status,
    _evaluate,
    copy_of,
    run,
    solve_inputs,
)
from materiel.scenario import ModelInputs, Scenario, build_inputs

MEASURES: dict[str, str] = {
    "hosts": "value of a month's output of the capacity added, by host ally [currency/month]",
    "money": "spending over the horizon, by ally [currency]",
    "pooled": "value of all buyers' orders, by line [currency]",
}
#: Two plans whose measures differ by less than this (relative to the larger total) are
#: the same plan.
SAME = 1e-3
#: Most solves made to find ``count`` alternatives, per alternative asked.
TRIES = 3


@dataclass(frozen=True)
class Alternative:
    """One plan: its id, the objective that found it, the plan, its measure by unit."""

    plan_id: int
    found_by: str
    result: PlanResult
    shortfall: float  # [target-months] read back: stock, unmet demand, requirements
    cost: float  # [currency] new orders, expansions, idle lines
    measure: pd.Series  # by unit (ally or line), in the measure's unit


@dataclass(frozen=True)
class Alternatives:
    """The optimum (first) and the alternatives within the slack."""

    scenario: Scenario
    measure: str
    slack: float
    plans: list[Alternative]
    #: the objectives whose plan, found on the relaxation, no rounding to whole lots
    #: kept within the slack: dropped (see the module's text)
    dropped: list[str] = field(default_factory=list)

    @property
    def whole_lots(self) -> bool:
        """Whether the plans are in whole lots (``policy.whole_lots``), not relaxed."""
        return self.scenario.meta.policy.whole_lots

    def table(self) -> pd.DataFrame:
        """alternatives.csv: plan id, what found it, the shortfall and cost and the
        slack each uses, the measure by unit and its change from the optimum."""
        best = self.plans[0]
        units = sorted(
            {u for p in self.plans for u, v in p.measure.items() if abs(v) > SAME * _scale(p)}
        )
        rows = []
        for p in self.plans:
            row: dict[str, object] = {
                "plan": p.plan_id,
                "found_by": p.found_by,
                "relaxation": not self.whole_lots,
                "weighted_shortfall": p.shortfall,
                "shortfall_slack_used": _used(p.shortfall, best.shortfall),
                "cost": p.cost,
                "cost_slack_used": _used(p.cost, best.cost),
                "measure": self.measure,
                "distance": float((p.measure - best.measure).abs().sum()),
            }
            for u in units:
                row[f"value:{u}"] = float(p.measure.get(u, 0.0))
            for u in units:
                row[f"change:{u}"] = float(p.measure.get(u, 0.0) - best.measure.get(u, 0.0))
            rows.append(row)
        frame = pd.DataFrame(rows)
        currency = self.scenario.meta.currency
        frame.attrs["units"] = {
            "weighted_shortfall": "target-months",
            "cost": currency,
            "shortfall_slack_used": "-",
            "cost_slack_used": "-",
        }
        return frame


def _scale(p: Alternative) -> float:
    return max(float(p.measure.abs().sum()), 1.0)


def _used(value: float, best: float) -> float:
    """The slack a plan uses: (value − best) / best, 0 where both are 0 [-]."""
    if abs(best) <= 1e-9:
        return 0.0 if abs(value) <= 1e-7 else float("inf")
    return (value - best) / abs(best)


def check_options(slack: float, count: int, measure: str) -> None:
    """A one-line error for an option out of range (nothing is solved)."""
    if not 0 <= slack <= 1:
        raise InputError(f"--slack must be between 0 and 1 (a share of the optimum), got {slack:g}")
    if count < 1:
        raise InputError(f"--count must be 1 or more, got {count}")
    if measure not in MEASURES:
        raise InputError(f"--measure must be one of {', '.join(MEASURES)}, got {measure!r}")


Terms = dict[str, tuple[np.ndarray, np.ndarray]]


def _unit_terms(solved: Solved, measure: str) -> Terms:
    """Each unit's measure as columns and coefficients of the LP [money_scale]."""
    m, layout, inp = solved.model, solved.layout, solved.inputs
    if measure == "money":
        spending = m.expressions[E.SPENDING]
        return {
            str(a): layout.terms(spending.sel(ally=a).sum("year"))
            for a in spending.coords["ally"].values
        }
    if measure == "pooled":
        by_line = (order_value_coef(inp) * m.variables[V.RATE]).sum(["ally", "period"])
        return {
            str(line): layout.terms(by_line.sel(line=line))
            for line in inp.cap0.coords["line"].values
        }
    if V.ADDED not in m.variables:
        raise InputError(
            "no line of this scenario can add capacity (policy.expansion off, or every "
            "ceiling at capacity): the measure hosts has nothing to vary; try --measure money"
        )
    last = line_base_price(inp) * m.variables[V.ADDED].isel(month=-1)
    hosts = {r.id: r.host for r in inp.scenario.records("lines")}
    out: Terms = {}
    for host in sorted(set(hosts.values())):
        mine = [line for line, h in hosts.items() if h == host]
        out[host] = layout.terms(last.sel(line=mine).sum("line"))
    return out


def _measure(terms: Terms, x: np.ndarray, inp: ModelInputs) -> pd.Series:
    return pd.Series(
        {u: float(c @ x[i]) * inp.money_scale for u, (i, c) in terms.items()}, dtype=float
    )


def _objective(terms: Terms, units: list[str], sign: float, n: int) -> np.ndarray:
    cost = np.zeros(n)
    for u in units:
        index, coeffs = terms[u]
        np.add.at(cost, index, sign * coeffs)
    return cost


def _plan_of(
    solved: Solved, x: np.ndarray, status: Status = Status.ALTERNATIVE
) -> tuple[PlanResult, float]:
    """The plan ``x`` as a result, its shortfall variables set to the gaps its stock
    leaves, and its weighted shortfall read back from stock, unmet demand and a
    recipient's requirements."""
    m, layout, inp = solved.model, solved.layout, solved.inputs
    values = {name: compat.values_of(m.variables[name], layout, x) for name in m.variables}
    stock = values[V.STOCK]
    if V.SHORT in values:
        gap = (inp.target - stock).clip(0, None)
        values[V.SHORT] = gap.where(values[V.SHORT].notnull())
    spending = _evaluate(m.expressions[E.SPENDING], layout, x) * inp.money_scale
    solution = Solution(
        values=values,
        duals={},
        spending=spending,
        objective=0.0,
        cost=float(spending.sum()),
        status=status,
        mip=inp.whole_lots,
        bound=0.0,
        base_objective=0.0,
    )
    # the whole first objective, as the slack row bounds it: shortfall (below a floor
    # too), unmet demand and a recipient's requirements (PlanResult.objective_parts)
    parts = PlanResult(scenario=inp.scenario, inputs=inp, solution=solution).objective_parts
    shortfall = float(sum(parts.values()))
    solution = replace(solution, objective=shortfall, bound=shortfall, base_objective=shortfall)
    return PlanResult(scenario=inp.scenario, inputs=inp, solution=solution), shortfall


@dataclass
class _Setup:
    """The optimum's LP with the two slack rows, and each unit's measure on it."""

    solved: Solved
    terms: Terms
    movable: list[str]  # units whose measure has a variable
    x0: np.ndarray  # the optimum: least shortfall, then least cost (in whole lots)
    alt: highspy.Highs  # the optimum's plan LP (lots relaxed) with the slack rows
    cost: tuple[np.ndarray, np.ndarray]  # the cost's columns and coefficients
    slack_rows: list[Row]  # shortfall and cost within the slack of the optimum's
    whole: np.ndarray  # the lots columns; empty when the plan is relaxed
    iterations: int  # the lots-held step's simplex iteration limit (a cold solve's)
    say: Callable[[str], None]

    def solve(self, units: list[str], sign: float) -> np.ndarray | None:
        """The least-cost plan at the best of ``sign``·(the units' measure), in whole
        lots when the scenario is; None when no plan in whole lots was found within the
        slack."""
        n = self.alt.getNumCol()
        objective = _objective(self.terms, units, sign, n)
        relaxed = _least_cost_at_best(self.alt, self.solved.inputs, objective, self.cost)
        if relaxed is None or not len(self.whole):
            return relaxed
        return self._in_whole_lots(objective, relaxed)

    def _in_whole_lots(self, objective: np.ndarray, relaxed: np.ndarray) -> np.ndarray | None:
        """The relaxed alternative as a plan in whole lots (see the module's text): the
        plan as ``materiel plan`` makes it, with the measure held at least as good as
        the relaxed alternative's and the cost's slack row, then its lots held and the
        measure's best within both slack rows. Where that fails, once more with the
        measure held halfway between the optimum's and the relaxed alternative's (whole
        lots may not reach as far within the slack: a lot more or fewer than the
        relaxation's fraction); and last, the optimum's own lots held, the measure's
        best within the slack rows."""
        used = np.flatnonzero(objective).astype(np.int32)
        reach = float(objective[used] @ relaxed[used])
        start = float(objective[used] @ self.x0[used])
        for bound, how in ((reach, "as far as"), ((reach + start) / 2, "halfway to")):
            self.say(f"in whole lots: the plan with the measure {how} the relaxation's")
            x = self._planned_to(objective, used, bound)
            if x is not None:
                return x
        if self.solved.solution.status is Status.FRACTIONAL:
            return None  # the optimum has no whole lots to hold
        self.say("in whole lots: the optimum's lots held, the measure's best within the slack")
        return self._lots_held(self.solved.highs, 0, self.x0, objective)

    def _planned_to(
        self, objective: np.ndarray, used: np.ndarray, bound: float
    ) -> np.ndarray | None:
        """The plan in whole lots with the measure held at ``bound`` and the cost's slack
        row, if it is within both slack rows, its measure then made the best it can be
        with its lots held (where that step does not end, the plan stays as it was);
        None where no such plan was found."""
        held: Row = (used, objective[used], -highspy.kHighsInf, _within(bound, 0.0))
        try:
            plan = solve_inputs(self.solved.inputs, self.say, rows=[held, self.slack_rows[1]])
        except SolveError:
            return None
        x = plan.columns
        if plan.solution.status is Status.FRACTIONAL or len(x) != len(self.x0):
            return None
        if any(float(c @ x[i]) > high for i, c, _low, high in self.slack_rows):
            return None  # rounding took it past the shortfall's slack
        self.say("in whole lots: its lots held, the measure's best within the slack")
        better = self._lots_held(plan.highs, 2, x, objective)
        return x if better is None else better

    def _lots_held(
        self, planned: highspy.Highs, added: int, x: np.ndarray, objective: np.ndarray
    ) -> np.ndarray | None:
        """On a copy of ``planned``'s plan LP (its tiers, contracts placed and lines open;
        its last ``added`` rows set free), with the slack rows and the lots of ``x``
        held: the measure's best, then the least cost there, each within as many simplex
        iterations as the relaxation took cold; None where one does not end optimal."""
        h = copy_of(planned)  # warm: the rows below keep the basis's shape
        if added:
            rows = np.arange(h.getNumRow() - added, h.getNumRow(), dtype=np.int32)
            free = np.full(added, highspy.kHighsInf)
            compat.change_rows_bounds(h, rows, -free, free)
        for index, coeffs, low, high in self.slack_rows:
            h.addRow(low, high, len(index), index, coeffs)
        lots_held = np.round(x[self.whole])
        h.changeColsBounds(len(self.whole), self.whole, lots_held, lots_held)
        try:
            return _least_cost_at_best(h, self.solved.inputs, objective, self.cost, self.iterations)
        except SolveError:
            return None


def _prepare(scenario: Scenario, slack: float, measure: str, say: Callable[[str], None]) -> _Setup:
    inp = build_inputs(scenario)
    solved = solve_inputs(inp, say)
    m, layout, h = solved.model, solved.layout, solved.highs
    x0 = solved.columns
    terms = _unit_terms(solved, measure)
    alt = copy_of(h, warm=False)  # the plan's LP: tiers, contracts placed, warm lines held
    short_i, short_c = layout.terms(m.expressions[E.SHORTFALL])
    cost_i, cost_c = layout.terms(m.expressions[E.COST])
    s_best = float(short_c @ x0[short_i])
    c_best = float(cost_c @ x0[cost_i])
    slack_rows: list[Row] = [
        (short_i, short_c, -highspy.kHighsInf, _within(s_best, slack)),
        (cost_i, cost_c, -highspy.kHighsInf, _within(c_best, slack)),
    ]
    # The relaxed directions keep back from the shortfall's slack what rounding cost the
    # optimum (its shortfall above its plan LP's), so that their plans in whole lots
    # can be within it too (zero when the plan is relaxed).
    planned = float(solved.solution.stats.get("lp_objective", s_best))
    loss = max(s_best - planned, 0.0) if inp.whole_lots else 0.0
    index, coeffs, low, high = slack_rows[0]
    alt.addRow(low, high - loss, len(index), index, coeffs)
    index, coeffs, low, high = slack_rows[1]
    alt.addRow(low, high, len(index), index, coeffs)
    movable = [u for u, (index, _c) in terms.items() if len(index)]
    whole = lots.columns(m, layout, V.LOTS) if inp.whole_lots else np.zeros(0, dtype=np.int32)
    # The step with lots held starts from the plan LP's basis, far from the rounded
    # plan: a rounding step's limit (an eighth of the relaxation's iterations) ended it
    # too soon on nato-2024; it gets a cold solve's.
    stats = solved.solution.stats
    iterations = int(
        max(stats.get("step_iterations", STEP_FLOOR), stats.get("relaxation_iterations", 0))
    )
    return _Setup(
        solved, terms, movable, x0, alt, (cost_i, cost_c), slack_rows, whole, iterations, say
    )


def most_of(scenario: Scenario, slack: float, measure: str, unit: str) -> np.ndarray:
    """One alternative on its own (a task for a cluster): the optimum solved again, then
    the least-cost plan with the most of ``unit``'s measure within the slack; the plan's
    column values (the same model and columns as every other solve of the scenario), or
    none (an empty array) when no rounding to whole lots stays within the slack."""
    x = _prepare(scenario, slack, measure, lambda _msg: None).solve([unit], -1.0)
    return np.zeros(0) if x is None else x


#: Solves ``most_of`` for each unit elsewhere (a cluster), yielding (unit, plan) as done.
Remote = Callable[[Scenario, float, str, list[str]], Iterable[tuple[str, np.ndarray]]]


def plan_alternatives(
    scenario: Scenario,
    *,
    slack: float = 0.02,
    count: int = 3,
    measure: str = "hosts",
    progress: Callable[[str], None] | None = None,
    remote: Remote | None = None,
) -> Alternatives:
    """The optimum and up to ``count`` alternatives whose weighted shortfall and cost
    are within ``slack`` of it and whose ``measure`` differs as much as it can (see the
    module's text).

    With ``remote`` (a cluster), the optimum and the first alternative are solved here,
    and the next ones at once elsewhere: each maximises one of the units the first two
    plans used least (each task solves the optimum again; the order of the units is
    then that of the first two plans, not updated after each)."""
    check_options(slack, count, measure)
    say = progress or (lambda _msg: None)
    setup = _prepare(scenario, slack, measure, say)
    solved, terms, inp = setup.solved, setup.terms, setup.solved.inputs
    whole = inp.whole_lots
    status = solved.solution.status if whole else Status.RELAXED
    optimum, s0 = _plan_of(solved, setup.x0, status)
    first = _measure(terms, setup.x0, inp)
    plans = [Alternative(0, "the optimum", optimum, s0, optimum.solution.cost, first)]
    dropped: list[str] = []
    found_status = Status.ALTERNATIVE if whole else Status.ALTERNATIVE_RELAXED

    def keep(found_by: str, x: np.ndarray | None) -> None:
        if len(plans) > count:
            return
        if x is None or not len(x):
            say(f"{found_by}: rounding found no plan in whole lots within the slack: dropped")
            dropped.append(found_by)
            return
        values = _measure(terms, x, inp)
        if any(_same(values, p.measure) for p in plans):
            return
        result, shortfall = _plan_of(solved, x, found_status)
        cost = result.solution.cost
        plans.append(Alternative(len(plans), found_by, result, shortfall, cost, values))

    tried: set[tuple[str, ...]] = set()
    for attempt in range(TRIES * count):
        if len(plans) > count or (remote is not None and attempt == 1):
            break
        found_by, units, sign = _next_objective(plans, measure, setup.movable, tried, attempt == 0)
        if not units:
            break
        tried.add((found_by,))
        say(f"alternative {len(plans)} of {count}: {found_by}")
        keep(found_by, setup.solve(units, sign))
    if remote is not None and len(plans) <= count:
        wanted: list[str] = []
        while len(wanted) < TRIES * count:
            found_by, units, _sign = _next_objective(plans, measure, setup.movable, tried, False)
            if not units:
                break
            tried.add((found_by,))
            wanted.append(units[0])
        say(f"solving {len(wanted)} alternatives on the cluster")
        words = {"hosts": "capacity hosted by", "money": "spending of", "pooled": "orders on"}
        done = dict(remote(scenario, slack, measure, wanted))
        for unit in wanted:  # in the order asked, whatever the order they came back in
            if unit in done:
                keep(f"most {words[measure]} {unit}", _checked(done[unit], setup))
    return Alternatives(
        scenario=inp.scenario, measure=measure, slack=slack, plans=plans, dropped=dropped
    )


def _checked(x: np.ndarray, setup: _Setup) -> np.ndarray:
    if len(x) and len(x) != setup.alt.getNumCol():
        raise SolveError(
            f"an alternative solved elsewhere has {len(x)} columns, this model "
            f"{setup.alt.getNumCol()}: the cluster runs another version of materiel"
        )
    return np.asarray(x, dtype=float)


def _least_cost_at_best(
    h: highspy.Highs,
    inp: ModelInputs,
    objective: np.ndarray,
    cost: tuple[np.ndarray, np.ndarray],
    iterations: int | None = None,
) -> np.ndarray | None:
    """Optimise the measure, then the least cost at its optimum (so that a plan carries
    nothing the measure does not ask for: capacity or goods bought only because the
    cost's slack allowed them); the model is left with the slack rows only. With
    ``iterations``, each solve is a step of at most that many simplex iterations, and
    None is returned where one does not end optimal."""
    n = h.getNumCol()
    every = np.arange(n, dtype=np.int32)
    h.changeColsCost(n, every, objective)
    if not _solved(h, inp, iterations):
        return None
    best = float(h.getInfo().objective_function_value)
    used = np.flatnonzero(objective).astype(np.int32)
    h.addRow(-highspy.kHighsInf, _within(best, 0.0), len(used), used, objective[used])
    row = h.getNumRow() - 1
    costs = np.zeros(n)
    costs[cost[0]] = cost[1]
    h.changeColsCost(n, every, costs / max(float(np.abs(cost[1]).max(initial=0.0)), 1e-12))
    try:
        if not _solved(h, inp, iterations):
            return None
        return np.asarray(h.getSolution().col_value)
    finally:
        h.deleteRows(1, np.array([row], dtype=np.int32))


def _solved(h: highspy.Highs, inp: ModelInputs, iterations: int | None) -> bool:
    """Solve ``h``: in full (a plan that is not optimal is kept, as :func:`run` allows),
    or as a step of ``iterations`` at most, which holds only when it ends optimal."""
    if iterations is None:
        run(h, inp, method="simplex")
        return True
    return run(h, inp, method="simplex", retry=False, iterations=iterations) is Status.OPTIMAL


def _within(best: float, slack: float) -> float:
    """The bound of a row ``value ≤ (1 + slack)·best``, with the solver's accuracy."""
    return best + slack * abs(best) + max(1e-7, 1e-7 * abs(best))


def _same(a: pd.Series, b: pd.Series) -> bool:
    scale = max(float(a.abs().sum()), float(b.abs().sum()), 1.0)
    return float((a - b.reindex(a.index, fill_value=0.0)).abs().sum()) <= SAME * scale


def _next_objective(
    plans: list[Alternative],
    measure: str,
    movable: list[str],
    tried: set[tuple[str, ...]],
    first: bool,
) -> tuple[str, list[str], float]:
    """What to optimise next: (words, units, +1 to minimise or −1 to maximise); only
    ``movable`` units (whose measure has a variable) are tried."""
    total = pd.DataFrame([p.measure.abs() for p in plans]).sum().reindex(movable, fill_value=0.0)
    scale = max(float(total.abs().sum()), 1.0)
    used = sorted(u for u, v in total.items() if abs(v) > SAME * scale)
    what = {"hosts": "capacity hosted by", "money": "spending of", "pooled": "orders on"}[measure]
    if first and used:
        return f"least {what} {', '.join(used)}", used, 1.0
    for unit in total.sort_values(kind="stable").index:
        words = f"most {what} {unit}"
        if (words,) not in tried:
            return words, [str(unit)], -1.0
    return "", [], 0.0
