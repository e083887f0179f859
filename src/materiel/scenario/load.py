"""Loading a scenario folder: YAML, CSV/Parquet tables, ``extends:`` and overrides.

Every problem is collected (file, row, column, expected, found) and raised together as
one :class:`~materiel.errors.ScenarioError`; nothing is half-loaded.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from materiel.errors import Problem, ScenarioError
from materiel.scenario import builtin
from materiel.scenario.checks import cross_check, warnings_for
from materiel.scenario.model import Located, Scenario
from materiel.scenario.schema import TABLES, BudgetRow, ScenarioMeta, TableSpec, _Row
from materiel.spending import budget_records, derive, parse_path

MAX_FILE_BYTES = 200 * 1024 * 1024
_META_KEYS = set(ScenarioMeta.model_fields)
_NESTED = ("tables", "extends", "policy", "spending", "risks")
#: Other names of policy fields an override may use.
POLICY_ALIASES = {"contract_months": "order_period_months"}


def derive_budgets(
    meta: ScenarioMeta, rows: dict[str, list[Located]], problems: list[Problem]
) -> None:
    """Replace the budgets table by budgets derived from ``meta.spending`` (if it derives)."""
    if meta.spending is None or not parse_path(meta.spending.path).derives:
        return
    allies = [loc.row for loc in rows.get("allies", [])]
    frame = derive(allies, meta.spending, meta.start, meta.horizon, meta.currency)
    where = f"budgets derived from spending path {meta.spending.path!r}"
    derived: list[Located] = []
    for record in budget_records(frame):
        row = validate_row(BudgetRow, record, where, None, problems)
        if row is not None:
            derived.append(Located(row, where, None))
    rows["budgets"] = derived


def load_scenario(
    source: str | Path, overrides: list[str] | tuple[str, ...] | dict[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario from a folder, its ``scenario.yaml``, or a built-in name.

    ``overrides`` are ``"path=value"`` strings (or a mapping): ``policy.pooling=false``,
    ``horizon=60``, or a table cell ``items.HE155.unit_price=4000`` (keys of several
    columns are joined with ``:``, as in ``stockpiles.DEU:HE155.target=500000``).
    Raises ScenarioError listing every problem found.
    """
    path = _resolve(str(source), base=Path.cwd())
    problems: list[Problem] = []
    meta_raw, rows = _load_layer(path, problems, stack=())
    return _finish(
        meta_raw, rows, problems, overrides, str(path / "scenario.yaml"), path, str(path)
    )


def load_tables(
    meta: dict[str, Any],
    tables: dict[str, list[dict[str, Any]]],
    overrides: list[str] | tuple[str, ...] | dict[str, Any] | None = None,
    *,
    origin: str = "",
) -> Scenario:
    """Load and validate a scenario from tables in memory: ``meta`` as in
    ``scenario.yaml`` (without ``tables``) and each table's rows as mappings of column to
    value, as a scenario folder would hold them.

    Rows are read exactly as from that folder's CSV files (``table.csv``, the first row
    on line 2), so problems name the same file, row and column as ``materiel validate``
    on the exported folder. Raises ScenarioError listing every problem found.
    """
    problems: list[Problem] = []
    meta_raw = {k: v for k, v in meta.items() if k not in ("tables", "extends")}
    if meta.get("extends") is not None:
        problems.append(
            Problem(
                _YAML, "extends is not available to a scenario held in memory", column="extends"
            )
        )
    meta_raw["tables"] = {name: f"{name}.csv" for name in tables}
    rows: dict[str, list[Located]] = {}
    for name, records in tables.items():
        spec = TABLES.get(name)
        if spec is not None:  # an unknown table is reported when the meta is validated
            rows[name] = _merge_rows(
                [], _memory_table(name, spec, records, problems), spec, problems
            )
    return _finish(meta_raw, rows, problems, overrides, _YAML, Path(), origin)


_YAML = "scenario.yaml"


def _memory_table(
    name: str, spec: TableSpec, records: list[dict[str, Any]], problems: list[Problem]
) -> list[Located]:
    """A table's rows from memory, each cell as its CSV text (blank cells left out)."""
    located: list[Located] = []
    file = f"{name}.csv"
    for position, record in enumerate(records):
        line = position + FIRST_DATA_LINE
        values = {c: csv_cell(record.get(c)) for c in spec.row.model_fields}
        values = {c: v for c, v in values.items() if v.strip() != ""}
        row = validate_row(spec.row, values, file, line, problems)
        if row is not None:
            located.append(Located(row, file, line))
    return located


FIRST_DATA_LINE = 2  # the header is line 1 of a CSV; rows in memory are numbered so too


