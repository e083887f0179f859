"""The vectorised engine: many futures of one plan at once.

Random numbers are drawn in blocks of :data:`BLOCK` futures, each block from its own
stream ``SeedSequence(seed, spawn_key=(block,))``, always the same draws in the same
order whatever risks are switched on: so a future is the same future in a chunked or
an unchunked run, on any machine, and a risk switched off changes only what that risk
did (common random numbers, for the sensitivity ranking).

For each future, in one compiled loop (numba, futures in parallel):

* **capacity**: a line's added capacity arrives ``d`` months late (ramp-up delay, drawn
  per line; likewise per component supplier);
* **components**: an outage takes a share of a supplier's supply for a spell; a
  supplier that cannot cover its planned use ``u[c,t]`` covers
  ``r[c,t] = min(1, supply/u)`` of it, and each line using it can make only that share
  of its capacity (the least over its components);
* **output**: the line makes ``min(capacity·r, planned output + deficit)``, of which a
  share fails acceptance (yield, drawn per line); the deficit is what it is behind its
  planned output, made up from spare capacity later (``risks.catch_up``, the default;
  with it false, ``min(capacity·r, planned output)`` and what is lost stays lost);
* **dispatch**: the line ships its planned dispatches in their planned order, never
  ahead of plan and never more than it has made (``shipped = min(planned, made)``,
  cumulative); each buyer's part of a planned month follows the plan's split;
* **late deliveries**: a line's deliveries of a contract period arrive ``k`` months
  late (drawn per line and period);
* **demand**: a two-state chain per theatre switches between peace time and high
  intensity; in a surge, demand (consumption, aid, or both) is multiplied;
* **stock**: ``served = min(demand − planned unmet, stock + arrivals)``, so with no
  risk at all the plan's own stock path comes back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from materiel.scenario import Risks
from materiel.simulation.inputs import SimInputs

BLOCK = 256  # futures per random-number block
RISK_ORDER = (  # the risks by name, in the order of the scenario's risks: block
    "surge",
    "ramp_delay",
    "outage",
    "yield_loss",
    "late_delivery",
)


@dataclass(frozen=True)
class Draws:
    """Uniform draws in [0, 1) for a run of futures (first axis: future); a risk that is
    off gets an empty array and the engine never reads it."""

    surge: np.ndarray  # (F, theatres, T)
    line_delay: np.ndarray  # (F, L, 2): late or not, by how much
    comp_delay: np.ndarray  # (F, C, 2)
    outage: np.ndarray  # (F, C, T, 3): begins, how long, how much
    yield_loss: np.ndarray  # (F, L)
    late: np.ndarray  # (F, L, periods, 2): late or not, by how much

    @property
    def futures(self) -> int:
        return int(self.surge.shape[0])


#: Each risk's draws come from a stream of their own, so that one risk switched off (or
#: on) leaves every other risk's numbers as they were.
STREAMS = ("surge", "ramp_delay", "ramp_delay_components", "outage", "yield_loss", "late")


def draw(inputs: SimInputs, risks: Risks, seed: int, first_block: int, blocks: int) -> Draws:
    """The draws of blocks ``first_block .. first_block + blocks − 1`` for ``risks``."""
    n_th, n_l, n_c = len(inputs.theatres), len(inputs.line_ids), len(inputs.comp_ids)
    horizon, periods = inputs.horizon, int(inputs.period.max()) + 1
    on = set(active(risks))
    shapes = {
        "surge": (n_th, horizon),
        "ramp_delay": (n_l, 2),
        "ramp_delay_components": (n_c, 2),
        "outage": (n_c, horizon, 3),
        "yield_loss": (n_l,),
        "late": (n_l, periods, 2),
    }
    needed = {
        "surge": "surge",
        "ramp_delay": "ramp_delay",
        "ramp_delay_components": "ramp_delay",
        "outage": "outage",
        "yield_loss": "yield_loss",
        "late": "late_delivery",
    }
    n = blocks * BLOCK
    arrays = []
    for k, stream in enumerate(STREAMS):
        shape = shapes[stream]
        if needed[stream] not in on:
            arrays.append(np.zeros((n, *(0 for _ in shape)), dtype=np.float32))
            continue
        out = np.empty((n, *shape), dtype=np.float32)
        for b in range(blocks):
            key = np.random.SeedSequence(seed, spawn_key=(first_block + b, k))
            rng = np.random.Generator(np.random.PCG64(key))
            out[b * BLOCK : (b + 1) * BLOCK] = rng.random((BLOCK, *shape), dtype=np.float32)
        arrays.append(out)
    return Draws(*arrays)


def active(risks: Risks) -> list[str]:
    """The risks that can change anything, by name."""
    out = []
    if risks.surge.start > 0 and risks.surge.multiplier > 1:
        out.append("surge")
    if risks.ramp_delay.probability > 0:
        out.append("ramp_delay")
    if risks.outage.probability > 0 and risks.outage.loss_max > 0:
        out.append("outage")
    if risks.yield_loss.loss_max > 0:
        out.append("yield_loss")
    if risks.late_delivery.probability > 0:
        out.append("late_delivery")
    return out


def parameters(risks: Risks) -> np.ndarray:
    """The risks as one float vector for the compiled loop (see :func:`_run`)."""
    s, d, o, y, late = (
        risks.surge,
        risks.ramp_delay,
        risks.outage,
        risks.yield_loss,
        risks.late_delivery,
    )
    on = set(active(risks))
    surge_cons = s.applies_to in ("consumption", "all")
    surge_aid = s.applies_to in ("aid", "all")
    return np.array(
        [
            s.start,
            s.end,
            s.multiplier if surge_cons else 1.0,
            s.multiplier if surge_aid else 1.0,
            d.probability,
            d.max_months,
            o.probability,
            o.max_months,
            o.loss_min,
            o.loss_max,
            y.loss_min,
            y.loss_max,
            late.probability,
            late.max_months,
            *(float(name in on) for name in RISK_ORDER),
            float(risks.catch_up),
        ],
        dtype=np.float64,
    )


@dataclass(frozen=True)
class Outcome:
    """What each future did (first axis: future)."""

    at_due: np.ndarray  # (F, R) stock at the target date [units]
    month_met: np.ndarray  # (F, R) first month from which the target holds; -1: never
    short: np.ndarray  # (F, R) bool: some demand (beyond the plan's) went unserved
    aid_short: np.ndarray  # (F, R) bool: ... in a month with aid
    paths: np.ndarray | None  # (F, target rows, T) float32 stock, when asked for


def run(inputs: SimInputs, risks: Risks, draws: Draws, keep_paths: int = 0) -> Outcome:
    """Run the futures of ``draws`` forward; keep the stock paths of the targets for
    the first ``keep_paths`` of them."""
    futures = draws.futures
    keep_paths = min(keep_paths, futures)
    rows = len(inputs.initial)
    targets = inputs.target_rows
    path_of = np.full(rows, -1, dtype=np.int64)
    path_of[targets] = np.arange(len(targets))
    at_due = np.zeros((futures, rows))
    month_met = np.full((futures, rows), -1, dtype=np.int64)
    short = np.zeros((futures, rows), dtype=np.bool_)
    aid_short = np.zeros((futures, rows), dtype=np.bool_)
    paths = np.zeros((keep_paths, len(targets), inputs.horizon), np.float32)
    offsets, entry_row, entry_qty = _by_dispatch_month(inputs)
    uses = inputs.bom > 0  # the components of each line, compressed like the entries
    comp_start = np.concatenate([[0], np.cumsum(uses.sum(axis=1))]).astype(np.int64)
    comp_of = np.nonzero(uses)[1].astype(np.int64)
    # Month by month, everything a month needs lies together (month-major arrays), and
    # arrivals wait in a ring of as many months as the longest lag plus lateness.
    late_most = risks.late_delivery.max_months if "late_delivery" in active(risks) else 0
    ring = int(inputs.lag.max(initial=0)) + late_most + 1

    def by_month(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a.T)

    _run(
        parameters(risks),
        inputs.initial,
        inputs.threshold,
        inputs.due,
        by_month(inputs.consumption),
        by_month(inputs.aid),
        by_month(inputs.unmet_plan),
        inputs.row_theatre,
        inputs.lag,
        inputs.cap0,
        by_month(inputs.cap_added),
        by_month(inputs.output),
        comp_start,
        comp_of,
        by_month(inputs.supply0),
        by_month(inputs.supply_added),
        by_month(inputs.comp_use),
        offsets,
        entry_row,
        entry_qty,
        by_month(inputs.dispatch),
        by_month(inputs.in_transit),
        inputs.period,
        ring,
        draws.surge,
        draws.line_delay,
        draws.comp_delay,
        draws.outage,
        draws.yield_loss,
        draws.late,
        path_of,
        keep_paths,
        at_due,
        month_met,
        short,
        aid_short,
        paths,
    )
    return Outcome(at_due, month_met, short, aid_short, paths if keep_paths else None)


def _by_dispatch_month(inputs: SimInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Planned arrivals grouped by (line, dispatch month), compressed: the entries of
    line l and month m are ``offsets[l·T + m] .. offsets[l·T + m + 1] − 1``, each a row
    and a quantity."""
    horizon, n_lines = inputs.horizon, len(inputs.line_ids)
    keys, rows, qty = [], [], []
    for p, (li, row) in enumerate(zip(inputs.pair_line, inputs.pair_row, strict=True)):
        lag = int(inputs.lag[li])
        months = np.flatnonzero(inputs.pair_arrival[p, lag:] > 0)
        keys.append(li * horizon + months)
        rows.append(np.full(len(months), row, dtype=np.int64))
        qty.append(inputs.pair_arrival[p, lag + months])
    key = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    order = np.argsort(key, kind="stable")
    offsets = np.searchsorted(key[order], np.arange(n_lines * horizon + 1)).astype(np.int64)
    row_all = np.concatenate(rows)[order] if rows else np.zeros(0, dtype=np.int64)
    qty_all = np.concatenate(qty)[order] if qty else np.zeros(0)
    return offsets, row_all, qty_all


