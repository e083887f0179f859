"""The API's behaviour: optimistic concurrency, tokens, limits, hostile input, runs,
facts and pledges. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from materiel.store.account_ops import hash_token
from materiel.store.models import TokenRecord
from materiel.store.policy import SYSTEM
from tests.server_kit import PASSWORD, Workspace, wait_for_run

API = "/api/v1"


def _row(space: Workspace, table: str, ally: str) -> dict[str, Any]:
    return next(r for r in space.store.rows(SYSTEM, "small", table) if r["data"]["ally"] == ally)


def test_two_clients_update_one_row_one_wins_the_other_gets_409(
    space: Workspace, client: TestClient
) -> None:
    url = f"{API}/scenarios/small/tables/stockpiles"
    for attempt in range(5):
        row = _row(space, "stockpiles", "AAA")
        barrier = threading.Barrier(2)
        answers: dict[str, Any] = {}

        def write(
            who: str,
            value: float,
            row: dict[str, Any] = row,
            barrier: threading.Barrier = barrier,
            answers: dict[str, Any] = answers,
        ) -> None:
            body = {"version": row["version"], "data": {**row["data"], "target": value}}
            barrier.wait()
            answers[who] = client.put(f"{url}/{row['id']}", json=body, headers=space.headers(who))

        threads = [
            threading.Thread(target=write, args=(who, 60000.0 + i + 10 * attempt))
            for i, who in enumerate(("admin", "nation_AAA"))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(a.status_code for a in answers.values())
        assert codes == [200, 409], {k: a.text for k, a in answers.items()}
        winner = next(a.json() for a in answers.values() if a.status_code == 200)
        loser = next(a for a in answers.values() if a.status_code == 409)
        assert "changed by someone else" in loser.json()["detail"]
        now = client.get(f"{url}/{row['id']}", headers=space.headers("admin")).json()
        assert now["version"] == row["version"] + 1  # one change, not two
        assert now["data"]["target"] == winner["data"]["target"]
    log = space.store.audit_log(SYSTEM, 0, 500)["items"]
    updates = [e for e in log if e["action"] == "row.update"]
    assert len(updates) == 5  # every accepted change is in the log, no refused one
    assert all(e["before"] and e["after"] for e in updates)


def test_stale_version_is_refused_for_scenarios_facts_and_pledges(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    version = client.get(f"{API}/scenarios/small", headers=admin).json()["version"]
    ok = client.patch(
        f"{API}/scenarios/small",
        headers=admin,
        json={"version": version, "changes": {"horizon": 24}},
    )
    assert ok.status_code == 200 and ok.json()["meta"]["horizon"] == 24
    stale = client.patch(
        f"{API}/scenarios/small",
        headers=admin,
        json={"version": version, "changes": {"horizon": 6}},
    )
    assert stale.status_code == 409
    assert client.get(f"{API}/scenarios/small", headers=admin).json()["meta"]["horizon"] == 24
    pledge = client.post(
        f"{API}/pledges",
        headers=admin,
        json={"ally": "DEU", "kind": "spending", "value": 2.5, "by_year": 2030, "source": "test"},
    )
    assert pledge.status_code == 201, pledge.text
    p = pledge.json()
    first = client.patch(
        f"{API}/pledges/{p['id']}",
        headers=admin,
        json={"version": p["version"], "changes": {"status": "met"}},
    )
    second = client.patch(
        f"{API}/pledges/{p['id']}",
        headers=admin,
        json={"version": p["version"], "changes": {"status": "missed"}},
    )
    assert (first.status_code, second.status_code) == (200, 409)
    listed = client.get(f"{API}/pledges?ally=DEU", headers=admin).json()["items"]
    assert [x["status"] for x in listed if x["id"] == p["id"]] == ["met"]


def test_bad_rows_get_the_loaders_messages_and_change_nothing(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    row = _row(space, "stockpiles", "AAA")
    before = client.get(f"{API}/scenarios/small", headers=admin).json()["version"]
    bad = client.put(
        f"{API}/scenarios/small/tables/stockpiles/{row['id']}",
        headers=admin,
        json={"version": row["version"], "data": {**row["data"], "initial": -5, "colour": "red"}},
    )
    assert bad.status_code == 422
    problems = bad.json()["problems"]
    assert any(p.startswith("stockpiles.csv, column 'initial'") for p in problems), problems
    assert any("colour" in p for p in problems), problems
    dup = client.post(
        f"{API}/scenarios/small/tables/stockpiles", headers=admin, json={"data": {**row["data"]}}
    )
    assert dup.status_code == 409 and "already has a row" in dup.json()["detail"]
    assert client.get(f"{API}/scenarios/small", headers=admin).json()["version"] == before
    assert _row(space, "stockpiles", "AAA") == row


def test_nation_analyst_may_change_only_its_own_rows(space: Workspace, client: TestClient) -> None:
    mine = space.headers("nation_AAA")
    row = _row(space, "stockpiles", "AAA")
    moved = client.put(
        f"{API}/scenarios/small/tables/stockpiles/{row['id']}",
        headers=mine,
        json={"version": row["version"], "data": {**row["data"], "ally": "CCC"}},
    )
    assert moved.status_code == 403 and "rows of AAA only" in moved.json()["detail"]
    other = _row(space, "stockpiles", "BBB")
    hidden = client.put(
        f"{API}/scenarios/small/tables/stockpiles/{other['id']}",
        headers=mine,
        json={"version": other["version"], "data": other["data"]},
    )
    assert hidden.status_code == 404 and "31337" not in hidden.text
    assert _row(space, "stockpiles", "BBB") == other


def test_tokens_expired_revoked_unknown_and_of_another_user(
    space: Workspace, client: TestClient
) -> None:
    made = client.post(
        f"{API}/tokens", headers=space.headers("viewer"), json={"name": "script", "days": 1}
    ).json()
    mine = {"Authorization": f"Bearer {made['token']}"}
    assert client.get(f"{API}/auth/me", headers=mine).json()["name"] == "viewer"
    listed = client.get(f"{API}/tokens", headers=mine).json()["items"]
    assert all("token" not in t and "hash" not in str(t) for t in listed)
    token_id = listed[-1]["id"]
    # another user cannot revoke it (nor learn that it exists)
    other = client.delete(f"{API}/tokens/{token_id}", headers=space.headers("nation_AAA"))
    assert other.status_code == 404
    assert client.get(f"{API}/auth/me", headers=mine).status_code == 200
    # expired
    with space.store.db.write() as s, s.begin():
        s.execute(
            update(TokenRecord)
            .where(TokenRecord.token_hash == hash_token(made["token"]))
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    expired = client.get(f"{API}/auth/me", headers=mine)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    # revoked by its owner
    fresh = client.post(
        f"{API}/tokens", headers=space.headers("viewer"), json={"name": "b", "days": 1}
    ).json()
    fresh_h = {"Authorization": f"Bearer {fresh['token']}"}
    fresh_id = client.get(f"{API}/tokens", headers=fresh_h).json()["items"][-1]["id"]
    assert client.delete(f"{API}/tokens/{fresh_id}", headers=fresh_h).status_code == 200
    revoked = client.get(f"{API}/auth/me", headers=fresh_h)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    for bad in ("mat_not-a-token", "' OR 1=1 --", space.tokens["admin"] + "x"):
        got = client.get(f"{API}/scenarios", headers={"Authorization": f"Bearer {bad}"})
        assert got.status_code == 401
    with space.store.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM tokens")).scalars().all()
    assert made["token"] not in stored and hash_token(made["token"]) in stored


@pytest.mark.slow
def test_sign_in_is_rate_limited_and_passwords_are_argon2(
    space: Workspace, client: TestClient
) -> None:
    wrong = [
        client.post(f"{API}/auth/sign-in", json={"name": "viewer", "password": "nope"})
        for _ in range(10)
    ]
    assert {w.status_code for w in wrong} == {401}
    limited = client.post(f"{API}/auth/sign-in", json={"name": "viewer", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    with space.store.db.engine.connect() as conn:
        hashes = conn.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_oversized_upload_is_refused_and_stores_nothing(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    big = {
        "facts": [
            {
                "id": f"f{i:07d}",
                "kind": "contract",
                "fields": {"x": "y" * 100},
                "confidence": 0.5,
                "sources": [{"file": "a", "start": 0, "end": 1, "sentence": "s" * 100}],
            }
            for i in range(10000)
        ]
    }
    got = client.post(f"{API}/facts", headers=admin, json=big)
    assert got.status_code == 413 and "over" in got.json()["detail"]
    chunks = (b"x" * 65536 for _ in range(40))  # no Content-Length: streamed
    streamed = client.post(
        f"{API}/facts", headers={**admin, "Content-Type": "application/json"}, content=chunks
    )
    assert streamed.status_code == 413
    assert client.get(f"{API}/facts", headers=admin).json()["total"] == 0


def test_script_in_names_comes_back_as_data(space: Workspace, client: TestClient) -> None:
    admin = space.headers("admin")
    script = "<script>alert('x')</script>"
    made = client.post(
        f"{API}/scenarios/small/tables/items",
        headers=admin,
        json={"data": {"code": "ROCKET", "name": script, "unit_price": 5}},
    )
    assert made.status_code == 201, made.text
    got = client.get(f"{API}/scenarios/small/tables/items?column=code&value=ROCKET", headers=admin)
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in got.headers["content-security-policy"]
    assert got.json()["items"][0]["data"]["name"] == script
    named = client.post(
        f"{API}/scenarios",
        headers=admin,
        json={"meta": {"name": script, "start": "2025-01", "horizon": 12}, "tables": {}},
    )
    assert named.status_code == 422


def test_sql_in_filters_and_names_is_just_text(space: Workspace, client: TestClient) -> None:
    admin = space.headers("admin")
    url = f"{API}/scenarios/small/tables/stockpiles"
    everything = client.get(url, headers=admin).json()["total"]
    for value in ("AAA' OR '1'='1", 'AAA" OR 1=1 --', "'; DROP TABLE scenario_rows; --"):
        got = client.get(url, params={"column": "ally", "value": value}, headers=admin)
        assert got.status_code == 200 and got.json()["total"] == 0
        got = client.get(url, params={"q": value}, headers=admin)
        assert got.status_code == 200 and got.json()["total"] == 0
    got = client.get(f"{API}/scenarios/x'; DROP TABLE scenarios; --", headers=admin)
    assert got.status_code == 404
    assert client.get(url, headers=admin).json()["total"] == everything
    assert (
        client.get(url, params={"column": "ally", "value": "AAA"}, headers=admin).json()["total"]
        == 1
    )


def test_nul_characters_are_refused_not_a_server_error(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    fact = {"id": "f\x00x", "kind": "contract", "fields": {}, "confidence": 0.5,
            "sources": [{"file": "a", "start": 0, "end": 1, "sentence": "s"}]}  # fmt: skip
    got = client.post(f"{API}/facts", headers=admin, json={"facts": [fact]})
    assert got.status_code == 422 and "an id is" in got.json()["detail"]
    token = client.post(f"{API}/tokens", headers=admin, json={"name": "a\x00b", "days": 1})
    assert token.status_code in (201, 422)
    assert client.get(f"{API}/scenarios/sm%00all", headers=admin).status_code == 400
    assert client.get(f"{API}/facts", headers=admin).json()["total"] == 0


def test_every_list_is_paged(space: Workspace, client: TestClient) -> None:
    admin = space.headers("admin")
    first = client.get(f"{API}/pledges?limit=2", headers=admin).json()
    second = client.get(f"{API}/pledges?limit=2&offset=2", headers=admin).json()
    assert len(first["items"]) == 2 and first["total"] > 4
    assert first["items"] != second["items"]
    assert client.get(f"{API}/pledges?limit=501", headers=admin).status_code == 422
    assert client.get(f"{API}/pledges?offset=-1", headers=admin).status_code == 422


@pytest.mark.slow
def test_a_run_records_its_version_and_results_and_can_be_cancelled(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    version = client.get(f"{API}/scenarios/small", headers=admin).json()["version"]
    started = client.post(f"{API}/scenarios/small/runs", headers=admin)
    assert started.status_code == 202
    run = wait_for_run(client, admin, started.json()["id"])
    assert run["status"] == "done" and run["scenario_version"] == version
    assert run["summary"]["status"] == "optimal"
    targets = client.get(f"{API}/runs/{run['id']}/tables/targets", headers=admin).json()
    assert {r["ally"] for r in targets["items"]} == {"AAA", "BBB", "CCC"}
    # cancel a run while it is queued or solving: it ends cancelled, with no result
    space.store.import_scenario(
        SYSTEM, __import__("materiel.scenario.load", fromlist=["x"]).load_scenario("nato-2024")
    )
    long = client.post(f"{API}/scenarios/nato-2024/runs", headers=admin).json()
    cancelled = client.post(f"{API}/runs/{long['id']}/cancel", headers=admin)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    final = wait_for_run(client, admin, long["id"])
    assert final["status"] == "cancelled"
    assert client.get(f"{API}/runs/{long['id']}/tables/stock", headers=admin).status_code == 404


def test_facts_keep_provenance_and_review_status(space: Workspace, client: TestClient) -> None:
    admin = space.headers("admin")
    fact = {
        "kind": "contract",
        "fields": {"item": "155mm", "quantity": 1000},
        "confidence": 0.7,
        "sources": [
            {
                "file": "press.txt",
                "start": 3,
                "end": 40,
                "sentence": "NSPA signs.",
                "title": "NSPA press release",
                "publisher": "NSPA",
                "article_date": "2024-01-23",
            }
        ],
    }
    assert client.post(f"{API}/facts", headers=admin, json={"facts": [fact]}).json()["added"] == 1
    stored = client.get(f"{API}/facts", headers=admin).json()["items"][0]
    assert stored["status"] == "unreviewed" and stored["sources"][0]["publisher"] == "NSPA"
    assert client.get(f"{API}/facts", headers=space.headers("viewer")).json()["total"] == 0
    reviewed = client.patch(
        f"{API}/facts/{stored['id']}",
        headers=admin,
        json={"version": stored["version"], "status": "accepted", "note": "checked"},
    )
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "accepted"
    public = client.get(f"{API}/facts", headers=space.headers("viewer")).json()["items"]
    assert [f["id"] for f in public] == [stored["id"]] and public[0]["note"] == "checked"
