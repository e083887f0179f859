"""Money, shares of GDP and quantities in a sentence, with the hedges they carry.

Each finder returns matches with their ``[start, end)`` in the sentence. A hedge or bound
("almost", "up to", "more than", "about", "between ... and ...") is kept as the
``qualifier`` of the match, in the words of the text; it is never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from materiel.ingest.cues import OF_GDP_AFTER, is_year
from materiel.ingest.numbers import (
    DIGIT_NUMBER,
    LONG_SCALE,
    NUMBER,
    SHORT_SCALE,
    parse_number,
    scale_of,
)

#: Hedges and bounds, longest first so that "just over" wins over "over".
QUALIFIERS = (
    "as much as|as many as|as high as|as few as|as little as|in excess of|upwards of|no less than|"
    "no more than|not less than|not more than|more than|less than|fewer than|at least|"
    "at most|just over|just under|well over|well above|close to|an estimated|almost|nearly|"
    "about|around|approximately|approx\\.|roughly|some|up to|over|under|above|below|"
    "exceeding|between|from|only|just"
)
#: The qualifier a fact carries for each hedge as written.
CANONICAL_QUALIFIERS = {
    "up to": ("up to", "as much as", "as many as", "as high as", "no more than", "not more than",
              "at most"),
    "nearly": ("nearly", "almost", "close to", "just under"),
    "about": ("about", "around", "approximately", "approx.", "roughly", "some", "an estimated"),
    "more than": ("more than", "over", "in excess of", "upwards of", "just over", "well over",
                  "well above", "above", "exceeding"),
    "at least": ("at least", "no less than", "not less than"),
    "less than": ("less than", "fewer than", "under", "below", "as few as", "as little as"),
}  # fmt: skip
_CANONICAL = {
    words: name for name, all_words in CANONICAL_QUALIFIERS.items() for words in all_words
}


def canonical_qualifier(words: str | None) -> str | None:
    """The qualifier of a fact for a hedge as written ("close to" → "nearly").

    >>> canonical_qualifier("approximately"), canonical_qualifier("in excess of")
    ('about', 'more than')
    """
    return None if words is None else _CANONICAL.get(words.lower(), words.lower())


#: An optional hedge before a figure, in a group named ``qual``.
QUALIFIER_BEFORE = _QUAL = rf"(?:(?P<qual>\b(?:{QUALIFIERS}))\s+)?"
_IGNORED_QUALIFIERS = {"from", "only", "just"}

_SYMBOLS = {
    "us$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "c$": "CAD", "a$": "AUD",
    "¥": "JPY", "₩": "KRW", "zł": "PLN", "₴": "UAH",
}  # fmt: skip
#: The country of a national currency (not the dollar, the euro: many countries use them).
CURRENCY_COUNTRY = {
    "GBP": "GBR", "PLN": "POL", "NOK": "NOR", "SEK": "SWE", "DKK": "DNK", "CHF": "CHE",
    "CAD": "CAN", "CZK": "CZE", "JPY": "JPN", "KRW": "KOR", "AUD": "AUS", "UAH": "UKR",
    "HUF": "HUN", "RON": "ROU", "TRY": "TUR",
}  # fmt: skip
_CODES = "USD|EUR|GBP|PLN|NOK|SEK|DKK|CHF|CAD|CZK|JPY|KRW|AUD|UAH|HUF|RON|TRY"
_WORDS = {
    r"(?:us |u\.s\. |american )?dollars?": "USD",
    r"euros?": "EUR",
    r"(?:pounds?(?: sterling)?|sterling)": "GBP",
    r"(?:zlotys?|złoty|zloty|zlotych)": "PLN",
    r"norwegian (?:crowns|kroner)": "NOK",
    r"swedish (?:crowns|kronor)": "SEK",
    r"danish (?:crowns|kroner)": "DKK",
    r"swiss francs?": "CHF",
    r"czech (?:crowns|korunas?)": "CZK",
    r"hryvnias?": "UAH",
    r"canadian dollars": "CAD",
    r"australian dollars": "AUD",
    r"yen": "JPY",
    r"(?:crowns|kroner|kronor)": "crowns",
    r"won": "KRW",
}
_SYMBOL = r"(?:US\$|C\$|A\$|\$|€|£|¥|₩|₴)"
_CURWORD = "(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + ")"
_CURWORD = rf"(?:{_CURWORD}|{_CODES})\b"

# One amount: [symbol or code] number [scale] [currency word]
_AMOUNT = (
    r"(?P<sym{i}>{sym})?\s?"
    r"(?P<code{i}>(?:{codes})\s)?"
    r"(?P<num{i}>{comma}|{num})"
    r"(?:(?:[\s-]?(?P<long{i}>{long}))|\s?(?P<short{i}>{short})\b)?"
    r"(?:\s+(?P<cw{i}>{curword}))?"
)


#: A decimal comma, as much of Europe writes it, before a scale word: "3,7 billion euros"
#: (a thousands comma has three digits after it).
_DECIMAL_COMMA = rf"\d{{1,3}},\d{{1,2}}(?=[\s-]?(?:{LONG_SCALE}|bn|mn|mln|mrd)\b)"
_DECIMAL_COMMA_RE = re.compile(r"^\d{1,3},\d{1,2}$")


def _amount(i: int) -> str:
    return _AMOUNT.format(
        i=i, sym=_SYMBOL, codes=_CODES, num=NUMBER, long=LONG_SCALE, short=SHORT_SCALE,
        curword=_CURWORD, comma=_DECIMAL_COMMA,
    )  # fmt: skip


_MONEY_RE = re.compile(
    rf"(?<![\w.,]){_QUAL}(?<![\w.,-]){_amount(1)}"
    rf"(?:\s*(?P<sep>-|–|—|to|and)\s*{_amount(2)})?(?![\w%])",
    re.IGNORECASE,
)
_A_SCALE_RE = re.compile(r"^an?$", re.IGNORECASE)
_FIRST_GROUPS = ("sym1", "code1", "num1", "long1", "short1", "cw1")


@dataclass(frozen=True)
class Money:
    """An amount of money: a value, or a range ``[low, high]``; in ``currency``."""

    value: float | None
    currency: str | None
    qualifier: str | None
    text: str
    start: int
    end: int
    low: float | None = None
    high: float | None = None


def _currency(match: re.Match[str], i: int) -> str | None:
    sym = match.group(f"sym{i}")
    if sym:
        return _SYMBOLS.get(sym.lower())
    code = match.group(f"code{i}")
    if code:
        return code.strip().upper()
    word = match.group(f"cw{i}")
    if word:
        if word.upper() in _CODES.split("|"):
            return word.upper()
        for pattern, iso in _WORDS.items():
            if re.fullmatch(pattern, word, re.IGNORECASE):
                return iso
    return None


def _value(match: re.Match[str], i: int) -> tuple[float | None, str | None]:
    written = match.group(f"num{i}") or ""
    if _DECIMAL_COMMA_RE.match(written):
        written = written.replace(",", ".")
    number = parse_number(written)
    scale = match.group(f"long{i}") or match.group(f"short{i}")
    if number is None:
        return None, scale
    return number * scale_of(scale), scale


def _two_amounts(match: re.Match[str]) -> bool:
    """Whether "A and B" are two amounts: each with its own currency, A with a scale if B
    has one, and no "between" before them ("€1.2 and 1.5 billion" is a range)."""
    if (match.group("sep") or "").lower() != "and" or (match.group("qual") or "").lower() == (
        "between"
    ):
        return False
    own = [bool(match.group(f"sym{i}") or match.group(f"code{i}") or match.group(f"cw{i}"))
           for i in (1, 2)]  # fmt: skip
    scaled = [bool(match.group(f"long{i}") or match.group(f"short{i}")) for i in (1, 2)]
    return all(own) and (scaled[0] or not scaled[1])


def find_money(sentence: str) -> list[Money]:
    """Every amount of money in ``sentence``, each with currency, qualifier and span."""
    found: list[Money] = []
    pos = 0
    while (match := _MONEY_RE.search(sentence, pos)) is not None:
        pos = match.end()
        if _two_amounts(match):  # "£2.26bn and C$5bn": two amounts, not a range
            first = max(match.end(g) for g in _FIRST_GROUPS if match.group(g))
            pos = first
            match = _MONEY_RE.match(sentence, match.start(), first) or match
        cur1, cur2 = _currency(match, 1), match.group("num2") and _currency(match, 2)
        currency = cur1 or cur2 or None
        if currency is None:
            continue
        v1, scale1 = _value(match, 1)
        has_symbol = bool(match.group("sym1") or match.group("code1"))
        if match.group("short1") and not has_symbol:
            continue  # "5m" or "3k" without a currency sign is not money
        if _A_SCALE_RE.match(match.group("num1")) and not scale1:
            continue
        qual = (match.group("qual") or "").lower() or None
        start = match.start() if qual not in _IGNORED_QUALIFIERS else match.start("sym1")
        start = start if start >= 0 else match.start("num1")
        if qual in _IGNORED_QUALIFIERS:
            qual = None
        if match.group("num2"):
            v2, scale2 = _value(match, 2)
            if v1 is not None and v2 is not None and scale2 and not scale1:
                v1 *= scale_of(scale2)  # "$1-1.5 billion": the scale applies to both
            if v1 is None or v2 is None:
                continue
            low, high = min(v1, v2), max(v1, v2)
            money = Money(None, currency, qual, match.group(0)[start - match.start() :],
                          start, match.end(), low, high)  # fmt: skip
        else:
            if v1 is None:
                continue
            text = sentence[start : match.end()]
            money = Money(v1, currency, qual, text, start, match.end())
        found.append(money)
    return found


#: An amount with a scale word and no currency ("22.5 billion").
_BARE_AMOUNT_RE = re.compile(
    rf"(?<![\w.,$€£¥])(?P<num>{DIGIT_NUMBER})\s?(?P<scale>billion|million|bn|mn)\b"
    rf"(?!\s*(?:{_CURWORD}|people|rounds|shells|tons?|tonnes|barrels|residents))",
    re.IGNORECASE,
)


def bare_amounts(sentence: str, currency: str, taken: list[Money]) -> list[Money]:
    """Amounts written without a currency, in ``currency`` (a breakdown of a total given
    just before: "NOK 35 billion. Of this, 22.5 billion ..."); those inside ``taken``
    left out."""
    found = []
    for match in _BARE_AMOUNT_RE.finditer(sentence):
        if any(m.start <= match.start() < m.end for m in taken):
            continue
        number = parse_number(match.group("num"))
        if number is None:
            continue
        value = number * scale_of(match.group("scale"))
        found.append(Money(value, currency, None, match.group(0), match.start(), match.end()))
    return found


_PCT_UNIT = r"(?:%|\s?per\s?cent\b|\s?percent\b|\s?pct\b\.?|\s?percentage points?\b)"
_PERCENT_RE = re.compile(
    rf"(?<![\w.,]){_QUAL}(?<![\w.,-])(?P<n1>{NUMBER})(?P<u1>{_PCT_UNIT})?"
    rf"(?:\s*(?:-|–|to|and)\s*(?P<n2>{NUMBER}))?(?P<u2>{_PCT_UNIT})?",
    re.IGNORECASE,
)
_GDP_RE = re.compile(OF_GDP_AFTER, re.IGNORECASE)


@dataclass(frozen=True)
class Percent:
    """A percentage (or a range of them), and whether it is a share of GDP."""

    value: float | None
    qualifier: str | None
    of_gdp: bool
    text: str
    start: int
    end: int
    low: float | None = None
    high: float | None = None


def find_percents(sentence: str) -> list[Percent]:
    """Every percentage in ``sentence``; ``of_gdp`` when "of GDP" follows it."""
    found: list[Percent] = []
    pos = 0
    while True:
        match = _PERCENT_RE.search(sentence, pos)
        if match is None:
            break
        pos = max(match.end(), pos + 1)
        if not (match.group("u1") or (match.group("u2") and match.group("n2"))):
            continue
        n1 = parse_number(match.group("n1"))
        n2 = parse_number(match.group("n2")) if match.group("n2") else None
        if n1 is None or (match.group("n2") and n2 is None):
            continue
        qual = (match.group("qual") or "").lower() or None
        after_first = sentence[match.end("u1") if match.group("u1") else match.end("n1") :]
        joined_by_and = bool(re.match(r"\s*and\b", after_first))
        if match.group("n2") and (not match.group("u2") or (joined_by_and and qual != "between")):
            n2 = None  # "2% to 3 ..." or "1.30% and 1.29%": two figures, not a range
            end = match.end("u1") if match.group("u1") else match.end("n1")
            pos = end  # the second figure is read on its own
        else:
            end = match.end()
        qual = None if qual in _IGNORED_QUALIFIERS else qual
        of_gdp = bool(_GDP_RE.match(sentence[end:]))
        text = sentence[match.start() : end]
        if n2 is not None:
            low, high = min(n1, n2), max(n1, n2)
            found.append(Percent(None, qual, of_gdp, text, match.start(), end, low, high))
        else:
            found.append(Percent(n1, qual, of_gdp, text, match.start(), end))
    return found


#: Nouns that count munitions, weapons and systems (singular or plural).
UNIT_NOUNS = (
    r"weapons?|missiles?|rounds?|shells?|interceptors?|vehicles?|tanks?|jets?|aircraft|fighters?|"
    r"systems?|launchers?|batteries|battery|howitzers?|drones?|helicopters?|munitions|"
    r"projectiles?|warheads?|rockets?|guns?|pieces|ships?|frigates?|submarines?|"
    r"charges|fuzes|motors|kits|units|carriers|radars?|factor(?:y|ies)|plants?"
)
_QUANTITY_RE = re.compile(
    rf"(?<![\w.,]){_QUAL}(?<![\w.,-])(?P<num>{NUMBER})(?:\s+(?P<scale>{LONG_SCALE}))?\s+"
    rf"[\"“]?(?P<noun>(?:(?!(?:to|for|from|with|by|at|on)\s)[\w][\w-]*\s+){{0,4}}?(?:{UNIT_NOUNS}))\b[\"”]?",
    re.IGNORECASE,
)


#: A count joined to its noun ("its 180,000-shell goal", "a 5,000-missile order").
_HYPHEN_COUNT_RE = re.compile(
    rf"(?<![\w.,-])(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d{{2,}})-(?P<noun>{UNIT_NOUNS})\b", re.IGNORECASE
)

#: A head noun after the matched one ("munitions and energetics factories"): the count is of it.
_HEAD_AFTER_RE = re.compile(rf"^(?:\s+and\s+[\w-]+)?\s+(?:{UNIT_NOUNS})\b", re.IGNORECASE)
#: A unit of calibre after a number: the number names the calibre ("155 mm shells").
_CALIBRE_RE = re.compile(r"(?:mm|millimet(?:er|re)s?|cal(?:\.|ibre|iber))\b", re.IGNORECASE)
_VAGUE_RE = re.compile(r"\b(?:several|a few|few|many|hundreds of|thousands of|tens of)\s+$", re.I)


@dataclass(frozen=True)
class Quantity:
    """A count of things: ``value`` of ``unit`` (the noun phrase as written)."""

    value: float
    unit: str
    qualifier: str | None
    text: str
    start: int
    end: int


#: The low end of a range of counts written before its top ("150,000–180,000 shells",
#: "between 40 and 50 missiles"); "from 50,000 to 400,000" is a change, not a range.
_RANGE_LOW_RE = re.compile(
    rf"(?P<between>\bbetween\s+)?(?<![\w.,])(?P<low>{NUMBER})\s*(?P<sep>[–—-]|\band\b)\s*$",
    re.IGNORECASE,
)


def find_quantities(sentence: str, taken: list[tuple[int, int]]) -> list[Quantity]:
    """Counts of munitions, vehicles or systems, skipping spans already ``taken``."""
    found: list[Quantity] = []

    def taken_by(start: int) -> bool:
        return any(s <= start < e for s, e in taken)

    for match in _QUANTITY_RE.finditer(sentence):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        number = parse_number(match.group("num"))
        if number is None or match.group("num").lower() in ("a", "an"):
            continue
        if is_year(match.group("num")):
            continue  # a year, not a count
        if _CALIBRE_RE.match(match.group("noun")):
            continue  # "155 mm artillery rounds": a calibre, not a count
        if _VAGUE_RE.search(sentence[: match.start()]):
            continue  # "several hundred thousand rounds" is not a count we can code
        value = number * scale_of(match.group("scale"))
        qual = (match.group("qual") or "").lower() or None
        qual = None if qual in _IGNORED_QUALIFIERS else qual
        start = match.start() if qual else match.start("num")
        low = None if qual else _RANGE_LOW_RE.search(sentence, max(0, start - 30), start)
        if low is not None and low.group("sep") == "and" and not low.group("between"):
            low = None
        if low is not None and not taken_by(low.start("low")):
            low_value = parse_number(low.group("low"))
            if low_value is not None and low_value * scale_of(match.group("scale")) < value:
                value = low_value * scale_of(match.group("scale"))  # "150,000–180,000 shells"
                start = low.start("low")
        end = match.end()
        head = _HEAD_AFTER_RE.match(sentence[end:])
        end += head.end() if head else 0
        noun = sentence[match.start("noun") : end].replace('"', "").replace("”", "")
        found.append(Quantity(value, noun, qual, sentence[start:end], start, end))
    if "-" in sentence:
        for match in _HYPHEN_COUNT_RE.finditer(sentence):
            number = parse_number(match.group("num"))
            year = is_year(match["num"])
            if number is None or taken_by(match.start()) or year:
                continue
            noun = match.group("noun")
            found.append(Quantity(number, noun, None, match.group(0), match.start(), match.end()))
    return found
