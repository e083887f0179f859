"""Private what-ifs and baselines over the API: a variant stores only what it changes,
is seen by its owner and alliance staff only, plans as the merged scenario, and is
promoted into its base in one audited transaction; a scenario's baseline run is chosen
by alliance staff. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from materiel.store.models import RowRecord, ScenarioRecord
from materiel.store.policy import SYSTEM
from tests.server_kit import Workspace, wait_for_run

API = "/api/v1"
VARIANT = "small-aaa"
#: AAA's stockpile target in the small scenario, and the one its variant tries.
BASE_TARGET, TRIED_TARGET = 20202.0, 77777.0


def stored_rows(space: Workspace, name: str) -> int:
    """Rows stored under the scenario itself (a variant's: overrides and tombstones)."""
    with space.store.tx() as s:
        scenario_id = s.scalar(select(ScenarioRecord.id).where(ScenarioRecord.name == name))
        count = s.scalar(
            select(func.count()).select_from(RowRecord).where(RowRecord.scenario_id == scenario_id)
        )
    return int(count or 0)


def items(client: TestClient, headers: dict[str, str], name: str, table: str) -> list[Any]:
    got = client.get(f"{API}/scenarios/{name}/tables/{table}?limit=500", headers=headers)
    assert got.status_code == 200, got.text
    return list(got.json()["items"])


def row_of(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    return next(r for r in rows if all(r["data"].get(k) == v for k, v in match.items()))


def everything(client: TestClient, headers: dict[str, str], name: str) -> list[str]:
    """Every answer about the scenario a user may ask for."""
    urls = [f"/scenarios/{name}", f"/scenarios/{name}/export", f"/scenarios/{name}/validation"]
    urls += [f"/scenarios/{name}/tables/{t}?limit=500" for t in ("stockpiles", "demand", "budgets")]
    return [client.get(API + url, headers=headers).text for url in urls]


def audit(space: Workspace, n: int) -> list[Any]:
    return list(space.store.audit_log(SYSTEM, 0, n)["items"])


def make_changed_variant(client: TestClient, space: Workspace) -> dict[str, Any]:
    """AAA's variant with three changes: its target, its demand row gone, a new budget."""
    aaa = space.headers("nation_AAA")
    made = client.post(f"{API}/scenarios/small/variants", headers=aaa, json={"name": VARIANT})
    assert made.status_code == 201, made.text
    stock = row_of(items(client, aaa, VARIANT, "stockpiles"), ally="AAA")
    changed = client.put(
        f"{API}/scenarios/{VARIANT}/tables/stockpiles/{stock['id']}",
        headers=aaa,
        json={"version": stock["version"], "data": {**stock["data"], "target": TRIED_TARGET}},
    )
    assert changed.status_code == 200, changed.text
    demand = row_of(items(client, aaa, VARIANT, "demand"), ally="AAA")
    gone = client.delete(
        f"{API}/scenarios/{VARIANT}/tables/demand/{demand['id']}?version={demand['version']}",
        headers=aaa,
    )
    assert gone.status_code == 204, gone.text
    added = client.post(
        f"{API}/scenarios/{VARIANT}/tables/budgets",
        headers=aaa,
        json={"data": {"ally": "AAA", "year": 2031, "amount": 5}},
    )
    assert added.status_code == 201, added.text
    return {"stock": stock, "saved": changed.json(), "demand": demand, "budget": added.json()}


def test_a_variant_stores_only_what_it_changes_and_leaves_the_base_alone(
    space: Workspace, client: TestClient
) -> None:
    aaa = space.headers("nation_AAA")
    others = ("nation_BBB", "alliance", "industry", "nation_AAA")
    before = {who: everything(client, space.headers(who), "small") for who in others}
    base_stock = items(client, aaa, "small", "stockpiles")
    made = client.post(f"{API}/scenarios/small/variants", headers=aaa, json={"name": VARIANT})
    assert made.status_code == 201, made.text
    assert (made.json()["base"], made.json()["owner"]) == ("small", "nation_AAA")
    assert stored_rows(space, VARIANT) == 0
    # an unchanged variant reads as its base, rows addressed by the base's ids
    assert items(client, aaa, VARIANT, "stockpiles") == base_stock

    stock = row_of(base_stock, ally="AAA")
    changed = client.put(
        f"{API}/scenarios/{VARIANT}/tables/stockpiles/{stock['id']}",
        headers=aaa,
        json={"version": stock["version"], "data": {**stock["data"], "target": TRIED_TARGET}},
    )
    assert changed.status_code == 200, changed.text
    saved = changed.json()
    # the first change writes the override: a new id, the next version
    assert saved["id"] != stock["id"] and saved["version"] == stock["version"] + 1
    assert stored_rows(space, VARIANT) == 1
    # the base row's id keeps addressing the variant's row of that key
    again = client.get(f"{API}/scenarios/{VARIANT}/tables/stockpiles/{stock['id']}", headers=aaa)
    assert again.json()["id"] == saved["id"] and again.json()["data"]["target"] == TRIED_TARGET
    stale = client.put(
        f"{API}/scenarios/{VARIANT}/tables/stockpiles/{stock['id']}",
        headers=aaa,
        json={"version": stock["version"], "data": {**stock["data"], "target": 1.0}},
    )
    assert stale.status_code == 409
    demand = row_of(items(client, aaa, VARIANT, "demand"), ally="AAA")
    gone = client.delete(
        f"{API}/scenarios/{VARIANT}/tables/demand/{demand['id']}?version={demand['version']}",
        headers=aaa,
    )
    assert gone.status_code == 204, gone.text
    assert stored_rows(space, VARIANT) == 2  # a tombstone
    assert (
        client.get(
            f"{API}/scenarios/{VARIANT}/tables/demand/{demand['id']}", headers=aaa
        ).status_code
        == 404
    )
    added = client.post(
        f"{API}/scenarios/{VARIANT}/tables/budgets",
        headers=aaa,
        json={"data": {"ally": "AAA", "year": 2031, "amount": 5}},
    )
    assert added.status_code == 201, added.text
    assert stored_rows(space, VARIANT) == 3
    # the usual write rule holds inside a variant
    refused = client.post(
        f"{API}/scenarios/{VARIANT}/tables/budgets",
        headers=aaa,
        json={"data": {"ally": "BBB", "year": 2032, "amount": 5}},
    )
    assert refused.status_code == 403
    assert stored_rows(space, VARIANT) == 3

    mine = items(client, aaa, VARIANT, "stockpiles")
    assert row_of(mine, ally="AAA")["data"]["target"] == TRIED_TARGET
    assert not [r for r in items(client, aaa, VARIANT, "demand") if r["data"].get("ally") == "AAA"]
    assert row_of(items(client, aaa, VARIANT, "budgets"), year=2031)["data"]["amount"] == 5
    # the base, and every user's view of it, unchanged
    for who in others:
        assert everything(client, space.headers(who), "small") == before[who], who
    assert row_of(items(client, aaa, "small", "stockpiles"), ally="AAA")["data"]["target"] == (
        BASE_TARGET
    )
    # the base's changes flow into the rows the variant did not change, not into the others
    alliance = space.headers("alliance")
    shell = row_of(items(client, alliance, "small", "items"), code="SHELL")
    base_aaa = row_of(items(client, alliance, "small", "stockpiles"), ally="AAA")
    for table, row, change in (
        ("items", shell, {"unit_price": 150.0}),
        ("stockpiles", base_aaa, {"target": 55555.0}),
    ):
        put = client.put(
            f"{API}/scenarios/small/tables/{table}/{row['id']}",
            headers=alliance,
            json={"version": row["version"], "data": {**row["data"], **change}},
        )
        assert put.status_code == 200, put.text
    stock_edit, price_edit = audit(space, 2)  # before/after as they were (not both after)
    assert (stock_edit["before"]["target"], stock_edit["after"]["target"]) == (BASE_TARGET, 55555)
    assert (price_edit["before"]["unit_price"], price_edit["after"]["unit_price"]) == (100, 150)
    assert row_of(items(client, aaa, VARIANT, "items"), code="SHELL")["data"]["unit_price"] == 150
    assert row_of(items(client, aaa, VARIANT, "stockpiles"), ally="AAA")["data"]["target"] == (
        TRIED_TARGET
    )
    assert stored_rows(space, VARIANT) == 3
    # deleting the variant's own change of a base row: it becomes a tombstone
    override = row_of(items(client, aaa, VARIANT, "stockpiles"), ally="AAA")
    deleted = client.delete(
        f"{API}/scenarios/{VARIANT}/tables/stockpiles/{override['id']}"
        f"?version={override['version']}",
        headers=aaa,
    )
    assert deleted.status_code == 204, deleted.text
    assert audit(space, 1)[0]["before"]["target"] == TRIED_TARGET
    assert stored_rows(space, VARIANT) == 3
    assert not [r for r in items(client, aaa, VARIANT, "stockpiles") if r["data"].get("ally")]
    assert row_of(items(client, aaa, "small", "stockpiles"), ally="AAA")["data"]["target"] == 55555


def test_a_variant_is_a_missing_scenario_to_everyone_but_its_owner_and_staff(
    space: Workspace, client: TestClient
) -> None:
    make_changed_variant(client, space)
    row_id = row_of(items(client, space.headers("alliance"), "small", "stockpiles"), ally="BBB")
    for who in ("nation_BBB", "industry", "viewer"):
        headers = space.headers(who)
        for method, url, body in (
            ("GET", "/scenarios/{}", None),
            ("GET", "/scenarios/{}/export", None),
            ("GET", "/scenarios/{}/validation", None),
            ("GET", "/scenarios/{}/tables/allies", None),
            ("GET", f"/scenarios/{{}}/tables/allies/{row_id['id']}", None),
            ("POST", "/scenarios/{}/runs", None),
            ("POST", "/scenarios/{}/variants", {"name": "mine"}),
            ("DELETE", "/scenarios/{}?version=1", None),
            (
                "PUT",
                f"/scenarios/{{}}/tables/stockpiles/{row_id['id']}",
                {"version": 1, "data": {}},
            ),
        ):
            hidden = client.request(method, API + url.format(VARIANT), json=body, headers=headers)
            missing = client.request(
                method, API + url.format("no-such"), json=body, headers=headers
            )
            assert hidden.status_code == missing.status_code, (who, url, hidden.text)
            assert hidden.text == missing.text.replace("no-such", VARIANT), (who, url)
            if who == "nation_BBB":
                assert hidden.status_code == 404, (url, hidden.text)
        listed = client.get(f"{API}/scenarios", headers=headers).json()["items"]
        assert [s["name"] for s in listed] == ["small"], who
    for who in ("nation_AAA", "alliance", "admin"):
        listed = client.get(f"{API}/scenarios", headers=space.headers(who)).json()["items"]
        assert [s["name"] for s in listed] == ["small", VARIANT], who
        assert client.get(f"{API}/scenarios/{VARIANT}", headers=space.headers(who)).status_code == (
            200
        )
    # staff read a variant; only its owner changes it
    staff_row = row_of(items(client, space.headers("alliance"), VARIANT, "stockpiles"), ally="CCC")
    refused = client.put(
        f"{API}/scenarios/{VARIANT}/tables/stockpiles/{staff_row['id']}",
        headers=space.headers("alliance"),
        json={"version": staff_row["version"], "data": {**staff_row["data"], "target": 1.0}},
    )
    assert refused.status_code == 403 and "only they change it" in refused.text
    # a variant of a variant is refused, naming why
    nested = client.post(
        f"{API}/scenarios/{VARIANT}/variants",
        headers=space.headers("nation_AAA"),
        json={"name": "x"},
    )
    assert nested.status_code == 422 and "variant itself" in nested.text


def test_promotion_applies_the_changes_to_the_base_audited_and_refuses_a_stale_version(
    space: Workspace, client: TestClient
) -> None:
    changed = make_changed_variant(client, space)
    alliance = space.headers("alliance")
    version = client.get(f"{API}/scenarios/small", headers=alliance).json()["version"]
    refused = client.post(
        f"{API}/scenarios/{VARIANT}/promote",
        headers=space.headers("nation_AAA"),
        json={"version": version},
    )
    assert refused.status_code == 403
    # someone changes the base meanwhile: the version read is stale
    shell = row_of(items(client, alliance, "small", "items"), code="SHELL")
    client.put(
        f"{API}/scenarios/small/tables/items/{shell['id']}",
        headers=alliance,
        json={"version": shell["version"], "data": {**shell["data"], "unit_price": 150.0}},
    )
    base_before = client.get(f"{API}/scenarios/small/export", headers=alliance).json()
    logged = space.store.audit_log(SYSTEM, 0, 1)["total"]
    stale = client.post(
        f"{API}/scenarios/{VARIANT}/promote", headers=alliance, json={"version": version}
    )
    assert stale.status_code == 409 and "reload it" in stale.text
    assert client.get(f"{API}/scenarios/small/export", headers=alliance).json() == base_before
    assert stored_rows(space, VARIANT) == 3
    assert space.store.audit_log(SYSTEM, 0, 1)["total"] == logged

    promoted = client.post(
        f"{API}/scenarios/{VARIANT}/promote", headers=alliance, json={"version": version + 1}
    )
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["name"] == "small" and promoted.json()["version"] == version + 2
    stock = items(client, alliance, "small", "stockpiles")
    assert row_of(stock, ally="AAA")["data"]["target"] == TRIED_TARGET
    assert row_of(stock, ally="BBB")["data"]["target"] == 91919.0  # untouched
    assert not [r for r in items(client, alliance, "small", "demand") if r["data"]["ally"] == "AAA"]
    assert row_of(items(client, alliance, "small", "budgets"), year=2031)["data"]["amount"] == 5
    entries = audit(space, 4)
    assert entries[0]["action"] == "scenario.promote"
    changes = {e["action"]: e for e in entries[1:]}
    assert sorted(changes) == ["row.create", "row.delete", "row.update"]
    assert all(e["actor"] == "alliance" for e in entries)
    promote = entries[0]
    create, update, delete = changes["row.create"], changes["row.update"], changes["row.delete"]
    assert promote["after"] == {"variant": VARIANT, "owner": "nation_AAA", "changes": 3}
    assert update["target"] == f"small/stockpiles/{changed['stock']['id']}"
    assert (update["before"]["target"], update["after"]["target"]) == (BASE_TARGET, TRIED_TARGET)
    assert delete["target"] == f"small/demand/{changed['demand']['id']}"
    assert delete["before"] == changed["demand"]["data"] and delete["after"] is None
    assert create["after"]["year"] == 2031 and create["before"] is None
    # the variant is emptied: its rows are the base's again (alliance totals are kept
    # as last published for each scenario, so they may lag: see the disclosure rule)
    assert stored_rows(space, VARIANT) == 0
    aaa = space.headers("nation_AAA")
    for table in ("stockpiles", "demand", "budgets"):
        mine, base = (
            [r for r in items(client, aaa, name, table) if r["id"] is not None]
            for name in (VARIANT, "small")
        )
        assert mine == base, table
        assert mine or table == "demand", table  # AAA's demand row was promoted away


@pytest.mark.slow
def test_a_variants_runs_plan_the_merged_scenario_and_are_private_and_a_baseline_is_chosen(
    space: Workspace, client: TestClient
) -> None:
    make_changed_variant(client, space)
    aaa, alliance = space.headers("nation_AAA"), space.headers("alliance")
    mine = client.post(f"{API}/scenarios/{VARIANT}/runs", headers=aaa)
    assert mine.status_code == 202, mine.text
    shared = client.post(f"{API}/scenarios/small/runs", headers=alliance).json()
    assert wait_for_run(client, alliance, mine.json()["id"])["status"] == "done"
    assert wait_for_run(client, alliance, shared["id"])["status"] == "done"
    run_id = mine.json()["id"]

    def aaa_target(run: int) -> float:
        got = client.get(f"{API}/runs/{run}/tables/targets?limit=500", headers=aaa).json()
        return float(next(r for r in got["items"] if r.get("ally") == "AAA")["target"])

    assert aaa_target(run_id) == TRIED_TARGET  # planned the variant merged with its base
    assert aaa_target(shared["id"]) == BASE_TARGET
    bbb = space.headers("nation_BBB")
    missing = client.get(f"{API}/runs/999999", headers=bbb).json()["detail"]
    assert run_id not in [r["id"] for r in client.get(f"{API}/runs", headers=bbb).json()["items"]]
    for method, url in (
        ("GET", f"/runs/{run_id}"),
        ("GET", f"/runs/{run_id}/tables/targets"),
        ("POST", f"/runs/{run_id}/cancel"),
    ):
        got = client.request(method, API + url, headers=bbb)
        assert got.status_code == 404, (url, got.text)
        assert got.json()["detail"] == missing.replace("999999", str(run_id))
    assert client.get(f"{API}/runs/{run_id}", headers=alliance).status_code == 200

    # the baseline: alliance staff choose a done run of that scenario
    url = f"{API}/scenarios/small/baseline"
    assert client.put(url, headers=aaa, json={"run": shared["id"]}).status_code == 403
    for wrong in (run_id, 999999):
        got = client.put(url, headers=alliance, json={"run": wrong})
        assert got.status_code == 422 and "run:" in got.text, got.text
    assert client.get(f"{API}/scenarios/small", headers=alliance).json()["baseline_run"] is None
    chosen = client.put(url, headers=alliance, json={"run": shared["id"]})
    assert chosen.status_code == 200 and chosen.json()["baseline_run"] == shared["id"]
    assert client.get(f"{API}/runs/{shared['id']}", headers=bbb).json()["baseline"] is True
    last = audit(space, 1)[0]
    assert (last["action"], last["actor"], last["after"]) == (
        "scenario.baseline",
        "alliance",
        {"run": shared["id"]},
    )
    cleared = client.put(url, headers=alliance, json={"run": None})
    assert cleared.json()["baseline_run"] is None
    assert audit(space, 1)[0]["before"] == {"run": shared["id"]}


def test_a_change_of_key_in_a_variant_deletes_the_old_key_and_promotes_as_such(
    space: Workspace, client: TestClient
) -> None:
    """Rows are matched by key: a variant's row whose key changed (budgets are keyed by
    ally and year) hides the base's row of the old key with a tombstone."""
    admin = space.headers("admin")
    made = client.post(f"{API}/scenarios/small/variants", headers=admin, json={"name": VARIANT})
    assert made.status_code == 201
    budget = row_of(items(client, admin, VARIANT, "budgets"), ally="AAA")
    moved = client.put(
        f"{API}/scenarios/{VARIANT}/tables/budgets/{budget['id']}",
        headers=admin,
        json={"version": budget["version"], "data": {**budget["data"], "year": 2026}},
    )
    assert moved.status_code == 200, moved.text
    assert stored_rows(space, VARIANT) == 2  # the row of the new key, a tombstone of the old
    years = {
        r["data"]["year"]
        for r in items(client, admin, VARIANT, "budgets")
        if r["data"]["ally"] == "AAA"
    }
    assert years == {2026}
    base_years = {
        r["data"]["year"]
        for r in items(client, admin, "small", "budgets")
        if r["data"]["ally"] == "AAA"
    }
    assert base_years == {2025}
    # moved back: the base's row shows through again
    back = client.put(
        f"{API}/scenarios/{VARIANT}/tables/budgets/{moved.json()['id']}",
        headers=admin,
        json={"version": moved.json()["version"], "data": budget["data"]},
    )
    assert back.status_code == 200, back.text
    years = {
        r["data"]["year"]
        for r in items(client, admin, VARIANT, "budgets")
        if r["data"]["ally"] == "AAA"
    }
    assert years == {2025}
    again = row_of(items(client, admin, VARIANT, "budgets"), ally="AAA")
    client.put(
        f"{API}/scenarios/{VARIANT}/tables/budgets/{again['id']}",
        headers=admin,
        json={"version": again["version"], "data": {**budget["data"], "year": 2027}},
    )
    version = client.get(f"{API}/scenarios/small", headers=admin).json()["version"]
    promoted = client.post(
        f"{API}/scenarios/{VARIANT}/promote", headers=admin, json={"version": version}
    )
    assert promoted.status_code == 200, promoted.text
    base_years = {
        r["data"]["year"]
        for r in items(client, admin, "small", "budgets")
        if r["data"]["ally"] == "AAA"
    }
    assert base_years == {2027}
    assert [e["action"] for e in audit(space, 3)] == [
        "scenario.promote",
        "row.create",
        "row.delete",
    ]
