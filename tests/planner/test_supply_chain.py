"""Suppliers of components, the supply-chain register, restrictions, and qualifications:
small cases worked out by hand.

Conventions as in test_hand_solved.py: monthly contract periods, lag 0, month 0 the
start; the weighted shortfall is Σ_t (target − stock[t]) / target before the target
month and 10 times that (``overdue_weight``) from it on [target-months].
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from materiel.errors import ScenarioError
from materiel.planner import supplychain
from materiel.planner.api import plan
from materiel.planner.plan import Plan
from materiel.planner.result import PlanResult
from materiel.report.words import supply_chain_words
from materiel.scenario.load import load_scenario
from tests.scenario_kit import NO_RAMP, base_tables, write_scenario

NO_RULE = {"industry_rule_months": 0}


def two_suppliers(
    folder: Path,
    *,
    small_ceiling: float = 2,
    restrict: dict[str, str] | None = None,
    line: float = 100,
    big: float = 8,
) -> Path:
    """One shell line (``line`` a month; 100: never the limit) whose motor comes from BIG
    (CHN, 8 a month, 80 %) and SMALL (AAA, 2 a month, 20 %; up to ``small_ceiling`` from
    month 2, 10 a motor/month); target 120 by 2025-12 (month 11)."""
    tables = base_tables(capacity=line, ceiling=line)
    tables["stockpiles"][0].update(target=120, target_date="2025-12")
    tables["components"] = [{"code": "MOTOR", "name": "Motor", "supply": 0, "ceiling": 0}]
    tables["bom"] = [{"item": "SHELL", "component": "MOTOR", "quantity": 1}]
    tables["suppliers"] = [
        {"component": "MOTOR", "supplier": "BIG", "country": "CHN", "capacity": big, "ceiling": 8},
        {
            "component": "MOTOR",
            "supplier": "SMALL",
            "country": "AAA",
            "capacity": 2,
            "ceiling": small_ceiling,
            "lead_time": 2,
            "expansion_cost": 10,
        },
    ]
    policy: dict[str, Any] = dict(NO_RULE)
    if restrict:
        policy["restrict"] = restrict
    return write_scenario(folder, tables, policy=policy)


def solve(folder: Path) -> PlanResult:
    return plan(load_scenario(folder), explain=0, compare_pooling=False)


def stock(result: PlanResult, group: str = "SHELL") -> np.ndarray:
    return result.stock.sel(ally="AAA", group=group).values


def test_two_suppliers_and_the_outage_of_the_larger(tmp_path: Path) -> None:
    result = solve(two_suppliers(tmp_path / "s"))
    # 10 motors a month: stock 10, 20, ..., 120; shortfall (110 + 100 + ... + 10) / 120
    assert stock(result) == pytest.approx(10.0 * np.arange(1, 13), abs=1e-6)
    assert result.objective == pytest.approx(660 / 120, rel=1e-6)
    register = result.supply_chain()
    row = register.iloc[0].to_dict()
    assert (row["component"], row["suppliers"], row["largest_supplier"]) == ("MOTOR", 2, "BIG")
    assert row["largest_share_pct"] == pytest.approx(80.0)
    assert row["hhi"] == pytest.approx(80.0**2 + 20.0**2)
    assert row["non_allied_share_pct"] == pytest.approx(80.0)  # CHN is no ally
    # BIG stops in months 0-5: 2 a month, then 10: stock 2, 4, ..., 12, 22, ..., 72.
    # Shortfall (118 + 116 + ... + 108) + (98 + 88 + ... + 58) before month 11, and
    # 10 x 48 in month 11: (678 + 390 + 480) / 120 = 12.9; the plan's is 5.5.
    assert row["outage_months"] == 6
    assert row["outage_loss"] == pytest.approx(12.9 - 5.5, rel=1e-6)
    assert row["outage_most_in"] == "Shell"
    # SMALL cannot grow (ceiling 2): no second source
    assert row["second_source"] == ""


def test_the_outage_stops_what_the_plan_adds_to_the_larger_too(tmp_path: Path) -> None:
    """BIG has 6 now and grows to 8 at once (lead 0, free): the plan takes it to 8, and
    its outage stops all 8 (what was added with it), the loss of the case above."""
    result = solve(two_suppliers(tmp_path / "s", big=6))
    assert result.suppliers().set_index("supplier").at["BIG", "added"] == pytest.approx(2.0)
    assert result.objective == pytest.approx(5.5, rel=1e-6)
    row = result.supply_chain().iloc[0]
    assert row["outage_loss"] == pytest.approx(12.9 - 5.5, rel=1e-6)


def test_restricting_the_larger_country_expands_the_smaller(tmp_path: Path) -> None:
    result = solve(two_suppliers(tmp_path / "s", small_ceiling=10, restrict={"CHN": "2025-01"}))
    # BIG gives nothing; SMALL gives 2, 2, then 10 from month 2 (8 added, its lead 2):
    # stock 2, 4, 14, 24, ..., 104
    added = result.solution.values["added_supplier_supply"].sel(supplier="MOTOR/SMALL")
    assert added.values[2:] == pytest.approx(np.full(10, 8.0))
    assert stock(result) == pytest.approx([2, 4, *(4 + 10 * np.arange(1, 11))], abs=1e-6)
    short = (118 + 116 + sum(120 - (4 + 10 * k) for k in range(1, 10))) + 10 * 16
    assert result.objective == pytest.approx(short / 120, rel=1e-6)
    suppliers = result.suppliers().set_index("supplier")
    assert suppliers.at["BIG", "restricted_from"] == "2025-01"
    assert suppliers.at["BIG", "supplied"] == pytest.approx(0.0, abs=1e-9)
    assert suppliers.at["SMALL", "added"] == pytest.approx(8.0)
    # SMALL's expansion is paid by its users, in the year ordered: 8 x 10
    funding = result.expansion_funding()
    assert funding[funding["kind"] == "supplier"]["amount"].sum() == pytest.approx(80.0)
    supply = result.supply_by_month()
    assert supply["supply"].tolist() == pytest.approx([2, 2] + [10] * 10)


def test_a_restriction_from_a_later_month_stops_what_was_added_too(tmp_path: Path) -> None:
    """BIG (6, grown to 8 at once) is restricted from 2025-07 (month 6): 10 a month
    to month 5, then SMALL's 2: stock 10, ..., 60, 62, ..., 72; shortfall
    (110 + ... + 60) + (58 + ... + 50) + 10 x 48 = 510 + 270 + 480 over 120."""
    result = solve(two_suppliers(tmp_path / "s", big=6, restrict={"CHN": "2025-07"}))
    want = [*(10.0 * np.arange(1, 7)), *(60 + 2.0 * np.arange(1, 7))]
    assert stock(result) == pytest.approx(want, abs=1e-6)
    assert result.objective == pytest.approx(1260 / 120, rel=1e-6)
    assert result.supply_by_month()["supply"].tolist() == pytest.approx([10] * 6 + [2] * 6)


def test_an_unmeasured_component_beside_a_measured_one(tmp_path: Path) -> None:
    folder = two_suppliers(tmp_path / "s")
    path = folder / "components.csv"
    path.write_text(path.read_text() + "FUZE,Fuze,1000,1000\n", encoding="utf-8")
    path = folder / "bom.csv"
    path.write_text(path.read_text() + "SHELL,FUZE,1\n", encoding="utf-8")
    register = solve(folder).supply_chain().set_index("component")
    assert list(register.index) == ["MOTOR", "FUZE"]  # the measured loss first
    assert (register.at["FUZE", "outage_most_in"], register.at["FUZE", "second_source"]) == (
        "",
        "",
    )
    assert np.isnan(register.at["FUZE", "outage_loss"])


def test_register_recomputed_from_the_plans_tables(tmp_path: Path) -> None:
    """Shares, HHI, largest and non-allied shares from the saved plan's own tables:
    output by month (capacity), bills of materials and the suppliers' supply."""
    folder = two_suppliers(tmp_path / "s", small_ceiling=10)
    result = solve(folder)
    saved = Plan.load(result.plan.save(tmp_path / "plan"))
    suppliers, register = saved.tables["suppliers"], saved.tables["supply_chain"]
    output = saved.tables["capacity"]["output"].sum()  # one line, one motor a shell
    assert suppliers["supplied"].sum() == pytest.approx(output)
    # each month's use split in proportion to what each supplier can give that month:
    # BIG 8; SMALL 2, 2, then 10 (expanded to its ceiling as soon as it can)
    months = saved.tables["capacity"].sort_values("month")["output"].to_numpy()
    small = np.array([2, 2] + [10] * 10)
    big_share = (months * 8 / (8 + small)).sum() / months.sum()
    shares = 100 * np.array([big_share, 1 - big_share])
    got = suppliers.set_index("supplier").loc[["BIG", "SMALL"], "share_pct"].to_numpy()
    assert got == pytest.approx(shares)
    row = register.iloc[0]
    assert row["hhi"] == pytest.approx((shares**2).sum())
    assert row["largest_share_pct"] == pytest.approx(shares.max())
    assert row["non_allied_share_pct"] == pytest.approx(shares[0])


