"""Signable contracts from a relaxed plan: least rates decided, quantities in whole lots.

The plan's integer decisions are few and structured: which contracts a line takes at
all (``contract_placed``, where a line has a least rate) and how many whole lots each
buyer receives in each period (``lots``). A general MIP solve of the whole model finds
no plan in minutes (measured: HiGHS 1.16 spends its time in root cuts of a 48,000-column
model), so they are decided the way a planner would, from the LP relaxation, and the
result is proven against that relaxation's bound:

1. **Warm lines and least rates** (:func:`open_lines`, :func:`place_one_by_one`): from
   the least-cost relaxed plan, a warm line is open where the relaxation keeps it half
   open or more; a contract ordered at half its line's least rate or more is placed,
   largest first, in batches halved where a batch cannot hold; one ordered at less is
   not. The LP is solved with these held (the *plan's LP*: shadow prices and what-ifs
   come from it).
2. **Whole lots** (:func:`round_lots`): a dive from the plan's LP holds the fractional
   lots at whole numbers half a batch at a time, re-solving warm in between, so that
   the lots still free take up what rounding gave back; then a repair pass
   (:func:`raise_affordable`) buys one more lot where that lowers the shortfall and the
   money is there, and another (:func:`trade_for_lots`) buys one where the money is not,
   with fewer of the buyer's other lots. Least shortfall, then least cost, are solved
   again with every quantity held.

The weighted shortfall of the plan so found, over the relaxation's, is the gap the plan
reports (``Solution.gap``); above ``policy.plan_gap`` its status says it is not proven.
"""

from __future__ import annotations

from collections.abc import Callable

import highspy
import linopy
import numpy as np

from materiel.errors import SolveError
from materiel.planner import compat
from materiel.planner.model import C, V, months_delivered
from materiel.scenario import ModelInputs

#: A relaxed value this close to a whole number is that number.
INTEGRAL = 1e-6


def columns(m: linopy.Model, layout: compat.Layout, name: str) -> np.ndarray:
    """HiGHS columns of a variable, in label order; empty where the model has none."""
    if name not in m.variables:
        return np.zeros(0, dtype=np.int32)
    cols = layout.columns(m.variables[name]).values.ravel()
    return cols[cols >= 0].astype(np.int32)


def lot_worth(m: linopy.Model, layout: compat.Layout, inp: ModelInputs) -> np.ndarray:
    """Money one lot costs at its item's base price, for each ``lots`` column, in the
    order of :func:`columns`."""
    if V.LOTS not in m.variables:
        return np.zeros(0)
    cols = layout.columns(m.variables[V.LOTS])
    price = inp.price.isel(tier=0).sel(item=inp.line_item).fillna(0.0) * inp.lot
    price = price.drop_vars("item", errors="ignore")
    worth = price.broadcast_like(cols).transpose(*cols.dims).values.ravel()
    return worth[cols.values.ravel() >= 0].astype(float)


def relax(h: highspy.Highs, cols: np.ndarray) -> None:
    """Make columns continuous (their bounds are left as they are)."""
    if len(cols):
        h.changeColsIntegrality(len(cols), cols, compat.integrality(len(cols), integer=False))


def place_one_by_one(
    h: highspy.Highs,
    m: linopy.Model,
    layout: compat.Layout,
    inp: ModelInputs,
    x: np.ndarray,
    run: Callable[[highspy.Highs], None],
) -> None:
    """Place the contracts that hold: those the relaxation orders at half their least rate
    or more, largest first, in batches halved where a batch cannot all hold (a buyer
    that cannot pay a whole contract at the least rate goes without); the rest not."""
    placed = m.variables[V.PLACED]
    cols = layout.columns(placed)
    rate = compat.values_of(m.variables[V.RATE], layout, x).fillna(0.0)
    total = rate if "ally" in placed.labels.dims else rate.sum("ally")
    keep = cols.values >= 0
    index = cols.values[keep].astype(np.int32)
    size = total.broadcast_like(cols).transpose(*cols.dims).values[keep]
    least = inp.min_rate.broadcast_like(cols).transpose(*cols.dims).values[keep]
    wanted = size >= 0.5 * least - INTEGRAL
    zero, one = np.zeros(len(index)), np.ones(len(index))
    h.changeColsBounds(len(index), index, np.where(wanted, zero, 0.0), np.where(wanted, one, 0.0))
    order = np.flatnonzero(wanted)
    order = order[np.argsort(-size[order], kind="stable")]
    _settle(run, h)
    _place_batch(h, index, order, run)


