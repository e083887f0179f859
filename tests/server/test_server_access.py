"""The access matrix: every route of the API (read from the application's own route
table) × every role × two nations, with the status each must get; and a nation analyst
never receives another ally's stockpile figures, in any answer."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.store.policy import SYSTEM
from tests.server_kit import PASSWORD, SECRETS, Workspace, small_tables, wait_for_run

API = "/api/v1"
ROLES = ("anonymous", "admin", "alliance", "nation_AAA", "nation_BBB", "industry", "viewer")
_counter = itertools.count(1)
_users = itertools.count(1)  # apart: budgets' years count on _counter staying small
#: Names of variants (apart from _counter, whose numbers make budget years up to 2200).
_names = itertools.count(1)


def expect(
    default: int, **by_role: int
) -> dict[str, int]:  # signed-in roles default; anonymous gets 401 unless said
    table = {role: by_role.get(role, default) for role in ROLES}
    table["anonymous"] = by_role.get("anonymous", 401)
    return table


ALL_OK = 200
ADMIN_ONLY = {"alliance": 403, "nation_AAA": 403, "nation_BBB": 403, "industry": 403, "viewer": 403}
ALLIANCE_WIDE = {"nation_AAA": 403, "nation_BBB": 403, "industry": 403, "viewer": 403}

#: What each role gets from each route, for the request SAMPLES makes. A route of the
#: application missing here fails test_every_route_has_a_rule.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/health"): expect(200, anonymous=200),
    ("POST", "/auth/sign-in"): expect(200, anonymous=200),
    ("GET", "/auth/me"): expect(200),
    ("GET", "/tokens"): expect(200),
    ("POST", "/tokens"): expect(201),
    ("DELETE", "/tokens/{token_id}"): expect(200),
    ("GET", "/users"): expect(200, **ADMIN_ONLY),
    ("POST", "/users"): expect(201, **ADMIN_ONLY),
    ("PATCH", "/users/{user_id}"): expect(200, **ADMIN_ONLY),
    ("GET", "/audit"): expect(200, **ADMIN_ONLY),
    ("GET", "/scenarios"): expect(200),
    ("POST", "/scenarios"): expect(201, **ALLIANCE_WIDE),
    ("GET", "/scenarios/{name}"): expect(200),
    ("PATCH", "/scenarios/{name}"): expect(200, **ALLIANCE_WIDE),
    ("DELETE", "/scenarios/{name}"): expect(204, **ALLIANCE_WIDE),
    ("GET", "/scenarios/{name}/validation"): expect(200),
    ("GET", "/scenarios/{name}/export"): expect(200),
    ("GET", "/scenarios/{name}/tables/{table}"): expect(200, industry=403, viewer=403),
    ("POST", "/scenarios/{name}/tables/{table}"): expect(
        201, nation_BBB=403, industry=403, viewer=403
    ),
    ("GET", "/scenarios/{name}/tables/{table}/{row_id}"): expect(
        200, nation_BBB=404, industry=404, viewer=404
    ),
    ("PUT", "/scenarios/{name}/tables/{table}/{row_id}"): expect(
        200, nation_BBB=404, industry=404, viewer=404
    ),
    ("DELETE", "/scenarios/{name}/tables/{table}/{row_id}"): expect(
        204, nation_BBB=403, industry=404, viewer=403
    ),
    ("POST", "/scenarios/{name}/runs"): expect(202, industry=403, viewer=403),
    # a sweep's rows sum every ally's figures: alliance staff's (store/sweep_ops.py)
    ("POST", "/scenarios/{name}/sweeps"): expect(202, **ALLIANCE_WIDE),
    ("POST", "/scenarios/{name}/variants"): expect(201, industry=403, viewer=403),
    ("POST", "/scenarios/{name}/promote"): expect(200, **ALLIANCE_WIDE),
    ("PUT", "/scenarios/{name}/baseline"): expect(200, **ALLIANCE_WIDE),
    ("GET", "/runs"): expect(200, viewer=403),
    ("GET", "/runs/{run_id}"): expect(200, viewer=403),
    # the run is the admin's: a nation analyst may cancel its own runs only
    ("POST", "/runs/{run_id}/cancel"): expect(
        200, nation_AAA=403, nation_BBB=403, industry=403, viewer=403
    ),
    ("GET", "/runs/{run_id}/tables/{table}"): expect(200, industry=403, viewer=403),
    # a simulation of the admin's finished plan run: whoever may start runs and see it
    ("POST", "/runs/{run_id}/simulations"): expect(202, industry=403, viewer=403),
    ("GET", "/facts"): expect(200),
    ("POST", "/facts"): expect(201, **ALLIANCE_WIDE),
    ("PATCH", "/facts/{fact_id}"): expect(200, **ALLIANCE_WIDE),
    ("GET", "/pledges"): expect(200),
    ("POST", "/pledges"): expect(201, **ALLIANCE_WIDE),
    ("PATCH", "/pledges/{pledge_id}"): expect(200, **ALLIANCE_WIDE),
    ("DELETE", "/pledges/{pledge_id}"): expect(204, **ALLIANCE_WIDE),
    ("GET", "/tracker/spending"): expect(200),
    ("GET", "/tracker/totals"): expect(200),
    ("GET", "/tracker/aid"): expect(200),
}


def fact(n: int) -> dict[str, Any]:
    return {
        "id": f"ftest{n:04d}",
        "kind": "contract",
        "status": "unreviewed",
        "confidence": 0.8,
        "fields": {"item": "155mm", "quantity": 1000 + n},
        "sources": [{"file": "press.txt", "start": 0, "end": 10, "sentence": "A deal."}],
    }


class Context:
    """Fixtures a sample request needs, made fresh where a request changes them."""

    def __init__(self, space: Workspace, client: TestClient, done_run: int):
        self.space, self.client, self.done_run = space, client, done_run
        self.store = space.store

    def row_of(self, table: str, ally: str) -> dict[str, Any]:
        rows = self.store.rows(SYSTEM, "small", table)
        return next(r for r in rows if r["data"].get("ally") == ally)

    def fresh_budget(self) -> dict[str, Any]:
        return self.store.add_row(
            SYSTEM, "small", "budgets", {"ally": "AAA", "year": 2100 + next(_counter), "amount": 1}
        )

    def fresh_scenario(self) -> str:
        name = f"throwaway{next(_counter)}"
        tables = small_tables()
        self.store.create_scenario(
            SYSTEM, {"name": name, "start": "2025-01", "horizon": 12}, tables
        )
        return name

    def fresh_variant(self) -> str:
        name = f"whatif{next(_names)}"
        self.store.create_variant(SYSTEM, "small", name)
        return name

    def fresh_token(self, who: str) -> int:
        self.client.post(
            f"{API}/tokens", headers=self.space.headers(who), json={"name": "t", "days": 1}
        )
        return (
            int(self.store.list_tokens(self.store.principal(self.space.tokens[who]))[-1]["id"])
            if who != "anonymous"
            else 1
        )

    def fresh_user(self) -> int:
        made = self.store.create_user(SYSTEM, f"fresh{next(_users)}", "viewer", PASSWORD)
        return int(made.id)

    def fresh_pledge(self) -> dict[str, Any]:
        fields = {
            "ally": "FRA",
            "kind": "aid",
            "value": 1 + next(_counter) / 100,
            "unit": "EUR",
            "by_year": 2027,
            "source": "test",
        }
        return self.store.add_pledge(SYSTEM, fields)

    def pledge(self) -> str:
        pledges = [p for p in self.store.pledges(SYSTEM, include_builtin=False)]
        if pledges:
            return str(pledges[0]["id"])
        return str(
            self.store.add_pledge(
                SYSTEM,
                {
                    "ally": "DEU",
                    "kind": "spending",
                    "value": 2.5,
                    "by_year": 2030,
                    "source": "test",
                },
            )["id"]
        )


Sample = Callable[[Context, str], tuple[str, dict[str, Any] | None]]
N = next


#: For each route: the address and JSON body of a request a role makes.
SAMPLES: dict[tuple[str, str], Sample] = {
    ("GET", "/health"): lambda c, w: ("/health", None),
    ("POST", "/auth/sign-in"): lambda c, w: (
        "/auth/sign-in",
        {"name": w if w != "anonymous" else "admin", "password": PASSWORD},
    ),
    ("GET", "/auth/me"): lambda c, w: ("/auth/me", None),
    ("GET", "/tokens"): lambda c, w: ("/tokens", None),
    ("POST", "/tokens"): lambda c, w: ("/tokens", {"name": "laptop", "days": 7}),
    ("DELETE", "/tokens/{token_id}"): lambda c, w: (f"/tokens/{c.fresh_token(w)}", None),
    ("GET", "/users"): lambda c, w: ("/users", None),
    ("POST", "/users"): lambda c, w: (
        "/users",
        {"name": f"u{N(_counter)}", "role": "viewer", "password": "long enough"},
    ),
    ("GET", "/audit"): lambda c, w: ("/audit", None),
    ("PATCH", "/users/{user_id}"): lambda c, w: (
        f"/users/{c.fresh_user()}",
        {"active": False, "password": "a new password"},
    ),
    ("GET", "/scenarios"): lambda c, w: ("/scenarios", None),
    ("POST", "/scenarios"): lambda c, w: (
        "/scenarios",
        {
            "meta": {"name": f"new{N(_counter)}", "start": "2025-01", "horizon": 12},
            "tables": small_tables(),
        },
    ),
    ("GET", "/scenarios/{name}"): lambda c, w: ("/scenarios/small", None),
    ("PATCH", "/scenarios/{name}"): lambda c, w: (
        "/scenarios/small",
        {
            "version": c.store.get_scenario(SYSTEM, "small")["version"],
            "changes": {"description": f"edit {N(_counter)}"},
        },
    ),
    ("DELETE", "/scenarios/{name}"): lambda c, w: (
        f"/scenarios/{(n := c.fresh_scenario())}?version="
        f"{c.store.get_scenario(SYSTEM, n)['version']}",
        None,
    ),
    ("GET", "/scenarios/{name}/validation"): lambda c, w: ("/scenarios/small/validation", None),
    ("GET", "/scenarios/{name}/export"): lambda c, w: ("/scenarios/small/export", None),
    ("GET", "/scenarios/{name}/tables/{table}"): lambda c, w: (
        "/scenarios/small/tables/stockpiles",
        None,
    ),
    ("POST", "/scenarios/{name}/tables/{table}"): lambda c, w: (
        "/scenarios/small/tables/budgets",
        {"data": {"ally": "AAA", "year": 1900 + N(_counter), "amount": 5}},
    ),
    ("GET", "/scenarios/{name}/tables/{table}/{row_id}"): lambda c, w: (
        f"/scenarios/small/tables/stockpiles/{c.row_of('stockpiles', 'AAA')['id']}",
        None,
    ),
    ("PUT", "/scenarios/{name}/tables/{table}/{row_id}"): lambda c, w: (
        f"/scenarios/small/tables/stockpiles/{(r := c.row_of('stockpiles', 'AAA'))['id']}",
        {"version": r["version"], "data": {**r["data"], "note": f"n{N(_counter)}"}},
    ),
    ("DELETE", "/scenarios/{name}/tables/{table}/{row_id}"): lambda c, w: (
        f"/scenarios/small/tables/budgets/{(r := c.fresh_budget())['id']}?version={r['version']}",
        None,
    ),
    ("POST", "/scenarios/{name}/runs"): lambda c, w: ("/scenarios/small/runs", None),
    ("POST", "/scenarios/{name}/sweeps"): lambda c, w: (
        "/scenarios/small/sweeps",
        {"vary": ["policy.pooling=true,false"]},
    ),
    ("POST", "/scenarios/{name}/variants"): lambda c, w: (
        "/scenarios/small/variants",
        {"name": f"variant{N(_names)}"},
    ),
    ("POST", "/scenarios/{name}/promote"): lambda c, w: (
        f"/scenarios/{c.fresh_variant()}/promote",
        {"version": c.store.get_scenario(SYSTEM, "small")["version"]},
    ),
    ("PUT", "/scenarios/{name}/baseline"): lambda c, w: (
        "/scenarios/small/baseline",
        {"run": c.done_run},
    ),
    ("GET", "/runs"): lambda c, w: ("/runs", None),
    ("GET", "/runs/{run_id}"): lambda c, w: (f"/runs/{c.done_run}", None),
    ("POST", "/runs/{run_id}/cancel"): lambda c, w: (f"/runs/{c.done_run}/cancel", None),
    ("POST", "/runs/{run_id}/simulations"): lambda c, w: (
        f"/runs/{c.done_run}/simulations",
        {"futures": 100, "seed": 1},
    ),
    ("GET", "/runs/{run_id}/tables/{table}"): lambda c, w: (
        f"/runs/{c.done_run}/tables/stock",
        None,
    ),
    ("GET", "/facts"): lambda c, w: ("/facts", None),
    ("POST", "/facts"): lambda c, w: ("/facts", {"facts": [fact(N(_counter))]}),
    ("PATCH", "/facts/{fact_id}"): lambda c, w: (
        "/facts/ftest0000",
        {"version": c.store.facts(SYSTEM)[0]["version"], "status": "accepted"},
    ),
    ("GET", "/pledges"): lambda c, w: ("/pledges", None),
    ("POST", "/pledges"): lambda c, w: (
        "/pledges",
        {
            "ally": "DEU",
            "kind": "aid",
            "value": 1 + N(_counter) / 100,
            "unit": "EUR",
            "by_year": 2026,
            "source": "test",
        },
    ),
    ("PATCH", "/pledges/{pledge_id}"): lambda c, w: (
        f"/pledges/{(p := c.pledge())}",
        {
            "version": next(x for x in c.store.pledges(SYSTEM) if x["id"] == p)["version"],
            "changes": {"note": f"n{N(_counter)}"},
        },
    ),
    ("DELETE", "/pledges/{pledge_id}"): lambda c, w: (
        f"/pledges/{(p := c.fresh_pledge())['id']}?version={p['version']}",
        None,
    ),
    ("GET", "/tracker/spending"): lambda c, w: ("/tracker/spending?limit=3", None),
    ("GET", "/tracker/totals"): lambda c, w: ("/tracker/totals", None),
    ("GET", "/tracker/aid"): lambda c, w: ("/tracker/aid?measure=commitment&limit=5", None),
}


def route_table(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) of the API, from the application's schema."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return sorted(
        (method.upper(), path.removeprefix(API))
        for path, item in paths.items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


def test_every_route_has_a_rule(client: TestClient) -> None:
    routes = route_table(client)
    assert len(routes) >= 30
    missing = [r for r in routes if r not in EXPECTED or r not in SAMPLES]
    assert not missing, f"routes without an access rule in this test: {missing}"
    stale = [r for r in EXPECTED if r not in routes]
    assert not stale, f"rules for routes the application no longer has: {stale}"


def _call(client: TestClient, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    return client.request(method, API + url, json=body, headers=headers)


@pytest.mark.slow
def test_access_matrix(space: Workspace, client: TestClient) -> None:
    admin = space.headers("admin")
    run = client.post(f"{API}/scenarios/small/runs", headers=admin).json()
    done = wait_for_run(client, admin, run["id"])
    assert done["status"] == "done", done
    space.store.import_facts(SYSTEM, [fact(0)])
    ctx = Context(space, client, run["id"])
    answers: dict[str, list[str]] = {role: [] for role in ROLES}
    wrong = []
    for method, path in route_table(client):
        for role in ROLES:
            url, body = SAMPLES[(method, path)](ctx, role)
            got = _call(client, method, url, body, space.headers(role))
            answers[role].append(got.text)
            want = EXPECTED[(method, path)][role]
            if got.status_code != want:
                wrong.append(
                    f"{method} {path} as {role}: {got.status_code}, expected {want}: "
                    f"{got.text[:200]}"
                )
            assert got.status_code != 500, got.text
    assert not wrong, "\n".join(wrong)
    for nation, ally in (("nation_AAA", "AAA"), ("nation_BBB", "BBB")):
        _no_secret_of_others(ally, answers[nation])


def _no_secret_of_others(ally: str, texts: list[str]) -> None:
    """No other ally's stockpile figure appears as a number in any of ``texts``."""
    for other, figures in SECRETS.items():
        if other == ally:
            continue
        for figure in figures:
            number = re.compile(rf"(?<![\d.]){figure}(\.0+)?(?![\d.])")
            for text in texts:
                found = number.search(text)
                assert not found, f"{other}'s figure {figure} shown to {ally}: {text[:300]}"


