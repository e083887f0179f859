"""What the store returns: frozen records, one per kind of answer.

The store's methods return these instead of dicts; the API turns them into its public
schemas (:mod:`materiel.server.schemas`) and the web pages read their attributes.
Dates are ISO 8601 text, as the API sends them.

What stays a dict, and why: a scenario row's ``data`` and a plan table's rows are
column -> value with columns that depend on the table (the scenario's row models and the
planner's frames own them); a scenario's ``meta`` is ``scenario.yaml``'s fields
(:class:`materiel.scenario.schema.ScenarioMeta` owns them); a run's ``summary`` is the
planner's summary; an audit entry's ``before``/``after`` are whatever was changed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Record:
    """A record of the store. ``record["field"]`` still reads a field, for callers that
    read the dicts the store used to return (the command line's ``db import``, the test
    kit); new code reads attributes."""

    def __getitem__(self, key: str) -> Any:
        if key not in {f.name for f in dataclasses.fields(self)}:
            raise KeyError(key)
        return getattr(self, key)

    def as_dict(self) -> dict[str, Any]:
        """The record as the JSON-ready dict it stands for (the audit log stores these)."""
        return dataclasses.asdict(self)


# -- scenarios -------------------------------------------------------------------------
@dataclass(frozen=True)
class ScenarioInfo(Record):
    """A scenario's settings, version and the sizes of the tables the user may read; for
    a variant, its base and owner (a variant has its base's settings); the baseline run."""

    name: str
    version: int
    meta: dict[str, Any]
    tables: dict[str, int]
    updated_at: str | None
    base: str | None = None
    owner: str | None = None
    baseline_run: int | None = None


@dataclass(frozen=True)
class ScenarioExport(Record):
    """A scenario's settings and every table the user may read, as the user may read it."""

    name: str
    version: int
    meta: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class ValidationReport(Record):
    """The CLI's messages about a stored scenario; problems in rows the user may not see
    are only counted."""

    ok: bool
    version: int
    problems: list[str]
    warnings: list[str]
    hidden_problems: int


@dataclass(frozen=True)
class RowInfo(Record):
    """A row as read: its id, version and CSV line, or all three None for an alliance
    total (which is not a stored row)."""

    id: int | None
    version: int | None
    line: int | None
    data: dict[str, Any]


@dataclass(frozen=True)
class SavedRow(Record):
    """A row as written: its id, its new version and its validated data."""

    id: int
    version: int
    data: dict[str, Any]


# -- plan runs -------------------------------------------------------------------------
@dataclass(frozen=True)
class RunInfo(Record):
    """A plan run: what it plans, its status and progress (``stage`` of ``stages`` of
    the planning; 0 while queued), how long it has run (from ``started_at`` to
    ``finished_at`` or now), and what the user may read of its result (the summary, the
    names of the plan tables)."""

    id: int
    scenario: str
    scenario_version: int
    scenario_digest: str
    status: str
    progress: str
    error: str | None
    created_by: str
    created_at: str | None
    finished_at: str | None
    summary: dict[str, Any] | None
    tables: list[str]
    started_at: str | None = None
    elapsed_seconds: float | None = None
    stage: int = 0
    stages: int = 0
    baseline: bool = False
    #: the plan run a simulation run simulates (None: a plan run)
    simulates: int | None = None
    #: ``plan``, ``simulation`` (of a plan run) or ``sweep`` (of the scenario's levers)
    kind: str = "plan"


# -- accounts and the audit log ---------------------------------------------------------
@dataclass(frozen=True)
class UserInfo(Record):
    """A user (never the password's hash: only whether there is one). ``active`` is
    false for a disabled user; ``warnings`` says what could not be checked when it was
    made (empty otherwise)."""

    id: int
    name: str
    role: str
    ally: str | None
    producer: str | None
    has_password: bool
    active: bool = True
    warnings: list[str] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class TokenInfo(Record):
    """An API token (never its secret)."""

    id: int
    name: str
    created_at: str
    expires_at: str
    revoked_at: str | None


@dataclass(frozen=True)
class NewToken(Record):
    """A token just made: its secret, shown this once, and when it expires."""

    token: str
    expires_at: str


@dataclass(frozen=True)
class AuditEntry(Record):
    """One change: who, what, when, and the thing before and after."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class AuditPage(Record):
    """A page of the audit log, newest first, and how many entries it has in all."""

    total: int
    offset: int
    limit: int
    items: list[AuditEntry]


# -- national plans --------------------------------------------------------------------
@dataclass(frozen=True)
class NationalView(Record):
    """What a nation analyst of ``ally`` sees of a finished run and of its scenario:
    tables keyed as the access rules name them (``plan.contracts``, ``lines``), each as
    the workspace shows it to that analyst; the scenario's settings (``meta``).
    ``versions``: (the scenario's version the run planned, its version now) when they
    differ: the scenario's tables and settings are read as they are now."""

    run: int
    scenario: str
    ally: str
    meta: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    versions: tuple[int, int] | None = None
