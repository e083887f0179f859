"""Review of the supply chains (issue 25): small cases worked out by hand that the
first tests did not cover (conventions as in test_supply_chain.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from materiel.errors import InfeasibleError, ScenarioError
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


def test_a_restriction_or_a_supplier_country_that_changes_nothing_is_warned(
    tmp_path: Path,
) -> None:
    """policy.restrict of a country no restrictable supplier is in, or from a month past
    the horizon, changes nothing; a supplier's country neither known nor an ally of the
    scenario (a typo: 'DUE' for DEU) counts as non-allied. Each loads, with a warning
    naming the file, the row and the column."""
    folder = two_suppliers(tmp_path / "s", restrict={"CHA": "2025-01", "CHN": "2031-01"})
    path = folder / "suppliers.csv"
    path.write_text(path.read_text().replace(",AAA,", ",DUE,"), encoding="utf-8")
    warned = {(Path(w.file).name, w.row, w.column, w.found) for w in load_scenario(folder).warnings}
    assert warned == {
        ("scenario.yaml", None, "policy.restrict.CHA", "CHA"),
        ("scenario.yaml", None, "policy.restrict.CHN", "2031-01"),
        ("suppliers.csv", 3, "country", "DUE"),
    }
    assert not load_scenario(two_suppliers(tmp_path / "t", restrict={"CHN": "2025-06"})).warnings


def with_contract(folder: Path) -> Path:
    """An existing contract of 60 shells from L1 in 2025: 5 shells (5 motors) a month."""
    (folder / "contracts.csv").write_text(
        "id,buyers,line,quantity,value,currency,start,end\nC1,AAA,L1,60,6000,USD,2025-01,2025-12\n",
        encoding="utf-8",
    )
    yaml = folder / "scenario.yaml"
    tables = "  suppliers: suppliers.csv\n"
    text = yaml.read_text(encoding="utf-8").replace(tables, tables + "  contracts: contracts.csv\n")
    yaml.write_text(text, encoding="utf-8")
    return folder


def test_a_restriction_existing_contracts_cannot_survive_is_named(tmp_path: Path) -> None:
    """With BIG (CHN) restricted from the start only SMALL's 2 motors a month are left
    and it cannot grow, where the contract takes 5: no plan exists. The error says so
    before any solve, naming the component, the month and the restriction (it said
    'check the contracts table')."""
    folder = with_contract(two_suppliers(tmp_path / "s", restrict={"CHN": "2025-01"}))
    with pytest.raises(InfeasibleError) as exc:
        solve(folder)
    assert exc.value.constraint == "component_supply[MOTOR, 2025-01]"
    assert "existing contracts take 5 a month" in exc.value.detail
    assert "at most 2 can be supplied" in exc.value.detail
    assert "policy.restrict stops BIG (CHN) from 2025-01" in exc.value.detail
    # without the restriction BIG's 8 are there: the contract's 5 and 5 more a month
    result = solve(with_contract(two_suppliers(tmp_path / "t")))
    assert stock(result) == pytest.approx(10.0 * np.arange(1, 13), abs=1e-6)


@pytest.mark.parametrize(
    ("restrict", "said"),
    [
        ({"CHN": "2025-13"}, "'2025-13' is not a month written YYYY-MM"),
        ({"china": "2025-01"}, "'china' is not an ISO3 code"),
    ],
)
def test_a_bad_restriction_is_named_in_the_yaml(
    tmp_path: Path, restrict: dict[str, str], said: str
) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(two_suppliers(tmp_path / "s", restrict=restrict))
    (problem,) = exc.value.problems
    assert (Path(problem.file).name, problem.column) == ("scenario.yaml", "policy.restrict")
    assert said in problem.message


def test_an_outage_stops_existing_contracts_too(tmp_path: Path) -> None:
    """The outage case with an existing contract taking 5 of the 10 motors a month. BIG
    stopping leaves SMALL's 2 for everything: the contract gets 2 (3 a month of its
    shells are not made), new orders none; stock 2, ..., 12, then 10 a month to 72, as
    without the contract: 12.9 − 5.5 target-months lost. (It said 4.625: the contract
    kept its 5 motors a month that no one supplied.)"""
    result = solve(with_contract(two_suppliers(tmp_path / "s")))
    assert result.objective == pytest.approx(5.5, rel=1e-6)
    row = result.supply_chain().iloc[0]
    assert row["outage_loss"] == pytest.approx(12.9 - 5.5, rel=1e-6)


def test_a_second_source_serves_existing_contracts_too(tmp_path: Path) -> None:
    """The second-source case (a line of 10 a month) with the contract taking 5 motors
    a month: BIG stopped, SMALL at its ceiling (10 from month 2) gives the contract its 5
    and new orders 5 from month 2: stock 2, 4, 14, ..., 104 as in the first tests, so
    the second source removes 12.9 − 8.2333 target-months (it said less: the contract
    was left short of the motors SMALL's expansion gives)."""
    result = solve(with_contract(two_suppliers(tmp_path / "s", small_ceiling=10, line=10)))
    row = result.supply_chain().iloc[0]
    assert row["outage_loss"] == pytest.approx(12.9 - 5.5, rel=1e-6)
    assert row["second_source"] == "SMALL"
    restricted = (118 + 116 + sum(120 - (4 + 10 * k) for k in range(1, 10)) + 10 * 16) / 120
    assert row["second_source_removes"] == pytest.approx(12.9 - restricted, rel=1e-6)
