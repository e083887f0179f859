"""Checks across tables: references, dates within the horizon, currencies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from materiel.countries import BY_ISO3
from materiel.errors import InputError, Problem
from materiel.scenario.model import Located, Scenario
from materiel.scenario.schema import Risks, ScenarioMeta, month_index, month_label


def _codes(rows: dict[str, list[Located]], table: str) -> set[str]:
    return {str(loc.row.code) for loc in rows.get(table, [])}


def _unknown(
    locs: Iterable[Located], column: str, known: set[str], what: str, problems: list[Problem]
) -> None:
    for loc in locs:
        value = getattr(loc.row, column)
        if value not in known:
            problems.append(
                Problem(
                    loc.file,
                    f"unknown {what}",
                    row=loc.line,
                    column=column,
                    expected=f"one of the {what}s defined in the scenario",
                    found=value,
                )
            )


def cross_check(
    meta: ScenarioMeta,
    rows: dict[str, list[Located]],
    problems: list[Problem],
    files: dict[str, str] | None = None,
    files_with_problems: set[str] | None = None,
) -> None:
    """Append a Problem for every reference or date that does not hold.

    Runs even when some rows failed, so that every problem comes in one report; a
    required table whose file already has problems is not reported empty again.
    """
    files = files or {}
    check_prices_and_buyers(rows, problems)
    check_contracts_fit(meta, rows, problems)
    for table in ("allies", "items", "lines", "stockpiles", "budgets"):
        if rows.get(table) or files.get(table) in (files_with_problems or set()):
            continue
        where = files.get(table, f"scenario {meta.name!r}")
        message = (
            "has a header but no rows"
            if table in files
            else "is required: add it under tables: in scenario.yaml"
        )
        problems.append(
            Problem(
                where,
                f"table {table!r} {message}",
                column=f"tables.{table}" if table not in files else None,
            )
        )
    allies, items, components = (
        _codes(rows, "allies"),
        _codes(rows, "items"),
        _codes(rows, "components"),
    )
    lines = {str(loc.row.id) for loc in rows.get("lines", [])}
    if allies:
        where = files.get("scenario.yaml", "scenario.yaml")
        problems.extend(risk_problems(meta.risks, allies, where, "risks."))
    _unknown(rows.get("price_tiers", []), "item", items, "item", problems)
    _unknown(rows.get("lines", []), "item", items, "item", problems)
    _unknown(rows.get("bom", []), "item", items, "item", problems)
    _unknown(rows.get("bom", []), "component", components, "component", problems)
    for table in ("stockpiles", "demand"):
        _unknown(rows.get(table, []), "ally", allies, "ally", problems)
        _unknown(rows.get(table, []), "item", items, "item", problems)
    _unknown(rows.get("budgets", []), "ally", allies, "ally", problems)
    _unknown(rows.get("requirements", []), "item", items, "item", problems)
    check_recipients(rows, allies, problems)
    _unknown(rows.get("contracts", []), "line", lines, "line", problems)
    check_sources(rows, components, allies, items, problems)

    horizon = meta.horizon
    first, last = meta.start, month_label(horizon - 1, meta.start)
    for loc in rows.get("stockpiles", []):
        r: Any = loc.row
        if r.target > 0 and r.target_date is None:
            problems.append(
                Problem(
                    loc.file,
                    "a target needs a target_date",
                    row=loc.line,
                    column="target_date",
                    expected="YYYY-MM",
                )
            )
        if r.target_date is not None:
            t = month_index(r.target_date, meta.start)
            if not 0 <= t < horizon:
                problems.append(
                    Problem(
                        loc.file,
                        "target date outside the horizon",
                        row=loc.line,
                        column="target_date",
                        expected=f"{first} to {last}",
                        found=r.target_date,
                    )
                )
    for loc in rows.get("contracts", []):
        r = loc.row
        for buyer in r.buyer_list():
            if buyer not in allies:
                problems.append(
                    Problem(
                        loc.file,
                        "unknown ally among buyers",
                        row=loc.line,
                        column="buyers",
                        expected="allies of the scenario",
                        found=buyer,
                    )
                )
        if r.currency != meta.currency:
            problems.append(
                Problem(
                    loc.file,
                    "currency differs from the scenario's; "
                    "conversions are never silent: give the value in "
                    f"{meta.currency} {meta.price_year}",
                    row=loc.line,
                    column="currency",
                    expected=meta.currency,
                    found=r.currency,
                )
            )


def check_sources(
    rows: dict[str, list[Located]],
    components: set[str],
    allies: set[str],
    items: set[str],
    problems: list[Problem],
) -> None:
    """Suppliers of known components; qualifications of known allies for items of the
    groups they stock (an item outside them serves none of the ally's stocks)."""
    _unknown(rows.get("suppliers", []), "component", components, "component", problems)
    quals = rows.get("qualifications", [])
    _unknown(quals, "ally", allies, "ally", problems)
    _unknown(quals, "item", items, "item", problems)
    groups = {loc.row.code: (loc.row.group or loc.row.code) for loc in rows.get("items", [])}
    stocked: dict[str, set[str]] = {}
    for table in ("stockpiles", "demand"):
        for loc in rows.get(table, []):
            stocked.setdefault(loc.row.ally, set()).add(groups.get(loc.row.item, ""))
    for loc in quals:
        r: Any = loc.row
        if (
            r.ally in allies
            and r.item in items
            and groups[r.item] not in stocked.get(r.ally, set())
        ):
            problems.append(
                Problem(
                    loc.file,
                    f"item {r.item} is of group {groups[r.item]}, which ally {r.ally} does "
                    "not stock",
                    row=loc.line,
                    column="item",
                    expected=f"an item of a group {r.ally} stocks: "
                    + (", ".join(sorted(stocked.get(r.ally, set()))) or "none"),
                    found=r.item,
                )
            )


def check_recipients(
    rows: dict[str, list[Located]], allies: set[str], problems: list[Problem]
) -> None:
    """A requirement's recipient is not an ally of the scenario: allies are the donors."""
    for loc in rows.get("requirements", []):
        recipient = str(getattr(loc.row, "recipient", ""))
        if recipient in allies:
            problems.append(
                Problem(
                    loc.file,
                    "the recipient of a requirement is an ally of the scenario, and every "
                    "ally is a donor",
                    row=loc.line,
                    column="recipient",
                    expected="a recipient that is not in the allies table",
                    found=recipient,
                )
            )


def check_prices_and_buyers(rows: dict[str, list[Located]], problems: list[Problem]) -> None:
    """Volume prices fall with quantity; contract buyers stock what the line makes."""
    base = {loc.row.code: loc.row.unit_price for loc in rows.get("items", [])}
    tiers = sorted(
        (loc for loc in rows.get("price_tiers", [])),
        key=lambda loc: (loc.row.item, loc.row.min_quantity),
    )
    previous: dict[str, float] = {}
    for loc in tiers:
        item, price = loc.row.item, loc.row.unit_price
        ceiling = min(previous.get(item, base.get(item, price)), base.get(item, price))
        if price > ceiling:
            problems.append(
                Problem(
                    loc.file,
                    "a larger contract cannot cost more per unit: volume "
                    "prices must not rise with min_quantity",
                    row=loc.line,
                    column="unit_price",
                    expected=f"at most {ceiling:g}",
                    found=f"{price:g}",
                )
            )
        previous[item] = min(price, previous.get(item, price))
    groups = {loc.row.code: (loc.row.group or loc.row.code) for loc in rows.get("items", [])}
    line_group = {loc.row.id: groups.get(loc.row.item) for loc in rows.get("lines", [])}
    holds = {
        (loc.row.ally, groups.get(loc.row.item))
        for table in ("stockpiles", "demand")
        for loc in rows.get(table, [])
    }
    for loc in rows.get("contracts", []):
        group = line_group.get(loc.row.line)
        if group is None:
            continue
        for buyer in loc.row.buyer_list():
            if (buyer, group) not in holds:
                problems.append(
                    Problem(
                        loc.file,
                        f"buyer {buyer} holds no stock of {group}: add a "
                        "stockpiles row for it, or its deliveries go nowhere",
                        row=loc.line,
                        column="buyers",
                        found=buyer,
                        across=True,
                    )
                )


def check_contracts_fit(
    meta: ScenarioMeta, rows: dict[str, list[Located]], problems: list[Problem]
) -> None:
    """Firm contracts must fit the line that makes them, month by month.

    A contract delivers evenly over its months; the line makes each delivery
    ``delivery_lag`` months earlier, within its capacity now, or its ceiling once the
    lead time has passed (with ``policy.expansion``). Every contract that shares the
    first month a line is over is named, with its row, so the user knows what to fix.
    """
    lines = {loc.row.id: loc.row for loc in rows.get("lines", [])}
    horizon = meta.horizon
    need: dict[str, list[float]] = {}
    makers: dict[str, list[list[Located]]] = {}
    for loc in rows.get("contracts", []):
        r: Any = loc.row
        line = lines.get(r.line)
        if not r.firm or line is None:
            continue
        first, last = month_index(r.start, meta.start), month_index(r.end, meta.start)
        rate = r.quantity / (last - first + 1)
        per_month = need.setdefault(r.line, [0.0] * horizon)
        who = makers.setdefault(r.line, [[] for _ in range(horizon)])
        for t in range(
            max(first - line.delivery_lag, 0), min(last - line.delivery_lag, horizon - 1) + 1
        ):
            per_month[t] += rate
            who[t].append(loc)
    for code, per_month in need.items():
        line = lines[code]
        for t, amount in enumerate(per_month):
            grown = meta.policy.expansion and t >= line.lead_time
            can = line.ceiling if grown else line.capacity
            if amount <= can + 1e-9 * max(1.0, can):
                continue
            named = makers[code][t]
            ids = ", ".join(str(loc.row.id) for loc in named)
            for loc in named:
                problems.append(
                    Problem(
                        loc.file,
                        f"firm contract{'s' if len(named) > 1 else ''} {ids} "
                        f"need{'' if len(named) > 1 else 's'} "
                        f"{amount:,.6g} units/month from line {code} in "
                        f"{month_label(t, meta.start)} (made {line.delivery_lag} months "
                        f"before delivery), above the {can:,.6g} it can make then "
                        f"({'its ceiling' if grown else 'its capacity now'}): lower the "
                        "quantity, spread the deliveries over more months, or raise the "
                        "line's capacity",
                        row=loc.line,
                        column="quantity",
                        expected=f"at most {can:,.6g} units/month",
                        found=f"{loc.row.quantity:g} over {loc.row.start}..{loc.row.end}",
                        across=True,
                    )
                )
            break


def warnings_for(
    meta: ScenarioMeta, rows: dict[str, list[Located]], where: str = "scenario.yaml"
) -> list[Problem]:
    """Things that load but that a planner probably did not mean.

    An ally that holds stock but has no budget in the horizon can buy nothing; a target
    that no line can serve is never met; budget rows and requirements outside the horizon
    are ignored; see :func:`source_warnings` for suppliers (``where``: the scenario's yaml).
    """
    notes: list[Problem] = source_warnings(meta, rows, where) + requirement_warnings(meta, rows)
    first_year = int(meta.start[:4])
    last_year = int(month_label(meta.horizon - 1, meta.start)[:4])
    funded = {
        loc.row.ally
        for loc in rows.get("budgets", [])
        if first_year <= loc.row.year <= last_year and loc.row.amount > 0
    }
    groups = {loc.row.code: (loc.row.group or loc.row.code) for loc in rows.get("items", [])}
    made = {groups.get(loc.row.item) for loc in rows.get("lines", [])}
    warned: set[str] = set()
    for loc in rows.get("stockpiles", []):
        ally, group = loc.row.ally, groups.get(loc.row.item)
        if loc.row.target > 0 and ally not in funded and ally not in warned:
            warned.add(ally)
            notes.append(
                Problem(
                    loc.file,
                    f"ally {ally} has targets but no budget in "
                    f"{first_year}-{last_year}: it can buy nothing",
                    row=loc.line,
                    column="ally",
                    found=ally,
                )
            )
        if loc.row.target > 0 and group not in made:
            notes.append(
                Problem(
                    loc.file,
                    f"no line makes any item of group {group}: this "
                    "target can only be met from stock and contracts",
                    row=loc.line,
                    column="item",
                    found=loc.row.item,
                )
            )
    for loc in rows.get("budgets", []):
        if not first_year <= loc.row.year <= last_year:
            notes.append(
                Problem(
                    loc.file,
                    "budget year outside the horizon is ignored",
                    row=loc.line,
                    column="year",
                    expected=f"{first_year} to {last_year}",
                    found=str(loc.row.year),
                )
            )
    return notes


def requirement_warnings(meta: ScenarioMeta, rows: dict[str, list[Located]]) -> list[Problem]:
    """A requirement whose months all lie outside the horizon (it is ignored), and one of
    a group no ally stocks (no donor may give it from stock or buy it: all unmet)."""
    first, last = meta.start, month_label(meta.horizon - 1, meta.start)
    groups = {loc.row.code: (loc.row.group or loc.row.code) for loc in rows.get("items", [])}
    stocked = {groups.get(loc.row.item) for loc in rows.get("stockpiles", [])}
    notes = []
    for loc in rows.get("requirements", []):
        r = loc.row
        outside = month_index(r.end, meta.start) < 0 or month_index(r.start, meta.start) >= (
            meta.horizon
        )
        if outside:
            message, column, found = (
                "a requirement outside the horizon is ignored",
                "start",
                r.start,
            )
        elif groups.get(r.item) not in stocked:
            message = (
                f"no ally stocks group {groups.get(r.item)}: no donor can give or buy this "
                "requirement, it is all unmet"
            )
            column, found = "item", r.item
        else:
            continue
        notes.append(
            Problem(
                loc.file,
                message,
                row=loc.line,
                column=column,
                expected=f"months within {first} to {last}" if outside else None,
                found=found,
                across=not outside,  # the second tells of every ally's stockpiles
            )
        )
    return notes


def source_warnings(
    meta: ScenarioMeta, rows: dict[str, list[Located]], where: str
) -> list[Problem]:
    """A ``policy.restrict`` that changes nothing (no restrictable supplier in that
    country, or from a month past the horizon), and a supplier's country that is neither
    a country materiel knows nor an ally of the scenario (it counts as non-allied)."""
    notes: list[Problem] = []
    suppliers = rows.get("suppliers", [])
    restrictable = {loc.row.country for loc in suppliers if loc.row.restrictable}
    last = month_label(meta.horizon - 1, meta.start)
    for code, month in meta.policy.restrict.items():
        column = f"policy.restrict.{code}"
        if code not in restrictable:
            notes.append(
                Problem(
                    where,
                    f"no restrictable supplier is in {code}: restricting it changes nothing",
                    column=column,
                    expected="the country of a supplier in suppliers",
                    found=code,
                    across=True,  # tells of the suppliers table
                )
            )
        elif month_index(month, meta.start) >= meta.horizon:
            notes.append(
                Problem(
                    where,
                    "a restriction from a month past the horizon changes nothing",
                    column=column,
                    expected=f"{meta.start} to {last}",
                    found=month,
                    across=True,
                )
            )
    allies = {loc.row.code for loc in rows.get("allies", [])}
    for loc in suppliers:
        country = loc.row.country
        if country not in allies and country not in BY_ISO3:
            notes.append(
                Problem(
                    loc.file,
                    f"country {country} is neither one materiel knows nor an ally of the "
                    "scenario: check the code; it counts as non-allied",
                    row=loc.line,
                    column="country",
                    found=country,
                )
            )
    return notes


def risk_problems(risks: Risks, allies: set[str], where: str, prefix: str = "") -> list[Problem]:
    """Every ally a surge theatre names that is not an ally of the scenario (a misspelt
    code would put that ally in the "other" theatre without a word)."""
    return [
        Problem(
            where,
            f"theatre {theatre!r} names {ally}, which is not in the allies table",
            column=f"{prefix}surge.theatres.{theatre}",
            found=ally,
        )
        for theatre, members in risks.surge.theatres.items()
        for ally in members
        if ally not in allies
    ]


def check_risks(risks: Risks, scenario: Scenario, where: str = "risks") -> None:
    """Refuse risks that name allies the scenario does not have (InputError naming the
    theatre, the code and the scenario's allies)."""
    allies = {str(r.code) for r in scenario.records("allies")}
    problems = risk_problems(risks, allies, where)
    if problems:
        listed = "; ".join(f"{p.column}: {p.message}" for p in problems)
        raise InputError(
            f"{where}: {listed} (the allies of {scenario.name}: {', '.join(sorted(allies))})"
        )
