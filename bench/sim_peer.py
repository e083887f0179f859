"""The simulator's peer: the same stock process written with SimPy.

One SimPy process per future; each month is an event (``yield env.timeout(1)``) at
which the future's demand regimes, supplier outages, lines and stocks move on, in plain
Python, with the rules of ``materiel.simulation.engine`` stated again from its docstring
(this file imports only the *inputs* of materiel: the plan's arrays and the risks).

Written as SimPy's documentation teaches: processes are generators over plain Python
data. The plan's NumPy arrays are read once per run into lists (:func:`tables`), and
the planned arrivals of each line by dispatch month are grouped once per run; every
future shares them. Its random numbers are its own (Python's ``random``, one generator
per future, drawn as events need them), so agreement with materiel is agreement in
distribution, within Monte Carlo error, not number for number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import simpy

from materiel.scenario.schema import Risks
from materiel.simulation.inputs import SimInputs


class Uniform(Protocol):
    """A source of uniform draws in [0, 1): ``random.Random`` (or a NumPy generator)."""

    def random(self) -> float: ...


@dataclass(frozen=True)
class Tables:
    """The plan and the stocks as plain Python lists, shared by every future of a run.

    Tables by month are month-major (``consumption[t][i]``), as each month reads them."""

    horizon: int
    theatres: int
    # stock rows
    initial: list[float]
    threshold: list[float]
    due: list[int]
    row_theatre: list[int]
    consumption: list[list[float]]  # [t][row]
    aid: list[list[float]]  # [t][row]
    unmet_plan: list[list[float]]  # [t][row]
    in_transit: list[list[float]]  # [t][row]
    # lines
    lag: list[int]
    cap0: list[float]
    cap_added: list[list[float]]  # [line][t]
    output: list[list[float]]  # [line][t]
    dispatch: list[list[float]]  # [line][t]
    uses: list[tuple[int, ...]]  # the components of each line
    # components
    supply0: list[list[float]]  # (component, month): supply now, as the plan has it
    supply_added: list[list[float]]  # [component][t]
    comp_use: list[list[float]]  # [component][t]
    # the planned arrivals of each line by dispatch month: [(row, quantity), ...]
    planned: list[dict[int, list[tuple[int, float]]]]
    period: list[int]


def tables(inp: SimInputs) -> Tables:
    """``inp``'s arrays as lists, once per run."""
    planned: list[dict[int, list[tuple[int, float]]]] = [{} for _ in inp.line_ids]
    lag = inp.lag.tolist()
    for li, row, arrival in zip(
        inp.pair_line.tolist(), inp.pair_row.tolist(), inp.pair_arrival.tolist(), strict=True
    ):
        for m, quantity in enumerate(arrival[lag[li] :]):
            if quantity > 0:
                planned[li].setdefault(m, []).append((row, quantity))
    return Tables(
        horizon=inp.horizon,
        theatres=len(inp.theatres),
        initial=inp.initial.tolist(),
        threshold=inp.threshold.tolist(),
        due=inp.due.tolist(),
        row_theatre=inp.row_theatre.tolist(),
        consumption=inp.consumption.T.tolist(),
        aid=inp.aid.T.tolist(),
        unmet_plan=inp.unmet_plan.T.tolist(),
        in_transit=inp.in_transit.T.tolist(),
        lag=lag,
        cap0=inp.cap0.tolist(),
        cap_added=inp.cap_added.tolist(),
        output=inp.output.tolist(),
        dispatch=inp.dispatch.tolist(),
        uses=[tuple(np.flatnonzero(b > 0).tolist()) for b in inp.bom],
        supply0=inp.supply0.tolist(),
        supply_added=inp.supply_added.tolist(),
        comp_use=inp.comp_use.tolist(),
        planned=planned,
        period=inp.period.tolist(),
    )


def _late_by(rng: Uniform, probability: float, most: int) -> int:
    if rng.random() < probability:
        return 1 + min(int(rng.random() * most), most - 1)
    return 0


