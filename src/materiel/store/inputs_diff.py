"""What changed in the inputs between two plan runs: the rows of their snapshots (the
scenario as each run planned it) added, removed or changed, table by table, and the
scenario's settings, as one user may see them.

A row is listed only where the user sees it in detail in each snapshot that holds it
(:meth:`Policy.sees_row`): a change to another ally's rows is not listed, nor counted,
since even a count would say that an ally's figures moved. Totals are not compared
here; the plans' own tables on the compare page pass the disclosure rule."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from materiel.scenario import TABLES
from materiel.store.policy import Policy
from materiel.store.scenarios import key_of

#: Changed rows listed at most (a run against one of another scenario can differ in all).
MOST = 200


@dataclass
class InputChanges:
    """``rows``: (table, key, what, [(column, A, B)]) with ``what`` added, removed or
    changed; ``settings``: (name, A, B); ``more``: rows beyond :data:`MOST`;
    ``known`` false where a run keeps no snapshot (queued by an older materiel)."""

    rows: list[tuple[str, str, str, list[tuple[str, Any, Any]]]] = field(default_factory=list)
    settings: list[tuple[str, Any, Any]] = field(default_factory=list)
    more: int = 0
    known: bool = True


def input_changes(policy: Policy, a: dict[str, Any], b: dict[str, Any]) -> InputChanges:
    """The changes from snapshot ``a`` to ``b`` (each ``{"meta", "tables"}``)."""
    out = InputChanges(settings=list(_flat_changes(a.get("meta") or {}, b.get("meta") or {})))
    producers = [_producers(s) for s in (a, b)]
    for table in TABLES:
        if not policy.may_read_table(table):
            continue
        left, right = (_keyed(table, s) for s in (a, b))
        for key in sorted(set(left) | set(right)):
            x, y = left.get(key), right.get(key)
            if x == y:
                continue
            pairs = ((x, producers[0]), (y, producers[1]))
            if not all(policy.sees_row(table, r, p) for r, p in pairs if r is not None):
                continue
            if len(out.rows) >= MOST:
                out.more += 1
                continue
            what = "added" if x is None else "removed" if y is None else "changed"
            columns = [
                (c, (x or {}).get(c), (y or {}).get(c))
                for c in dict.fromkeys([*(x or {}), *(y or {})])
                if (x or {}).get(c) != (y or {}).get(c)
            ]
            out.rows.append((table, key, what, columns))
    return out


def _keyed(table: str, snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = (snapshot.get("tables") or {}).get(table) or []
    return {key_of(table, row): row for row in rows}


def _producers(snapshot: dict[str, Any]) -> dict[str, str]:
    lines = (snapshot.get("tables") or {}).get("lines") or []
    return {str(r.get("id")): str(r.get("producer")) for r in lines}


def _flat_changes(a: dict[str, Any], b: dict[str, Any], prefix: str = "") -> Iterator[tuple]:
    for name in dict.fromkeys([*a, *b]):
        x, y = a.get(name), b.get(name)
        if isinstance(x, dict) or isinstance(y, dict):
            yield from _flat_changes(x or {}, y or {}, f"{prefix}{name}.")
        elif x != y:
            yield f"{prefix}{name}", x, y
