"""``materiel.simulate(plan, ...)``: how likely a plan is to hold.

Runs the plan forward over many sampled futures (:mod:`materiel.simulation.engine`) in
chunks of whole random-number blocks, and summarises them
(:class:`materiel.simulation.result.Simulation`): for each target the probability that it
is met by its date with a 95 % interval, the distribution of the month it is met, the
probability that aid is served in full, fan charts of stock, and which risk moves the
probabilities most (each risk switched off in turn, on the same random numbers).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from materiel.errors import InputError
from materiel.planner import Plan
from materiel.scenario import Risks, Scenario, check_risks
from materiel.simulation import engine
from materiel.simulation.engine import active
from materiel.simulation.inputs import SimInputs, build
from materiel.simulation.result import Simulation

MAX_FUTURES = 10_000_000
DEFAULT_MEMORY_MB = 2048

#: What "switched off" means for each risk.
_OFF: dict[str, dict[str, Any]] = {
    "surge": {"start": 0.0},
    "ramp_delay": {"probability": 0.0},
    "outage": {"probability": 0.0},
    "yield_loss": {"loss_min": 0.0, "loss_max": 0.0},
    "late_delivery": {"probability": 0.0},
}

Progress = Callable[[str, int, int], None]


def without(risks: Risks, name: str) -> Risks:
    """``risks`` with the risk ``name`` switched off."""
    risk = getattr(risks, name)
    return risks.model_copy(update={name: risk.model_copy(update=_OFF[name])})


def no_risk() -> Risks:
    """Every risk off."""
    risks = Risks()
    for name in engine.RISK_ORDER:
        risks = without(risks, name)
    return risks


def check_futures(futures: object) -> int:
    """``futures`` as a count, or InputError."""
    if isinstance(futures, bool) or not isinstance(futures, int | np.integer):
        raise InputError(f"futures must be a whole number, not {futures!r}")
    if not 1 <= int(futures) <= MAX_FUTURES:
        raise InputError(f"futures must be between 1 and {MAX_FUTURES:,}, not {futures:,}")
    return int(futures)


#: The sensitivity ranking runs over the first this many futures by default.
SENSITIVITY_FUTURES = 2_000
#: Stock paths are kept for the fan charts' quantiles from the first this many futures.
FAN_FUTURES = 2_000


def chunk_futures(inputs: SimInputs, futures: int, memory_mb: float) -> int:
    """Futures per chunk (whole blocks) so that a chunk's draws and outcomes, plus the
    stock paths kept for fan charts, stay within ``memory_mb``."""
    per_future = memory_per_future(inputs)
    kept = path_bytes(inputs) * min(futures, FAN_FUTURES)
    room = memory_mb * 2**20 - kept
    if room < per_future * engine.BLOCK:
        need = (kept + per_future * engine.BLOCK) / 2**20
        raise InputError(
            f"{futures:,} futures need at least {need:,.0f} MiB, more than the memory bound "
            f"of {memory_mb:,.0f} MiB: raise --memory-mb"
        )
    blocks = max(1, int(room // (per_future * engine.BLOCK)))
    return min(blocks * engine.BLOCK, _round_up(futures))


def memory_per_future(inputs: SimInputs) -> int:
    """Bytes one future of a chunk takes at most: its draws (float32) and outcome."""
    n_th, n_l, n_c = len(inputs.theatres), len(inputs.line_ids), len(inputs.comp_ids)
    t, rows = inputs.horizon, len(inputs.initial)
    periods = int(inputs.period.max()) + 1
    draws = n_th * t + 2 * n_l + 2 * n_c + 3 * n_c * t + n_l + 2 * n_l * periods
    return 4 * draws + rows * (8 + 8 + 1 + 1)


def path_bytes(inputs: SimInputs) -> int:
    """Bytes of one future's kept stock paths (targets × months, float32)."""
    return 4 * len(inputs.target_rows) * inputs.horizon


def memory_bound_mib(inputs: SimInputs, futures: int, chunk: int) -> float:
    """What a run of ``futures`` in chunks of ``chunk`` holds at most [MiB]."""
    kept = path_bytes(inputs) * min(futures, FAN_FUTURES)
    return (kept + memory_per_future(inputs) * chunk) / 2**20


