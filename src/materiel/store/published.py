"""Totals of a scenario's tables as last shown to users who see only totals: a total
moves only once enough allies' figures changed since (the disclosure rule's "before and
after an edit", see :mod:`materiel.store.disclosure`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from materiel.store import disclosure
from materiel.store.base import StoreBase
from materiel.store.errors import Conflict
from materiel.store.models import PublishedRecord, ScenarioRecord
from materiel.store.policy import RULES, TOTAL, TOTAL_KEY, with_group


class PublishedOps(StoreBase):
    def _as_published(
        self,
        record: ScenarioRecord,
        table: str,
        shown: list[dict[str, Any]],
        everyone: list[dict[str, Any]],
        groups: dict[str, str],
    ) -> None:
        """Alliance totals (rows of ``shown``) as last published, where too few allies'
        figures changed since: a total read before and after one ally's edit would
        give its change. A total moves once the allies whose figures changed since it
        was last shown reach the rule's threshold; until then ``as_of_version`` names,
        for each figure kept, the scenario version it is of. Totals are changed in
        place."""
        totals = [t for t in shown if t.get(TOTAL_KEY) == TOTAL]
        rule = RULES[table].totals
        if not totals or rule is None:
            return
        keyed = [with_group(r, groups) for r in everyone] if "group" in rule.by else everyone
        cells = disclosure.cells(
            keyed, lambda r: tuple(r.get(c) for c in rule.by), RULES[table].owners, rule.sums
        )
        # read what was published, and write only what moves: most reads change nothing,
        # and a write transaction would queue every reader behind it (SQLite)
        for attempt in (1, 2):  # two readers may publish the same total at once
            shown_now = [dict(t) for t in totals]
            with self.tx() as s:
                kept = {
                    (p.cell, p.measure): Kept(p.id, p.value, dict(p.parts), p.version)
                    for p in s.scalars(
                        select(PublishedRecord).where(
                            PublishedRecord.scenario_id == record.id,
                            PublishedRecord.table_name == table,
                        )
                    )
                }
            moves = [m for t in shown_now for m in self._publish(record, table, t, cells, kept)]
            try:
                if moves:
                    with self.tx(write=True) as s:
                        for move in moves:
                            if isinstance(move, PublishedRecord):
                                s.add(move)
                            else:
                                s.execute(
                                    update(PublishedRecord)
                                    .where(PublishedRecord.id == move[0])
                                    .values(**move[1])
                                )
            except Conflict:
                if attempt == 2:
                    raise
                continue
            for total, now in zip(totals, shown_now, strict=True):
                total.clear()
                total.update(now)
            return

    def _publish(
        self,
        record: ScenarioRecord,
        table: str,
        total: dict[str, Any],
        cells: dict[tuple[Any, ...], disclosure.Cell],
        kept: dict[tuple[str, str], Kept],
    ) -> list[PublishedRecord | tuple[int, dict[str, Any]]]:
        """Show ``total`` as published (changed in place), and what to write: a new
        record, or (id, new values) of one that moves."""
        rule = RULES[table].totals
        assert rule is not None
        key = tuple(total.get(c) for c in rule.by)
        cell = json.dumps(key, default=str)
        moves: list[PublishedRecord | tuple[int, dict[str, Any]]] = []
        for measure in rule.sums:
            value = total.get(measure)
            if value is None or key not in cells:
                continue
            now = cells[key].parts.get(measure, {})
            last = kept.get((cell, measure))
            if last is None:
                moves.append(
                    PublishedRecord(
                        scenario_id=record.id,
                        table_name=table,
                        cell=cell,
                        measure=measure,
                        value=float(value),
                        parts=now,
                        version=record.version,
                    )
                )
                continue
            changed = {
                a: now.get(a, 0.0) - float(last.parts.get(a, 0.0)) for a in {*now, *last.parts}
            }
            if not any(abs(v) > disclosure.EPS for v in changed.values()):
                total[measure] = last.value
            elif self.rule.too_few(changed):
                total[measure] = last.value
                total.setdefault("as_of_version", {})[measure] = last.version
            else:
                moves.append(
                    (last.id, {"value": float(value), "parts": now, "version": record.version})
                )
        return moves


@dataclass(frozen=True)
class Kept:
    """A published total as read (outside its session)."""

    id: int
    value: float
    parts: dict[str, Any]
    version: int
