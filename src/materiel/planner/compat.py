"""The one place that relies on how linopy and highspy work inside.

- Models are built under linopy's default ("legacy") arithmetic, in which an absent
  term (a masked variable, a shift past month 0) adds nothing to a sum. No linopy option
  is changed: two plans built in two threads must not interfere, so a process that has
  switched linopy to other semantics gets a clear error instead of a different model.
- A built model is handed to HiGHS through linopy's direct API (no files); the map
  between linopy labels and HiGHS columns and rows comes from ``model.matrices``.
- A variable or constraint measured in a unit of its own (a stock in thousands of
  shells, see ``model.stock_unit``) carries that unit in its linopy ``attrs``
  (:func:`set_unit`): :func:`values_of` gives values in the documented unit, and a
  right-hand side change in that unit is divided by it (:func:`unit_of`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

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


UNIT = "materiel_unit"


def set_unit(item: linopy.Variable | linopy.Constraint, unit: xr.DataArray | float) -> None:
    """Record that a variable's columns (a constraint's rows) are measured in ``unit``
    of the quantity the model documents: a column's value times ``unit`` is the value, a
    row's right-hand side is the documented one divided by ``unit``."""
    attrs: dict[str, Any] = item.attrs  # linopy types them Hashable: any value is kept
    attrs[UNIT] = unit


def unit_of(item: linopy.Variable | linopy.Constraint) -> xr.DataArray | float:
    """The unit recorded by :func:`set_unit`, 1 where none."""
    attrs: dict[str, Any] = item.attrs
    unit: xr.DataArray | float = attrs.get(UNIT, 1.0)
    return unit


def values_of(var: linopy.Variable, layout: Layout, col_value: np.ndarray) -> xr.DataArray:
    """A variable's values from HiGHS column values, in the model's documented unit
    (its column values times :func:`unit_of`); NaN where masked."""
    cols = layout.columns(var)
    values = np.where(cols.values >= 0, col_value[np.clip(cols.values, 0, None)], np.nan)
    out = xr.DataArray(values, coords=cols.coords, dims=cols.dims)
    unit = unit_of(var)
    if isinstance(unit, xr.DataArray):
        return (out * unit).transpose(*cols.dims)
    return out * unit if unit != 1.0 else out


def duals_of(con: linopy.Constraint, layout: Layout, row_dual: np.ndarray) -> xr.DataArray:
    """A constraint's duals from HiGHS row duals, per unit of its documented right-hand
    side (the row's dual over :func:`unit_of`); NaN where masked or dropped."""
    rows = layout.rows(con)
    values = np.where(rows.values >= 0, row_dual[np.clip(rows.values, 0, None)], np.nan)
    out = xr.DataArray(values, coords=rows.coords, dims=rows.dims)
    unit = unit_of(con)
    if isinstance(unit, xr.DataArray):
        return (out / unit).transpose(*rows.dims)
    return out / unit if unit != 1.0 else out


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
