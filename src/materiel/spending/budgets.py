"""Budgets by ally and year from a spending path, with where each input came from.

``budget[ally, year] = GDP(year) x share(year) x equipment share x modelled part`` where

- GDP(year) is the allies table's ``gdp`` [currency bn] of the base year (the scenario's
  first year) grown at ``gdp_growth`` [% a year] (an assumption, labelled);
- share(year) [% of GDP] starts at the allies table's ``defence_share`` and moves along
  the path (:mod:`materiel.spending.path`): the ally's own (``path_by_ally``) or the
  scenario's;
- the equipment share [% of defence expenditure] is the allies table's, held, or the
  one ``spending.equipment_share`` sets for every ally;
- the modelled part [% of equipment spending] is an assumption (``modelled_part``).

An ally without GDP, defence share or equipment share gets a budget of 0, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from materiel.spending.figures import budget_amount, defence_expenditure, grown
from materiel.spending.path import SpendingPath, parse_path

BN = 1e9

COLUMNS = [
    "ally",
    "year",
    "gdp_bn",
    "defence_share_pct",
    "defence_expenditure",
    "equipment_share_pct",
    "modelled_part_pct",
    "amount",
    "allies_source",
    "gdp_source",
    "gdp_growth",
    "share_source",
    "path",
    "equipment_source",
    "part_source",
    "note",
]


@dataclass(frozen=True)
class Provenance:
    """Where the figures of one allies-table row came from: sourced, or an assumption."""

    text: str
    assumption: bool

    @property
    def kind(self) -> str:
        return "assumption" if self.assumption else "sourced"

    @classmethod
    def of(cls, row: Any) -> Provenance:
        source = (getattr(row, "source", None) or "").strip()
        if getattr(row, "assumption", False) or not source:
            return cls(f"assumption: {source or 'no source given in the allies table'}", True)
        return cls(f"sourced: {source}", False)


def years_of(start: str, horizon: int) -> range:
    """Calendar years from the scenario's first month to its last."""
    first = int(start[:4])
    last_index = int(start[5:7]) - 1 + horizon - 1
    return range(first, first + last_index // 12 + 1)


def derive(
    allies: list[Any], spending: Any, start: str, horizon: int, currency: str = "USD"
) -> pd.DataFrame:
    """The budgets table derived from ``spending`` (a schema ``Spending``) for ``allies``
    (allies-table rows), one row per ally and year of the scenario, with provenance."""
    years = years_of(start, horizon)
    base = years[0]
    paths: dict[str, SpendingPath] = {}
    for text in {spending.path, *spending.path_by_ally.values()}:
        paths[text] = parse_path(text)
        paths[text].check_base(base)
    part = float(spending.modelled_part)
    part_source = f"assumption: {part:g} % of equipment spending goes to the modelled items"
    rows = []
    for ally in allies:
        path = paths[spending.path_of(ally.code)]
        own_path = ally.code in spending.path_by_ally
        where = Provenance.of(ally)
        growth = float(spending.gdp_growth_by_ally.get(ally.code, spending.gdp_growth))
        by_ally = ally.code in spending.gdp_growth_by_ally
        growth_text = (
            f"assumption: {growth:g} % a year (spending.gdp_growth"
            + ("_by_ally" if by_ally else "")
            + ")"
        )
        if spending.equipment_share is not None:
            equipment: float | None = float(spending.equipment_share)
            equipment_source = f"lever: spending.equipment_share = {equipment:g} % for every ally"
        else:
            equipment = ally.equipment_share
            equipment_source = f"allies table, equipment_share, held ({where.kind})"
        missing = [
            name
            for name, value in (
                ("gdp", ally.gdp),
                ("defence_share", ally.defence_share),
                ("equipment_share", equipment),
            )
            if value is None
        ]
        for year in years:
            gdp = grown(float(ally.gdp), growth, year - base) if ally.gdp is not None else None
            share = (
                path.share(year, base, float(ally.defence_share))
                if ally.defence_share is not None
                else None
            )
            expenditure = (
                defence_expenditure(gdp * BN, share) if gdp is not None and share is not None else 0
            )
            amount = (
                budget_amount(expenditure, float(equipment), part) if equipment is not None else 0
            )
            rows.append(
                {
                    "ally": ally.code,
                    "year": year,
                    "gdp_bn": gdp,
                    "defence_share_pct": share,
                    "defence_expenditure": expenditure,
                    "equipment_share_pct": equipment,
                    "modelled_part_pct": part,
                    "amount": 0.0 if missing else amount,
                    "allies_source": where.text,
                    "gdp_source": f"allies table, gdp, {base} [{currency} bn] ({where.kind})",
                    "gdp_growth": growth_text,
                    "share_source": f"allies table, defence_share, {base} ({where.kind})",
                    "path": f"{path.text}: {path.describe()}"
                    + (" (spending.path_by_ally)" if own_path else ""),
                    "equipment_source": equipment_source,
                    "part_source": part_source,
                    "note": (
                        f"no {', '.join(missing)} in the allies table: budget 0" if missing else ""
                    ),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def budget_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the scenario's budgets table (ally, year, amount, source, assumption, note)
    for a derived frame: each budget rests on assumed growth and an assumed modelled part,
    so every derived row is marked an assumption."""
    records = []
    for row in frame.itertuples(index=False):
        note = (
            f"path {row.path}; GDP growth {row.gdp_growth}; equipment share "
            f"{row.equipment_source}; {row.part_source}"
        )
        records.append(
            {
                "ally": row.ally,
                "year": int(row.year),
                "amount": float(row.amount),
                "source": "derived: GDP x defence share x equipment share x modelled part; "
                f"GDP and shares from the allies table, {row.allies_source}",
                "assumption": True,
                "note": f"{row.note}; {note}" if row.note else note,
            }
        )
    return records
