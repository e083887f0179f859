"""What every part of the store shares: transactions, the audit log, paging."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any, overload

from sqlalchemy.exc import DataError as DatabaseRefusedValue
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from materiel.errors import DataError, InputError
from materiel.store.db import Database
from materiel.store.disclosure import Memo, Rule
from materiel.store.errors import Conflict
from materiel.store.models import AuditRecord
from materiel.store.policy import Policy, Principal

#: Finished runs' results kept in memory by each store (each server process).
RESULTS_KEPT = 8
#: Finished runs' summaries and table names kept in memory by each store.
OUTLINES_KEPT = 4096
#: Pages' views of finished runs kept in memory by each store.
VIEWS_KEPT = 64
#: Rows of finished runs' tables, as users are served them, kept by each store: mostly
#: the kept results' own rows, shared (about 12,500 for nato-2024's stock table); at most
#: some 150 MB if none were shared.
TABLE_ROWS_KEPT = 250_000


class StoreBase:
    def __init__(self, db: Database, rule: Rule | None = None):
        self.db = db
        #: the disclosure rule for totals (:mod:`materiel.store.disclosure`)
        self.rule = rule or Rule.from_settings()
        #: the rule's decisions on finished runs' tables, shared by every user
        self.memo = Memo()
        #: the last finished runs' results, read from the database once (a result never
        #: changes once its run is done; a few MB of JSON each for nato-2024)
        self.results = Memo(size=RESULTS_KEPT)
        #: finished runs' summaries and table names (small; lists of runs show them)
        self.outlines = Memo(size=OUTLINES_KEPT)
        #: what the pages work out of finished runs, under keys that name what decides
        #: it for the user (the web app's outlook: :func:`materiel.web.views.outlook`)
        self.views = Memo(size=VIEWS_KEPT)
        #: finished runs' tables as each view of them is served (:meth:`kept_run_table`)
        self.tables = Memo(size=TABLE_ROWS_KEPT, weigh=len)

    @contextlib.contextmanager
    def tx(self, write: bool = False) -> Iterator[Session]:
        """One transaction: committed at the end, rolled back on any error."""
        session = self.db.session(write)
        try:
            with session.begin():
                yield session
        except IntegrityError as exc:
            raise Conflict(f"refused: it would break a rule of the store ({_first(exc)})") from None
        except DatabaseRefusedValue as exc:  # e.g. a NUL character PostgreSQL cannot store
            raise InputError(f"the database refused a value: {_first(exc)}") from None
        except OperationalError as exc:
            raise DataError(f"the database failed: {_first(exc)}") from None
        finally:
            session.close()

    def policy(self, who: Principal) -> Policy:
        return Policy(who, self.rule, self.memo)

    @staticmethod
    def audit(
        session: Session,
        who: Principal,
        action: str,
        target: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Append to the audit log in the transaction of the change itself."""
        session.add(
            AuditRecord(actor=who.name, action=action, target=target, before=before, after=after)
        )


@overload
def aware(value: dt.datetime) -> dt.datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time of the database as UTC (SQLite gives it back without its zone)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _first(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__
