"""Gazetteers: the names of countries, agencies, companies and items, kept as data.

The built-in lists are CSV files in ``materiel/ingest/gazetteers/``. Users extend them by
passing folders holding files of the same names (``countries.csv``, ``agencies.csv``,
``companies.csv``, ``items.csv``) with the same columns; their rows are added to the
built-in ones, and a row whose id is already known adds its spellings to that entry.
Several spellings in one cell are separated by ``|``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from materiel.errors import InputError

#: The kinds of entity, in the order their files are read.
KINDS: tuple[str, ...] = ("country", "agency", "company", "item")
_FILES = {"country": "countries.csv", "agency": "agencies.csv", "company": "companies.csv"}
_FILES["item"] = "items.csv"
_ID_COLUMN = {"country": "iso3", "agency": "id", "company": "id", "item": "id"}
#: Columns whose spellings are matched, and the "form" a match of each is reported as.
_FORMS = {"name": "name", "aliases": "name", "demonyms": "demonym", "metonyms": "metonym"}


@dataclass(frozen=True)
class Entry:
    """One entity of a gazetteer."""

    kind: str
    id: str
    name: str
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Mention:
    """An entity named in a sentence, at ``[start, end)`` of that sentence."""

    kind: str
    id: str
    text: str
    start: int
    end: int
    form: str = "name"


#: Similarity [0, 100] from which a capitalised name is taken for a company's spelling.
FUZZY_SCORE = 90
#: Names shorter than this are only matched exactly.
FUZZY_MIN_LENGTH = 6
_NAME_RE = re.compile(r"\b[A-Z][\w&-]*[a-z][\w&-]*(?:\s+[A-Z][\w&-]+){0,3}")


def _trie(spellings: list[str]) -> str:
    """A regular expression matching any of ``spellings`` (sorted, distinct, not empty),
    that prefers the longest: at each character, the branches that go on are tried before
    ending there, so with what follows it the match is the longest that fits, as an
    alternation of the spellings longest first would give."""
    ends = False
    branches: dict[str, list[str]] = {}
    for spelling in spellings:
        if spelling:
            branches.setdefault(spelling[0], []).append(spelling[1:])
        else:
            ends = True
    parts = [re.escape(first) + _trie(rest) for first, rest in branches.items()]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?:{body})?" if ends else body


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def _title_case(spelling: str) -> str:
    """A spelling of several words with each word capitalised ("NATO procurement agency"
    → "NATO Procurement Agency"); capitals already written are kept."""
    words = spelling.split(" ")
    if len(words) < 2:
        return spelling
    return " ".join(w[:1].upper() + w[1:] for w in words)


class Gazetteer:
    """All known entities, and a matcher that finds them in text."""

    def __init__(self, rows: Iterable[tuple[str, dict[str, str]]]) -> None:
        self.entries: dict[tuple[str, str], Entry] = {}
        self._spellings: dict[str, tuple[str, str, str]] = {}
        for kind, row in rows:
            self._add(kind, row)
        self._pattern = self._compile()
        self._company_spellings = [
            s for s, (kind, _, _) in self._spellings.items()
            if kind == "company" and len(s) >= FUZZY_MIN_LENGTH
        ]  # fmt: skip
        self._fuzzy_cache: dict[str, str | None] = {}

    def _add(self, kind: str, row: dict[str, str]) -> None:
        ident = (row.get(_ID_COLUMN[kind]) or "").strip()
        name = (row.get("name") or "").strip()
        if not ident or (not name and (kind, ident) not in self.entries):
            return
        if (kind, ident) not in self.entries:
            extra = {k: v for k, v in row.items() if k and k not in _FORMS and v}
            self.entries[(kind, ident)] = Entry(kind, ident, name, extra)
        for column, form in _FORMS.items():
            for spelling in _split(row.get(column)):
                self._spellings.setdefault(spelling, (kind, ident, form))
                if kind == "item" and (spelling[-1].isdigit() or spelling[-1].isupper()):
                    # the plural of a designation: "F-35As", "K9s"
                    self._spellings.setdefault(spelling + "s", (kind, ident, form))
        if kind != "agency":
            return
        for column, form in _FORMS.items():  # as names and headlines write an agency's
            for spelling in _split(row.get(column)):
                self._spellings.setdefault(_title_case(spelling), (kind, ident, form))

    def _compile(self) -> re.Pattern[str]:
        """Every spelling, as a whole word, the longest that fits at each place first: the
        spellings as a trie (a branch for each next character, the longer tried before the
        shorter), which the regular expression engine walks a character at a time instead
        of trying each of some thousand spellings in turn."""
        alternation = _trie(sorted(self._spellings)) if self._spellings else r"(?!x)x"
        return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")

    def find(self, text: str) -> list[Mention]:
        """Every mention in ``text``, left to right, longest spelling first; then company
        names written a little differently ("Rheinmetal", "Lockheed-Martin"), matched with
        rapidfuzz."""
        found = []
        for match in self._pattern.finditer(text):
            kind, ident, form = self._spellings[match.group(0)]
            found.append(Mention(kind, ident, match.group(0), match.start(), match.end(), form))
        fuzzy = self._fuzzy(text, found)
        return sorted(found + fuzzy, key=lambda m: m.start) if fuzzy else found

    def _fuzzy(self, text: str, exact: list[Mention]) -> list[Mention]:
        found = []
        for match in _NAME_RE.finditer(text):
            name = match.group(0)
            if len(name) < FUZZY_MIN_LENGTH or any(
                m.start < match.end() and match.start() < m.end for m in exact
            ):
                continue
            spelling = self._closest(name)
            if spelling is not None:
                kind, ident, _ = self._spellings[spelling]
                found.append(Mention(kind, ident, name, match.start(), match.end(), "fuzzy"))
        return found

    def _closest(self, name: str) -> str | None:
        if name not in self._fuzzy_cache:
            from rapidfuzz import fuzz, process

            best = process.extractOne(
                name, self._company_spellings, scorer=fuzz.ratio, score_cutoff=FUZZY_SCORE
            )
            self._fuzzy_cache[name] = best[0] if best else None
        return self._fuzzy_cache[name]

    def spellings(self) -> dict[str, tuple[str, str, str]]:
        """Every spelling matched, with the ``(kind, id, form)`` it stands for."""
        return dict(self._spellings)

    def get(self, kind: str, ident: str) -> Entry | None:
        """The entry of that kind and id, if any."""
        return self.entries.get((kind, ident))


def _read_rows(path: Path, kind: str) -> list[tuple[str, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if _ID_COLUMN[kind] not in (reader.fieldnames or []):
                raise InputError(f"{path}: gazetteer needs a column '{_ID_COLUMN[kind]}'")
            return [(kind, dict(row)) for row in reader]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read gazetteer ({exc})") from exc


def load_gazetteer(extra_dirs: Sequence[Path] = ()) -> Gazetteer:
    """The built-in gazetteers, extended by files of the same names in ``extra_dirs``."""
    rows: list[tuple[str, dict[str, str]]] = []
    builtin = resources.files("materiel.ingest") / "gazetteers"
    for kind in KINDS:
        with resources.as_file(builtin / _FILES[kind]) as path:
            rows.extend(_read_rows(Path(path), kind))
    for folder in extra_dirs:
        if not Path(folder).is_dir():
            raise InputError(f"{folder}: gazetteer folder not found")
        for kind in KINDS:
            path = Path(folder) / _FILES[kind]
            if path.exists():
                rows.extend(_read_rows(path, kind))
    return Gazetteer(rows)
