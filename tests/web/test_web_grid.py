"""The large tables as the server writes them: units in every header (the schema's for
scenario tables), the ``data-grid`` marker that static/grid.js turns into a sortable,
filterable, paged grid, and each figure's raw value in ``data-order`` (what the grid
sorts by: the number, not the text "12,500"). The grid in a browser is tested in
test_web_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.settings import Settings
from materiel.store.policy import SYSTEM
from materiel.web.grid import numeric_columns, order_value, schema_unit
from tests.server_kit import Workspace, make_workspace, sqlite_url
from tests.web_kit import Table, plan_from_page, read_table, sign_in


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Workspace, int]]:
    """The small workspace (SQLite: these tests read pages, not the store), a client of
    its app and a finished run of the small scenario."""
    folder: Path = tmp_path_factory.mktemp("grid")
    space = make_workspace(sqlite_url(folder), folder)
    app = create_app(Settings(db=space.store.db.url), space.store)
    with TestClient(app) as client:
        sign_in(client, "alliance")
        run_id = plan_from_page(client, space, "small")
        yield client, space, run_id
    space.store.db.dispose()


def page_as(site: tuple[TestClient, Workspace, int], user: str, path: str) -> str:
    client = site[0]
    client.cookies.clear()
    assert sign_in(client, user).status_code == 303
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return answer.text


def headers(table: Table) -> list[str]:
    return [c.text for c in table.head]


def test_a_columns_unit_is_the_bracket_of_its_schema_description() -> None:
    assert schema_unit("lines", "capacity") == "units/month"
    assert schema_unit("lines", "lead_time") == "months"
    assert schema_unit("stockpiles", "target") == "units"
    assert schema_unit("allies", "gdp", "EUR") == "EUR bn"
    assert schema_unit("items", "unit_price", "EUR") == "EUR/unit"
    assert schema_unit("lines", "ramp") == "units/month per month"
    # a contract names its own currency: its value is in that one, not the scenario's
    assert schema_unit("contracts", "value", "EUR") == "currency"
    assert schema_unit("contracts", "quantity") == "units"
    assert schema_unit("allies", "code") == ""  # no unit
    assert schema_unit("nothing", "capacity") == ""


def test_numbers_are_written_raw_for_sorting_and_only_numbers() -> None:
    assert order_value(12500.0) == "12500.0"
    assert order_value(7) == "7"
    assert [order_value(v) for v in (None, True, "12", float("nan"))] == ["", "", "", ""]
    rows = [{"a": 1, "b": "x", "c": True, "d": None}, {"a": 2.5, "b": 3, "d": None}]
    assert numeric_columns(rows, ["a", "b", "c", "d"]) == {"a"}


def test_the_scenario_grids_headers_carry_the_schemas_units(site: Any) -> None:
    lines = read_table(page_as(site, "alliance", "/scenarios/small?table=lines"), "table-lines")
    assert {"capacity [units/month]", "ceiling [units/month]", "lead_time [months]"} <= set(
        headers(lines)
    )
    assert "expansion_cost [USD per unit/month of capacity added]" in headers(lines)
    assert "id" in headers(lines) and "producer" in headers(lines)  # no unit, none shown
    items = read_table(page_as(site, "alliance", "/scenarios/small?table=items"), "table-items")
    assert "unit_price [USD/unit]" in headers(items)
    stocks = page_as(site, "nation_AAA", "/scenarios/small?table=stockpiles")
    assert {"initial [units]", "target [units]"} <= set(
        headers(read_table(stocks, "table-stockpiles"))
    )


def test_the_scenario_tables_are_grids_that_sort_by_each_fields_value(site: Any) -> None:
    # The editable table's cells hold forms, not text: each cell carries the value to sort
    # by (data-order: a number raw) and to filter by (data-search). The small scenario's
    # stockpiles, as a nation analyst of AAA sees them: its own row (initial 10,101,
    # target 20,202) and the alliance total row, which has no line and no forms.
    page = page_as(site, "nation_AAA", "/scenarios/small?table=stockpiles")
    table = read_table(page, "table-stockpiles")
    assert "data-grid" in table.attrs
    numeric = {c.text for c in table.head if "n" in (c.attrs.get("class") or "").split()}
    assert {"Line", "initial [units]", "target [units]", "priority [-]"} <= numeric
    assert not {"ally", "item", "target_date"} & numeric
    own = next(r for r in table.rows if r[0].text != "Alliance total")
    at = {c.text: i for i, c in enumerate(table.head)}
    assert own[at["initial [units]"]].attrs["data-order"] == "10101.0"
    assert own[at["target [units]"]].attrs["data-order"] == "20202.0"
    assert own[at["ally"]].attrs["data-order"] == "AAA" == own[at["ally"]].attrs["data-search"]
    assert own[at["target_date"]].attrs["data-search"] == "2025-12"
    # an empty table is no grid (a row of one cell spanning the columns is not a row)
    empty = page_as(site, "alliance", "/scenarios/small?table=qualifications")
    assert "data-grid" not in read_table(empty, "table-qualifications").attrs


def test_the_ledger_is_a_grid_with_units_and_raw_numbers(site: Any) -> None:
    page = page_as(site, "alliance", "/ledger")
    ledger = read_table(page, "ledger")
    assert "data-grid" in ledger.attrs
    assert page.index('class="table-scroll"') < page.index('id="ledger"')  # scrolls inside
    assert {"quantity [units]", "value [currency]", "start", "buyers"} <= set(headers(ledger))
    value = ledger.column("value")
    assert [c.text for c in value] == ["1,200", "1,200", "600"]
    assert [c.attrs.get("data-order") for c in value] == ["1200.0", "1200.0", "600.0"]
    assert all(c.attrs.get("class") == "n" for c in ledger.column("quantity"))
    assert "data-order" not in ledger.column("buyers")[0].attrs  # text sorts as text


def test_the_contracts_of_a_run_are_a_grid_with_units_and_raw_numbers(site: Any) -> None:
    _, space, run_id = site
    plan = space.store.run_table(SYSTEM, run_id, "contracts")
    assert plan, "the small scenario's plan has contracts"
    table = read_table(page_as(site, "alliance", f"/industry?run={run_id}"), "contracts")
    assert "data-grid" in table.attrs
    assert headers(table) == [
        "Contract",
        "Buyers",
        "Line",
        "Item",
        "Rate [units/month]",
        "Deliveries",
        "Quantity [units]",
        "Value [USD]",
    ]
    assert [r[0].text for r in table.rows] == [r["contract"] for r in plan]
    for column, key in (("Rate", "rate"), ("Quantity", "quantity"), ("Value", "value")):
        cells = table.column(column)
        assert [float(c.attrs["data-order"] or "nan") for c in cells] == [r[key] for r in plan]
        assert all(c.attrs.get("class") == "n" for c in cells)


def test_the_plans_other_tables_are_grids_with_units(site: Any) -> None:
    _, space, run_id = site
    targets = read_table(page_as(site, "alliance", f"/runs/{run_id}"), "targets")
    assert "data-grid" in targets.attrs
    assert {
        "Initial [units]",
        "Target [units]",
        "Stock at date [units]",
        "Shortfall [units]",
    } <= set(headers(targets))
    plan = space.store.run_table(SYSTEM, run_id, "targets")
    assert sorted(
        float(c.attrs["data-order"] or "nan") for c in targets.column("Stock at date")
    ) == sorted(r["stock_at_date"] for r in plan)
    lines = read_table(page_as(site, "alliance", f"/industry?run={run_id}"), "lines")
    assert "data-grid" in lines.attrs
    assert headers(lines)[-3:] == [
        "Capacity [units/month]",
        "Ceiling [units/month]",
        "Lead time [months]",
    ]