def _all_json(client: TestClient, headers: dict[str, str], run_id: int) -> list[str]:
    """Every answer a nation analyst can ask for about the small scenario and a run."""
    urls = [
        "/scenarios/small",
        "/scenarios/small/export",
        "/scenarios/small/validation",
        f"/runs/{run_id}",
        "/runs",
    ]
    urls += [
        f"/scenarios/small/tables/{t}?limit=500"
        for t in ("allies", "items", "lines", "stockpiles", "demand", "contracts", "budgets")
    ]
    urls += [
        f"/runs/{run_id}/tables/{t}?limit=500"
        for t in ("contracts", "deliveries", "capacity", "supply", "stock", "spending", "targets")
    ]
    texts = []
    for url in urls:
        got = client.get(API + url, headers=headers)
        assert got.status_code == 200, (url, got.text)
        texts.append(got.text)
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("nation", ["AAA", "BBB"])
def test_nation_analyst_sees_own_detail_and_totals_only(
    space: Workspace, client: TestClient, nation: str
) -> None:
    admin, mine = space.headers("admin"), space.headers(f"nation_{nation}")
    run = client.post(f"{API}/scenarios/small/runs", headers=mine).json()
    assert wait_for_run(client, admin, run["id"])["status"] == "done"
    texts = _all_json(client, mine, run["id"])
    _no_secret_of_others(nation, texts)
    secret = [f"/scenarios/small/tables/{t}" for t in ("stockpiles", "demand")]
    secret += [
        f"/runs/{run['id']}/tables/{t}" for t in ("stock", "targets", "deliveries", "spending")
    ]
    for url in secret:  # rows in detail are the nation's own; the rest are totals
        items = client.get(f"{API}{url}?limit=500", headers=mine).json()["items"]
        for item in items:
            data = item.get("data", item)
            assert data.get("scope") == "ALLIANCE" or data.get("ally") == nation, (url, data)
    stock = client.get(f"{API}/scenarios/small/tables/stockpiles", headers=mine).json()["items"]
    own = [r for r in stock if r["data"].get("ally") == nation]
    totals = [r for r in stock if r["data"].get("scope") == "ALLIANCE"]
    assert len(own) == 1 and float(own[0]["data"]["initial"]) == float(SECRETS[nation][0])
    assert len(totals) == 1
    assert totals[0]["data"]["initial"] == sum(float(a) for a, _ in SECRETS.values())
    plan_stock = client.get(f"{API}/runs/{run['id']}/tables/stock?limit=500", headers=mine).json()
    allies = {r.get("ally") for r in plan_stock["items"] if "scope" not in r}
    assert allies == {nation}, allies
    assert any(r.get("scope") == "ALLIANCE" for r in plan_stock["items"])
    # the alliance analyst sees every ally
    full = client.get(
        f"{API}/runs/{run['id']}/tables/stock?limit=500", headers=space.headers("alliance")
    ).json()
    assert {r.get("ally") for r in full["items"]} == {"AAA", "BBB", "CCC"}


