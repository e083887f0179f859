"""Expansions paid in proportion to requirements: what a nation analyst is not shown of
them where their payers' shares fail the disclosure rule.

The inference (docs/workspace.md, "Expansions paid by their users"): under
``policy.expansion_funding: users`` an ally pays ``share = own / (own + others)`` of a
line's expansion, ``own`` and ``others`` being requirements of the line's group. Its
spending less its own contracts is ``share x cost``; with the expansion's cost (the
line's ``expansion_cost`` in the ``lines`` table times the capacity added, which
``plan.capacity`` shows by month) it gives ``share``, and so ``others``: with two allies,
the other's requirement, which the stockpiles' totals hide. A component supplier's
expansion is paid so under either rule.

**The rule.** Each such expansion is a cell whose contributions are its payers' shares
(:mod:`materiel.planner.funding`; proportional to their requirements, so the cell is the
total of their requirements, and the p% rule and the threshold, both blind to scale,
judge it as they would that total). Where the cell fails :class:`~.disclosure.Rule`
(and, for a component, where its cost with the others shown would give the total
requirement of a group whose cell fails: its payers' shares weigh their requirements of
several groups, so each shown cost gives a weighted sum of group totals, and these
must not combine to a failing group's alone; where they would, the shown costs that
weigh that group are hidden too), a user who sees its own
ally's spending but not every ally's (a nation analyst, and so an ally's national plan)
is not shown the capacity added to the line or component:

- ``plan.capacity``: the line's ``capacity``, ``output`` and ``held`` in the months its
  capacity is above its least (the months its expansion is usable; output equals
  capacity where the line runs full, and the producer's stock with the deliveries gives
  output); the months before show the capacity the ``lines`` table gives anyway;
- ``plan.supply``: the component's ``supply`` and ``added`` in the months it adds any;
- ``plan.bottlenecks``: the limits of that line or component and those that name it
  among the lines they bound (a ceiling that binds gives the capacity added, a capacity
  that binds gives it as the output).

What is left, its spending, is ``share x cost``: one equation in two unknowns (more with
several hidden expansions in a year), so ``others`` is not recovered. Its own money
stays in its spending. Where the cell passes, the cost gives the payers' total
requirement, a total the disclosure rule allows; as every line of a group has the same
payers (the allies that stock it), two shown cells never differ by a hidden ally.
Industry users see no ally's spending, so the cost gives them no share: they see what
they saw. Alliance staff see everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from materiel.store import disclosure
from materiel.store.policy import _lines

#: The plan tables this rule filters.
FILTERED = ("capacity", "supply", "bottlenecks")
EPS = 1e-9


def hidden_expansions(
    rule: disclosure.Rule, cells: Iterable[dict[str, Any]]
) -> tuple[set[str], set[str]]:
    """(lines, components) whose expansions' costs are not shown (rows of the plan's
    ``funding_cells``): their own cell fails ``rule``, or their cost, with the costs
    shown, would give the total requirement of a group whose cell fails."""
    parts: dict[tuple[str, str], dict[str, float]] = {}
    weights: dict[tuple[str, str], dict[str, float]] = {}
    for row in cells:
        key = (str(row.get("kind")), str(row.get("name")))
        share = row.get("share")
        if disclosure.is_number(share):
            disclosure.add(parts.setdefault(key, {}), {str(row.get("ally")): float(share)})
        for given in str(row.get("groups") or "").split(";"):
            group, _, weight = given.rpartition(":")
            if group:
                weights.setdefault(key, {})[group] = float(weight)
    failing = {key for key, part in parts.items() if rule.sensitive(part)}
    hidden = {key for key in failing if key[0] != "group"}
    shown = {key: w for key, w in weights.items() if key not in failing and key[0] != "group"}
    for _, group in sorted(key for key in failing if key[0] == "group"):
        if _isolates(shown, group):  # hide what weighs it, shown ones with it
            taken = {key for key, w in shown.items() if w.get(group, 0.0) > EPS}
            hidden |= taken
            shown = {key: w for key, w in shown.items() if key not in taken}
    return (
        {name for kind, name in hidden if kind == "line"},
        {name for kind, name in hidden if kind == "component"},
    )


def _isolates(shown: dict[tuple[str, str], dict[str, float]], group: str) -> bool:
    """Whether the shown costs' weighted group totals (one linear form each over the
    groups' totals) combine to the total of ``group`` alone."""
    names = sorted({g for w in shown.values() for g in w} | {group})
    forms = np.array([[w.get(g, 0.0) for g in names] for w in shown.values()]).reshape(
        -1, len(names)
    )
    alone = np.array([[1.0 if g == group else 0.0 for g in names]])
    if not forms.size:
        return False
    rank = np.linalg.matrix_rank
    return bool(rank(np.vstack([forms, alone])) == rank(forms))


def hide(
    table: str, rows: list[dict[str, Any]], lines: set[str], components: set[str]
) -> list[dict[str, Any]]:
    """``rows`` of plan table ``table`` (as the user was to see them) without what gives
    the capacity added to ``lines`` and ``components``."""
    if table == "capacity" and lines:
        least: dict[str, float] = {}
        for row in rows:
            value = row.get("capacity")
            if str(row.get("line")) in lines and disclosure.is_number(value):
                line = str(row.get("line"))
                least[line] = min(least.get(line, float(value)), float(value))
        out = []
        for row in rows:
            line, value = str(row.get("line")), row.get("capacity")
            if line in lines and disclosure.is_number(value) and value > least[line] + EPS:
                row = {**row, "capacity": None, "output": None, "held": None}
            out.append(row)
        return out
    if table == "supply" and components:
        return [
            {**r, "supply": None, "added": None}
            if str(r.get("component")) in components and _positive(r.get("added"))
            else r
            for r in rows
        ]
    if table == "bottlenecks" and (lines or components):
        named = {"line": lines, "component": components}
        return [
            r
            for r in rows
            if str(r.get("name")) not in named.get(str(r.get("kind")), set())
            and not (_lines(r) & lines)
        ]
    return rows


def _positive(value: Any) -> bool:
    return disclosure.is_number(value) and value > EPS
