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
(and, for a component, where the cell of any group it goes into fails: its payers'
shares weigh their requirements of several groups, and with a group's total from a
line's cost the difference would give another group's), a user who sees its own
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

from materiel.store import disclosure
from materiel.store.policy import _lines

#: The plan tables this rule filters.
FILTERED = ("capacity", "supply", "bottlenecks")
EPS = 1e-9


def hidden_expansions(
    rule: disclosure.Rule, cells: Iterable[dict[str, Any]]
) -> tuple[set[str], set[str]]:
    """(lines, components) whose expansions' cells (rows of the plan's
    ``funding_cells``) fail ``rule``."""
    parts: dict[tuple[str, str], dict[str, float]] = {}
    groups: dict[str, set[str]] = {}
    for row in cells:
        key = (str(row.get("kind")), str(row.get("name")))
        share = row.get("share")
        if disclosure.is_number(share):
            disclosure.add(parts.setdefault(key, {}), {str(row.get("ally")): float(share)})
        if key[0] == "component":
            groups.setdefault(key[1], set()).update(
                g for g in str(row.get("groups") or "").split(";") if g
            )
    failing = {key for key, part in parts.items() if rule.sensitive(part)}
    lines = {name for kind, name in failing if kind == "line"}
    bad_groups = {name for kind, name in failing if kind == "group"}
    components = {name for kind, name in failing if kind == "component"}
    components |= {c for c, gs in groups.items() if gs & bad_groups}
    return lines, components


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
