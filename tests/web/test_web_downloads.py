"""Downloads of a run's plan tables (CSV, XLSX) in the web app: the rows the API gives
the same user, no more; a table the user may not read is refused. On SQLite and
PostgreSQL (the ``db_url`` fixture)."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from materiel.report import table_bytes
from materiel.server.app import API
from tests.server_kit import SECRETS, Workspace
from tests.web_kit import csrf_of, plan_from_page, sign_in

pytestmark = pytest.mark.slow  # each test plans a run in a process of its own (4-5 s)


def _api_rows(client: TestClient, space: Workspace, who: str, run_id: int, table: str) -> Any:
    answer = client.get(
        f"{API}/runs/{run_id}/tables/{table}", params={"limit": 500}, headers=space.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_each_user_downloads_the_rows_the_api_gives_it(
    client: TestClient, space: Workspace
) -> None:
    assert sign_in(client, "alliance").status_code == 303
    run_id = plan_from_page(client, space, "small")
    page = client.get(f"/runs/{run_id}").text
    assert f'href="/runs/{run_id}/tables/contracts.csv"' in page
    assert f'href="/runs/{run_id}/tables/aid_allocation.xlsx"' in page  # alliance staff's
    whole = pd.read_csv(io.BytesIO(client.get(f"/runs/{run_id}/tables/contracts.csv").content))
    api = pd.DataFrame(_api_rows(client, space, "alliance", run_id, "contracts"))
    assert len(whole) == len(api) > 0
    assert whole["quantity"].sum() == pytest.approx(api["quantity"].sum())
    every_target = pd.read_csv(io.BytesIO(client.get(f"/runs/{run_id}/tables/targets.csv").content))
    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})

    assert sign_in(client, "nation_AAA").status_code == 303
    page = client.get(f"/runs/{run_id}").text
    assert f'href="/runs/{run_id}/tables/contracts.csv"' in page
    assert "aid_allocation" not in page  # alliance staff's only
    answer = client.get(f"/runs/{run_id}/tables/contracts.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert f"run-{run_id}-contracts.csv" in answer.headers["content-disposition"]
    # byte for byte the rows the API gives it (its own contracts, alliance totals that
    # pass the disclosure rule), which are not the alliance analyst's
    api = _api_rows(client, space, "nation_AAA", run_id, "contracts")
    assert answer.content == table_bytes(api, "csv", "contracts")
    targets = pd.read_csv(io.BytesIO(client.get(f"/runs/{run_id}/tables/targets.csv").content))
    assert set(targets["ally"].dropna()) == {"AAA"}  # and alliance totals that pass the rule
    assert set(every_target["ally"]) == {"AAA", "BBB", "CCC"}
    buyers = set(pd.read_csv(io.BytesIO(answer.content))["buyers"].dropna())
    assert buyers and not [b for b in buyers if "BBB" in b or "CCC" in b]
    book = client.get(f"/runs/{run_id}/tables/targets.xlsx")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "AAA" in cells and not cells & {"BBB", "CCC"}
    others = {f for ally in ("BBB", "CCC") for f in SECRETS[ally]}
    assert not [f for f in others if f in book.content.decode("latin-1")]
    # refused: a table it may not read, a table that does not exist, a bad format
    assert client.get(f"/runs/{run_id}/tables/aid_allocation.csv").status_code == 403
    assert client.get(f"/runs/{run_id}/tables/nothing.csv").status_code == 404
    assert client.get(f"/runs/{run_id}/tables/targets.exe").status_code in (404, 422)
    assert client.get(f"/runs/{run_id + 1000}/tables/targets.csv").status_code == 404
    assert client.post(f"/runs/{run_id}/tables/targets.csv").status_code == 405


def test_text_a_spreadsheet_would_run_is_defused() -> None:
    rows = [{"item": '=HYPERLINK("x")', "note": "+1", "quantity": 5.0}]
    text = table_bytes(rows, "csv", "t").decode("utf-8")
    assert "'=HYPERLINK" in text and "'+1" in text and ",5.0" in text
    sheet = load_workbook(io.BytesIO(table_bytes(rows, "xlsx", "t"))).active
    assert sheet["A2"].value == '\'=HYPERLINK("x")' and sheet["C2"].value == 5
