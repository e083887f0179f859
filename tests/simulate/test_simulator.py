"""The simulator against answers worked out by hand, and its own promises: no risk gives
the plan back, the same seed the same numbers, chunks change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from materiel.errors import InputError
from materiel.planner.api import plan
from materiel.planner.plan import Plan
from materiel.scenario.load import apply_overrides, load_scenario
from materiel.scenario.model import Scenario
from materiel.simulation import engine
from materiel.simulation.api import no_risk, run_futures, simulate
from materiel.simulation.inputs import build
from tests.scenario_kit import NO_RAMP, base_tables, demand_row, write_scenario


def make_plan(scenario: Scenario) -> Plan:
    return Plan.from_result(plan(scenario, explain=0, compare_pooling=False))


def one_supplier(folder: Path, **meta: Any) -> Scenario:
    """One line of 10/month fed by one supplier of 10/month, no spare anywhere: the
    target of 120 by month 11 needs every month's output."""
    tables = base_tables(lead_time=0)
    tables["stockpiles"][0]["target"] = 120
    tables["components"] = [{"code": "MOTOR", "name": "Motor", "supply": 10, "ceiling": 10}]
    tables["bom"] = [{"item": "SHELL", "component": "MOTOR", "quantity": 1}]
    write_scenario(folder, tables, **meta)
    return load_scenario(folder)


OUTAGE = {"outage": {"probability": 0.05, "max_months": 1, "loss_min": 1.0, "loss_max": 1.0}}


@pytest.fixture(scope="module")
def supplier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, Plan]:
    scenario = one_supplier(tmp_path_factory.mktemp("supplier"), risks=OUTAGE)
    return scenario, make_plan(scenario)


def test_outage_probability_matches_the_closed_form(supplier: tuple[Scenario, Plan]) -> None:
    # Each month the supplier is out with probability 0.05 and the line, with no spare
    # capacity and no stock, loses that month for good: P(met) = 0.95^12 = 0.5404.
    scenario, the_plan = supplier
    exact = 0.95**12
    widths = []
    for futures in (1_000, 16_000):
        sim = simulate(the_plan, scenario, futures=futures, seed=11, sensitivity=0)
        row = sim.targets.iloc[0]
        assert row["ci_low"] <= exact <= row["ci_high"], (futures, row.to_dict())
        widths.append(row["ci_high"] - row["ci_low"])
    assert widths[1] < widths[0] / 3  # sqrt(16) = 4 times narrower, about
    assert abs(sim.targets.iloc[0]["probability"] - exact) < 0.015


def test_with_no_risk_the_plan_comes_back(tmp_path: Path) -> None:
    # Two lines, a lag, consumption and aid, a contract in force and an expansion: the
    # simulated stock path is the plan's, month by month.
    tables = {
        "allies": [{"code": "AAA", "name": "A"}, {"code": "BBB", "name": "B"}],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": [
            {
                "id": "L1",
                "item": "SHELL",
                "producer": "P",
                "host": "AAA",
                "capacity": 10,
                "ceiling": 40,
                "lead_time": 2,
                "delivery_lag": 1,
                "ramp": NO_RAMP,
            },
            {
                "id": "L2",
                "item": "SHELL",
                "producer": "Q",
                "host": "BBB",
                "capacity": 5,
                "ceiling": 5,
                "lead_time": 0,
                "delivery_lag": 2,
                "ramp": NO_RAMP,
            },
        ],
        "stockpiles": [
            {
                "ally": "AAA",
                "item": "SHELL",
                "initial": 20,
                "target": 200,
                "target_date": "2025-10",
            },
            {"ally": "BBB", "item": "SHELL", "initial": 5, "target": 90, "target_date": "2025-12"},
        ],
        "demand": [demand_row(4), demand_row(3, recipient="UKR", ally="BBB")],
        "contracts": [
            {
                "id": "C1",
                "buyers": "BBB",
                "line": "L2",
                "quantity": 12,
                "value": 1200,
                "currency": "USD",
                "start": "2025-01",
                "end": "2025-03",
            }
        ],
        "budgets": [
            {"ally": "AAA", "year": 2025, "amount": 1e9},
            {"ally": "BBB", "year": 2025, "amount": 1e9},
        ],
    }
    scenario = load_scenario(write_scenario(tmp_path / "s", tables))
    the_plan = make_plan(scenario)
    sim = simulate(the_plan, scenario, futures=300, seed=1, risks=no_risk(), sensitivity=0)
    inputs = sim.inputs
    rows = inputs.target_rows
    assert np.isfinite(inputs.plan_stock[rows]).all()
    assert sim.outcome.paths is not None
    np.testing.assert_allclose(
        sim.outcome.paths,
        np.broadcast_to(inputs.plan_stock[rows], sim.outcome.paths.shape),
        rtol=1e-6,
        atol=1e-5,
    )
    due = inputs.due[rows]
    np.testing.assert_allclose(
        sim.outcome.at_due[:, rows],
        np.broadcast_to(inputs.plan_stock[rows, due], (300, 2)),
        atol=1e-6,
    )
    targets = sim.targets.set_index(["ally", "group"])
    planned = the_plan.targets.set_index(["ally", "group"])
    for key, row in targets.iterrows():
        assert row["probability"] == float(planned.loc[key, "met_by_date"])
    assert not sim.outcome.short.any()


