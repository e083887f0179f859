"""Writing a :class:`TrackResult`: a rich table (with its source line), CSV, JSON or XLSX.

CSV carries the sources in a ``source`` column on every row; JSON and XLSX carry them
with the units and assumptions (XLSX on an ``about`` sheet).
"""

from __future__ import annotations

import io
import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from materiel.errors import DataError, InputError
from materiel.track.result import TrackResult


class OutputFormat(StrEnum):
    """The formats every ``track`` command writes."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


_SUFFIXES = {".csv": OutputFormat.csv, ".json": OutputFormat.json, ".xlsx": OutputFormat.xlsx}


def choose_format(fmt: OutputFormat | None, out: Path | None) -> OutputFormat:
    """The format asked for, else the one ``out``'s suffix names, else a table."""
    if fmt is not None:
        if fmt is OutputFormat.xlsx and out is None:
            raise InputError("--format xlsx writes a file: give --out FILE.xlsx")
        return fmt
    if out is not None:
        return _SUFFIXES.get(out.suffix.lower(), OutputFormat.table)
    return OutputFormat.table


def cell(value: Any, decimals: int = 2) -> str:
    """A value as the terminal table prints it: numbers to ``decimals``, blanks as '–'."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    return str(value)


def rich_table(result: TrackResult) -> Table:
    """The result's shown columns as a rich Table."""
    columns = result.shown_columns()
    table = Table(title=result.title, title_justify="left")
    for col in columns:
        numeric = (
            pd.api.types.is_numeric_dtype(result.table[col]) and result.table[col].dtype != bool
        )
        table.add_column(col, justify="right" if numeric else "left")
    for rec in result.table[columns].itertuples(index=False):
        table.add_row(
            *(cell(v, result.decimals.get(c, 2)) for c, v in zip(columns, rec, strict=True))
        )
    return table


def footer(result: TrackResult) -> list[str]:
    """The lines under a table: summary, sources, assumptions."""
    lines = list(result.summary)
    lines += [f"Source: {s}" for s in result.sources]
    lines += [f"Assumption: {a}" for a in result.assumptions]
    return lines


def to_json(result: TrackResult) -> str:
    """The result as JSON: title, summary, sources, assumptions, units, rows (NaN -> null)."""
    table = result.table.astype(object).where(result.table.notna(), None)
    payload = {
        "kind": result.kind,
        "title": result.title,
        "summary": list(result.summary),
        "sources": list(result.sources),
        "assumptions": list(result.assumptions),
        "units": dict(result.units),
        "meta": {k: v for k, v in result.meta.items()},
        "rows": table.to_dict("records"),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"


def to_csv(result: TrackResult) -> str:
    """The table as CSV with a ``source`` column naming every source of the row's figures."""
    frame = result.table.copy()
    if "source" not in frame.columns:
        frame["source"] = "; ".join(result.sources)
    return frame.to_csv(index=False)


def write_xlsx(result: TrackResult, out: Path) -> None:
    """The table on a ``data`` sheet and its provenance on an ``about`` sheet."""
    about = [("title", result.title)]
    about += [("summary", s) for s in result.summary]
    about += [("source", s) for s in result.sources]
    about += [("assumption", a) for a in result.assumptions]
    about += [(f"unit: {k}", v) for k, v in result.units.items()]
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        result.table.to_excel(writer, sheet_name="data", index=False)
        pd.DataFrame(about, columns=["field", "value"]).to_excel(
            writer, sheet_name="about", index=False
        )


def emit(result: TrackResult, fmt: OutputFormat | None, out: Path | None, console: Console) -> None:
    """Print or write ``result`` in the chosen format."""
    chosen = choose_format(fmt, out)
    try:
        if chosen is OutputFormat.xlsx:
            assert out is not None
            write_xlsx(result, out)
        elif chosen is OutputFormat.table:
            target = console if out is None else Console(file=io.StringIO(), width=200, record=True)
            target.print(rich_table(result))
            for line in footer(result):
                target.print(line, markup=False, highlight=False)
            if out is not None:
                out.write_text(target.export_text(), encoding="utf-8")
        else:
            text = to_csv(result) if chosen is OutputFormat.csv else to_json(result)
            if out is None:
                console.file.write(text)
            else:
                out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot write {out}: {exc}") from None
    if out is not None:
        tell(f"wrote {out}")


def tell(text: str) -> None:
    """A status line on stderr, so that CSV or JSON on stdout stays clean."""
    Console(stderr=True).print(text, markup=False, highlight=False)
