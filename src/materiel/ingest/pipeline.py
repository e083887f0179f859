"""The ingest run: files in, candidate facts out, bad files reported and skipped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from materiel.errors import InputError
from materiel.ingest.context import facts_of_document
from materiel.ingest.document import SUFFIXES, BadFile, read_document
from materiel.ingest.gazetteer import Gazetteer, load_gazetteer
from materiel.ingest.merge import merge_facts
from materiel.ingest.model import Fact


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
