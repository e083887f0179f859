"""``load_tables``: a scenario from tables in memory is the scenario its folder holds,
and a bad cell is named as ``materiel validate`` names it in that folder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from materiel.errors import ScenarioError
from materiel.scenario.load import load_scenario, load_tables

SMALL = str(Path(__file__).parents[1] / "planner" / "data" / "no_whole_lots_by_rounding")


def _tables(name: str) -> tuple[dict, dict]:
    scenario = load_scenario(name)
    meta = scenario.meta.model_dump(mode="json", exclude={"tables", "extends"})
    tables = {
        t: [loc.row.model_dump(mode="json") for loc in locs] for t, locs in scenario.rows.items()
    }
    if scenario.meta.spending is not None:
        tables.pop("budgets", None)  # derived again from the spending path
    return meta, tables


def _write(folder: Path, meta: dict, tables: dict) -> Path:
    doc = {**meta, "tables": {t: f"{t}.csv" for t in tables}}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    for t, rows in tables.items():
        columns = sorted({c for r in rows for c in r})
        with (folder / f"{t}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, columns)
            writer.writeheader()
            for r in rows:
                writer.writerow({c: "" if r.get(c) is None else r[c] for c in columns})
    return folder


@pytest.mark.parametrize("name", ["nato-2024", SMALL])
def test_tables_in_memory_give_the_same_scenario_as_its_folder(name):
    meta, tables = _tables(name)
    assert load_tables(meta, tables).digest() == load_scenario(name).digest()


def test_overrides_apply_as_to_a_folder():
    meta, tables = _tables(SMALL)
    item = tables["items"][0]["code"]
    got = load_tables(meta, tables, [f"items.{item}.unit_price=1234"])
    want = load_scenario(SMALL, [f"items.{item}.unit_price=1234"])
    assert got.digest() == want.digest()
    assert got.records("items")[0].unit_price == 1234


def test_a_bad_cell_is_named_as_in_the_exported_folder(tmp_path):
    meta, tables = _tables(SMALL)
    tables["stockpiles"][1]["target"] = -5
    with pytest.raises(ScenarioError) as memory:
        load_tables(meta, tables)
    with pytest.raises(ScenarioError) as folder:
        load_scenario(_write(tmp_path, meta, tables))
    (got,) = memory.value.problems
    (want,) = folder.value.problems
    assert (got.file, got.row, got.column) == ("stockpiles.csv", 3, "target")
    assert (Path(want.file).name, want.row, want.column) == (got.file, got.row, got.column)
    assert got.message == want.message


def test_extends_is_refused_by_name():
    meta, tables = _tables(SMALL)
    with pytest.raises(ScenarioError) as caught:
        load_tables({**meta, "extends": "nato-2024"}, tables)
    assert [p.column for p in caught.value.problems] == ["extends"]


def test_an_unknown_table_is_refused_by_name():
    meta, tables = _tables(SMALL)
    with pytest.raises(ScenarioError) as caught:
        load_tables(meta, {**tables, "nonsense": [{"a": 1}]})
    assert any("nonsense" in str(p) for p in caught.value.problems)
