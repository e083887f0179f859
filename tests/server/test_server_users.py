"""Users that can be managed: disabled (sign-in refused, every token revoked at once) and
enabled again, a password reset by an admin, ally codes and producers checked against
the stored scenarios, and a note over its limit refused, never cut. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from materiel.store.policy import SYSTEM
from tests.server_kit import PASSWORD, Workspace, small_tables

API = "/api/v1"
LONG_NOTE = "n" * 3000


def _user_id(space: Workspace, name: str) -> int:
    return next(u.id for u in space.store.list_users(SYSTEM) if u.name == name)


def _sign_in(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    return client.post(f"{API}/auth/sign-in", json={"name": name, "password": password})


def _audit(space: Workspace, action: str) -> list[Any]:
    return [e for e in space.store.audit_log(SYSTEM, 0, 500).items if e.action == action]


def test_a_disabled_user_cannot_sign_in_and_its_tokens_end_at_once(
    space: Workspace, client: TestClient
) -> None:
    admin, old = space.headers("admin"), space.headers("nation_AAA")
    second = _sign_in(client, "nation_AAA").json()["token"]  # a second token of the user
    assert client.get(f"{API}/auth/me", headers=old).status_code == 200
    user = _user_id(space, "nation_AAA")
    disabled = client.patch(f"{API}/users/{user}", headers=admin, json={"active": False})
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False
    for token in (space.tokens["nation_AAA"], second):
        refused = client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401, refused.text
    refused = _sign_in(client, "nation_AAA")
    assert refused.status_code == 401 and "disabled" in refused.json()["detail"]
    # a wrong password still says only that: being disabled is told to the right one
    wrong = _sign_in(client, "nation_AAA", "not the password")
    assert wrong.status_code == 401 and "disabled" not in wrong.json()["detail"]
    (entry,) = _audit(space, "user.disable")
    assert entry.actor == "admin" and entry.target == "user nation_AAA"
    assert entry.before["active"] is True and entry.after["active"] is False
    assert entry.after["tokens_revoked"] == 2
    # enabled again: it signs in; the old tokens stay revoked
    enabled = client.patch(f"{API}/users/{user}", headers=admin, json={"active": True})
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert _sign_in(client, "nation_AAA").status_code == 200
    assert client.get(f"{API}/auth/me", headers=old).status_code == 401
    assert len(_audit(space, "user.enable")) == 1
    listed = client.get(f"{API}/users", headers=admin).json()["items"]
    assert all(u["active"] for u in listed)


def test_an_admin_resets_a_password_audited_without_it(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    user = _user_id(space, "viewer")
    new = "a brand new password"
    changed = client.patch(f"{API}/users/{user}", headers=admin, json={"password": new})
    assert changed.status_code == 200, changed.text
    assert _sign_in(client, "viewer").status_code == 401
    assert _sign_in(client, "viewer", new).status_code == 200
    (entry,) = _audit(space, "user.password")
    assert entry.target == "user viewer"
    everything = json.dumps([e.as_dict() for e in space.store.audit_log(SYSTEM, 0, 500).items])
    assert new not in everything


def test_user_changes_refused_with_a_reason_and_nothing_changed(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    user = _user_id(space, "viewer")
    url = f"{API}/users/{user}"
    short = client.patch(url, headers=admin, json={"password": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.json()["detail"]
    assert _sign_in(client, "viewer").status_code == 200  # the old password holds
    assert client.patch(url, headers=admin, json={}).status_code == 422
    assert client.patch(url, headers=admin, json={"role": "admin"}).status_code == 422
    assert (
        client.patch(f"{API}/users/999999", headers=admin, json={"active": False}).status_code
        == 404
    )
    own = client.patch(
        f"{API}/users/{_user_id(space, 'admin')}", headers=admin, json={"active": False}
    )
    assert own.status_code == 422 and "yourself" in own.json()["detail"]
    for who in ("alliance", "nation_AAA", "viewer"):
        got = client.patch(url, headers=space.headers(who), json={"active": False})
        assert got.status_code == 403, (who, got.text)
    assert client.get(f"{API}/auth/me", headers=space.headers("viewer")).status_code == 200
    assert not _audit(space, "user.disable") and not _audit(space, "user.password")


def test_ally_and_producer_are_checked_against_the_stored_scenarios(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    before = len(space.store.list_users(SYSTEM))
    bad_ally = client.post(
        f"{API}/users", headers=admin, json={"name": "x1", "role": "nation", "ally": "XXX"}
    )
    assert bad_ally.status_code == 422
    assert bad_ally.json()["detail"] == "ally 'XXX' is not an ally of any stored scenario"
    bad_producer = client.post(
        f"{API}/users", headers=admin, json={"name": "x2", "role": "industry", "producer": "Pp"}
    )
    assert bad_producer.status_code == 422 and "producer 'Pp'" in bad_producer.json()["detail"]
    assert len(space.store.list_users(SYSTEM)) == before  # nothing was made
    good = client.post(
        f"{API}/users", headers=admin, json={"name": "x3", "role": "industry", "producer": "Q"}
    )
    assert good.status_code == 201 and good.json()["warnings"] == []
    # a code known in any stored scenario is accepted
    tables = small_tables()
    tables["allies"].append({"code": "ZZZ", "name": "Zed"})
    space.store.create_scenario(
        SYSTEM, {"name": "other", "start": "2025-01", "horizon": 12}, tables
    )
    zed = client.post(
        f"{API}/users", headers=admin, json={"name": "x4", "role": "nation", "ally": "ZZZ"}
    )
    assert zed.status_code == 201, zed.text


def test_without_a_stored_scenario_the_ally_is_checked_for_form_only(
    space: Workspace, client: TestClient
) -> None:
    admin = space.headers("admin")
    version = space.store.get_scenario(SYSTEM, "small").version
    assert (
        client.delete(f"{API}/scenarios/small?version={version}", headers=admin).status_code == 204
    )
    made = client.post(
        f"{API}/users", headers=admin, json={"name": "y1", "role": "nation", "ally": "XXX"}
    )
    assert made.status_code == 201, made.text
    assert "could not be checked" in made.json()["warnings"][0]
    lower = client.post(
        f"{API}/users", headers=admin, json={"name": "y2", "role": "nation", "ally": "xxx"}
    )
    assert lower.status_code == 422 and "ally" in lower.json()["detail"]


def test_a_note_over_its_limit_is_refused_never_cut(space: Workspace, client: TestClient) -> None:
    admin = space.headers("admin")
    row = next(
        r for r in space.store.rows(SYSTEM, "small", "stockpiles") if r.data["ally"] == "AAA"
    )
    url = f"{API}/scenarios/small/tables/stockpiles/{row.id}"
    got = client.put(
        url, headers=admin, json={"version": row.version, "data": {**row.data, "note": LONG_NOTE}}
    )
    assert got.status_code == 422, got.text[:300]
    assert "note" in got.text and "at most 2000 characters" in got.text
    after = client.get(url, headers=admin).json()
    assert after["version"] == row.version and after["data"].get("note") == row.data.get("note")
    # exactly at the limit is kept whole
    fits = "m" * 2000
    saved = client.put(
        url, headers=admin, json={"version": row.version, "data": {**row.data, "note": fits}}
    )
    assert saved.status_code == 200 and saved.json()["data"]["note"] == fits
