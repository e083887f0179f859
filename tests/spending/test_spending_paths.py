"""Spending paths: budgets derived from GDP, a share path, equipment and modelled part."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from materiel.cli.main import main
from materiel.errors import ScenarioError
from materiel.scenario.load import apply_overrides, load_scenario
from materiel.spending.figures import MODELLED_PART_PCT
from materiel.spending.path import PathError, parse_path
from materiel.track.outlook import path_year
from tests.scenario_kit import base_tables, write_scenario


def hand_scenario(folder: Path, path: str = "reach:3.5@2030", horizon: int = 96, **spending):
    """One ally: GDP 100 bn, 1.5 % of GDP on defence, 20 % of it on equipment."""
    tables = base_tables()
    tables["allies"] = [
        {
            "code": "AAA",
            "name": "Ally A",
            "gdp": 100,
            "defence_share": 1.5,
            "equipment_share": 20,
            "source": "a test's figures",
        }
    ]
    return write_scenario(
        folder,
        tables,
        horizon=horizon,
        spending={"path": path, "gdp_growth": 2.0, **spending},
    )


def budgets_of(scenario) -> dict[int, float]:
    frame = scenario.table("budgets")
    return dict(zip(frame["year"].astype(int), frame["amount"].astype(float), strict=True))


def test_reach_path_by_hand(tmp_path: Path) -> None:
    # 2025 .. 2032 (96 months from 2025-01); 1.5 % now, 3.5 % in 2030, held after
    budgets = budgets_of(load_scenario(hand_scenario(tmp_path)))
    assert sorted(budgets) == list(range(2025, 2033))
    part = MODELLED_PART_PCT / 100
    for year, amount in budgets.items():
        gdp = 100e9 * 1.02 ** (year - 2025)
        share = 1.5 + (3.5 - 1.5) * min(year - 2025, 5) / 5
        assert amount == pytest.approx(gdp * share / 100 * 0.20 * part, rel=1e-12)
    # the same figures written out by hand, with the 5 % modelled part
    assert budgets[2025] == pytest.approx(100e9 * 0.015 * 0.20 * 0.05)  # 15.0 M
    assert budgets[2027] == pytest.approx(104.04e9 * 0.023 * 0.20 * 0.05)  # share 2.3 %
    assert budgets[2030] == pytest.approx(100e9 * 1.02**5 * 0.035 * 0.01)
    assert budgets[2032] == pytest.approx(100e9 * 1.02**7 * 0.035 * 0.01)  # held at 3.5 %


def test_current_path_holds_the_share_and_growth_per_ally(tmp_path: Path) -> None:
    folder = hand_scenario(tmp_path, path="current", horizon=36, gdp_growth_by_ally={"AAA": 10.0})
    budgets = budgets_of(load_scenario(folder))
    base = 100e9 * 0.015 * 0.20 * 0.05
    assert budgets == pytest.approx({2025: base, 2026: base * 1.1, 2027: base * 1.21})


def test_points_path_and_equipment_lever(tmp_path: Path) -> None:
    folder = hand_scenario(
        tmp_path, path="points:2026=2.5,2028=4.5", horizon=48, equipment_share=40
    )
    scenario = load_scenario(folder)
    budgets = budgets_of(scenario)
    shares = {2025: 1.5, 2026: 2.5, 2027: 3.5, 2028: 4.5}
    for year, share in shares.items():
        expected = 100e9 * 1.02 ** (year - 2025) * share / 100 * 0.40 * 0.05
        assert budgets[year] == pytest.approx(expected)
    row = scenario.rows["budgets"][0].row
    assert row.assumption is True
    assert "a test's figures" in row.source
    assert "assumption" in row.note and "spending.equipment_share" in row.note


def test_given_keeps_the_budgets_table(tmp_path: Path) -> None:
    scenario = load_scenario(hand_scenario(tmp_path, path="given"))
    assert budgets_of(scenario) == {2025: 1e9}


def test_sweep_style_override_derives_and_changes_the_digest(tmp_path: Path) -> None:
    scenario = load_scenario(hand_scenario(tmp_path, path="given"))
    reach = apply_overrides(scenario, ["spending.path=reach:3.5@2030"])
    current = apply_overrides(scenario, ["spending.path=current"])
    assert budgets_of(reach)[2030] > budgets_of(current)[2030]
    assert len({scenario.digest(), reach.digest(), current.digest()}) == 3


def test_builtin_keeps_its_budgets_unless_a_path_is_given() -> None:
    builtin = load_scenario("nato-2024")
    assert builtin.meta.spending is None
    assert all(loc.file.endswith("budgets.csv") for loc in builtin.rows["budgets"])
    derived = apply_overrides(builtin, ["spending.path=current"])
    frame = derived.table("budgets").set_index(["ally", "year"])["amount"]
    allies = builtin.table("allies").set_index("code")
    deu = allies.loc["DEU"]
    expected = deu["gdp"] * 1e9 * deu["defence_share"] / 100 * deu["equipment_share"] / 100
    assert frame[("DEU", 2030)] == pytest.approx(expected * MODELLED_PART_PCT / 100)
    assert frame[("ISL", 2030)] == 0  # Iceland: no defence share in NATO's tables


def test_contract_months_is_order_period_months() -> None:
    scenario = apply_overrides(load_scenario("nato-2024"), ["policy.contract_months=36"])
    assert scenario.meta.policy.order_period_months == 36


@pytest.mark.parametrize(
    "text",
    [
        "reach:3.5",
        "reach:3.5@",
        "reach:abc@2030",
        "reach:150@2030",
        "sometimes",
        "points:",
        "points:2030=2,2028=3",
        "points:2030",
        "",
    ],
)
def test_malformed_paths_are_refused(text: str) -> None:
    with pytest.raises(PathError):
        parse_path(text)


def test_a_target_year_in_the_past_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="2024 is not after the base year 2025"):
        load_scenario(hand_scenario(tmp_path, path="reach:3.5@2024"))
    with pytest.raises(ScenarioError, match="not after the base year 2024"):
        apply_overrides(load_scenario("nato-2024"), ["spending.path=reach:2@2024"])


def test_budgets_command_prints_sources_and_writes_csv(tmp_path: Path, capsys) -> None:
    out = tmp_path / "budgets.csv"
    folder = hand_scenario(tmp_path / "s", path="given")
    assert main(["budgets", str(folder), "--path", "reach:3.5@2030", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "a test's figures" in text
    assert "assumption: 2 % a year" in text
    assert "assumption: 5 % of equipment spending" in text
    frame = pd.read_csv(out)
    assert frame.set_index("year").at[2030, "defence_share_pct"] == pytest.approx(3.5)
    assert frame.set_index("year").at[2025, "amount"] == pytest.approx(15e6)


@pytest.mark.parametrize("path", ["reach:3.5@2020", "reach:3.5%2035", "climb"])
def test_budgets_command_bad_path_exit_2(path: str, capsys) -> None:
    assert main(["budgets", "nato-2024", "--path", path]) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "spending path" in err or "spending.path" in err
    assert "Traceback" not in err


def test_tracker_pledged_path_is_the_spending_path() -> None:
    # 1.5 % in 2024 reaching 3.5 % in 2029: 2.3 % in 2026, 2.7 % in 2027
    assert path_year(2024, 1.5, 3.5, 2029, 2.5, 2040) == 2027
    path = parse_path("reach:3.5@2029")
    assert path.share(2026, 2024, 1.5) == pytest.approx(2.3)
    assert path.share(2027, 2024, 1.5) >= 2.5 > path.share(2026, 2024, 1.5)


def test_builtin_budgets_are_the_shared_formula_on_the_trackers_tables() -> None:
    """The built-in budgets are NATO's 2024e expenditure x equipment share x modelled part,
    read from the tables the tracker reads, through materiel.spending's formula."""
    from materiel.publicdata import nato_year_table
    from materiel.spending.figures import budget_amount
    from materiel.track.totals import EQUIPMENT, EXP_CURRENT

    expenditure_musd, equipment = nato_year_table(EXP_CURRENT), nato_year_table(EQUIPMENT)
    budgets = load_scenario("nato-2024").table("budgets").set_index(["ally", "year"])["amount"]
    checked = 0
    for ally in expenditure_musd.index:
        expected = budget_amount(
            expenditure_musd.at[ally, 2024] * 1e6, equipment.at[ally, 2024], MODELLED_PART_PCT
        )
        for year in (2024, 2034):  # held flat
            assert budgets[(ally, year)] == pytest.approx(expected, abs=1.0)
        checked += 1
    assert checked == 31  # every ally with expenditure figures (all but Iceland)


