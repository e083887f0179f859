"""The ingest run: files in, candidate facts out, bad files reported and skipped."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from materiel.errors import InputError
from materiel.ingest.context import facts_of_document
from materiel.ingest.document import SUFFIXES, BadFile, Document, read_document
from materiel.ingest.gazetteer import Gazetteer, load_gazetteer
from materiel.ingest.lists import list_facts
from materiel.ingest.merge import Merger
from materiel.ingest.model import Fact
from materiel.ingest.related import add_related_sources


@dataclass
class IngestResult:
    """Facts found (merged across articles), and what could not be read."""

    facts: list[Fact] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Article files named or inside named folders (sorted), each once; and a line for
    every path that will not be read, with the reason.

    In a folder, files ending in .txt, .md or .html and files without an extension are
    read; every other file is listed as skipped (a .pdf, a .json, ...). A file reached
    twice (a symlink to another article) is read once. Something that is neither a file
    nor a folder (``/dev/null``, a socket) is "not a regular file".
    """
    files: list[Path] = []
    problems: list[str] = []
    seen: dict[Path, Path] = {}

    def add(path: Path) -> None:
        real = path.resolve()
        if real in seen:
            problems.append(f"{path}: same file as {seen[real]}; read once")
            return
        seen[real] = path
        files.append(path)

    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink())
            readable = [p for p in found if p.suffix.lower() in SUFFIXES or not p.suffix]
            for other in found:
                if other not in readable:
                    kind = other.suffix.lower() or "no extension"
                    problems.append(
                        f"{other}: not an article file ({kind}); reads .txt, .md and .html"
                    )
            if not readable:
                problems.append(f"{path}: folder holds no .txt, .md or .html files")
            for p in readable:
                add(p)
        elif path.is_file():
            add(path)
        elif path.exists() or path.is_symlink():
            reason = "broken symbolic link" if not path.exists() else "not a regular file"
            problems.append(f"{path}: {reason}")
        else:
            problems.append(f"{path}: no such file or folder")
    return files, problems


#: Files from which articles are read by several processes (one per core, at most 4).
PARALLEL_FROM = 32
_WORKER_GAZETTEER: Gazetteer | None = None
_Outcome = str | tuple[list[Fact], list[str]]


def _warnings(doc: Document) -> list[str]:
    warnings = list(doc.warnings)
    if doc.date is None:
        warnings.append(f"{doc.path}: no article date; relative dates left unresolved")
    return warnings


def _facts_and_warnings(doc: Document, gazetteer: Gazetteer) -> _Outcome:
    facts = list_facts(doc, gazetteer, facts_of_document(doc, gazetteer))
    if doc.related:
        add_related_sources(doc, gazetteer, facts)
    return facts, _warnings(doc)


def _read_one(path: Path, default_date: date | None, gazetteer: Gazetteer) -> _Outcome:
    """The facts and warnings of one file, or the line saying why it cannot be read."""
    try:
        doc = read_document(path, default_date)
    except BadFile as exc:
        return str(exc)
    return _facts_and_warnings(doc, gazetteer)


def _worker_init(gazetteer: Gazetteer) -> None:
    global _WORKER_GAZETTEER
    _WORKER_GAZETTEER = gazetteer


def _worker(args: tuple[Path, date | None]) -> _Outcome:
    assert _WORKER_GAZETTEER is not None
    return _read_one(args[0], args[1], _WORKER_GAZETTEER)


#: Sentences from which one file is read in parts by several processes.
PARTS_FROM = 4000
_BIG_DOC: Document | None = None


def _part_worker(part: tuple[int, int]) -> list[Fact]:
    assert _BIG_DOC is not None and _WORKER_GAZETTEER is not None
    return facts_of_document(_BIG_DOC, _WORKER_GAZETTEER, part)


def _read_big(doc: Document, gazetteer: Gazetteer, workers: int) -> list[Fact]:
    """The facts of a very large file, its sentences read in parts by forked processes
    (which share the document without copying it); a fact spread over a part boundary
    may be missed."""
    global _BIG_DOC
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    n = len(doc.sentences)
    size = -(-n // (workers * 4))
    parts = [(start, min(n, start + size)) for start in range(0, n, size)]
    _BIG_DOC = doc
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_worker_init, initargs=(gazetteer,)
        ) as pool:
            return [fact for found in pool.map(_part_worker, parts) for fact in found]
    finally:
        _BIG_DOC = None


def _read_all(
    files: list[Path], default_date: date | None, gazetteer: Gazetteer
) -> Iterator[tuple[Path, _Outcome]]:
    """Each file with its outcome, in order; many files are read by a process pool, and a
    very large file in parts."""
    workers = min(os.cpu_count() or 1, 4)
    forks = hasattr(os, "fork")
    if len(files) < PARALLEL_FROM or workers < 2:
        for path in files:
            try:
                doc = read_document(path, default_date)
            except BadFile as exc:
                yield path, str(exc)
                continue
            if len(doc.sentences) < PARTS_FROM or workers < 2 or not forks:
                yield path, _facts_and_warnings(doc, gazetteer)
            else:
                found = list_facts(doc, gazetteer, _read_big(doc, gazetteer, workers))
                add_related_sources(doc, gazetteer, found)
                yield path, (found, _warnings(doc))
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0  # outcomes given, each as soon as read (the caller merges meanwhile)
    try:
        with ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(gazetteer,)) as pool:
            jobs = [(path, default_date) for path in files]
            for outcome in pool.map(_worker, jobs, chunksize=16):
                yield files[done], outcome
                done += 1
    except (BrokenProcessPool, OSError):  # no processes to be had: read the rest here
        for path in files[done:]:
            yield path, _read_one(path, default_date, gazetteer)


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
    families = {
        ident: entry.extra["family"]
        for (kind, ident), entry in gazetteer.entries.items()
        if kind == "item" and entry.extra.get("family")
    }
    merger = Merger(families) if merge else None
    facts: list[Fact] = []
    for path, outcome in _read_all(files, default_date, gazetteer):
        if isinstance(outcome, str):
            result.problems.append(outcome)
            continue
        found, warnings = outcome
        result.read.append(str(path))
        result.warnings.extend(warnings)
        if merger is None:
            facts.extend(found)
        else:  # merged while the other files are read
            for fact in found:
                merger.add(fact)
    if not result.read:
        detail = "; ".join(result.problems) or "nothing given"
        raise InputError(f"no article could be read ({detail})")
    result.facts = facts if merger is None else merger.merged()
    return result
