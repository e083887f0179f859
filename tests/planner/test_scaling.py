"""The model is scaled so that HiGHS does not warn (issue 18, item 4).

HiGHS assesses a model's costs and bounds before it solves
(``assessCostsBounds``-style check in ``highs/lp_data/HighsSolve.cpp``, ERGO-Code/HiGHS
73cac48c, lines 380-560) with the thresholds of ``highs/lp_data/HConst.h`` lines 38-41:
``kExcessivelySmallObjectiveCoefficient = 1e-4``,
``kExcessivelyLargeObjectiveCoefficient = 1e6``, ``kExcessivelySmallBoundValue = 1e-4``,
``kExcessivelyLargeBoundValue = 1e6``. It warns ("Problem has some excessively small
costs", "... large bounds on variables", "... large bounds on constraints", then "Problem
is badly scaled" in highspy 1.16.0) when the least nonzero |cost| is below 1e-4 or the
largest above 1e6, and likewise for the finite nonzero column bounds and row bounds. It
does not warn on the matrix's range, which is checked here only against what it was
before the units were chosen ([1e-4, 2.1e7] on nato-2024).

Before: nato-2024's relaxation had costs [7e-8, 5e2] (a 155 mm shell missing from a 3.1
million target weighed 3.3e-7 target-months), column bounds up to 3.1e6 (the shortfall's
upper bound, the target) and row bounds up to 3.1e6 (the shortfall row's target).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import highspy
import numpy as np
import pytest

import materiel
from materiel.planner import compat, solve
from materiel.planner.model import V, build_model, held_unit, stock_unit
from materiel.scenario.arrays import ModelInputs, build_inputs
from tests.scenario_kit import write_scenario

SMALL, LARGE = 1e-4, 1e6  # HConst.h: kExcessively{Small,Large}{ObjectiveCoefficient,BoundValue}
MATRIX = (1e-4, 2.2e7)  # nato-2024's matrix range before the units: it must not grow


def _range(values: np.ndarray) -> tuple[float, float]:
    """Least and largest finite nonzero magnitude, as HiGHS measures them."""
    a = np.abs(values[np.isfinite(values)])
    a = a[a > 0]
    return (float(a.min()), float(a.max())) if a.size else (SMALL, SMALL)


def ranges(h: highspy.Highs) -> dict[str, tuple[float, float]]:
    """The coefficient ranges HiGHS reports (Matrix, Cost, Bound, RHS) of its model."""
    lp = h.getLp()
    return {
        "matrix": _range(np.asarray(lp.a_matrix_.value_)),
        "cost": _range(np.asarray(lp.col_cost_)),
        "bound": _range(np.r_[np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)]),
        "rhs": _range(np.r_[np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)]),
    }


def assert_no_warning(inp: ModelInputs) -> tuple[highspy.Highs, compat.Layout]:
    """Stage 1's costs and the cost stage's, column bounds and row bounds within HiGHS's
    thresholds; the matrix no wider than before the units were chosen."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = build_model(inp)
    h, layout = compat.to_highs(m)
    found = ranges(h)
    for key in ("cost", "bound", "rhs"):
        low, high = found[key]
        assert low >= SMALL and high <= LARGE, (key, found[key])
    assert MATRIX[0] <= found["matrix"][0] and found["matrix"][1] <= MATRIX[1], found
    # The cost stage: the same matrix and bounds, spending and the holding tie-break.
    cost = _range(solve._cost_vector(m, layout, inp, h.getNumCol()))
    assert cost[0] >= SMALL and cost[1] <= LARGE, cost
    return h, layout


def _two_sizes(folder: Path) -> Path:
    """Shells in millions and missiles in hundreds, two allies of very different sizes."""
    lines = [
        {
            "id": "SH",
            "item": "SHELL",
            "capacity": 50_000,
            "ceiling": 100_000,
            "expansion_cost": 1e5,
            "ramp": 10_000,
        },
        {
            "id": "MS",
            "item": "MISSILE",
            "capacity": 10,
            "ceiling": 20,
            "expansion_cost": 1e7,
            "ramp": 2,
        },
    ]
    line_rows = [
        {"producer": "P", "host": "AAA", "lead_time": 3, "delivery_lag": 0, **line}
        for line in lines
    ]
    targets = {("AAA", "SHELL"): 3_000_000, ("BBB", "SHELL"): 20_000}
    targets |= {("AAA", "MISSILE"): 300, ("BBB", "MISSILE"): 12}
    return write_scenario(
        folder,
        {
            "allies": [{"code": "AAA", "name": "Ally A"}, {"code": "BBB", "name": "Ally B"}],
            "items": [
                {"code": "SHELL", "name": "Shell", "unit_price": 4_000},
                {"code": "MISSILE", "name": "Missile", "unit_price": 4_000_000},
            ],
            "lines": line_rows,
            "stockpiles": [
                {"ally": a, "item": i, "initial": t // 4, "target": t, "target_date": "2026-06"}
                for (a, i), t in targets.items()
            ],
            "budgets": [
                {"ally": a, "year": y, "amount": 5e9} for a in ("AAA", "BBB") for y in (2025, 2026)
            ],
        },
        horizon=24,
        policy={"whole_lots": False},
    )


@pytest.fixture(scope="module")
def two_sizes(tmp_path_factory: pytest.TempPathFactory) -> ModelInputs:
    return build_inputs(materiel.load_scenario(_two_sizes(tmp_path_factory.mktemp("sizes") / "s")))


def test_units_by_hand(two_sizes: ModelInputs) -> None:
    # Stock unit: a hundredth of the largest target, a power of ten, at least 1:
    # shells 3,000,000 -> 10^(6-2); missiles 300 -> 10^(2-2).
    unit = stock_unit(two_sizes)
    assert float(unit.sel(group="SHELL")) == 1e4
    assert float(unit.sel(group="MISSILE")) == 1.0
    # Held unit: 10^(ceil(log10(largest cost / price)) + 1); the largest cost is the
    # missile line's expansion, 1e7 a unit/month: shells 1e7/4e3 = 2,500 -> 10^5,
    # missiles 1e7/4e6 = 2.5 -> 10^2.
    held = held_unit(two_sizes)
    assert float(held.sel(line="SH")) == 1e5
    assert float(held.sel(line="MS")) == 1e2


def test_two_sizes_no_warning_and_values_in_units(two_sizes: ModelInputs, tmp_path: Path) -> None:
    h, layout = assert_no_warning(two_sizes)
    log = tmp_path / "highs.log"
    h.setOptionValue("log_file", str(log))
    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("threads", 1)
    n = h.getNumCol()
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), compat.integrality(n, False))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    text = log.read_text()
    assert "Coefficient ranges" in text  # HiGHS did assess the model
    assert "WARNING" not in text, text
    # Read back in units, whatever unit a column counts in: AAA's shell gap is its
    # target less its stock, 3,000,000 shells at most.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = build_model(two_sizes)
    x = np.asarray(h.getSolution().col_value)
    stock = compat.values_of(m.variables[V.STOCK], layout, x)
    short = compat.values_of(m.variables[V.SHORT], layout, x)
    gap = (two_sizes.target - stock).clip(0, None)
    assert np.allclose(short.fillna(0), gap.where(short.notnull(), 0), atol=1e-3)
    assert float(short.sel(ally="AAA", group="SHELL").max()) <= 3_000_000 + 1e-3
    assert float(short.sel(ally="AAA", group="SHELL").max()) > 1_000  # in shells, not 1e4s


@pytest.mark.slow
def test_nato_2024_no_warning() -> None:
    assert_no_warning(build_inputs(materiel.load_scenario("nato-2024")))
