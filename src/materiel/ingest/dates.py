"""Dates and periods in a sentence, resolved against the article's date where that is sure.

Absolute dates ("9 July 2024", "July 9") and relative days ("yesterday", "on Monday",
"last week") are read by the patterns below and resolved against the article date (a day
without a year is the latest such day not after it). Years and year ranges ("in 2024",
"by 2030", "between 2025 and 2028", "next year") are read directly. Vague periods ("by the
end of the decade", "over the coming decade", "in the next few years") are kept as written,
with no year attached, because the year they mean is a judgement. Without an article date,
relative phrases are kept as written and left unresolved.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from materiel.ingest.cues import YEAR, has_digit

_MONTH = (
    r"(?-i:Jan(?:uary\b|\.)?|Feb(?:ruary\b|\.)?|Mar(?:ch\b|\.)?|Apr(?:il\b|\.)?|May\b|"
    r"June?\b|July?\b|Aug(?:ust\b|\.)?|Sep(?:t(?:ember\b|\.)?|\.)?|Oct(?:ober\b|\.)?|"
    r"Nov(?:ember\b|\.)?|Dec(?:ember\b|\.)?)"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_PATTERNS: tuple[tuple[str, str], ...] = (
    ("vague", r"(?:by|before|until) the end of the decade|(?:over|in|during|within) the "
     r"(?:coming|next|following) (?:decade|few years|several years|years)|over the next "
     r"\w+ years|over \w+ years|within \w+ years|in the (?:medium|long|short) term|"
     r"in the coming months"),
    ("range", rf"(?:between|from) (?P<a>{YEAR}) (?:and|to|through|until) (?P<b>{YEAR})|"
     rf"(?P<c>{YEAR}) ?[-–] ?(?P<d>{YEAR}|\d\d)\b"),
    ("deadline", rf"(?:by|before|until|through|no later than)(?: the end of)? (?P<y>{YEAR})"),
    ("rel_year_end", r"by the end of (?P<w>this|next) year|by the end of the year"),
    ("day", rf"{_MONTH} \d{{1,2}}(?!\d)(?:st|nd|rd|th)?(?:, (?:{YEAR}))?|"
     rf"\d{{1,2}} {_MONTH}(?: {YEAR})?|{YEAR}-\d\d-\d\d"),
    ("month", rf"{_MONTH} (?P<my>{YEAR})"),
    ("weekday", r"(?:on|last) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"),
    ("relday", r"\b(?:yesterday|today|last week|earlier this week|this week|last month|"
     r"earlier this month|this month)\b"),
    ("relyear", r"\b(?:last|this|next|earlier this|later this) year\b"),
    ("year", rf"\b(?:in|for|during|since|of|from) (?:fiscal |financial |the year |the |early |"
     rf"late |mid-)?"
     rf"(?P<yy>{YEAR})\b(?! ?[-–] ?\d)"),
    ("budget_year", rf"\b(?P<yb>{YEAR}) (?:draft |defen[cs]e |military )?(?:budget|estimates|"
     rf"figures)\b"),
    ("ago", r"\b(?:a|one|two|three|four|five|ten|\d+) (?P<unit>decades?|years?) ago\b"),
    ("in_years", r"\bin (?P<n>a|one|two|three|four|five|ten|\d) years?(?:['’] time)?\b"),
    ("bare_month", rf"\b(?:in|since|from|until|by|last) (?:early |late |mid-?)?"
     rf"(?P<bm>{_MONTH})(?![a-z])(?! \d)"),
)  # fmt: skip


@dataclass(frozen=True)
class DateRef:
    """A date or period found in a sentence: as written, and resolved where sure."""

    kind: str
    text: str
    start: int
    end: int
    day: date | None = None
    year_from: int | None = None
    year_to: int | None = None


_NAMES = "|".join(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept",
     "sep", "oct", "nov", "dec")
)  # fmt: skip
_DAY_FORMS = (
    re.compile(
        rf"(?P<m>{_NAMES})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<y>{YEAR}))?\b", re.I
    ),
    re.compile(
        rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.? (?:of )?(?P<m>{_NAMES})\.?,?(?: (?P<y>{YEAR}))?\b",
        re.I,
    ),
)
_ISO_RE = re.compile(r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)")
_NUMERIC_RE = re.compile(rf"\b(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>{YEAR})\b")


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_article_date(value: str) -> date | None:
    """The date an article gives for itself ("2024-07-10", "10 July 2024", "July 9, 2024",
    "20.06.2024", ISO times); None without a day, month and year.

    >>> parse_article_date("Monday 3 March 2025"), parse_article_date("July 10")
    (datetime.date(2025, 3, 3), None)
    """
    value = value.strip()
    for pattern in (_ISO_RE, _NUMERIC_RE):
        found = pattern.search(value)
        if found:
            return _safe_date(int(found["y"]), int(found["m"]), int(found["d"]))
    return _day(value, None, search=True)


def _day(text: str, base: date | None, search: bool = False) -> date | None:
    """A day written with a month name; without a year, the latest such day not after
    ``base`` (an article reports what has happened)."""
    iso = _ISO_RE.fullmatch(text.strip())
    if iso:
        return _safe_date(int(iso["y"]), int(iso["m"]), int(iso["d"]))
    for pattern in _DAY_FORMS:
        found = pattern.search(text) if search else pattern.fullmatch(text.strip())
        if not found:
            continue
        month, day = _month_number(found["m"]), int(found["d"])
        if found["y"]:
            return _safe_date(int(found["y"]), month, day)
        if base is None:
            return None
        guess = _safe_date(base.year, month, day)
        if guess is not None and guess > base:
            guess = _safe_date(base.year - 1, month, day)
        return guess
    return None


def _weekday(text: str, base: date | None) -> date | None:
    if base is None:
        return None
    wanted = _WEEKDAYS.index(text.split()[-1].lower())
    back = (base.weekday() - wanted) % 7
    if text.lower().startswith("last") and back == 0:
        back = 7
    return base - timedelta(days=back)


def _relday(text: str, base: date | None) -> date | None:
    if base is None:
        return None
    phrase = text.lower().replace("earlier ", "")
    if phrase in ("this week", "this month", "today"):
        return base
    if phrase == "yesterday":
        return base - timedelta(days=1)
    if phrase == "last week":
        return base - timedelta(days=7)
    if phrase == "last month":
        year, month = (base.year, base.month - 1) if base.month > 1 else (base.year - 1, 12)
        for day in range(base.day, 0, -1):
            found = _safe_date(year, month, day)
            if found is not None:
                return found
    return None


_MONTH_HINT_RE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
#: For each kind of date, a test that must hold for it to match (a cheap one, so that a
#: sentence is searched only with the patterns that can match in it).
_GATES: dict[str, Callable[[str], bool]] = {
    "vague": lambda low: "decade" in low or "years" in low or " term" in low or "months" in low,
    "rel_year_end": lambda low: "end of" in low,
    "weekday": lambda low: "day" in low,
    "relday": lambda low: any(w in low for w in ("yesterday", "today", "week", "month")),
    "relyear": lambda low: "year" in low,
    "ago": lambda low: " ago" in low,
    "in_years": lambda low: "year" in low and "in " in low,
}
_KIND_RE: dict[str, re.Pattern[str]] = {}
_COMBINED: dict[tuple[str, ...], re.Pattern[str]] = {}
_SEEN: Counter[tuple[str, ...]] = Counter()
#: A combination of kinds is compiled as one alternation at its this-many-th sentence.
COMPILE_AT = 4


def _enabled(kind: str, sentence: str, low: str, digits: bool) -> bool:
    """Whether a kind of date can match in the sentence (the rest need a digit)."""
    if kind == "bare_month":
        return bool(_MONTH_HINT_RE.search(sentence))
    gate = _GATES.get(kind)
    return gate(low) if gate is not None else digits


def _matches(sentence: str) -> Iterator[tuple[str, re.Match[str]]]:
    """The dates of the kinds that can match in ``sentence``, left to right, each with its
    kind: what one alternation of those kinds' patterns, in their order, finds.

    The alternation of a combination of kinds is compiled once the combination has come
    :data:`COMPILE_AT` times; before, each kind's own pattern (compiled once) is searched
    and the alternation's choices are made here (:func:`kind_by_kind`). A long run reads
    most sentences with a compiled alternation, the fastest; a short one does not pay for
    compiling it (about 40 combinations of a few milliseconds each in the first article:
    about 0.05 s, near a tenth of ``materiel ingest``'s start on one file)."""
    low, digits = sentence.lower(), has_digit(sentence)
    kinds = tuple(kind for kind, _ in _PATTERNS if _enabled(kind, sentence, low, digits))
    combined = _COMBINED.get(kinds)
    if combined is None:
        _SEEN[kinds] += 1
        if _SEEN[kinds] < COMPILE_AT:
            yield from kind_by_kind(sentence, kinds)
            return
        chosen = "|".join(f"(?P<{k}>{p})" for k, p in _PATTERNS if k in kinds) or r"(?!x)x"
        combined = _COMBINED[kinds] = re.compile(rf"\b(?:{chosen})", re.IGNORECASE)
    for m in combined.finditer(sentence):
        yield (m.lastgroup if m.lastgroup in kinds else _outer_kind(m, kinds)), m


def _outer_kind(match: re.Match[str], kinds: tuple[str, ...]) -> str:
    return next((kind for kind in kinds if match.group(kind) is not None), "unknown")


def kind_by_kind(sentence: str, kinds: tuple[str, ...]) -> Iterator[tuple[str, re.Match[str]]]:
    """What one alternation of ``kinds`` finds in ``sentence``, from each kind's own
    pattern: as an alternation does, the leftmost start wins, and of two at one start the
    kind listed first; the search goes on from the end of the match taken, and a kind's
    next match is searched again only where the last one found starts inside it."""
    found: list[tuple[str, re.Pattern[str], re.Match[str] | None]] = []
    for kind in kinds:
        pattern = _KIND_RE.get(kind)
        if pattern is None:
            source = dict(_PATTERNS)[kind]
            pattern = _KIND_RE[kind] = re.compile(rf"\b(?:{source})", re.IGNORECASE)
        found.append((kind, pattern, pattern.search(sentence)))
    pos = 0
    while True:
        best: tuple[str, re.Match[str]] | None = None
        for i, (kind, pattern, match) in enumerate(found):
            if match is not None and match.start() < pos:
                match = pattern.search(sentence, pos)
                found[i] = (kind, pattern, match)
            if match is not None and (best is None or match.start() < best[1].start()):
                best = (kind, match)
        if best is None:
            return
        yield best
        pos = max(best[1].end(), best[1].start() + 1)


def find_dates(sentence: str, base: date | None) -> list[DateRef]:
    """Dates and periods in ``sentence``, resolved against the article date ``base``."""
    refs = []
    for kind, m in _matches(sentence):
        text, ref = m.group(0), None
        if kind == "vague":
            ref = DateRef(kind, text, m.start(), m.end())
        elif kind == "range":
            a, b = m.group("a") or m.group("c"), m.group("b") or m.group("d")
            y1, y2 = int(a), int(b) if len(b) == 4 else int(a[:2] + b)
            if y2 >= y1:
                ref = DateRef(kind, text, m.start(), m.end(), None, y1, y2)
        elif kind == "deadline":
            y = int(m.group("y"))
            ref = DateRef(kind, text, m.start(), m.end(), None, None, y)
        elif kind == "rel_year_end":
            year = None if base is None else base.year + (m.group("w") == "next")
            ref = DateRef("deadline", text, m.start(), m.end(), None, None, year)
        elif kind == "day":
            ref = DateRef(kind, text, m.start(), m.end(), _day(text, base))
        elif kind == "month":
            y = int(m.group("my"))
            ref = DateRef(kind, text, m.start(), m.end(), None, y, y)
        elif kind == "weekday":
            ref = DateRef("day", text, m.start(), m.end(), _weekday(text, base))
        elif kind == "relday":
            ref = DateRef("day", text, m.start(), m.end(), _relday(text, base))
        elif kind == "relyear":
            shift = {"last": -1, "next": 1}.get(text.split()[0].lower(), 0)
            y_rel = None if base is None else base.year + shift
            ref = DateRef("year", text, m.start(), m.end(), None, y_rel, y_rel)
        elif kind == "year":
            y = int(m.group("yy"))
            ref = DateRef(kind, text, m.start(), m.end(), None, y, y)
        elif kind == "budget_year":
            y = int(m.group("yb"))
            ref = DateRef("year", text, m.start(), m.end(), None, y, y)
        elif kind == "ago" and base is not None:
            count = _COUNTS.get(text.split()[0].lower()) or int(text.split()[0])
            y = base.year - count * (10 if m.group("unit").startswith("decade") else 1)
            ref = DateRef("year", text, m.start(), m.end(), None, y, y)
        elif kind == "in_years" and base is not None:  # "in three years": a deadline
            y = base.year + (_COUNTS.get(m.group("n").lower()) or int(m.group("n")))
            ref = DateRef("deadline", text, m.start(), m.end(), None, None, y)
        elif kind == "bare_month" and base is not None:
            month = _month_number(m.group("bm"))
            y = base.year if month <= base.month else base.year - 1
            ref = DateRef("year", text, m.start(), m.end(), None, y, y)
        if ref is not None:
            refs.append(ref)
    return refs


_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _month_number(name: str) -> int:
    return _MONTHS.index(name[:3].lower()) + 1


def date_fields(refs: list[DateRef]) -> dict[str, object]:
    """The date fields of a fact: ``date``, ``year``, ``year_from``/``year_to``,
    ``period`` (as written) and ``date_text`` (as written)."""
    fields: dict[str, object] = {}
    for ref in refs:
        if ref.kind == "day" and "date_text" not in fields:
            fields["date_text"] = ref.text
            fields["date"] = ref.day.isoformat() if ref.day else None
        elif ref.kind in ("year", "month") and "year" not in fields:
            fields["year"] = ref.year_from
        elif ref.kind in ("range", "deadline", "vague") and "period" not in fields:
            fields["period"] = ref.text
            fields["year_from"], fields["year_to"] = ref.year_from, ref.year_to
    return fields
