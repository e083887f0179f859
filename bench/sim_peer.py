"""The simulator's peer: the same stock process written with SimPy.

One SimPy process per future; each month is an event (``yield env.timeout(1)``) at
which the future's demand regimes, supplier outages, lines and stocks move on, in plain
Python, with the rules of ``materiel.simulation.engine`` stated again from its docstring
(this file imports only the *inputs* of materiel: the plan's arrays and the risks).
Its random numbers are its own (a NumPy generator per future, drawn as events need
them), so agreement with materiel is agreement in distribution, within Monte Carlo
error, not number for number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from materiel.scenario.schema import Risks
from materiel.simulation.inputs import SimInputs


def _late_by(rng: np.random.Generator, probability: float, most: int) -> int:
    if rng.random() < probability:
        return 1 + min(int(rng.random() * most), most - 1)
    return 0


def future(
    env: simpy.Environment,
    inp: SimInputs,
    risks: Risks,
    rng: np.random.Generator,
    out: dict[str, Any],
    f: int,
) -> Any:
    """One future, month by month."""
    horizon, n_rows = inp.horizon, len(inp.initial)
    n_lines, n_comp = len(inp.line_ids), len(inp.comp_ids)
    s, d, o, y, late = (
        risks.surge,
        risks.ramp_delay,
        risks.outage,
        risks.yield_loss,
        risks.late_delivery,
    )
    surge_on = s.start > 0 and s.multiplier > 1
    m_cons = s.multiplier if s.applies_to in ("consumption", "all") else 1.0
    m_aid = s.multiplier if s.applies_to in ("aid", "all") else 1.0
    hot = [False] * len(inp.theatres)
    line_delay = [_late_by(rng, d.probability, d.max_months) for _ in range(n_lines)]
    comp_delay = [_late_by(rng, d.probability, d.max_months) for _ in range(n_comp)]
    keep = [1.0 - (y.loss_min + rng.random() * (y.loss_max - y.loss_min)) for _ in range(n_lines)]
    late_of: dict[tuple[int, int], int] = {}
    outage_left, outage_loss = [0] * n_comp, [0.0] * n_comp
    deficit, made_cum = [0.0] * n_lines, [0.0] * n_lines
    shipped_cum, planned_cum = [0.0] * n_lines, [0.0] * n_lines
    cursor, used = [0] * n_lines, [0.0] * n_lines
    arrivals = [list(map(float, inp.in_transit[i])) for i in range(n_rows)]
    stock = [float(x) for x in inp.initial]
    last_bad = [-1] * n_rows
    # the planned arrivals of each line by dispatch month: [(row, quantity), ...]
    planned: list[dict[int, list[tuple[int, float]]]] = [{} for _ in range(n_lines)]
    for p, (li, row) in enumerate(zip(inp.pair_line, inp.pair_row, strict=True)):
        lag = int(inp.lag[li])
        for m in np.flatnonzero(inp.pair_arrival[p, lag:] > 0):
            planned[li].setdefault(int(m), []).append(
                (int(row), float(inp.pair_arrival[p, lag + m]))
            )
    for t in range(horizon):
        # demand regimes
        if surge_on:
            for th in range(len(hot)):
                u = rng.random()
                hot[th] = u >= s.end if hot[th] else u < s.start
        # suppliers
        cover = [1.0] * n_comp
        for c in range(n_comp):
            if outage_left[c] > 0:
                outage_left[c] -= 1
            elif o.probability > 0 and o.loss_max > 0 and rng.random() < o.probability:
                outage_left[c] = min(int(rng.random() * o.max_months), o.max_months - 1)
                outage_loss[c] = o.loss_min + rng.random() * (o.loss_max - o.loss_min)
            else:
                outage_loss[c] = 0.0
            added = inp.supply_added[c, t - comp_delay[c]] if t >= comp_delay[c] else 0.0
            supply = (inp.supply0[c] + added) * (1.0 - outage_loss[c])
            use = inp.comp_use[c, t]
            if use > supply:
                cover[c] = supply / use
        # lines
        for li in range(n_lines):
            dl = line_delay[li]
            capacity = inp.cap0[li] + (inp.cap_added[li, t - dl] if t >= dl else 0.0)
            r = min([1.0] + [cover[c] for c in range(n_comp) if inp.bom[li, c] > 0])
            made = min(capacity * r, inp.output[li, t] + deficit[li]) * keep[li]
            deficit[li] = max(deficit[li] + inp.output[li, t] - made, 0.0)
            made_cum[li] += made
            planned_cum[li] += inp.dispatch[li, t]
            ship = min(planned_cum[li], made_cum[li]) - shipped_cum[li]
            if ship <= 0:
                continue
            shipped_cum[li] += ship
            while ship > 1e-12 and cursor[li] <= t:
                m = cursor[li]
                room = inp.dispatch[li, m] - used[li]
                if room <= 1e-12:
                    cursor[li] += 1
                    used[li] = 0.0
                    continue
                take = min(ship, room)
                ship -= take
                used[li] += take
                arrive = m + int(inp.lag[li])
                period = int(inp.period[arrive])
                if (li, period) not in late_of:
                    late_of[li, period] = (
                        _late_by(rng, late.probability, late.max_months)
                        if late.probability > 0
                        else 0
                    )
                when = t + int(inp.lag[li]) + late_of[li, period]
                if when < horizon:
                    for row, quantity in planned[li].get(m, []):
                        arrivals[row][when] += take / inp.dispatch[li, m] * quantity
        # stocks
        for i in range(n_rows):
            surging = surge_on and hot[inp.row_theatre[i]]
            need = inp.consumption[i, t] * (m_cons if surging else 1.0)
            need += inp.aid[i, t] * (m_aid if surging else 1.0)
            need = max(need - inp.unmet_plan[i, t], 0.0)
            available = stock[i] + arrivals[i][t]
            served = min(need, max(available, 0.0))
            stock[i] = available - served
            if stock[i] < inp.threshold[i]:
                last_bad[i] = t
            if t == inp.due[i]:
                out["at_due"][f, i] = stock[i]
        yield env.timeout(1)
    for i in range(n_rows):
        out["month_met"][f, i] = last_bad[i] + 1 if last_bad[i] < horizon - 1 else -1


def run(inp: SimInputs, risks: Risks, futures: int, seed: int) -> dict[str, np.ndarray]:
    """``futures`` futures in one SimPy environment, a process each."""
    rows = len(inp.initial)
    out = {
        "at_due": np.zeros((futures, rows)),
        "month_met": np.full((futures, rows), -1, dtype=np.int64),
    }
    env = simpy.Environment()
    streams = np.random.SeedSequence(seed).spawn(futures)
    for f in range(futures):
        env.process(future(env, inp, risks, np.random.default_rng(streams[f]), out, f))
    env.run()
    return out


def probability(inp: SimInputs, at_due: np.ndarray) -> np.ndarray:
    """Probability that each target is met by its date (target rows)."""
    rows = inp.target_rows
    return (at_due[:, rows] >= inp.threshold[rows]).mean(axis=0)
