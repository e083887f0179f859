"""Scenarios that extend others, ``--set`` overrides, and Parquet tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from materiel.cli.main import main
from materiel.errors import ScenarioError
from materiel.planner.api import plan
from materiel.scenario.load import load_scenario
from materiel.scenario.model import Scenario
from tests.scenario_kit import base_tables, write_scenario, write_table

NO_RULE = {"industry_rule_months": 0}


def x_tables() -> dict[str, list[dict[str, Any]]]:
    """Base tables with the item called X (as in the README's override examples)."""
    tables = base_tables(item="X")
    tables["items"][0].update(code="X", name="Item X")
    tables["stockpiles"][0]["item"] = "X"
    return tables


def parent_folder(tmp_path: Path) -> Path:
    tables = x_tables()
    tables["items"].append({"code": "MSL", "name": "Missile", "unit_price": 1_000})
    return write_scenario(
        tmp_path / "parent", tables, name="parent", horizon=18, policy={**NO_RULE, "pooling": False}
    )


def child_folder(tmp_path: Path, items: list[dict[str, Any]] | None = None) -> Path:
    """Child: extends ../parent, replaces item X (price 200), adds ally BBB."""
    folder = tmp_path / "child"
    folder.mkdir()
    write_table(
        folder / "items.csv", items or [{"code": "X", "name": "Item X (child)", "unit_price": 200}]
    )
    write_table(folder / "allies.csv", [{"code": "BBB", "name": "Ally B"}])
    doc = {
        "name": "child",
        "extends": "../parent",
        "policy": {"expansion": False},
        "tables": {"items": "items.csv", "allies": "allies.csv"},
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return folder


def by_key(scenario: Scenario, table: str, key: str = "code") -> dict[str, Any]:
    return {getattr(r, key): r for r in scenario.records(table)}


# --- extends --------------------------------------------------------------------------


def test_child_overrides_one_row_and_adds_one(tmp_path: Path) -> None:
    parent_folder(tmp_path)
    child = load_scenario(child_folder(tmp_path))
    items = by_key(child, "items")
    assert set(items) == {"X", "MSL"}
    assert items["X"].unit_price == 200 and items["X"].name == "Item X (child)"
    assert items["MSL"].unit_price == 1_000  # inherited unchanged
    assert set(by_key(child, "allies")) == {"AAA", "BBB"}
    assert [r.id for r in child.records("lines")] == ["L1"]  # table inherited whole
    # scenario.yaml fields: own name, inherited horizon, policies merged key by key
    assert child.name == "child"
    assert child.horizon == 18
    policy = child.meta.policy
    assert (policy.expansion, policy.pooling, policy.industry_rule_months) == (False, False, 0)


def test_child_rows_keep_their_own_file(tmp_path: Path) -> None:
    parent_folder(tmp_path)
    child = load_scenario(child_folder(tmp_path))
    where = {loc.row.code: loc for loc in child.rows["items"]}  # type: ignore[attr-defined]
    assert Path(where["X"].file).parent.name == "child"
    assert Path(where["MSL"].file).parent.name == "parent"


def test_child_plans_with_its_override(tmp_path: Path) -> None:
    # Parent: target 50 of X by 2025-12, line 10/month. Child price 200: 50 x 200 = 10,000.
    parent_folder(tmp_path)
    result = plan(child_folder(tmp_path), explain=0, compare_pooling=False)
    assert float(result.spending()["total"].sum()) == pytest.approx(10_000, rel=1e-6)


def test_problem_in_child_row_names_the_child_file(tmp_path: Path) -> None:
    parent_folder(tmp_path)
    folder = child_folder(tmp_path, items=[{"code": "X", "name": "X", "unit_price": -1}])
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    [problem] = exc.value.problems
    assert Path(problem.file).parent.name == "child"
    assert (problem.row, problem.column) == (2, "unit_price")


def test_duplicate_within_child_file_is_an_error(tmp_path: Path) -> None:
    parent_folder(tmp_path)
    folder = child_folder(
        tmp_path,
        items=[
            {"code": "X", "name": "X", "unit_price": 1},
            {"code": "X", "name": "X", "unit_price": 2},
        ],
    )
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    assert any("duplicate" in p.message and p.row == 3 for p in exc.value.problems)


# --- overrides ----------------------------------------------------------------------


SETS = ["policy.pooling=false", "horizon=24", "items.X.unit_price=5", "stockpiles.AAA:X.target=10"]


def x_folder(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "x", x_tables(), policy=NO_RULE)


def _check_sets(scenario: Scenario) -> None:
    assert scenario.meta.policy.pooling is False
    assert scenario.horizon == 24
    assert by_key(scenario, "items")["X"].unit_price == 5
    [stock] = scenario.records("stockpiles")
    assert stock.target == 10  # type: ignore[attr-defined]


def test_set_overrides_take_effect(tmp_path: Path) -> None:
    folder = x_folder(tmp_path)
    assert load_scenario(folder).meta.policy.pooling is True  # the default, before
    _check_sets(load_scenario(folder, overrides=SETS))


def test_set_overrides_as_mapping(tmp_path: Path) -> None:
    overrides = {
        "policy.pooling": False,
        "horizon": 24,
        "items.X.unit_price": 5,
        "stockpiles.AAA:X.target": 10,
    }
    _check_sets(load_scenario(x_folder(tmp_path), overrides=overrides))


def test_set_override_with_numeric_key(tmp_path: Path) -> None:
    # budgets are keyed by ally and year: AAA:2025
    scenario = load_scenario(x_folder(tmp_path), overrides=["budgets.AAA:2025.amount=7"])
    assert scenario.records("budgets")[0].amount == 7  # type: ignore[attr-defined]


def test_overrides_reach_the_plan(tmp_path: Path) -> None:
    # Target 10 at price 5, line 10/month: met at month 0, 10 x 5 = 50; 24 months planned.
    result = plan(x_folder(tmp_path), overrides=SETS, explain=0, compare_pooling=False)
    assert result.stock.sizes["month"] == 24
    assert float(result.spending()["total"].sum()) == pytest.approx(50, rel=1e-6)
    assert int(result.targets.iloc[0]["months_to_target"]) == 0


def test_plan_overrides_add_to_those_of_a_loaded_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(x_folder(tmp_path), overrides=["horizon=24"])
    result = plan(scenario, overrides=["items.X.unit_price=5"], explain=0, compare_pooling=False)
    assert result.stock.sizes["month"] == 24
    assert float(result.spending()["total"].sum()) == pytest.approx(250, rel=1e-6)


def test_override_is_checked_across_tables(tmp_path: Path) -> None:
    # horizon 6 from 2025-01 ends 2025-06: the 2025-12 target date falls outside.
    with pytest.raises(ScenarioError) as exc:
        load_scenario(x_folder(tmp_path), overrides=["horizon=6"])
    assert any(
        p.column == "target_date" and Path(p.file).name == "stockpiles.csv"
        for p in exc.value.problems
    )


@pytest.mark.parametrize(
    "text",
    [
        "nonsense=1",  # unknown path
        "policy.nonsense=1",  # unknown policy switch
        "items.NOPE.unit_price=5",  # unknown row key
        "stockpiles.AAA:NOPE.target=5",
        "stockpiles.AAA.target=5",  # key of two columns given as one
        "items.X.colour=red",  # unknown column
        "items.unit_price=5",  # no key
        "items.X.unit_price=-5",  # value out of range
        "items.X.unit_price=ten",  # wrong type
        "horizon=ten",
        "horizon=0",
        "policy.pooling=maybe",
        "tables.items=other.csv",  # file references are not overridable
        "extends=../elsewhere",
        "no equals sign",
    ],
)
def test_bad_override_is_a_scenario_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(x_folder(tmp_path), overrides=[text])
    assert exc.value.problems


def test_bad_override_names_the_override(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(x_folder(tmp_path), overrides=["items.NOPE.unit_price=5"])
    [problem] = exc.value.problems
    assert problem.column == "items.NOPE.unit_price"
    assert "NOPE" in str(problem)


def test_cli_set_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = x_folder(tmp_path)
    args = ["validate", str(folder)]
    for text in SETS:
        args += ["--set", text]
    assert main(args) == 0
    assert main(["validate", str(folder), "--set", "policy.nonsense=1"]) == 2
    assert "Traceback" not in "".join(capsys.readouterr())


# --- Parquet ------------------------------------------------------------------------


def write_parquet_scenario(
    folder: Path, tables: dict[str, list[dict[str, Any]]], parquet: set[str], **meta: Any
) -> Path:
    """Like write_scenario, with the tables named in ``parquet`` written as Parquet."""
    write_scenario(folder, tables, **meta)
    doc = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    for name in parquet:
        pd.DataFrame(tables[name]).to_parquet(folder / f"{name}.parquet", index=False)
        (folder / f"{name}.csv").unlink()
        doc["tables"][name] = f"{name}.parquet"
    (folder / "scenario.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


def rich_tables() -> dict[str, list[dict[str, Any]]]:
    tables = base_tables()
    tables["lines"][0].update(source="public figure", assumption=False)
    tables["lines"].append(
        {
            "id": "L2",
            "item": "SHELL",
            "producer": "Q",
            "host": "AAA",
            "capacity": 2.5,
            "ceiling": 5,
            "lead_time": 1,
            "expansion_cost": 0,
            "delivery_lag": 1,
            "source": None,
            "assumption": True,
        }
    )
    tables["contracts"] = [
        {
            "id": "C1",
            "buyers": "AAA",
            "line": "L1",
            "quantity": 6,
            "value": 600,
            "currency": "USD",
            "start": "2025-02",
            "end": "2025-03",
            "firm": True,
        }
    ]
    return tables


def test_parquet_tables_load_like_csv(tmp_path: Path) -> None:
    tables = rich_tables()
    csv = load_scenario(write_scenario(tmp_path / "csv", tables, policy=NO_RULE))
    pq = load_scenario(write_parquet_scenario(tmp_path / "pq", tables, set(tables), policy=NO_RULE))
    for name in tables:
        assert pq.records(name) == csv.records(name), name
    line2 = by_key(pq, "lines", "id")["L2"]
    assert (line2.capacity, line2.assumption, line2.source) == (2.5, True, None)


def test_parquet_and_csv_mixed_plan_the_same(tmp_path: Path) -> None:
    tables = rich_tables()
    a = plan(
        write_scenario(tmp_path / "csv", tables, policy=NO_RULE), explain=0, compare_pooling=False
    )
    b = plan(
        write_parquet_scenario(tmp_path / "pq", tables, {"lines", "contracts"}, policy=NO_RULE),
        explain=0,
        compare_pooling=False,
    )
    assert b.solution.cost == pytest.approx(a.solution.cost, rel=1e-9)
    assert b.targets["months_to_target"].tolist() == a.targets["months_to_target"].tolist()


def test_parquet_bad_value_names_file_and_column(tmp_path: Path) -> None:
    tables = base_tables(capacity=-3)
    folder = write_parquet_scenario(tmp_path / "pq", tables, {"lines"}, policy=NO_RULE)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    [problem] = exc.value.problems
    assert Path(problem.file).name == "lines.parquet"
    assert problem.column == "capacity"
    assert problem.row is not None


def test_broken_parquet_is_a_scenario_error(tmp_path: Path) -> None:
    folder = write_parquet_scenario(tmp_path / "pq", base_tables(), {"lines"}, policy=NO_RULE)
    (folder / "lines.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    assert any(Path(p.file).name == "lines.parquet" for p in exc.value.problems)