def qualify_used(
    h: highspy.Highs,
    m: linopy.Model,
    layout: compat.Layout,
    x: np.ndarray,
    run: Callable[[highspy.Highs], None],
) -> None:
    """Take the qualifications the relaxed plan ``x`` uses at all, most used first, in
    batches halved where a batch cannot hold (its cost beyond the budget); the rest not.
    """
    cols = layout.columns(m.variables[V.QUALIFY]).values.ravel()
    keep = cols >= 0
    index = cols[keep].astype(np.int32)
    used = x[index]
    wanted = used > INTEGRAL
    h.changeColsBounds(len(index), index, np.zeros(len(index)), np.where(wanted, 1.0, 0.0))
    order = np.flatnonzero(wanted)
    order = order[np.argsort(-used[order], kind="stable")]
    _settle(run, h)
    _place_batch(h, index, order, run)


def _place_batch(
    h: highspy.Highs, index: np.ndarray, pick: np.ndarray, run: Callable[[highspy.Highs], None]
) -> None:
    if not len(pick):
        return
    cols = index[pick]
    h.changeColsBounds(len(cols), cols, np.ones(len(cols)), np.ones(len(cols)))
    try:
        run(h)
        return
    except SolveError:
        h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), np.ones(len(cols)))
    if len(pick) == 1:
        h.changeColsBounds(1, cols, np.zeros(1), np.zeros(1))
        _settle(run, h)
        return
    half = len(pick) // 2
    _place_batch(h, index, pick[:half], run)
    _place_batch(h, index, pick[half:], run)


def open_lines(
    m: linopy.Model,
    layout: compat.Layout,
    inp: ModelInputs,
    x: np.ndarray,
    *,
    share: float = 0.5,
) -> np.ndarray:
    """Which warm lines are open in each period, from a relaxed plan ``x`` (line,
    period): open where the relaxation keeps them at least ``share`` open; a line that
    closes stays closed for its restart periods."""
    relaxed = compat.values_of(m.variables[V.OPEN], layout, x).transpose("line", "period")
    chosen = (relaxed.fillna(1.0).values >= share - INTEGRAL).astype(float)
    restart = inp.restart_periods.values
    for li in range(chosen.shape[0]):
        p = 0
        while p < chosen.shape[1]:
            was_open = p == 0 or chosen[li, p - 1] > 0.5
            if was_open and chosen[li, p] < 0.5:
                chosen[li, p : p + max(int(restart[li]), 1)] = 0.0
                p += max(int(restart[li]), 1)
            else:
                p += 1
    return chosen


def fix_open(
    h: highspy.Highs, m: linopy.Model, layout: compat.Layout, chosen: np.ndarray | None
) -> None:
    """Hold ``line_open`` at ``chosen`` (line, period); None: every warm line open."""
    if V.OPEN not in m.variables:
        return
    cols = layout.columns(m.variables[V.OPEN]).transpose("line", "period").values
    value = np.ones(cols.shape) if chosen is None else chosen
    keep = cols >= 0
    index = cols[keep].astype(np.int32)
    h.changeColsBounds(len(index), index, value[keep], value[keep])


def dear_lots(worth: np.ndarray) -> np.ndarray:
    """Which lots are dear: those costing at least :data:`DEAR` times the cheapest lot
    (a missile beside a shell); where none is, every lot is."""
    priced = worth[worth > 0]
    if not len(priced):
        return np.ones(len(worth), dtype=bool)
    dear = worth >= DEAR * float(priced.min())
    return dear if dear.any() else np.ones(len(worth), dtype=bool)


#: A lot is dear at this many times the price of the cheapest (see :func:`dear_lots`).
DEAR = 10.0
#: HiGHS's dual edge weights on the rounding's instance when the dear lots are rounded
#: to the nearer whole number first (``policy.rounding: nearer``, the default): Devex
#: (1), not HiGHS's default choice (``-1``: dual steepest edge unless it finds that too
#: dear). The instance serves the dive and the repairs after it (raise, trades, drops),
#: so all of them use it. On nato-2024's plan LP alone, a step from a basis HiGHS has
#: not just worked from (one put back after a failed step, a fresh instance) took about
#: 2 s with the default whatever its iterations, and 0.06-0.12 s with Devex. Measured on
#: the whole plan (docs: Performance, ``bench/rounding_runs.py``): with ``nearer`` the
#: whole-lot stage 66 -> 36 s (the dive 53 -> 18 s, the repairs 13 -> 18 s), the
#: plan's weighted shortfall 4,715 against 4,717 target-months with the default; with
#: ``down`` Devex made the dive slower (12 -> 28 s) and the plan further from its bound
#: (4,902 against 4,814), so ``down`` keeps the default.
NEARER_EDGE_WEIGHTS = 1


