"""Target dates steer the plan; scenario checks that protect the money figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.errors import ScenarioError
from materiel.planner.api import plan
from materiel.scenario.load import load_scenario
from tests.scenario_kit import base_tables, write_scenario


def test_earlier_due_date_is_served_first(tmp_path: Path) -> None:
    # One line 10/month, no expansion; A needs 60 by 2025-06 (month 5), B 60 by 2025-12
    # (month 11). 10/month to A in months 0-5 then to B in months 6-11 meets both on
    # time; sharing the line evenly would leave A 30 short at its date.
    tables = base_tables()
    tables["allies"].append({"code": "BBB", "name": "Ally B"})
    tables["stockpiles"] = [
        {"ally": "AAA", "item": "SHELL", "initial": 0, "target": 60, "target_date": "2025-06"},
        {"ally": "BBB", "item": "SHELL", "initial": 0, "target": 60, "target_date": "2025-12"},
    ]
    tables["budgets"].append({"ally": "BBB", "year": 2025, "amount": 1e9})
    result = plan(write_scenario(tmp_path / "d", tables), explain=0, compare_pooling=False)
    targets = result.targets.set_index("ally")
    assert bool(targets.at["AAA", "met_by_date"])
    assert bool(targets.at["BBB", "met_by_date"])
    assert targets.at["AAA", "month_met"] == "2025-06"


def test_a_tier_dearer_than_the_base_price_is_refused(tmp_path: Path) -> None:
    tables = base_tables()
    tables["price_tiers"] = [{"item": "SHELL", "min_quantity": 80, "unit_price": 300}]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write_scenario(tmp_path / "t", tables))
    (problem,) = caught.value.problems
    assert problem.file.endswith("price_tiers.csv")
    assert problem.row == 2
    assert problem.column == "unit_price"


def test_a_contract_buyer_must_hold_the_item(tmp_path: Path) -> None:
    tables = base_tables()
    tables["allies"].append({"code": "BBB", "name": "Ally B"})
    tables["contracts"] = [
        {
            "id": "C1",
            "buyers": "BBB",
            "line": "L1",
            "quantity": 50,
            "value": 5000,
            "currency": "USD",
            "start": "2025-02",
            "end": "2025-06",
        }
    ]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write_scenario(tmp_path / "c", tables))
    assert any(p.column == "buyers" and p.found == "BBB" for p in caught.value.problems)


@pytest.mark.slow
def test_demand_only_scenario_plans_with_pooling_comparison(tmp_path: Path) -> None:
    tables = base_tables()
    tables["stockpiles"][0].update(target=0)
    del tables["stockpiles"][0]["target_date"]
    tables["demand"] = [
        {
            "ally": "AAA",
            "item": "SHELL",
            "kind": "consumption",
            "start": "2025-01",
            "end": "2025-12",
            "per_month": 5,
        }
    ]
    tables["price_tiers"] = [{"item": "SHELL", "min_quantity": 50, "unit_price": 90}]
    result = plan(write_scenario(tmp_path / "o", tables), explain=1, compare_pooling=True)
    assert result.targets.empty
    assert float(result.solution.values["unmet_demand"].fillna(0).sum()) == pytest.approx(0)
    assert result.pooling is not None


def test_component_expansion_is_reported_and_funded(tmp_path: Path) -> None:
    # Line 20/month, but one component unit per shell and only 5/month of supply, which
    # can grow to 20 at 7 per unit/month with no lead time. Target 200 by month 11: the
    # supply must grow (5/month gives 60 in 12 months); whatever is added is paid for
    # once, in 2025, by the only ally: funding = 7 x added.
    tables = base_tables(capacity=20, ceiling=20)
    tables["stockpiles"][0].update(target=200)
    tables["components"] = [
        {
            "code": "HE",
            "name": "Explosive",
            "supply": 5,
            "ceiling": 20,
            "lead_time": 0,
            "expansion_cost": 7,
        }
    ]
    tables["bom"] = [{"item": "SHELL", "component": "HE", "quantity": 1}]
    result = plan(
        write_scenario(tmp_path / "c", tables, policy={"industry_rule_months": 0}),
        explain=0,
        compare_pooling=False,
    )
    supply = result.supply_added().set_index("component")
    added = supply.at["HE", "added"]
    assert added > 1e-6
    funding = result.expansion_funding()
    paid = funding[(funding["kind"] == "component") & (funding["for"] == "HE")]
    assert paid["amount"].sum() == pytest.approx(7 * added, rel=1e-6)
    assert set(paid["ally"]) == {"AAA"}
    assert result.totals()["supply_expansions"] == 1
