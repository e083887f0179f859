"""Output rates: which rates of a sentence are what something is made at, and their fields.

A sentence may hold several rates (see :mod:`materiel.ingest.rates`), each in its own
clause: "KNDS builds around 6 howitzers a month and aims for 12 a month by 2026";
"Ukraine's forces use 6,000 rounds a day, but EU production is about 1 million a year".
The sentence is cut between consecutive rates at the first clause boundary (a comma, a
semicolon, "and", "but", "while"), and a rate's clause ends where a figure it is compared
with begins ("..., up from four in 2022"); each rate is read in its own clause:

- it is an output when a word of making (produce, output, forge, manufacture, turn out,
  capacity, target, aim ...) stands in its clause before it, or just after it, and no
  word of using (fire, use, need, consume) stands right before it;
- it is ``planned`` when its clause states a goal (target, aim, plan, will, could, "by
  2027"), otherwise an ``estimate`` of output reached;
- its year is a date of its clause, or the article's year when the clause says it is
  made now ("is now producing", "forges", "currently").
"""

from __future__ import annotations

import re
from typing import Any

from materiel.ingest.analyse import Sentence
from materiel.ingest.cues import YEAR
from materiel.ingest.dates import date_fields
from materiel.ingest.money import canonical_qualifier
from materiel.ingest.rates import UNIT_WORD_RE, Rate, plural
from materiel.ingest.spending import ref_year

#: Words of making things: a rate after (or just before) one is an output.
_PRODUCE_RE = re.compile(
    r"\b(?:produc\w*|output|forg(?:e|es|ed|ing)|manufactur\w*|makes?|making|turns? out|"
    r"turning out|roll(?:s|ed|ing)? out|capacity|assembl\w*|build(?:s|ing)?|target|goal|"
    r"ambition|aims?|facilitiz\w+|facilitis\w+)\b",
    re.IGNORECASE,
)
#: Words of using things up: a rate right after one is not an output.
_CONSUME_RE = re.compile(
    r"\b(?:use[sd]?|using|fires?|fired|firing|needs?|needed|consumes?|consumed|expend\w*|"
    r"shoots?|shot|lose|loses|lost|requires?|required)\b[^,;]*$",
    re.IGNORECASE,
)
#: A rate that is a goal, not an output reached ("a target of", "could go as high as", "by 2027").
#: Words of delivering after the last word of making: a change after them is of deliveries.
_DELIVERY_RE = re.compile(
    r"\b(?:deliver\w*|shipments?|supplies|transfers?)\b(?![^,;]*\b(?:produc\w*|output|"
    r"manufactur\w*|capacity)\b)[^,;]*$",
    re.IGNORECASE,
)
_GOAL_RE = re.compile(
    r"\b(?:target|goal|aims?|ambition|plans?|planned|will|would|could|should|expects?|"
    r"expected|intends?|must|to reach|to rise|to increase|to double|to triple|"
    rf"by (?:the end of )?{YEAR})\b",
    re.IGNORECASE,
)
_NOW_RE = re.compile(
    r"\b(?:now|currently|today|at present|this year|produces|forges|makes|manufactures|"
    r"builds|turns out|(?:is|are) (?:producing|making|manufacturing|turning out|building))\b",
    re.IGNORECASE,
)
_CLAUSE_RE = re.compile(r"[,;]|\b(?:and|but|while|whereas)\b", re.IGNORECASE)
#: A figure compared with the rate ("up from four in 2022"): its date is not the rate's.
_COMPARED_RE = re.compile(
    r",?\s*\b(?:up|down|rising|falling) from\b|\bcompared (?:with|to)\b|\bagainst\b|"
    r"\b(?:from|than) (?:just |only |about |some )?\d",
    re.IGNORECASE,
)
#: How far before (and after) a rate a word of making may stand [characters].
CUE_BEFORE, CUE_AFTER = 90, 40


def _clauses(s: Sentence) -> list[tuple[Rate, int, int]]:
    """Each rate with the ``[start, end)`` of its clause."""
    cuts = [0]
    for rate, following in zip(s.rates, s.rates[1:], strict=False):
        boundary = _CLAUSE_RE.search(s.text, rate.end, following.start)
        cuts.append(boundary.start() if boundary else following.start)
    cuts.append(len(s.text))
    found = []
    for i, rate in enumerate(s.rates):
        compared = _COMPARED_RE.search(s.text, rate.end, cuts[i + 1])
        found.append((rate, cuts[i], compared.start() if compared else cuts[i + 1]))
    return found


def output_rates(s: Sentence) -> list[dict[str, Any]]:
    """The fields (quantity, unit such as "rounds per month", hedge, status, year) of each
    rate of the sentence that is an output."""
    if not s.rates:
        return []
    found: list[dict[str, Any]] = []
    unit: str | None = None
    output_before = step_before = False
    for rate, start, end in _clauses(s):
        before = s.text[max(start, rate.start - CUE_BEFORE) : rate.start]
        after = s.text[rate.end : min(end, rate.end + CUE_AFTER)]
        chained = bool(rate.step or step_before) and output_before  # a step of a change of output
        made = chained or bool(_PRODUCE_RE.search(before + " " + after))
        if rate.step == "from" and _DELIVERY_RE.search(s.text, max(0, rate.start - 60), rate.start):
            made = False  # "the rate of delivery to Ukraine from 1,000 to 3,000 rounds a month"
        output_before = bool(made) and not _CONSUME_RE.search(before)
        step_before = rate.step is not None
        if not output_before:
            continue
        unit = rate.unit or unit or _unit_near(s, rate)
        found.append(_fields(s, rate, unit, start, end))
    return found


def _unit_near(s: Sentence, rate: Rate) -> str:
    """What a bare rate ("as high as 750 a year") counts: the counting noun nearest to it,
    else the item named, else units."""
    words = sorted(UNIT_WORD_RE.finditer(s.text), key=lambda m: abs(m.start() - rate.start))
    if words:
        return plural(words[0].group(0).lower())
    items = [m.text for m in s.mentions if m.kind == "item"]
    return items[0] if items else "units"


def _fields(s: Sentence, rate: Rate, unit: str, start: int, end: int) -> dict[str, Any]:
    clause = s.text[start:end]
    # the figure a change starts from is reached, of its own date or the article's year
    goal = rate.step != "from" and bool(_GOAL_RE.search(clause))
    if rate.step == "then" and not goal:  # "... with the prospect of growth to eight"
        before = s.text[max(0, rate.start - 40) : rate.start]
        goal = bool(_GOAL_RE.search(before) or "prospect" in before)
    fields: dict[str, Any] = {
        "quantity": rate.value,
        "quantity_unit": f"{unit} per {rate.per}",
        "quantity_qualifier": canonical_qualifier(rate.qualifier),
        "status": "planned" if goal else "estimate",
    }
    refs = [r for r in s.dates if start <= r.start < end]
    fields.update(date_fields(refs))
    years = [ref_year(r) for r in sorted(refs, key=lambda r: (r.kind == "day", r.start))]
    year = next((y for y in years if y is not None), None)
    now = rate.step == "from" or _NOW_RE.search(clause)
    if year is None and not goal and now and s.base is not None:
        year = s.base.year  # "is now producing": the article's year
    fields["year"] = year
    return {k: v for k, v in fields.items() if v is not None}
