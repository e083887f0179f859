"""What a plan says about itself: met by date, demand served first, unmet demand shown,
who pays for an expansion. Each case is solved by hand in its comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from materiel.planner.api import plan
from materiel.planner.result import NOT_WITHIN_HORIZON, PlanResult, months_to_target
from materiel.scenario.load import load_scenario
from tests.scenario_kit import base_tables, demand_row, write_scenario

NO_RULE = {"industry_rule_months": 0}


def solve(folder: Path, **kwargs: Any) -> PlanResult:
    return plan(load_scenario(folder), explain=0, compare_pooling=False, **kwargs)


def _aid_from_stock(folder: Path) -> Path:
    """Stock 100 equal to its target, no production, aid of 5 a month for 36 months."""
    tables = base_tables(capacity=0, ceiling=0)
    tables["stockpiles"] = [
        {"ally": "AAA", "item": "SHELL", "initial": 100, "target": 100, "target_date": "2025-06"}
    ]
    tables["demand"] = [demand_row(5, "2025-01", "2027-12", recipient="UKR")]
    tables["budgets"] = [{"ally": "AAA", "year": y, "amount": 1e6} for y in (2025, 2026, 2027)]
    return write_scenario(folder, tables, horizon=36, policy=NO_RULE)


def test_aid_is_served_from_stock_before_stock_is_kept(tmp_path: Path) -> None:
    # Nothing can be made, so the 100 in stock are all there is. Demand first: the aid is
    # served from stock in months 0..19 (100 / 5 = 20 months), stock falls by 5 a month
    # to 0 at month 19, and only then is aid unmet, 5 a month in months 20..35 (80 in all).
    result = solve(_aid_from_stock(tmp_path / "aid"))
    stock = result.stock.sel(ally="AAA", group="SHELL").values
    np.testing.assert_allclose(stock[:20], 100 - 5 * np.arange(1, 21), atol=1e-6)
    np.testing.assert_allclose(stock[20:], 0, atol=1e-6)
    table = result.unmet_demand.set_index("month")
    np.testing.assert_allclose(table.loc[:19, "unmet"], 0, atol=1e-6)
    np.testing.assert_allclose(table.loc[20:, "unmet"], 5, atol=1e-6)
    np.testing.assert_allclose(table["served"] + table["unmet"], table["demand"])
    # All of the demand is aid, so all of the unmet demand is aid to UKR.
    np.testing.assert_allclose(table["aid_unmet"], table["unmet"], atol=1e-9)
    aid = result.aid_served().set_index("recipient")
    assert aid.at["UKR", "aid"] == pytest.approx(180)
    assert aid.at["UKR", "served"] == pytest.approx(100, abs=1e-6)
    assert aid.at["UKR", "unmet_pct"] == pytest.approx(100 * 80 / 180, abs=1e-6)
    totals = result.totals()
    assert totals["unmet_demand_total"] == pytest.approx(80, abs=1e-6)
    assert totals["aid_unmet_total"] == pytest.approx(80, abs=1e-6)


def test_aid_is_served_although_the_target_then_fails(tmp_path: Path) -> None:
    # The target (100, due 2025-06 = month 5) is met at the start and lost by serving aid:
    # stock[5] = 100 - 30 = 70, so it is not met by its date, and never again within the
    # horizon. Serving aid is the rule; the report says what it costs.
    result = solve(_aid_from_stock(tmp_path / "aid"))
    row = result.targets.iloc[0]
    assert row["stock_at_date"] == pytest.approx(70, abs=1e-6)
    assert not row["met_by_date"]
    assert row["month_met"] == NOT_WITHIN_HORIZON


def _met_then_consumed(folder: Path) -> Path:
    # Line of 10/month from month 0 (lag 0); target 50 by 2025-06 (month 5); from
    # 2025-09 (month 8) consumption of 20 a month.
    tables = base_tables(capacity=10, ceiling=10, lead_time=0)
    tables["stockpiles"] = [
        {"ally": "AAA", "item": "SHELL", "initial": 0, "target": 50, "target_date": "2025-06"}
    ]
    tables["demand"] = [demand_row(20, "2025-09", "2025-12")]
    return write_scenario(folder, tables, policy=NO_RULE)


def test_met_by_date_reads_the_stock_at_the_date(tmp_path: Path) -> None:
    # The fastest way to 50 is 10 a month: stock 10, 20, 30, 40, 50 at month 4. Every unit
    # helps (the target is lost at the end whatever the plan), so all 120 units the line
    # can make arrive within the horizon, 80 are consumed (20 a month in months 8-11) and
    # 40 are left. At the target date (month 5) stock is at least 50: met by its date (the
    # README's rule), although it does not stay met to the end, so months to target is
    # "not within horizon". Consumption is served in full. (Between months 5 and 10 the
    # path is one of several equally good ones.)
    result = solve(_met_then_consumed(tmp_path / "m"))
    stock = result.stock.sel(ally="AAA", group="SHELL").values
    np.testing.assert_allclose(stock[:5], [10, 20, 30, 40, 50], atol=1e-6)
    assert stock[-1] == pytest.approx(40, abs=1e-6)
    row = result.targets.iloc[0]
    assert row["met_by_date"]
    assert row["stock_at_date"] >= 50 - 1e-6
    assert row["months_to_target"] is None or np.isnan(row["months_to_target"])
    assert row["month_met"] == NOT_WITHIN_HORIZON
    assert result.totals()["met_by_date"] == 1
    assert result.totals()["unmet_demand_total"] == pytest.approx(0, abs=1e-6)


def test_months_to_target_tolerates_a_dip_within_the_stated_tolerance() -> None:
    # 100 reached at month 1; a dip to 99.6 (0.4 % below) at month 2 is within 0.5 %.
    stock = np.array([0.0, 100.0, 99.6, 100.0, 100.0])
    assert months_to_target(stock, 100, tolerance=0.005) == 1
    # Without tolerance the dip counts and the target is met from month 3.
    assert months_to_target(stock, 100, tolerance=0.0) == 3
    # A dip of 1 % is not within 0.5 %.
    assert months_to_target(np.array([0.0, 100.0, 99.0, 100.0]), 100, tolerance=0.005) == 3


def test_demand_without_targets_is_not_called_shortfall(tmp_path: Path) -> None:
    # Consumption of 15 a month from a line of 10: 5 a month are unmet whatever the plan.
    # No target, so the weighted shortfall is 0 and the first objective is all unmet
    # demand; 60 units unmet over 12 months, one third of the demand.
    tables = base_tables(capacity=10, ceiling=10, lead_time=0)
    tables["stockpiles"] = [{"ally": "AAA", "item": "SHELL", "initial": 0}]
    tables["demand"] = [demand_row(15, "2025-01", "2025-12")]
    result = solve(write_scenario(tmp_path / "d", tables, policy=NO_RULE))
    totals = result.totals()
    assert totals["targets"] == 0
    assert totals["weighted_shortfall"] == pytest.approx(0, abs=1e-9)
    assert totals["unmet_demand_penalty"] == pytest.approx(result.objective, rel=1e-6)
    assert totals["unmet_demand_total"] == pytest.approx(60, abs=1e-6)
    assert totals["unmet_demand_pct"] == pytest.approx(100 / 3, abs=1e-6)
    assert totals["aid_unmet_total"] == pytest.approx(0, abs=1e-9)
    yearly = result.unmet_by_year()
    assert yearly[["ally", "group", "year"]].values.tolist() == [["AAA", "SHELL", 2025]]
    assert yearly.at[0, "unmet"] == pytest.approx(60, abs=1e-6)


# --- who pays for an expansion ---------------------------------------------------------


def _expansion_two_allies(folder: Path, rule: str) -> Path:
    # One line in AAA: 10/month now, ceiling 30, lead 0, 1,000 per unit/month added.
    # AAA needs 100 (target) and BBB needs 300 by 2025-12: 400 in 12 months needs more
    # than 10/month, so the line expands (by 20, to 30/month: 360 in 12 months is not
    # enough either way, so every unit of capacity helps).
    tables: dict[str, list[dict[str, Any]]] = {
        "allies": [{"code": "AAA", "name": "Ally A"}, {"code": "BBB", "name": "Ally B"}],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": [
            {
                "id": "L1",
                "item": "SHELL",
                "producer": "P",
                "host": "AAA",
                "capacity": 10,
                "ceiling": 30,
                "lead_time": 0,
                "expansion_cost": 1000,
            }
        ],
        "stockpiles": [
            {"ally": "AAA", "item": "SHELL", "initial": 0, "target": 100, "target_date": "2025-12"},
            {"ally": "BBB", "item": "SHELL", "initial": 0, "target": 300, "target_date": "2025-12"},
        ],
        "budgets": [
            {"ally": "AAA", "year": 2025, "amount": 1e6},
            {"ally": "BBB", "year": 2025, "amount": 1e6},
        ],
    }
    return write_scenario(folder, tables, policy={**NO_RULE, "expansion_funding": rule})


@pytest.mark.parametrize(
    ("rule", "shares"),
    # host: AAA hosts the line and pays all of the 20 x 1,000 = 20,000.
    # users: requirements 100 and 300 -> 25 % and 75 %: 5,000 and 15,000.
    [("host", {"AAA": 1.0}), ("users", {"AAA": 0.25, "BBB": 0.75})],
)
def test_expansion_is_paid_by_the_stated_rule(
    tmp_path: Path, rule: str, shares: dict[str, float]
) -> None:
    result = solve(_expansion_two_allies(tmp_path / rule, rule))
    added = result.capacity_added().set_index("line")
    assert added.at["L1", "added"] == pytest.approx(20, abs=1e-6)
    funding = result.expansion_funding()
    paid = funding.groupby("ally")["amount"].sum().to_dict()
    assert paid == pytest.approx({a: 20_000 * s for a, s in shares.items()}, abs=1e-3)
    assert set(funding["year"]) == {2025}
    # The budget table counts the same money: each ally's spending is its goods plus
    # its share of the expansion.
    spend = result.spending().set_index("ally")["new_orders_and_expansion"]
    goods = (
        result.orders().groupby("ally")["quantity"].sum().reindex(["AAA", "BBB"], fill_value=0)
        * 100
    )
    for ally in ("AAA", "BBB"):
        assert float(spend[ally]) == pytest.approx(
            float(goods[ally]) + 20_000 * shares.get(ally, 0.0), abs=1e-3
        )
