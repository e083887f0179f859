"""Sentence splitting for news text, after mojibake has been repaired.

A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or brackets) followed by
white space and a capital letter, digit or opening quote, unless the word before the stop
is a known abbreviation ("U.S.", "Gen.", "Jan.") or a single initial. Paragraph breaks
always end a sentence. A stop between a lower-case word and a capitalised one with no
space ("ammunition.The", as pasted text often has it) ends a sentence too. Decimal points
("1.2") never do. A line that opens a list item ("-- 75,000 rounds ...", "• ...") starts a
sentence. A table (a Markdown table, or an HTML table as the HTML reader writes
it) is one block, never split.
"""

from __future__ import annotations

import itertools
import re

from materiel.ingest.tables import is_table

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "cmdr", "adm", "sgt", "rep",
    "sen", "gov", "pres", "prof", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co", "corp", "no", "nos", "vs",
    "approx", "est", "dept", "u.s", "u.k", "e.u", "e.g", "i.e", "etc", "fig", "vol", "mt",
}  # fmt: skip
_END_RE = re.compile(
    r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘„«(\[]?[A-Z0-9€$£„«])|"
    r"(?<=[a-z]{2})\.(?=[A-Z][a-z]+\s)"  # "ran out of ammunition.The deliveries": no space
)
_BREAK_RE = re.compile(r"\n\s*\n")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph (blocks separated by blank lines)."""
    spans = []
    pos = 0
    for match in _BREAK_RE.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [_strip(text, s, e) for s, e in spans if text[s:e].strip()]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text[start:end]``, in ``text`` coordinates."""
    end = len(text) if end is None else end
    spans = []
    for p_start, p_end in split_paragraphs(text[start:end]):
        p_start, p_end = p_start + start, p_end + start
        if is_table(text[p_start:p_end]):
            spans.append((p_start, p_end))  # a table is read row by row, as one block
            continue
        for b_start, b_end in _bullet_blocks(text, p_start, p_end):
            pos = b_start
            for match in _END_RE.finditer(text, b_start, b_end):
                if _is_abbreviation(text, pos, match.start()):
                    continue
                spans.append(_strip(text, pos, match.end()))
                pos = match.end()
            if text[pos:b_end].strip():
                spans.append(_strip(text, pos, b_end))
    return spans


#: A line that starts a list item ("-- 75,000 rounds", "- Norway $112 million", "• ...").
_BULLET_RE = re.compile(r"\n[ \t]*(?:-{1,2}|•|\*|–|—)[ \t]+(?=\S)")


def _bullet_blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The paragraph ``text[start:end]`` cut before each line that opens a list item."""
    if "\n" not in text[start:end]:
        return [(start, end)]
    cuts = [m.start() for m in _BULLET_RE.finditer(text, start, end)]
    bounds = [start, *cuts, end]
    return [(a, b) for a, b in itertools.pairwise(bounds) if text[a:b].strip()]


def _is_abbreviation(text: str, sentence_start: int, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation or an initial."""
    if text[stop] != ".":
        return False
    word_start = stop
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:stop].lstrip("(\"'“‘").lower()
    if word in _ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha()