def test_a_component_without_suppliers_is_its_own(tmp_path: Path) -> None:
    tables = base_tables(capacity=100, ceiling=100)
    tables["stockpiles"][0].update(target=120, target_date="2025-12")
    tables["components"] = [{"code": "MOTOR", "name": "Motor", "supply": 10, "ceiling": 10}]
    tables["bom"] = [{"item": "SHELL", "component": "MOTOR", "quantity": 1}]
    result = solve(write_scenario(tmp_path / "s", tables, policy=NO_RULE))
    row = result.supply_chain().iloc[0]
    assert (row["suppliers"], row["largest_supplier"], row["hhi"]) == (1, "MOTOR", 10_000.0)
    assert row["non_allied_share_pct"] == 0.0  # its country is unknown
    assert np.isnan(row["outage_loss"])  # not measured without listed suppliers
    assert supply_chain_words(result.supply_chain(), "USD") == [
        "Motor: one source, its suppliers not listed: what an outage costs is not measured."
    ]


def test_the_outage_of_a_component_without_suppliers_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supplychain, "OUTAGE_OF_UNLISTED", True)
    tables = base_tables(capacity=100, ceiling=100)
    tables["stockpiles"][0].update(target=120, target_date="2025-12")
    tables["components"] = [{"code": "MOTOR", "name": "Motor", "supply": 10, "ceiling": 10}]
    tables["bom"] = [{"item": "SHELL", "component": "MOTOR", "quantity": 1}]
    row = solve(write_scenario(tmp_path / "s", tables, policy=NO_RULE)).supply_chain().iloc[0]
    # no motor for six months: stock 0 to month 5, then 10 a month to 60 at month 11
    lost = (6 * 120 + sum(120 - 10 * k for k in range(1, 6)) + 10 * 60) / 120
    assert row["outage_loss"] == pytest.approx(lost - 5.5, rel=1e-6)


