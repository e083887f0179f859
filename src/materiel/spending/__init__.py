"""Spending paths: an ally's budget for the modelled items, derived by year.

``GDP × defence share × equipment share × modelled part``, with GDP growing at a stated
rate from the base year and the defence share moving along a path (:mod:`.path`). One
module owns the formula (:mod:`.budgets`): the planner's derived budgets, ``materiel
budgets`` and the built-in scenario's generator use it, and the tracker's pledged-path
outlook uses the same path.
"""

from __future__ import annotations

from materiel.spending.budgets import budget_records, derive
from materiel.spending.figures import GDP_GROWTH_PCT, MODELLED_PART_PCT
from materiel.spending.path import PathError, linear_share, parse_path

__all__ = [
    "GDP_GROWTH_PCT",
    "MODELLED_PART_PCT",
    "PathError",
    "budget_records",
    "derive",
    "linear_share",
    "parse_path",
]
