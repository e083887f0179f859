""" "Read also" headlines as sources of the article's own facts.

A page's lists of links to other articles ("Read also", "Related", "See also") are not
read as the article's text. A headline there that states a fact of the article (the same
kind, the same actors and a figure within 1 %) is a source of that fact like any other,
marked ``part="related headline"``: one more outlet saying the same thing. A headline
about anything else (another order, a share price, a school roof) gives nothing, and no
headline gives a fact of its own.
"""

from __future__ import annotations

import math
from typing import Any

from materiel.ingest.analyse import analyse
from materiel.ingest.document import Document
from materiel.ingest.extract import extract
from materiel.ingest.gazetteer import Gazetteer
from materiel.ingest.model import Fact, Source

PART = "related headline"
#: Kinds that name one deal (a joint procurement is also a contract).
_SAME_KIND = {"joint_procurement": "contract"}
_FIGURES = ("value", "quantity", "share_of_gdp")


def _kind(kind: str) -> str:
    return _SAME_KIND.get(kind, kind)


def _ids(who: Any) -> set[str]:
    return set(who) if isinstance(who, list) else {who} if who else set()


def states(headline: dict[str, Any], fact: Fact) -> bool:
    """Whether a headline's fact (``{"kind", "fields"}``) states ``fact``: same kind, every
    actor it names in the same role, and a figure equal within 1 % (money in the same
    currency); no figure that differs."""
    if _kind(headline["kind"]) != _kind(fact.kind):
        return False
    fields = headline["fields"]
    actors = fact.fields.get("actors") or {}
    for role, who in (fields.get("actors") or {}).items():
        if who and not _ids(who) <= _ids(actors.get(role)):
            return False
    same = 0
    for key in _FIGURES:
        mine, theirs = fields.get(key), fact.fields.get(key)
        if mine is None or theirs is None:
            continue
        if key == "value" and fields.get("currency") != fact.fields.get("currency"):
            alts = fact.fields.get("alt_values") or []
            if not any(
                a.get("currency") == fields.get("currency")
                and math.isclose(a["value"], mine, rel_tol=0.01)
                for a in alts
            ):
                return False
            same += 1
            continue
        if not math.isclose(float(mine), float(theirs), rel_tol=0.01):
            return False
        same += 1
    return same > 0


def add_related_sources(doc: Document, gazetteer: Gazetteer, facts: list[Fact]) -> None:
    """Add each "Read also" headline of ``doc`` that states one of ``facts`` to its sources."""
    for start, end, text in doc.related:
        sentence = analyse(text, gazetteer, doc.date)
        for found in extract(sentence):
            fact = next((f for f in facts if states(found, f)), None)
            if fact is None:
                continue
            fact.sources.append(
                Source(
                    file=doc.path,
                    start=start,
                    end=end,
                    sentence=text,
                    article_date=doc.date.isoformat() if doc.date else None,
                    title=doc.title,
                    publisher=doc.publisher,
                    part=PART,
                )
            )
            break
