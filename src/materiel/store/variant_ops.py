"""Private what-ifs and baselines: variants of a scenario, their promotion into the base,
and each scenario's baseline run.

A variant is a :class:`~materiel.store.models.ScenarioRecord` with a ``base_id`` and an
``owner``. It stores only what it changes (copy on write): a row of its own for each row
it added or replaced, keyed by the table's key as every row is, and a tombstone (data
``{"__deleted__": true}``) for each base row it deleted. Reads merge the base's rows with
these by key (:meth:`ScenarioOps._merged`), so a row the variant has not changed follows
the base. Row ids: a row the variant has not changed keeps its base row's id; the first
change writes the override and answers its new id; the base row's id then keeps
addressing the variant's row of that key (404 once the variant deleted it).

Only the owner sees and changes a variant, besides alliance staff and admins, who read it
to promote it (:meth:`Policy.sees_scenario`); everyone else gets the 404 of a missing
scenario. Promotion applies the overrides and tombstones to the base in one transaction,
audited row by row, and then empties the variant (it stays, with its runs, and follows
the base again).
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from materiel.errors import InputError
from materiel.store import scenarios as sc
from materiel.store.errors import Conflict
from materiel.store.models import BaselineRecord, RowRecord, RunRecord, ScenarioRecord
from materiel.store.policy import Principal
from materiel.store.records import ScenarioInfo
from materiel.store.scenario_ops import TOMBSTONE, ScenarioOps, check_name


class VariantOps(ScenarioOps):
    def create_variant(self, who: Principal, base: str, name: str) -> ScenarioInfo:
        """A new, empty variant of a shared scenario, owned by ``who``."""
        policy = self.policy(who)
        policy.require("scenario.variant", "make variants")
        check_name(name)
        with self.tx(write=True) as s:
            record = self._scenario(s, base, policy)
            if record.base_id is not None:
                raise InputError(f"{base} is a variant itself: make a variant of its base")
            if s.scalar(select(ScenarioRecord.id).where(ScenarioRecord.name == name)):
                raise Conflict(f"a scenario named {name!r} is already stored")
            variant = ScenarioRecord(
                name=name, meta={}, version=1, base_id=record.id, owner=who.name
            )
            s.add(variant)
            s.flush()
            after = {"base": base, "base_version": record.version, "owner": who.name}
            self.audit(s, who, "scenario.variant", f"scenario {name}", None, after)
            return self._summary(s, policy, variant)

    def promote(self, who: Principal, name: str, version: int) -> ScenarioInfo:
        """Apply a variant's changes to its base, whose ``version`` the caller read (409
        if it is no longer current; nothing changes then), in one transaction: every row
        change audited as ``row.create``/``row.update``/``row.delete`` of the base, and the
        whole as ``scenario.promote``. The variant is emptied (it follows the base again).
        Refused (422) if the scenario it would make does not validate."""
        policy = self.policy(who)
        policy.require("scenario.promote", "promote variants")
        with self.tx(write=True) as s:
            variant = self._scenario(s, name, policy)
            if variant.base_id is None:
                raise InputError(f"{name} is not a variant: there is nothing to promote")
            base = s.get(ScenarioRecord, variant.base_id)
            assert base is not None  # a base is deleted with its variants
            self._bump(s, base, version)
            # locks the variant too: an edit of it committed meanwhile makes this stale
            # rather than being emptied away unapplied
            self._bump(s, variant, variant.version)
            self._must_validate(s, variant)
            own = [r for rows in self._stored(s, variant.id, None).values() for r in rows]
            changes = 0
            for rec in sorted(own, key=lambda r: not r.data.get(TOMBSTONE)):  # a key may move
                changes += self._apply(s, who, base, rec.table_name, rec)
            s.execute(delete(RowRecord).where(RowRecord.scenario_id == variant.id))
            self.audit(
                s,
                who,
                "scenario.promote",
                f"scenario {base.name}",
                {"version": version},
                {"variant": name, "owner": variant.owner, "changes": changes},
            )
            s.refresh(base)
            return self._summary(s, policy, base)

    def set_baseline(self, who: Principal, name: str, run_id: int | None) -> ScenarioInfo:
        """Choose the run the scenario's pages show by default (a done run of it), or
        none; audited as ``scenario.baseline``."""
        policy = self.policy(who)
        policy.require("scenario.baseline", "choose baseline runs")
        with self.tx(write=True) as s:
            record = self._scenario(s, name, policy)
            current = s.get(BaselineRecord, record.id)
            before = {"run": current.run_id if current else None}
            if run_id is not None:
                run = s.get(RunRecord, run_id)
                if run is None or run.scenario_id != record.id or run.status != "done":
                    raise InputError(f"run: {run_id} is not a finished (done) run of {name}")
                if {"simulation", "sweep"} & set(run.snapshot or {}):
                    raise InputError(f"run: {run_id} is not a plan run (a simulation or sweep)")
            if current is not None:
                s.delete(current)
                s.flush()
            if run_id is not None:
                s.add(BaselineRecord(scenario_id=record.id, run_id=run_id, chosen_by=who.name))
            self.audit(s, who, "scenario.baseline", f"scenario {name}", before, {"run": run_id})
            s.flush()
            return self._summary(s, policy, record)

    # -- helpers -------------------------------------------------------------------
    def _must_validate(self, s: Session, variant: ScenarioRecord) -> None:
        """The base as the promotion would leave it (the variant merged with the current
        base) must validate."""
        tables = {t: [r.data for r in recs] for t, recs in self._tables(s, variant).items()}
        checked = sc.check(self._meta(s, variant), tables)
        if checked.scenario is None:
            shown = "\n".join(f"  - {p}" for p in checked.problems)
            raise InputError(f"{variant.name} does not validate; fix it before promoting:\n{shown}")

    def _apply(
        self, s: Session, who: Principal, base: ScenarioRecord, table: str, rec: RowRecord
    ) -> int:
        """One of a variant's rows applied to the base: 1 if the base changed, else 0."""
        target = s.scalar(self._own_key(base.id, table, rec.key))
        where = f"{base.name}/{table}"
        if rec.data.get(TOMBSTONE):
            if target is None:
                return 0
            s.execute(delete(RowRecord).where(RowRecord.id == target.id))
            self.audit(s, who, "row.delete", f"{where}/{target.id}", target.data, None)
            return 1
        if target is not None:
            before = target.data  # the UPDATE below refreshes target.data in the session
            if before == rec.data:
                return 0
            s.execute(
                update(RowRecord)
                .where(RowRecord.id == target.id)
                .values(data=rec.data, version=RowRecord.version + 1)
            )
            self.audit(s, who, "row.update", f"{where}/{target.id}", before, rec.data)
            return 1
        position = s.scalar(
            select(func.coalesce(func.max(RowRecord.position), -1) + 1).where(
                RowRecord.scenario_id == base.id, RowRecord.table_name == table
            )
        )
        added = RowRecord(
            scenario_id=base.id,
            table_name=table,
            key=rec.key,
            position=int(position or 0),
            data=dict(rec.data),
            version=1,
        )
        s.add(added)
        s.flush()
        self.audit(s, who, "row.create", f"{where}/{added.id}", None, rec.data)
        return 1