def test_validation_hides_problems_in_rows_a_nation_may_not_see(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    row = space.store.rows(SYSTEM, "small", "stockpiles")
    bbb = next(r for r in row if r["data"]["ally"] == "BBB")
    changed = client.put(
        f"{API}/scenarios/small/tables/stockpiles/{bbb['id']}",
        headers=admin,
        json={"version": bbb["version"], "data": {**bbb["data"], "item": "NO_SUCH_ITEM"}},
    )
    assert changed.status_code == 200, changed.text
    seen = client.get(f"{API}/scenarios/small/validation", headers=admin).json()
    assert not seen["ok"] and len(seen["problems"]) == 1 and "NO_SUCH_ITEM" in seen["problems"][0]
    aaa = client.get(
        f"{API}/scenarios/small/validation", headers=space.headers("nation_AAA")
    ).json()
    assert aaa["problems"] == [] and aaa["hidden_problems"] == 1
    bbb_view = client.get(
        f"{API}/scenarios/small/validation", headers=space.headers("nation_BBB")
    ).json()
    assert bbb_view["problems"] == seen["problems"]
    refused = client.post(f"{API}/scenarios/small/runs", headers=space.headers("nation_AAA"))
    assert refused.status_code == 422 and "NO_SUCH_ITEM" not in refused.text
    assert "1 more in rows you may not see" in refused.text


def test_industry_sees_contracts_of_its_producer_only(space: Workspace, client: TestClient) -> None:
    got = client.get(
        f"{API}/scenarios/small/tables/contracts", headers=space.headers("industry")
    ).json()
    assert [r["data"]["id"] for r in got["items"]] == ["C_AAA"]  # line L1 is producer P's
    viewer = client.get(f"{API}/scenarios/small/tables/contracts", headers=space.headers("viewer"))
    assert [r["data"]["id"] for r in viewer.json()["items"]] == ["C_CCC"]  # the public one
    line2 = next(r for r in space.store.rows(SYSTEM, "small", "lines") if r["data"]["id"] == "L2")
    refused = client.put(
        f"{API}/scenarios/small/tables/lines/{line2['id']}",
        headers=space.headers("industry"),
        json={"version": line2["version"], "data": {**line2["data"], "capacity": 9}},
    )
    assert refused.status_code == 403