def future(
    env: simpy.Environment,
    tab: Tables,
    risks: Risks,
    rng: Uniform,
    out: dict[str, Any],
    f: int,
) -> Any:
    """One future, month by month."""
    horizon, n_rows = tab.horizon, len(tab.initial)
    n_lines, n_comp = len(tab.lag), len(tab.supply0)
    s, d, o, y, late = (
        risks.surge,
        risks.ramp_delay,
        risks.outage,
        risks.yield_loss,
        risks.late_delivery,
    )
    surge_on = s.start > 0 and s.multiplier > 1
    outage_on = o.probability > 0 and o.loss_max > 0
    m_cons = s.multiplier if s.applies_to in ("consumption", "all") else 1.0
    m_aid = s.multiplier if s.applies_to in ("aid", "all") else 1.0
    hot = [False] * tab.theatres
    line_delay = [_late_by(rng, d.probability, d.max_months) for _ in range(n_lines)]
    comp_delay = [_late_by(rng, d.probability, d.max_months) for _ in range(n_comp)]
    keep = [1.0 - (y.loss_min + rng.random() * (y.loss_max - y.loss_min)) for _ in range(n_lines)]
    late_of: dict[tuple[int, int], int] = {}
    outage_left, outage_loss = [0] * n_comp, [0.0] * n_comp
    deficit, made_cum = [0.0] * n_lines, [0.0] * n_lines
    shipped_cum, planned_cum = [0.0] * n_lines, [0.0] * n_lines
    cursor, used = [0] * n_lines, [0.0] * n_lines
    arrivals = [list(month) for month in tab.in_transit]  # [t][row], credited below
    stock = list(tab.initial)
    last_bad = [-1] * n_rows
    at_due = [0.0] * n_rows
    threshold, due, row_theatre = tab.threshold, tab.due, tab.row_theatre
    for t in range(horizon):
        # demand regimes
        if surge_on:
            for th in range(tab.theatres):
                u = rng.random()
                hot[th] = u >= s.end if hot[th] else u < s.start
        # suppliers
        cover = [1.0] * n_comp
        for c in range(n_comp):
            if outage_left[c] > 0:
                outage_left[c] -= 1
            elif outage_on and rng.random() < o.probability:
                outage_left[c] = min(int(rng.random() * o.max_months), o.max_months - 1)
                outage_loss[c] = o.loss_min + rng.random() * (o.loss_max - o.loss_min)
            else:
                outage_loss[c] = 0.0
            dc = comp_delay[c]
            added = tab.supply_added[c][t - dc] if t >= dc else 0.0
            supply = (tab.supply0[c][t] + added) * (1.0 - outage_loss[c])
            use = tab.comp_use[c][t]
            if use > supply:
                cover[c] = supply / use
        # lines
        for li in range(n_lines):
            dl, dispatch = line_delay[li], tab.dispatch[li]
            capacity = tab.cap0[li] + (tab.cap_added[li][t - dl] if t >= dl else 0.0)
            r = 1.0
            for c in tab.uses[li]:
                if cover[c] < r:
                    r = cover[c]
            planned_output = tab.output[li][t]
            made = min(capacity * r, planned_output + deficit[li]) * keep[li]
            deficit[li] = max(deficit[li] + planned_output - made, 0.0)
            made_cum[li] += made
            planned_cum[li] += dispatch[t]
            ship = min(planned_cum[li], made_cum[li]) - shipped_cum[li]
            if ship <= 0:
                continue
            shipped_cum[li] += ship
            lag = tab.lag[li]
            while ship > 1e-12 and cursor[li] <= t:
                m = cursor[li]
                room = dispatch[m] - used[li]
                if room <= 1e-12:
                    cursor[li] += 1
                    used[li] = 0.0
                    continue
                take = min(ship, room)
                ship -= take
                used[li] += take
                period = tab.period[m + lag]
                if (li, period) not in late_of:
                    late_of[li, period] = (
                        _late_by(rng, late.probability, late.max_months)
                        if late.probability > 0
                        else 0
                    )
                when = t + lag + late_of[li, period]
                if when < horizon:
                    share, there = take / dispatch[m], arrivals[when]
                    for row, quantity in tab.planned[li].get(m, ()):
                        there[row] += share * quantity
        # stocks
        consumption, aid = tab.consumption[t], tab.aid[t]
        unmet, here = tab.unmet_plan[t], arrivals[t]
        for i in range(n_rows):
            surging = surge_on and hot[row_theatre[i]]
            need = consumption[i] * (m_cons if surging else 1.0)
            need += aid[i] * (m_aid if surging else 1.0)
            need = max(need - unmet[i], 0.0)
            available = stock[i] + here[i]
            served = min(need, max(available, 0.0))
            stock[i] = available - served
            if stock[i] < threshold[i]:
                last_bad[i] = t
            if t == due[i]:
                at_due[i] = stock[i]
        yield env.timeout(1)
    out["at_due"][f] = at_due
    out["month_met"][f] = [b + 1 if b < horizon - 1 else -1 for b in last_bad]


def run(inp: SimInputs, risks: Risks, futures: int, seed: int) -> dict[str, np.ndarray]:
    """``futures`` futures in one SimPy environment, a process each."""
    rows = len(inp.initial)
    out = {
        "at_due": np.zeros((futures, rows)),
        "month_met": np.full((futures, rows), -1, dtype=np.int64),
    }
    tab = tables(inp)
    env = simpy.Environment()
    seeds = np.random.SeedSequence(seed).generate_state(futures, np.uint64).tolist()
    for f in range(futures):
        env.process(future(env, tab, risks, random.Random(seeds[f]), out, f))
    env.run()
    return out


def probability(inp: SimInputs, at_due: np.ndarray) -> np.ndarray:
    """Probability that each target is met by its date (target rows)."""
    rows = inp.target_rows
    return (at_due[:, rows] >= inp.threshold[rows]).mean(axis=0)
