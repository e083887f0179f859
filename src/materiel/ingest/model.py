"""Candidate facts and their sources, as found in articles and written to a facts file.

A :class:`Fact` is one claim (a contract, a joint procurement, aid, a spending figure, a
pledge or a capacity plan) with its fields (see :mod:`materiel.ingest.extract`), the
sentence it came from, the file and the character span of that sentence in the file's
text, a confidence in [0, 1] and every source that states it. Where sources disagree on a
field, ``conflicts`` keeps each value with the index of its source in ``sources``; nothing
is averaged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: The kinds of fact, in the order they are reported.
FACT_KINDS: tuple[str, ...] = (
    "contract", "joint_procurement", "aid", "spending", "pledge", "capacity_plan",
)  # fmt: skip
#: Review states of a fact.
STATUSES: tuple[str, ...] = ("unreviewed", "accepted", "rejected")


@dataclass
class Source:
    """Where a fact was stated: file, character span, sentence, and the article's own data."""

    file: str
    start: int
    end: int
    sentence: str
    article_date: str | None = None
    title: str | None = None
    publisher: str | None = None
    #: The part of the page it is in, when not the article's text: "related headline" (a
    #: "Read also" headline that states the same fact).
    part: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]


def _source_dict(source: Source) -> dict[str, Any]:
    data = asdict(source)
    if data["part"] is None:
        del data["part"]  # the article's text
    return data


@dataclass
class Fact:
    """A candidate fact. ``sentence``, ``file`` and ``span`` are those of its first source."""

    kind: str
    fields: dict[str, Any]
    sources: list[Source]
    confidence: float
    id: str = ""
    conflicts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    status: str = "unreviewed"
    note: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            first = self.sources[0]
            fields = json.dumps(self.fields, sort_keys=True, default=str)
            key = f"{first.file}|{first.start}|{first.end}|{self.kind}|{fields}"
            self.id = "f" + hashlib.sha1(key.encode()).hexdigest()[:8]
        self.confidence = round(min(1.0, max(0.0, self.confidence)), 2)

    @property
    def sentence(self) -> str:
        return self.sources[0].sentence

    @property
    def file(self) -> str:
        return self.sources[0].file

    @property
    def span(self) -> tuple[int, int]:
        return (self.sources[0].start, self.sources[0].end)

    @property
    def conflicting(self) -> bool:
        return bool(self.conflicts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, with the first source's sentence, file and span on top."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "confidence": self.confidence,
            "conflicting": self.conflicting,
            "fields": self.fields,
            "sentence": self.sentence,
            "file": self.file,
            "span": list(self.span),
            "sources": [_source_dict(s) for s in self.sources],
            "conflicts": self.conflicts,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        """The inverse of :meth:`to_dict`."""
        sources = [Source.from_dict(s) for s in data.get("sources") or []]
        if not sources:
            start, end = data.get("span") or (0, 0)
            sources = [Source(data.get("file", ""), start, end, data.get("sentence", ""))]
        return cls(
            kind=data["kind"],
            fields=dict(data.get("fields") or {}),
            sources=sources,
            confidence=float(data.get("confidence", 0.0)),
            id=data.get("id", ""),
            conflicts=dict(data.get("conflicts") or {}),
            status=data.get("status", "unreviewed"),
            note=data.get("note"),
        )
