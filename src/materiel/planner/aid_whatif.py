"""What-ifs for aid coordinators, in requirement-months met: a lower donor floor, one
more donor joining the purchases, a new line for a requirement's item.

Each is the scenario changed and planned again (a change of the floor moves which
months a donor may give in, a donor or a line adds variables: none is a right-hand side
of the solved model, so none is a warm re-solve).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from materiel.errors import InputError
from materiel.planner.api import plan
from materiel.planner.result import PlanResult
from materiel.scenario import Scenario, load_tables

WHATIF_COLUMNS = [
    "what_if",
    "requirement_months",
    "requirement_months_met",
    "change",
    "unmet",
    "unmet_change",
]


@dataclass(frozen=True)
class Donor:
    """An ally that joins: its code, name, GDP [currency bn] and budget a year for the
    modelled items [currency]."""

    code: str
    name: str
    gdp: float
    budget: float


@dataclass(frozen=True)
class NewLine:
    """A line for a requirement's item: what a ``lines`` row holds."""

    id: str
    item: str
    producer: str
    host: str
    capacity: float
    lead_time: int = 0


def _tables(scenario: Scenario) -> dict[str, list[dict[str, Any]]]:
    """The scenario's tables as rows of cells (blank cells left out)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, rows in scenario.rows.items():
        out[name] = [
            {k: v for k, v in loc.row.model_dump().items() if v is not None} for loc in rows
        ]
    return out


def _meta(scenario: Scenario) -> dict[str, Any]:
    return scenario.meta.model_dump(exclude={"tables", "extends"}, exclude_none=True)


def with_donor(scenario: Scenario, donor: Donor) -> Scenario:
    """The scenario with one more ally, its GDP and a budget in every year, and an empty
    stockpile (no stock, no target) of each requirement's group: a donor buys for a
    recipient only on lines of groups it stocks, so without one it could buy nothing."""
    tables = _tables(scenario)
    tables["allies"].append({"code": donor.code, "name": donor.name, "gdp": donor.gdp})
    group_of = scenario.group_of()
    first_item: dict[str, str] = {}
    for r in tables.get("requirements", []):
        first_item.setdefault(group_of[r["item"]], r["item"])
    tables.setdefault("stockpiles", []).extend(
        {"ally": donor.code, "item": item, "initial": 0.0, "target": 0.0}
        for item in first_item.values()
    )
    years = sorted({int(r["year"]) for r in tables.get("budgets", [])})
    tables["budgets"] += [{"ally": donor.code, "year": y, "amount": donor.budget} for y in years]
    return load_tables(_meta(scenario), tables, origin=f"{scenario.origin} + {donor.code}")


def with_line(scenario: Scenario, line: NewLine) -> Scenario:
    """The scenario with one more line, at its capacity from the start (no expansion)."""
    tables = _tables(scenario)
    tables["lines"].append(
        {
            "id": line.id,
            "item": line.item,
            "producer": line.producer,
            "host": line.host,
            "capacity": line.capacity,
            "ceiling": line.capacity,
            "lead_time": line.lead_time,
        }
    )
    return load_tables(_meta(scenario), tables, origin=f"{scenario.origin} + {line.id}")


def parse_donor(text: str) -> Donor:
    """``CODE:GDP:BUDGET`` (GDP in the scenario's GDP unit, budget a year in its
    currency) as a :class:`Donor`; an :class:`InputError` naming the part otherwise."""
    parts = text.split(":")
    if len(parts) != 3 or not parts[0].strip():
        raise InputError(f"--aid-donor {text!r}: expected CODE:GDP:BUDGET, e.g. SWE:600:5e8")
    code = parts[0].strip().upper()
    numbers = []
    for name, raw in (("GDP", parts[1]), ("BUDGET", parts[2])):
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"--aid-donor {text!r}: {name} {raw!r} is not a number") from None
        if not 0 <= value < 1e16:
            raise InputError(f"--aid-donor {text!r}: {name} must be between 0 and 1e16")
        numbers.append(value)
    return Donor(code, code, gdp=numbers[0], budget=numbers[1])


def suggested_line(result: PlanResult) -> NewLine | None:
    """A new line for the requirement with the most units unmet: a copy of the line of
    its item with the largest ceiling (same producer and host), at that line's ceiling
    from the start. None when nothing is unmet or no line makes the item."""
    table = result.aid_requirements()
    if table.empty or float(table["unmet"].max()) <= 1e-6:
        return None
    item = str(table.loc[table["unmet"].idxmax(), "item"])
    lines = [row for row in result.scenario.records("lines") if row.item == item]
    if not lines:
        return None
    best = max(lines, key=lambda row: (row.ceiling, row.id))
    return NewLine(f"{best.id}_NEW", item, best.producer, best.host, capacity=float(best.ceiling))


def aid_what_ifs(
    scenario: Scenario,
    *,
    floor: float | None = 0.9,
    donor: Donor | None = None,
    line: NewLine | None = None,
    base: PlanResult | None = None,
) -> pd.DataFrame:
    """Requirement-months met by the plan and by each what-if, and the change; unmet
    units too [units]. Each what-if is planned in full (no explanations, no pooling
    comparison); ``base``, the scenario's plan when it is already made."""
    cases: list[tuple[str, Scenario | PlanResult]] = [("plan", base or scenario)]
    if floor is not None:
        changed = load_tables(
            _meta(scenario), _tables(scenario), {"policy.donor_floor": floor}, origin="floor"
        )
        cases.append((f"donor_floor {floor:g}", changed))
    if donor is not None:
        cases.append((f"one more donor: {donor.code}", with_donor(scenario, donor)))
    if line is not None:
        label = f"new line {line.id} ({line.item}, {line.capacity:g}/month)"
        cases.append((label, with_line(scenario, line)))
    rows = []
    for name, case in cases:
        if not isinstance(case, PlanResult):
            case = plan(case, explain=0, compare_pooling=False)
        totals = case.totals()
        rows.append(
            {
                "what_if": name,
                "requirement_months": int(totals.get("requirement_months", 0)),
                "requirement_months_met": int(totals.get("requirement_months_met", 0)),
                "unmet": float(totals.get("requirements_unmet_total", 0.0)),
            }
        )
    frame = pd.DataFrame(rows)
    frame["change"] = frame["requirement_months_met"] - frame["requirement_months_met"].iloc[0]
    frame["unmet_change"] = frame["unmet"] - frame["unmet"].iloc[0]
    frame = frame[WHATIF_COLUMNS]
    frame.attrs["units"] = {"unmet": "units", "unmet_change": "units"}
    return frame
