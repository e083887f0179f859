"""The scenario format: ``scenario.yaml`` and one row model per table.

The schema is data: :data:`TABLES` lists every table with its row model, its key
columns (rows of a scenario that ``extends:`` another replace parent rows with the same
key) and whether it is required. Field descriptions carry units in brackets and become
the reference in the README (``materiel schema``).

Every row may also carry ``source`` (where the figures come from), ``assumption``
(true when the figures are not public and were assumed) and ``note``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from materiel.spending import GDP_GROWTH_PCT, MODELLED_PART_PCT, PathError, parse_path

MAX_QUANTITY = 1e12  # [units] larger figures are typos, and wreck solver numerics
MAX_MONEY = 1e15  # [currency]
MAX_MONTHS = 600

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_CODE_RE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_ISO3_RE = r"^[A-Z]{3}$"

Quantity = Annotated[float, Field(ge=0, le=MAX_QUANTITY)]
Money = Annotated[float, Field(ge=0, le=MAX_MONEY)]
Months = Annotated[int, Field(ge=0, le=MAX_MONTHS)]
Priority = Annotated[float, Field(gt=0, le=1e6)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=_CODE_RE)]
Iso3 = Annotated[str, Field(pattern=_ISO3_RE)]


def parse_month(text: str) -> tuple[int, int]:
    """'2024-07' -> (2024, 7); ValueError otherwise."""
    match = _MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month written YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def month_index(month: str, start: str) -> int:
    """Months from the scenario start to ``month`` (0 for the start month itself)."""
    y, m = parse_month(month)
    y0, m0 = parse_month(start)
    return (y - y0) * 12 + (m - m0)


def month_label(index: int, start: str) -> str:
    """Inverse of :func:`month_index`: 0 -> the start month 'YYYY-MM'."""
    y0, m0 = parse_month(start)
    total = y0 * 12 + (m0 - 1) + index
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


MonthStr = Annotated[str, Field(description="a month, YYYY-MM")]


#: The longest ``note`` a row may carry [characters]; a longer one is refused, never cut.
MAX_NOTE = 2000


class _Row(BaseModel):
    """Columns every table may carry."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )

    source: str | None = Field(None, description="where the figures of this row come from")
    assumption: bool = Field(False, description="true when the figures are assumed, not public")
    note: str | None = Field(
        None, max_length=MAX_NOTE, description=f"free text, at most {MAX_NOTE:,} characters"
    )


def _check_month(value: str | None) -> str | None:
    if value is not None:
        parse_month(value)
    return value


class AllyRow(_Row):
    code: Iso3 = Field(description="ISO 3166 alpha-3 code")
    name: str = Field(min_length=1, max_length=100)
    priority: Priority = Field(1.0, description="weight of this ally's shortfalls [-]")
    gdp: Money | None = Field(None, description="GDP in the base year [currency bn]")
    defence_share: float | None = Field(
        None, ge=0, le=100, description="defence expenditure [% of GDP]"
    )
    equipment_share: float | None = Field(
        None, ge=0, le=100, description="equipment [% of defence expenditure]"
    )
    aid_cap: Money | None = Field(
        None,
        description="most value this ally gives a year to recipients' requirements, a "
        "pledge (items at their base prices; empty: no cap) [currency/year]",
    )
    work_share_group: Code | None = Field(
        None,
        description="a group of allies that count as one for policy.work_share (the fair "
        "return of OCCAR or ESA programmes): an ally of the group may place its share "
        "with lines any ally of the group hosts (empty: its own lines only)",
    )


class ItemRow(_Row):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    unit: str = Field("units", max_length=40, description="what one unit is (round, missile)")
    group: Code | None = Field(
        None, description="interoperability group; items of a group serve one stock"
    )
    unit_price: Money = Field(description="base price [currency/unit]")
    priority: Priority = Field(1.0, description="weight of shortfalls of this item [-]")
    lot: int = Field(
        1,
        ge=1,
        le=1_000_000,
        description="contracts buy whole lots of this many units (1: a round, a missile) [units]",
    )


