"""A plan run's headline figures beyond its counts: what pooling is worth, from the
plan's own summary (the pooling comparison the planner made with the plan, kept as
``pooling_*`` keys: :meth:`materiel.planner.PlanResult.pooling_summary`), in the
report's sentence (:func:`materiel.report.pooling_sentence`). They are sums over every
ally: the store serves them only to users who see every ally's figures (a nation
analyst's summary holds counts only), so a summary without them says nothing."""

from __future__ import annotations

from typing import Any

from materiel.planner import POOLING_PREFIX
from materiel.report import pooling_sentence


def pooling(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    """What pooling is worth in a run's ``summary`` as the user is served it: the money
    saved [currency] and the weighted shortfall it saves [target-months] (None when the
    comparison is unavailable), the currency and the report's sentence; None when the
    summary has no pooling figures (the user may not see them, or the run has none)."""
    attrs = {
        key.removeprefix(POOLING_PREFIX): value
        for key, value in (summary or {}).items()
        if key.startswith(POOLING_PREFIX)
    }
    if not attrs:
        return None
    available = not attrs.get("unavailable")
    return {
        "money_saved": attrs.get("money_saved") if available else None,
        "shortfall_gain": attrs.get("shortfall_gain") if available else None,
        "currency": attrs.get("currency", ""),
        "sentence": pooling_sentence(attrs),
    }