def test_same_seed_same_numbers_and_chunks_change_nothing(
    supplier: tuple[Scenario, Plan],
) -> None:
    scenario, the_plan = supplier
    risks = apply_overrides(
        scenario,
        [
            "risks.yield_loss.loss_max=0.2",
            "risks.late_delivery.probability=0.3",
            "risks.ramp_delay.probability=0.5",
            "risks.surge.start=0.1",
            "risks.surge.multiplier=2",
        ],
    ).meta.risks
    inputs = build(the_plan, scenario).with_theatres(risks)
    whole = run_futures(inputs, {"x": risks}, 1000, 5, 1024)["x"]
    chunked = run_futures(inputs, {"x": risks}, 1000, 5, engine.BLOCK)["x"]
    again = run_futures(inputs, {"x": risks}, 1000, 5, 1024)["x"]
    other = run_futures(inputs, {"x": risks}, 1000, 6, 1024)["x"]
    for field in ("at_due", "month_met", "short", "aid_short", "paths"):
        assert np.array_equal(getattr(whole, field), getattr(chunked, field)), field
        assert np.array_equal(getattr(whole, field), getattr(again, field)), field
    assert not np.array_equal(whole.at_due, other.at_due)


def test_a_risk_switched_on_leaves_the_others_numbers_alone(
    supplier: tuple[Scenario, Plan],
) -> None:
    # Common random numbers: the outages fall in the same months whether yield loss is
    # on or off. With no spare capacity, a future with k outage months ends at
    # 120 − 10k without yield loss and at 0.999·(120 − 10k) with 0.1 % of output failing.
    scenario, the_plan = supplier
    base = scenario.meta.risks
    lossy = apply_overrides(
        scenario, ["risks.yield_loss.loss_min=0.001", "risks.yield_loss.loss_max=0.001"]
    ).meta.risks
    inputs = build(the_plan, scenario)
    a = run_futures(inputs, {"x": base}, 512, 3, 512)["x"].at_due[:, 0]
    b = run_futures(inputs, {"x": lossy}, 512, 3, 512)["x"].at_due[:, 0]
    assert len(set(np.round(a).tolist())) > 2  # futures differ in their outages
    np.testing.assert_allclose(b, 0.999 * a, rtol=1e-9, atol=1e-9)


def test_each_risk_by_hand(tmp_path: Path) -> None:
    # One line of 10/month, no component, target 120 by month 11 (every month's output).
    scenario = one_supplier(tmp_path / "s")
    the_plan = make_plan(scenario)
    inputs = build(the_plan, scenario)

    def at_due(**risk: Any) -> np.ndarray:
        risks = apply_overrides(scenario, [f"risks.{k}={v}" for k, v in risk.items()]).meta.risks
        out = run_futures(inputs.with_theatres(risks), {"x": risks}, 256, 2, 256)["x"]
        return out.at_due[:, 0]

    assert np.allclose(at_due(), 120)
    # 10 % of every unit fails acceptance and nothing spare remakes it: 108.
    assert np.allclose(at_due(**{"yield_loss.loss_min": 0.1, "yield_loss.loss_max": 0.1}), 108)
    # every contract period's deliveries (monthly periods here) arrive 1 month late: the
    # last month's 10 arrive after the horizon.
    late = {"late_delivery.probability": 1, "late_delivery.max_months": 1}
    assert np.allclose(at_due(**late), 110)
    # a supplier out for good from month 0 (probability 1, spells of 1 month, all lost)
    out = {"outage.probability": 1, "outage.max_months": 1}
    assert np.allclose(at_due(**out), 0)