def csv_cell(value: Any) -> str:
    """A value as a CSV cell holds it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _finish(
    meta_raw: dict[str, Any],
    rows: dict[str, list[Located]],
    problems: list[Problem],
    overrides: list[str] | tuple[str, ...] | dict[str, Any] | None,
    yaml_file: str,
    folder: Path,
    origin: str,
) -> Scenario:
    """Overrides, validation of the metadata, derived budgets and the checks across
    tables: the scenario, or every problem found as one ScenarioError."""
    pairs = _override_pairs(overrides)
    _apply_meta_overrides(meta_raw, pairs, problems)
    yaml_ok = not any(p.file.endswith(("scenario.yaml", "scenario.yml")) for p in problems)
    meta = _validate_meta(meta_raw, yaml_file, problems) if yaml_ok else None
    _apply_row_overrides(rows, pairs, problems)
    if meta is not None:
        derive_budgets(meta, rows, problems)
        tables_with_bad_rows = {p.file for p in problems}
        cross_check(meta, rows, problems, _table_files(folder, meta_raw), tables_with_bad_rows)
    if problems or meta is None:
        raise ScenarioError(problems)
    return Scenario(
        meta=meta,
        rows={name: tuple(locs) for name, locs in rows.items()},
        origin=origin,
        overrides=tuple(f"{k}={v}" for k, v in pairs),
        warnings=tuple(warnings_for(meta, rows, yaml_file)),
    )


def apply_overrides(
    scenario: Scenario, overrides: list[str] | tuple[str, ...] | dict[str, Any]
) -> Scenario:
    """The scenario object with overrides applied to it, validated like a loaded one.

    The object is the starting point (its folder is not read again), so a scenario made
    or changed in memory keeps what it holds.
    """
    problems: list[Problem] = []
    pairs = _override_pairs(overrides)
    meta_raw = scenario.meta.model_dump(mode="json")
    _apply_meta_overrides(meta_raw, pairs, problems)
    meta = _validate_meta(meta_raw, f"{scenario.origin or scenario.name} (overrides)", problems)
    rows = {name: list(locs) for name, locs in scenario.rows.items()}
    _apply_row_overrides(rows, pairs, problems)
    if meta is not None:
        derive_budgets(meta, rows, problems)
        cross_check(meta, rows, problems)
    if problems or meta is None:
        raise ScenarioError(problems)
    return Scenario(
        meta=meta,
        rows={name: tuple(locs) for name, locs in rows.items()},
        origin=scenario.origin,
        overrides=(*scenario.overrides, *(f"{k}={v}" for k, v in pairs)),
        warnings=tuple(warnings_for(meta, rows, f"{scenario.origin or scenario.name} (overrides)")),
    )


def _table_files(folder: Path, meta: dict[str, Any]) -> dict[str, str]:
    tables = meta.get("tables") if isinstance(meta.get("tables"), dict) else {}
    return {
        name: str(folder / file) for name, file in (tables or {}).items() if isinstance(file, str)
    }


def _resolve(source: str, base: Path) -> Path:
    """A folder for a path or a built-in name."""
    if source in builtin.names():
        return builtin.path(source)
    candidate = Path(source)
    if not candidate.is_absolute():
        candidate = base / candidate
    if candidate.is_file() and candidate.suffix in {".yaml", ".yml"}:
        candidate = candidate.parent
    if not candidate.is_dir():
        raise ScenarioError(
            [
                Problem(
                    file=source,
                    message="no scenario folder or built-in scenario of that name",
                    expected=f"a folder with scenario.yaml, or one of {builtin.names()}",
                )
            ]
        )
    return candidate.resolve()


def _load_layer(
    folder: Path, problems: list[Problem], stack: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[str, list[Located]]]:
    """Meta mapping and validated rows of one folder, merged over its parent's."""
    yaml_path = folder / "scenario.yaml"
    if folder in stack:
        cycle = " -> ".join(str(p / "scenario.yaml") for p in (*stack, folder))
        problems.append(
            Problem(file=str(yaml_path), message=f"cycle of extends: {cycle}", column="extends")
        )
        return {}, {}
    own = _read_yaml(yaml_path, problems)
    if own is None:
        return {}, {}
    meta: dict[str, Any] = {}
    rows: dict[str, list[Located]] = {}
    parent = own.get("extends")
    if parent is not None:
        if not isinstance(parent, str):
            problems.append(
                Problem(
                    str(yaml_path),
                    "extends must be a name or a path",
                    column="extends",
                    expected="text",
                    found=repr(parent),
                )
            )
        else:
            try:
                parent_path = _resolve(parent, base=folder)
            except ScenarioError as exc:
                problems.extend(
                    Problem(str(yaml_path), f"extends {parent!r}: {p.message}", column="extends")
                    for p in exc.problems
                )
            else:
                meta, rows = _load_layer(parent_path, problems, (*stack, folder))
    _merge_meta(meta, own)
    tables = own.get("tables") or {}
    if not isinstance(tables, dict):
        problems.append(
            Problem(
                str(yaml_path),
                "tables must map table names to files",
                column="tables",
                found=repr(tables),
            )
        )
        tables = {}
    for name, filename in tables.items():
        spec = TABLES.get(name)
        if spec is None or not isinstance(filename, str):
            continue  # reported when the meta is validated
        table_path = folder / filename
        located = _read_table(table_path, spec, problems)
        rows[name] = _merge_rows(rows.get(name, []), located, spec, problems)
    return meta, rows


