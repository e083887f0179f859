"""The validated scenario: metadata plus typed rows, with their origins, as tables."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from materiel.errors import Problem
from materiel.scenario.schema import (
    TABLES,
    ScenarioMeta,
    month_index,
    month_label,
)


@dataclass(frozen=True)
class Located:
    """A validated row and where it was read: ``file`` and ``line`` as a person counts."""

    row: Any  # a validated row model of the table (see schema.TABLES)
    file: str
    line: int | None

    @property
    def where(self) -> str:
        return f"{self.file}, row {self.line}" if self.line is not None else self.file


@dataclass(frozen=True, eq=False)
class Scenario:
    """A scenario that passed validation. Build it with :func:`materiel.load_scenario`."""

    meta: ScenarioMeta
    rows: dict[str, tuple[Located, ...]]
    origin: str = ""
    overrides: tuple[str, ...] = field(default=())
    warnings: tuple[Problem, ...] = field(default=())  # loads, but probably not meant

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def horizon(self) -> int:
        """Number of months planned [months]."""
        return self.meta.horizon

    @property
    def start(self) -> str:
        return self.meta.start

    def month_index(self, month: str) -> int:
        return month_index(month, self.meta.start)

    def month_label(self, index: int) -> str:
        return month_label(index, self.meta.start)

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame with every column of its schema (empty if absent)."""
        spec = TABLES[name]
        columns = list(spec.row.model_fields)
        records = [loc.row.model_dump() for loc in self.rows.get(name, ())]
        return pd.DataFrame.from_records(records, columns=columns)

    def records(self, name: str) -> list[Any]:
        """The validated rows of a table (row models; typed as Any for attribute access)."""
        return [loc.row for loc in self.rows.get(name, ())]

    def group_of(self) -> dict[str, str]:
        """Item code -> interoperability group (its own code when none is given)."""
        return {r.code: (r.group or r.code) for r in self.records("items")}

    def assumption_share(self) -> dict[str, tuple[int, int]]:
        """Per table: (rows marked assumption, rows)."""
        return {
            name: (sum(1 for loc in locs if loc.row.assumption), len(locs))
            for name, locs in self.rows.items()
        }

    def digest(self) -> str:
        """A hash of everything that decides a plan: the metadata and every row (not the
        files' names or where they lie, nor the risks, which only the simulator reads).
        Two scenarios with the same digest plan alike."""
        meta = self.meta.model_dump(mode="json", exclude={"tables", "extends", "risks"})
        if meta.get("spending") is None:
            meta.pop("spending", None)  # digests of scenarios without a path stay as they were
        if not meta["policy"].get("restrict"):
            meta["policy"].pop("restrict", None)  # as were digests before restrictions
        rows = {
            name: [loc.row.model_dump(mode="json") for loc in self.rows[name]]
            for name in sorted(self.rows)
        }
        text = json.dumps({"meta": meta, "rows": rows}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
