"""Reviewing candidate facts: accept, edit or reject each, by id, without a prompt.

The facts file is rewritten atomically after all changes are checked, so a mistyped id
changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from materiel.errors import InputError
from materiel.ingest.model import Fact


@dataclass
class ReviewActions:
    """What the reviewer decided; ``edits`` are ``(id, "field=value")`` pairs."""

    accept: Sequence[str] = ()
    reject: Sequence[str] = ()
    edits: Sequence[tuple[str, str]] = ()
    notes: Sequence[tuple[str, str]] = ()
    changed: list[str] = field(default_factory=list)


def parse_value(text: str) -> Any:
    """A field value from the command line: JSON where it parses (numbers, lists, null,
    true/false), otherwise the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _find(facts: dict[str, Fact], ident: str) -> Fact:
    if ident not in facts:
        matches = [f for key, f in facts.items() if key.startswith(ident)]
        if len(matches) == 1:
            return matches[0]
        raise InputError(f"no fact with id '{ident}'" + (" (ambiguous prefix)" if matches else ""))
    return facts[ident]


def apply_review(facts: list[Fact], actions: ReviewActions) -> list[str]:
    """Apply the decisions to ``facts`` in place; return a line per change made."""
    by_id = {f.id: f for f in facts}
    both = {_find(by_id, i).id for i in actions.accept} & {
        _find(by_id, i).id for i in actions.reject
    }
    if both:
        raise InputError(f"fact(s) both accepted and rejected: {', '.join(sorted(both))}")
    log: list[str] = []
    for ident, assignment in actions.edits:
        fact = _find(by_id, ident)
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--set {ident} {assignment!r}: expected field=value")
        old = fact.fields.get(name.strip())
        fact.fields[name.strip()] = parse_value(value)
        edit = f"{name.strip()}: {old!r} -> {fact.fields[name.strip()]!r}"
        fact.note = f"{fact.note}; edited {edit}" if fact.note else f"edited {edit}"
        log.append(f"{fact.id}: {edit}")
    for ident, note in actions.notes:
        fact = _find(by_id, ident)
        fact.note = f"{fact.note}; {note}" if fact.note else note
        log.append(f"{fact.id}: note added")
    for ident in actions.accept:
        fact = _find(by_id, ident)
        fact.status = "accepted"
        log.append(f"{fact.id}: accepted")
    for ident in actions.reject:
        fact = _find(by_id, ident)
        fact.status = "rejected"
        log.append(f"{fact.id}: rejected")
    return log