def test_ramp_delay_and_surge_by_hand(tmp_path: Path) -> None:
    # A line of 10/month that the plan expands to 20 from month 3 (lead 3): 10·3 + 20·9
    # = 210 by month 11. Capacity added 2 months late: 10·5 + 20·7 = 190.
    tables = {
        "allies": [{"code": "AAA", "name": "A"}],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": [
            {
                "id": "L1",
                "item": "SHELL",
                "producer": "P",
                "host": "AAA",
                "capacity": 10,
                "ceiling": 20,
                "lead_time": 3,
                "delivery_lag": 0,
                "ramp": NO_RAMP,
            }
        ],
        "stockpiles": [
            {"ally": "AAA", "item": "SHELL", "initial": 0, "target": 210, "target_date": "2025-12"}
        ],
        "budgets": [{"ally": "AAA", "year": 2025, "amount": 1e9}],
    }
    scenario = load_scenario(write_scenario(tmp_path / "s", tables))
    the_plan = make_plan(scenario)
    assert the_plan.targets.iloc[0]["met_by_date"]
    inputs = build(the_plan, scenario)
    delay = apply_overrides(
        scenario, ["risks.ramp_delay.probability=1", "risks.ramp_delay.max_months=1"]
    ).meta.risks
    out = run_futures(inputs, {"x": delay}, 256, 4, 256)["x"]
    assert np.allclose(out.at_due[:, 0], 200)  # 1 month late: 10·4 + 20·8
    # A surge from month 0 that never ends doubles consumption of 5/month: 60 more used.
    tables["demand"] = [demand_row(5)]
    tables["stockpiles"][0]["initial"] = 60
    scenario = load_scenario(write_scenario(tmp_path / "t", tables))
    the_plan = make_plan(scenario)
    surge = apply_overrides(
        scenario, ["risks.surge.start=1", "risks.surge.end=0", "risks.surge.multiplier=2"]
    ).meta.risks
    inputs = build(the_plan, scenario).with_theatres(surge)
    calm = run_futures(inputs, {"x": no_risk()}, 256, 4, 256)["x"]
    hot = run_futures(inputs, {"x": surge}, 256, 4, 256)["x"]
    assert np.allclose(calm.at_due[:, 0] - hot.at_due[:, 0], 60)


def test_one_surge_hits_every_ally_of_a_theatre(tmp_path: Path) -> None:
    tables = {
        "allies": [{"code": c, "name": c} for c in ("AAA", "BBB", "CCC")],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": [
            {
                "id": "L1",
                "item": "SHELL",
                "producer": "P",
                "host": "AAA",
                "capacity": 1,
                "ceiling": 1,
                "lead_time": 0,
                "delivery_lag": 0,
                "ramp": NO_RAMP,
            }
        ],
        "stockpiles": [
            {"ally": c, "item": "SHELL", "initial": 100, "target": 100, "target_date": "2025-12"}
            for c in ("AAA", "BBB", "CCC")
        ],
        "demand": [demand_row(1, ally=c) for c in ("AAA", "BBB", "CCC")],
        "budgets": [{"ally": c, "year": 2025, "amount": 0} for c in ("AAA", "BBB", "CCC")],
    }
    risks = {
        "surge": {"start": 0.05, "end": 0.5, "multiplier": 3, "theatres": {"EAST": ["AAA", "BBB"]}}
    }
    scenario = load_scenario(write_scenario(tmp_path / "s", tables, risks=risks))
    sim = simulate(make_plan(scenario), scenario, futures=4000, seed=9, sensitivity=0)
    level = sim.outcome.at_due
    rows = {str(a): i for i, a in enumerate(sim.inputs.row_ally)}
    a, b, c = (level[:, rows[x]] for x in ("AAA", "BBB", "CCC"))
    assert np.array_equal(a, b)  # one chain for the theatre
    assert not np.array_equal(a, c)  # CCC is in the theatre 'other', a chain of its own
    assert abs(np.corrcoef(a, c)[0, 1]) < 0.1


