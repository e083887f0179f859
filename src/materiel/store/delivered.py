"""What a plan's lines deliver, for the disclosure rule: new orders and existing
contracts by line, ally and month (:data:`materiel.store.policy.DELIVERED`)."""

from __future__ import annotations

from typing import Any

from materiel.store import scenarios as sc
from materiel.store.policy import RULES


def delivered_by(
    tables: dict[str, list[dict[str, Any]]], start: str, new: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What lines deliver, as :data:`materiel.store.policy.DELIVERED` reads it: a plan's
    new orders (``new``, its deliveries table) and the scenario's firm existing contracts
    (``tables``: its rows; ``start``: its first month), spread evenly over their delivery
    months as the planner spreads them, each with the month it is made
    (``delivery_lag`` earlier) and the group it serves."""
    groups = sc.groups_of(tables.get("items", []))
    lines = {
        str(d.get("id")): (groups.get(str(d.get("item")), str(d.get("item"))), d)
        for d in tables.get("lines", [])
    }
    first = _month(start)
    out: list[dict[str, Any]] = []

    def add(line: str, ally: str, month: int, quantity: float) -> None:
        group, data = lines.get(line, (line, {}))
        made = month - int(data.get("delivery_lag") or 0)
        row = {"line": line, "ally": ally, "month": month, "made": made, "group": group}
        out.append({**row, "quantity": quantity})

    for row in new:
        quantity = float(row.get("quantity") or 0.0)
        add(str(row.get("line")), str(row.get("ally")), int(row.get("month") or 0), quantity)
    for c in tables.get("contracts", []):
        if c.get("firm") is False:
            continue
        begin, end = _month(str(c["start"])) - first, _month(str(c["end"])) - first
        per_month = float(c.get("quantity") or 0.0) / (end - begin + 1)
        for ally, share in RULES["contracts"].owners(c).items():
            for month in range(begin, end + 1):
                add(str(c.get("line")), ally, month, per_month * share)
    return out


def _month(label: str) -> int:
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1
