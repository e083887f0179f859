"""A plan keeps what pooling is worth in its summary (``pooling_*`` keys, the pooling
comparison's figures), so that a stored run says it as the report does: on the
hand-solved price-tier case (tests/planner/test_hand_solved.py, e) pooling saves 240."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.planner.test_hand_solved import REL, _pooling_tier, solve


def test_the_plan_summary_keeps_what_pooling_is_worth(tmp_path: Path) -> None:
    # Alone each ally pays 10 a unit for 60 (600 + 600); pooled 120 units reach the tier
    # of 8: 960. Both meet their targets by month 5, so the shortfall is the same.
    result = solve(
        _pooling_tier(tmp_path / "e"), overrides=["policy.pooling=false"], pooling_value=True
    )
    summary = result.plan.summary
    assert summary["pooling_money_saved"] == pytest.approx(240, rel=REL)
    assert summary["pooling_spending_alone"] == pytest.approx(1_200, rel=REL)
    assert summary["pooling_spending_pooled"] == pytest.approx(960, rel=REL)
    assert summary["pooling_shortfall_gain"] == pytest.approx(0, abs=1e-9)
    assert summary["pooling_has_tiers"] is True and summary["pooling_currency"] == "USD"


def test_a_plan_without_the_comparison_keeps_no_pooling_figures(tmp_path: Path) -> None:
    result = solve(_pooling_tier(tmp_path / "e"), pooling_value=False)
    assert not [k for k in result.plan.summary if k.startswith("pooling_")]
