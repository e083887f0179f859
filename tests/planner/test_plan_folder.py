"""The Plan: saved to a plan folder and loaded back, refused for another scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import materiel
from materiel.errors import InputError
from materiel.planner.api import plan
from materiel.planner.plan import Plan
from materiel.scenario.load import load_scenario
from tests.scenario_kit import one_line


def test_plan_round_trips_through_its_folder(tmp_path: Path) -> None:
    scenario = load_scenario(one_line(tmp_path / "s", policy={"industry_rule_months": 0}))
    result = plan(scenario, explain=0, compare_pooling=False)
    saved = result.plan.save(tmp_path / "plan")
    manifest = json.loads((saved / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario_digest"] == scenario.digest()
    loaded = Plan.load(saved, scenario)
    for name, frame in result.plan.tables.items():
        pd.testing.assert_frame_equal(
            loaded.tables[name].reset_index(drop=True),
            frame.reset_index(drop=True),
            check_dtype=False,
        )
    # 50 units at 10 a month, one contract (monthly periods, one rate)
    assert float(loaded.contracts["quantity"].sum()) == pytest.approx(50)
    assert loaded.summary["targets"] == 1
    assert isinstance(materiel.Plan.load(saved), Plan)


def test_a_plan_is_refused_for_another_scenario(tmp_path: Path) -> None:
    folder = one_line(tmp_path / "s", policy={"industry_rule_months": 0})
    scenario = load_scenario(folder)
    saved = plan(scenario, explain=0, compare_pooling=False).plan.save(tmp_path / "plan")
    changed = load_scenario(folder, overrides=["stockpiles.AAA:SHELL.target=60"])
    assert changed.digest() != scenario.digest()
    with pytest.raises(InputError, match="made for scenario 'test'"):
        Plan.load(saved, changed)
    with pytest.raises(InputError, match="not a plan folder"):
        Plan.load(tmp_path / "nowhere", scenario)
    (saved / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read the plan manifest"):
        Plan.load(saved, scenario)


def test_overrides_apply_to_the_scenario_object_not_its_folder(tmp_path: Path) -> None:
    # A scenario changed in memory keeps its change when plan() applies overrides.
    folder = one_line(tmp_path / "s", policy={"industry_rule_months": 0})
    scenario = load_scenario(folder, overrides=["stockpiles.AAA:SHELL.target=30"])
    result = plan(scenario, overrides=["policy.pooling=false"], explain=0, compare_pooling=False)
    assert result.targets.iloc[0]["target"] == 30
    assert result.scenario.meta.policy.pooling is False


def test_every_plan_table_is_made_and_every_served_one_has_an_access_rule():
    # One record per plan table (planner.plan.PLAN_TABLES): the plan holds each, the
    # workspace serves those marked served, and the access policy has a rule for each.
    from materiel.planner.plan import PLAN_TABLES, SERVED
    from materiel.store import policy
    from materiel.store.run_ops import PLAN_TABLES as RUN_TABLES

    scenario = load_scenario("nato-2024", ["policy.whole_lots=false"])
    made = plan(scenario, explain=0, compare_pooling=False).plan
    assert set(made.tables) == {t.name for t in PLAN_TABLES}
    assert RUN_TABLES == SERVED and "unmet" not in SERVED
    rules = policy.RULES
    assert all(f"plan.{name}" in rules for name in SERVED)