def test_second_source_value(tmp_path: Path) -> None:
    """The line makes 10 a month, so the plan leaves SMALL as it is (supply 10 already).
    Were SMALL at its ceiling (10 from month 2, 80 at 10 a motor/month), BIG's outage
    would leave 2, 2, then 10: stock 2, 4, 14, ..., 104 (8.2333 target-months, as under
    the restriction above) instead of 12.9: the second source removes 12.9 − 8.2333."""
    result = solve(two_suppliers(tmp_path / "s", small_ceiling=10, line=10))
    assert result.objective == pytest.approx(5.5, rel=1e-6)
    assert result.suppliers().set_index("supplier").at["SMALL", "added"] == pytest.approx(0.0)
    row = result.supply_chain().iloc[0]
    assert row["outage_loss"] == pytest.approx(12.9 - 5.5, rel=1e-6)
    assert row["second_source"] == "SMALL"
    assert row["second_source_cost"] == pytest.approx(80.0)
    restricted = (118 + 116 + sum(120 - (4 + 10 * k) for k in range(1, 10)) + 10 * 16) / 120
    assert row["second_source_removes"] == pytest.approx(12.9 - restricted, rel=1e-6)


# --- qualifications ------------------------------------------------------------------


def qualification(folder: Path, *, cost: float | None) -> Path:
    """AAA stocks group G through round RA, which no line makes; BBB's round RB (group
    G) has a line of 10 a month at 5 a round. RB is not qualified for AAA: qualifying
    costs ``cost``, usable from month 2. AAA: target 100 by month 11, budget 600."""
    tables = {
        "allies": [{"code": "AAA", "name": "Ally A"}, {"code": "BBB", "name": "Ally B"}],
        "items": [
            {"code": "RA", "name": "Round A", "group": "G", "unit_price": 5},
            {"code": "RB", "name": "Round B", "group": "G", "unit_price": 5},
        ],
        "lines": [
            {
                "id": "LB",
                "item": "RB",
                "producer": "PB",
                "host": "BBB",
                "capacity": 10,
                "ceiling": 10,
                "lead_time": 0,
                "ramp": NO_RAMP,
            }
        ],
        "stockpiles": [
            {"ally": "AAA", "item": "RA", "initial": 0, "target": 100, "target_date": "2025-12"},
            {"ally": "BBB", "item": "RB", "initial": 0},
        ],
        "budgets": [
            {"ally": "AAA", "year": 2025, "amount": 600},
            {"ally": "BBB", "year": 2025, "amount": 0},
        ],
        "qualifications": [
            {"ally": "AAA", "item": "RB", "qualified": False, "cost": cost, "lead_time": 2}
        ],
    }
    return write_scenario(folder, tables, policy=NO_RULE)


