"""Review of the supply chains (issue 25): small cases worked out by hand that the
first tests did not cover (conventions as in test_supply_chain.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.planner.test_supply_chain import solve, two_suppliers


def test_supply_ordered_by_the_suppliers_lead_time(tmp_path: Path) -> None:
    """BIG (CHN) restricted from the start, SMALL (lead 2, the component's own row lead
    0) grows by 8 from month 2 (2025-03): ordered at month 0 (2025-01), by SMALL's lead
    time, not the components row's (which a sourced component does not use)."""
    result = solve(two_suppliers(tmp_path / "s", small_ceiling=10, restrict={"CHN": "2025-01"}))
    row = result.supply_added().set_index("component").loc["MOTOR"]
    assert (row["added"], row["first_usable"], row["ordered"]) == (
        pytest.approx(8.0),
        "2025-03",
        "2025-01",
    )
