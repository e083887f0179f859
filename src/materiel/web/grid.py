"""What the pages' large tables need besides their rows: the unit of each column, and
which columns hold numbers (sorted as numbers in the browser, from the raw value the
server puts in each cell's ``data-order``).

A scenario table's units come from the schema: its field descriptions carry the unit in
brackets (``output now [units/month]``). A unit in ``currency`` is shown in the
scenario's currency (``[currency/unit]`` -> ``[EUR/unit]``), except in a table whose rows
name their own currency (``contracts``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from materiel.scenario import TABLES

_BRACKET = re.compile(r"\[([^\]]+)\]")
_CURRENCY = re.compile(r"\bcurrency\b")


def schema_unit(table: str, column: str, currency: str = "") -> str:
    """The unit of a scenario table's column: the first bracketed part of its description
    in the schema ('' for a column without one, or not in the schema)."""
    spec = TABLES.get(table)
    field = spec.row.model_fields.get(column) if spec else None
    found = _BRACKET.search(field.description or "") if field else None
    if found is None:
        return ""
    unit = found.group(1)
    if currency and spec is not None and "currency" not in spec.row.model_fields:
        unit = _CURRENCY.sub(currency, unit)
    return unit


def schema_units(table: str, columns: Iterable[str], currency: str = "") -> dict[str, str]:
    """Each column's unit (see :func:`schema_unit`), for the columns that have one."""
    units = {c: schema_unit(table, c, currency) for c in columns}
    return {c: u for c, u in units.items() if u}


def numeric_columns(rows: Iterable[dict[str, Any]], columns: Iterable[str]) -> set[str]:
    """The columns whose values are all numbers (booleans are not; absent values do not
    count), and at least one is."""
    rows = list(rows)
    out = set()
    for column in columns:
        values = [r.get(column) for r in rows if r.get(column) is not None]
        if values and all(_is_number(v) for v in values):
            out.add(column)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def order_value(value: Any) -> str:
    """A cell's raw value for its ``data-order`` attribute: the number as Python writes it
    (``12500.0``), '' when absent, not a number or not finite."""
    if not _is_number(value) or not math.isfinite(value):
        return ""
    return repr(value)


#: The units of the aid coordination table's figures (the planner's ``aid_requirements``).
AID_UNITS = {
    **{c: "units" for c in ("required", "given", "from_stock", "from_new", "unmet")},
    "months_met": "months",
    "months": "months",
}
