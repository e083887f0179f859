"""The one place that relies on how linopy and highspy work inside.

- Models are built under linopy's default ("legacy") arithmetic, in which an absent
  term (a masked variable, a shift past month 0) adds nothing to a sum. No linopy option
  is changed: two plans built in two threads must not interfere, so a process that has
  switched linopy to other semantics gets a clear error instead of a different model.
- A built model is handed to HiGHS through linopy's direct API (no files); the map
  between linopy labels and HiGHS columns and rows comes from ``model.matrices``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import highspy
import linopy
import numpy as np
import xarray as xr
from linopy import LinopySemanticsWarning

from materiel.errors import SolveError

#: linopy warns on every expression built under its default semantics; the model is
#: written for them (and tested under them), so the warning says nothing to a user.
warnings.filterwarnings("ignore", category=LinopySemanticsWarning)


def new_model() -> linopy.Model:
    """An empty linopy model; refuses arithmetic semantics the planner was not written for."""
    semantics = linopy.options["semantics"]
    if semantics != "legacy":
        raise SolveError(
            f"linopy runs with semantics {semantics!r} in this process; materiel's model is "
            "written for linopy's default ('legacy') semantics"
        )
    return linopy.Model(force_dim_names=True)


Expression = linopy.LinearExpression | linopy.QuadraticExpression


def change_rows_bounds(
    h: highspy.Highs, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> None:
    """Set row bounds in HiGHS (absent from highspy's type stubs)."""
    h.changeRowsBounds(len(rows), rows.astype(np.int32), lower, upper)  # type: ignore[attr-defined]


def integrality(n: int, integer: bool) -> np.ndarray:
    """HiGHS's integrality codes for n columns: continuous (0) or integer (1)."""
    return np.full(n, 1 if integer else 0, dtype=np.uint8)


@dataclass(frozen=True)
class Layout:
    """Where each linopy label sits in the HiGHS matrix."""

    col_labels: np.ndarray  # linopy variable label of each column
    row_labels: np.ndarray  # linopy constraint label of each row
    column_of: np.ndarray  # column of each variable label, -1 where none
    row_of: np.ndarray  # row of each constraint label, -1 where none

    @classmethod
    def of(cls, m: linopy.Model) -> Layout:
        cols = np.asarray(m.matrices.vlabels)
        rows = np.asarray(m.matrices.clabels)
        column_of = np.full(int(m._xCounter), -1, dtype=np.int64)
        column_of[cols] = np.arange(len(cols))
        row_of = np.full(int(m._cCounter), -1, dtype=np.int64)
        row_of[rows] = np.arange(len(rows))
        return cls(col_labels=cols, row_labels=rows, column_of=column_of, row_of=row_of)

    def columns(self, var: linopy.Variable) -> xr.DataArray:
        """HiGHS column of each entry of a variable, -1 where masked."""
        labels = var.labels
        out = np.where(labels.values >= 0, self.column_of[np.clip(labels.values, 0, None)], -1)
        return xr.DataArray(out, coords=labels.coords, dims=labels.dims)

    def rows(self, con: linopy.Constraint) -> xr.DataArray:
        """HiGHS row of each entry of a constraint, -1 where masked or dropped."""
        labels = con.labels
        out = np.where(labels.values >= 0, self.row_of[np.clip(labels.values, 0, None)], -1)
        return xr.DataArray(out, coords=labels.coords, dims=labels.dims)

    def terms(self, expr: Expression) -> tuple[np.ndarray, np.ndarray]:
        """Columns and summed coefficients of a linear expression (its constant dropped)."""
        data = expr.data
        labels = data["vars"].values.ravel()
        coeffs = data["coeffs"].values.ravel()
        keep = labels >= 0
        columns = self.column_of[labels[keep]]
        ok = columns >= 0
        dense = np.zeros(len(self.col_labels))
        np.add.at(dense, columns[ok], coeffs[keep][ok])
        nonzero = np.flatnonzero(dense)
        return nonzero.astype(np.int32), dense[nonzero]


def to_highs(m: linopy.Model) -> tuple[highspy.Highs, Layout]:
    """A HiGHS instance holding ``m`` (objective included), quiet, and its layout."""
    h = linopy.io.to_highspy(m)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h, Layout.of(m)


def values_of(var: linopy.Variable, layout: Layout, col_value: np.ndarray) -> xr.DataArray:
    """A variable's values from HiGHS column values; NaN where masked."""
    cols = layout.columns(var)
    values = np.where(cols.values >= 0, col_value[np.clip(cols.values, 0, None)], np.nan)
    return xr.DataArray(values, coords=cols.coords, dims=cols.dims)


def duals_of(con: linopy.Constraint, layout: Layout, row_dual: np.ndarray) -> xr.DataArray:
    """A constraint's duals from HiGHS row duals; NaN where masked or dropped."""
    rows = layout.rows(con)
    values = np.where(rows.values >= 0, row_dual[np.clip(rows.values, 0, None)], np.nan)
    return xr.DataArray(values, coords=rows.coords, dims=rows.dims)


def take(
    expr: linopy.LinearExpression | linopy.Variable, dim: str, src: xr.DataArray
) -> linopy.LinearExpression:
    """``out[..., s] = expr[..., dim=src[..., s]]``; where ``src`` is -1 the term is dropped.

    ``src`` may share dimensions with ``expr`` (taken pointwise along them, as for a
    per-line lag) and brings its own (the month a period is delivered in). Each
    constraint keeps only the few terms it needs.
    """
    expr = 1 * expr if isinstance(expr, linopy.Variable) else expr
    data = expr.data
    size = data.sizes[dim]
    valid = (src >= 0) & (src < size)
    index = src.clip(0, size - 1)
    if dim in index.coords:
        index = index.drop_vars(dim)
    taken = data[["coeffs", "vars"]].isel({dim: index})
    coeffs = taken["coeffs"].where(valid, 0.0)
    labels = taken["vars"].where(valid, -1).astype(int)
    out = xr.Dataset({"coeffs": coeffs, "vars": labels}).transpose(..., "_term")
    return linopy.LinearExpression(out, expr.model)
