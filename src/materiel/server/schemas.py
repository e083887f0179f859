"""Bodies of requests and answers (pydantic).

Requests: every number is bounded and every text has a length. Answers (``...Public``):
the JSON each route sends, declared as its ``response_model`` so that the OpenAPI document
describes it; a list comes in a page (:class:`Page`: ``total``, ``offset``, ``limit``,
``items``). Where the columns depend on the table (a scenario row's ``data``, a plan
table's rows, a tracker's rows) the value stays ``dict[str, Any]``: the scenario's row
models, the planner and the tracker own those columns, not the API.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from materiel.store import MAX_RUN_FUTURES, MAX_SEED, ROLES
from materiel.sweeps import MAX_LEVERS, MAX_OVERRIDES, MAX_SWEEP_FUTURES

Version = Annotated[int, Field(ge=0, le=2**31 - 1, description="the version you read")]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(Body):
    name: Name
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class TokenCreate(Body):
    name: Name
    days: Annotated[float, Field(gt=0, le=366, description="days until it expires")] = 30


class UserCreate(Body):
    name: Name
    role: Literal[ROLES]  # type: ignore[valid-type]
    password: Annotated[str | None, Field(max_length=1000)] = None
    ally: Annotated[str | None, Field(max_length=3)] = None
    producer: Annotated[str | None, Field(max_length=100)] = None


class RowCreate(Body):
    data: dict[str, Any] = Field(description="column: value, as in the table's CSV")


class RowUpdate(Body):
    version: Version
    data: dict[str, Any]


class ScenarioCreate(Body):
    meta: dict[str, Any] = Field(description="the fields of scenario.yaml, without tables")
    tables: dict[str, list[dict[str, Any]]] = Field(description="table name -> rows")


class VariantCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=100, description="the variant's name")]


class Promote(Body):
    version: Annotated[
        int, Field(ge=0, le=2**31 - 1, description="the version of the base you read")
    ]


class BaselineChoice(Body):
    run: Annotated[
        int | None,
        Field(ge=1, le=2**31 - 1, description="a done run of the scenario; null: none"),
    ]


class MetaUpdate(Body):
    version: Version
    changes: dict[str, Any]


class FactsImport(Body):
    facts: list[dict[str, Any]] = Field(description="the facts of a facts file (JSON)")


class FactReview(Body):
    version: Version
    status: Literal["unreviewed", "accepted", "rejected"]
    note: Annotated[str | None, Field(max_length=2000)] = None


class PledgeUpdate(Body):
    version: Version
    changes: dict[str, Any]


class SimulationCreate(Body):
    """A simulation of a finished plan run: ``futures`` sampled futures from ``seed``
    (the same seed, the same numbers, as ``materiel simulate``); with ``confidence``,
    each target says whether it reaches that level (the lower end of its 95 % interval)."""

    futures: Annotated[int, Field(strict=True, ge=1, le=MAX_RUN_FUTURES)] = 10_000
    seed: Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)] = 7
    confidence: Annotated[float | None, Field(strict=True, gt=0, lt=1)] = None


Setting = Annotated[str, Field(min_length=1, max_length=1000)]


class SweepCreate(Body):
    """A sweep of the scenario, as ``materiel sweep`` takes it: ``vary``, a lever and its
    values each (``KEY=V1,V2,...``, the command's ``--vary``); ``set``, overrides for
    every combination (``KEY=VALUE``, its ``--set``); ``simulate``, futures to simulate
    each plan over (null: none) from ``seed``. At most 64 combinations, and 200,000
    futures in all."""

    vary: Annotated[list[Setting], Field(min_length=1, max_length=MAX_LEVERS)]
    set_: Annotated[list[Setting], Field(max_length=MAX_OVERRIDES, alias="set")] = []
    simulate: Annotated[int | None, Field(strict=True, ge=1, le=MAX_SWEEP_FUTURES)] = None
    seed: Annotated[int, Field(strict=True, ge=0, le=MAX_SEED)] = 0


# -- answers ---------------------------------------------------------------------------
T = TypeVar("T")


class Public(BaseModel):
    """An answer; read from the store's records (their attributes) or from dicts."""

    model_config = ConfigDict(from_attributes=True)


class Page(Public, Generic[T]):
    """A page of a list: ``items`` from ``offset`` on, at most ``limit``, of ``total``."""

    total: int
    offset: int
    limit: int
    items: list[T]


class HealthPublic(Public):
    status: str
    version: str


class SignedInPublic(Public):
    """A sign-in's token (valid for hours) and when it expires."""

    token: str
    expires_at: str
    token_type: str


class MePublic(Public):
    """Who the token belongs to."""

    name: str
    role: str
    ally: str | None
    producer: str | None


class NewTokenPublic(Public):
    """A new API token: its secret is shown this once."""

    token: str
    expires_at: str


class TokenPublic(Public):
    """An API token, without its secret."""

    id: int
    name: str
    created_at: str
    expires_at: str
    revoked_at: str | None


class TokensPublic(Page[TokenPublic]):
    pass


class UserUpdate(Body):
    """What an admin may change of a user: disable (``active`` false: its sign-in is
    refused and every token and session it holds is revoked at once) or enable it, set
    its password."""

    active: bool | None = None
    password: Annotated[str | None, Field(max_length=1000)] = None


class UserPublic(Public):
    """A user; ``warnings`` says what could not be checked when it was created."""

    id: int
    name: str
    role: str
    ally: str | None
    producer: str | None
    has_password: bool
    active: bool
    warnings: list[str] = []


class UsersPublic(Page[UserPublic]):
    pass


class AuditEntryPublic(Public):
    """One change: ``before`` and ``after`` are what was changed, as it was stored."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPublic(Page[AuditEntryPublic]):
    pass


class ScenarioPublic(Public):
    """A scenario's settings (``scenario.yaml`` without tables), version, and the number
    of rows of each table the user may read. A variant names its ``base`` and ``owner``;
    ``baseline_run`` is the run its pages show unless another is chosen."""

    name: str
    version: int
    meta: dict[str, Any]
    tables: dict[str, int]
    updated_at: str | None
    base: str | None = None
    owner: str | None = None
    baseline_run: int | None = None


class ScenariosPublic(Page[ScenarioPublic]):
    pass


class ValidationPublic(Public):
    """The CLI's validation messages; problems in rows the user may not see are counted
    in ``hidden_problems`` only."""

    ok: bool
    version: int
    problems: list[str]
    warnings: list[str]
    hidden_problems: int


class ExportPublic(Public):
    """Every table the user may read, as rows of column: value (the table's CSV
    columns; alliance totals carry ``scope``)."""

    name: str
    version: int
    meta: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]


class RowPublic(Public):
    """A row of a scenario table: ``data`` is column: value, as in the table's CSV (its
    columns depend on the table). An alliance total has no id, version or line."""

    id: int | None
    version: int | None
    line: int | None
    data: dict[str, Any]


class RowsPublic(Page[RowPublic]):
    pass


class SavedRowPublic(Public):
    """A row as written: its id, new version and validated data."""

    id: int
    version: int
    data: dict[str, Any]


class RunPublic(Public):
    """A plan run; ``summary`` is the planner's summary, ``tables`` the plan tables the
    user may read. ``stage`` of ``stages`` is how far the planning is (0 while queued;
    ``progress`` says what it is doing); ``elapsed_seconds`` runs from ``started_at`` to
    ``finished_at`` (or now), null until it starts."""

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
    started_at: str | None
    elapsed_seconds: float | None
    stage: int
    stages: int
    baseline: bool = Field(False, description="the scenario's baseline run")
    simulates: int | None = Field(
        None, description="the plan run a simulation run simulates (null: a plan run)"
    )
    kind: Literal["plan", "simulation", "sweep"] = Field(
        "plan", description="a plan run, a simulation of one, or a sweep of the levers"
    )


class RunsPublic(Page[RunPublic]):
    pass


class PlanTablePublic(Page[dict[str, Any]]):
    """A page of a plan table. Rows stay column: value: each plan table has its own
    columns (the planner's frames), and a nation analyst's rows include alliance totals
    (``scope``) with only the grouping and summed columns."""


class FactPublic(Public):
    """A fact with its sources and review status, as a facts file holds it (``fields``
    are the kind's own; ``sentence``, ``file`` and ``span`` are its first source's)."""

    model_config = ConfigDict(extra="allow")  # a newer facts file may say more

    version: int
    id: str
    kind: str
    status: str
    confidence: float
    conflicting: bool
    fields: dict[str, Any]
    sentence: str
    file: str
    span: list[int]
    sources: list[dict[str, Any]]
    conflicts: dict[str, Any]
    note: str | None


class FactsPublic(Page[FactPublic]):
    pass


class FactsImportedPublic(Public):
    added: int
    kept: int


class PledgePublic(Public):
    """A pledge of the tracker: a built-in one (``version`` null, ``builtin`` true) or
    one of the ledger's (see :class:`materiel.track.ledger_model.Pledge`)."""

    model_config = ConfigDict(extra="allow")  # a newer ledger may say more

    version: int | None
    id: str
    ally: str
    kind: str
    value: float
    unit: str
    by_year: int | None
    item: str
    status: str
    source: str
    date: str | None
    basis: str
    note: str
    builtin: bool


class PledgesPublic(Page[PledgePublic]):
    pass


class TrackerPublic(Public):
    """A tracker table: its title, summary sentences, sources, assumptions and units,
    every row (``rows``) and a page of them (``items``). Rows stay column: value: each
    tracker has its own columns (``units`` names them)."""

    kind: str
    title: str
    summary: list[str]
    sources: list[str]
    assumptions: list[str]
    units: dict[str, str]
    meta: dict[str, Any]
    rows: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]
