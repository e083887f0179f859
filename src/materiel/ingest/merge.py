"""Merging the same fact told by several articles, keeping every source.

Two facts are the same when their kind matches and their identifying fields agree
(a contract: supplier, item and buyers; aid: donor, recipient, kind and per-year; spending:
ally, year and measure; ...) and their dates do not contradict each other. The merged fact
keeps every source. Where the sources disagree on a figure (one says about $1.2bn, another
$1.15bn), the fact is marked as conflicting and ``conflicts`` lists each stated value with
its source: nothing is averaged. Within one article, only agreeing statements are merged
(a headline and the body saying the same thing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from materiel.ingest.model import Fact

#: Figures compared between sources, per kind of fact.
VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    "contract": ("value", "value_low", "value_high", "currency", "quantity"),
    "spending": ("share_gdp_pct", "share_gdp_pct_low", "share_gdp_pct_high", "value",
                 "currency", "allies_meeting", "allies_total"),
    "aid": ("value", "value_low", "value_high", "currency", "quantity"),
    "joint_procurement": ("quantity", "value", "currency"),
    "plan": ("quantity", "value", "currency"),
}  # fmt: skip
_QUALIFIER_OF = {"value": "value_qualifier", "quantity": "quantity_qualifier"}
_QUALIFIER_OF["share_gdp_pct"] = "share_qualifier"
#: Fields that travel with a figure: taken from the same source as the figure.
_COMPANIONS = {
    "value": ("value_low", "value_high", "currency", "value_qualifier", "value_text"),
    "quantity": ("quantity_unit", "quantity_qualifier"),
    "share_gdp_pct": ("share_gdp_pct_low", "share_gdp_pct_high", "share_qualifier"),
}
#: Relative difference under which two figures are the same figure (rounding).
TOLERANCE = 0.005


def _same(a: Any, b: Any) -> bool:
    """Equal, or unknown on one side."""
    return a is None or b is None or a == b


def _overlap(a: list[str] | None, b: list[str] | None) -> bool:
    return not a or not b or bool(set(a) & set(b))


def _contract(a: dict[str, Any], b: dict[str, Any]) -> bool:
    known = any(a.get(k) and a.get(k) == b.get(k) for k in ("supplier", "item"))
    return (
        known
        and _same(a.get("supplier"), b.get("supplier"))
        and _same(a.get("item"), b.get("item"))
        and _overlap(a.get("buyers"), b.get("buyers"))
    )


def _spending(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if ("allies_meeting" in a) != ("allies_meeting" in b):
        return False
    if ("value" in a) != ("value" in b):
        return False
    return all(a.get(k) == b.get(k) for k in ("ally", "year", "measure", "year_to"))


def _aid(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("donor") is None or (a.get("value") is None) != (b.get("value") is None):
        return False
    if a.get("value") is None and not (a.get("item") and a.get("item") == b.get("item")):
        return False
    keys = ("donor", "recipient", "per_year")
    return all(a.get(k) == b.get(k) for k in keys) and _same(a.get("aid_type"), b.get("aid_type"))


def _joint(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        bool(a.get("item"))
        and a.get("item") == b.get("item")
        and bool(set(a.get("participants") or []) & set(b.get("participants") or []))
    )


def _plan(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("actor", "item", "plan_type")
    return a.get("item") is not None and all(a.get(k) == b.get(k) for k in keys)


_IDENTITY: dict[str, Callable[[dict[str, Any], dict[str, Any]], bool]] = {
    "contract": _contract,
    "spending": _spending,
    "aid": _aid,
    "joint_procurement": _joint,
    "plan": _plan,
}


def _dates_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("year") and b.get("year") and a["year"] != b["year"]:
        return False
    if a.get("date") and b.get("date"):
        gap = abs((date.fromisoformat(a["date"]) - date.fromisoformat(b["date"])).days)
        return gap <= 14
    return True


def _figures_differ(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) > TOLERANCE * max(abs(a), abs(b))
    return bool(a != b)


def _disagree(kind: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    return any(_figures_differ(a.get(k), b.get(k)) for k in VALUE_FIELDS[kind])


def same_fact(a: Fact, b: Fact) -> bool:
    """Whether ``a`` and ``b`` state the same fact (figures may still disagree)."""
    if a.kind != b.kind or not _IDENTITY[a.kind](a.fields, b.fields):
        return False
    if not _dates_agree(a.fields, b.fields):
        return False
    same_file = {s.file for s in a.sources} & {s.file for s in b.sources}
    return not (same_file and _disagree(a.kind, a.fields, b.fields))


def _conflicts(kind: str, members: list[Fact]) -> dict[str, list[dict[str, Any]]]:
    conflicts: dict[str, list[dict[str, Any]]] = {}
    for key in VALUE_FIELDS[kind]:
        stated = [(i, m.fields.get(key), m) for i, m in enumerate(members)]
        values = [v for _, v, _ in stated if v is not None]
        if not any(_figures_differ(values[0], v) for v in values[1:]):
            continue
        entries = []
        for i, value, member in stated:
            if value is None:
                continue
            entry: dict[str, Any] = {"value": value, "source": i}
            qualifier = _QUALIFIER_OF.get(key)
            if qualifier and member.fields.get(qualifier):
                entry["qualifier"] = member.fields[qualifier]
            entries.append(entry)
        conflicts[key] = entries
    for figure, qualifier in _QUALIFIER_OF.items():
        stating = [(i, m) for i, m in enumerate(members) if m.fields.get(figure) is not None]
        hedges = {m.fields.get(qualifier) for _, m in stating}
        if figure in VALUE_FIELDS[kind] and len(hedges) > 1:
            conflicts[qualifier] = [
                {"value": m.fields.get(qualifier), "source": i} for i, m in stating
            ]
    return conflicts


def _combine(members: list[Fact]) -> Fact:
    if len(members) == 1:
        return members[0]
    fields = dict(members[0].fields)
    tied = {c for companions in _COMPANIONS.values() for c in companions}
    for key, companions in _COMPANIONS.items():
        group = (key, *companions)
        stated = [m for m in members if any(m.fields.get(k) is not None for k in group[:3])]
        if stated and stated[0] is not members[0]:
            fields.update({k: stated[0].fields.get(k) for k in group if k in stated[0].fields})
    for member in members[1:]:
        for key, value in member.fields.items():
            if key in tied or key in _COMPANIONS:
                continue
            if fields.get(key) in (None, [], "") and value not in (None, [], ""):
                fields[key] = value
    conflicts = _conflicts(members[0].kind, members)
    confidence = max(m.confidence for m in members) + 0.05 * (len(members) - 1)
    if conflicts:
        confidence -= 0.1
    return Fact(
        kind=members[0].kind,
        fields=fields,
        sources=[s for m in members for s in m.sources],
        confidence=min(confidence, 0.99),
        id=members[0].id,
        conflicts=conflicts,
    )


def merge_facts(facts: list[Fact]) -> list[Fact]:
    """Group facts that are the same, in first-seen order; combine each group."""
    groups: list[list[Fact]] = []
    for fact in facts:
        for group in groups:
            if all(same_fact(member, fact) for member in group):
                group.append(fact)
                break
        else:
            groups.append([fact])
    return [_combine(group) for group in groups]
