"""The fast paths of reading: a digit found by one search, and the gazetteer's spellings
matched as a trie. Each must say exactly what the slow form it replaced says."""

from __future__ import annotations

import re

from materiel.ingest.cues import has_digit
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
