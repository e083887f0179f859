"""From an analysed sentence to candidate facts: contract, spending, aid, joint
procurement and plans.

The rules are deliberately plain: a kind of fact needs its trigger words and its core
fields (a contract needs a supplier, or an item with a value; aid needs a recipient and an
amount or an item; ...). Confidence grows with the fields found and falls for hedged or
speculative wording ("could", "is considering", "reportedly").
"""

from __future__ import annotations

import re
from typing import Any

from materiel.ingest.analyse import Sentence
from materiel.ingest.dates import date_fields
from materiel.ingest.money import Money, Percent

_AGENCY_BUYERS = {"NSPA", "EDA", "OCCAR", "EC", "EU", "DSCA"}
_CONTRACT_RE = re.compile(
    r"\b(?:contracts?|ordered|orders?|awarded|awards?|signed|deal|purchased?|procured?|"
    r"framework agreement|bought|buys?)\b",
    re.IGNORECASE,
)
_SPENDING_RE = re.compile(
    r"\b(?:defen[cs]e|military)\s+(?:budget|spending|expenditure|outlays)|spend(?:s|ing)?\b",
    re.IGNORECASE,
)
_TARGET_RE = re.compile(
    r"\b(?:targets?|aims?|goal|pledged?|commit(?:s|ted)?|plans?|intends?|wants?|raise|"
    r"increase|boost|rise to|by (?:19|20)\d\d|no less than|at least)\b",
    re.IGNORECASE,
)
_FUTURE_RE = re.compile(r"\b(?:will|shall|is to|are to)\b", re.IGNORECASE)
_ALLIES_COUNT_RE = re.compile(
    r"\b(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\s+(?:of|out of)\s+(?:the\s+|its\s+|nato's\s+)?"
    r"(?P<total>\d+|[a-z]+(?:-[a-z]+)?)\s+(?:nato\s+)?(?:allies|members|member states|nations)",
    re.IGNORECASE,
)
_AID_RE = re.compile(
    r"\b(?:aid|assistance|donat\w*|pledg\w*|gift\w*|(?:military|financial|budget) support)\b",
    re.IGNORECASE,
)
_WEAK_AID_RE = re.compile(
    r"\b(?:support|package|supply|supplied|provide|give|gave|send|sent|deliver\w*|"
    r"transfer\w*)\b",
    re.IGNORECASE,
)
_JOINT_RE = re.compile(
    r"\b(?:jointly|joint(?:ly)? (?:procurement|purchase|order|buy)|together|pool\w*|"
    r"common procurement|coalition|multinational|group of (?:allies|countries|nations))\b",
    re.IGNORECASE,
)
_PLAN_RE = re.compile(
    r"\b(?:plans?|planned|intends?|aims?|seeks?|wants?|will (?:buy|acquire|purchase|procure|"
    r"order|produce|build)|goal|target|ramp(?:ing)? up|increase production|produce|"
    r"production (?:capacity|rate|target)|stockpiles?|expand\w*)\b",
    re.IGNORECASE,
)
_SPECULATIVE_RE = re.compile(
    r"\b(?:could|might|may|would|reportedly|considering|in talks|negotiat\w+|rumou?r\w*|"
    r"unconfirmed|sources said|is said to)\b",
    re.IGNORECASE,
)
_PER_YEAR_RE = re.compile(r"^\s*(?:a|per|each|every)\s+year\b|^\s*annually\b", re.IGNORECASE)
_AID_TYPES = (
    ("humanitarian", re.compile(r"\bhumanitarian\b", re.IGNORECASE)),
    ("financial", re.compile(r"\b(?:financial|budget support|loans?|grants?)\b", re.I)),
    ("military", re.compile(r"\b(?:military|weapons|arms|ammunition|defen[cs]e)\b", re.I)),
)


def money_fields(money: Money | None) -> dict[str, Any]:
    if money is None:
        return {}
    fields: dict[str, Any] = {"value": money.value, "currency": money.currency}
    if money.low is not None:
        fields.update(value_low=money.low, value_high=money.high)
    fields.update(value_qualifier=money.qualifier, value_text=money.text)
    return fields


