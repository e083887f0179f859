"""The words that cue one concept, shared by the modules that read it.

Several readers look for the same thing (a year, GDP, a pledge, aid, a rate per year). Their
word lists sit here side by side so that a phrasing learnt for one concept is seen, and
chosen or refused, for every reader of it. Where readers need different lists for one
concept (the verbs that make a sentence's aid a pledge are not the nouns that make a
list's header a target), each list is a named variant with the reason it differs; the
patterns are built from the lists, and the modules keep their own anchors and context
around them. A pattern used by one module only stays in that module.
"""

from __future__ import annotations

import re


def words(alternatives: tuple[str, ...]) -> str:
    r"""A regular expression for any of the (regex) alternatives as whole words:
    ``\b(?:a|b|c)\b``."""
    return r"\b(?:" + "|".join(alternatives) + r")\b"


#: Characters :meth:`str.isdigit` holds for besides the decimal digits ``\d`` matches
#: (superscripts, subscripts, circled and parenthesised digits ...), as code point ranges.
_OTHER_DIGITS = (
    (0xB2, 0xB3), (0xB9, 0xB9), (0x1369, 0x1371), (0x19DA, 0x19DA), (0x2070, 0x2070),
    (0x2074, 0x2079), (0x2080, 0x2089), (0x2460, 0x2468), (0x2474, 0x247C), (0x2488, 0x2490),
    (0x24EA, 0x24EA), (0x24F5, 0x24FD), (0x24FF, 0x24FF), (0x2776, 0x277E), (0x2780, 0x2788),
    (0x278A, 0x2792), (0x10A40, 0x10A43), (0x10E60, 0x10E68), (0x11052, 0x1105A),
    (0x1F100, 0x1F10A),
)  # fmt: skip
_ANY_DIGIT_RE = re.compile(
    "[\\d" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in _OTHER_DIGITS) + "]"
)


def has_digit(text: str) -> bool:
    """Whether any character of ``text`` is a digit, as ``any(c.isdigit() for c in text)``
    says, by one search instead of a loop over the characters."""
    return _ANY_DIGIT_RE.search(text) is not None


#: A four-digit year of the 20th or 21st century ("2024"), as a regular expression part.
YEAR = r"(?:19|20)\d\d"

#: The names of gross domestic product a share of it is given against ("3% of GDP", "2% of
#: economic output"), in the order tried.
GDP_NAMES = ("GDP", "gross domestic product", "economic output", "national output")
#: Any name of GDP in a text (a header, a sentence): "GDP" as a whole word.
GDP_WORDS = r"\bGDP\b|" + "|".join(GDP_NAMES[1:])
#: The first word of each name of GDP: "of" followed by none of them is a share of
#: something else ("20% of defence expenditure").
GDP_FIRST_WORDS = "|".join(dict.fromkeys(name.split()[0] for name in GDP_NAMES))
#: "of GDP" right after a percentage, with a possessive ("of its GDP", "of the country's
#: gross domestic product") and national income, which counts as the same measure.
OF_GDP_AFTER = (
    r"^\s*(?:of\s+(?:its\s+|their\s+|the\s+country's\s+|the\s+)?(?:"
    + "|".join(name.replace(" ", r"\s+") for name in (*GDP_NAMES, "national income"))
    + "))"
)

#: Verbs that make aid in a sentence a pledge rather than a delivery: given as promised
#: ("pledged €2bn", "will provide", "signed off"). Aid only: "agreed" alone or "target"
#: would turn contracts and spending into pledges.
AID_PLEDGE_VERBS = (
    "pledged?",
    "committed",
    "promised",
    "agreed to",
    "signed off",
    "will provide",
    "would provide",
    "is providing",
    "commits?",
)
#: Nouns just before a list of shares that make its figures targets ("the 2% target:
#: Poland 4.1, ..."). Nouns only: the header names what the figures are, not who acts.
PLEDGE_NOUNS = ("target", "pledge[sd]?", "goal", "commitment")
#: Words before an amount in a sentence of spending that make it pledged ("pledged to
#: reach $100bn", "set to"): commitments and aims alike, as an amount is seldom planned.
AMOUNT_PLEDGE_WORDS = (
    "pledged?",
    r"commit\w*",
    "target",
    "goal",
    "aims?",
    "ambition",
    "to reach",
    "expected to reach",
    "set to",
    "promised?",
)
#: Words that make a share of GDP in a sentence a pledge: agreement, a target, and the
#: verbs of reaching a level ("agreed to raise", "will devote", "a minimum of 2%").
SHARE_PLEDGE_WORDS = (
    "agreed",
    "agree",
    "pledged?",
    "pledges",
    "commit(?:s|ted|ment)?",
    "targets?",
    "goals?",
    "ambition",
    "aims?",
    "want(?:s)? to reach",
    "expects? to reach",
    "to reach",
    "rise to",
    "raise",
    "minimum",
    "would meet",
    "will meet",
    "will devote",
    "devote",
)
AID_PLEDGE_RE = re.compile(words(AID_PLEDGE_VERBS), re.IGNORECASE)
PLEDGE_NOUN_RE = re.compile(words(PLEDGE_NOUNS), re.IGNORECASE)
AMOUNT_PLEDGE_RE = re.compile(words(AMOUNT_PLEDGE_WORDS), re.IGNORECASE)
SHARE_PLEDGE_RE = re.compile(words(SHARE_PLEDGE_WORDS), re.IGNORECASE)

#: Words that make a sentence's money aid: giving, lending, support and its vehicles
#: ("a €2bn package", "a loan facility", "contributed"). Read with the sentence's actors.
AID_WORDS = (
    "aid",
    "assistance",
    r"donat\w*",
    "donors?",
    r"gift\w*",
    "(?:military|financial|budget) support",
    "support (?:to|for)",
    r"lend\w*",
    "lent",
    "loans?",
    "package",
    "facility",
    "pay for",
    r"contribut\w+",
    "put up",
    "signed off",
    "drawdowns?",
)
#: Words in the sentence just before a list (of shares or of amounts) that make its
#: figures aid (a share of the donor's GDP, a sum given), not defence spending. Narrower
#: than AID_WORDS: "package" or "support" over spending figures is no sign of aid;
#: "to Ukraine" is.
AID_CONTEXT_WORDS = ("aid", "assistance", "donors?", r"donat\w+", "to Ukraine", "for Ukraine")
AID_RE = re.compile(words(AID_WORDS), re.IGNORECASE)
AID_CONTEXT_RE = re.compile(words(AID_CONTEXT_WORDS), re.I)

#: A rate's period after its count: "a month", "per year", "each week", "annually" (group
#: ``per`` or ``adv``); not "a year earlier" or "a month ago", which date, not rate.
PER_PERIOD = (
    r"(?:(?:a|an|per|each|every)\s+(?P<per>month|year|week|day)\b(?!['’]s|\s+(?:earlier|ago|"
    r"later|before|after|on|from now))|(?P<adv>annually|yearly|per annum|monthly)\b)"
)
#: Right after an amount, "a year" or "annually": the money is a yearly sum ("€5bn a
#: year"). Unlike PER_PERIOD it does not refuse "a year earlier": kept as it was found to
#: read (unifying the two would change which amounts are yearly).
PER_YEAR_AFTER_RE = re.compile(r"^\s*(?:a|per|each|every)\s+year\b|^\s*annually\b", re.IGNORECASE)


def is_year(text: str) -> bool:
    """Whether a number as written is a year ("2024"), not a count or an amount."""
    return re.fullmatch(YEAR, text) is not None