def round_lots(
    lp: highspy.HighsLp,
    lots: np.ndarray,
    run: Callable[[highspy.Highs], None],
    *,
    basis: highspy.HighsBasis | None = None,
    batch: float = 0.5,
    rounds: int = 40,
    solves: int = 60,
    worth: np.ndarray | None = None,
) -> tuple[highspy.Highs, np.ndarray]:
    """A copy of the plan's LP with every ``lots`` column held at a whole number.

    A dive in two passes, each holding the ``batch`` share of its fractional lots at a
    time and solving again warm in between, so that the lots still free take up what
    the held ones gave or took:

    1. **Dear lots** (``worth``, the money a lot costs; see :func:`dear_lots`) are held
       at the *nearer* whole number, those nearest a whole number first, while the
       cheap lots are still free: a buyer one missile short of its target pays for the
       missile with a few shells fewer, as the relaxation would.
    2. **The other lots** are held at the whole number below, the smallest fractional
       part first: rounding down keeps every budget and capacity.

    Where a batch breaks a rule (a budget or capacity rounding up; a pooled contract's
    least rate or a tier threshold rounding down), it is held the other way, and halved
    where neither holds. Measured on nato-2024 (docs: Performance): the dear pass
    first leaves the plan 0.69 % above the relaxation's bound, against 3.3 % for one
    pass rounding everything down, in about nine times the rounding time.

    ``basis`` is the plan's LP's, to start warm; ``run(h)`` solves an instance and
    raises when it finds no optimal plan. Without ``worth`` (``policy.rounding: down``)
    the first pass is skipped: every lot is rounded down. The dive stops splitting
    batches after ``solves`` LP solves (a bound on time: the rest is rounded
    down at once). Returns the instance, solved, and the lots.
    """
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if worth is not None:  # policy.rounding: nearer; see NEARER_EDGE_WEIGHTS
        h.setOptionValue("simplex_dual_edge_weight_strategy", NEARER_EDGE_WEIGHTS)
    h.passModel(lp)
    limited = _Limited(run, solves)
    if basis is not None:  # the plan's LP, solved: the dive starts warm from it
        h.setBasis(basis)
    n = len(lots)
    held = np.zeros(n, dtype=bool)
    lower = np.asarray(lp.col_lower_)[lots].copy()
    upper = np.asarray(lp.col_upper_)[lots].copy()
    dear = np.zeros(n, dtype=bool) if worth is None else dear_lots(worth)
    _settle(run, h)
    for nearer, among in ((True, dear), (False, ~dear)):
        for _ in range(rounds):
            value = np.asarray(h.getSolution().col_value)[lots]
            below = np.floor(value + INTEGRAL)
            part = value - below
            free = np.flatnonzero(among & ~held & (part > INTEGRAL))
            if not len(free) or limited.spent:
                break
            if nearer:
                pick = free[np.argsort(np.minimum(part, 1.0 - part)[free], kind="stable")]
                first = np.where(part >= 0.5, below + 1.0, below)
            else:
                pick = free[np.argsort(part[free], kind="stable")]
                first = below
            pick = pick[: max(1, int(np.ceil(batch * len(pick))))]
            flip = not nearer
            held[_hold_batch(h, lots, pick, below, first, lower, upper, limited, flip=flip)] = True
    value = np.asarray(h.getSolution().col_value)[lots]
    exact = np.abs(value - np.round(value)) <= INTEGRAL
    whole = np.where(exact, np.round(value), np.floor(value))  # rounds ran out: all down
    h.changeColsBounds(n, lots, whole, whole)
    try:
        _settle(run, h)
    except SolveError:
        whole = np.where(exact, np.round(value), np.ceil(value))
        h.changeColsBounds(n, lots, whole, whole)
        _settle(run, h)
    return h, whole


class _Limited:
    """``run`` with a count of solves; once spent, a batch is not split any further."""

    def __init__(self, run: Callable[[highspy.Highs], None], most: int) -> None:
        self.run, self.left = run, most

    @property
    def spent(self) -> bool:
        return self.left <= 0

    def __call__(self, h: highspy.Highs) -> None:
        self.left -= 1
        self.run(h)

    def full(self, h: highspy.Highs) -> None:
        _settle(self.run, h)