@numba.njit(cache=True)
def _delay(u: float, v: float, probability: float, most: float) -> int:
    if u < probability:
        return 1 + min(int(v * most), int(most) - 1)
    return 0


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _run(
    par,
    initial,
    threshold,
    due,
    consumption,  # (T, R) here and below: month-major
    aid,
    unmet_plan,
    row_theatre,
    lag,
    cap0,
    cap_added,  # (T, L)
    output,  # (T, L)
    comp_start,
    comp_of,
    supply0,  # (T, C)
    supply_added,  # (T, C)
    comp_use,  # (T, C)
    offsets,
    entry_row,
    entry_qty,
    dispatch,  # (T, L)
    in_transit,  # (T, R)
    period,
    ring,
    u_surge,
    u_line_delay,
    u_comp_delay,
    u_outage,
    u_yield,
    u_late,
    path_of,
    keep_paths,
    at_due,
    month_met,
    short,
    aid_short,
    paths,
):
    futures, horizon = at_due.shape[0], consumption.shape[0]
    n_th = u_surge.shape[1]  # 0 when surges are off
    n_lines, n_comp = cap0.shape[0], supply0.shape[1]
    n_rows = initial.shape[0]
    p_start, p_end, m_cons, m_aid = par[0], par[1], par[2], par[3]
    p_delay, max_delay = par[4], par[5]
    p_out, max_out, out_lo, out_hi = par[6], par[7], par[8], par[9]
    y_lo, y_hi, p_late, max_late = par[10], par[11], par[12], par[13]
    on_surge, on_delay, on_out = par[14] > 0, par[15] > 0, par[16] > 0
    on_yield, on_late = par[17] > 0, par[18] > 0
    catch_up = par[19] > 0
    for f in numba.prange(futures):
        # what each future draws once: delays, yields
        comp_d = np.zeros(n_comp, dtype=np.int64)
        line_d = np.zeros(n_lines, dtype=np.int64)
        keep = np.ones(n_lines)
        if on_delay:
            for c in range(n_comp):
                comp_d[c] = _delay(u_comp_delay[f, c, 0], u_comp_delay[f, c, 1], p_delay, max_delay)
            for li in range(n_lines):
                line_d[li] = _delay(
                    u_line_delay[f, li, 0], u_line_delay[f, li, 1], p_delay, max_delay
                )
        if on_yield:
            for li in range(n_lines):
                keep[li] = 1.0 - (y_lo + u_yield[f, li] * (y_hi - y_lo))
        # state carried from month to month
        hot = np.zeros(max(n_th, 1), dtype=np.bool_)
        out_left = np.zeros(n_comp, dtype=np.int64)
        out_loss = np.zeros(n_comp)
        cover = np.ones(n_comp)
        deficit = np.zeros(n_lines)
        made_cum = np.zeros(n_lines)
        shipped_cum = np.zeros(n_lines)
        planned_cum = np.zeros(n_lines)
        cursor = np.zeros(n_lines, dtype=np.int64)
        used = np.zeros(n_lines)
        arrivals = np.zeros((ring, n_rows))
        stock = initial.copy()
        last_bad = np.full(n_rows, -1, dtype=np.int64)
        for t in range(horizon):
            # demand regime per theatre
            for th in range(n_th):
                u = u_surge[f, th, t]
                hot[th] = (u >= p_end) if hot[th] else (u < p_start)
            # component cover
            for c in range(n_comp):
                if out_left[c] > 0:
                    out_left[c] -= 1
                elif on_out and u_outage[f, c, t, 0] < p_out:
                    out_left[c] = min(int(u_outage[f, c, t, 1] * max_out), int(max_out) - 1)
                    out_loss[c] = out_lo + u_outage[f, c, t, 2] * (out_hi - out_lo)
                else:
                    out_loss[c] = 0.0
                d = comp_d[c]
                added = supply_added[t - d, c] if t >= d else 0.0
                supply = (supply0[t, c] + added) * (1.0 - out_loss[c])
                cover[c] = supply / comp_use[t, c] if comp_use[t, c] > supply else 1.0
            # lines: output, then dispatch in planned order into the ring of arrivals
            for li in range(n_lines):
                d = line_d[li]
                capacity = cap0[li] + (cap_added[t - d, li] if t >= d else 0.0)
                r = 1.0
                for q in range(comp_start[li], comp_start[li + 1]):
                    r = min(r, cover[comp_of[q]])
                if catch_up:  # behind plan: made up from spare capacity later
                    made = min(capacity * r, output[t, li] + deficit[li]) * keep[li]
                    deficit[li] = max(deficit[li] + output[t, li] - made, 0.0)
                else:  # what is lost stays lost
                    made = min(capacity * r, output[t, li]) * keep[li]
                made_cum[li] += made
                planned_cum[li] += dispatch[t, li]
                ship = min(planned_cum[li], made_cum[li]) - shipped_cum[li]
                if ship <= 0.0:
                    continue
                shipped_cum[li] += ship
                while ship > 1e-12 and cursor[li] <= t:
                    m = cursor[li]
                    room = dispatch[m, li] - used[li]
                    if room <= 1e-12:
                        cursor[li] += 1
                        used[li] = 0.0
                        continue
                    take = min(ship, room)
                    ship -= take
                    used[li] += take
                    share = take / dispatch[m, li]
                    k = 0
                    if on_late:
                        pa = period[m + lag[li]]
                        k = _delay(u_late[f, li, pa, 0], u_late[f, li, pa, 1], p_late, max_late)
                    when = t + lag[li] + k
                    if when < horizon:
                        slot = arrivals[when % ring]
                        base = li * horizon + m
                        for q in range(offsets[base], offsets[base + 1]):
                            slot[entry_row[q]] += share * entry_qty[q]
            # stocks
            here = arrivals[t % ring]
            for i in range(n_rows):
                surging = on_surge and hot[row_theatre[i]]
                need = consumption[t, i] * (m_cons if surging else 1.0)
                need += aid[t, i] * (m_aid if surging else 1.0)
                need = max(need - unmet_plan[t, i], 0.0)
                available = stock[i] + here[i] + in_transit[t, i]
                served = min(need, max(available, 0.0))
                if served < need - 1e-9 * max(1.0, need):
                    short[f, i] = True
                    if aid[t, i] > 0.0:
                        aid_short[f, i] = True
                stock[i] = available - served
                if stock[i] < threshold[i]:
                    last_bad[i] = t
                if t == due[i]:
                    at_due[f, i] = stock[i]
                if f < keep_paths and path_of[i] >= 0:
                    paths[f, path_of[i], t] = stock[i]
                here[i] = 0.0
        for i in range(n_rows):
            month_met[f, i] = last_bad[i] + 1 if last_bad[i] < horizon - 1 else -1
