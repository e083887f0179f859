"""Sign-in attempts counted in the database, so that every server process on one
database limits them as one: a sliding window per key, by the database's clock."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from materiel.store.base import StoreBase
from materiel.store.models import SignInAttemptRecord

#: The PostgreSQL advisory lock (one number for the whole database) that makes attempts
#: one at a time: two processes counting at once could each see one attempt left. On
#: SQLite a write transaction (BEGIN IMMEDIATE) already holds the database's one lock.
ATTEMPTS_LOCK = 0x6D61_7465_7269_656C  # "materiel"

#: Now, in seconds since 1970, by the database's clock (SQLite's: the machine's own, to
#: the millisecond; PostgreSQL's: the server's, whatever the clocks of the processes).
SQLITE_NOW = "SELECT (julianday('now') - 2440587.5) * 86400.0"
POSTGRES_NOW = "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"


def attempt_key(key: str) -> str:
    """What is stored of a key: its SHA-256 (a name typed at sign-in is never kept)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class AttemptOps(StoreBase):
    def count_attempt(self, limits: Sequence[tuple[str, int]], window_s: float) -> float | None:
        """One attempt against each ``(key, attempts)`` of ``limits``: at most
        ``attempts`` per key within a sliding window of ``window_s`` seconds. If every
        key has room, the attempt is recorded against each and None is returned; if
        one has had its attempts in the window, nothing is recorded and the seconds
        until it has room again are returned (the longest wait of the keys that are
        full). Attempts older than the window, of any key, are deleted."""
        with self.tx(write=True) as s:
            if not self.db.is_sqlite:
                s.execute(select(func.pg_advisory_xact_lock(ATTEMPTS_LOCK)))
            clock = SQLITE_NOW if self.db.is_sqlite else POSTGRES_NOW
            now = float(s.execute(text(clock)).scalar_one())
            s.execute(delete(SignInAttemptRecord).where(SignInAttemptRecord.at <= now - window_s))
            keys = [(attempt_key(key), attempts) for key, attempts in limits]
            wait = _longest_wait(s, keys, now, window_s)
            if wait is None:
                s.execute(insert(SignInAttemptRecord), [{"key": k, "at": now} for k, _ in keys])
            return wait


def _longest_wait(
    s: Session, keys: Sequence[tuple[str, int]], now: float, window_s: float
) -> float | None:
    """The seconds until every full key has room for one more attempt; None if all
    have room now."""
    wait: float | None = None
    for key, attempts in keys:
        seen, oldest = s.execute(
            select(func.count(), func.min(SignInAttemptRecord.at)).where(
                SignInAttemptRecord.key == key, SignInAttemptRecord.at > now - window_s
            )
        ).one()
        if seen >= attempts:
            left = window_s - (now - float(oldest))
            wait = left if wait is None else max(wait, left)
    return wait
