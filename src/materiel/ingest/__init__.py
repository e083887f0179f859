"""From press releases and news to candidate facts, offline.

``materiel ingest`` reads text, Markdown and HTML articles, skips site boilerplate and
comment sections, repairs mojibake, splits sentences and finds contracts, defence
spending, aid, joint procurement and plans, each with its sentence, file, character span,
confidence and sources. Duplicates across articles are merged; disagreeing figures are
kept side by side and marked as conflicting.
"""

from __future__ import annotations

from materiel.ingest.model import FACT_KINDS, Fact, Source
from materiel.ingest.pipeline import IngestResult, ingest

__all__ = ["FACT_KINDS", "Fact", "IngestResult", "Source", "ingest"]
