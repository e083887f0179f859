"""The store: scenarios, facts, pledges, users, tokens, plan runs and the audit log in
one database (SQLite by default, PostgreSQL for shared deployments), through SQLAlchemy 2
with Alembic migrations. Who may see and change what is decided in
:mod:`materiel.store.policy`, and every read and write of :class:`~materiel.store.repo.Store`
goes through it."""

from __future__ import annotations

from materiel.store.account_ops import hash_token
from materiel.store.db import sqlite_path
from materiel.store.delivered import delivered_by
from materiel.store.errors import (
    AccessDenied,
    Conflict,
    LimitReached,
    NotFound,
    Unauthenticated,
    UserDisabled,
)
from materiel.store.models import TokenRecord
from materiel.store.plan_view import NATIONAL_SCENARIO_TABLES, nation_view, run_result
from materiel.store.policy import ROLES, SYSTEM, TOTAL, TOTAL_KEY, Principal
from materiel.store.records import NationalView, RunInfo
from materiel.store.repo import Store, open_store
from materiel.store.scenarios import rows_of as scenario_rows
from materiel.store.sim_ops import MAX_RUN_FUTURES, MAX_SEED, SIM_TABLE
from materiel.store.sweep_ops import SWEEP_TABLE

__all__ = [
    "MAX_RUN_FUTURES",
    "MAX_SEED",
    "NATIONAL_SCENARIO_TABLES",
    "ROLES",
    "SIM_TABLE",
    "SWEEP_TABLE",
    "SYSTEM",
    "TOTAL",
    "TOTAL_KEY",
    "AccessDenied",
    "Conflict",
    "LimitReached",
    "NationalView",
    "NotFound",
    "Principal",
    "RunInfo",
    "Store",
    "TokenRecord",
    "Unauthenticated",
    "UserDisabled",
    "delivered_by",
    "hash_token",
    "nation_view",
    "open_store",
    "run_result",
    "scenario_rows",
    "sqlite_path",
]
