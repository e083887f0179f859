"""Scenarios and their tables in the store: import, export, read, change, validate.

Reads pass through the access policy (detail, alliance totals, or nothing); writes are
checked by it, validated with the scenario's row models, refused with 409 when the
version given is stale, and recorded in the audit log in the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from materiel.errors import InputError, Problem, ScenarioError
from materiel.scenario import FIRST_DATA_LINE, TABLES, Scenario, ScenarioMeta, validate_row
from materiel.store import disclosure
from materiel.store import scenarios as sc
from materiel.store.base import StoreBase
from materiel.store.errors import AccessDenied, Conflict, NotFound, stale
from materiel.store.models import PublishedRecord, RowRecord, ScenarioRecord
from materiel.store.policy import RULES, TOTAL, TOTAL_KEY, Policy, Principal, See, with_group
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


class ScenarioOps(StoreBase):
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
        name = name or scenario.name
        if not SCENARIO_NAME.match(name):
            raise InputError(
                f"scenario name {name!r}: use 1-100 letters, digits, '_', '.' or '-', "
                "starting with a letter or digit (it is part of addresses and folder names)"
            )
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
        self.policy(who).require("scenario.delete", "delete scenarios")
        with self.tx(write=True) as s:
            record = self._scenario(s, name)
            before = {"meta": record.meta, "version": record.version}
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
            return [self._summary(s, policy, r) for r in records]

    def get_scenario(self, who: Principal, name: str) -> ScenarioInfo:
        with self.tx() as s:
            return self._summary(s, self.policy(who), self._scenario(s, name))

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
            record = self._scenario(s, name)
            new = {**record.meta, **changes}
            if isinstance(changes.get("policy"), dict):
                new["policy"] = {**record.meta.get("policy", {}), **changes["policy"]}
            try:
                checked = ScenarioMeta.model_validate({**new, "tables": {}})
            except Exception as exc:  # pydantic's ValidationError
                raise InputError(f"scenario.yaml: {exc}") from None
            new = checked.model_dump(mode="json", exclude={"tables", "extends"})
            self._bump(s, record, version)
            s.execute(update(ScenarioRecord).where(ScenarioRecord.id == record.id).values(meta=new))
            self.audit(s, who, "scenario.meta", f"scenario {name}", record.meta, new)
            s.refresh(record)
            return self._summary(s, self.policy(who), record)

    def export(self, who: Principal, name: str) -> ScenarioExport:
        """Metadata and every table the user may read, as the user may read it."""
        policy = self.policy(who)
        with self.tx() as s:
            record = self._scenario(s, name)
            tables = self._tables(s, record.id)
            producers, groups = _producers(tables), _groups(tables)
            everyone = {t: [rec.data for rec in recs] for t, recs in tables.items()}
            visible = {
                t: [dict(r) for r in policy.rows(t, rows, producers, groups)]
                for t, rows in everyone.items()
                if policy.may_read_table(t)
            }
        for t, rows in visible.items():
            if policy.sees(t) is See.OWN_AND_TOTALS:
                self._as_published(record, t, rows, everyone[t], groups)
        return ScenarioExport(
            name=record.name, version=record.version, meta=record.meta, tables=visible
        )

    def export_folder(self, who: Principal, name: str, folder: Path) -> Path:
        """Write the stored scenario as a folder (only a user who sees it all may)."""
        policy = self.policy(who)
        if any(policy.sees(t).name != "ALL" for t in TABLES):
            raise AccessDenied("only users who see every table may export a scenario folder")
        data = self.export(who, name)
        return sc.write_folder(folder, data.meta, data.tables)

    def load(self, name: str) -> tuple[sc.Checked, int, dict[str, Any]]:
        """The stored scenario validated as the loader would, its version, and what was
        read (``meta`` and ``tables``: the snapshot a plan run plans, as
        :func:`materiel.workflows.run.run_snapshot` takes it), all from one transaction."""
        with self.tx() as s:
            record = self._scenario(s, name)
            tables = {t: [r.data for r in recs] for t, recs in self._tables(s, record.id).items()}
            meta, version = record.meta, record.version
        return sc.check(meta, tables), version, {"meta": meta, "tables": tables}

    def validate(self, who: Principal, name: str) -> ValidationReport:
        """The CLI's messages for the stored scenario, without those about rows the user
        may not see (those are only counted)."""
        policy = self.policy(who)
        with self.tx() as s:
            record = self._scenario(s, name)
            tables = self._tables(s, record.id)
        rows = {t: [r.data for r in recs] for t, recs in tables.items()}
        checked = sc.check(record.meta, rows)
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
            record = self._scenario(s, name)
            recs = self._table(s, record.id, table)
            producers, groups = self._producers(s, record.id), self._groups(s, record.id)
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
            record = self._scenario(s, name)
            rec = self._row_for(s, policy, record.id, table, row_id, self._producers(s, record.id))
            everyone = [r.data for r in self._table(s, record.id, table)]
            data = policy.detail(table, rec.data, everyone)
            producers = self._producers(s, record.id)
            before = s.scalars(
                select(RowRecord.data).where(
                    RowRecord.scenario_id == record.id,
                    RowRecord.table_name == table,
                    RowRecord.position < rec.position,
                )
            )
            # numbered among the rows the user sees, as in the table's listing
            index = sum(policy.sees_row(table, d, producers) for d in before)
            return _view(rec, index, data)

    def add_row(self, who: Principal, name: str, table: str, data: dict[str, Any]) -> SavedRow:
        policy = self.policy(who)
        _known(table)
        with self.tx(write=True) as s:
            record = self._scenario(s, name)
            clean = _validated(table, data, None)
            policy.check_write(table, clean, self._producers(s, record.id))
            self._own_id(s, policy, record.id, table, clean)
            self._unique(s, record.id, table, clean, None)
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
            clean = _validated(table, data, None)
            policy.check_write(table, clean, producers)
            if sc.key_of(table, clean) != sc.key_of(table, rec.data):  # a row keeps its id
                self._own_id(s, policy, record.id, table, clean)
            self._unique(s, record.id, table, clean, rec.id)
            done = s.execute(
                update(RowRecord)
                .where(RowRecord.id == rec.id, RowRecord.version == version)
                .values(data=clean, key=sc.key_of(table, clean), version=RowRecord.version + 1)
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise stale(f"row {row_id} of {table}", rec.version, version)
            self._bump(s, record, None)
            self.audit(s, who, "row.update", f"{name}/{table}/{row_id}", rec.data, clean)
            return SavedRow(id=rec.id, version=version + 1, data=clean)

    def delete_row(self, who: Principal, name: str, table: str, row_id: int, version: int) -> None:
        with self.tx(write=True) as s:
            record, rec, _ = self._writable(s, self.policy(who), name, table, row_id)
            done = s.execute(
                delete(RowRecord).where(RowRecord.id == rec.id, RowRecord.version == version)
            )
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise stale(f"row {row_id} of {table}", rec.version, version)
            self._bump(s, record, None)
            self.audit(s, who, "row.delete", f"{name}/{table}/{row_id}", rec.data, None)

    # -- totals as published ----------------------------------------------------------
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
        for attempt in (1, 2):  # two readers may publish the same total at once
            try:
                with self.tx(write=True) as s:
                    kept = {
                        (p.cell, p.measure): p
                        for p in s.scalars(
                            select(PublishedRecord).where(
                                PublishedRecord.scenario_id == record.id,
                                PublishedRecord.table_name == table,
                            )
                        )
                    }
                    for total in totals:
                        self._publish(s, record, table, total, cells, kept)
                return
            except Conflict:
                if attempt == 2:
                    raise

    def _publish(
        self,
        s: Session,
        record: ScenarioRecord,
        table: str,
        total: dict[str, Any],
        cells: dict[tuple[Any, ...], disclosure.Cell],
        kept: dict[tuple[str, str], PublishedRecord],
    ) -> None:
        rule = RULES[table].totals
        assert rule is not None
        key = tuple(total.get(c) for c in rule.by)
        cell = json.dumps(key, default=str)
        for measure in rule.sums:
            value = total.get(measure)
            if value is None or key not in cells:
                continue
            now = cells[key].parts.get(measure, {})
            last = kept.get((cell, measure))
            if last is None:
                s.add(
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
                last.value, last.parts, last.version = float(value), now, record.version

    # -- helpers -------------------------------------------------------------------
    def _writable(
        self, s: Session, policy: Policy, name: str, table: str, row_id: int
    ) -> tuple[ScenarioRecord, RowRecord, dict[str, str]]:
        """The scenario, the row as stored, and line producers, if the user may change
        the row (404 if the user may not see it, 403 if the user may not change it)."""
        _known(table)
        record = self._scenario(s, name)
        producers = self._producers(s, record.id)
        rec = self._row_for(s, policy, record.id, table, row_id, producers)
        policy.check_write(table, rec.data, producers)
        return record, rec, producers

    @staticmethod
    def _scenario(s: Session, name: str) -> ScenarioRecord:
        record = s.scalar(select(ScenarioRecord).where(ScenarioRecord.name == name))
        if record is None:
            raise NotFound(f"no scenario named {name!r}")
        return record

    @staticmethod
    def _tables(s: Session, scenario_id: int) -> dict[str, list[RowRecord]]:
        tables: dict[str, list[RowRecord]] = {}
        for rec in s.scalars(
            select(RowRecord)
            .where(RowRecord.scenario_id == scenario_id)
            .order_by(RowRecord.table_name, RowRecord.position)
        ):
            tables.setdefault(rec.table_name, []).append(rec)
        return {t: tables[t] for t in TABLES if t in tables}

    @staticmethod
    def _table(s: Session, scenario_id: int, table: str) -> list[RowRecord]:
        return list(
            s.scalars(
                select(RowRecord)
                .where(RowRecord.scenario_id == scenario_id, RowRecord.table_name == table)
                .order_by(RowRecord.position)
            )
        )

    @staticmethod
    def _producers(s: Session, scenario_id: int) -> dict[str, str]:
        lines = s.scalars(
            select(RowRecord.data).where(
                RowRecord.scenario_id == scenario_id, RowRecord.table_name == "lines"
            )
        )
        return {str(d.get("id")): str(d.get("producer")) for d in lines}

    @staticmethod
    def _groups(s: Session, scenario_id: int) -> dict[str, str]:
        """Item code -> interoperability group (the item's own code if it has none)."""
        items = s.scalars(
            select(RowRecord.data).where(
                RowRecord.scenario_id == scenario_id, RowRecord.table_name == "items"
            )
        )
        return sc.groups_of(items)

    @staticmethod
    def _rows_of(s: Session, scenario_id: int, table: str) -> list[dict[str, Any]]:
        return list(
            s.scalars(
                select(RowRecord.data).where(
                    RowRecord.scenario_id == scenario_id, RowRecord.table_name == table
                )
            )
        )

    @staticmethod
    def _row_for(
        s: Session,
        policy: Policy,
        scenario_id: int,
        table: str,
        row_id: int,
        producers: dict[str, str],
    ) -> RowRecord:
        rec = s.get(RowRecord, row_id)
        if (
            rec is None
            or rec.scenario_id != scenario_id
            or rec.table_name != table
            or not policy.sees_row(table, rec.data, producers)
        ):
            raise _no_row(table, row_id)
        return rec

    @staticmethod
    def _own_id(
        s: Session, policy: Policy, scenario_id: int, table: str, data: dict[str, Any]
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
        allies = {
            str(d.get("code"))
            for d in s.scalars(
                select(RowRecord.data).where(
                    RowRecord.scenario_id == scenario_id, RowRecord.table_name == "allies"
                )
            )
        }
        if prefix in allies and prefix not in buyers:
            raise InputError(
                f"contracts.id {cid!r}: ids beginning with '{prefix}-' are for contracts "
                f"{prefix} buys; name another id or add {prefix} to the buyers"
            )

    @staticmethod
    def _unique(
        s: Session, scenario_id: int, table: str, data: dict[str, Any], row_id: int | None
    ) -> None:
        key = sc.key_of(table, data)
        other = s.scalar(
            select(RowRecord.id).where(
                RowRecord.scenario_id == scenario_id,
                RowRecord.table_name == table,
                RowRecord.key == key,
            )
        )
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

    @staticmethod
    def _summary(s: Session, policy: Policy, record: ScenarioRecord) -> ScenarioInfo:
        counts = dict(
            s.execute(
                select(RowRecord.table_name, func.count())
                .where(RowRecord.scenario_id == record.id)
                .group_by(RowRecord.table_name)
            ).all()
        )
        partial = [t for t in counts if policy.may_read_table(t) and policy.sees(t) is not See.ALL]
        if partial:  # rows the user sees in detail: others' rows are not even counted
            producers = ScenarioOps._producers(s, record.id)
            for table in partial:
                rows = ScenarioOps._table(s, record.id, table)
                counts[table] = sum(policy.sees_row(table, r.data, producers) for r in rows)
        return ScenarioInfo(
            name=record.name,
            version=record.version,
            meta=record.meta,
            tables={t: n for t, n in counts.items() if policy.may_read_table(t)},
            updated_at=record.updated_at.isoformat() if record.updated_at else None,
        )


def _row(scenario_id: int, table: str, position: int, data: dict[str, Any]) -> RowRecord:
    return RowRecord(
        scenario_id=scenario_id,
        table_name=table,
        key=sc.key_of(table, data),
        position=position,
        data=data,
        version=1,
    )


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
    keep it: those made before runs kept it)."""
    tables = {t: ScenarioOps._rows_of(s, scenario_id, t) for t in ("items", "lines", "contracts")}
    meta = s.scalar(select(ScenarioRecord.meta).where(ScenarioRecord.id == scenario_id))
    return delivered_by(tables, str((meta or {}).get("start") or "2000-01"), new)


def delivered_by(
    tables: dict[str, list[dict[str, Any]]], start: str, new: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What lines deliver, as :data:`materiel.store.policy.DELIVERED` reads it: a plan's
    new orders (``new``, its deliveries table) and the scenario's firm existing contracts
    (``tables``: its rows; ``start``: its first month), spread evenly over their delivery
    months as the planner spreads them, each with the month it is made
    (``delivery_lag`` earlier) and the group it serves."""
    groups = sc.groups_of(tables.get("items", []))
    lines = {
        str(d.get("id")): (groups.get(str(d.get("item")), str(d.get("item"))), d)
        for d in tables.get("lines", [])
    }
    first = _month(start)
    out: list[dict[str, Any]] = []

    def add(line: str, ally: str, month: int, quantity: float) -> None:
        group, data = lines.get(line, (line, {}))
        made = month - int(data.get("delivery_lag") or 0)
        row = {"line": line, "ally": ally, "month": month, "made": made, "group": group}
        out.append({**row, "quantity": quantity})

    for row in new:
        quantity = float(row.get("quantity") or 0.0)
        add(str(row.get("line")), str(row.get("ally")), int(row.get("month") or 0), quantity)
    for c in tables.get("contracts", []):
        if c.get("firm") is False:
            continue
        begin, end = _month(str(c["start"])) - first, _month(str(c["end"])) - first
        per_month = float(c.get("quantity") or 0.0) / (end - begin + 1)
        for ally, share in RULES["contracts"].owners(c).items():
            for month in range(begin, end + 1):
                add(str(c.get("line")), ally, month, per_month * share)
    return out


def _month(label: str) -> int:
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


def _visible_lines(
    policy: Policy, table: str, rows: list[dict[str, Any]], producers: dict[str, str]
) -> dict[int, int]:
    """Index of each row the user sees -> its line among them (as in its listing)."""
    seen = [i for i, row in enumerate(rows) if policy.sees_row(table, row, producers)]
    return {i: n + FIRST_DATA_LINE for n, i in enumerate(seen)}
