"""The store as one object: every operation takes the :class:`Principal` who asks."""

from __future__ import annotations

from sqlalchemy import func, select

from materiel.store.account_ops import AccountOps
from materiel.store.attempt_ops import AttemptOps
from materiel.store.db import Database, upgrade
from materiel.store.ledger_ops import LedgerOps
from materiel.store.models import AuditRecord
from materiel.store.national_ops import NationalOps
from materiel.store.policy import Principal
from materiel.store.records import AuditEntry, AuditPage
from materiel.store.run_ops import RunOps
from materiel.store.sim_ops import SimOps
from materiel.store.sweep_ops import SweepOps
from materiel.store.variant_ops import VariantOps


class Store(VariantOps, AccountOps, AttemptOps, LedgerOps, RunOps, SimOps, SweepOps, NationalOps):
    """Scenarios and their variants, accounts, sign-in attempts, facts, pledges, runs
    and the audit log of one database."""

    def audit_log(self, who: Principal, offset: int, limit: int) -> AuditPage:
        """The audit log, newest first. There is no method to change or delete it."""
        self.policy(who).require("audit.read", "read the audit log")
        with self.tx() as s:
            total = s.scalar(select(func.count()).select_from(AuditRecord)) or 0
            records = s.scalars(
                select(AuditRecord).order_by(AuditRecord.id.desc()).offset(offset).limit(limit)
            )
            items = [
                AuditEntry(
                    id=r.id,
                    at=r.at.isoformat(),
                    actor=r.actor,
                    action=r.action,
                    target=r.target,
                    before=r.before,
                    after=r.after,
                )
                for r in records
            ]
        return AuditPage(total=total, offset=offset, limit=limit, items=items)


def open_store(url: str | None = None, migrate: bool = True) -> Store:
    """A store on the database at ``url`` (default: the SQLite file), upgraded to the
    current schema unless ``migrate`` is False."""
    db = Database(url)
    if migrate:
        upgrade(db)
    return Store(db)