class PriceTierRow(_Row):
    item: Code
    min_quantity: Quantity = Field(
        description="contract quantity from which the price holds [units]"
    )
    unit_price: Money = Field(description="[currency/unit]")


class LineRow(_Row):
    id: Code
    item: Code
    producer: str = Field(min_length=1, max_length=100)
    host: Iso3 = Field(description="host nation, ISO alpha-3")
    capacity: Quantity = Field(description="output now [units/month]")
    ceiling: Quantity = Field(description="largest output after expansion [units/month]")
    lead_time: Months = Field(description="months from ordering capacity to using it [months]")
    expansion_cost: Money = Field(0.0, description="[currency per unit/month of capacity added]")
    delivery_lag: Months = Field(
        0, description="months from production to the buyer's stock [months]"
    )
    ramp: Quantity | None = Field(
        None,
        description="most the output may change from one month to the next [units/month "
        "per month]; empty: the ceiling / 12 (an assumption: from nothing to the ceiling "
        "in a year)",
    )
    min_utilisation: float = Field(
        0.0,
        ge=0,
        le=1,
        description="an expanded line keeps orders of at least this share of the capacity "
        "added, or the plan pays idle_cost for the gap [-]",
    )
    idle_cost: Money = Field(
        0.0, description="cost of a unit/month of capacity kept idle for a month [currency]"
    )
    min_rate: Quantity = Field(
        0.0,
        description="least delivery rate of a contract on this line, in each contract "
        "period: a contract delivers nothing or at least this much a month (a pooled "
        "contract counts as one) [units/month]",
    )
    sustaining_rate: Quantity = Field(
        0.0,
        description="least output while the line is open: its total output (new orders "
        "and existing contracts) stays at or above this and falls by at most its ramp "
        "a month, or the line closes (0: the line may stop at once, at no stated cost) "
        "[units/month]",
    )
    closure_cost: Money = Field(
        0.0, description="cost of closing the line, paid like an expansion [currency]"
    )
    restart_months: Months = Field(
        0,
        description="months a closed line stays closed before it can make again, rounded "
        "up to whole contract periods [months]",
    )

    @model_validator(mode="after")
    def _ceiling_not_below_capacity(self) -> LineRow:
        if self.ceiling < self.capacity:
            raise ValueError(f"ceiling {self.ceiling:g} is below capacity {self.capacity:g}")
        if self.min_rate > self.ceiling:
            raise ValueError(
                f"min_rate {self.min_rate:g} is above the line's ceiling {self.ceiling:g}: "
                "no contract could ever be placed on it"
            )
        if self.sustaining_rate > self.capacity:
            raise ValueError(
                f"sustaining_rate {self.sustaining_rate:g} is above the line's capacity "
                f"{self.capacity:g}: the line could not make it now"
            )
        return self


class ComponentRow(_Row):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    unit: str = Field("units", max_length=40)
    supply: Quantity = Field(
        description="supplier capacity now [units/month]; where the component has rows "
        "in suppliers, theirs are used instead (this row's supply, ceiling, lead time "
        "and cost are not)"
    )
    ceiling: Quantity = Field(description="[units/month]")
    lead_time: Months = Field(0, description="months from ordering supply to using it [months]")
    expansion_cost: Money = Field(0.0, description="[currency per unit/month of supply added]")

    @model_validator(mode="after")
    def _ceiling_not_below_supply(self) -> ComponentRow:
        if self.ceiling < self.supply:
            raise ValueError(f"ceiling {self.ceiling:g} is below supply {self.supply:g}")
        return self


class SupplierRow(_Row):
    component: Code = Field(description="the component supplied (components table)")
    supplier: Code = Field(description="the supplier (a firm or plant)")
    country: Iso3 = Field(
        description="where it makes the component, ISO alpha-3 (non-allied allowed)"
    )
    capacity: Quantity = Field(description="supply now [units/month]")
    ceiling: Quantity = Field(description="largest supply after expansion [units/month]")
    lead_time: Months = Field(0, description="months from ordering supply to using it [months]")
    expansion_cost: Money = Field(0.0, description="[currency per unit/month of supply added]")
    restrictable: bool = Field(
        True, description="trade with it stops under policy.restrict of its country"
    )

    @model_validator(mode="after")
    def _ceiling_not_below_capacity(self) -> SupplierRow:
        if self.ceiling < self.capacity:
            raise ValueError(f"ceiling {self.ceiling:g} is below capacity {self.capacity:g}")
        return self


