"""Review of the supply chains (issue 25): small cases worked out by hand that the
first tests did not cover (conventions as in test_supply_chain.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from materiel.planner.api import plan
from materiel.scenario.load import load_scenario
from tests.planner.test_supply_chain import qualification, solve, stock, two_suppliers


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


def test_a_qualification_is_usable_when_the_model_first_uses_it(tmp_path: Path) -> None:
    """3-month contract periods and a delivery lag of 2 on RB's line: period 0's rate
    arrives from month 2, when the qualification (lead 2) is usable, so the model
    serves AAA from month 2 (2025-03): stock 0, 0, 10, ..., 100. The table says so
    (it said the next period's start, 2025-04, whatever the lag)."""
    folder = qualification(tmp_path / "s", cost=50)
    lines = folder / "lines.csv"
    table = pd.read_csv(lines)
    table["delivery_lag"] = 2
    table.to_csv(lines, index=False)
    scenario = load_scenario(folder, overrides=["policy.order_period_months=3"])
    result = plan(scenario, explain=0, compare_pooling=False)
    assert stock(result, "G") == pytest.approx([0, 0, *(10.0 * np.arange(1, 11))], abs=1e-6)
    row = result.qualifications().iloc[0]
    assert (bool(row["taken"]), row["usable_from"]) == (True, "2025-03")
