"""Scenarios and their tables in the store: import, export, read, change, validate.

Reads pass through the access policy (detail, alliance totals, or nothing); writes are
checked by it, validated with the scenario's row models, refused with 409 when the
version given is stale, and recorded in the audit log in the same transaction.

A variant (see :mod:`materiel.store.variant_ops`) is read as its base's rows merged with
its own by key (:meth:`ScenarioOps._merged`): every read here goes through that merge, and
every write to a variant writes the variant's own rows, never the base's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from materiel.errors import InputError, Problem, ScenarioError
from materiel.scenario import FIRST_DATA_LINE, TABLES, Scenario, ScenarioMeta, validate_row
from materiel.store import scenarios as sc
from materiel.store.delivered import delivered_by
from materiel.store.errors import AccessDenied, Conflict, NotFound, stale
from materiel.store.models import BaselineRecord, RowRecord, ScenarioRecord
from materiel.store.policy import Policy, Principal, See
from materiel.store.published import PublishedOps
from materiel.store.records import (
    RowInfo,
    SavedRow,
    ScenarioExport,
    ScenarioInfo,
    ValidationReport,
)

SCENARIO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
#: Rows written between two progress reports of an import.
IMPORT_BATCH = 500
#: A variant's row with this key in its data deletes the base's row of the same key.
TOMBSTONE = "__deleted__"


class ScenarioOps(PublishedOps):
    # -- whole scenarios -----------------------------------------------------------
    def import_scenario(
        self,
        who: Principal,
        scenario: Scenario,
        name: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ScenarioInfo:
        """Store a validated scenario in one transaction (all rows or none)."""
        self.policy(who).require("scenario.create", "create scenarios")
        name = check_name(name or scenario.name)
        meta = {**sc.meta_of(scenario), "name": name}
        tables = sc.rows_of(scenario)
        total = sum(len(rows) for rows in tables.values())
        with self.tx(write=True) as s:
            if s.scalar(select(ScenarioRecord.id).where(ScenarioRecord.name == name)):
                raise Conflict(f"a scenario named {name!r} is already stored")
            record = ScenarioRecord(name=name, meta=meta, version=1)
            s.add(record)
            s.flush()
            done = 0
            for table, rows in tables.items():
                for position, data in enumerate(rows):
                    s.add(_row(record.id, table, position, data))
                    done += 1
                    if done % IMPORT_BATCH == 0:
                        s.flush()
                        if progress:
                            progress(done, total)
            s.flush()
            self.audit(
                s,
                who,
                "scenario.import",
                f"scenario {name}",
                None,
                {"meta": meta, "rows": total, "digest": scenario.digest()},
            )
            summary = self._summary(s, self.policy(who), record)
        if progress:
            progress(total, total)
        return summary

    def create_scenario(
        self, who: Principal, meta: dict[str, Any], tables: dict[str, list[dict[str, Any]]]
    ) -> ScenarioInfo:
        """A new scenario from its metadata and rows, validated as a folder would be."""
        self.policy(who).require("scenario.create", "create scenarios")
        unknown = sorted(set(tables) - set(TABLES))
        if unknown:
            raise InputError(f"unknown table(s) {unknown}; known: {sorted(TABLES)}")
        checked = sc.check(meta, tables)
        if checked.scenario is None:
            raise ScenarioError(checked.problems)
        return self.import_scenario(who, checked.scenario, name=checked.scenario.name)

    def delete_scenario(self, who: Principal, name: str, version: int) -> None:
        """Delete a scenario (alliance staff, admins, or a variant's owner); a shared
        scenario's variants go with it."""
        policy = self.policy(who)
        with self.tx(write=True) as s:
            record = self._scenario(s, name, policy)
            if record.owner != who.name:
                policy.require("scenario.delete", "delete scenarios")
            before = {"meta": record.meta, "version": record.version}
            for variant in s.scalars(
                select(ScenarioRecord).where(ScenarioRecord.base_id == record.id)
            ).all():
                s.execute(delete(ScenarioRecord).where(ScenarioRecord.id == variant.id))
                gone = {"base": name, "owner": variant.owner, "version": variant.version}
                self.audit(s, who, "scenario.delete", f"scenario {variant.name}", gone, None)
            done = s.execute(
                delete(ScenarioRecord).where(
                    ScenarioRecord.id == record.id, ScenarioRecord.version == version
                )
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise stale(f"scenario {name}", record.version, version)
            self.audit(s, who, "scenario.delete", f"scenario {name}", before, None)

    def list_scenarios(self, who: Principal) -> list[ScenarioInfo]:
        policy = self.policy(who)
        with self.tx() as s:
            records = s.scalars(select(ScenarioRecord).order_by(ScenarioRecord.name)).all()
            return [self._summary(s, policy, r) for r in records if policy.sees_scenario(r.owner)]

    def scenario_names(self, who: Principal) -> list[str]:
        """The names of the scenarios the user sees, the shared ones first, then the
        variants it may see; without their summaries (which count rows the user may see,
        table by table): what the pages' pickers need."""
        policy = self.policy(who)
        with self.tx() as s:
            found = s.execute(
                select(ScenarioRecord.name, ScenarioRecord.owner, ScenarioRecord.base_id).order_by(
                    ScenarioRecord.name
                )
            ).all()
        seen = [r for r in found if policy.sees_scenario(r.owner)]
        return [r.name for r in seen if r.base_id is None] + [
            r.name for r in seen if r.base_id is not None
        ]

    def scenario_versions(self, who: Principal, name: str) -> tuple[str, ...]:
        """The scenario's name and version, then its base's if it is a variant: every
        change to a scenario or its rows changes its version (a cache of what is made of
        its rows keys on them). 404 as :meth:`get_scenario`."""
        with self.tx() as s:
            return self._versions(s, self.policy(who), name)

    @classmethod
    def _versions(cls, s: Session, policy: Policy, name: str) -> tuple[str, ...]:
        record = cls._scenario(s, name, policy)
        versions = [record.name, str(record.version)]
        if record.base_id is not None:
            base = s.get(ScenarioRecord, record.base_id)
            if base is not None:
                versions += [base.name, str(base.version)]
        return tuple(versions)

    def get_scenario(self, who: Principal, name: str) -> ScenarioInfo:
        policy = self.policy(who)
        with self.tx() as s:
            return self._summary(s, policy, self._scenario(s, name, policy))

    def update_meta(
        self, who: Principal, name: str, version: int, changes: dict[str, Any]
    ) -> ScenarioInfo:
        """Change scenario fields (horizon, policy, ...); validated; 409 when stale."""
        self.policy(who).require("scenario.meta", "change a scenario's settings")
        if not changes:
            raise InputError("nothing to change: give at least one field")
        if "name" in changes or "tables" in changes or "extends" in changes:
            raise InputError("name, tables and extends cannot be changed here")
        with self.tx(write=True) as s:
            record = self._scenario(s, name, self.policy(who))
            if record.base_id is not None:
                raise InputError(f"{name} is a variant: it has its base's settings")
            new = {**record.meta, **changes}
            if isinstance(changes.get("policy"), dict):
                new["policy"] = {**record.meta.get("policy", {}), **changes["policy"]}
            try:
                checked = ScenarioMeta.model_validate({**new, "tables": {}})
            except Exception as exc:  # pydantic's ValidationError
                raise InputError(f"scenario.yaml: {exc}") from None
            new = checked.model_dump(mode="json", exclude={"tables", "extends"})
            before = record.meta  # the UPDATE below refreshes record.meta in the session
            self._bump(s, record, version)
            s.execute(update(ScenarioRecord).where(ScenarioRecord.id == record.id).values(meta=new))
            self.audit(s, who, "scenario.meta", f"scenario {name}", before, new)
            s.refresh(record)
            return self._summary(s, self.policy(who), record)

    def export(self, who: Principal, name: str) -> ScenarioExport:
        """Metadata and every table the user may read, as the user may read it."""
        policy = self.policy(who)
        with self.tx() as s:
            record = self._scenario(s, name, policy)
            tables = self._tables(s, record)
            producers, groups = _producers(tables), _groups(tables)
            everyone = {t: [rec.data for rec in recs] for t, recs in tables.items()}
            visible = {
                t: [dict(r) for r in policy.rows(t, rows, producers, groups)]
                for t, rows in everyone.items()
                if policy.may_read_table(t)
            }
            meta = self._meta(s, record)
        for t, rows in visible.items():
            if policy.sees(t) is See.OWN_AND_TOTALS:
                self._as_published(record, t, rows, everyone[t], groups)
        return ScenarioExport(name=record.name, version=record.version, meta=meta, tables=visible)

    def export_folder(self, who: Principal, name: str, folder: Path) -> Path:
        """Write the stored scenario as a folder (only a user who sees it all may)."""
        policy = self.policy(who)
        if any(policy.sees(t).name != "ALL" for t in TABLES):
            raise AccessDenied("only users who see every table may export a scenario folder")
        data = self.export(who, name)
        return sc.write_folder(folder, data.meta, data.tables)

    def load(self, who: Principal, name: str) -> tuple[sc.Checked, int, dict[str, Any]]:
        """The stored scenario (a variant merged with its base) validated as the loader
        would, its version, and what was read (``meta`` and ``tables``: the snapshot a plan
        run plans, as :func:`materiel.workflows.run.run_snapshot` takes it), all from one
        transaction."""
        with self.tx() as s:
            record = self._scenario(s, name, self.policy(who))
            tables = {t: [r.data for r in recs] for t, recs in self._tables(s, record).items()}
            meta, version = self._meta(s, record), record.version
        return sc.check(meta, tables), version, {"meta": meta, "tables": tables}

    def validate(self, who: Principal, name: str) -> ValidationReport:
        """The CLI's messages for the stored scenario, without those about rows the user
        may not see (those are only counted)."""
        policy = self.policy(who)
        with self.tx() as s:
            record = self._scenario(s, name, policy)
            tables = self._tables(s, record)
            meta = self._meta(s, record)
        rows = {t: [r.data for r in recs] for t, recs in tables.items()}
        checked = sc.check(meta, rows)
        producers = _producers(tables)

        partial = any(policy.sees(t) is not See.ALL for t in rows)
        lines = {t: _visible_lines(policy, t, data, producers) for t, data in rows.items()}

        def shown(problem: Problem) -> bool:
            if partial and problem.across:  # its text may tell of others' rows
                return False
            table = sc.table_of_file(problem.file)
            if table is None:
                return True
            if problem.row is None:
                return policy.may_read_table(table)
            return problem.row - FIRST_DATA_LINE in lines.get(table, {})

        def text(problem: Problem) -> str:
            """The problem with its row numbered among the rows the user sees."""
            table = sc.table_of_file(problem.file)
            if table is None or problem.row is None:
                return str(problem)
            line = lines[table][problem.row - FIRST_DATA_LINE]
            return str(dataclasses.replace(problem, row=line))

        problems = [text(p) for p in checked.problems if shown(p)]
        warnings = [text(p) for p in checked.warnings if shown(p)]
        hidden = len(checked.problems) - len(problems)
        return ValidationReport(
            ok=checked.scenario is not None,
            version=record.version,
            problems=problems,
            warnings=warnings,
            hidden_problems=hidden,
        )

    # -- rows ----------------------------------------------------------------------
    def rows(self, who: Principal, name: str, table: str) -> list[RowInfo]:
        """The table as the user may see it: rows in detail, then alliance totals."""
        policy = self.policy(who)
        _known(table)
        if not policy.may_read_table(table):
            raise AccessDenied(f"{who.role} users may not read table {table}")
        with self.tx() as s:
            record = self._scenario(s, name, policy)
            recs = self._merged(s, record, table)
            producers, groups = self._producers(s, record), self._groups(s, record)
        seen = policy.indexed_rows(table, [r.data for r in recs], producers, groups)
        if policy.sees(table) is See.OWN_AND_TOTALS:
            totals = [data for i, data in seen if i is None]
            self._as_published(record, table, totals, [r.data for r in recs], groups)
        # rows are numbered among those the user sees: a gap would tell of hidden ones
        lines = {i: n for n, i in enumerate(i for i, _ in seen if i is not None)}
        return [
            RowInfo(id=None, version=None, line=None, data=data)
            if i is None
            else _view(recs[i], lines[i], data)
            for i, data in seen
        ]

    def row(self, who: Principal, name: str, table: str, row_id: int) -> RowInfo:
        policy = self.policy(who)
        _known(table)
        with self.tx() as s:
            record = self._scenario(s, name, policy)
            producers = self._producers(s, record)
            rec = self._row_for(s, policy, record, table, row_id, producers)
            merged = self._merged(s, record, table)
            data = policy.detail(table, rec.data, [r.data for r in merged])
            before = merged[: [r.id for r in merged].index(rec.id)]
            # numbered among the rows the user sees, as in the table's listing
            index = sum(policy.sees_row(table, r.data, producers) for r in before)
            return _view(rec, index, data)

    def add_row(self, who: Principal, name: str, table: str, data: dict[str, Any]) -> SavedRow:
        policy = self.policy(who)
        _known(table)
        with self.tx(write=True) as s:
            record = self._scenario(s, name, policy)
            self._check_owner(record, who)
            clean = _validated(table, data, None)
            policy.check_write(table, clean, self._producers(s, record))
            self._own_id(s, policy, record, table, clean)
            self._unique(s, record, table, clean, None)
            self._drop_tombstone(s, record, table, sc.key_of(table, clean))
            position = s.scalar(
                select(func.coalesce(func.max(RowRecord.position), -1) + 1).where(
                    RowRecord.scenario_id == record.id, RowRecord.table_name == table
                )
            )
            rec = _row(record.id, table, int(position or 0), clean)
            s.add(rec)
            self._bump(s, record, None)
            s.flush()
            self.audit(s, who, "row.create", f"{name}/{table}/{rec.id}", None, clean)
            return SavedRow(id=rec.id, version=rec.version, data=clean)

    def update_row(
        self, who: Principal, name: str, table: str, row_id: int, version: int, data: dict[str, Any]
    ) -> SavedRow:
        """Replace a row's data if ``version`` is still its version; else 409."""
        policy = self.policy(who)
        with self.tx(write=True) as s:
            record, rec, producers = self._writable(s, policy, name, table, row_id)
            self._check_owner(record, who)
            before, old_key = rec.data, rec.key  # an UPDATE refreshes rec in the session
            clean = _validated(table, data, None)
            policy.check_write(table, clean, producers)
            key = sc.key_of(table, clean)
            if key != old_key:  # a row keeps its id
                self._own_id(s, policy, record, table, clean)
            self._unique(s, record, table, clean, rec.id)
            if key != old_key:
                self._drop_tombstone(s, record, table, key)
            if rec.scenario_id == record.id:  # the scenario's own row (a variant's override)
                done = s.execute(
                    update(RowRecord)
                    .where(RowRecord.id == rec.id, RowRecord.version == version)
                    .values(data=clean, key=key, version=RowRecord.version + 1)
                )
                if done.rowcount == 0:  # type: ignore[attr-defined]
                    raise stale(f"row {row_id} of {table}", rec.version, version)
                saved_id = rec.id
            else:  # a base row seen through a variant: the first change makes the override
                if rec.version != version:
                    raise stale(f"row {row_id} of {table}", rec.version, version)
                override = _row(record.id, table, rec.position, clean, version + 1)
                s.add(override)
                s.flush()
                saved_id = override.id
            if key != old_key and self._in_base(s, record, table, old_key):
                s.add(_row(record.id, table, rec.position, {TOMBSTONE: True}, key=old_key))
            self._bump(s, record, None)
            self.audit(s, who, "row.update", f"{name}/{table}/{row_id}", before, clean)
            return SavedRow(id=saved_id, version=version + 1, data=clean)

    def delete_row(self, who: Principal, name: str, table: str, row_id: int, version: int) -> None:
        with self.tx(write=True) as s:
            record, rec, _ = self._writable(s, self.policy(who), name, table, row_id)
            self._check_owner(record, who)
            before = rec.data  # an UPDATE refreshes rec in the session
            if rec.scenario_id != record.id:  # a base row seen through a variant
                if rec.version != version:
                    raise stale(f"row {row_id} of {table}", rec.version, version)
                s.add(_row(record.id, table, rec.position, {TOMBSTONE: True}, key=rec.key))
            else:
                mine = RowRecord.id == rec.id, RowRecord.version == version
                if self._in_base(s, record, table, rec.key):  # the override hides the base's
                    gone = {TOMBSTONE: True}
                    done = s.execute(
                        update(RowRecord).where(*mine).values(data=gone, version=version + 1)
                    )
                else:
                    done = s.execute(delete(RowRecord).where(*mine))
                if done.rowcount == 0:  # type: ignore[attr-defined]
                    raise stale(f"row {row_id} of {table}", rec.version, version)
            self._bump(s, record, None)
            self.audit(s, who, "row.delete", f"{name}/{table}/{row_id}", before, None)

    # -- helpers -------------------------------------------------------------------
    def _writable(
        self, s: Session, policy: Policy, name: str, table: str, row_id: int
    ) -> tuple[ScenarioRecord, RowRecord, dict[str, str]]:
        """The scenario, the row as stored, and line producers, if the user may change
        the row (404 if the user may not see it, 403 if the user may not change it)."""
        _known(table)
        record = self._scenario(s, name, policy)
        producers = self._producers(s, record)
        rec = self._row_for(s, policy, record, table, row_id, producers)
        policy.check_write(table, rec.data, producers)
        return record, rec, producers

    @staticmethod
    def _scenario(s: Session, name: str, policy: Policy) -> ScenarioRecord:
        """The scenario named, if the user may see it (a variant only its owner and
        alliance staff); otherwise the same 404 as for a missing one."""
        record = s.scalar(select(ScenarioRecord).where(ScenarioRecord.name == name))
        if record is None or not policy.sees_scenario(record.owner):
            raise NotFound(f"no scenario named {name!r}")
        return record

    @staticmethod
    def _check_owner(record: ScenarioRecord, who: Principal) -> None:
        """Only its owner changes a variant (alliance staff read it, and promote it)."""
        if record.owner is not None and record.owner != who.name:
            raise AccessDenied(f"{record.name} is {record.owner}'s variant: only they change it")

    @staticmethod
    def _meta(s: Session, record: ScenarioRecord) -> dict[str, Any]:
        """The scenario's settings: a variant has its base's, under its own name."""
        if record.base_id is None:
            return record.meta
        base = s.get(ScenarioRecord, record.base_id)
        return {**(base.meta if base else {}), "name": record.name}

    @staticmethod
    def _stored(s: Session, scenario_id: int, table: str | None) -> dict[str, list[RowRecord]]:
        """The rows stored under ``scenario_id`` (a variant's: overrides and tombstones),
        by table, in stored order."""
        query = select(RowRecord).where(RowRecord.scenario_id == scenario_id)
        if table is not None:
            query = query.where(RowRecord.table_name == table)
        tables: dict[str, list[RowRecord]] = {}
        for rec in s.scalars(query.order_by(RowRecord.table_name, RowRecord.position)):
            tables.setdefault(rec.table_name, []).append(rec)
        return tables

    @classmethod
    def _merged_tables(
        cls, s: Session, record: ScenarioRecord, table: str | None
    ) -> dict[str, list[RowRecord]]:
        own = cls._stored(s, record.id, table)
        if record.base_id is None:
            return own
        base = cls._stored(s, record.base_id, table)
        return {t: _merge(base.get(t, []), own.get(t, [])) for t in set(base) | set(own)}

    @classmethod
    def _tables(cls, s: Session, record: ScenarioRecord) -> dict[str, list[RowRecord]]:
        """Every table of the scenario (a variant merged with its base), in table order."""
        tables = cls._merged_tables(s, record, None)
        return {t: tables[t] for t in TABLES if tables.get(t)}

    @classmethod
    def _merged(cls, s: Session, record: ScenarioRecord, table: str) -> list[RowRecord]:
        """One table of the scenario: for a variant, the base's rows in the base's order,
        each replaced by the variant's row of the same key or left out for a tombstone,
        then the rows the variant added."""
        return cls._merged_tables(s, record, table).get(table, [])

    @classmethod
    def _producers(cls, s: Session, record: ScenarioRecord) -> dict[str, str]:
        return _producers({"lines": cls._merged(s, record, "lines")})

    @classmethod
    def _groups(cls, s: Session, record: ScenarioRecord) -> dict[str, str]:
        """Item code -> interoperability group (the item's own code if it has none)."""
        return _groups({"items": cls._merged(s, record, "items")})

    def _row_for(
        self,
        s: Session,
        policy: Policy,
        record: ScenarioRecord,
        table: str,
        row_id: int,
        producers: dict[str, str],
    ) -> RowRecord:
        """The row ``row_id`` of the scenario as the user may see it. In a variant a base
        row's id still addresses the row of its key: the variant's override once there is
        one, nothing once the variant deleted it."""
        rec = s.get(RowRecord, row_id)
        if rec is not None and rec.table_name == table and record.base_id is not None:
            if rec.scenario_id == record.base_id:
                rec = s.scalar(self._own_key(record.id, table, rec.key)) or rec
            elif rec.scenario_id != record.id:
                rec = None
        if (
            rec is None
            or rec.scenario_id not in (record.id, record.base_id)
            or rec.table_name != table
            or rec.data.get(TOMBSTONE)
            or not policy.sees_row(table, rec.data, producers)
        ):
            raise _no_row(table, row_id)
        return rec

    @staticmethod
    def _own_key(scenario_id: int, table: str, key: str) -> Any:
        """The query of the row of ``key`` stored under ``scenario_id``."""
        return select(RowRecord).where(
            RowRecord.scenario_id == scenario_id,
            RowRecord.table_name == table,
            RowRecord.key == key,
        )

    def _in_base(self, s: Session, record: ScenarioRecord, table: str, key: str) -> bool:
        """Whether a variant's base has a row of this key (False for a shared scenario)."""
        if record.base_id is None:
            return False
        return s.scalar(self._own_key(record.base_id, table, key)) is not None

    def _drop_tombstone(self, s: Session, record: ScenarioRecord, table: str, key: str) -> None:
        """A variant that writes a row of a key it had deleted: the tombstone goes."""
        found = s.scalar(self._own_key(record.id, table, key))
        if found is not None and found.data.get(TOMBSTONE):
            s.delete(found)
            s.flush()

    def _own_id(
        self, s: Session, policy: Policy, record: ScenarioRecord, table: str, data: dict[str, Any]
    ) -> None:
        """Contract ids that begin with an ally's code and '-' belong to that ally's
        contracts, and a nation analyst's contract ids begin with its own: so a nation
        analyst's new id can only meet a row it sees, and a refusal never tells it that
        a row it may not see exists (422 whether or not there is one)."""
        if table != "contracts":
            return
        cid, buyers = (
            str(data.get("id") or ""),
            {b.strip() for b in str(data.get("buyers") or "").split(";")},
        )
        who = policy.who
        if who.role == "nation" and not cid.startswith(f"{who.ally}-"):
            raise InputError(
                f"contracts.id {cid!r}: a nation analyst's contract ids begin with "
                f"'{who.ally}-' (e.g. {who.ally}-{cid}), so that they never meet another "
                "ally's"
            )
        prefix = cid.split("-", 1)[0] if "-" in cid else ""
        allies = {str(r.data.get("code")) for r in self._merged(s, record, "allies")}
        if prefix in allies and prefix not in buyers:
            raise InputError(
                f"contracts.id {cid!r}: ids beginning with '{prefix}-' are for contracts "
                f"{prefix} buys; name another id or add {prefix} to the buyers"
            )

    def _unique(
        self,
        s: Session,
        record: ScenarioRecord,
        table: str,
        data: dict[str, Any],
        row_id: int | None,
    ) -> None:
        key = sc.key_of(table, data)
        if record.base_id is None:
            other = s.scalar(
                select(RowRecord.id).where(
                    RowRecord.scenario_id == record.id,
                    RowRecord.table_name == table,
                    RowRecord.key == key,
                )
            )
        else:
            merged = self._merged(s, record, table)
            other = next((r.id for r in merged if r.key == key), None)
        if other is not None and other != row_id:
            raise Conflict(f"{table} already has a row with {'/'.join(TABLES[table].key)} {key}")

    @staticmethod
    def _bump(s: Session, record: ScenarioRecord, version: int | None) -> None:
        """Count a change of the scenario; with ``version``, only if it is current."""
        query = update(ScenarioRecord).where(ScenarioRecord.id == record.id)
        if version is not None:
            query = query.where(ScenarioRecord.version == version)
        done = s.execute(
            query.values(version=ScenarioRecord.version + 1, updated_at=dt.datetime.now(dt.UTC))
        )
        if done.rowcount == 0:  # type: ignore[attr-defined]
            raise stale(f"scenario {record.name}", record.version, version)

    def _summary(self, s: Session, policy: Policy, record: ScenarioRecord) -> ScenarioInfo:
        if record.base_id is None:
            counts = dict(
                s.execute(
                    select(RowRecord.table_name, func.count())
                    .where(RowRecord.scenario_id == record.id)
                    .group_by(RowRecord.table_name)
                ).all()
            )
            base = None
        else:
            counts = {t: len(rows) for t, rows in self._tables(s, record).items()}
            base = s.scalar(select(ScenarioRecord.name).where(ScenarioRecord.id == record.base_id))
        partial = [t for t in counts if policy.may_read_table(t) and policy.sees(t) is not See.ALL]
        if partial:  # rows the user sees in detail: others' rows are not even counted
            producers = self._producers(s, record)
            for table in partial:
                rows = self._merged(s, record, table)
                counts[table] = sum(policy.sees_row(table, r.data, producers) for r in rows)
        return ScenarioInfo(
            name=record.name,
            version=record.version,
            meta=self._meta(s, record),
            tables={t: n for t, n in counts.items() if policy.may_read_table(t)},
            updated_at=record.updated_at.isoformat() if record.updated_at else None,
            base=base,
            owner=record.owner,
            baseline_run=s.scalar(
                select(BaselineRecord.run_id).where(BaselineRecord.scenario_id == record.id)
            ),
        )


def check_name(name: str) -> str:
    if not SCENARIO_NAME.match(name):
        raise InputError(
            f"scenario name {name!r}: use 1-100 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit (it is part of addresses and folder names)"
        )
    return name


def _row(
    scenario_id: int,
    table: str,
    position: int,
    data: dict[str, Any],
    version: int = 1,
    key: str | None = None,
) -> RowRecord:
    return RowRecord(
        scenario_id=scenario_id,
        table_name=table,
        key=sc.key_of(table, data) if key is None else key,
        position=position,
        data=data,
        version=version,
    )


def _merge(base: list[RowRecord], own: list[RowRecord]) -> list[RowRecord]:
    """A variant's table: the base's rows, each replaced by the variant's row of its key
    (or left out where that row is a tombstone), then the rows the variant added."""
    over = {r.key: r for r in own}
    out = []
    for rec in base:
        mine = over.pop(rec.key, None)
        if mine is None:
            out.append(rec)
        elif not mine.data.get(TOMBSTONE):
            out.append(mine)
    return out + [r for r in over.values() if not r.data.get(TOMBSTONE)]


def _view(rec: RowRecord, index: int, data: dict[str, Any] | None = None) -> RowInfo:
    return RowInfo(
        id=rec.id,
        version=rec.version,
        line=index + FIRST_DATA_LINE,
        data=rec.data if data is None else data,
    )


def _producers(tables: dict[str, list[RowRecord]]) -> dict[str, str]:
    return {str(r.data.get("id")): str(r.data.get("producer")) for r in tables.get("lines", [])}


def _groups(tables: dict[str, list[RowRecord]]) -> dict[str, str]:
    return sc.groups_of([r.data for r in tables.get("items", [])])


def _known(table: str) -> None:
    if table not in TABLES:
        raise NotFound(f"no table {table!r}; tables: {', '.join(TABLES)}")


def _no_row(table: str, row_id: int) -> NotFound:
    return NotFound(f"no row {row_id} in table {table}")


def _validated(table: str, data: dict[str, Any], line: int | None) -> dict[str, Any]:
    """The row's data checked by the table's row model (the loader's own messages)."""
    if not isinstance(data, dict):
        raise InputError("a row is an object of column: value")
    spec = TABLES[table]
    problems: list[Problem] = []
    row = validate_row(spec.row, data, f"{table}.csv", line, problems)
    if row is None:
        raise ScenarioError(problems)
    return row.model_dump(mode="json")


def delivered(s: Session, scenario_id: int, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`delivered_by` from the stored scenario as it is now (for runs that did not
    keep it: those made before runs kept it); a variant's rows merged with its base's."""
    record = s.get(ScenarioRecord, scenario_id)
    assert record is not None  # a run goes with its scenario
    tables = {
        t: [r.data for r in ScenarioOps._merged(s, record, t)]
        for t in ("items", "lines", "contracts")
    }
    meta = ScenarioOps._meta(s, record)
    return delivered_by(tables, str(meta.get("start") or "2000-01"), new)


def _visible_lines(
    policy: Policy, table: str, rows: list[dict[str, Any]], producers: dict[str, str]
) -> dict[int, int]:
    """Index of each row the user sees -> its line among them (as in its listing)."""
    seen = [i for i, row in enumerate(rows) if policy.sees_row(table, row, producers)]
    return {i: n + FIRST_DATA_LINE for n, i in enumerate(seen)}
