"""What one sentence mentions: entities, money, percentages, counts and dates.

:func:`analyse` gathers these once per sentence; the extractors in
:mod:`materiel.ingest.extract` then decide which facts, if any, the sentence states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from materiel.ingest.cues import is_year
from materiel.ingest.dates import DateRef, find_dates
from materiel.ingest.gazetteer import Gazetteer, Mention
from materiel.ingest.money import (
    QUALIFIERS,
    Money,
    Percent,
    Quantity,
    find_money,
    find_percents,
    find_quantities,
)
from materiel.ingest.numbers import DIGIT_NUMBER, LONG_SCALE, parse_number, scale_of
from materiel.ingest.rates import Rate, find_rates

_MAKER_RE = re.compile(
    r"^\s*(?:'s\s+|’s\s+)?(?:[\w-]+\s+){0,3}?(?:arms\s+|defen[cs]e\s+)?"
    r"(?:firm|company|group|maker|manufacturer|contractor|producer|giant|supplier|"
    r"consortium|joint venture|subsidiary)\b",
    re.IGNORECASE,
)
_POSSESSIVE_COMPANY_RE = re.compile(r"^\s*(?:'s|’s)\s+$")
_END_USER_RE = re.compile(
    r"\b(?:for|to|sent to|supplied to|delivered to|given to|gifted to)\s+(?:the\s+)?$"
)


@dataclass
class Sentence:
    """One sentence and everything found in it (spans are into ``text``)."""

    text: str
    base: date | None = None
    mentions: list[Mention] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)
    percents: list[Percent] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    #: Counts per month, year, week or day ("40,000 rounds a month", "750 a year").
    rates: list[Rate] = field(default_factory=list)
    dates: list[DateRef] = field(default_factory=list)
    maker_nations: set[str] = field(default_factory=set)
    #: Where country mentions only name a firm's nationality ("German arms maker").
    maker_starts: set[int] = field(default_factory=set)
    #: Whether the sentence speaks of defence spending or of GDP.
    about_spending: bool = False
    #: Whether one of the sentences just before speaks of defence spending or of GDP.
    spending_context: bool = False
    end_users: set[str] = field(default_factory=set)
    #: The sentences just before this one (for words that carry over: "of GDP", ...).
    context: str = ""
    #: The last actor named before this sentence (for "its", "they", "the government").
    previous_actor: str | None = None
    #: The last alliance or group (G7, EU ...) named in the sentence before.
    previous_group: str | None = None
    #: The last item named in the sentences just before.
    previous_item: str | None = None
    #: The year of the first date in the sentence before (for "That earlier contract").
    context_year: int | None = None
    #: Whether the sentence refers back to a fact ("It is worth ...", "The contract ...").
    anaphoric: bool = False
    #: Whether the article is about Ukraine (aid without a named recipient goes to it).
    about_ukraine: bool = False
    #: The company and the country the article is mostly about.
    doc_company: str | None = None
    doc_country: str | None = None
    doc_item: str | None = None
    #: How often the article names its company.
    doc_company_mentions: int = 0
    #: Roles worked out once per sentence (see :mod:`materiel.ingest.roles`).
    cache: dict[str, list[str]] = field(default_factory=dict)

    def ids(self, kind: str) -> list[str]:
        """Distinct ids of the mentions of one kind, in order of appearance."""
        seen: list[str] = []
        for mention in self.mentions:
            if mention.kind == kind and mention.id not in seen:
                seen.append(mention.id)
        return seen

    def countries(self, exclude_makers: bool = True) -> list[str]:
        """Countries acting in the sentence (not those only naming a firm's nationality)."""
        return [
            c
            for c in self.ids("country")
            if not (exclude_makers and c in self.maker_nations and self._only_as_maker(c))
        ]

    def _only_as_maker(self, iso3: str) -> bool:
        return all(
            self._is_maker_nationality(m)
            for m in self.mentions
            if m.kind == "country" and m.id == iso3
        )

    def _is_maker_nationality(self, mention: Mention) -> bool:
        after = self.text[mention.end :]
        if _MAKER_RE.match(after):
            return True
        nxt = next((m for m in self.mentions if m.start >= mention.end), None)
        return bool(
            nxt is not None and nxt.kind == "company"
            and (_POSSESSIVE_COMPANY_RE.match(self.text[mention.end : nxt.start])
                 or (mention.form == "demonym" and not self.text[mention.end : nxt.start].strip()))
        )  # fmt: skip

    def lower(self) -> str:
        return self.text.lower()


_COUNT_BEFORE_ITEM_RE = re.compile(
    rf"(?:(?P<qual>\b(?:{QUALIFIERS}))\s+)?(?<![\w.,-])(?P<num>{DIGIT_NUMBER}|a(?=\s+million))"
    rf"(?:\s+(?P<scale>{LONG_SCALE}))?\s+(?:more\s+|additional\s+|new\s+|of\s+the\s+"
    rf"(?:same\s+)?|of\s+)?$",
    re.IGNORECASE,
)


def _item_counts(s: Sentence, taken: list[tuple[int, int]]) -> list[Quantity]:
    """Counts written before an item's name ("650 LMMs", "650 of the same lightweight
    multirole missiles") that the unit nouns did not catch."""
    found = []
    for m in s.mentions:
        if m.kind != "item":
            continue
        match = _COUNT_BEFORE_ITEM_RE.search(s.text, max(0, m.start - 60), m.start)
        if not match or any(q.start <= match.start("num") < q.end for q in s.quantities):
            continue
        if any(a <= match.start("num") < b for a, b in taken):
            continue
        number = parse_number(match.group("num"))
        if number is None or is_year(match.group("num")):
            continue
        qual = (match.group("qual") or "").lower() or None
        start = match.start() if qual else match.start("num")
        found.append(Quantity(number * scale_of(match.group("scale")), m.text, qual,
                              s.text[start : m.end], start, m.end))  # fmt: skip
    return found


_CROWNS = {"NOR": "NOK", "SWE": "SEK", "DNK": "DKK", "CZE": "CZK", "ISL": "ISK"}


def _figures(sentence: Sentence) -> None:
    """Money, shares and counts of a sentence that has a number in it."""
    text = sentence.text
    item_spans = [(m.start, m.end) for m in sentence.mentions if m.kind == "item"]
    if _HAS_MONEY_RE.search(text):
        sentence.money = [_crowns(m, sentence.mentions) for m in find_money(text)]
    if _HAS_PERCENT_RE.search(text):
        sentence.percents = [
            p for p in find_percents(text) if not any(s <= p.start < e for s, e in item_spans)
        ]
    taken = [(m.start, m.end) for m in sentence.money]
    taken += [(p.start, p.end) for p in sentence.percents]
    sentence.quantities = find_quantities(text, taken)
    sentence.quantities += _item_counts(sentence, taken)
    sentence.quantities.sort(key=lambda q: q.start)
    if _HAS_PERIOD_RE.search(text):
        sentence.rates = find_rates(text, sentence.quantities, taken)


def _crowns(money: Money, mentions: list[Mention]) -> Money:
    """ "1 billion crowns": the crown of the country named in the sentence (NOK, SEK ...)."""
    if money.currency != "crowns":
        return money
    country = next((_CROWNS[m.id] for m in mentions if m.id in _CROWNS), None)
    return replace(money, currency=country)


#: Cheap tests that let a sentence skip a finder that cannot match in it.
_HAS_NUMBER_RE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|half)\b",
    re.IGNORECASE,
)
#: Words of defence spending and of GDP.
SPENDING_RE = re.compile(
    r"\b(?:defen[cs]e|military|security)(?:\s+and\s+security)?(?:-related)?\s+(?:budget|spending|"
    r"expenditure|outlays?)|\bspend(?:s|ing)?\b|\boutlays?\b|\bon defen[cs]e\b|\bof GDP\b|"
    r"\bgross domestic product\b|\beconomic output\b|"
    r"\bdefen[cs]e\s+(?:package|fund|plan|programme|program)\b|\brearm(?:s|ing|ament)?\b",
    re.IGNORECASE,
)
_HAS_MONEY_RE = re.compile(
    r"[$€£¥₩₴]|\b(?:USD|EUR|GBP|PLN|NOK|SEK|DKK|CHF|CAD|CZK|JPY|KRW|AUD|UAH|HUF|RON|TRY|"
    r"dollars?|euros?|pounds?|sterling|zlot\w*|złot\w*|crowns|kron\w*|korun\w*|francs?|yen|"
    r"won|hryvnias?)\b",
    re.IGNORECASE,
)
_HAS_PERIOD_RE = re.compile(
    r"\b(?:month|year|week|day|annual|annually|yearly|monthly|weekly|daily|per annum)", re.I
)
_HAS_PERCENT_RE = re.compile(r"%|per ?cent|percentage|\bpct\b", re.IGNORECASE)
_HAS_DATE_RE = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|yesterday|today|week|month|"
    r"year|decade|term|monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    re.IGNORECASE,
)


def analyse(text: str, gazetteer: Gazetteer, base: date | None) -> Sentence:
    """Find everything ``text`` mentions; dates are resolved against ``base``."""
    sentence = Sentence(text, base)
    sentence.mentions = gazetteer.find(text)
    if _HAS_NUMBER_RE.search(text):
        _figures(sentence)
    sentence.about_spending = bool(SPENDING_RE.search(text))
    if _HAS_DATE_RE.search(text):
        sentence.dates = find_dates(text, base)
    for mention in sentence.mentions:
        if mention.kind != "country":
            continue
        if sentence._is_maker_nationality(mention):
            sentence.maker_nations.add(mention.id)
            sentence.maker_starts.add(mention.start)
        if _END_USER_RE.search(text[: mention.start]):
            sentence.end_users.add(mention.id)
    return sentence
