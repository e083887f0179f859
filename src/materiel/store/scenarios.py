"""Scenarios in the store: rows in and out, exports as scenario folders, and validation
through the scenario loader itself (so the API's messages are the CLI's).

A stored row is the JSON of its validated row model. An export writes ``scenario.yaml``
and one CSV per table, rows in stored order, so ``materiel validate`` on the folder
names the same rows (CSV line = position + 2) as the API does.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from materiel.errors import Problem, ScenarioError
from materiel.scenario import TABLES, Scenario, csv_cell, load_tables


def meta_of(scenario: Scenario) -> dict[str, Any]:
    """The scenario's metadata without its file references (tables come from the rows)."""
    return scenario.meta.model_dump(mode="json", exclude={"tables", "extends"})


def key_of(table: str, data: dict[str, Any]) -> str:
    """The row's key columns joined by ':' (as in ``--set stockpiles.DEU:HE155.target``)."""
    return ":".join(str(data.get(k)) for k in TABLES[table].key)


def rows_of(scenario: Scenario) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows as JSON-ready dicts, in the scenario's order."""
    return {
        name: [loc.row.model_dump(mode="json") for loc in scenario.rows[name]]
        for name in TABLES
        if name in scenario.rows
    }


def table_csv(table: str, rows: list[dict[str, Any]]) -> str:
    columns = list(TABLES[table].row.model_fields)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def write_folder(
    folder: Path, meta: dict[str, Any], tables: dict[str, list[dict[str, Any]]]
) -> Path:
    """A scenario folder that ``load_scenario`` reads back to the same scenario."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = {k: v for k, v in meta.items() if k not in ("tables", "extends")}
    doc["tables"] = {name: f"{name}.csv" for name in tables}
    for name, rows in tables.items():
        (folder / f"{name}.csv").write_text(table_csv(name, rows), encoding="utf-8")
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Checked:
    """What validating stored rows found: the scenario (None if it fails), problems and
    warnings, each located by table file name and CSV line as the CLI prints them."""

    scenario: Scenario | None
    problems: list[Problem]
    warnings: list[Problem]


def check(meta: dict[str, Any], tables: dict[str, list[dict[str, Any]]]) -> Checked:
    """Validate stored rows with the scenario loader (rows named as in an export)."""
    try:
        scenario = load_tables(meta, tables)
    except ScenarioError as exc:
        return Checked(None, list(exc.problems), [])
    return Checked(scenario, [], list(scenario.warnings))


def table_of_file(file: str) -> str | None:
    """The table a problem's file names (``stockpiles.csv`` -> ``stockpiles``)."""
    name = file.removesuffix(".csv")
    return name if name in TABLES else None


def groups_of(items: Any) -> dict[str, str]:
    """Item code -> interoperability group (the item's own code if it has none), from
    rows of the items table."""
    return {str(d.get("code")): str(d.get("group") or d.get("code")) for d in items}
