"""The simulator's SimPy peer (bench/sim_peer.py) and materiel's engine sample the same
process: on a plan of the benchmark's size S with every risk on, each target's
probability and mean stock at its date agree within Monte Carlo error, though the two
draw their own numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("simpy", reason="the bench extra (simpy) is not installed")

from materiel.planner.api import plan
from materiel.planner.plan import Plan
from materiel.scenario.load import load_scenario
from materiel.scenario.schema import Risks
from materiel.simulation.api import run_futures
from materiel.simulation.inputs import build
from tests.bench.bench_kit import bench_module

generate = bench_module("generate")
sim_peer = bench_module("sim_peer")

RISKS = Risks.model_validate(
    {
        "surge": {"start": 0.05, "end": 0.2, "multiplier": 2.5, "applies_to": "all"},
        "ramp_delay": {"probability": 0.5, "max_months": 6},
        "outage": {"probability": 0.05, "max_months": 3, "loss_min": 0.3, "loss_max": 0.9},
        "yield_loss": {"loss_min": 0.0, "loss_max": 0.05},
        "late_delivery": {"probability": 0.3, "max_months": 3},
    }
)


@pytest.mark.slow
def test_simpy_peer_agrees_within_monte_carlo_error(tmp_path: Path) -> None:
    # the plan of the LP relaxation: its targets are tight, so the risks move enough of
    # them for the comparison to mean much (whole units keep a little more stock)
    scenario = load_scenario(
        generate.write(generate.SIZES["S"], tmp_path / "S"), overrides=["policy.whole_lots=false"]
    )
    made = Plan.from_result(plan(scenario, explain=0, compare_pooling=False))
    inputs = build(made, scenario).with_theatres(RISKS)
    ours = run_futures(inputs, {"x": RISKS}, 20_000, 1, 20_480)["x"]
    rows = inputs.target_rows
    p_ours = (ours.at_due[:, rows] >= inputs.threshold[rows]).mean(axis=0)
    n_peer = 800
    peer = sim_peer.run(inputs, RISKS, n_peer, seed=2)
    p_peer = sim_peer.probability(inputs, peer["at_due"])
    pooled = (p_ours * 20_000 + p_peer * n_peer) / (20_000 + n_peer)
    se = np.sqrt(pooled * (1 - pooled) * (1 / 20_000 + 1 / n_peer))
    z = np.abs(p_ours - p_peer) / np.maximum(se, 1e-12)
    moving = (pooled > 0) & (pooled < 1)
    assert moving.sum() >= 3, "the risks must move some targets for the test to mean much"
    # with ~20 targets, |z| above 4 by chance has odds of about 1 in 1,000
    assert z[moving].max() < 4.0, (p_ours.round(3), p_peer.round(3), z.round(2))
    assert np.array_equal(p_ours[~moving], p_peer[~moving])
    # stock at the date moves for every target: its mean agrees too (a peer with late
    # deliveries switched off is 60 standard errors away, one with twice the yield
    # loss 4)
    a, b = ours.at_due[:, rows], peer["at_due"][:, rows]
    se = np.sqrt(a.var(axis=0) / len(a) + b.var(axis=0) / len(b))
    assert (se > 0).all()
    assert (np.abs(a.mean(axis=0) - b.mean(axis=0)) / se).max() < 4.0
