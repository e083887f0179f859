"""The benchmark's peers solve the same LP as materiel (size S, seconds).

The Pyomo peer (bench/pyomo_model.py) is written independently of materiel's linopy
model, so agreement on the optimum to 1e-6 relative is evidence that both say the same
thing; a constraint family missing from either would move the optimum (the last test
shows that it does). HiGHS reading materiel's LP back from an MPS file must agree too.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import highspy
import pytest

pyo = pytest.importorskip("pyomo.environ", reason="the bench extra (pyomo) is not installed")

import materiel  # noqa: E402
from materiel.planner import compat  # noqa: E402
from materiel.planner.model import build_model  # noqa: E402
from materiel.scenario.arrays import ModelInputs, build_inputs  # noqa: E402
from tests.bench.bench_kit import bench_module  # noqa: E402

generate = bench_module("generate")
peers = bench_module("peers")
pyomo_model = bench_module("pyomo_model")

RTOL = 1e-6


def close(a: float, b: float) -> bool:
    return abs(a - b) <= RTOL * max(1.0, abs(a), abs(b))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> ModelInputs:
    folder = generate.write(generate.SIZES["S"], tmp_path_factory.mktemp("bench") / "S")
    # The peers model the LP relaxation (fractional quantities): materiel's too here.
    scenario = materiel.load_scenario(folder, overrides=["policy.whole_lots=false"])
    inp = build_inputs(scenario)
    assert not inp.has_tiers  # an LP: every peer solves the same problem
    return inp


@pytest.fixture(scope="module")
def materiel_solved(inputs: ModelInputs) -> tuple[float, highspy.Highs]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = build_model(inputs)
    h, _ = compat.to_highs(m)
    peers._set_options(h)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value), h


def solve_pyomo(model: Any) -> float:
    from pyomo.contrib.appsi.solvers import Highs

    opt = Highs()
    opt.highs_options = {k: v for k, v in peers.HIGHS_OPTIONS.items() if k != "output_flag"}
    results = opt.solve(model)
    assert str(results.termination_condition).endswith("optimal")
    return float(pyo.value(model.weighted_shortfall))


def test_pyomo_peer_agrees(inputs: ModelInputs, materiel_solved: tuple[float, Any]) -> None:
    objective, _ = materiel_solved
    assert objective > 1.0  # targets are missed: the optimum is not a trivial zero
    assert close(solve_pyomo(pyomo_model.build(inputs)), objective)


def test_highs_from_mps_agrees(tmp_path: Path, materiel_solved: tuple[float, Any]) -> None:
    objective, h = materiel_solved
    path = tmp_path / "S.mps"
    h.writeModel(str(path))
    alone = highspy.Highs()
    peers._set_options(alone)
    alone.readModel(str(path))
    alone.run()
    assert alone.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert close(float(alone.getInfo().objective_function_value), objective)


@pytest.mark.parametrize("family", ["budget_limit", "line_capacity", "component_supply"])
def test_a_missing_family_is_caught(
    inputs: ModelInputs, materiel_solved: tuple[float, Any], family: str
) -> None:
    """Without one constraint family the Pyomo peer no longer agrees: the test can fail."""
    objective, _ = materiel_solved
    model = pyomo_model.build(inputs)
    getattr(model, family).deactivate()
    assert not close(solve_pyomo(model), objective)