def test_qualification_taken_when_it_pays(tmp_path: Path) -> None:
    result = solve(qualification(tmp_path / "s", cost=50))
    # 10 a month from month 2: stock 0, 0, 10, ..., 100 at month 11, met by its date;
    # 100 rounds (500) and the qualification (50) within the budget of 600
    assert stock(result, "G") == pytest.approx([0, 0, *(10.0 * np.arange(1, 11))], abs=1e-6)
    assert bool(result.targets.iloc[0]["met_by_date"])
    assert result.objective == pytest.approx((100 + 100 + 450) / 100, rel=1e-6)
    assert float(result.spending()["total"].sum()) == pytest.approx(550.0)
    row = result.qualifications().iloc[0]
    assert (bool(row["taken"]), row["usable_from"], row["cost_paid"]) == (True, "2025-03", 50.0)
    # without it: 100 short for 11 months and 10 x 100 in month 11: 21 target-months
    assert row["value"] == pytest.approx(21.0 - 6.5, rel=1e-6)
    # qualified from the start: 10, 20, ..., 100 by month 9: (90 + 80 + ... + 10) / 100
    assert result.standardisation == pytest.approx(6.5 - 4.5, rel=1e-6)
    assert result.plan.summary["standardisation_value"] == pytest.approx(2.0, rel=1e-6)


def test_qualification_not_taken_beyond_the_budget(tmp_path: Path) -> None:
    result = solve(qualification(tmp_path / "s", cost=700))
    assert stock(result, "G") == pytest.approx(np.zeros(12), abs=1e-6)
    assert result.objective == pytest.approx(21.0, rel=1e-6)
    assert float(result.spending()["total"].sum()) == pytest.approx(0.0, abs=1e-6)
    row = result.qualifications().iloc[0]
    assert (bool(row["taken"]), row["usable_from"], row["cost_paid"]) == (False, "", 0.0)
    # were it free, usable from month 2: the plan above, 6.5 target-months
    assert row["value"] == pytest.approx(21.0 - 6.5, rel=1e-6)


def test_an_item_that_cannot_be_qualified_never_serves(tmp_path: Path) -> None:
    result = solve(qualification(tmp_path / "s", cost=None))
    assert "qualification_taken" not in result.solution.values  # no decision to make
    assert stock(result, "G") == pytest.approx(np.zeros(12), abs=1e-6)
    row = result.qualifications().iloc[0]
    assert (bool(row["can_qualify"]), bool(row["taken"])) == (False, False)
    # were it qualified from the start, at no cost: 10, 20, ..., 100 by month 9 (4.5)
    assert row["value"] == pytest.approx(21.0 - 4.5, rel=1e-6)
    assert result.standardisation == pytest.approx(21.0 - 4.5, rel=1e-6)


def test_every_item_qualified_by_default(tmp_path: Path) -> None:
    """No qualifications table: RB serves AAA from the start, as before."""
    folder = qualification(tmp_path / "s", cost=50)
    (folder / "qualifications.csv").unlink()
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    (folder / "scenario.yaml").write_text(
        text.replace("  qualifications: qualifications.csv\n", ""), encoding="utf-8"
    )
    result = solve(folder)
    # 10 a month from month 0 to the target of 100 (more would cost and save nothing)
    want = np.minimum(10.0 * np.arange(1, 13), 100)
    assert stock(result, "G") == pytest.approx(want, abs=1e-6)
    assert result.qualifications().empty


# --- bad input ------------------------------------------------------------------------


