"""Tables of the store (SQLAlchemy 2 declarative). Schema changes go through a migration
in ``migrations/versions``; a test checks that the migrations build exactly these tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class ScenarioRecord(Base):
    """A scenario's metadata; ``version`` counts every change to it or its rows.

    A variant (a private what-if) has a ``base_id`` and an ``owner`` (a user's name): its
    rows are only its overrides of the base's rows (by key) and tombstones of deleted
    ones; its ``meta`` is unused (a variant has its base's settings)."""

    __tablename__ = "scenarios"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    meta: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    # no ON DELETE: SQLite does not report it for a column added later; deleting a base
    # deletes its variants first (ScenarioOps.delete_scenario)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"), nullable=True)
    owner: Mapped[str | None] = mapped_column(String(100), nullable=True)


class RowRecord(Base):
    """One row of one table of a scenario. ``key`` joins the table's key columns (unique
    within the table); ``ally`` and ``producer`` are copies the access policy filters on."""

    __tablename__ = "scenario_rows"
    __table_args__ = (
        UniqueConstraint("scenario_id", "table_name", "key", name="uq_row_key"),
        Index("ix_rows_table", "scenario_id", "table_name", "position"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    table_name: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(400))
    position: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)


class FactRecord(Base):
    """A fact from ``materiel ingest`` with its sources and review status."""

    __tablename__ = "facts"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(Float)
    data: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)


class PledgeRecord(Base):
    """A pledge of the tracker's ledger (the JSON ledger is an import/export format)."""

    __tablename__ = "pledges"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ally: Mapped[str] = mapped_column(String(8))
    data: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)


class UserRecord(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role: Mapped[str] = mapped_column(String(20))
    ally: Mapped[str | None] = mapped_column(String(3), nullable=True)
    producer: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: A disabled user cannot sign in; disabling revokes every token it holds.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class TokenRecord(Base):
    """An API token: only its SHA-256 is stored; revoked or past ``expires_at`` it fails."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RunRecord(Base):
    """A plan run: a job in the database on one version of one scenario. ``snapshot``
    is what it plans (the scenario as it was when the run was asked for), so that any
    worker process that reaches the database can take it; ``worker`` is the process that
    took it and ``heartbeat_at`` when that process last said it was still at it (a run
    whose heartbeat is older than the lease has lost its worker). ``stage`` of
    ``stages`` is where the planning is (0 while queued); ``started_at`` is when it
    began to run."""

    __tablename__ = "plan_runs"
    __table_args__ = (Index("ix_runs_status", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    scenario_version: Mapped[int] = mapped_column(Integer)
    scenario_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))  # queued running done failed cancelled
    progress: Mapped[str] = mapped_column(String(400), default="")
    stage: Mapped[int] = mapped_column(Integer, default=0)
    stages: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(4000), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # a simulation run: the plan run it simulates; a sweep run: the combinations it plans
    # (both in its snapshot too, and read here by every list of runs)
    simulates: Mapped[int | None] = mapped_column(Integer, nullable=True)
    combinations: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The large columns last (as migration 0007 lays them out on SQLite: a column after a
    # large value is read by walking its overflow pages).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # deferred: read only by the worker that takes the run, never by lists of runs
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, deferred=True)


class BaselineRecord(Base):
    """The run a scenario's pages show unless the user picks another (chosen by alliance
    staff or an admin; a done run of that scenario)."""

    __tablename__ = "scenario_baselines"
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_runs.id", ondelete="CASCADE"))
    chosen_by: Mapped[str] = mapped_column(String(100))
    chosen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class AuditRecord(Base):
    """Who changed what, when, before and after. Append-only: triggers in the database
    refuse UPDATE and DELETE, and the store has no method that would issue them."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(400))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class PublishedRecord(Base):
    """An alliance total of a scenario's table as last shown to users who see only
    totals: its value and each ally's part then (see
    :meth:`materiel.store.scenario_ops.ScenarioOps.rows`)."""

    __tablename__ = "published_totals"
    __table_args__ = (
        UniqueConstraint("scenario_id", "table_name", "cell", "measure", name="uq_published"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    table_name: Mapped[str] = mapped_column(String(40))
    cell: Mapped[str] = mapped_column(String(400))
    measure: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    parts: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer)


class SignInAttemptRecord(Base):
    """One sign-in attempt counted against one limit: ``key`` is the SHA-256 of what is
    limited (a client and the name it tried, or a client), never the name itself; ``at``
    is when, in seconds since 1970 by the database's clock, so that every server process
    on the database counts the same attempts in the same window. Rows older than the
    window are deleted at the next attempt (:mod:`materiel.store.attempt_ops`)."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_attempts_key", "key", "at"),
        Index("ix_attempts_at", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)
