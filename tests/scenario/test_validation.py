"""Bad scenario input: every problem is a ScenarioError naming file, row and column.

Rows are counted as a person sees them in an editor: the header is row 1, the first
data row is row 2. Every test starts from a valid scenario and breaks one thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from materiel.cli.main import main
from materiel.errors import Problem, ScenarioError
from materiel.scenario.load import load_scenario
from tests.scenario_kit import base_tables, write_bytes_table, write_scenario, write_table

NO_RULE = {"industry_rule_months": 0}


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    assert exc.value.problems, "ScenarioError without problems"
    return exc.value.problems


def the_problem(problems: list[Problem], file: str, **where: Any) -> Problem:
    """The one problem about ``file`` (matched on the file name) with the given fields."""
    found = [
        p
        for p in problems
        if Path(p.file).name == file and all(getattr(p, k) == v for k, v in where.items())
    ]
    assert len(found) == 1, "\n".join(str(p) for p in problems)
    return found[0]


def scenario(tmp_path: Path, tables: dict[str, list[dict[str, Any]]], **meta: Any) -> Path:
    return write_scenario(tmp_path / "s", tables, policy=NO_RULE, **meta)


def test_valid_base_scenario_loads(tmp_path: Path) -> None:
    # The starting point of every test below is valid.
    loaded = load_scenario(scenario(tmp_path, base_tables()))
    assert [r.code for r in loaded.records("allies")] == ["AAA"]


# --- references --------------------------------------------------------------------


def test_unknown_ally_in_stockpiles(tmp_path: Path) -> None:
    tables = base_tables()
    tables["stockpiles"].append({"ally": "ZZZ", "item": "SHELL", "initial": 0})
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "stockpiles.csv")
    assert (problem.row, problem.column, problem.found) == (3, "ally", "ZZZ")


def test_unknown_item_in_lines(tmp_path: Path) -> None:
    tables = base_tables(item="NOPE")
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "lines.csv")
    assert (problem.row, problem.column, problem.found) == (2, "item", "NOPE")


# --- values ------------------------------------------------------------------------


def test_negative_capacity(tmp_path: Path) -> None:
    tables = base_tables(capacity=-5)
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "lines.csv")
    assert (problem.row, problem.column) == (2, "capacity")
    assert problem.found == "-5"


def test_ceiling_below_capacity_names_file_and_row(tmp_path: Path) -> None:
    tables = base_tables(capacity=20, ceiling=10)
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "lines.csv")
    assert problem.row == 2
    assert "ceiling" in problem.message


def test_ceiling_below_capacity_names_column(tmp_path: Path) -> None:
    tables = base_tables(capacity=20, ceiling=10)
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "lines.csv")
    assert problem.column == "ceiling"


@pytest.mark.parametrize("month", ["2026-01", "2024-12"])
def test_target_date_outside_horizon(tmp_path: Path, month: str) -> None:
    # Horizon 12 from 2025-01: months 2025-01 .. 2025-12.
    tables = base_tables()
    tables["stockpiles"][0]["target_date"] = month
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "stockpiles.csv")
    assert (problem.row, problem.column, problem.found) == (2, "target_date", month)
    assert problem.expected is not None and "2025-01" in problem.expected
    assert "2025-12" in problem.expected


@pytest.mark.parametrize(
    ("table", "column", "text"),
    [
        ("lines", "capacity", "1e30"),
        ("lines", "capacity", "inf"),
        ("lines", "capacity", "nan"),
        ("lines", "capacity", "-inf"),
        ("items", "unit_price", "1e30"),
        ("items", "unit_price", "nan"),
        ("stockpiles", "initial", "inf"),
    ],
)
def test_huge_or_non_finite_number(tmp_path: Path, table: str, column: str, text: str) -> None:
    tables = base_tables()
    if column == "capacity":  # keep the ceiling check out of the way
        tables["lines"][0]["ceiling"] = text
    tables[table][0][column] = text
    problems = problems_of(scenario(tmp_path, tables))
    problem = the_problem(problems, f"{table}.csv", column=column)
    assert (problem.row, problem.found) == (2, text)


def test_wrong_type_for_capacity(tmp_path: Path) -> None:
    tables = base_tables(capacity="ten")
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "lines.csv", column="capacity")
    assert (problem.row, problem.found) == (2, "ten")


@pytest.mark.parametrize("month", ["2025-13", "2025-00", "2025-1", "Dec 2025"])
def test_bad_month(tmp_path: Path, month: str) -> None:
    tables = base_tables()
    tables["stockpiles"][0]["target_date"] = month
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "stockpiles.csv")
    assert (problem.row, problem.column, problem.found) == (2, "target_date", month)


def test_duplicate_key_names_file_and_row(tmp_path: Path) -> None:
    tables = base_tables()
    tables["items"].append({"code": "SHELL", "name": "Shell again", "unit_price": 5})
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "items.csv")
    assert problem.row == 3
    assert "duplicate" in problem.message and "row 2" in problem.message


def test_duplicate_key_names_column(tmp_path: Path) -> None:
    tables = base_tables()
    tables["items"].append({"code": "SHELL", "name": "Shell again", "unit_price": 5})
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "items.csv")
    assert problem.column == "code"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "=cmd|' /C calc'!A0",
        "+1+1",
        "@SUM(A1)",
        "Robert'); DROP TABLE allies;--",
    ],
)
def test_hostile_text_is_kept_as_a_name(tmp_path: Path, text: str) -> None:
    tables = base_tables()
    tables["allies"][0]["name"] = text
    tables["items"][0]["name"] = text
    loaded = load_scenario(scenario(tmp_path, tables))
    assert loaded.records("allies")[0].name == text
    assert loaded.records("items")[0].name == text


@pytest.mark.parametrize("text", ["<script>", "=cmd|", "AA;", "../"])
def test_hostile_text_is_rejected_as_an_ally_code(tmp_path: Path, text: str) -> None:
    tables = base_tables()
    tables["allies"].append({"code": text, "name": "Hostile"})
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "allies.csv")
    assert (problem.row, problem.column, problem.found) == (3, "code", text)


# --- files and columns ---------------------------------------------------------------


def test_missing_required_column(tmp_path: Path) -> None:
    tables = base_tables()
    del tables["lines"][0]["capacity"]
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "lines.csv")
    assert problem.column == "capacity"
    assert problem.row in (None, 1)  # the header, if a row is given


def test_unknown_column(tmp_path: Path) -> None:
    tables = base_tables()
    tables["lines"][0]["colour"] = "green"
    problem = the_problem(problems_of(scenario(tmp_path, tables)), "lines.csv")
    assert (problem.column, problem.found) == ("colour", "colour")
    assert problem.row in (None, 1)


def test_empty_csv(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables())
    write_bytes_table(folder, "stockpiles", b"")
    problem = the_problem(problems_of(folder), "stockpiles.csv")
    assert "empty" in problem.message


def test_blank_lines_only_csv(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables())
    write_bytes_table(folder, "stockpiles", b"\n  \n\n")
    problem = the_problem(problems_of(folder), "stockpiles.csv")
    assert "empty" in problem.message


def test_header_only_required_table_names_the_file(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables())
    write_bytes_table(folder, "stockpiles", b"ally,item,initial,target,target_date\n")
    problem = the_problem(problems_of(folder), "stockpiles.csv")
    assert "no rows" in problem.message


def _latin1_allies(folder: Path) -> None:
    # Row 3 (the second data row) holds "Côte" saved as latin-1: byte 0xf4.
    write_bytes_table(folder, "allies", "code,name\nAAA,Ally A\nBBB,C\xf4te\n".encode("latin-1"))


def test_non_utf8_csv_names_the_file(tmp_path: Path) -> None:
    tables = base_tables()
    folder = scenario(tmp_path, tables)
    _latin1_allies(folder)
    problem = the_problem(problems_of(folder), "allies.csv")
    assert "UTF-8" in problem.message


def test_non_utf8_csv_names_row_and_column(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables())
    _latin1_allies(folder)
    problem = the_problem(problems_of(folder), "allies.csv")
    assert (problem.row, problem.column) == (3, "name")


def test_utf8_with_bom_and_non_ascii_loads(tmp_path: Path) -> None:
    # The kind counterpart: Excel's UTF-8 with BOM and accented names are fine.
    folder = scenario(tmp_path, base_tables())
    write_bytes_table(folder, "allies", "code,name\nAAA,Côte d’Ivoire\n".encode("utf-8-sig"))
    assert load_scenario(folder).records("allies")[0].name == "Côte d’Ivoire"


def _cycle(tmp_path: Path) -> Path:
    # a extends b, b extends a.
    a = write_scenario(tmp_path / "a", base_tables(), name="a", extends="../b")
    write_scenario(tmp_path / "b", {}, name="b", extends="../a")
    return a


def test_cycle_of_extends_names_the_file(tmp_path: Path) -> None:
    a = _cycle(tmp_path)
    problems = problems_of(a)
    cycle = [p for p in problems if "cycle" in p.message]
    assert len(cycle) == 1, problems
    assert Path(cycle[0].file).name == "scenario.yaml"
    assert "a" in cycle[0].message and "b" in cycle[0].message


def test_self_extends_is_a_cycle(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables(), extends=".")
    assert any("cycle" in p.message for p in problems_of(folder))


def test_cycle_of_extends_names_the_key(tmp_path: Path) -> None:
    cycle = [p for p in problems_of(_cycle(tmp_path)) if "cycle" in p.message]
    assert cycle and cycle[0].column == "extends"


def test_missing_parent_of_extends(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables(), extends="../nowhere")
    problem = the_problem(problems_of(folder), "scenario.yaml", column="extends")
    assert "nowhere" in problem.message


@pytest.mark.parametrize(
    ("field", "value"),
    [("horizon", 0), ("horizon", "ten"), ("start", "2025-13"), ("currency", "usd")],
)
def test_bad_scenario_yaml_field(tmp_path: Path, field: str, value: Any) -> None:
    folder = scenario(tmp_path, base_tables(), **{field: value})
    problem = the_problem(problems_of(folder), "scenario.yaml", column=field)
    assert problem.found == repr(value)


def test_missing_table_file(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables())
    (folder / "budgets.csv").unlink()
    problem = the_problem(problems_of(folder), "budgets.csv")
    assert "not found" in problem.message


# --- all problems at once --------------------------------------------------------------


def test_problems_in_several_files_come_together(tmp_path: Path) -> None:
    tables = base_tables(capacity=-1)
    tables["stockpiles"][0]["target_date"] = "2025-13"
    tables["budgets"][0]["amount"] = "lots"
    tables["allies"].append({"code": "bad", "name": "Lower case"})
    problems = problems_of(scenario(tmp_path, tables))
    the_problem(problems, "lines.csv", row=2, column="capacity")
    the_problem(problems, "stockpiles.csv", row=2, column="target_date")
    the_problem(problems, "budgets.csv", row=2, column="amount")
    the_problem(problems, "allies.csv", row=3, column="code")


def test_reference_problems_in_several_files_come_together(tmp_path: Path) -> None:
    tables = base_tables(item="NOPE")
    tables["stockpiles"][0]["target_date"] = "2030-01"
    tables["budgets"][0]["ally"] = "ZZZ"
    problems = problems_of(scenario(tmp_path, tables))
    the_problem(problems, "lines.csv", row=2, column="item")
    the_problem(problems, "stockpiles.csv", row=2, column="target_date")
    the_problem(problems, "budgets.csv", row=2, column="ally")


def test_value_and_reference_problems_come_together(tmp_path: Path) -> None:
    # lines.csv has a negative capacity (a value problem); budgets.csv names an ally that
    # does not exist (a reference problem, in a file whose rows are all well formed).
    tables = base_tables(capacity=-1)
    tables["budgets"][0]["ally"] = "ZZZ"
    problems = problems_of(scenario(tmp_path, tables))
    the_problem(problems, "lines.csv", row=2, column="capacity")
    the_problem(problems, "budgets.csv", row=2, column="ally")


def test_error_text_lists_every_problem(tmp_path: Path) -> None:
    tables = base_tables(capacity=-1)
    tables["stockpiles"][0]["target_date"] = "2025-13"
    with pytest.raises(ScenarioError) as exc:
        load_scenario(scenario(tmp_path, tables))
    text = str(exc.value)
    assert "2 problems" in text
    assert "lines.csv, row 2, column 'capacity'" in text
    assert "stockpiles.csv, row 2, column 'target_date'" in text


# --- through the command line ------------------------------------------------------------


def _bad_folder(tmp_path: Path) -> Path:
    tables = base_tables(capacity=-1)
    tables["stockpiles"][0]["ally"] = "ZZZ"
    return scenario(tmp_path, tables)


def test_cli_validate_bad_scenario_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(_bad_folder(tmp_path))])
    out = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out.out + out.err
    assert "lines.csv" in out.out + out.err
    assert "capacity" in out.out + out.err


def test_cli_validate_good_scenario_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(scenario(tmp_path, base_tables()))]) == 0
    assert "ok" in capsys.readouterr().out


def test_cli_validate_bad_override_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = scenario(tmp_path, base_tables())
    code = main(["validate", str(folder), "--set", "items.NOPE.unit_price=5"])
    out = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out.out + out.err
    assert "NOPE" in out.out + out.err


def _plan_is_a_command(capsys: pytest.CaptureFixture[str]) -> bool:
    code = main(["plan", "--help"])
    capsys.readouterr()
    return code == 0


def test_cli_plan_bad_scenario_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not _plan_is_a_command(capsys):
        pytest.skip("no 'plan' command yet")
    out_dir = tmp_path / "out"
    code = main(["plan", str(_bad_folder(tmp_path)), "--out", str(out_dir)])
    out = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out.out + out.err
    assert "lines.csv" in out.out + out.err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_cli_plan_infeasible_contract_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not _plan_is_a_command(capsys):
        pytest.skip("no 'plan' command yet")
    tables = base_tables()
    tables["contracts"] = [
        {
            "id": "C1",
            "buyers": "AAA",
            "line": "L1",
            "quantity": 600,
            "value": 1,
            "currency": "USD",
            "start": "2025-01",
            "end": "2025-03",
        }
    ]
    code = main(["plan", str(scenario(tmp_path, tables)), "--out", str(tmp_path / "out")])
    out = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out.out + out.err
    assert "L1" in out.out + out.err


def test_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables())
    (folder / "scenario.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert any("mapping" in p.message for p in problems_of(folder))


def _broken_yaml(tmp_path: Path) -> Path:
    # A valid scenario.yaml (name, start, horizon present) with a broken last line (14).
    folder = scenario(tmp_path, base_tables())
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    (folder / "scenario.yaml").write_text(text + "description: [12\n", encoding="utf-8")
    return folder


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    folder = _broken_yaml(tmp_path)
    lines = (folder / "scenario.yaml").read_text(encoding="utf-8").count("\n")
    broken = [p for p in problems_of(folder) if "YAML" in p.message]
    assert len(broken) == 1
    assert broken[0].row is not None and 1 <= broken[0].row <= lines + 1


def test_broken_yaml_is_one_problem(tmp_path: Path) -> None:
    problems = problems_of(_broken_yaml(tmp_path))
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_csv_with_more_cells_than_header(tmp_path: Path) -> None:
    folder = scenario(tmp_path, base_tables())
    write_table(folder / "allies.csv", [{"code": "AAA", "name": "Ally A"}])
    with (folder / "allies.csv").open("a", encoding="utf-8") as fh:
        fh.write("BBB,Ally B,extra\n")
    problem = the_problem(problems_of(folder), "allies.csv")
    assert problem.row == 3


def test_yaml_round_trip_of_kit(tmp_path: Path) -> None:
    # Guard for the helpers: the policy written by the kit is what the loader sees.
    folder = scenario(tmp_path, base_tables())
    doc = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    assert doc["policy"] == {"order_period_months": 1, **NO_RULE}
    assert load_scenario(folder).meta.policy.industry_rule_months == 0
    assert load_scenario(folder).meta.policy.order_period_months == 1