def test_supplier_of_an_unknown_component(tmp_path: Path) -> None:
    folder = two_suppliers(tmp_path / "s")
    path = folder / "suppliers.csv"
    path.write_text(path.read_text().replace("MOTOR,SMALL", "MOTORS,SMALL"), encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    (problem,) = exc.value.problems
    assert (Path(problem.file).name, problem.row, problem.column, problem.found) == (
        "suppliers.csv",
        3,
        "component",
        "MOTORS",
    )


def test_qualification_outside_the_allys_groups(tmp_path: Path) -> None:
    folder = qualification(tmp_path / "s", cost=50)
    path = folder / "qualifications.csv"
    path.write_text(path.read_text().replace("AAA,RB", "BBB,RA"), encoding="utf-8")
    # BBB stocks group G too: make RA a group of its own, which BBB does not stock
    items = folder / "items.csv"
    items.write_text(items.read_text().replace("RA,Round A,G", "RA,Round A,H"), encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    problems = [p for p in exc.value.problems if Path(p.file).name == "qualifications.csv"]
    assert [(p.row, p.column, p.found) for p in problems] == [(2, "item", "RA")]
    assert "group H" in problems[0].message


def test_restrict_names_a_country_and_a_month(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(two_suppliers(tmp_path / "s", restrict={"CHN": "2025-13"}))
    assert "restrict" in str(exc.value)


# --- the report -----------------------------------------------------------------------


def test_the_report_says_where_the_plan_hangs_and_what_standards_are_worth(
    tmp_path: Path,
) -> None:
    from materiel.report import write_report

    chain = solve(two_suppliers(tmp_path / "chain"))
    page = write_report(chain, tmp_path / "out1").html.read_text(encoding="utf-8")
    assert (
        "Motor: 2 suppliers, 80 % from one (BIG), 80 % from non-allied countries; if it "
        "stops for 6 months, 7.4 target-months are lost, most in Shell." in page
    )
    files = write_report(solve(qualification(tmp_path / "q", cost=50)), tmp_path / "out2")
    page = files.html.read_text(encoding="utf-8")
    assert (
        "1 item is not qualified for an ally; the plan qualifies 1 for 50 USD, worth 14.5 "
        "target-months. Rounds that exist but are not qualified where they are needed cost "
        "the plan 2.0 target-months" in page
    )
    assert "qualifications" in files.tables


def test_the_simulator_takes_a_restricted_supplier_out_too(tmp_path: Path) -> None:
    """The restriction case with a line of 10 a month, simulated with every supplier
    losing half its output every month: SMALL gives 2, 2, then 10 (its expansion), half
    of it arrives as cover, so the line makes 2, 2, then 5 a month (its capacity times
    the cover): stock 2, 4, 9, ..., 54. Were BIG's 8 counted, the cover would be 0.9."""
    from materiel.scenario.schema import OutageRisk, Risks
    from materiel.simulation.api import simulate

    folder = two_suppliers(tmp_path / "s", small_ceiling=10, restrict={"CHN": "2025-01"}, line=10)
    scenario = load_scenario(folder)
    result = plan(scenario, explain=0, compare_pooling=False)
    risks = Risks(outage=OutageRisk(probability=1.0, max_months=1, loss_min=0.5, loss_max=0.5))
    sim = simulate(result.plan, scenario, futures=5, seed=1, risks=risks, sensitivity=0)
    assert sim.outcome.paths is not None
    want = [2, 4, *(4 + 5.0 * np.arange(1, 11))]
    assert np.asarray(sim.outcome.paths)[:, 0, :] == pytest.approx(np.tile(want, (5, 1)))


def test_a_warm_what_if_on_a_sourced_component_equals_a_cold_solve(tmp_path: Path) -> None:
    """10 % more motor supply: each supplier's supply now and ceiling (none from BIG once
    restricted), warm on the solved model and cold on the changed inputs."""
    from tests.planner.test_properties import check_warm_what_if_equals_cold

    check_warm_what_if_equals_cold(
        two_suppliers(tmp_path / "s", small_ceiling=10, big=6, restrict={"CHN": "2025-07"})
    )


def test_a_qualification_serves_from_the_next_contract_period(tmp_path: Path) -> None:
    """Contract periods of 3 months: a qualification usable from month 2 serves from the
    period starting in month 3 (2025-04): 10 a month from then, 90 by month 11."""
    folder = qualification(tmp_path / "s", cost=50)
    scenario = load_scenario(folder, overrides=["policy.order_period_months=3"])
    result = plan(scenario, explain=0, compare_pooling=False)
    row = result.qualifications().iloc[0]
    assert (bool(row["taken"]), row["usable_from"]) == (True, "2025-04")
    assert stock(result, "G") == pytest.approx([0, 0, 0, *(10.0 * np.arange(1, 10))], abs=1e-6)