def _settle(run: Callable[[highspy.Highs], None], h: highspy.Highs) -> None:
    """Solve back onto a plan known to hold (after a failed step), without the step's
    limit: ``run.full`` where the runner has one."""
    getattr(run, "full", run)(h)


def raise_affordable(
    h: highspy.Highs,
    m: linopy.Model,
    layout: compat.Layout,
    inp: ModelInputs,
    run: Callable[[highspy.Highs], None],
    *,
    passes: int = 3,
    solves: int = 12,
) -> int:
    """Repair after the dive: buy one more lot where that lowers the shortfall and the
    money rounding left over pays for it. Returns how many lots were added.

    Rounding down leaves each buyer a little of each year's budget. The lots whose
    reduced cost says one more lowers the weighted shortfall are taken most helpful
    first, each only while its buyer's budget rows for the years it delivers in keep
    room for it at the item's base price (the dearest tier); the batch is tried at once
    and halved where it cannot hold (capacity, components). ``h`` is solved with every
    lot held; it ends solved with the lots raised.
    """
    var = m.variables[V.LOTS]
    grid = layout.columns(var).transpose("line", "ally", "period")
    where = np.argwhere(grid.values >= 0)
    cols = grid.values[grid.values >= 0].astype(np.int32)
    if not len(cols) or C.BUDGET not in m.constraints:
        return 0
    months = months_delivered(inp).transpose("line", "period", "year").values
    per_period = months.sum(axis=2)
    item_price = inp.price.isel(tier=0).sel(item=inp.line_item).values  # (line)
    cost = item_price * inp.lot.values / inp.money_scale  # one lot [money_scale]
    rows = layout.rows(m.constraints[C.BUDGET]).transpose("ally", "year").values
    limited = _Limited(run, solves)
    added = 0
    for _ in range(passes):
        solution = h.getSolution()
        rc = np.asarray(solution.col_dual)[cols]
        activity = np.asarray(solution.row_value)
        upper = np.asarray(h.getLp().row_upper_)
        room = np.where(
            rows >= 0, upper[np.clip(rows, 0, None)] - activity[np.clip(rows, 0, None)], 0.0
        )
        scale = max(float(np.abs(rc).max(initial=0.0)), 1e-12)
        order = np.flatnonzero(rc < -1e-9 * scale)
        order = order[np.argsort(rc[order], kind="stable")]
        pick = []
        for k in order:
            li, ai, pi = where[k]
            need = cost[li] * months[li, pi] / max(per_period[li, pi], 1.0)
            if (room[ai] >= need - 1e-9).all():
                room[ai] -= need
                pick.append(k)
        if not pick or limited.spent:
            break
        value = np.asarray(solution.col_value)[cols]
        whole = np.round(value)
        before = whole.copy()
        _raise_batch(h, cols, np.asarray(pick), whole, limited)
        added += int((whole - before).sum())
        if whole.sum() == before.sum():
            break
    return added


