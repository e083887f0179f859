"""Writing small scenario folders for tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

#: A ramp rate that never binds [units/month per month], for lines whose test is not
#: about ramps (the default, ceiling / 12, would make every expansion a ramp).
NO_RAMP = 1e9

BASE_ALLIES = [{"code": "AAA", "name": "Ally A"}, {"code": "BBB", "name": "Ally B"}]


def write_table(path: Path, rows: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def write_scenario(folder: Path, tables: dict[str, list[dict[str, Any]]], **meta: Any) -> Path:
    """A scenario folder with one CSV per table; meta overrides the yaml fields."""
    folder.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {
        "name": "test",
        "start": "2025-01",
        "horizon": 12,
        "currency": "USD",
        "tables": {},
    }
    # Monthly contract periods unless a test says otherwise: the hand-solved cases are
    # about capacity, lags, budgets and tiers, and a monthly rate is the freest contract.
    policy = {"order_period_months": 1, **(meta.pop("policy", None) or {})}
    doc.update(meta)
    doc["policy"] = policy
    for name, rows in tables.items():
        write_table(folder / f"{name}.csv", rows)
        doc["tables"][name] = f"{name}.csv"
    (folder / "scenario.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


def one_line(
    folder: Path,
    *,
    capacity: float = 10,
    ceiling: float = 10,
    lead: int = 3,
    target: float = 50,
    initial: float = 0,
    price: float = 100,
    budget: float = 1e9,
    horizon: int = 12,
    expansion_cost: float = 0,
    lag: int = 0,
    **meta: Any,
) -> Path:
    """One ally, one item, one line: the hand-solved case."""
    return write_scenario(
        folder,
        {
            "allies": [{"code": "AAA", "name": "Ally A"}],
            "items": [{"code": "SHELL", "name": "Shell", "unit_price": price}],
            "lines": [
                {
                    "id": "L1",
                    "item": "SHELL",
                    "producer": "P",
                    "host": "AAA",
                    "capacity": capacity,
                    "ceiling": ceiling,
                    "lead_time": lead,
                    "expansion_cost": expansion_cost,
                    "delivery_lag": lag,
                    "ramp": NO_RAMP,
                }
            ],
            "stockpiles": [
                {
                    "ally": "AAA",
                    "item": "SHELL",
                    "initial": initial,
                    "target": target,
                    "target_date": "2025-12",
                }
            ],
            "budgets": [{"ally": "AAA", "year": 2025, "amount": budget}],
        },
        horizon=horizon,
        **meta,
    )


def base_tables(**columns: Any) -> dict[str, list[dict[str, Any]]]:
    """A small valid scenario's tables (one ally, one item, one line), as fresh lists.

    Keyword arguments replace columns of the single line row (``capacity=20``).
    """
    line = {
        "id": "L1",
        "item": "SHELL",
        "producer": "P",
        "host": "AAA",
        "capacity": 10,
        "ceiling": 10,
        "lead_time": 3,
        "expansion_cost": 0,
        "delivery_lag": 0,
        "ramp": NO_RAMP,
    }
    line.update(columns)
    return {
        "allies": [{"code": "AAA", "name": "Ally A"}],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": [line],
        "stockpiles": [
            {"ally": "AAA", "item": "SHELL", "initial": 0, "target": 50, "target_date": "2025-12"}
        ],
        "budgets": [{"ally": "AAA", "year": 2025, "amount": 1e9}],
    }


def write_bytes_table(folder: Path, name: str, data: bytes) -> Path:
    """Replace one table's file with raw bytes (encodings, empty files)."""
    path = folder / f"{name}.csv"
    path.write_bytes(data)
    return path


def demand_row(
    per_month: float,
    start: str = "2025-01",
    end: str = "2025-12",
    *,
    recipient: str | None = None,
    ally: str = "AAA",
    item: str = "SHELL",
) -> dict[str, Any]:
    """One row of the demand table: aid when a recipient is given, else consumption."""
    row: dict[str, Any] = {
        "ally": ally,
        "item": item,
        "kind": "aid" if recipient else "consumption",
        "start": start,
        "end": end,
        "per_month": per_month,
    }
    if recipient:
        row["recipient"] = recipient
    return row