def test_a_plan_of_another_scenario_is_refused(
    supplier: tuple[Scenario, Plan], tmp_path: Path
) -> None:
    scenario, the_plan = supplier
    other = apply_overrides(scenario, ["stockpiles.AAA:SHELL.target=100"])
    with pytest.raises(InputError, match="plan the scenario again"):
        simulate(the_plan, other, futures=10)
    # the risks are not part of what a plan depends on
    riskier = apply_overrides(scenario, ["risks.outage.probability=0.5"])
    assert simulate(the_plan, riskier, futures=10, sensitivity=0).futures == 10


@pytest.mark.parametrize("futures", [0, -5, 10**9, 2.5, True])
def test_bad_futures_are_refused(supplier: tuple[Scenario, Plan], futures: Any) -> None:
    scenario, the_plan = supplier
    with pytest.raises(InputError, match="futures must"):
        simulate(the_plan, scenario, futures=futures)


def test_a_small_memory_bound_runs_in_chunks_with_the_same_results(
    supplier: tuple[Scenario, Plan],
) -> None:
    from materiel.simulation.api import FAN_FUTURES, memory_per_future, path_bytes

    scenario, the_plan = supplier
    inputs = build(the_plan, scenario)
    # room for the kept paths and two blocks of futures, no more
    bound = (path_bytes(inputs) * FAN_FUTURES + memory_per_future(inputs) * 2.5 * 256) / 2**20
    small = simulate(the_plan, scenario, futures=3000, seed=4, memory_mb=bound, sensitivity=0)
    large = simulate(the_plan, scenario, futures=3000, seed=4, sensitivity=0)
    assert small.chunk == 512 and large.chunk >= 3000
    assert small.memory_mb <= bound
    assert np.array_equal(small.outcome.at_due, large.outcome.at_due)
    too_small = (path_bytes(inputs) * FAN_FUTURES) / 2**20
    with pytest.raises(InputError, match="raise --memory-mb"):
        simulate(the_plan, scenario, futures=3000, memory_mb=too_small)


def test_catch_up_makes_lost_output_from_spare_capacity_only_when_asked(tmp_path: Path) -> None:
    # A line of 10 a month whose plan makes and delivers 5 a month for 12 months (60
    # units; target 59 at 2025-12), and 0-5 % of its output fails acceptance (k = 1 - u,
    # u uniform, once a future). By hand:
    # - catch_up false: 60·k arrive; met when 60·k reaches the threshold θ just under
    #   59 (59 less the target tolerance, about 58.7), i.e. u <= 1 - θ/60:
    #   P = (1 - θ/60) / 0.05, about 0.43;
    # - catch_up true: what fails is made again from the spare 5 a month; behind by at
    #   most 5u/(1-u) < 0.27 units at the end, the target is met in every future.
    from materiel.scenario.arrays import target_threshold
    from tests.scenario_kit import one_line

    folder = one_line(tmp_path / "s", capacity=10, ceiling=10, target=59, budget=6000)
    scenario = load_scenario(folder, ["policy.order_period_months=12"])
    made = Plan.from_result(plan(scenario, explain=0, compare_pooling=False))
    np.testing.assert_allclose(made.capacity["output"], 5.0, atol=1e-6)  # plan: 5 a month
    tolerance = scenario.meta.policy.target_tolerance
    threshold = target_threshold(59, tolerance)
    futures = 20_000
    by_hand = (1 - threshold / 60) / 0.05
    for catch_up, expected in ((False, by_hand), (True, 1.0)):
        risks = scenario.meta.risks.model_copy(
            update={
                "yield_loss": scenario.meta.risks.yield_loss.model_copy(
                    update={"loss_min": 0.0, "loss_max": 0.05}
                ),
                "catch_up": catch_up,
            }
        )
        run = simulate(made, scenario, futures=futures, seed=11, risks=risks, sensitivity=0)
        p = float(run.targets["probability"].iloc[0])
        error = max((expected * (1 - expected) / futures) ** 0.5, 1e-9)
        assert abs(p - expected) <= 4 * error + 1e-12, (catch_up, p, expected)
