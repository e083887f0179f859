"""`materiel scenarios`, `init`, `validate` and `schema` as a user runs them."""

from __future__ import annotations

from pathlib import Path

from materiel.cli.main import main
from materiel.scenario.load import load_scenario


def test_scenarios_lists_the_builtin(capsys) -> None:
    assert main(["scenarios"]) == 0
    assert "nato-2024" in capsys.readouterr().out


def test_init_copies_an_editable_scenario(tmp_path: Path, capsys) -> None:
    target = tmp_path / "mine"
    assert main(["init", str(target), "--from", "nato-2024"]) == 0
    assert (target / "scenario.yaml").is_file()
    assert not (target / "__init__.py").exists()
    # the copy is a scenario of its own: edit a row and it loads with the edit
    items = (target / "items.csv").read_text(encoding="utf-8")
    (target / "items.csv").write_text(items.replace("480461.54", "500000"), encoding="utf-8")
    copy = load_scenario(target)
    assert copy.table("items").set_index("code").at["STINGER", "unit_price"] == 500000
    assert main(["validate", str(target)]) == 0
    assert "ok" in capsys.readouterr().out


def test_init_refuses_a_folder_with_files(tmp_path: Path, capsys) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(tmp_path), "--from", "nato-2024"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_init_unknown_builtin_is_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["init", str(tmp_path / "x"), "--from", "no-such"]) == 2
    assert "nato-2024" in capsys.readouterr().err


def test_schema_names_every_table(capsys) -> None:
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    for table in ("allies", "items", "lines", "stockpiles", "contracts", "budgets"):
        assert f"{table}.csv" in out


def test_warnings_for_what_loads_but_was_not_meant(tmp_path: Path, capsys) -> None:
    from tests.scenario_kit import base_tables, write_scenario

    tables = base_tables()
    tables["allies"].append({"code": "BBB", "name": "Ally B"})
    tables["items"].append({"code": "MSL", "name": "Missile", "unit_price": 10})
    tables["stockpiles"] += [
        {"ally": "BBB", "item": "SHELL", "initial": 0, "target": 5, "target_date": "2025-06"},
        {"ally": "AAA", "item": "MSL", "initial": 0, "target": 5, "target_date": "2025-06"},
    ]
    tables["budgets"].append({"ally": "AAA", "year": 2030, "amount": 1})
    folder = write_scenario(tmp_path / "w", tables)
    found = {(p.column, p.found) for p in load_scenario(folder).warnings}
    assert found == {("ally", "BBB"), ("item", "MSL"), ("year", "2030")}
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.count("warning:") == 3