def test_an_ally_can_follow_a_path_of_its_own(tmp_path: Path) -> None:
    tables = base_tables()
    tables["allies"] = [
        {"code": code, "name": code, "gdp": 100, "defence_share": 2.0, "equipment_share": 20}
        for code in ("AAA", "BBB")
    ]
    folder = write_scenario(
        tmp_path,
        tables,
        horizon=36,
        spending={"path": "current", "path_by_ally": {"BBB": "reach:4@2027"}},
    )
    frame = load_scenario(folder).table("budgets").set_index(["ally", "year"])["amount"]
    for year, share in ((2025, 2.0), (2026, 3.0), (2027, 4.0)):
        assert frame[("AAA", year)] == pytest.approx(100e9 * 0.02 * 0.20 * 0.05)
        assert frame[("BBB", year)] == pytest.approx(100e9 * share / 100 * 0.20 * 0.05)


@pytest.mark.parametrize(
    ("spending", "message"),
    [
        ({"path": "current", "path_by_ally": {"BBB": "reach:4@2024"}}, "not after the base"),
        ({"path": "current", "path_by_ally": {"bbb": "current"}}, "not an ISO3 code"),
        ({"path": "current", "path_by_ally": {"BBB": "given"}}, "every ally or none"),
        ({"path": "given", "path_by_ally": {"BBB": "current"}}, "derives no budgets"),
    ],
)
def test_bad_paths_by_ally_are_refused(tmp_path: Path, spending, message) -> None:
    folder = write_scenario(tmp_path, base_tables(), spending=spending)
    with pytest.raises(ScenarioError, match=message):
        load_scenario(folder)
