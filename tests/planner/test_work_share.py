"""The work share rule (policy.work_share) and its price, solved by hand.

Two allies stock one interoperability group G made by two items: S1 (price 100) on line
L1 hosted by AAA, S2 (price 150, the dearer) on line L2 hosted by BBB. Both lines can
deliver everything in month 0, so without the rule every order goes to L1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from materiel.errors import ScenarioError
from materiel.planner.api import plan
from materiel.planner.model import C, build_model
from materiel.planner.result import PlanResult
from materiel.scenario import build_inputs
from materiel.scenario.load import load_scenario
from tests.scenario_kit import NO_RAMP, write_scenario

TOL = 1e-6


def _line(line: str, item: str, host: str) -> dict[str, Any]:
    return {
        "id": line,
        "item": item,
        "producer": f"P{line}",
        "host": host,
        "capacity": 1000,
        "ceiling": 1000,
        "lead_time": 0,
        "ramp": NO_RAMP,
    }


def two_allies(tmp_path: Path, *, budget_b: float = 1e9, **policy: Any) -> Path:
    return write_scenario(
        tmp_path / "ws",
        {
            "allies": [{"code": "AAA", "name": "Ally A"}, {"code": "BBB", "name": "Ally B"}],
            "items": [
                {"code": "S1", "name": "Shell 1", "group": "G", "unit_price": 100},
                {"code": "S2", "name": "Shell 2", "group": "G", "unit_price": 150},
            ],
            "lines": [_line("L1", "S1", "AAA"), _line("L2", "S2", "BBB")],
            "stockpiles": [
                {"ally": "AAA", "item": "S1", "initial": 0, "target": 60, "target_date": "2025-12"},
                {
                    "ally": "BBB",
                    "item": "S2",
                    "initial": 0,
                    "target": 120,
                    "target_date": "2025-12",
                },
            ],
            "budgets": [
                {"ally": "AAA", "year": 2025, "amount": 1e9},
                {"ally": "BBB", "year": 2025, "amount": budget_b},
            ],
        },
        policy={"industry_rule_months": 0, **policy},
    )


def bought(result: PlanResult, ally: str, line: str) -> float:
    orders = result.orders()
    mine = orders[(orders["ally"] == ally) & (orders["line"] == line)]
    return float(mine["quantity"].sum())


def row_of(result: PlanResult, ally: str) -> dict[str, Any]:
    frame = result.work_share()
    return frame[frame["ally"] == ally].iloc[0].to_dict()


def test_half_the_value_at_home_costs_money(tmp_path: Path) -> None:
    # BBB needs 120 units. Without the rule it buys all 120 on L1 at 100 (12,000).
    # With half the value at home: x units on L2 (150), 120 - x on L1 (100), and
    # 150x >= 0.5 (150x + 100 (120 - x)) -> 125x >= 6,000 -> x = 48: 48 on L2 (7,200)
    # and 72 on L1 (7,200), 14,400 in all: the rule costs BBB 2,400 and no shortfall.
    # AAA buys its 60 on its own line L1 (6,000), untouched by the rule.
    result = plan(
        load_scenario(two_allies(tmp_path, work_share=0.5)), explain=0, compare_pooling=False
    )
    assert bought(result, "BBB", "L2") == pytest.approx(48, abs=TOL)
    assert bought(result, "BBB", "L1") == pytest.approx(72, abs=TOL)
    assert bought(result, "AAA", "L1") == pytest.approx(60, abs=TOL)
    assert bought(result, "AAA", "L2") == pytest.approx(0, abs=TOL)
    b = row_of(result, "BBB")
    assert b["orders_value"] == pytest.approx(14_400)
    assert b["placed_at_home"] == pytest.approx(7_200)
    assert b["placed_at_home_pct"] == pytest.approx(50)
    assert b["shortfall_price"] == pytest.approx(0, abs=TOL)
    assert b["spending_with"] == pytest.approx(14_400)
    assert b["spending_without"] == pytest.approx(12_000)
    assert b["money_price"] == pytest.approx(2_400)
    a = row_of(result, "AAA")
    assert a["money_price"] == pytest.approx(0, abs=TOL)
    assert a["placed_at_home_pct"] == pytest.approx(100)
    assert result.work_share().attrs["money_price"] == pytest.approx(2_400)


def test_the_price_drops_a_contract_only_the_rule_placed(tmp_path: Path) -> None:
    # L2 (BBB's dearer home line) takes a contract only at 3.5 a month or more. With the
    # rule BBB still buys 48 on L2 and 72 on L1 (14,400): 48 is above L2's least rate.
    # Without the rule BBB would place nothing on L2 and buy its 120 on L1 (12,000), as
    # a plan of the scenario without the rule does: the price is 2,400, as without the
    # least rate. (Holding the contract the rule placed on L2 in the plan without it
    # kept a least-rate contract there and priced the rule lower.)
    folder = two_allies(tmp_path, work_share=0.5)
    overrides = ["lines.L2.min_rate=3.5"]
    result = plan(load_scenario(folder, overrides=overrides), explain=0, compare_pooling=False)
    assert bought(result, "BBB", "L2") == pytest.approx(48, abs=TOL)
    without = plan(
        load_scenario(two_allies(tmp_path / "off"), overrides=overrides),
        explain=0,
        compare_pooling=False,
    )
    assert bought(without, "BBB", "L2") == pytest.approx(0, abs=TOL)
    b = row_of(result, "BBB")
    assert b["spending_with"] == pytest.approx(14_400)
    assert b["spending_without"] == pytest.approx(12_000)
    assert b["money_price"] == pytest.approx(2_400)


def test_a_budget_too_small_for_home_lines_costs_target_months(tmp_path: Path) -> None:
    # BBB's budget is 12,000. Without the rule it buys 120 on L1 (12,000): target met in
    # month 0. With half the value at home, 150x >= 100y and 150x + 100y <= 12,000 give
    # at most x = 40 on L2 and y = 60 on L1 (6,000 each): 100 units, 20 short of 120
    # all year. Shortfall weight a unit-month: 1/120 before the due month, 10/120 in it
    # (month 11): 20 (11 + 10) / 120 = 3.5 target-months, the rule's price; the money
    # is the same (12,000 both ways).
    result = plan(
        load_scenario(two_allies(tmp_path, work_share=0.5, budget_b=12_000)),
        explain=0,
        compare_pooling=False,
    )
    assert bought(result, "BBB", "L2") == pytest.approx(40, abs=TOL)
    assert bought(result, "BBB", "L1") == pytest.approx(60, abs=TOL)
    b = row_of(result, "BBB")
    assert b["shortfall_with"] == pytest.approx(3.5, rel=1e-6)
    assert b["shortfall_without"] == pytest.approx(0, abs=TOL)
    assert b["shortfall_price"] == pytest.approx(3.5, rel=1e-6)
    assert b["money_price"] == pytest.approx(0, abs=1e-3)


def test_a_group_counts_as_home(tmp_path: Path) -> None:
    # With AAA and BBB in one work-share group, L1 counts as BBB's own: all 120 on L1.
    folder = two_allies(tmp_path, work_share=0.5)
    overrides = ["allies.AAA.work_share_group=OCCAR", "allies.BBB.work_share_group=OCCAR"]
    result = plan(load_scenario(folder, overrides=overrides), explain=0, compare_pooling=False)
    assert bought(result, "BBB", "L1") == pytest.approx(120, abs=TOL)
    assert row_of(result, "BBB")["placed_at_home_pct"] == pytest.approx(100)


def three_allies(tmp_path: Path, **policy: Any) -> Path:
    """AAA and BBB in the work-share group OCCAR, CCC alone; one group G of three items,
    each made by one ally's line: S1 (100) on L1 (AAA), S2 (150) on L2 (BBB), S3 (120)
    on L3 (CCC). Targets: AAA 60 of S1, BBB 120 of S2, CCC 100 of S3, due 2025-12."""

    def stock(ally: str, item: str, target: float) -> dict[str, Any]:
        return {
            "ally": ally,
            "item": item,
            "initial": 0,
            "target": target,
            "target_date": "2025-12",
        }

    return write_scenario(
        tmp_path / "ws3",
        {
            "allies": [
                {"code": "AAA", "name": "Ally A", "work_share_group": "OCCAR"},
                {"code": "BBB", "name": "Ally B", "work_share_group": "OCCAR"},
                {"code": "CCC", "name": "Ally C"},
            ],
            "items": [
                {"code": "S1", "name": "Shell 1", "group": "G", "unit_price": 100},
                {"code": "S2", "name": "Shell 2", "group": "G", "unit_price": 150},
                {"code": "S3", "name": "Shell 3", "group": "G", "unit_price": 120},
            ],
            "lines": [_line("L1", "S1", "AAA"), _line("L2", "S2", "BBB"), _line("L3", "S3", "CCC")],
            "stockpiles": [
                stock("AAA", "S1", 60),
                stock("BBB", "S2", 120),
                stock("CCC", "S3", 100),
            ],
            "budgets": [{"ally": a, "year": 2025, "amount": 1e9} for a in ("AAA", "BBB", "CCC")],
        },
        policy={"industry_rule_months": 0, "work_share": 0.5, **policy},
    )


def test_three_allies_a_group_of_two(tmp_path: Path) -> None:
    # By hand (LP, whole lots off): AAA buys its 60 on L1 (home); BBB its 120 on L1 too,
    # hosted in its group (12,000, all at home). CCC's only home line is L3: x on L3
    # (120) and 100 - x on L1 (100) with 120x >= 0.5 (120x + 100 (100 - x)), i.e.
    # 110x >= 5,000: x = 45.45 on L3 (5,454.55) and 54.55 on L1 (5,454.55), 10,909.09
    # in all against 10,000 on L1 alone: the rule costs CCC 909.09, the others nothing.
    folder = three_allies(tmp_path, whole_lots=False)
    model = build_model(build_inputs(load_scenario(folder)))
    assert model.constraints[C.WORK_SHARE].labels.size == 3  # each has a line abroad
    result = plan(load_scenario(folder), explain=0, compare_pooling=False)
    x = 5_000 / 110
    assert bought(result, "AAA", "L1") == pytest.approx(60, abs=TOL)
    assert bought(result, "BBB", "L1") == pytest.approx(120, abs=TOL)
    assert bought(result, "CCC", "L3") == pytest.approx(x, abs=TOL)
    assert bought(result, "CCC", "L1") == pytest.approx(100 - x, abs=TOL)
    c = row_of(result, "CCC")
    assert c["orders_value"] == pytest.approx(240 * x)
    assert c["placed_at_home_pct"] == pytest.approx(50)
    assert c["spending_with"] == pytest.approx(240 * x)
    assert c["spending_without"] == pytest.approx(10_000)
    assert c["money_price"] == pytest.approx(240 * x - 10_000)
    b = row_of(result, "BBB")
    assert (b["placed_at_home_pct"], b["money_price"]) == pytest.approx((100, 0), abs=TOL)
    assert result.work_share().attrs["money_price"] == pytest.approx(240 * x - 10_000)


def test_three_allies_in_whole_lots_buy_as_cheaply(tmp_path: Path) -> None:
    # Without the rule every order fits L1 (100 a unit, 1,000 a month): 280 units,
    # 28,000 at zero shortfall, in whole lots as well (every quantity is whole).
    result = plan(
        load_scenario(three_allies(tmp_path, work_share=0)), explain=0, compare_pooling=False
    )
    assert result.solution.objective == pytest.approx(0, abs=TOL)
    assert result.solution.cost == pytest.approx(28_000)


def test_no_rule_no_rows(tmp_path: Path) -> None:
    # work_share 0 (the default) adds no row to the model; 0.5 adds one per ally (each
    # has a line abroad), and none when both are in one group (no line is abroad).
    off = build_model(build_inputs(load_scenario(two_allies(tmp_path))))
    assert C.WORK_SHARE not in off.constraints
    on = build_model(build_inputs(load_scenario(two_allies(tmp_path, work_share=0.5))))
    assert on.constraints[C.WORK_SHARE].labels.size == 2
    grouped = load_scenario(
        two_allies(tmp_path, work_share=0.5),
        overrides=["allies.AAA.work_share_group=X", "allies.BBB.work_share_group=X"],
    )
    assert C.WORK_SHARE not in build_model(build_inputs(grouped)).constraints
    empty = plan(load_scenario(two_allies(tmp_path)), explain=0, compare_pooling=False)
    assert empty.work_share().empty


@pytest.mark.parametrize("value", [1.5, -0.1, "half"])
def test_bad_work_share_is_refused(tmp_path: Path, value: Any) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(two_allies(tmp_path, work_share=value))
    problems = exc.value.problems
    assert len(problems) == 1, problems
    assert Path(problems[0].file).name == "scenario.yaml"
    assert problems[0].column == "policy.work_share"


def test_bad_work_share_group_names_file_row_and_field(tmp_path: Path) -> None:
    folder = two_allies(tmp_path, work_share=0.5)
    text = (folder / "allies.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",work_share_group"
    text[1] += ",OCCAR"
    text[2] += ",not a code!"
    (folder / "allies.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    # (the ally of the bad row is then unknown to the other tables: those follow)
    problems = [p for p in exc.value.problems if Path(p.file).name == "allies.csv"]
    assert len(problems) == 1, problems
    assert (problems[0].row, problems[0].column) == (3, "work_share_group")


def test_report_states_the_price(tmp_path: Path) -> None:
    import pandas as pd

    from materiel.report import write_report

    result = plan(
        load_scenario(two_allies(tmp_path, work_share=0.5)), explain=0, compare_pooling=False
    )
    files = write_report(result, tmp_path / "out")
    table = pd.read_csv(files.tables["work_share"]).set_index("ally")
    assert table.at["BBB", "money_price"] == pytest.approx(2_400)
    page = files.html.read_text(encoding="utf-8")
    said = "A work share of 50 % costs 0 target-months of shortfall and 2.4k USD more spending"
    assert said in page
    assert "most for BBB (0 target-months, 2.4k USD more spending)" in page
    saved = pd.read_parquet(tmp_path / "out" / "plan" / "work_share.parquet")
    assert list(saved["ally"]) == ["AAA", "BBB"]


def test_an_allys_shortfall_counts_its_stock_below_a_floor(tmp_path: Path) -> None:
    # With donor_floor 0.5 a unit-month below half the target weighs more (its own
    # variable, aid.band_weights): each ally's shortfall with the rule must count it, so
    # that in the LP (whole lots off) the allies' shortfalls add up to the plan's
    # shortfall and unmet demand (its first objective less the recipient's part).
    from tests.planner.test_aid import donors_scenario

    policy = {"donor_floor": 0.5, "work_share": 0.5, "whole_lots": False}
    folder = donors_scenario(tmp_path / "aid", initial=(60, 20), capacity=5, policy=policy)
    result = plan(load_scenario(folder), explain=0, compare_pooling=False)
    parts = result.objective_parts
    assert parts["shortfall"] > 1  # BBB starts at 20, below its floor of 25
    frame = result.work_share()
    assert frame["shortfall_with"].sum() == pytest.approx(
        parts["shortfall"] + parts["unmet_demand"], rel=1e-6
    )


def test_a_large_lot_at_home_is_bought_once(tmp_path: Path) -> None:
    # S2 comes in lots of 200 (30,000 a lot). With half the value at home BBB must buy
    # on L2 to buy at all: one lot (200 units >= its 120) meets its target in month 0
    # and L1 is then not needed: 30,000 for BBB, AAA's 60 on L1 6,000, 36,000 in all.
    # (The repair after rounding raised every period's lot at once: 12 lots, 2,400
    # units, 360,000 for BBB, at the same shortfall.)
    result = plan(
        load_scenario(two_allies(tmp_path, work_share=0.5), overrides=["items.S2.lot=200"]),
        explain=0,
        compare_pooling=False,
    )
    assert result.solution.objective == pytest.approx(0, abs=TOL)
    assert bought(result, "BBB", "L2") == pytest.approx(200, abs=TOL)
    assert bought(result, "BBB", "L1") == pytest.approx(0, abs=TOL)
    assert result.solution.cost == pytest.approx(36_000)