class QualificationRow(_Row):
    ally: Iso3
    item: Code = Field(description="an item of a group the ally stocks")
    qualified: bool = Field(description="the item serves the ally's stock of its group now")
    cost: Money | None = Field(
        None,
        description="cost to qualify it, paid by the ally at the start; empty: it cannot be "
        "[currency]",
    )
    lead_time: Months = Field(
        0, description="months from the start until a qualification is usable [months]"
    )


class BomRow(_Row):
    item: Code
    component: Code
    quantity: float = Field(gt=0, le=1e6, description="component units per item unit [units/unit]")


class StockpileRow(_Row):
    ally: Iso3
    item: Code
    initial: Quantity = Field(description="stock at the end of the month before the start [units]")
    target: Quantity = Field(0.0, description="level to reach [units]")
    target_date: MonthStr | None = Field(None, description="month by which the target is due")
    priority: Priority = Field(1.0, description="weight of this stock's shortfalls [-]")

    _month = field_validator("target_date")(_check_month)


class DemandRow(_Row):
    ally: Iso3
    item: Code
    kind: Literal["consumption", "aid"]
    recipient: str | None = Field(None, max_length=100, description="aid recipient")
    start: MonthStr
    end: MonthStr
    per_month: Quantity = Field(description="[units/month]")

    _months = field_validator("start", "end")(_check_month)

    @model_validator(mode="after")
    def _ordered(self) -> DemandRow:
        if parse_month(self.end) < parse_month(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class ContractRow(_Row):
    id: Code
    buyers: str = Field(min_length=3, description="ISO3 codes separated by ';'")
    shares: str | None = Field(None, description="buyers' shares separated by ';' (equal if empty)")
    agency: str | None = Field(None, max_length=40, description="e.g. NSPA, for pooled contracts")
    line: Code
    quantity: Quantity = Field(gt=0, description="[units]")
    value: Money = Field(description="[currency]")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    start: MonthStr = Field(description="first month of deliveries")
    end: MonthStr = Field(description="last month of deliveries")
    firm: bool = Field(True, description="firm order (true) or framework (false)")

    _months = field_validator("start", "end")(_check_month)

    @model_validator(mode="after")
    def _ordered(self) -> ContractRow:
        if parse_month(self.end) < parse_month(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def buyer_list(self) -> list[str]:
        return [b.strip() for b in self.buyers.split(";") if b.strip()]

    def share_list(self) -> list[float]:
        buyers = self.buyer_list()
        if not self.shares:
            return [1.0 / len(buyers)] * len(buyers)
        values = [float(s) for s in self.shares.split(";")]
        total = sum(values)
        return [v / total for v in values]

    @field_validator("buyers")
    @classmethod
    def _buyers(cls, value: str) -> str:
        codes = [b.strip() for b in value.split(";") if b.strip()]
        bad = [c for c in codes if not re.match(_ISO3_RE, c)]
        if not codes or bad:
            raise ValueError(f"buyers must be ISO3 codes separated by ';', found {value!r}")
        return value

    @model_validator(mode="after")
    def _shares(self) -> ContractRow:
        if self.shares:
            parts = self.shares.split(";")
            try:
                values = [float(s) for s in parts]
            except ValueError as exc:
                raise ValueError(
                    f"shares must be numbers separated by ';', found {self.shares!r}"
                ) from exc
            if len(values) != len(self.buyer_list()):
                raise ValueError("shares must have one number per buyer")
            if any(v < 0 or v != v for v in values) or sum(values) <= 0:
                raise ValueError("shares must be non-negative and not all zero")
        return self


class RequirementRow(_Row):
    recipient: Iso3 = Field(
        description="who needs the item (ISO alpha-3, not an ally of the scenario: allies "
        "are donors)"
    )
    item: Code
    start: MonthStr = Field(description="first month of the requirement")
    end: MonthStr = Field(description="last month of the requirement")
    per_month: Quantity = Field(description="quantity required each month [units/month]")
    priority: Priority = Field(1.0, description="weight of a unit of it left unmet [-]")

    _months = field_validator("start", "end")(_check_month)

    @model_validator(mode="after")
    def _ordered(self) -> RequirementRow:
        if parse_month(self.end) < parse_month(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class BudgetRow(_Row):
    ally: Iso3
    year: int = Field(ge=1900, le=2200)
    amount: Money = Field(description="money for the modelled items in that year [currency]")


@dataclass(frozen=True)
class TableSpec:
    """One table of the scenario format."""

    name: str
    row: type[_Row]
    key: tuple[str, ...]
    required: bool
    description: str


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec("allies", AllyRow, ("code",), True, "allies and their economic figures"),
        TableSpec("items", ItemRow, ("code",), True, "munitions and systems"),
        TableSpec(
            "price_tiers",
            PriceTierRow,
            ("item", "min_quantity"),
            False,
            "volume prices: a contract of at least min_quantity pays unit_price",
        ),
        TableSpec("lines", LineRow, ("id",), True, "production lines"),
        TableSpec("components", ComponentRow, ("code",), False, "critical inputs"),
        TableSpec("bom", BomRow, ("item", "component"), False, "bill of materials"),
        TableSpec(
            "suppliers",
            SupplierRow,
            ("component", "supplier"),
            False,
            "sources of a component: its supply is the sum of its suppliers'",
        ),
        TableSpec(
            "qualifications",
            QualificationRow,
            ("ally", "item"),
            False,
            "which items serve which ally's stock (default: every item of a group, every ally)",
        ),
        TableSpec("stockpiles", StockpileRow, ("ally", "item"), True, "stocks and targets"),
        TableSpec(
            "demand",
            DemandRow,
            ("ally", "item", "kind", "start"),
            False,
            "consumption and aid, per month over a period",
        ),
        TableSpec("contracts", ContractRow, ("id",), False, "existing contracts"),
        TableSpec(
            "requirements",
            RequirementRow,
            ("recipient", "item", "start"),
            False,
            "a recipient's prioritised requirements: the planner decides which donor "
            "gives what (aid demand rows stay firm commitments)",
        ),
        TableSpec(
            "budgets",
            BudgetRow,
            ("ally", "year"),
            True,
            "money each ally can spend on the modelled items per year",
        ),
    )
}


class Policy(BaseModel):
    """Switches of the planning model."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    pooling: bool = Field(
        True,
        description="allies' orders of an item form one multinational contract whose "
        "total quantity sets the volume price; false: each ally buys alone",
    )
    expansion: bool = Field(True, description="allow capacity expansion of lines and components")
    order_period_months: int = Field(
        12,
        ge=1,
        le=120,
        validation_alias=AliasChoices("order_period_months", "contract_months"),
        description="(also written contract_months) length of a contract period: the "
        "planner orders a constant delivery rate from each line to each buyer within each "
        "period [months]",
    )
    industry_rule_months: Months = Field(
        24,
        description="a line expands only when firm orders cover this many months of the "
        "added output (0: no rule)",
    )
    unmet_demand_weight: float = Field(
        2.0,
        ge=1,
        le=1e3,
        description="how many times a unit of demand left unmet outweighs the most a "
        "unit of stock of its group could ever be worth (one unit missing from the "
        "group's smallest target for the whole horizon, once due), plus that many "
        "unit-months for every month left; at least 1, so that consumption and aid are "
        "served before stock is built, as early as they can be [-]",
    )
    overdue_weight: float = Field(
        10.0,
        ge=1,
        le=1e4,
        description="how much more a month of shortfall counts once its target is due [-]",
    )
    target_tolerance: float = Field(
        0.005,
        ge=0,
        le=0.1,
        description="stock this fraction or less below a target counts as at the target "
        "when months to target and met-by-date are read from a plan [-]",
    )
    expansion_funding: Literal["host", "users"] = Field(
        "host",
        description="who pays for added capacity: 'host' = the line's host nation (a "
        "component supplier, which has no host, is paid by its users); 'users' = the "
        "allies that stock the line's group, in proportion to their requirement of it "
        "(target above initial stock plus demand over the horizon)",
    )
    restrict: dict[str, str] = Field(
        default_factory=dict,
        description="ISO3 -> YYYY-MM: no supply from restrictable suppliers in that "
        "country from that month on",
    )
    donor_floor: float = Field(
        1.0,
        ge=0,
        le=1,
        description="a donor gives (from its stock, or new contracts it buys for a "
        "recipient) only while its stock stays at or above this share of its own target "
        "(1: only what is above the target) [-]",
    )
    aid_fairness: float = Field(
        0.5,
        ge=0,
        le=1e3,
        description="weight of fairness against speed in meeting requirements: each "
        "donor's share of the value given should be its share of the donors' GDP; below 1 "
        "no requirement is left unmet for fairness, from 1 on fairness may leave it unmet "
        "(0: no fairness at all) [-]",
    )
    aid_fairness_tolerance: float = Field(
        0.0,
        ge=0,
        le=1,
        description="a donor's value given may differ from its fair share by this "
        "fraction of it at no cost (0: fairness is exact where donors can give their "
        "shares) [-]",
    )
    eur_usd: float | None = Field(
        None,
        ge=0.5,
        le=2.0,
        description="your own EUR/USD rate (USD per EUR) to compare a USD scenario's aid "
        "with the EUR 40 bn a year baseline; empty: not compared (no rate is assumed) [-]",
    )
    requirement_weight: float = Field(
        0.5,
        gt=0,
        le=1e3,
        description="a unit of a requirement left unmet (times its priority) costs this "
        "many times a unit-month missing from the largest target of its group, or its "
        "price's worth missing from any target, whichever weighs less: below 1 every "
        "ally's own targets, up to its donor_floor, come first, for capacity and for "
        "money; without targets, this many times a unit of the donors' own demand left "
        "unmet (0.5: their consumption and firm aid first; 1: like firm aid) [-]",
    )
    work_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="each ally places at least this share of the value of its new orders "
        "(at the items' base prices) with lines it hosts, or that an ally of its "
        "work_share_group (allies table) hosts (0: no rule) [-]",
    )
    time_limit: float = Field(600.0, gt=0, le=86400, description="solver time limit [s]")
    mip_gap: float = Field(1e-4, ge=0, le=1, description="relative MIP gap for price tiers")
    whole_lots: bool = Field(
        True,
        description="contracts buy whole lots (items.lot) and take at least their line's "
        "min_rate; false: the LP relaxation, fractional quantities (for comparison only)",
    )
    rounding: Literal["down", "nearer"] = Field(
        "nearer",
        description="how whole lots are found: 'nearer' first holds the dear lots "
        "(missiles beside shells) at the nearer whole number while cheap lots give or "
        "take the money, then rounds the rest down; 'down' rounds every lot down, "
        "re-solving in between: faster, further from the bound (nato-2024: 4.1 % "
        "against 0.9 %; docs: Performance)",
    )
    plan_gap: float = Field(
        1e-3,
        ge=0,
        le=1,
        description="a plan in whole lots within this relative gap of the LP bound on the "
        "weighted shortfall is reported optimal; beyond it, feasible and not proven [-]",
    )
    shortfall_tolerance: float = Field(
        1e-5,
        ge=0,
        le=0.1,
        description="relative slack on the shortfall when the second solve minimises cost "
        "(the solver's own accuracy is about 1e-7) [-]",
    )

    @field_validator("restrict")
    @classmethod
    def _restrict(cls, value: dict[str, str]) -> dict[str, str]:
        for code, month in value.items():
            if not re.match(_ISO3_RE, code):
                raise ValueError(f"restrict: {code!r} is not an ISO3 code")
            parse_month(month)
        return value


class Spending(BaseModel):
    """Budgets derived from a spending path instead of typed (``spending:`` in the yaml).

    For each ally and year from the scenario's first year: GDP (the allies table's
    ``gdp``, grown at ``gdp_growth``) x defence share (the allies table's
    ``defence_share`` moving along ``path``) x equipment share x ``modelled_part``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(
        description="'current' (today's share held), 'reach:SHARE@YEAR' (linear from "
        "today's share), 'points:YEAR=SHARE,...', or 'given' (the budgets table as typed)"
    )
    path_by_ally: dict[str, str] = Field(
        default_factory=dict,
        description="ISO3 -> a path of that ally's own (not 'given'), e.g. a pledge",
    )
    gdp_growth: float = Field(
        GDP_GROWTH_PCT,
        ge=-20,
        le=50,
        description="nominal GDP growth a year for every ally [%]; an assumption (default "
        "0: GDP held at the base year's level, as the built-in budgets are held flat)",
    )
    gdp_growth_by_ally: dict[str, float] = Field(
        default_factory=dict, description="ISO3 -> nominal GDP growth a year [%]"
    )
    equipment_share: float | None = Field(
        None,
        ge=0,
        le=100,
        description="equipment [% of defence expenditure] for every ally; empty: each "
        "ally's share in the allies table, held",
    )
    modelled_part: float = Field(
        MODELLED_PART_PCT,
        gt=0,
        le=100,
        description="part of equipment spending for the modelled items [%]; an assumption",
    )

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        try:
            parse_path(value)
        except PathError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("path_by_ally", "gdp_growth_by_ally")
    @classmethod
    def _iso3_keys(cls, value: dict[str, object], info: ValidationInfo) -> dict[str, object]:
        bad = [code for code in value if not re.match(_ISO3_RE, code)]
        if bad:
            raise ValueError(f"{info.field_name}: {bad[0]!r} is not an ISO3 code")
        return value

    @field_validator("path_by_ally")
    @classmethod
    def _paths_by_ally(cls, value: dict[str, str]) -> dict[str, str]:
        for code, text in value.items():
            try:
                path = parse_path(text)
            except PathError as exc:
                raise ValueError(f"path_by_ally {code}: {exc}") from None
            if not path.derives:
                raise ValueError(f"path_by_ally {code}: 'given' applies to every ally or none")
        return value

    @model_validator(mode="after")
    def _given_alone(self) -> Spending:
        if self.path_by_ally and not parse_path(self.path).derives:
            raise ValueError(
                "path_by_ally needs a path for the other allies too: path 'given' derives "
                "no budgets"
            )
        return self

    def path_of(self, ally: str) -> str:
        """The path of ``ally``: its own, or the scenario's."""
        return self.path_by_ally.get(ally, self.path)

    @field_validator("gdp_growth_by_ally")
    @classmethod
    def _growth_by_ally(cls, value: dict[str, float]) -> dict[str, float]:
        for code, rate in value.items():
            if not -20 <= rate <= 50:
                raise ValueError(f"gdp_growth_by_ally: {code} {rate!r} is not in -20..50 %")
        return value