def _round_up(futures: int) -> int:
    return -(-futures // engine.BLOCK) * engine.BLOCK


def run_futures(
    inputs: SimInputs,
    variants: dict[str, Risks],
    futures: int,
    seed: int,
    chunk: int,
    progress: Progress | None = None,
    drawn_for: Risks | None = None,
    keep_paths: bool = True,
    label: str = "futures",
) -> dict[str, engine.Outcome]:
    """Futures ``0 .. futures − 1`` of ``seed`` under each variant of the risks, ``chunk``
    futures at a time (a multiple of the block), on the same random numbers: the same
    results whatever the chunk. With ``keep_paths`` the first variant keeps stock paths
    for fan charts.

    Each chunk's numbers are drawn once, for ``drawn_for`` (default: the first variant);
    the variants may only switch risks of it off.
    """
    if chunk <= 0 or chunk % engine.BLOCK:
        raise InputError(f"a chunk must be a multiple of {engine.BLOCK} futures, not {chunk}")
    names = list(variants)
    parts: dict[str, list[engine.Outcome]] = {name: [] for name in names}
    done = 0
    while done < futures:
        size = min(chunk, futures - done)
        draws = engine.draw(
            inputs,
            drawn_for or variants[names[0]],
            seed,
            done // engine.BLOCK,
            -(-size // engine.BLOCK),
        )
        for k, name in enumerate(names):
            keep = max(0, min(FAN_FUTURES - done, size)) if k == 0 and keep_paths else 0
            parts[name].append(_head(engine.run(inputs, variants[name], draws, keep), size))
        done += size
        if progress is not None:
            progress(label, done, futures)
    return {name: _join(parts[name]) for name in names}


def _head(outcome: engine.Outcome, n: int) -> engine.Outcome:
    return engine.Outcome(
        outcome.at_due[:n],
        outcome.month_met[:n],
        outcome.short[:n],
        outcome.aid_short[:n],
        outcome.paths,
    )


def _join(parts: list[engine.Outcome]) -> engine.Outcome:
    if len(parts) == 1:
        return parts[0]
    paths = [p.paths for p in parts if p.paths is not None]
    return engine.Outcome(
        np.concatenate([p.at_due for p in parts]),
        np.concatenate([p.month_met for p in parts]),
        np.concatenate([p.short for p in parts]),
        np.concatenate([p.aid_short for p in parts]),
        np.concatenate(paths) if paths else None,
    )


def simulate(
    plan: Plan,
    scenario: Scenario | None = None,
    *,
    futures: int = 10_000,
    seed: int = 7,
    risks: Risks | None = None,
    sensitivity: int | bool = SENSITIVITY_FUTURES,
    memory_mb: float = DEFAULT_MEMORY_MB,
    chunk: int | None = None,
    progress: Progress | None = None,
) -> Simulation:
    """Run ``plan`` forward over ``futures`` sampled futures.

    ``scenario`` defaults to the built-in or folder the plan names; a plan made for
    another scenario (by its digest) is refused. ``risks`` default to the scenario's.
    Each active risk is also switched off in turn on the same random numbers, over the
    first ``sensitivity`` futures (common random numbers make the differences precise
    with far fewer futures; 0 or False: no sensitivity ranking).
    """
    futures = check_futures(futures)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"the seed must be a whole number of at least 0, not {seed!r}")
    if scenario is None:
        from materiel.scenario import load_scenario

        scenario = load_scenario(plan.scenario_name)
    check_plan(plan, scenario)
    if risks is not None:
        check_risks(risks, scenario)
    risks = scenario.meta.risks if risks is None else risks
    started = time.perf_counter()
    inputs = build(plan, scenario).with_theatres(risks)
    size = chunk or chunk_futures(inputs, futures, memory_mb)
    base = run_futures(inputs, {"base": risks}, futures, seed, size, progress)["base"]
    n_sens = min(futures, int(sensitivity))
    switched_off = {}
    if n_sens > 0 and active(risks):
        variants = {name: without(risks, name) for name in active(risks)}
        switched_off = run_futures(
            inputs, variants, n_sens, seed, size, progress, risks, False, "sensitivity"
        )
    return Simulation(
        inputs=inputs,
        plan=plan,
        risks=risks,
        futures=futures,
        seed=seed,
        outcome=base,
        switched_off=switched_off,
        chunk=size,
        memory_mb=memory_bound_mib(inputs, futures, size),
        seconds=time.perf_counter() - started,
    )


def check_plan(plan: Plan, scenario: Scenario) -> None:
    """InputError unless ``plan`` was made for ``scenario`` as it is now (or, for a plan
    made to a confidence level, for the scenario it buffered)."""
    digest = scenario.digest()
    if digest in (plan.scenario_digest, plan.summary.get("base_digest")):
        return
    raise InputError(
        f"the plan was made for scenario {plan.scenario_name!r} (digest "
        f"{plan.scenario_digest[:12]}), not for {scenario.name!r} as it is now (digest "
        f"{digest[:12]}): plan the scenario again"
    )
