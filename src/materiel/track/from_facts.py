"""Reviewed facts from ``materiel ingest`` turned into pledge-ledger entries.

Only facts a reviewer **accepted** (``materiel facts review --accept``) are read. Two
kinds become pledges:

- a spending pledge (fact kind ``pledge``, an ally and a share of GDP by a year)
  -> a ``spending`` pledge [% of GDP];
- aid given per year (fact kind ``aid`` with ``per_year``, a donor, an amount and a
  currency) -> an ``aid`` pledge [bn of that currency a year].

Each entry's source names the article (title, publisher, date), the file and character
span of the sentence and the fact's id, and its note quotes the sentence. Facts with
conflicting figures must be settled in review first. Every candidate is validated before
anything is written: one bad accepted fact refuses the whole import, with every reason.
Facts already in the ledger are reported and not added twice, so an import can be re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from materiel.errors import InputError
from materiel.track.ledger_model import make_pledge


@dataclass(frozen=True)
class Candidate:
    """A reviewed fact and the pledge fields it gives (``fields``) or why not (``reason``)."""

    fact_id: str
    fields: dict[str, Any] | None
    reason: str = ""


def _source(fact: Any) -> tuple[str, str | None]:
    """(citation, source date) of a fact's first source."""
    first = fact.sources[0]
    parts = [p for p in (first.title, first.publisher, first.article_date) if p]
    where = f"{first.file}, characters {first.start}-{first.end}"
    head = ", ".join(parts) if parts else "article"
    return f"{head} ({where}; ingest fact {fact.id})", first.article_date


def pledge_fields(fact: Any) -> Candidate:
    """The ledger fields a reviewed fact gives, or the reason it gives none."""
    fields, actors = fact.fields, fact.fields.get("actors") or {}
    if fact.conflicts:
        return Candidate(fact.id, None, "conflicting figures: settle them in review first")
    source, date = _source(fact)
    common = {"source": source, "date": date, "note": f"from the sentence: {fact.sentence}"}
    if fact.kind == "pledge" and fields.get("share_of_gdp") is not None:
        return Candidate(
            fact.id,
            {
                **common,
                "ally": actors.get("ally", ""),
                "kind": "spending",
                "value": fields["share_of_gdp"],
                "by_year": fields.get("year"),
            },
        )
    if fact.kind == "aid" and fields.get("per_year") and fields.get("value") is not None:
        return Candidate(
            fact.id,
            {
                **common,
                "ally": actors.get("donor", ""),
                "kind": "aid",
                "value": float(fields["value"]) / 1e9,
                "unit": str(fields.get("currency") or ""),
            },
        )
    return Candidate(fact.id, None, f"{fact.kind} fact, not a pledge")


def read_candidates(path: Path) -> tuple[list[Candidate], int]:
    """(candidates from the accepted facts of a facts file, number of facts not accepted)."""
    from materiel.ingest import read_facts

    facts = read_facts(path)
    accepted = [f for f in facts if f.status == "accepted"]
    return [pledge_fields(f) for f in accepted], len(facts) - len(accepted)


def check_candidates(candidates: list[Candidate]) -> list[dict[str, Any]]:
    """The pledge fields of every usable candidate; InputError naming each invalid one."""
    usable = [c for c in candidates if c.fields is not None]
    problems = []
    for c in usable:
        try:
            make_pledge(id="P0000", **(c.fields or {}))
        except InputError as exc:
            problems.append(f"fact {c.fact_id}: {exc}")
    if problems:
        raise InputError(
            "accepted facts that cannot become pledges (nothing was written):\n  "
            + "\n  ".join(problems)
        )
    return [c.fields for c in usable if c.fields is not None]
