"""The built-in scenario plans end to end: least shortfall, least cost, a warm what-if
and the pooling comparison (about 30-40 s on two cores)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from materiel.planner.api import plan
from materiel.planner.result import PlanResult
from materiel.planner.solve import Status
from materiel.report.words import bottleneck_words
from materiel.report.write import write_report
from materiel.scenario.load import load_scenario

pytestmark = pytest.mark.slow  # the module's fixture plans nato-2024 (30-50 s)


@pytest.fixture(scope="module")
def nato() -> PlanResult:
    return plan("nato-2024", explain=1, compare_pooling=True)


def test_plan_is_optimal_and_lists_every_target(nato: PlanResult) -> None:
    # In whole missiles the plan is not proven within policy.plan_gap of the LP bound
    # (small allies cannot pay for a whole missile a year alone; the relaxation can):
    # its status says so, and the gap is stated (lots rounded by a dive and repaired).
    # With policy.rounding 'nearer' (the default) 0.87 % was measured (4,706.4 against
    # a bound of 4,665.3 target-months), 4.14 % with 'down'. The rounding steps are
    # limited in simplex iterations, not seconds: the gap is the same at any load (it
    # was 4.2 % idle and 5.2 % on CI's busy machine with time limits).
    assert nato.status in (Status.OPTIMAL, Status.GAP)
    assert 0.0 <= nato.solution.gap < 0.015
    assert nato.solution.bound <= nato.objective
    scenario = load_scenario("nato-2024")
    groups = scenario.group_of()
    pairs = {(r.ally, groups[r.item]) for r in scenario.records("stockpiles") if r.target > 0}
    listed = set(zip(nato.targets["ally"], nato.targets["group"], strict=True))
    assert listed == pairs


def test_plan_keeps_budgets_capacity_and_demand(nato: PlanResult) -> None:
    spend = nato.spending()
    over = spend["total"] - spend["budget"]
    assert (over <= 1e-6 * spend["budget"].max()).all(), spend[over > 0]
    capacity = nato.capacity_added()
    assert (capacity["capacity_end"] <= capacity["ceiling"] * (1 + 1e-9) + 1e-6).all()
    unmet = nato.solution.values["unmet_demand"].fillna(0)
    assert float((unmet - nato.inputs.demand).max()) <= 1e-6


def test_met_by_date_count_agrees_with_a_recount_from_the_tables(
    nato: PlanResult, tmp_path: Path
) -> None:
    # The README's rule, counted straight from the written stock and targets tables:
    # a target is met by its date when stock at the target date >= target (within the
    # stated tolerance).
    files = write_report(nato, tmp_path / "nato")
    stock = pd.read_parquet(files.folder / "stock.parquet")
    targets = pd.read_parquet(files.folder / "targets.parquet")
    tolerance = nato.scenario.meta.policy.target_tolerance
    start_year, start_month = map(int, nato.scenario.start.split("-"))
    met = 0
    for row in targets.itertuples():
        year, month = map(int, row.target_date.split("-"))
        due = (year - start_year) * 12 + month - start_month
        at = stock[(stock["ally"] == row.ally) & (stock["group"] == row.group)]
        level = float(at.loc[at["month"] == due, "stock"].iloc[0])
        met += level >= row.target * (1 - tolerance) - 1e-6 * row.target
    assert nato.totals()["met_by_date"] == met
    assert int(targets["met_by_date"].sum()) == met


def test_demand_is_served_before_stock_is_built(nato: PlanResult) -> None:
    # No ally leaves demand unmet in a month in which it holds stock of the group: a
    # round held while demand goes unmet would be a round held instead of delivered.
    # (By month, not by year: in whole missiles a period's contract may fall half a
    # missile short in its last month and the next contract's deliveries then build
    # stock later in the same year, as DNK's Stinger did in 2026-06 before the repair
    # that trades lots. nato-2024 now leaves no demand unmet; the invariant where demand
    # does go unmet is worked by hand in test_truthful_plans.py.)
    frame = nato.unmet_demand
    short = frame[frame["unmet"] > 1e-6]
    for row in short.itertuples():
        held = float(nato.stock.sel(ally=row.ally, group=row.group).values[row.month])
        assert held <= 1e-6, (row.ally, row.group, row.month, held)
    np.testing.assert_allclose(frame["served"] + frame["unmet"], frame["demand"], atol=1e-6)


def test_months_to_target_agree_with_stock(nato: PlanResult) -> None:
    for row in nato.targets.head(20).itertuples():
        stock = nato.stock.sel(ally=row.ally, group=row.group).values
        level = row.target * (1 - nato.scenario.meta.policy.target_tolerance) - 1e-6 * row.target
        if row.months_to_target is None or np.isnan(row.months_to_target):
            assert stock[-1] < level
        else:
            month = int(row.months_to_target)
            assert (stock[month:] >= level).all()
            if month > 0:
                assert stock[month - 1] < level


def test_bottleneck_is_explained_in_words(nato: PlanResult) -> None:
    assert len(nato.bottlenecks) > 0
    first = nato.bottlenecks.iloc[0]
    assert first["kind"] in {"line", "component", "budget", "industry_rule"}
    words = bottleneck_words(nato)[0]
    assert "10%" in words and "later" not in words
    assert first["shortfall_gain"] >= 0


def test_pooling_comparison_is_optimal_and_never_worse(nato: PlanResult) -> None:
    # Pooled, the volume tiers of a multinational contract are open to every buyer: the
    # plan can only be as good or better, and both solves are proven (within their gap).
    assert nato.pooling is not None
    attrs = nato.pooling.attrs
    assert attrs["comparison_status"] in (str(Status.OPTIMAL), str(Status.GAP))
    gap = attrs["comparison_mip_gap"]
    # In whole lots the two plans are each within their own gap of their relaxations;
    # the relaxations compare as they always did.
    assert attrs["bound_pooled"] <= attrs["bound_alone"] * (1 + gap) + 1e-6
    assert attrs["objective_pooled"] <= attrs["objective_alone"] * (1 + attrs["gap_pooled"])


def test_contracts_are_steady_and_add_up(nato: PlanResult) -> None:
    # Every contract is one rate over its months; together they are every delivery.
    contracts = nato.contracts
    assert len(contracts) > 0
    np.testing.assert_allclose(
        contracts["quantity"], contracts["rate"] * contracts["months"], rtol=1e-6
    )
    assert float(contracts["quantity"].sum()) == pytest.approx(
        float(nato.deliveries.sum()), rel=1e-6
    )


def test_report_of_the_builtin_plan(nato: PlanResult, tmp_path: Path) -> None:
    files = write_report(nato, tmp_path / "nato")
    page = files.html.read_text(encoding="utf-8")
    assert "nato-2024" in page
    assert page.count("data:image/png;base64,") == 3


def test_a_plausible_budget_change_keeps_the_plan() -> None:
    # Lithuania's 2025 budget from 24 M to 120 M USD once made `materiel plan` fail with
    # "the solver stopped without a plan: Unknown" in the pooling comparison, discarding
    # the plan. The plan is kept; the comparison is either there or marked unavailable.
    # (rounding 'down': the fast rounding; what is tested is that a side solve's
    # failure never discards the plan, not how close the plan comes to its bound)
    result = plan(
        "nato-2024",
        overrides=["budgets.LTU:2025.amount=120000000", "policy.rounding=down"],
        explain=0,
        compare_pooling=True,
    )
    assert len(result.contracts) > 0
    assert result.pooling is not None
    attrs = result.pooling.attrs
    assert "unavailable" in attrs or attrs["objective_pooled"] > 0


def test_ukraine_requirements_are_labelled_and_shared_within_floors(nato: PlanResult) -> None:
    # Every requirement row says where it comes from, or that it is assumed (Ukraine's
    # needs by item are not public); the plan answers each, and no donor, giving from
    # stock or from new contracts, goes below its own target (donor_floor 1) from its
    # first gift of the group on: its own target comes first.
    scenario = load_scenario("nato-2024")
    rows = scenario.records("requirements")
    assert {r.recipient for r in rows} == {"UKR"} and len(rows) == 8
    assert all(r.source and (r.assumption or "assumption" not in r.source) for r in rows)
    table = nato.aid_requirements()
    assert len(table) == 8
    np.testing.assert_allclose(table["given"] + table["unmet"], table["required"], rtol=1e-9)
    alloc = nato.aid_allocation()
    groups = scenario.group_of()
    for (ally, item), gifts in alloc.groupby(["donor", "item"]):
        group = groups[item]
        path = nato.stock.sel(ally=ally, group=group).values
        target = float(nato.inputs.target.sel(ally=ally, group=group))
        assert path[int(gifts["month"].min()) :].min() >= target - 1e-6 * max(target, 1.0)