def _quantity_fields(s: Sentence) -> dict[str, Any]:
    if not s.quantities:
        return {}
    q = s.quantities[0]
    return {"quantity": q.value, "quantity_unit": q.unit, "quantity_qualifier": q.qualifier}


def _item(s: Sentence) -> str | None:
    items = s.ids("item")
    return items[0] if items else None


def _confidence(s: Sentence, found: int, wanted: int) -> float:
    score = 0.45 + 0.5 * found / wanted
    if _SPECULATIVE_RE.search(s.text):
        score -= 0.2
    return score


def _fact(kind: str, fields: dict[str, Any], s: Sentence, core: list[str]) -> dict[str, Any]:
    fields = {**fields, **date_fields(s.dates)}
    found = sum(1 for key in core if fields.get(key) not in (None, [], ""))
    return {"kind": kind, "fields": fields, "confidence": _confidence(s, found, len(core))}


def spending_facts(s: Sentence) -> list[dict[str, Any]]:
    """Shares of GDP per ally, allies meeting a guideline, and defence budgets."""
    facts = []
    measure = _measure(s)
    gdp = [p for p in s.percents if p.of_gdp]
    count = _ALLIES_COUNT_RE.search(s.text)
    if count and (gdp or re.search(r"guideline|target|2 ?%|two per ?cent", s.text, re.I)):
        from materiel.ingest.numbers import parse_number

        n, total = parse_number(count.group("n")), parse_number(count.group("total"))
        if n is not None and total is not None and n <= total:
            fields: dict[str, Any] = {"allies_meeting": int(n), "allies_total": int(total)}
            if gdp:
                fields["guideline_pct"] = gdp[0].value
            facts.append(_fact("spending", fields, s, ["allies_meeting", "allies_total"]))
            return facts
    countries = [m for m in s.mentions if m.kind == "country"]
    for pct in gdp:
        before = [m for m in countries if m.end <= pct.start]
        ally = before[-1].id if before else (countries[0].id if countries else None)
        fields = {"ally": ally, **_percent_fields(pct), "measure": measure}
        facts.append(_fact("spending", fields, s, ["ally", "share_gdp_pct", "year"]))
    if not gdp and s.money and _SPENDING_RE.search(s.text) and not _CONTRACT_RE.search(s.text):
        allies = s.countries()
        if allies and not s.end_users:
            fields = {"ally": allies[0], **money_fields(s.money[0]), "measure": measure}
            facts.append(_fact("spending", fields, s, ["ally", "value", "year"]))
    return facts


def _measure(s: Sentence) -> str:
    """``target`` for commitments and future years, ``actual`` for outturns and estimates
    of the article's own year ("will spend 2.1% of GDP in 2024", written in 2024)."""
    if _TARGET_RE.search(s.text):
        return "target"
    if _FUTURE_RE.search(s.text):
        year = date_fields(s.dates).get("year")
        if s.base is None or not isinstance(year, int) or year > s.base.year:
            return "target"
    return "actual"


def _percent_fields(pct: Percent) -> dict[str, Any]:
    fields: dict[str, Any] = {"share_gdp_pct": pct.value, "share_qualifier": pct.qualifier}
    if pct.low is not None:
        fields.update(share_gdp_pct_low=pct.low, share_gdp_pct_high=pct.high)
    return fields


