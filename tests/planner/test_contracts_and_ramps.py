"""The second-generation model by hand: contract periods, ramp rates, sustainment and
idle cost. Each case is solved by hand in its comment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from materiel.planner.api import plan
from materiel.planner.result import NOT_WITHIN_HORIZON, PlanResult
from materiel.scenario.load import load_scenario
from tests.scenario_kit import base_tables, one_line, write_scenario

NO_RULE = {"industry_rule_months": 0}


def solve(folder: Path) -> PlanResult:
    return plan(load_scenario(folder), explain=0, compare_pooling=False)


def bought(result: PlanResult) -> float:
    return float(result.deliveries.sum())


@pytest.mark.parametrize(
    ("period", "units"),
    # One line of 10/month, target 50 by 2025-12, nothing in stock. The fastest way to
    # 50 is 10 a month from month 0 (met at month 4). With 12-month contract periods the
    # rate holds all year: 120 units. With 6-month periods the second period's rate can
    # drop to 0 (stock 60 at month 5 stays above 50): 60 units. Monthly: exactly 50.
    [(12, 120.0), (6, 60.0), (1, 50.0)],
)
def test_contract_periods_set_the_granularity_of_orders(
    tmp_path: Path, period: int, units: float
) -> None:
    folder = one_line(tmp_path / f"p{period}", policy={**NO_RULE, "order_period_months": period})
    result = solve(folder)
    assert result.targets.iloc[0]["months_to_target"] == 4
    assert bought(result) == pytest.approx(units, abs=1e-6)
    contracts = result.contracts
    # one contract per period with a rate (a rate that repeats is the same contract)
    assert set(contracts["rate"].round(6)) == {10.0}
    assert float(contracts["quantity"].sum()) == pytest.approx(units, abs=1e-6)
    if period == 12:
        [row] = contracts.to_dict("records")
        assert (row["first_delivery"], row["last_delivery"], row["months"]) == (
            "2025-01",
            "2025-12",
            12,
        )


def _ramp_case(folder: Path, ramp: float) -> Path:
    # Output now 2,000/month, ceiling 10,000 usable at once (lead 0, free expansion);
    # target 30,000 by 2025-12; monthly contracts.
    tables = base_tables(capacity=2000, ceiling=10000, lead_time=0, ramp=ramp)
    tables["stockpiles"] = [
        {"ally": "AAA", "item": "SHELL", "initial": 0, "target": 30000, "target_date": "2025-12"}
    ]
    return write_scenario(folder, tables, policy=NO_RULE)


def test_ramp_rate_sets_the_month_a_target_is_met(tmp_path: Path) -> None:
    # Ramp 2,000/month from 2,000 now: at most 4,000, 6,000, 8,000, then 10,000 a month;
    # cumulative 4,000, 10,000, 18,000, 28,000, 38,000: 30,000 is first reached at
    # month 4 (2025-05). Without a ramp limit the line makes 10,000 a month at once:
    # 10,000, 20,000, 30,000, met at month 2.
    result = solve(_ramp_case(tmp_path / "ramp", 2000))
    row = result.targets.iloc[0]
    assert row["months_to_target"] == 4
    assert row["month_met"] == "2025-05"
    output = result.capacity_by_month().set_index("month")["output"].to_numpy()
    rise = np.diff(output, prepend=2000.0)
    assert rise.max() <= 2000 + 1e-6
    free = solve(_ramp_case(tmp_path / "free", 1e9))
    assert free.targets.iloc[0]["months_to_target"] == 2


def _warm_line(
    folder: Path,
    *,
    min_util: float,
    idle_cost: float,
    budget: float,
    price: float,
    horizon: int = 24,
) -> Path:
    # Line of 10/month now, 20 at the ceiling, usable at once, free to expand.
    tables = base_tables(
        capacity=10,
        ceiling=20,
        lead_time=0,
        min_utilisation=min_util,
        idle_cost=idle_cost,
    )
    tables["items"][0]["unit_price"] = price
    tables["stockpiles"] = [
        {"ally": "AAA", "item": "SHELL", "initial": 0, "target": 180, "target_date": "2025-06"}
    ]
    tables["budgets"] = [
        {"ally": "AAA", "year": 2025, "amount": budget},
        {"ally": "AAA", "year": 2026, "amount": 0},
    ]
    return write_scenario(folder, tables, horizon=horizon, policy=NO_RULE)


def test_sustainment_binds_after_the_target_is_met(tmp_path: Path) -> None:
    # 180 by month 5 is out of reach (at most 20 a month), so the line expands by 10 at
    # once and delivers 20 a month: 180 at month 8. After that more stock is worth
    # nothing, but the expanded line keeps orders of at least half the 10 added (5 a
    # month), since idle capacity costs far more than the goods: 5 a month in months
    # 9-11, 195 in all. Without the rule the plan stops at 180.
    warm = solve(
        _warm_line(tmp_path / "warm", min_util=0.5, idle_cost=1e6, budget=1e9, price=1, horizon=12)
    )
    assert warm.capacity_added().set_index("line").at["L1", "added"] == pytest.approx(10)
    assert warm.targets.iloc[0]["months_to_target"] == 8
    arrive = warm.deliveries.sel(line="L1", ally="AAA").values
    np.testing.assert_allclose(arrive[9:], 5, atol=1e-6)
    assert bought(warm) == pytest.approx(195, abs=1e-6)
    cold = solve(
        _warm_line(tmp_path / "cold", min_util=0.0, idle_cost=0, budget=1e9, price=1, horizon=12)
    )
    assert bought(cold) == pytest.approx(180, abs=1e-6)


def test_idle_cost_decides_whether_to_expand(tmp_path: Path) -> None:
    # Two years; money in 2025 only. Expanding by 10 at once brings 180 forward from
    # "never" (10 a month for the 12 months there is money: 120) to month 8 (20 a month).
    # But a fully sustained line (min_utilisation 1) needs orders or idle capacity of
    # 10 a month through 2026, when there is no money: with idle capacity free the plan
    # expands by 10, with idle capacity at 100 a unit-month it cannot expand at all.
    def case(name: str, idle_cost: float) -> PlanResult:
        folder = _warm_line(
            tmp_path / name, min_util=1.0, idle_cost=idle_cost, budget=1e9, price=10
        )
        return solve(folder)

    free = case("free", 0.0)
    dear = case("dear", 100.0)
    assert free.capacity_added().set_index("line").at["L1", "added"] == pytest.approx(10)
    assert free.targets.iloc[0]["months_to_target"] == 8
    assert dear.capacity_added().set_index("line").at["L1", "added"] == pytest.approx(0, abs=1e-6)
    assert dear.targets.iloc[0]["month_met"] == NOT_WITHIN_HORIZON
    assert bought(dear) == pytest.approx(120, abs=1e-6)


@pytest.mark.parametrize("whole_lots", ["true", "false"])
def test_a_line_makes_no_output_that_nothing_takes(tmp_path: Path, whole_lots: str) -> None:
    # An existing contract of 60 over 2025 (5 a month) on a line of 10 a month, and its
    # cost is the whole budget: nothing new can be bought. By hand: the line makes 5 a
    # month, what the contract takes, and holds nothing. Without the least-cost stage's
    # tie-break it made 10 and kept 50 that no one ordered (issue 20).
    import yaml

    from tests.scenario_kit import write_table

    folder = one_line(tmp_path / "s", capacity=10, ceiling=10, target=59, budget=6000)
    contract = {"id": "K1", "buyers": "AAA", "line": "L1", "quantity": 60, "value": 6000}
    period = {"currency": "USD", "start": "2025-01", "end": "2025-12"}
    write_table(folder / "contracts.csv", [{**contract, **period}])
    doc = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    doc["tables"]["contracts"] = "contracts.csv"
    (folder / "scenario.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    scenario = load_scenario(folder, [f"policy.whole_lots={whole_lots}"])
    capacity = plan(scenario, explain=0, compare_pooling=False).capacity_by_month()
    np.testing.assert_allclose(capacity["output"], 5.0, atol=1e-6)
    np.testing.assert_allclose(capacity["held"], 0.0, atol=1e-6)
