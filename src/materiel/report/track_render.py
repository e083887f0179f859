"""Writing a :class:`TrackResult`: a rich table (with its source line), CSV, JSON or XLSX.

CSV starts with ``#`` lines naming the title, sources and assumptions once (read it back
with ``pandas.read_csv(path, comment="#")``), and rounds each number to the decimals the
terminal shows; JSON and XLSX carry the sources with the units and assumptions (XLSX on
an ``about`` sheet), and XLSX keeps full precision under a number format per column.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from rich.console import Console
from rich.table import Table

from materiel.errors import DataError, InputError
from materiel.track import OutputFormat, TrackResult

_SUFFIXES = {
    ".txt": OutputFormat.table,
    ".csv": OutputFormat.csv,
    ".json": OutputFormat.json,
    ".xlsx": OutputFormat.xlsx,
}
#: Room the table's borders and padding take: 3 characters a column, 1 for the edge.
_COLUMN_CHROME = 3


def choose_format(fmt: OutputFormat | None, out: Path | None) -> OutputFormat:
    """The format asked for, else the one ``out``'s suffix names, else a table.

    ``--out`` must end in .txt (the table as text), .csv, .json or .xlsx, and agree
    with ``--format`` when both are given: nothing is written under a misleading name.
    """
    if out is not None:
        named = _SUFFIXES.get(out.suffix.lower())
        if named is None:
            raise InputError(
                f"--out must end in {', '.join(_SUFFIXES)} (the format it is written in), "
                f"got {str(out)!r}"
            )
        if fmt is not None and fmt is not named:
            raise InputError(f"--format {fmt.value} does not match --out {str(out)!r}")
        return named
    if fmt is OutputFormat.xlsx:
        raise InputError("--format xlsx writes a file: give --out FILE.xlsx")
    return fmt or OutputFormat.table


def cell(value: Any, decimals: int = 2) -> str:
    """A value as the terminal table prints it: numbers to ``decimals``, blanks as '–'."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    return str(value)


def _is_numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series)) and series.dtype != bool


def _label(column: str) -> str:
    """A column name as a header that can wrap: 'total_allocation' -> 'total allocation'."""
    return column.replace("_", " ")


def _min_width(label: str, cells: list[str], numeric: bool) -> int:
    """The narrowest a column may be: a whole number, and each word of its header."""
    words = max((len(w) for w in label.split()), default=1)
    if numeric:
        return max([words, *(len(c) for c in cells)])
    longest = max((len(w) for c in cells for w in c.split()), default=1)
    return max(words, min(longest, 14))


def _fit(natural: list[int], least: list[int], room: int) -> list[int]:
    """Column widths within ``room``: the widest column that can still narrow gives way first."""
    widths = list(natural)
    while sum(widths) > room:
        slack = [w - m for w, m in zip(widths, least, strict=True)]
        if max(slack) <= 0:
            break
        widest = max(range(len(widths)), key=lambda i: (slack[i] > 0, widths[i]))
        widths[widest] -= 1
    return widths


def rich_tables(result: TrackResult, width: int | None = None) -> list[Table]:
    """The result's shown columns as rich Tables that fit ``width`` without cutting a number.

    Numbers are never shortened: a column is at least as wide as its widest figure, and
    headers and text wrap instead. When the columns do not fit side by side they are
    split over several tables, each repeating the first (key) column.
    """
    columns = result.shown_columns()
    cells = {
        col: [cell(v, result.decimals.get(col, 2)) for v in result.table[col]] for col in columns
    }
    numeric = {col: _is_numeric(result.table[col]) for col in columns}
    least = {col: _min_width(_label(col), cells[col], numeric[col]) for col in columns}
    natural = {
        col: max([least[col], len(_label(col)), *(len(c) for c in cells[col])]) for col in columns
    }
    total = width or 10_000
    key, groups = columns[0], []
    used = total
    for col in columns[1:]:
        need = least[col] + _COLUMN_CHROME
        if used + need > total:
            groups.append([key])
            used = 1 + least[key] + _COLUMN_CHROME
        groups[-1].append(col)
        used += need
    tables = []
    for i, group in enumerate(groups or [[key]]):
        room = total - 1 - _COLUMN_CHROME * len(group)
        fitted = _fit([natural[c] for c in group], [least[c] for c in group], room)
        title = result.title if i == 0 else f"{result.title} (continued)"
        table = Table(title=title, title_justify="left")
        for col, col_width in zip(group, fitted, strict=True):
            justify: Literal["left", "right"] = "right" if numeric[col] else "left"
            table.add_column(_label(col), justify=justify, width=col_width, overflow="fold")
        for row in zip(*(cells[col] for col in group), strict=True):
            table.add_row(*row)
        tables.append(table)
    return tables


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


def _float_columns(result: TrackResult) -> list[str]:
    table = result.table
    return [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]


def provenance_lines(result: TrackResult) -> list[str]:
    """Title, sources and assumptions as ``# `` lines, each said once."""
    lines = [f"# {result.title}"]
    lines += [f"# source: {s}" for s in result.sources]
    lines += [f"# assumption: {a}" for a in result.assumptions]
    return [" ".join(line.split()) for line in lines]


def to_csv(result: TrackResult) -> str:
    """The table as CSV under ``#`` lines naming its sources once; numbers rounded as shown."""
    frame = result.table.copy()
    for col in _float_columns(result):
        places = result.decimals.get(col, 2)
        frame[col] = frame[col].round(places)
        if places == 0:
            frame[col] = frame[col].astype("Int64")
    header = "".join(line + "\n" for line in provenance_lines(result))
    return header + frame.to_csv(index=False)


def number_format(decimals: int) -> str:
    """An Excel number format with thousands separators: 2 -> '#,##0.00'."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


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
        sheet = writer.sheets["data"]
        sheet.freeze_panes = "A2"
        columns = list(result.table.columns)
        for col in _float_columns(result):
            fmt = number_format(result.decimals.get(col, 2))
            for (cell_,) in sheet.iter_rows(
                min_row=2, min_col=columns.index(col) + 1, max_col=columns.index(col) + 1
            ):
                cell_.number_format = fmt


def emit(result: TrackResult, fmt: OutputFormat | None, out: Path | None, console: Console) -> None:
    """Print or write ``result`` in the chosen format."""
    chosen = choose_format(fmt, out)
    try:
        if chosen is OutputFormat.xlsx:
            assert out is not None
            write_xlsx(result, out)
        elif chosen is OutputFormat.table:
            target = console if out is None else Console(file=io.StringIO(), width=200, record=True)
            for table in rich_tables(result, target.width):
                target.print(table)
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
