"""The cost stage, solved warm on the HiGHS instance that solved the shortfall stage.

linopy hands the model to HiGHS once (direct API). For the second objective we keep
that instance: add one row (weighted shortfall ≤ its optimum), swap the objective, and
give the shortfall-stage plan as the starting incumbent, which stays feasible. Without
the incumbent a MIP cost stage can search for minutes before it finds any plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import linopy
import numpy as np
import xarray as xr


@dataclass(frozen=True)
class Columns:
    """Map between linopy variable labels and HiGHS column indices."""

    labels: np.ndarray  # label of each column, in column order
    column_of: np.ndarray  # column of each label, -1 where none

    @classmethod
    def of(cls, m: linopy.Model) -> Columns:
        labels = np.asarray(m.matrices.vlabels)
        size = int(max(int(v.labels.max()) for v in (m.variables[n] for n in m.variables))) + 1
        column_of = np.full(size, -1, dtype=np.int64)
        column_of[labels] = np.arange(len(labels))
        return cls(labels=labels, column_of=column_of)

    def terms(
        self, expr: linopy.LinearExpression | linopy.QuadraticExpression
    ) -> tuple[np.ndarray, np.ndarray]:
        """Columns and summed coefficients of a linear expression (its constant dropped)."""
        data = expr.data
        labels = data["vars"].values.ravel()
        coeffs = data["coeffs"].values.ravel()
        keep = labels >= 0
        columns = self.column_of[labels[keep]]
        keep_cols = columns >= 0
        dense = np.zeros(len(self.labels))
        np.add.at(dense, columns[keep_cols], coeffs[keep][keep_cols])
        nonzero = np.flatnonzero(dense)
        return nonzero.astype(np.int32), dense[nonzero]

    def by_label(self, column_values: np.ndarray) -> np.ndarray:
        out = np.full(len(self.column_of), np.nan)
        out[self.labels] = column_values
        return out

    def value_of(self, var: linopy.Variable, by_label: np.ndarray) -> xr.DataArray:
        labels = var.labels
        values = np.where(labels.values >= 0, by_label[np.clip(labels.values, 0, None)], np.nan)
        return xr.DataArray(values, coords=labels.coords, dims=labels.dims)

    def evaluate(
        self, expr: linopy.LinearExpression | linopy.QuadraticExpression, by_label: np.ndarray
    ) -> xr.DataArray:
        data = expr.data
        labels = data["vars"]
        x = xr.DataArray(
            np.where(labels.values >= 0, by_label[np.clip(labels.values, 0, None)], 0.0),
            coords=labels.coords,
            dims=labels.dims,
        )
        total = (data["coeffs"] * x).sum("_term")
        return total + data["const"] if "const" in data else total


@dataclass(frozen=True)
class CostStage:
    """Result of the warm cost stage."""

    values: dict[str, xr.DataArray]
    spending: xr.DataArray
    cost: float
    optimal: bool


Expression = linopy.LinearExpression | linopy.QuadraticExpression


def solve_cost_stage(
    m: linopy.Model,
    shortfall: Expression,
    bound: float,
    cost: Expression,
    spending: Expression,
    scale: float,
) -> CostStage | None:
    """Minimise ``cost / scale`` subject to ``shortfall ≤ bound`` on m's HiGHS instance.

    Returns None when no plan comes back (the caller reports it).
    """
    h = m.solver_model
    if not isinstance(h, highspy.Highs):
        return None
    columns = Columns.of(m)
    incumbent = h.getSolution()
    index, values = columns.terms(shortfall)
    h.addRow(-highspy.kHighsInf, bound, len(index), index, values)
    n = len(columns.labels)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    index, values = columns.terms(cost)
    h.changeColsCost(len(index), index, values / scale)
    h.setOptionValue("mip_heuristic_effort", 0.0)
    h.setSolution(incumbent)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # 2: feasible
        return None
    by_label = columns.by_label(np.asarray(h.getSolution().col_value))
    return CostStage(
        values={
            name: columns.value_of(var, by_label)
            for name in m.variables
            for var in [m.variables[name]]
        },
        spending=columns.evaluate(spending, by_label),
        cost=float(columns.evaluate(cost, by_label)),
        optimal=h.getModelStatus() == highspy.HighsModelStatus.kOptimal,
    )
