"""A row a user may not see answers exactly like a missing one, on reads and on writes;
counts and summaries tell nothing of other allies' rows."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.planner.result import POOLING_PREFIX
from materiel.store import SYSTEM
from tests.server_kit import Workspace, wait_for_run

API = "/api/v1"


def _contract(cid: str, buyers: str = "AAA") -> dict[str, Any]:
    return {
        "data": {
            "id": cid,
            "buyers": buyers,
            "line": "L1",
            "quantity": 3,
            "value": 300,
            "currency": "USD",
            "start": "2025-03",
            "end": "2025-04",
        }
    }


def _without(text: str, cid: str) -> str:
    return text.replace(cid, "<id>")


def test_a_hidden_contract_id_answers_like_a_missing_one(
    space: Workspace, client: TestClient
) -> None:
    """C_BBB exists (BBB's); C_NONE does not. AAA's analyst gets the same answer for
    both, and neither is written."""
    aaa = space.headers("nation_AAA")
    url = f"{API}/scenarios/small/tables/contracts"
    before = space.store.get_scenario(SYSTEM, "small").version
    hidden = client.post(url, headers=aaa, json=_contract("C_BBB"))
    missing = client.post(url, headers=aaa, json=_contract("C_NONE"))
    assert hidden.status_code == missing.status_code == 422
    assert _without(hidden.text, "C_BBB") == _without(missing.text, "C_NONE")
    assert "AAA-" in hidden.text  # the answer says how to name one
    assert space.store.get_scenario(SYSTEM, "small").version == before
    # a contract id of its own is written; reading a hidden row is "not found" like a
    # missing one
    assert client.post(url, headers=aaa, json=_contract("AAA-C1")).status_code == 201
    bbb_row = next(
        r for r in space.store.rows(SYSTEM, "small", "contracts") if r.data["id"] == "C_BBB"
    )
    seen = client.get(f"{url}/{bbb_row.id}", headers=aaa)
    absent = client.get(f"{url}/999999", headers=aaa)
    assert seen.status_code == absent.status_code == 404
    assert _without(seen.text, str(bbb_row.id)) == _without(absent.text, "999999")


def test_an_allys_id_prefix_is_for_its_own_contracts(space: Workspace, client: TestClient) -> None:
    alliance = space.headers("alliance")
    url = f"{API}/scenarios/small/tables/contracts"
    refused = client.post(url, headers=alliance, json=_contract("AAA-X", buyers="BBB"))
    assert refused.status_code == 422 and "AAA" in refused.json()["detail"]
    assert client.post(url, headers=alliance, json=_contract("AAA-X", "AAA;BBB")).status_code == 201
    assert (
        client.post(url, headers=alliance, json=_contract("K-9", buyers="BBB")).status_code == 201
    )


def test_row_counts_are_of_rows_the_user_sees(space: Workspace, client: TestClient) -> None:
    mine = client.get(f"{API}/scenarios/small", headers=space.headers("nation_AAA")).json()
    everyone = client.get(f"{API}/scenarios/small", headers=space.headers("alliance")).json()
    assert everyone["tables"]["stockpiles"] == 3 and mine["tables"]["stockpiles"] == 1
    assert everyone["tables"]["contracts"] == 3 and mine["tables"]["contracts"] == 1
    assert mine["tables"]["allies"] == everyone["tables"]["allies"] == 3


@pytest.mark.slow
def test_the_run_summary_keeps_all_ally_sums_for_alliance_wide_users(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    run = client.post(f"{API}/scenarios/small/runs", headers=admin).json()
    assert wait_for_run(client, admin, run["id"])["status"] == "done"
    whole = client.get(f"{API}/runs/{run['id']}", headers=admin).json()["summary"]
    cut = client.get(f"{API}/runs/{run['id']}", headers=space.headers("nation_AAA")).json()
    assert "spending_total" in whole and "demand_total" in whole
    # the pooling comparison's figures (pooling_*) are sums over every ally too
    assert any(k.startswith(POOLING_PREFIX) for k in whole)
    kept = {k for k in whole if k not in _SUMS and not k.startswith(POOLING_PREFIX)}
    assert set(cut["summary"]) == kept
    assert cut["summary"]["targets"] == whole["targets"]


_SUMS = {
    "objective",
    "weighted_shortfall",
    "unmet_demand_penalty",
    "demand_total",
    "unmet_demand_total",
    "unmet_demand_pct",
    "aid_total",
    "aid_unmet_total",
    "spending_total",
    "budget_total",
    "lp_bound",
    # what standards are worth sums every ally's shortfall
    "standardisation_value",
}


def test_problems_found_across_allies_rows_are_counted_not_shown(
    space: Workspace, client: TestClient
) -> None:
    """AAA overloads line L2, where BBB's and CCC's contracts deliver: the problem names
    every contract on the line and its monthly load. AAA's analyst is told there is a
    problem it may not read; the alliance analyst reads it whole."""
    aaa = space.headers("nation_AAA")
    url = f"{API}/scenarios/small/tables/contracts"
    big = _contract("AAA-BIG")
    big["data"] |= {"line": "L2", "quantity": 30, "start": "2025-02", "end": "2025-04"}
    assert client.post(url, headers=aaa, json=big).status_code == 201
    whole = client.get(f"{API}/scenarios/small/validation", headers=space.headers("alliance"))
    assert "C_BBB" in whole.text and "AAA-BIG" in whole.text
    mine = client.get(f"{API}/scenarios/small/validation", headers=aaa).json()
    assert not mine["ok"] and mine["hidden_problems"] >= 1
    assert "C_BBB" not in str(mine) and "units/month" not in str(mine)
    refused = client.post(f"{API}/scenarios/small/runs", headers=aaa)
    assert refused.status_code == 422 and "C_BBB" not in refused.text


def test_rows_are_numbered_among_those_the_user_sees(space: Workspace, client: TestClient) -> None:
    """Rows are stockpiles AAA... in the order BBB, CCC, AAA: AAA's analyst sees its own
    as row 2 (the first data row), not row 4, which would tell two rows come first."""
    url = f"{API}/scenarios/small/tables/stockpiles"
    mine = client.get(url, headers=space.headers("nation_AAA")).json()["items"]
    own = [r for r in mine if r["data"].get("ally") == "AAA"]
    everyone = client.get(url, headers=space.headers("alliance")).json()["items"]
    assert [r["line"] for r in own] == [2]
    assert next(r["line"] for r in everyone if r["data"]["ally"] == "AAA") == 4
    one = client.get(f"{url}/{own[0]['id']}", headers=space.headers("nation_AAA")).json()
    assert one["line"] == 2
