"""A pledge: a commitment with its status, source and date, validated on creation.

Kinds and their units:

- ``spending``: a defence spending level [% of GDP] by a year (or standing, no year);
- ``aid``: an amount of aid per year [currency units per year, e.g. EUR];
- ``capacity``: a national industrial capacity plan [units per year of an item].
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from materiel.countries import BY_ISO3, resolve
from materiel.errors import InputError

Kind = Literal["spending", "aid", "capacity"]
Status = Literal["announced", "in force", "in progress", "met", "missed", "withdrawn"]
Basis = Literal["public", "estimate", "assumption"]

KINDS: tuple[str, ...] = ("spending", "aid", "capacity")
STATUSES: tuple[str, ...] = ("announced", "in force", "in progress", "met", "missed", "withdrawn")
BASES: tuple[str, ...] = ("public", "estimate", "assumption")
ALLIANCE = "NATO"
SPENDING_UNIT = "% of GDP"


class Pledge(BaseModel):
    """One ledger entry. ``value`` is in ``unit``; ``by_year`` None means standing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    ally: str
    kind: Kind
    value: float
    unit: str
    by_year: int | None = None
    item: str = ""
    status: Status = "announced"
    source: str
    date: dt.date | None = None
    basis: Basis = "public"
    note: str = ""
    builtin: bool = False

    @field_validator("ally")
    @classmethod
    def _ally(cls, value: str) -> str:
        if value.strip().upper() == ALLIANCE:
            return ALLIANCE
        return resolve(value)

    @field_validator("value")
    @classmethod
    def _value(cls, value: float) -> float:
        if not value == value or value in (float("inf"), float("-inf")) or value <= 0:
            raise ValueError("must be a finite number greater than 0")
        return value

    @field_validator("by_year")
    @classmethod
    def _year(cls, value: int | None) -> int | None:
        if value is not None and not 1949 <= value <= 2100:
            raise ValueError("must be a year between 1949 and 2100")
        return value

    @field_validator("source", "id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @model_validator(mode="after")
    def _by_kind(self) -> Pledge:
        if self.kind == "spending":
            if self.unit != SPENDING_UNIT:
                raise ValueError(f"a spending pledge is in '{SPENDING_UNIT}', not {self.unit!r}")
            if self.value > 100:
                raise ValueError("a spending level above 100% of GDP is not possible")
        if self.kind == "aid" and not (
            len(self.unit) == 3 and self.unit.isalpha() and self.unit.isupper()
        ):
            raise ValueError("an aid pledge's unit is a currency code such as EUR or USD")
        if self.kind == "capacity" and not (self.item.strip() and self.unit.strip()):
            raise ValueError("a capacity pledge needs an item and a unit (e.g. 'shells/year')")
        return self

    @property
    def ally_name(self) -> str:
        """The ally's name, or 'NATO (all allies)' for an alliance-wide pledge."""
        if self.ally == ALLIANCE:
            return "NATO (all allies)"
        country = BY_ISO3.get(self.ally)
        return country.name if country else self.ally


def make_pledge(**fields: Any) -> Pledge:
    """A validated :class:`Pledge`; every problem in one :class:`InputError` message."""
    if fields.get("kind") == "spending" and not fields.get("unit"):
        fields["unit"] = SPENDING_UNIT
    if fields.get("basis") == "assumption" and not fields.get("source"):
        fields["source"] = "user assumption"
    try:
        return Pledge(**fields)
    except ValidationError as exc:
        raise InputError(f"invalid pledge: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    """'field: message; field: message' from a pydantic error, without its URLs."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "pledge"
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
