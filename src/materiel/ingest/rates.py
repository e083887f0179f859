"""Rates: a count per month, year, week or day, however the period is written.

One parser for the ways news writes an output or a goal:

- a count then its period: "40,000 rounds a month", "650 missiles a year", "750 per
  year", "200,000 shells annually", "2,000 drones each month", also with a passive verb of
  making between them ("90,000 shells would be produced per month");
- a bare number then its period, the thing counted named elsewhere in the sentence:
  "could go as high as 750 a year";
- a period word before the figure: "monthly output stood at 14,400", "annual production
  of 150,000 rounds", "yearly capacity to 80,000".

Each :class:`Rate` keeps its number, the noun it counts (when written next to it), the
period (``month``, ``year``, ``week``, ``day``), the hedge ("about", "as high as") and its
span. Whether a rate is an output (a capacity fact) and not, say, shells fired a day, is
for the extractor to decide from the verbs around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from materiel.ingest.cues import PER_PERIOD, YEAR, is_year
from materiel.ingest.money import QUALIFIER_BEFORE, UNIT_NOUNS, Quantity
from materiel.ingest.numbers import LONG_SCALE, NUMBER, parse_number, scale_of

_ADVERBS = {"annually": "year", "yearly": "year", "per annum": "year", "monthly": "month"}
_ADJECTIVES = {"annual": "year", "yearly": "year", "monthly": "month", "weekly": "week",
               "daily": "day"}  # fmt: skip
_PERIOD = PER_PERIOD
#: A period after a count, also past a short remark in brackets ("2 million shells (155mm)
#: per year").
_PERIOD_AFTER_RE = re.compile(rf"^(?:\s*\([^()]{{1,40}}\))?\s*{_PERIOD}", re.IGNORECASE)
#: A period after a word or figure; the number before it is looked for only there (fast).
_PERIOD_SCAN_RE = re.compile(rf"(?<=\w)\s+{_PERIOD}", re.IGNORECASE)
_NUMBER_BEFORE_RE = re.compile(
    rf"(?<![\w.,$€£-]){QUALIFIER_BEFORE}(?P<num>{NUMBER})(?:\s+(?P<scale>{LONG_SCALE}))?$",
    re.IGNORECASE,
)
#: A passive verb of making between a count and its period ("90,000 shells would be
#: produced per month", "2,000 drones are built each month").
_MADE_AFTER_RE = re.compile(
    r"\s+(?:(?:would|will|could|can|are|were|is|was|to|should)\s+)?(?:be\s+|being\s+)?"
    r"(?:produced|made|manufactured|built|assembled|turned out)(?=\s)",
    re.IGNORECASE,
)
#: How far before a period its bare number may start [characters].
BARE_WINDOW = 40
_PERIOD_BEFORE_RE = re.compile(
    rf"\b(?P<adj>monthly|annual|yearly|weekly|daily)\s+(?:[\w-]+\s+){{0,2}}?"
    rf"(?:output|production|capacity|deliveries|rate)\b[^.;:]{{0,50}}?\b(?:stood at|stands at|"
    rf"of|at|to|reached|reaches|was|is|hit|hits|totals?|totalled)\s+{QUALIFIER_BEFORE}"
    rf"(?P<num>{NUMBER})(?:\s+(?P<scale>{LONG_SCALE}))?(?![\w%])",
    re.IGNORECASE,
)
#: A noun that names what a bare rate counts ("missile output", "of shells").
UNIT_WORD_RE = re.compile(rf"\b(?:{UNIT_NOUNS}|ammunition)\b", re.IGNORECASE)
_IGNORED = {"from", "only", "just"}


@dataclass(frozen=True)
class Rate:
    """``value`` things (``unit``, when written beside the number) per ``per``."""

    value: float
    unit: str | None
    per: str
    qualifier: str | None
    start: int
    end: int
    #: A step of a change written around another rate: ``from`` the figure it starts from
    #: ("from 10 to 20 a month"), ``then`` one after ("... to twenty today and must reach
    #: forty").
    step: str | None = None


#: The figure a change starts from, before a rate ("from 400 to 1,000 missiles a month").
_FROM_BEFORE_RE = re.compile(
    rf"\bfrom\s+{QUALIFIER_BEFORE}(?P<num>{NUMBER})(?:\s+(?P<scale>{LONG_SCALE}))?"
    rf"(?:\s+[a-z][\w-]*){{0,2}}?(?:\s+in\s+{YEAR})?\s+to\s+"
    rf"(?:about\s+|around\s+|some\s+)?$",
    re.IGNORECASE,
)
#: The next steps of a change after its rate ("... to twenty today and must reach forty").
#: Words of handing over: a figure after them is no step of an output ("delivers them to 3").
_HANDING = r"(?:deliver|send|sent|ship|sell|sold|export|suppl|giv|gave|donat|transfer)"
_STEP_AFTER_RE = re.compile(
    rf"^(?:\s+[a-z][\w-]*){{0,2}}?(?:\s+in\s+{YEAR})?(?:\s+today|\s+now)?,?\s+"
    rf"(?:(?:and|then|with)\s+)?(?:(?!{_HANDING}){{1}}\w+\s+){{0,4}}?(?:to|reach|hit)\s+"
    rf"{QUALIFIER_BEFORE}"
    rf"(?P<num>{NUMBER})(?:\s+(?P<scale>{LONG_SCALE}))?(?![\w%,.]\d)",
    re.IGNORECASE,
)


def _steps(text: str, rates: list[Rate], free: Callable[[int], bool]) -> list[Rate]:
    """The figures a change goes from and through, around each rate, as rates of its
    unit and period."""
    found: list[Rate] = []
    for rate in rates:
        if "from" in text[max(0, rate.start - 60) : rate.start]:
            match = _FROM_BEFORE_RE.search(text, max(0, rate.start - 60), rate.start)
            value = _number(match) if match else None
            if match is not None and value is not None and free(match.start("num")):
                found.append(Rate(value, rate.unit, rate.per, None, match.start("num"),
                                  match.end("num"), step="from"))  # fmt: skip
        end = rate.end
        for _ in range(2):
            match = _STEP_AFTER_RE.match(text[end : end + 80])
            value = _number(match) if match else None
            if match is None or value is None or not free(end + match.start("num")):
                break
            start = end + match.start("num")
            found.append(Rate(value, rate.unit, rate.per, _qualifier(match), start,
                              end + match.end(), step="then"))  # fmt: skip
            end += match.end()
    return found


def _period_after(text: str, end: int) -> str | None:
    match = _PERIOD_AFTER_RE.match(text[end:])
    if not match:
        return None
    return match.group("per").lower() if match.group("per") else _ADVERBS[match["adv"].lower()]


def _number(match: re.Match[str]) -> float | None:
    raw = match.group("num")
    if is_year(raw) or raw.lower() in ("a", "an"):
        return None  # a year, or the article in "a year"
    number = parse_number(raw)
    return None if number is None else number * scale_of(match.group("scale"))


def _qualifier(match: re.Match[str]) -> str | None:
    qual = (match.group("qual") or "").lower() or None
    return None if qual in _IGNORED else qual


def find_rates(
    text: str, quantities: Sequence[Quantity], taken: Sequence[tuple[int, int]] = ()
) -> list[Rate]:
    """Every rate in ``text``: counts (``quantities``) followed by a period, bare numbers
    followed by one, and figures after a period word; numbers inside ``taken`` spans
    (money, percentages) are not rates."""
    found: list[Rate] = []

    def free(start: int) -> bool:
        return not any(a <= start < b for a, b in taken) and not any(
            r.start <= start < r.end for r in found
        )

    for q in quantities:
        per = _period_after(text, q.end)
        made = _MADE_AFTER_RE.match(text, q.end) if per is None else None
        if made is not None:
            per = _period_after(text, made.end())  # "90,000 shells would be produced a month"
        if per is not None and free(q.start):
            found.append(Rate(q.value, q.unit, per, q.qualifier, q.start, q.end))
    for period in _PERIOD_SCAN_RE.finditer(text):
        match = _NUMBER_BEFORE_RE.search(text, max(0, period.start() - BARE_WINDOW), period.start())
        value = _number(match) if match else None
        if match is None or value is None or not free(match.start("num")):
            continue
        if any(q.start <= match.start("num") < q.end for q in quantities):
            continue
        per = _period_after(text, match.end()) or "year"
        found.append(Rate(value, None, per, _qualifier(match), match.start(), match.end()))
    for match in _PERIOD_BEFORE_RE.finditer(text):
        value = _number(match)
        if value is None or not free(match.start("num")):
            continue
        unit = next((q.unit for q in quantities if q.start == match.start("num")), None)
        per = _ADJECTIVES[match.group("adj").lower()]
        found.append(Rate(value, unit, per, _qualifier(match), match.start("num"), match.end()))
    if found and (" to " in text or "reach" in text):
        found += _steps(text, list(found), free)
    return sorted(found, key=lambda r: r.start)


_PLURAL_EXCEPTIONS = {"aircraft", "ammunition", "munitions", "artillery"}


def plural(noun: str) -> str:
    """The plural of a counting noun's head ("missile" → "missiles", "factory" →
    "factories"); nouns already plural, and "aircraft" or "ammunition", stay as written."""
    head = noun.rsplit(" ", 1)[-1].lower()
    if head in _PLURAL_EXCEPTIONS or head.endswith("s"):
        return noun
    if head.endswith("y"):
        return noun[:-1] + "ies"
    return noun + "s"
