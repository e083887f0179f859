"""Bodies of requests (pydantic); every number is bounded and every text has a length."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from materiel.store.policy import ROLES

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
