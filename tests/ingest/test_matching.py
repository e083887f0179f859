"""The fast paths of reading: a digit found by one search, the gazetteer's spellings
matched as a trie, and the dates of a sentence found kind by kind. Each must say exactly
what the slow form it replaced says."""

from __future__ import annotations

import re
from pathlib import Path

from materiel.ingest.cues import has_digit
from materiel.ingest.dates import _PATTERNS, _enabled, _matches, kind_by_kind
from materiel.ingest.gazetteer import _trie


def test_has_digit_agrees_with_isdigit_on_every_code_point() -> None:
    differ = [i for i in range(0x110000) if has_digit(chr(i)) != chr(i).isdigit()]
    assert differ == []
    assert has_digit("made ² of them") and not has_digit("no figure here")
    assert has_digit("٣ rounds")  # an Arabic-Indic digit: \d matches it too


def _alternation(spellings: list[str]) -> re.Pattern[str]:
    """The gazetteer's pattern as it was: the spellings longest first, in turn."""
    ordered = sorted(spellings, key=lambda s: (-len(s), s))
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w-])")


def _as_trie(spellings: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + _trie(sorted(set(spellings))) + r")(?![\w-])")


def test_the_trie_finds_what_the_alternation_found() -> None:
    """The longest spelling that is a whole word wins, also where a longer one starts the
    same way but runs into a letter ("F-35Ax": F-35A does not fit, F-35 does not either;
    "F-35 A": F-35)."""
    spellings = ["F-35", "F-35A", "F-35As", "F", "K9", "K9A1", "Patriot", "Patriot PAC-3",
                 "PAC-3", "U.S.", "U.S. Army", "a+b (c)", "Ünïcode"]  # fmt: skip
    text = (
        "F-35A and F-35As, F-35 A, F-35Ax, F and K9A1 or K9A2 (K9). Patriot PAC-3 and "
        "Patriot PAC-2; the U.S. Army and the U.S. Navy; a+b (c); Ünïcode, Ünïcodes."
    )
    old, new = _alternation(spellings), _as_trie(spellings)
    found = [(m.start(), m.group(0)) for m in new.finditer(text)]
    assert found == [(m.start(), m.group(0)) for m in old.finditer(text)]
    assert [w for _, w in found] == [
        "F-35A", "F-35As", "F-35", "F", "K9A1", "K9", "Patriot PAC-3", "Patriot",
        "U.S. Army", "U.S.", "a+b (c)", "Ünïcode",
    ]  # fmt: skip


def test_the_trie_of_the_shipped_gazetteer_finds_what_the_alternation_found() -> None:
    from materiel.ingest.pipeline import load_gazetteer

    gazetteer = load_gazetteer()
    spellings = list(gazetteer.spellings())
    old = _alternation(spellings)
    text = " ".join(spellings) + " " + ", ".join(s + "x" for s in spellings)
    found = [(m.start(), m.group(0)) for m in gazetteer._pattern.finditer(text)]
    assert found == [(m.start(), m.group(0)) for m in old.finditer(text)]
    assert len(found) >= len(spellings) // 2


def _dates_as_one_alternation(sentence: str) -> list[tuple[str, int, int]]:
    """The dates as they were found: one alternation of the kinds the sentence enables."""
    low, digits = sentence.lower(), has_digit(sentence)
    kinds = [(k, p) for k, p in _PATTERNS if _enabled(k, sentence, low, digits)]
    if not kinds:
        return []
    chosen = "|".join(f"(?P<{k}>{p})" for k, p in kinds)
    names = {k for k, _ in kinds}
    found = []
    for m in re.compile(rf"\b(?:{chosen})", re.IGNORECASE).finditer(sentence):
        kind = m.lastgroup if m.lastgroup in names else next(k for k in names if m.group(k))
        found.append((str(kind), m.start(), m.end()))
    return found


def test_dates_found_kind_by_kind_are_those_of_one_alternation() -> None:
    """Where two kinds match at one start, the kind listed first wins ("by 2030" is a
    deadline, not a year); where one match runs over the start of another, the later is
    searched again after it ("between 2025 and 2028" is a range, then no year inside)."""
    crafted = [
        "Deliveries run between 2025 and 2028, by 2030 at the latest, from 2024-2026.",
        "By the end of next year, in 2027 and since March 2024, on 9 July 2024 or July 9.",
        "The 2025 defence budget rose last year; two years ago it fell; in three years' time.",
        "Yesterday, on Monday, last week and earlier this month; in the coming months.",
        "In early June, from 2023 to 2025 and 2024–25; over five years; 2031 figures.",
        "No date here at all.",
    ]
    root = Path(__file__).parent
    articles = sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".md", ".html"))
    sentences = crafted + [
        line
        for path in articles
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip()
    ]
    assert len(sentences) > 1000
    for sentence in sentences:
        low, digits = sentence.lower(), has_digit(sentence)
        kinds = tuple(k for k, _ in _PATTERNS if _enabled(k, sentence, low, digits))
        expected = _dates_as_one_alternation(sentence)
        got = [(kind, m.start(), m.end()) for kind, m in kind_by_kind(sentence, kinds)]
        assert got == expected, sentence
        # and as reading finds them: kind by kind, or compiled once a combination recurs
        assert [(kind, m.start(), m.end()) for kind, m in _matches(sentence)] == expected
    first = [(kind, m.group(0)) for kind, m in _matches(crafted[0])]
    assert first == [("range", "between 2025 and 2028"), ("deadline", "by 2030"),
                     ("range", "2024-2026")]  # fmt: skip
