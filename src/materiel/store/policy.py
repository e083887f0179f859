"""Who may see and change what: the one place the access rule lives.

Every read and write of the store goes through a :class:`Policy` made for the signed-in
:class:`Principal`, so that table reads, search results, exports, plan results and
validation messages obey the same rule.

Roles:

- ``admin`` and ``alliance`` (alliance analyst): everything; admins also manage users
  and read the audit log.
- ``nation`` (nation analyst of one ally): its own ally's stockpiles, targets, demand
  and orders in detail; the other allies' only as alliance totals, and a total only where
  at least :data:`MIN_OTHERS` other allies contribute (so that no single ally's figure
  can be recovered by subtracting one's own); edits only rows of its own ally.
- ``industry`` (one producer): lines, components, bills of materials, capacity, and the
  contracts that name its own producer; edits only its own lines.
- ``viewer``: public figures only: allies, items, budgets (spending), aid, contracts not
  marked as assumptions, the tracker, pledges and accepted facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from materiel.store.errors import AccessDenied

ROLES: tuple[str, ...] = ("admin", "alliance", "nation", "industry", "viewer")
#: Label of the alliance-total rows a nation analyst sees in place of other allies' rows.
TOTAL = "ALLIANCE"
#: A total is shown only where at least this many other allies contribute to it.
MIN_OTHERS = 2


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user's name, role, and for nation analysts and industry, whose."""

    name: str
    role: str
    ally: str | None = None
    producer: str | None = None
    user_id: int | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; roles: {', '.join(ROLES)}")
        if self.role == "nation" and not self.ally:
            raise ValueError("a nation analyst needs an ally (ISO3 code)")
        if self.role == "industry" and not self.producer:
            raise ValueError("an industry user needs a producer")


#: The command line works on the database file directly, as its owner.
SYSTEM = Principal(name="system", role="admin")


class See(Enum):
    """How much of a table a role sees."""

    ALL = "all"
    NONE = "none"
    OWN_AND_TOTALS = "own ally in detail, alliance totals of others"
    OWN_PRODUCER = "rows naming its own producer"
    PUBLIC = "public rows"


@dataclass(frozen=True)
class Totals:
    """How alliance totals of a table are formed: group by ``by``, sum ``sums``."""

    by: tuple[str, ...]
    sums: tuple[str, ...]


@dataclass(frozen=True)
class TableRule:
    see: dict[str, See]
    totals: Totals | None = None
    allies: Callable[[dict[str, Any]], set[str]] = field(default=lambda r: set())
    public: Callable[[dict[str, Any]], bool] = field(default=lambda r: True)


def _ally(row: dict[str, Any]) -> set[str]:
    return {str(row.get("ally") or "")}


def _buyers(row: dict[str, Any]) -> set[str]:
    return {b.strip() for b in str(row.get("buyers") or "").split(";") if b.strip()}


def _not_assumed(row: dict[str, Any]) -> bool:
    return not row.get("assumption")


def _roles(default: See, **by_role: See) -> dict[str, See]:
    return {role: by_role.get(role, default) for role in ROLES}


A, N, OWN, PROD, PUB = See.ALL, See.NONE, See.OWN_AND_TOTALS, See.OWN_PRODUCER, See.PUBLIC

#: Scenario tables (see materiel.scenario.schema.TABLES) and plan tables ("plan.NAME").
RULES: dict[str, TableRule] = {
    "allies": TableRule(_roles(A)),
    "items": TableRule(_roles(A)),
    "price_tiers": TableRule(_roles(A, viewer=N)),
    "lines": TableRule(_roles(A, viewer=N)),
    "components": TableRule(_roles(A, viewer=N)),
    "bom": TableRule(_roles(A, viewer=N)),
    "stockpiles": TableRule(
        _roles(A, nation=OWN, industry=N, viewer=N),
        Totals(("item",), ("initial", "target")),
        _ally,
    ),
    "demand": TableRule(
        _roles(A, nation=OWN, industry=N, viewer=PUB),
        Totals(("item", "kind"), ("per_month",)),
        _ally,
        public=lambda r: r.get("kind") == "aid",
    ),
    "contracts": TableRule(
        _roles(A, nation=OWN, industry=PROD, viewer=PUB),
        Totals(("line",), ("quantity", "value")),
        _buyers,
        public=_not_assumed,
    ),
    "budgets": TableRule(_roles(A, industry=N), allies=_ally),
    "plan.contracts": TableRule(
        _roles(A, nation=OWN, industry=PROD, viewer=N),
        Totals(("line", "item"), ("quantity", "value")),
        _buyers,
    ),
    "plan.deliveries": TableRule(
        _roles(A, nation=OWN, industry=PROD, viewer=N),
        Totals(("line", "month"), ("quantity",)),
        _ally,
    ),
    "plan.capacity": TableRule(_roles(A, viewer=N)),
    "plan.supply": TableRule(_roles(A, viewer=N)),
    "plan.stock": TableRule(
        _roles(A, nation=OWN, industry=N, viewer=N),
        Totals(("group", "month"), ("stock", "target")),
        _ally,
    ),
    "plan.spending": TableRule(
        _roles(A, nation=OWN, industry=N, viewer=N),
        Totals(("year",), ("new_orders_and_expansion", "existing_contracts", "budget", "total")),
        _ally,
    ),
    "plan.targets": TableRule(
        _roles(A, nation=OWN, industry=N, viewer=N),
        Totals(("group",), ("initial", "target", "stock_at_date", "shortfall_at_date")),
        _ally,
    ),
}

