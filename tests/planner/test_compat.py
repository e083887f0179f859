"""The one module that relies on linopy's and highspy's insides: its maps must hold."""

from __future__ import annotations

import linopy
import numpy as np
import pytest
import xarray as xr

from materiel.errors import SolveError
from materiel.planner import compat


def _tiny() -> linopy.Model:
    # min x0 + 2 x1 + 3 y  s.t.  x0 >= 1, x1 >= 3, y >= 2 - x0, all >= 0; x masked at
    # index 2 (absent). A unit of x0 (cost 1) saves a unit of y (cost 3) while y > 0:
    # optimum x = (2, 3), y = 0, objective 8.
    m = compat.new_model()
    index = xr.DataArray([0, 1, 2], dims=["i"], coords={"i": [0, 1, 2]})
    x = m.add_variables(lower=0, coords=index.coords, name="x", mask=index < 2)
    y = m.add_variables(lower=0, name="y")
    m.add_constraints(x >= xr.DataArray([1.0, 3.0, 9.0], coords=index.coords), name="low")
    m.add_constraints(y + x.sel(i=0) >= 2, name="link")
    m.add_objective((xr.DataArray([1.0, 2.0, 5.0], coords=index.coords) * x).sum() + 3 * y)
    return m


def test_columns_and_rows_map_labels_both_ways() -> None:
    m = _tiny()
    h, layout = compat.to_highs(m)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    values = compat.values_of(m.variables["x"], layout, x)
    np.testing.assert_allclose(values.values[:2], [2.0, 3.0], atol=1e-9)
    assert np.isnan(values.values[2])  # masked: no column
    assert float(compat.values_of(m.variables["y"], layout, x)) == pytest.approx(0.0, abs=1e-9)
    duals = compat.duals_of(m.constraints["low"], layout, np.asarray(h.getSolution().row_dual))
    # x0 >= 1 is slack (dual 0); x1 >= 3 binds at x1's cost (2)
    np.testing.assert_allclose(duals.values[:2], [0.0, 2.0], atol=1e-9)
    assert np.isnan(duals.values[2])
    link = compat.duals_of(m.constraints["link"], layout, np.asarray(h.getSolution().row_dual))
    assert float(link) == pytest.approx(1.0)  # one more unit of x0
    index, coeffs = layout.terms(m.objective.expression)
    assert float(x[index] @ coeffs) == pytest.approx(8.0)


def test_a_variable_and_a_row_in_a_unit_of_their_own_read_back_in_units() -> None:
    # Stock counted in tens: s' = s / 10. Need 35 units: the row s' >= 3.5 in tens; a
    # unit costs 2, so a column (ten units) costs 20. Read back: 35 units, and the row's
    # dual per unit is the unit's cost, 2 (HiGHS's dual, per ten, is 20).
    m = compat.new_model()
    m.add_variables(lower=0, name="s")
    s = m.variables["s"]
    m.add_constraints(1 * s >= 3.5, name="need")
    m.add_objective(20 * s)
    compat.set_unit(s, 10.0)
    compat.set_unit(m.constraints["need"], 10.0)
    h, layout = compat.to_highs(m)
    h.run()
    solution = h.getSolution()
    assert float(compat.values_of(s, layout, np.asarray(solution.col_value))) == pytest.approx(35)
    dual = compat.duals_of(m.constraints["need"], layout, np.asarray(solution.row_dual))
    assert float(dual) == pytest.approx(2.0)
    assert np.asarray(solution.row_dual)[0] == pytest.approx(20.0)
    assert compat.unit_of(m.variables["s"]) == 10.0


def test_rows_change_bounds_in_place() -> None:
    m = _tiny()
    h, layout = compat.to_highs(m)
    rows = layout.rows(m.constraints["low"]).values[:1]
    # x0 >= 3 instead of >= 1: x = (3, 3), y = 0, objective 9
    compat.change_rows_bounds(h, rows, np.array([3.0]), np.array([np.inf]))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(9.0)


def test_other_linopy_semantics_are_refused_not_silently_used() -> None:
    with linopy.options:
        linopy.options["semantics"] = "v1"
        with pytest.raises(SolveError, match="semantics"):
            compat.new_model()
    assert linopy.options["semantics"] == "legacy"


def test_a_plan_after_highs_ran_with_other_threads_in_the_process(tmp_path) -> None:
    # HiGHS sizes one pool of threads a process at its first run; a later run with
    # another thread count (the planner asks for 1) is refused unless the pool is reset.
    import highspy

    from materiel.planner.api import plan
    from materiel.scenario.load import load_scenario
    from tests.scenario_kit import one_line

    highspy.Highs.resetGlobalScheduler(True)  # as in a fresh process
    other = highspy.Highs()
    other.setOptionValue("output_flag", False)
    other.setOptionValue("threads", 2)
    other.addVar(0, 1)
    assert other.run() == highspy.HighsStatus.kOk  # the pool now has 2 threads
    result = plan(load_scenario(one_line(tmp_path / "s")), explain=0, compare_pooling=False)
    assert result.totals()["met_by_date"] == 1
