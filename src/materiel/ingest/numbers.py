"""Numbers as people write them: ``1,200``, ``1.2``, ``twenty-five``, ``one and a half``.

:func:`parse_number` turns a written number (digits or English words, without its scale
word) into a float; :data:`NUMBER` is the regular expression that finds such numbers in
text, and :func:`scale_of` reads a scale word (``million``, ``bn``, ``k``).
"""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_MULTIPLIERS = {"hundred": 100, "dozen": 12}
_SCALES = {
    "thousand": 1e3, "k": 1e3,
    "million": 1e6, "millions": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}  # fmt: skip

_WORD = "|".join(sorted([*_UNITS, *_MULTIPLIERS, "thousand"], key=len, reverse=True))
#: A number written with words, such as "twenty-five", "three hundred", "one and a half",
#: "half a", "a" (the last two only before a scale word, checked by the caller).
WORD_NUMBER = rf"(?:half\s+an?|an?\s+half|(?:{_WORD})(?:(?:\s+and\s+|[\s-]+)(?:a\s+half|{_WORD}))*)"
#: A number written with digits: "1,200", "1.2", "300", "1 200" is not accepted.
DIGIT_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
#: Any written number.
NUMBER = rf"(?:{DIGIT_NUMBER}|\b{WORD_NUMBER}\b)"
#: Scale words spelled out, always accepted after a number.
LONG_SCALE = r"(?:thousand|millions?|billions?|trillion)"
#: Short scale words, accepted only when written against the number or after a currency.
SHORT_SCALE = r"(?:bn|mn|mln|tn|trn|[mbk])"

_NUMBER_RE = re.compile(rf"^(?:{DIGIT_NUMBER}|{WORD_NUMBER})$", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """The value of a written number, or None if ``text`` is not one.

    >>> parse_number("1,200"), parse_number("twenty-five"), parse_number("one and a half")
    (1200.0, 25.0, 1.5)
    """
    text = " ".join(text.strip().split())
    if text.lower() in ("a", "an"):
        return 1.0
    if not text or not _NUMBER_RE.match(text):
        return None
    if text[0].isdigit():
        return float(text.replace(",", ""))
    return _parse_words(text.lower())


def _parse_words(text: str) -> float | None:
    tokens = re.split(r"[\s-]+", text)
    if tokens[:2] in (["half", "a"], ["half", "an"], ["a", "half"], ["an", "half"]):
        return 0.5 if len(tokens) == 2 else None
    total = 0.0
    current = 0.0
    seen = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "and" and tokens[i + 1 : i + 3] == ["a", "half"]:
            current += 0.5
            i += 3
            continue
        if token in ("and", "a", "an"):
            if token != "and" and i == 0:
                current, seen = 1.0, True
            i += 1
            continue
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _MULTIPLIERS:
            current = (current or 1.0) * _MULTIPLIERS[token]
        elif token == "thousand":
            total += (current or 1.0) * 1e3
            current = 0.0
        else:
            return None
        seen = True
        i += 1
    return total + current if seen else None


def scale_of(word: str | None) -> float:
    """The factor of a scale word (``"bn"`` → 1e9); 1 for None or an empty word."""
    if not word:
        return 1.0
    return _SCALES.get(word.lower().rstrip("."), 1.0)
