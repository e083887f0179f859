"""A pledge: a commitment with its status, source and date, validated on creation.

Kinds and their units:

- ``spending``: a defence spending level [% of GDP] by a year (or standing, no year);
- ``aid``: an amount of aid per year [bn of a currency per year, unit e.g. ``EUR bn``],
  the same convention as every aid figure of the tracker (Kiel's tables are in EUR bn);
- ``capacity``: a national industrial capacity plan [units per year of an item].

Only the 32 allies (or ``NATO`` for the alliance) pledge; the aid recipient and other
countries are refused. Units are normalised (``eur`` -> ``EUR bn``, ``%`` -> ``% of GDP``),
and implausible values are refused rather than stored.
"""

from __future__ import annotations

import datetime as dt
import re
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
#: ISO 4217 codes of the allies' currencies (and the euro): the currencies an aid
#: pledge may be given in.
CURRENCIES = frozenset(
    {"EUR", "USD", "GBP", "CAD", "NOK", "SEK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN",
     "TRY", "ALL", "MKD", "ISK"}
)  # fmt: skip
#: Plausibility bound on a yearly aid pledge [bn of its currency per year]: a check
#: against typing whole currency units (40e9) where billions are meant (40), not a
#: sourced figure.
MAX_AID_BN = 1000.0


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
        code = resolve(value)
        country = BY_ISO3[code]
        if not country.is_ally:
            raise ValueError(
                f"{country.name} ({code}) is not a NATO ally; pledges are made by the 32 allies "
                f"or by {ALLIANCE} for the alliance"
            )
        return code

    @field_validator("date")
    @classmethod
    def _not_future(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > dt.date.today():
            raise ValueError(f"the source's date {value.isoformat()} is in the future")
        return value

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
        if self.kind == "aid":
            if self.unit.removesuffix(" bn") not in CURRENCIES or not self.unit.endswith(" bn"):
                raise ValueError(
                    f"an aid pledge is in bn of an allied currency a year (EUR, USD, GBP, ...), "
                    f"not {self.unit!r}"
                )
            if self.value > MAX_AID_BN:
                raise ValueError(
                    f"{self.value:g} {self.unit} a year is not plausible: aid pledges are in bn "
                    f"a year (give 40 for 40 billion), at most {MAX_AID_BN:g}"
                )
        if self.kind == "capacity":
            if not self.item.strip():
                raise ValueError("a capacity pledge needs an item (e.g. '155mm shell')")
            if not re.search(r"(/|\bper )(year|yr)$", self.unit.strip(), re.IGNORECASE):
                raise ValueError(
                    f"a capacity pledge is in units per year (e.g. 'shells/year'), "
                    f"not {self.unit!r}"
                )
        return self

    def same_as(self, other: Pledge) -> bool:
        """Whether ``other`` records the same pledge (every field but the id)."""
        return self.model_dump(exclude={"id"}) == other.model_dump(exclude={"id"})

    @property
    def ally_name(self) -> str:
        """The ally's name, or 'NATO (all allies)' for an alliance-wide pledge."""
        if self.ally == ALLIANCE:
            return "NATO (all allies)"
        country = BY_ISO3.get(self.ally)
        return country.name if country else self.ally


def normal_unit(kind: object, unit: object) -> object:
    """The unit as the ledger stores it: ``eur`` -> ``EUR bn``, ``%`` -> ``% of GDP``.

    Anything that cannot be normalised is returned as given, for the model to refuse.
    """
    if not isinstance(unit, str):
        return unit
    text = " ".join(unit.split())
    if kind == "spending" and (not text or text.casefold() in ("%", "% of gdp", "pct of gdp")):
        return SPENDING_UNIT
    if kind == "aid":
        code = text.upper().removesuffix(" BN")
        if code in CURRENCIES:
            return f"{code} bn"
    return text


def make_pledge(**fields: Any) -> Pledge:
    """A validated :class:`Pledge`; every problem in one :class:`InputError` message."""
    fields["unit"] = normal_unit(fields.get("kind"), fields.get("unit", ""))
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
