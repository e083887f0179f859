"""The one formula from defence expenditure to a budget for the modelled items, and the
assumptions it rests on (not public figures; each is labelled wherever it is used)."""

from __future__ import annotations

#: ASSUMPTION (not public): the part of an ally's equipment spending that goes to the
#: modelled items [%]. The built-in scenario's budgets and derived budgets use it.
MODELLED_PART_PCT = 5.0
#: ASSUMPTION: nominal GDP growth a year [%] when a scenario states none: GDP held at the
#: base year's level, as the built-in budgets are held flat in nominal terms.
GDP_GROWTH_PCT = 0.0


def defence_expenditure(gdp: float, share_pct: float) -> float:
    """Defence expenditure [currency] of a GDP [currency] at a share [% of GDP]."""
    return gdp * share_pct / 100.0


def grown(gdp: float, growth_pct: float, years: int) -> float:
    """GDP [currency] ``years`` after the base year at ``growth_pct`` [%] a year."""
    return gdp * (1.0 + growth_pct / 100.0) ** years


def budget_amount(expenditure: float, equipment_pct: float, part_pct: float) -> float:
    """Money for the modelled items [currency]: expenditure x equipment share [%] x part [%].

    >>> budget_amount(1_000.0, 20.0, 5.0)
    10.0
    """
    return expenditure * equipment_pct / 100.0 * part_pct / 100.0
