"""Facts (from ``materiel ingest``, with provenance and review status) and the pledge
ledger of the tracker, in the store. The JSON ledger and facts file stay the formats
they are imported from and exported to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from materiel.errors import InputError
from materiel.ingest import STATUSES, Fact
from materiel.store.base import StoreBase
from materiel.store.errors import AccessDenied, NotFound, stale
from materiel.store.models import FactRecord, PledgeRecord
from materiel.store.policy import Principal
from materiel.track import (
    UPDATABLE,
    JsonPledgeFile,
    Pledge,
    builtin_pledges,
    make_pledge,
    next_pledge_id,
    refuse_duplicate,
)

MAX_NOTE = 2000
FACT_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,40}$")


class LedgerOps(StoreBase):
    # -- facts ---------------------------------------------------------------------
    def import_facts(self, who: Principal, facts: list[dict[str, Any]]) -> dict[str, int]:
        """Add facts (the ``facts`` of a facts file); ids already stored are kept as they
        are, reviews included. All or nothing."""
        self.policy(who).require("facts.write", "import facts")
        parsed: list[Fact] = []
        for i, raw in enumerate(facts):
            try:
                fact = Fact.from_dict(raw)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise InputError(f"fact {i + 1}: not a fact of a facts file ({exc})") from None
            if not FACT_ID.match(fact.id):
                raise InputError(f"fact {i + 1}: an id is 1-40 letters, digits and _ . : -")
            if fact.status not in STATUSES:
                raise InputError(f"fact {i + 1}: status must be one of {', '.join(STATUSES)}")
            parsed.append(fact)
        added = 0
        with self.tx(write=True) as s:
            for fact in parsed:
                if s.get(FactRecord, fact.id) is not None:
                    continue
                data = fact.to_dict()
                s.add(
                    FactRecord(
                        id=fact.id,
                        kind=fact.kind,
                        status=fact.status,
                        confidence=fact.confidence,
                        data=data,
                        version=1,
                    )
                )
                s.flush()
                added += 1
            self.audit(s, who, "facts.import", "facts", None, {"added": added})
        return {"added": added, "kept": len(parsed) - added}

    def facts(self, who: Principal) -> list[dict[str, Any]]:
        """Facts with their sources; users without ``facts.unreviewed`` see accepted ones."""
        query = select(FactRecord).order_by(FactRecord.id)
        if not self.policy(who).may("facts.unreviewed"):
            query = query.where(FactRecord.status == "accepted")
        with self.tx() as s:
            return [_fact_view(f) for f in s.scalars(query)]

    def review_fact(
        self, who: Principal, fact_id: str, version: int, status: str, note: str | None
    ) -> dict[str, Any]:
        self.policy(who).require("facts.write", "review facts")
        if status not in STATUSES:
            raise InputError(f"status must be one of {', '.join(STATUSES)}")
        if note is not None and len(note) > MAX_NOTE:
            raise InputError(
                f"note: a note has at most {MAX_NOTE:,} characters, this one has "
                f"{len(note):,}; nothing was saved"
            )
        with self.tx(write=True) as s:
            record = s.get(FactRecord, fact_id)
            if record is None:
                raise NotFound(f"no fact {fact_id!r}")
            before = _fact_view(record)
            data = {**record.data, "status": status, "note": note}
            done = s.execute(
                update(FactRecord)
                .where(FactRecord.id == fact_id, FactRecord.version == version)
                .values(status=status, data=data, version=FactRecord.version + 1)
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise stale(f"fact {fact_id}", record.version, version)
            s.refresh(record)
            after = _fact_view(record)
            self.audit(s, who, "fact.review", f"fact {fact_id}", before, after)
            return after

    # -- pledges -------------------------------------------------------------------
    def pledges(self, who: Principal, include_builtin: bool = True) -> list[dict[str, Any]]:
        """Every pledge (they are public): built-in ones first, then the ledger's."""
        builtin = [{"version": None, **p.model_dump(mode="json")} for p in builtin_pledges()]
        with self.tx() as s:
            stored = [
                _pledge_view(r) for r in s.scalars(select(PledgeRecord).order_by(PledgeRecord.id))
            ]
        return [*(builtin if include_builtin else []), *stored]

    def add_pledge(self, who: Principal, fields: dict[str, Any]) -> dict[str, Any]:
        self.policy(who).require("pledges.write", "add pledges")
        if "id" in fields or fields.get("builtin"):
            raise InputError("a new pledge gets its id from the ledger; do not give one")
        with self.tx(write=True) as s:
            current = self._ledger(s)
            pledge = make_pledge(id=next_pledge_id(current), **fields)
            self._own(who, pledge)
            refuse_duplicate(pledge, current)
            record = PledgeRecord(id=pledge.id, ally=pledge.ally, data=_dump(pledge), version=1)
            s.add(record)
            s.flush()
            self.audit(s, who, "pledge.create", f"pledge {pledge.id}", None, record.data)
            return _pledge_view(record)

    def update_pledge(
        self, who: Principal, pledge_id: str, version: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        self.policy(who).require("pledges.write", "change pledges")
        unknown = sorted(set(changes) - set(UPDATABLE))
        if unknown:
            raise InputError(f"cannot change {', '.join(unknown)}; changeable: {UPDATABLE}")
        with self.tx(write=True) as s:
            record = self._pledge(s, pledge_id)
            old = make_pledge(**record.data)
            self._own(who, old)
            new = make_pledge(**{**record.data, **changes})
            refuse_duplicate(new, [p for p in self._ledger(s) if p.id != old.id])
            done = s.execute(
                update(PledgeRecord)
                .where(PledgeRecord.id == record.id, PledgeRecord.version == version)
                .values(data=_dump(new), version=PledgeRecord.version + 1)
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise stale(f"pledge {pledge_id}", record.version, version)
            s.refresh(record)
            self.audit(s, who, "pledge.update", f"pledge {pledge_id}", _dump(old), record.data)
            return _pledge_view(record)

    def remove_pledge(self, who: Principal, pledge_id: str, version: int) -> None:
        """Delete a mistaken entry (a pledge withdrawn is updated, not removed)."""
        self.policy(who).require("pledges.write", "remove pledges")
        with self.tx(write=True) as s:
            record = self._pledge(s, pledge_id)
            self._own(who, make_pledge(**record.data))
            done = s.execute(
                delete(PledgeRecord).where(
                    PledgeRecord.id == record.id, PledgeRecord.version == version
                )
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise stale(f"pledge {pledge_id}", record.version, version)
            self.audit(s, who, "pledge.delete", f"pledge {record.id}", record.data, None)

    def import_ledger(self, who: Principal, path: Path) -> dict[str, int]:
        """Add the pledges of a JSON ledger file (new ids; identical pledges skipped)."""
        self.policy(who).require("pledges.write", "import pledges")
        entries = JsonPledgeFile(path).list_pledges()
        added = 0
        with self.tx(write=True) as s:
            current = self._ledger(s)
            for entry in entries:
                fields = entry.model_dump(exclude={"id", "builtin"})
                pledge = make_pledge(id=next_pledge_id(current), **fields)
                self._own(who, pledge)
                if any(p.same_as(pledge) for p in current):
                    continue
                s.add(PledgeRecord(id=pledge.id, ally=pledge.ally, data=_dump(pledge), version=1))
                current.append(pledge)
                added += 1
            s.flush()
            self.audit(s, who, "pledges.import", str(path.name), None, {"added": added})
        return {"added": added, "skipped": len(entries) - added}

    def export_ledger(self, who: Principal, path: Path) -> int:
        """Write the stored pledges as a JSON ledger file."""
        with self.tx() as s:
            pledges = self._ledger(s)
        JsonPledgeFile(path)._write(pledges)
        return len(pledges)

    @staticmethod
    def _ledger(s: Any) -> list[Pledge]:
        return [
            make_pledge(**r.data) for r in s.scalars(select(PledgeRecord).order_by(PledgeRecord.id))
        ]

    @staticmethod
    def _pledge(s: Any, pledge_id: str) -> PledgeRecord:
        record = s.get(PledgeRecord, pledge_id.strip().upper())
        if record is None:
            if pledge_id.upper().startswith("B-"):
                raise InputError(
                    f"{pledge_id} is a built-in pledge from the public data; it cannot be changed"
                )
            raise NotFound(f"no pledge {pledge_id!r} in the ledger")
        return record

    @staticmethod
    def _own(who: Principal, pledge: Pledge) -> None:
        if who.role == "nation" and pledge.ally != who.ally:
            raise AccessDenied(f"nation users may change pledges of {who.ally} only")


def _dump(pledge: Pledge) -> dict[str, Any]:
    return pledge.model_dump(mode="json", exclude={"builtin"})


def _pledge_view(record: PledgeRecord) -> dict[str, Any]:
    return {"version": record.version, **record.data, "builtin": False}


def _fact_view(record: FactRecord) -> dict[str, Any]:
    return {"version": record.version, **record.data}
