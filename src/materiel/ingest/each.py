"""An amount given to each of several joint projects, and the projects listed after it.

"Each project ... will receive €60 million." followed by the projects, each with the
nations taking part in brackets ("the Mistral project ... by nine Member States (France,
Belgium, ...)", "Four Member States (Finland, Latvia, ...) have a project that involves
acquiring ..."), gives one joint procurement per project: its nations as ``ally``, the
giver of the amount (the group or agency named with it, or in the sentence before) as
``funder``, the item named with the project, and the amount each receives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from materiel.ingest import roles
from materiel.ingest.analyse import Sentence
from materiel.ingest.spending import money_fields

#: "Each project ... will receive": the amount is per unit.
_EACH_RE = re.compile(
    r"\beach\s+(?:of\s+the\s+(?:\w+\s+)?)?(?P<unit>project|programme|program|consortium|"
    r"initiative|coalition|proposal)s?\b",
    re.IGNORECASE,
)
#: A bracket holding a list of nations.
_BRACKET_RE = re.compile(r"\(([^()]{3,400})\)")
#: How many sentences after the amount its projects may be listed in.
SPAN = 5


@dataclass
class Each:
    """An amount each unit receives, from whom, and where it was stated."""

    unit: str
    money: dict[str, Any]
    funders: list[str]
    index: int


def each_amount(s: Sentence, before: Sentence | None, index: int) -> Each | None:
    """The amount each project receives, when the sentence states one."""
    if not s.money:
        return None
    match = _EACH_RE.search(s.text)
    if match is None:
        return None
    givers = [g for g in roles.groups(s) + roles.agencies(s) if g != "NATO"]
    if not givers and before is not None:
        givers = [g for g in roles.groups(before) + roles.agencies(before) if g != "NATO"]
    money = money_fields(s.money[0], s)
    return Each(match.group("unit").lower(), money, givers[:1], index)


def _nations(s: Sentence, start: int, end: int) -> list[str]:
    """The nations listed in a bracket: every comma-separated part names one."""
    inside = [m for m in s.mentions if m.kind == "country" and start <= m.start < end]
    parts = [p for p in re.split(r",|\band\b", s.text[start:end]) if p.strip()]
    if len(inside) < 2 or len(parts) != len(inside):
        return []
    return list(dict.fromkeys(m.id for m in inside))


def _item(s: Sentence, start: int, end: int, after: int) -> str | None:
    """The item named before a list of nations (since the last list), else after it."""
    items = [m for m in s.mentions if m.kind == "item"]
    earlier = [m for m in items if after <= m.start < start]
    if earlier:
        return earlier[-1].id
    later = [m for m in items if m.start >= end]
    return later[0].id if later else None


def unit_facts(s: Sentence, each: Each, index: int) -> list[dict[str, Any]]:
    """One joint procurement per project listed in the sentence with its nations."""
    if index - each.index > SPAN or each.unit not in s.text.lower():
        return []
    found = []
    after = 0
    for bracket in _BRACKET_RE.finditer(s.text):
        nations = _nations(s, bracket.start(1), bracket.end(1))
        if not nations:
            continue
        actors: dict[str, Any] = {"ally": nations}
        if each.funders:
            actors["funder"] = each.funders[0]
        fields = {
            "actors": actors,
            "item": _item(s, bracket.start(), bracket.end(), after),
            **each.money,
            "status": "planned",
        }
        after = bracket.end()
        found.append({"kind": "joint_procurement", "fields": fields, "confidence": 0.6})
    return found
