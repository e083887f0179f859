"""The built-in scenario nato-2024: loads, covers the alliance, keeps its sources.

Public figures are checked against the public CSVs read independently with the csv
module; everything that is not public must be marked as an assumption.
"""

from __future__ import annotations

import csv
import importlib.util
from functools import cache
from pathlib import Path

import pytest

from materiel.scenario import builtin
from materiel.scenario.load import load_scenario
from materiel.scenario.model import Scenario
from materiel.scenario.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT / "src" / "materiel" / "data" / "public"
SCRIPT = ROOT / "scripts" / "build_nato_2024.py"


@cache
def nato() -> Scenario:
    return load_scenario("nato-2024")


def public_2024e(filename: str) -> dict[str, float]:
    with (PUBLIC / filename).open(encoding="utf-8", newline="") as fh:
        return {row["iso3"]: float(row["2024e"]) for row in csv.DictReader(fh)}


def test_listed_among_builtins() -> None:
    assert "nato-2024" in builtin.names()


def test_meta() -> None:
    meta = nato().meta
    assert (meta.name, meta.start, meta.horizon, meta.currency, meta.price_year) == (
        "nato-2024",
        "2024-07",
        120,
        "USD",
        2024,
    )


def test_all_32_allies() -> None:
    codes = {r.code for r in nato().records("allies")}  # type: ignore[attr-defined]
    assert len(codes) == 32
    assert codes == set(public_2024e("nato_gdp_usd_2014_2024e.csv"))


def test_items_include_the_named_munitions() -> None:
    items = {r.code: r for r in nato().records("items")}  # type: ignore[attr-defined]
    assert len(items) >= 8
    assert {"STINGER", "GEMT", "PAC3MSE"} <= set(items)
    shells = [r for r in items.values() if r.group == "155mm"]
    assert len(shells) >= 2, "a US-made and a European-made 155mm round share one group"
    names = " ".join(r.name for r in items.values())
    for word in ("155mm", "Stinger", "GEM-T", "PAC-3 MSE"):
        assert word in names


def test_every_row_has_a_source_or_is_an_assumption() -> None:
    for table in TABLES:
        for loc in nato().rows.get(table, ()):
            row = loc.row
            assert (row.source or "").strip() or row.assumption, f"{loc.where}: no source"


def test_allies_figures_equal_the_public_tables() -> None:
    gdp = public_2024e("nato_gdp_usd_2014_2024e.csv")
    share = public_2024e("nato_def_exp_share_real_gdp_2014_2024e.csv")
    equipment = public_2024e("nato_equipment_share_2014_2024e.csv")
    for row in nato().records("allies"):
        code = row.code  # type: ignore[attr-defined]
        assert row.gdp == gdp[code]  # type: ignore[attr-defined]
        if code == "ISL":
            assert row.defence_share is None  # type: ignore[attr-defined]
            assert row.equipment_share is None  # type: ignore[attr-defined]
        else:
            assert row.defence_share == share[code]  # type: ignore[attr-defined]
            assert row.equipment_share == equipment[code]  # type: ignore[attr-defined]
        assert "June 2024" in (row.source or "")


def test_budgets_follow_the_documented_rule() -> None:
    spend = public_2024e("nato_def_exp_usd_current_2014_2024e.csv")
    equipment = public_2024e("nato_equipment_share_2014_2024e.csv")
    rows = nato().records("budgets")
    assert len(rows) == 32 * 11
    for row in rows:
        code = row.ally  # type: ignore[attr-defined]
        assert row.assumption
        expected = 0.0 if code == "ISL" else spend[code] * 1e6 * equipment[code] / 100 * 0.05
        assert row.amount == pytest.approx(expected, abs=1.0)  # type: ignore[attr-defined]


def test_stockpiles_are_all_assumptions_within_the_horizon() -> None:
    scenario = nato()
    rows = scenario.records("stockpiles")
    assert rows
    for row in rows:
        assert row.assumption
        assert row.note
        assert 0 <= scenario.month_index(row.target_date) < 120  # type: ignore[attr-defined]
    held = {r.ally for r in rows}  # type: ignore[attr-defined]
    assert "ISL" not in held


def test_existing_nspa_contracts() -> None:
    contracts = {r.id: r for r in nato().records("contracts")}  # type: ignore[attr-defined]
    stinger = contracts["NSPA_STINGER_2024"]
    assert (stinger.agency, stinger.quantity, stinger.value) == ("NSPA", 940, 700e6)
    assert set(stinger.buyer_list()) == {"DEU", "ITA", "NLD"}
    gemt = contracts["NSPA_GEMT_2024"]
    assert (gemt.agency, gemt.quantity, gemt.value) == ("NSPA", 1000, 5.5e9)
    assert set(gemt.buyer_list()) == {"DEU", "NLD", "ESP", "ROU"}
    assert all(r.currency == "USD" for r in contracts.values())


def test_price_tiers_never_rise_with_quantity() -> None:
    tiers: dict[str, list[tuple[float, float]]] = {}
    for row in nato().records("price_tiers"):
        tiers.setdefault(row.item, []).append((row.min_quantity, row.unit_price))  # type: ignore[attr-defined]
    assert tiers
    for rows in tiers.values():
        prices = [p for _, p in sorted(rows)]
        assert prices == sorted(prices, reverse=True)


def test_generator_reproduces_the_committed_files() -> None:
    spec = importlib.util.spec_from_file_location("build_nato_2024", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = builtin.path("nato-2024")
    for name, text in module.build().items():
        assert (folder / name).read_text(encoding="utf-8") == text, name
