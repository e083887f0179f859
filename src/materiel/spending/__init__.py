"""Spending paths: an ally's budget for the modelled items, derived by year.

``GDP × defence share × equipment share × modelled part``, with GDP growing at a stated
rate from the base year and the defence share moving along a path (:mod:`.path`). One
module owns the formula (:mod:`.derive`): the planner's derived budgets, ``materiel
budgets`` and the built-in scenario's generator use it, and the tracker's pledged-path
outlook uses the same path.
"""