Probability = Annotated[float, Field(ge=0, le=1)]


class _Risk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(
        "assumption",
        max_length=300,
        description="where the figures come from, or 'assumption' (the default)",
    )


class SurgeRisk(_Risk):
    """Demand surges: a two-state Markov chain (peace time, high intensity) per theatre;
    one surge hits every ally of the theatre at once."""

    start: Probability = Field(0.0, description="monthly chance that a surge begins [-]")
    end: Probability = Field(1.0, description="monthly chance that a surge, once begun, ends [-]")
    multiplier: float = Field(
        1.0, ge=1, le=100, description="demand during a surge, as a multiple of the plan's [-]"
    )
    applies_to: Literal["consumption", "aid", "all"] = Field(
        "consumption", description="which demand surges"
    )
    theatres: dict[str, list[Iso3]] = Field(
        default_factory=dict,
        description="theatre name -> its allies; allies in none form the theatre 'other'",
    )

    @model_validator(mode="after")
    def _one_theatre_each(self) -> SurgeRisk:
        seen: dict[str, str] = {}
        for name, allies in self.theatres.items():
            for ally in allies:
                if ally in seen:
                    raise ValueError(f"{ally} is in theatres {seen[ally]!r} and {name!r}")
                seen[ally] = name
        return self


class _LossRange(_Risk):
    """A risk whose share lost is drawn uniformly between ``loss_min`` and ``loss_max``."""

    loss_min: Probability
    loss_max: Probability

    @model_validator(mode="after")
    def _ordered(self) -> _LossRange:
        if self.loss_max < self.loss_min:
            raise ValueError(f"loss_max {self.loss_max:g} is below loss_min {self.loss_min:g}")
        return self