def _read_yaml(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problems.append(
            Problem(str(path), f"not valid YAML: {getattr(exc, 'problem', exc)}", row=row)
        )
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(
                str(path),
                "must be a mapping of keys to values",
                expected="name:, start:, horizon:, tables:",
                found=type(data).__name__,
            )
        )
        return None
    return data


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    if not path.is_file():
        problems.append(Problem(str(path), "file not found"))
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(Problem(str(path), f"file is {size} bytes; the limit is {MAX_FILE_BYTES}"))
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row, column = _locate_byte(raw, exc.start, path.suffix.lower() == ".csv")
        problems.append(
            Problem(
                str(path),
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                row=row,
                column=column,
            )
        )
        return None
    if not text.strip():
        problems.append(Problem(str(path), "file is empty"))
        return None
    return text


def _locate_byte(raw: bytes, offset: int, is_csv: bool) -> tuple[int, str | None]:
    """Line number (1-based) and, in a CSV, the column of the byte at ``offset``."""
    row = raw.count(b"\n", 0, offset) + 1
    if not is_csv:
        return row, None
    header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip().split(",")
    line_start = raw.rfind(b"\n", 0, offset) + 1
    index = raw.count(b",", line_start, offset)
    return row, header[index].strip() if index < len(header) else None


def _merge_meta(base: dict[str, Any], own: dict[str, Any]) -> None:
    for key, value in own.items():
        if key == "extends":
            continue
        if (
            key in ("policy", "tables", "risks", "spending")
            and isinstance(value, dict)
            and isinstance(base.get(key), dict)
        ):
            base[key] = {**base[key], **value}
        else:
            base[key] = value


