"""The ingest run: files in, candidate facts out, bad files reported and skipped."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from materiel.errors import InputError
from materiel.ingest.analyse import Sentence, analyse
from materiel.ingest.dates import date_fields
from materiel.ingest.document import SUFFIXES, BadFile, Document, read_document
from materiel.ingest.extract import extract, money_fields
from materiel.ingest.gazetteer import Gazetteer, load_gazetteer
from materiel.ingest.merge import merge_facts
from materiel.ingest.model import Fact, Source


@dataclass
class IngestResult:
    """Facts found (merged across articles), and what could not be read."""

    facts: list[Fact] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Files named, plus article files inside named folders (sorted); and missing paths."""
    files: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            if not found:
                missing.append(f"{path}: folder holds no .txt, .md or .html files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"{path}: no such file or folder")
    return files, missing


_ANAPHORA_RE = re.compile(
    r"^(?:the|this|that)\s+(?:contract|deal|order|agreement|framework|purchase)\b", re.I
)


def _source(doc: Document, index: int) -> Source:
    o_start, o_end = doc.text.span(*doc.sentences[index])
    return Source(
        file=doc.path,
        start=o_start,
        end=o_end,
        sentence=doc.sentence(index),
        article_date=doc.date.isoformat() if doc.date else None,
        title=doc.title,
        publisher=doc.publisher,
    )


def _completes(previous: Fact | None, sentence: Sentence) -> bool:
    """Whether ``sentence`` ("The contract is valued at ...") gives the value that the
    contract of the sentence before it lacks."""
    return (
        previous is not None
        and previous.kind == "contract"
        and previous.fields.get("value") is None
        and previous.fields.get("value_low") is None
        and bool(sentence.money)
        and bool(_ANAPHORA_RE.match(sentence.text))
    )


def facts_of_document(doc: Document, gazetteer: Gazetteer) -> list[Fact]:
    """Candidate facts of one article, one per statement (not merged).

    A sentence that only gives the value of the contract in the sentence before it
    ("The contract is valued at about €5.6 billion") completes that fact and becomes its
    second source.
    """
    facts: list[Fact] = []
    previous: Fact | None = None
    for index in range(len(doc.sentences)):
        sentence = analyse(doc.sentence(index), gazetteer, doc.date)
        found = extract(sentence)
        if previous is not None and _completes(previous, sentence) and not found:
            previous.fields.update(money_fields(sentence.money[0]))
            for key, value in date_fields(sentence.dates).items():
                previous.fields.setdefault(key, value)
            previous.sources.append(_source(doc, index))
            previous.confidence = min(1.0, previous.confidence + 0.05)
            previous = None
            continue
        new = [Fact(f["kind"], f["fields"], [_source(doc, index)], f["confidence"]) for f in found]
        facts.extend(new)
        previous = new[-1] if new else None
    return facts


def ingest(
    paths: Sequence[Path],
    *,
    default_date: date | None = None,
    gazetteer_dirs: Sequence[Path] = (),
    merge: bool = True,
) -> IngestResult:
    """Read every article under ``paths`` and return the candidate facts.

    A file that cannot be read is reported in ``problems`` and the run goes on. Raises
    :class:`~materiel.errors.InputError` only when no file at all could be read.
    """
    gazetteer = load_gazetteer(gazetteer_dirs)
    files, missing = expand_paths(paths)
    result = IngestResult(problems=list(missing))
    facts: list[Fact] = []
    for path in files:
        try:
            doc = read_document(path, default_date)
        except BadFile as exc:
            result.problems.append(str(exc))
            continue
        result.read.append(str(path))
        result.warnings.extend(doc.warnings)
        if doc.date is None:
            result.warnings.append(f"{path}: no article date; relative dates left unresolved")
        facts.extend(facts_of_document(doc, gazetteer))
    if not result.read:
        detail = "; ".join(result.problems) or "nothing given"
        raise InputError(f"no article could be read ({detail})")
    result.facts = merge_facts(facts) if merge else facts
    return result