class DelayRisk(_Risk):
    """Capacity added to a line or a component supplier arrives late."""

    probability: Probability = Field(
        0.0, description="chance that a line's or supplier's added capacity is late [-]"
    )
    max_months: int = Field(
        6, ge=1, le=MAX_MONTHS, description="a late expansion is 1..max_months late, uniform"
    )


class OutageRisk(_LossRange):
    """A component supplier loses a share of its output for a spell."""

    probability: Probability = Field(
        0.0, description="monthly chance that an outage of a supplier begins [-]"
    )
    max_months: int = Field(
        3, ge=1, le=MAX_MONTHS, description="an outage lasts 1..max_months months, uniform"
    )
    loss_min: Probability = Field(1.0, description="least share of output lost [-]")
    loss_max: Probability = Field(1.0, description="largest share of output lost [-]")


class YieldRisk(_LossRange):
    """A share of a line's output fails acceptance (drawn once per line and future)."""

    loss_min: Probability = Field(0.0, description="least share failing acceptance [-]")
    loss_max: Probability = Field(0.0, description="largest share failing acceptance [-]")

    @model_validator(mode="after")
    def _not_all(self) -> YieldRisk:
        if self.loss_max >= 1:
            raise ValueError(
                "loss_max must be below 1: a line whose output all fails makes nothing"
            )
        return self