def _raw_records(path: Path, problems: list[Problem]) -> list[tuple[int, dict[str, Any]]] | None:
    """(line number, {column: value}) for each data row; blank cells are left out."""
    if path.suffix.lower() == ".parquet":
        return _parquet_records(path, problems)
    text = _read_text(path, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        problems.append(Problem(str(path), f"cannot read the header: {exc}"))
        return None
    header = [h.strip() for h in header]
    records: list[tuple[int, dict[str, Any]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(
                    Problem(
                        str(path),
                        "more cells than columns in the header",
                        row=line,
                        expected=f"{len(header)} cells",
                        found=str(len(cells)),
                    )
                )
                continue
            records.append(
                (line, {h: c for h, c in zip(header, cells, strict=False) if c.strip() != ""})
            )
    except csv.Error as exc:
        problems.append(Problem(str(path), f"malformed CSV: {exc}", row=reader.line_num))
        return None
    return [(0, {h: None for h in header}), *records]


def _parquet_records(
    path: Path, problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]] | None:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for broken files
        problems.append(Problem(str(path), f"cannot read Parquet: {exc}"))
        return None
    records: list[tuple[int, dict[str, Any]]] = [(0, {str(c): None for c in frame.columns})]
    for i, rec in enumerate(frame.to_dict(orient="records")):
        clean = {
            str(k): (v.item() if hasattr(v, "item") else v)
            for k, v in rec.items()
            if v is not None and not (isinstance(v, float) and math.isnan(v))
        }
        records.append((i + 1, clean))
    return records


def _read_table(path: Path, spec: TableSpec, problems: list[Problem]) -> list[Located]:
    records = _raw_records(path, problems)
    if records is None:
        return []
    header = list(records[0][1])
    fields = spec.row.model_fields
    missing = [n for n, f in fields.items() if f.is_required() and n not in header]
    unknown = [h for h in header if h not in fields]
    for column in missing:
        problems.append(
            Problem(
                str(path), "missing column", column=column, expected=f"columns {', '.join(fields)}"
            )
        )
    for column in unknown:
        problems.append(
            Problem(
                str(path),
                "unknown column",
                column=column,
                expected=f"one of {', '.join(fields)}",
                found=column,
            )
        )
    if missing or unknown:
        return []
    located: list[Located] = []
    for line, values in records[1:]:
        row = validate_row(spec.row, values, str(path), line, problems)
        if row is not None:
            located.append(Located(row, str(path), line or None))
    return located


def validate_row(
    model: type[_Row],
    values: dict[str, Any],
    file: str,
    line: int | None,
    problems: list[Problem],
) -> _Row | None:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            column = ".".join(str(p) for p in err["loc"]) or None
            message = err["msg"].removeprefix("Value error, ")
            if column is None:  # a check across columns names the first column it cites
                column = next((f for f in model.model_fields if message.startswith(f + " ")), None)
            found = values.get(column) if column else None
            problems.append(
                Problem(
                    file,
                    message,
                    row=line or None,
                    column=column,
                    found=None if found is None else str(found),
                )
            )
        return None


def _key(spec: TableSpec, row: _Row) -> tuple[Any, ...]:
    return tuple(getattr(row, k) for k in spec.key)


def _merge_rows(
    parent: list[Located], own: list[Located], spec: TableSpec, problems: list[Problem]
) -> list[Located]:
    """Rows of ``own`` replace parent rows with the same key; duplicates within a file fail."""
    seen: dict[tuple[Any, ...], Located] = {}
    for loc in own:
        key = _key(spec, loc.row)
        if key in seen:
            problems.append(
                Problem(
                    loc.file,
                    f"duplicate {'/'.join(spec.key)} {key}, first at row {seen[key].line}",
                    row=loc.line,
                    column=",".join(spec.key),
                )
            )
        seen[key] = loc
    merged = [loc for loc in parent if _key(spec, loc.row) not in seen]
    return merged + list(seen.values())


def _override_pairs(
    overrides: list[str] | tuple[str, ...] | dict[str, Any] | None,
) -> list[tuple[str, Any]]:
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return list(overrides.items())
    pairs: list[tuple[str, Any]] = []
    for text in overrides:
        if "=" not in text:
            raise ScenarioError([Problem("--set", "an override is written path=value", found=text)])
        key, _, raw = text.partition("=")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        pairs.append((key.strip(), value))
    return pairs


def _apply_meta_overrides(
    meta: dict[str, Any], pairs: list[tuple[str, Any]], problems: list[Problem]
) -> None:
    for key, value in pairs:
        head, _, rest = key.partition(".")
        if head == "policy" and rest:
            rest = POLICY_ALIASES.get(rest, rest)
            meta["policy"] = {**(meta.get("policy") or {}), rest: value}
        elif head == "spending" and rest:
            meta["spending"] = {**(meta.get("spending") or {}), rest: value}
        elif head == "risks" and rest.count(".") == 1:
            risk, _, field = rest.partition(".")
            risks = dict(meta.get("risks") or {})
            risks[risk] = {**(risks.get(risk) or {}), field: value}
            meta["risks"] = risks
        elif head in _META_KEYS and not rest and head not in _NESTED:
            meta[head] = value
        elif head not in TABLES:
            problems.append(
                Problem(
                    "--set",
                    "unknown override path",
                    column=key,
                    expected="policy.NAME, spending.NAME, risks.RISK.NAME, a scenario field, "
                    "or TABLE.KEY.COLUMN",
                )
            )


def _validate_meta(meta: dict[str, Any], file: str, problems: list[Problem]) -> ScenarioMeta | None:
    try:
        return ScenarioMeta.model_validate(meta)
    except ValidationError as exc:
        for err in exc.errors():
            column = ".".join(str(p) for p in err["loc"])
            found = err.get("input")
            problems.append(
                Problem(
                    file,
                    err["msg"].removeprefix("Value error, "),
                    column=column,
                    found=None if isinstance(found, dict) else repr(found),
                )
            )
        return None


def _apply_row_overrides(
    rows: dict[str, list[Located]], pairs: list[tuple[str, Any]], problems: list[Problem]
) -> None:
    for key, value in pairs:
        table, _, rest = key.partition(".")
        if table not in TABLES:
            continue
        spec = TABLES[table]
        row_key, _, column = rest.rpartition(".")
        if not row_key or column not in spec.row.model_fields:
            problems.append(
                Problem(
                    "--set",
                    f"write {table}.KEY.COLUMN with a column of {table}",
                    column=key,
                    expected=", ".join(spec.row.model_fields),
                )
            )
            continue
        wanted = row_key.split(":")
        for i, loc in enumerate(rows.get(table, [])):
            if [str(_fmt(v)) for v in _key(spec, loc.row)] == wanted:
                new = validate_row(
                    spec.row,
                    {**loc.row.model_dump(exclude_none=True), column: value},
                    "--set",
                    None,
                    problems,
                )
                if new is not None:
                    rows[table][i] = Located(new, f"{loc.where} (overridden by --set {key})", None)
                break
        else:
            problems.append(
                Problem(
                    "--set",
                    f"no row of {table} has key {row_key!r}",
                    column=key,
                    expected="/".join(spec.key),
                )
            )


def _fmt(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
