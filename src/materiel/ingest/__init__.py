"""From press releases and news to candidate facts, offline.

``materiel ingest`` reads text, Markdown and HTML articles, keeps their main text (no
boilerplate, navigation or comment sections), repairs mojibake, splits sentences and finds
contracts, joint procurement, aid, defence spending, pledges and capacity plans, each with
its actors by role, figures, status and qualifiers, and every sentence, file and character
span it was read from. Facts told over several sentences are read as one; the same event
from several articles is merged, and disagreeing figures are kept side by side.
"""

from __future__ import annotations

from materiel.ingest.factsfile import facts_to_json, read_facts, write_atomic, write_facts
from materiel.ingest.model import FACT_KINDS, STATUSES, Fact, Source
from materiel.ingest.pipeline import IngestResult, ingest
from materiel.ingest.review import ReviewActions, apply_review

__all__ = [
    "FACT_KINDS",
    "STATUSES",
    "Fact",
    "IngestResult",
    "ReviewActions",
    "Source",
    "annotations",
    "apply_review",
    "facts_to_json",
    "ingest",
    "read_facts",
    "write_atomic",
    "write_facts",
]