class LateRisk(_Risk):
    """A contract period's deliveries from a line arrive late."""

    probability: Probability = Field(
        0.0, description="chance that a line's deliveries of a contract period are late [-]"
    )
    max_months: int = Field(
        3, ge=1, le=MAX_MONTHS, description="late deliveries are 1..max_months late, uniform"
    )


class Risks(BaseModel):
    """What the simulator samples (``risks:`` in ``scenario.yaml``). Each risk is off
    by default; a plan does not depend on them (they are not in the scenario's digest)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    surge: SurgeRisk = SurgeRisk()
    ramp_delay: DelayRisk = DelayRisk()
    outage: OutageRisk = OutageRisk()
    yield_loss: YieldRisk = YieldRisk()
    late_delivery: LateRisk = LateRisk()
    catch_up: bool = Field(
        True,
        description="a line behind its planned output (outages, yield loss, late capacity) "
        "makes it up later from its spare capacity, as producers do when they can (extra "
        "shifts, overtime); false: output lost is never made up. Either way a line makes "
        "no more than its capacity, never from output the plan did not schedule",
    )


class ScenarioMeta(BaseModel):
    """What ``scenario.yaml`` holds (tables are references to files)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    extends: str | None = Field(None, description="built-in name or path of a parent scenario")
    start: MonthStr = Field(description="month 0, YYYY-MM")
    horizon: int = Field(gt=0, le=MAX_MONTHS, description="number of months planned")
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    price_year: int = Field(2024, ge=1900, le=2200)
    policy: Policy = Policy()
    risks: Risks = Risks()
    spending: Spending | None = Field(
        None, description="derive the budgets from a spending path (see Spending)"
    )
    tables: dict[str, str] = Field(default_factory=dict, description="table name -> file")

    _start = field_validator("start")(_check_month)

    @model_validator(mode="after")
    def _path_after_start(self) -> ScenarioMeta:
        if self.spending is not None:
            base = parse_month(self.start)[0]
            for text in (self.spending.path, *self.spending.path_by_ally.values()):
                try:
                    parse_path(text).check_base(base)
                except PathError as exc:
                    raise ValueError(str(exc)) from None
        return self

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(TABLES))
        if unknown:
            raise ValueError(f"unknown table(s) {unknown}; known: {sorted(TABLES)}")
        return value