def contract_fact(s: Sentence) -> dict[str, Any] | None:
    """A contract: a supplier (or an item with a value) and a contract word."""
    if not _CONTRACT_RE.search(s.text):
        return None
    companies, item = s.ids("company"), _item(s)
    if not companies and not (item and s.money):
        return None
    if not (companies and (s.money or s.quantities or item)) and not (item and s.money):
        return None
    buyers = [c for c in s.countries() if not (c == "UKR" and c in s.end_users)]
    buyers += [a for a in s.ids("agency") if a in _AGENCY_BUYERS]
    fields: dict[str, Any] = {
        "buyers": buyers,
        "supplier": companies[0] if companies else None,
        "item": item,
        **_quantity_fields(s),
        **money_fields(s.money[0] if s.money else None),
    }
    ends = sorted(c for c in s.end_users if c not in buyers)
    if ends:
        fields["end_user"] = ends
    if len(buyers) > 1 or any(b in _AGENCY_BUYERS for b in buyers):
        fields["joint"] = True
    return _fact("contract", fields, s, ["buyers", "supplier", "item", "value"])


def aid_fact(s: Sentence) -> dict[str, Any] | None:
    """Aid: a donor gives money or materiel to a recipient (usually Ukraine)."""
    strong = bool(_AID_RE.search(s.text))
    if not strong and not _WEAK_AID_RE.search(s.text):
        return None
    countries = s.countries()
    recipient = "UKR" if "UKR" in countries else None
    if recipient is None and strong:
        recipient = next(iter(sorted(s.end_users)), None)
    if recipient is None or not (s.money or s.quantities or _item(s)):
        return None
    donors = [
        m.id
        for m in s.mentions
        if (m.kind == "country" and m.id in countries and m.id != recipient)
        or (m.kind == "agency" and m.id in ("EU", "EC", "NATO", "EPF"))
    ]
    money = s.money[0] if s.money else None
    per_year = bool(money and _PER_YEAR_RE.match(s.text[money.end :]))
    aid_type = next((name for name, rx in _AID_TYPES if rx.search(s.text)), None)
    if aid_type is None and (s.quantities or _item(s)):
        aid_type = "military"
    fields: dict[str, Any] = {
        "donor": donors[0] if donors else None,
        "recipient": recipient,
        "aid_type": aid_type,
        "per_year": per_year,
        **money_fields(money),
        "item": _item(s),
        **_quantity_fields(s),
    }
    return _fact("aid", fields, s, ["donor", "recipient", "aid_type", "value"])


def joint_fact(s: Sentence) -> dict[str, Any] | None:
    """Several allies (or an agency for them) buying together."""
    if not _JOINT_RE.search(s.text):
        return None
    participants = s.countries() + [a for a in s.ids("agency") if a in _AGENCY_BUYERS]
    agency = any(a in _AGENCY_BUYERS for a in participants)
    group = re.search(r"\b(?:allies|countries|nations|member states)\b", s.text)
    if len(participants) < 2 and not agency and not group:
        return None
    if not (s.quantities or _item(s)):
        return None
    fields = {"participants": participants, "item": _item(s), **_quantity_fields(s)}
    fields.update(money_fields(s.money[0] if s.money else None))
    return _fact("joint_procurement", fields, s, ["participants", "item", "quantity"])


def plan_fact(s: Sentence) -> dict[str, Any] | None:
    """An acquisition, production or stockpile plan with a count or an item."""
    if not _PLAN_RE.search(s.text) or not s.quantities:
        return None
    actors = s.countries() or s.ids("company")
    if not actors:
        return None
    actor = actors[0]
    low = s.lower()
    plan_type = "acquisition"
    if re.search(r"\bproduc\w*|manufactur\w*|output|capacity|ramp", low):
        plan_type = "production"
    elif "stockpile" in low or "stocks" in low:
        plan_type = "stockpile"
    fields = {"actor": actor, "plan_type": plan_type, "item": _item(s), **_quantity_fields(s)}
    fields.update(money_fields(s.money[0] if s.money else None))
    return _fact("plan", fields, s, ["actor", "quantity", "item"])


def extract(s: Sentence) -> list[dict[str, Any]]:
    """Every candidate fact stated by one sentence (``kind``, ``fields``, ``confidence``)."""
    facts = spending_facts(s)
    if facts:
        return facts
    for finder in (contract_fact, aid_fact, joint_fact, plan_fact):
        fact = finder(s)
        if fact is not None:
            return [fact]
    return []