#: Actions beyond tables: which roles may do them.
ACTIONS: dict[str, frozenset[str]] = {
    "scenario.create": frozenset({"admin", "alliance"}),
    "scenario.delete": frozenset({"admin", "alliance"}),
    "scenario.meta": frozenset({"admin", "alliance"}),
    "run.create": frozenset({"admin", "alliance", "nation"}),
    "run.read": frozenset({"admin", "alliance", "nation", "industry"}),
    "run.cancel": frozenset({"admin", "alliance", "nation"}),  # its own runs
    "run.cancel_any": frozenset({"admin", "alliance"}),
    "facts.write": frozenset({"admin", "alliance"}),
    "facts.unreviewed": frozenset({"admin", "alliance", "nation", "industry"}),
    "pledges.write": frozenset({"admin", "alliance", "nation"}),
    "users.manage": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),
}


class Policy:
    """The rule applied for one principal."""

    def __init__(self, principal: Principal):
        self.who = principal

    # -- actions -------------------------------------------------------------------
    def may(self, action: str) -> bool:
        return self.who.role in ACTIONS[action]

    def require(self, action: str, what: str) -> None:
        if not self.may(action):
            raise AccessDenied(f"{self.who.role} users may not {what}")

    def may_cancel_run(self, created_by: str) -> bool:
        """A run is cancelled by the user who started it, alliance analysts or admins."""
        if self.may("run.cancel_any"):
            return True
        return self.may("run.cancel") and created_by == self.who.name

    # -- tables --------------------------------------------------------------------
    def sees(self, table: str) -> See:
        rule = RULES.get(table)
        return See.NONE if rule is None else rule.see[self.who.role]

    def may_read_table(self, table: str) -> bool:
        return self.sees(table) is not See.NONE

    def sees_row(
        self, table: str, row: dict[str, Any], producers: dict[str, str] | None = None
    ) -> bool:
        """Whether this row is shown in detail."""
        see, rule = self.sees(table), RULES.get(table)
        if rule is None or see is See.NONE:
            return False
        if see is See.ALL:
            return True
        if see is See.PUBLIC:
            return rule.public(row)
        if see is See.OWN_PRODUCER:
            return self._producer_of(row, producers) == self.who.producer
        return self.who.ally in rule.allies(row)

    def rows(
        self,
        table: str,
        rows: Iterable[dict[str, Any]],
        producers: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """The rows this principal may see: detail where allowed, then alliance totals.

        ``producers`` maps line id -> producer, for tables that name a line only."""
        rows = list(rows)
        shown = [r for r in rows if self.sees_row(table, r, producers)]
        rule = RULES.get(table)
        if self.sees(table) is See.OWN_AND_TOTALS and rule is not None and rule.totals:
            shown += self._totals(rule, rows)
        return shown

    def may_write_row(
        self, table: str, row: dict[str, Any], producers: dict[str, str] | None = None
    ) -> bool:
        role = self.who.role
        if role in ("admin", "alliance"):
            return True
        if role == "nation":
            if table == "allies":
                return row.get("code") == self.who.ally
            rule = RULES.get(table)
            owners = rule.allies(row) if rule is not None else set()
            return owners == {self.who.ally}
        if role == "industry":
            return table == "lines" and row.get("producer") == self.who.producer
        return False

    def check_write(
        self, table: str, row: dict[str, Any], producers: dict[str, str] | None = None
    ) -> None:
        if not self.may_write_row(table, row, producers):
            whose = {
                "nation": f"rows of {self.who.ally} only",
                "industry": f"lines of {self.who.producer} only",
            }.get(self.who.role, "no rows")
            raise AccessDenied(f"{self.who.role} users may change {whose} in table {table}")

    # -- helpers -------------------------------------------------------------------
    @staticmethod
    def _producer_of(row: dict[str, Any], producers: dict[str, str] | None) -> str | None:
        if row.get("producer"):
            return str(row["producer"])
        return (producers or {}).get(str(row.get("line") or ""))

    def _totals(self, rule: TableRule, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        assert rule.totals is not None
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        others: dict[tuple[Any, ...], set[str]] = {}
        for row in rows:
            owners = rule.allies(row)
            key = tuple(row.get(c) for c in rule.totals.by)
            total = groups.setdefault(
                key, {TOTAL_KEY: TOTAL, **dict(zip(rule.totals.by, key, strict=True))}
            )
            for column in rule.totals.sums:
                value = row.get(column)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    total[column] = total.get(column, 0.0) + float(value)
            others.setdefault(key, set()).update(owners - {self.who.ally})
        return [t for k, t in groups.items() if len(others[k]) >= MIN_OTHERS]


#: The column that marks an alliance-total row.
TOTAL_KEY = "scope"