def trade_for_lots(
    h: highspy.Highs,
    m: linopy.Model,
    layout: compat.Layout,
    run: Callable[[highspy.Highs], None],
    *,
    tries: int = 32,
) -> int:
    """Repair after :func:`raise_affordable`: one more lot where its buyer has no money
    left, paid for with fewer lots of the buyer's other contracts. The lot whose reduced
    cost says one more lowers the weighted shortfall most is tried, ``tries`` times, the
    reduced costs read afresh after each trade kept:
    the lot is raised by one, the buyer's other lots freed between nothing and what they
    hold, the LP solved (it drops what pays best for the lot), the freed lots held at the
    whole number below, and the LP solved again; the trade is kept only where the
    weighted shortfall falls. A buyer whose money is spent keeps a missile short of its
    target, or half a missile of its consumption unmet, where a few shells fewer would
    pay for it: this is the trade the relaxation makes. Returns the trades kept; ``h``
    ends solved with every lot held."""
    var = m.variables[V.LOTS]
    grid = layout.columns(var).transpose("line", "ally", "period")
    where = np.argwhere(grid.values >= 0)
    cols = grid.values[grid.values >= 0].astype(np.int32)
    if not len(cols):
        return 0
    buyer = where[:, 1]
    tried = np.zeros(len(cols), dtype=bool)
    kept = 0
    for _ in range(tries):
        # The most helpful lot not yet tried, by the reduced costs of the plan as it
        # stands: a trade kept moves them.
        rc = np.asarray(h.getSolution().col_dual)[cols]
        scale = max(float(np.abs(rc).max(initial=0.0)), 1e-12)
        order = np.flatnonzero((rc < -1e-6 * scale) & ~tried)
        if not len(order):
            break
        k = order[np.argmin(rc[order])]
        tried[k] = True
        whole = np.round(np.asarray(h.getSolution().col_value)[cols])
        before = float(h.getInfo().objective_function_value)
        mine = np.flatnonzero((buyer == buyer[k]) & (whole > 0.5))
        mine = mine[mine != k]
        if not len(mine):
            continue
        up = np.array([whole[k] + 1.0])
        h.changeColsBounds(1, cols[[k]], up, up)
        h.changeColsBounds(len(mine), cols[mine], np.zeros(len(mine)), whole[mine])
        least = before - 1e-9 * max(abs(before), 1.0)
        try:
            run(h)
            # With the freed lots free the LP bounds the trade from below: holding them
            # at whole numbers can only add shortfall, so where it is no better than
            # before, the trade is not (and the second solve is not made).
            better = float(h.getInfo().objective_function_value) < least
            if better:
                down = np.floor(np.asarray(h.getSolution().col_value)[cols[mine]] + INTEGRAL)
                h.changeColsBounds(len(mine), cols[mine], down, down)
                run(h)
                better = float(h.getInfo().objective_function_value) < least
        except SolveError:
            better = False
        if better:
            kept += 1
            continue
        back = np.concatenate([[k], mine])
        h.changeColsBounds(len(back), cols[back], whole[back], whole[back])
        _settle(run, h)
    return kept


def _raise_batch(
    h: highspy.Highs,
    lots: np.ndarray,
    pick: np.ndarray,
    whole: np.ndarray,
    run: Callable[[highspy.Highs], None],
) -> None:
    if not len(pick):
        return
    up = whole[pick] + 1.0
    h.changeColsBounds(len(pick), lots[pick], up, up)
    try:
        run(h)
        whole[pick] = up
        return
    except SolveError:
        h.changeColsBounds(len(pick), lots[pick], whole[pick], whole[pick])
    if len(pick) == 1 or getattr(run, "spent", False):
        _settle(run, h)
        return
    half = len(pick) // 2
    _raise_batch(h, lots, pick[:half], whole, run)
    _raise_batch(h, lots, pick[half:], whole, run)


def _hold_batch(
    h: highspy.Highs,
    lots: np.ndarray,
    pick: np.ndarray,
    below: np.ndarray,
    first: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    run: Callable[[highspy.Highs], None],
    *,
    flip: bool = True,
) -> np.ndarray:
    """Hold ``pick`` at ``first`` (the whole number below or above), or at the other
    where that cannot hold, halving the batch until it does; without ``flip`` only a
    single lot is tried the other way (a batch rounded to the nearer is halved at once).
    Returns the lots held (a lot that holds neither way stays free for a later round,
    its partners then free to move). The instance ends solved."""
    other = 2 * below[pick] + 1.0 - first[pick]
    tries = (first[pick], other) if flip or len(pick) == 1 else (first[pick],)
    for at in tries:
        _hold(h, lots, pick, at, lower, upper)
        try:
            run(h)
            return pick
        except SolveError:
            continue
    _hold(h, lots, pick, lower[pick], lower, upper, free=True)
    if len(pick) == 1 or getattr(run, "spent", False):
        _settle(run, h)
        return pick[:0]
    half = len(pick) // 2
    one = _hold_batch(h, lots, pick[:half], below, first, lower, upper, run, flip=flip)
    two = _hold_batch(h, lots, pick[half:], below, first, lower, upper, run, flip=flip)
    return np.concatenate([one, two])


def _hold(
    h: highspy.Highs,
    lots: np.ndarray,
    pick: np.ndarray,
    at: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    free: bool = False,
) -> None:
    """Hold lots ``pick`` at ``at``; with ``free``, give them their bounds back (``at`` is
    then their lower bounds, ``upper`` the upper)."""
    if free:
        h.changeColsBounds(len(pick), lots[pick], at, upper[pick])
        return
    at = np.clip(at, lower[pick], upper[pick])
    h.changeColsBounds(len(pick), lots[pick], at, at)
