"""Disclosure control: the one rule every figure of other allies passes before a user who
may not see it in detail is shown a total of it.

The rule is the one statistics offices use for tables of magnitudes (Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, chapter 4):

- **threshold**: a cell (a total over allies) is shown only if at least
  :attr:`Rule.min_contributors` allies contribute to it (with a figure other than zero);
- **p% rule**: and only if no contributor can estimate another's figure to within ``p``:
  with the contributions sorted, largest first, the cell is *sensitive* when
  ``total - x1 - x2 < p * x1``. The second-largest contributor is the best-placed
  intruder (it knows its own figure), so a cell that passes protects every contributor
  from every single intruder, the viewer included, whoever the viewer is;
- **secondary suppression**: where cells nest (a contract within the totals of its line),
  a shown parent minus its shown children gives the sum of the hidden children; that sum
  must pass the rule too, or more children are hidden (the smallest first) until it does.
  Both the threshold and the p% rule are subadditive (a union of cells that pass also
  passes), so hiding more children always ends.

One grouping per kind of figure: other allies' stocks and targets are totalled by
interoperability group in the scenario's tables as in the plan's (never by item in one
and by group in the other, which would let a user difference an item out of a group),
deliveries by line and month, spending by year, contracts by line, and each contract
nests in its line's total.

Decisions do not depend on the viewer: every nation analyst sees the same totals, so no
two of them see different sides of one cell.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard, TypeVar

T = TypeVar("T")

Contributions = dict[str, float]
#: Below this a figure counts as zero (not a contributor).
EPS = 1e-9


@dataclass(frozen=True)
class Rule:
    """When a total of allies' figures may be shown to a user who may not see them."""

    min_contributors: int = 3
    p: float = 0.10

    def __post_init__(self) -> None:
        if self.min_contributors < 1:
            raise ValueError("min_contributors must be at least 1")
        if not 0.0 <= self.p <= 1.0:
            raise ValueError("p must be between 0 and 1")

    @classmethod
    def from_settings(cls) -> Rule:
        from materiel.settings import settings

        given = settings()
        return cls(given.disclosure_min_contributors, given.disclosure_p)

    def too_few(self, contributions: Mapping[str, float]) -> bool:
        """Whether fewer allies than the threshold contribute (a figure other than 0)."""
        count = sum(1 for v in contributions.values() if is_number(v) and abs(v) > EPS)
        return count < self.min_contributors

    def sensitive(self, contributions: Mapping[str, float]) -> bool:
        """Whether a total of these contributions (ally -> figure) must not be shown."""
        values = sorted(
            (abs(v) for v in contributions.values() if is_number(v) and abs(v) > EPS),
            reverse=True,
        )
        if len(values) < max(self.min_contributors, 1):
            return True
        if len(values) < 2:
            return False  # one contributor allowed by a threshold of 1: nothing to protect
        # the second largest knows its own figure and the total: it estimates the
        # largest to within what the others add up to
        return sum(values[2:]) < self.p * values[0] - EPS


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def add(into: Contributions, more: Mapping[str, float], factor: float = 1.0) -> None:
    for ally, value in more.items():
        into[ally] = into.get(ally, 0.0) + factor * value


@dataclass(frozen=True)
class Cell:
    """A total over allies: its key, and per measure each ally's contribution."""

    key: tuple[Any, ...]
    parts: dict[str, Contributions]

    def total(self, measure: str) -> float:
        return sum(self.parts.get(measure, {}).values())


def cells(
    rows: Iterable[dict[str, Any]],
    key: Callable[[dict[str, Any]], tuple[Any, ...]],
    owners: Callable[[dict[str, Any]], Mapping[str, float]],
    measures: Iterable[str],
) -> dict[tuple[Any, ...], Cell]:
    """Rows summed into cells by ``key``; ``owners`` gives each row's allies and the
    fraction of the row each holds (1 for a row of one ally, the shares of a pooled
    contract)."""
    measures = tuple(measures)
    out: dict[tuple[Any, ...], Cell] = {}
    for row in rows:
        cell = out.setdefault(key(row), Cell(key(row), {m: {} for m in measures}))
        fractions = owners(row)
        for measure in measures:
            value = row.get(measure)
            if is_number(value):
                add(cell.parts[measure], {a: f * float(value) for a, f in fractions.items()})
    return out


def shown(rule: Rule, cell: Cell, measure: str) -> bool:
    return not rule.sensitive(cell.parts.get(measure, {}))


def secondary(
    rule: Rule,
    parents: Mapping[tuple[Any, ...], Cell],
    children: Mapping[tuple[Any, ...], tuple[tuple[Any, ...], Cell]],
    measure: str,
) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Which parents and children may be shown for ``measure``: (parent keys, child
    keys). ``children`` maps a child's key to (its parent's key, the child)."""
    by_parent: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], Cell]]] = {}
    for child_key, (parent_key, child) in children.items():
        by_parent.setdefault(parent_key, []).append((child_key, child))
    parents_ok = {k for k, c in parents.items() if shown(rule, c, measure)}
    children_ok: set[tuple[Any, ...]] = set()
    for parent_key, members in by_parent.items():
        hidden = [(k, c) for k, c in members if not shown(rule, c, measure)]
        public = sorted(
            ((k, c) for k, c in members if shown(rule, c, measure)),
            key=lambda kc: (abs(kc[1].total(measure)), str(kc[0])),
        )
        if hidden and parent_key in parents_ok:
            union: Contributions = {}
            for _, c in hidden:
                add(union, c.parts.get(measure, {}))
            while rule.sensitive(union) and public:
                _, c = public.pop(0)  # hide the smallest shown child as well
                add(union, c.parts.get(measure, {}))
            if rule.sensitive(union):  # all hidden and still sensitive: so is the parent
                parents_ok.discard(parent_key)
        children_ok.update(k for k, _ in public)
    return parents_ok, children_ok


class Memo:
    """The last ``size`` decisions of the rule on data that never changes (a finished
    run's tables): the decisions do not depend on who asks, so every user reads them
    from here instead of applying the rule again. Safe across the server's threads.
    With ``weigh``, the values kept weigh at most ``size`` together (each weighs
    ``weigh(value)``, at least 1: a table its rows), the least recently used dropped
    first; a value heavier than ``size`` is not kept (nor does it drop any). Without it,
    at most ``size`` values are kept (none with ``size`` 0)."""

    def __init__(self, size: int = 64, weigh: Callable[[Any], int] | None = None):
        self.size, self.weigh = size, weigh
        self.held = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable | None, make: Callable[[], T]) -> T:
        if key is None:
            return make()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        value = make()
        weight = max(1, self.weigh(value)) if self.weigh else 1
        if weight > self.size:  # too heavy to keep: what is kept stays
            return value
        with self._lock:
            if key in self._items:  # made meanwhile by another thread: one object kept
                return self._items[key][0]
            self._items[key] = (value, weight)
            self.held += weight
            while self.held > self.size:
                self.held -= self._items.popitem(last=False)[1][1]
        return value
