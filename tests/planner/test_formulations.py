"""Formulation options of ``build_model`` (the boolean fields of ``BuildOptions``, issue
22): each writes the same LP with fewer nonzeros, so its optimum must be the model's
with every option off, to 1e-6 relative. An option that moves the optimum is wrong."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import highspy
import numpy as np
import pytest

import materiel
from materiel.planner import compat
from materiel.planner.model import BuildOptions, V, build_model
from materiel.scenario.arrays import ModelInputs, build_inputs
from tests.bench.bench_kit import bench_module
from tests.scenario_kit import write_scenario

FLAGS = [f.name for f in dataclasses.fields(BuildOptions) if f.type in ("bool", bool)]
OFF = dict.fromkeys(FLAGS, False)
CASES = [{flag: True} for flag in FLAGS] + [dict.fromkeys(FLAGS, True)]


def relaxation(inp: ModelInputs, **flags: bool) -> tuple[float, int, highspy.Highs]:
    """The LP relaxation's optimum (every integer column continuous), its nonzeros."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = build_model(inp, BuildOptions(**flags))
    h, _ = compat.to_highs(m)
    n = h.getNumCol()
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), compat.integrality(n, False))
    h.setOptionValue("threads", 1)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value), h.getNumNz(), h


@pytest.fixture(scope="module")
def size_s(tmp_path_factory: pytest.TempPathFactory) -> ModelInputs:
    generate = bench_module("generate")
    folder = generate.write(generate.SIZES["S"], tmp_path_factory.mktemp("bench") / "S")
    scenario = materiel.load_scenario(folder, overrides=["policy.whole_lots=false"])
    return build_inputs(scenario)


def lagged(folder: Path) -> Path:
    """Two lines of one group with delivery lags 1 and 2 (arrivals from both only from
    month 2), quarterly contracts, two allies short of a target, one with consumption
    and a recipient asking for aid: every month of the first period is a special case."""
    line = {"item": "SHELL", "host": "AAA", "lead_time": 4, "expansion_cost": 500, "ramp": 4}
    return write_scenario(
        folder,
        {
            "allies": [
                {"code": "AAA", "name": "Ally A", "gdp": 2},
                {"code": "BBB", "name": "Ally B", "gdp": 1},
            ],
            "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
            "lines": [
                {
                    **line,
                    "id": "L1",
                    "producer": "P",
                    "capacity": 6,
                    "ceiling": 12,
                    "delivery_lag": 1,
                },
                {
                    **line,
                    "id": "L2",
                    "producer": "Q",
                    "capacity": 4,
                    "ceiling": 8,
                    "delivery_lag": 2,
                },
            ],
            "stockpiles": [
                {"ally": a, "item": "SHELL", "initial": 5, "target": t, "target_date": "2025-09"}
                for a, t in (("AAA", 60), ("BBB", 40))
            ],
            "demand": [
                {
                    "ally": "BBB",
                    "item": "SHELL",
                    "kind": "consumption",
                    "start": "2025-01",
                    "end": "2025-12",
                    "per_month": 2,
                }
            ],
            "requirements": [
                {
                    "recipient": "UKR",
                    "item": "SHELL",
                    "start": "2025-04",
                    "end": "2025-09",
                    "per_month": 3,
                }
            ],
            "budgets": [{"ally": a, "year": 2025, "amount": 9_000} for a in ("AAA", "BBB")],
        },
        policy={"order_period_months": 3, "industry_rule_months": 2},
    )


@pytest.fixture(scope="module")
def small_lagged(tmp_path_factory: pytest.TempPathFactory) -> ModelInputs:
    inp = build_inputs(materiel.load_scenario(lagged(tmp_path_factory.mktemp("lagged") / "s")))
    assert inp.aid is not None and sorted(inp.lag.values.tolist()) == [1, 2]
    return inp


@pytest.mark.parametrize("flags", CASES, ids=["+".join(sorted(c)) for c in CASES])
def test_size_s_same_optimum_fewer_nonzeros(size_s: ModelInputs, flags: dict[str, bool]) -> None:
    best, nonzeros, _ = relaxation(size_s, **OFF)
    assert best == pytest.approx(1090.337245, rel=1e-6)  # bench/README.md, size S
    optimum, fewer, _ = relaxation(size_s, **{**OFF, **flags})
    assert optimum == pytest.approx(best, rel=1e-6)
    assert fewer < nonzeros


@pytest.mark.parametrize("flags", CASES, ids=["+".join(sorted(c)) for c in CASES])
def test_lags_aid_and_quarters_same_optimum(
    small_lagged: ModelInputs, flags: dict[str, bool]
) -> None:
    best, _, _ = relaxation(small_lagged, **OFF)
    optimum, _, _ = relaxation(small_lagged, **{**OFF, **flags})
    assert optimum == pytest.approx(best, rel=1e-6)
    assert best > 1.0  # the targets are not all met: shortfall and timing matter


def test_a_rate_sits_in_a_few_rows(size_s: ModelInputs) -> None:
    # Off: a rate is in the four monthly rows of each month of its period (12 months at
    # S) and a budget row. On: in its period's two totals and a budget row, and in the
    # stock balance of the months before every line of its group delivers.
    def most(flags: dict[str, bool]) -> int:
        m = build_model(size_s, BuildOptions(**flags))
        A = m.matrices.A.tocsc()
        A.eliminate_zeros()
        cols = np.searchsorted(np.asarray(m.matrices.vlabels), m.variables[V.RATE].flat.labels)
        return int(np.diff(A.indptr)[cols].max())

    assert most(OFF) > 30
    assert most(dict.fromkeys(FLAGS, True)) <= 2 + 2 + 3


@pytest.mark.slow
def test_nato_2024_same_optimum() -> None:
    # The built-in scenario: aid requirements, suppliers, warm lines, least rates, long
    # delivery lags and yearly contracts. Its relaxation's optimum (bench/README.md,
    # 2026-12-06: 4,665.320154 target-months) with every option on.
    inp = build_inputs(materiel.load_scenario("nato-2024"))
    best, nonzeros, _ = relaxation(inp, **OFF)
    optimum, fewer, _ = relaxation(inp, **dict.fromkeys(FLAGS, True))
    assert optimum == pytest.approx(best, rel=1e-6)
    assert fewer < 0.7 * nonzeros
