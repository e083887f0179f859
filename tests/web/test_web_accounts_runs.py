"""The web app's side of issue 21: a disabled user's session ends and its sign-in is
refused; a review note over its limit is a form error, never cut; a run page shows its
stage and elapsed time, and a cancel button only to who may cancel."""

from __future__ import annotations

from fastapi.testclient import TestClient

from materiel.store.policy import SYSTEM
from tests.server_kit import Workspace
from tests.web.test_web_pages import review_form, signed_in
from tests.web_kit import csrf_of, sign_in


def test_a_disabled_users_session_ends_and_its_sign_in_is_refused(
    client: TestClient, space: Workspace
) -> None:
    signed_in(client, "nation_AAA")
    assert client.get("/", follow_redirects=False).status_code == 200
    user = next(u for u in space.store.list_users(SYSTEM) if u.name == "nation_AAA")
    admin = space.store.principal(space.tokens["admin"])
    space.store.update_user(admin, user.id, active=False)
    ended = client.get("/", follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"].startswith("/sign-in")
    refused = sign_in(client, "nation_AAA")
    assert refused.status_code == 401 and "this user is disabled" in refused.text
    assert "materiel_session" not in refused.cookies
    space.store.update_user(admin, user.id, active=True)
    assert sign_in(client, "nation_AAA").status_code == 303


def test_a_review_note_over_its_limit_is_refused_never_cut(
    client: TestClient, space: Workspace
) -> None:
    _page, data = review_form(client, space, 7, status="accepted", note="n" * 3000)
    answer = client.post("/facts/fweb0007/review", data=data)
    assert answer.status_code == 422
    assert "a note has at most 2,000 characters, this one has 3,000" in answer.text
    fact = space.store.facts(SYSTEM)[0]
    assert (fact["status"], fact["note"], fact["version"]) == ("unreviewed", None, 1)


def test_a_run_page_shows_stage_and_elapsed_time_and_cancel_to_who_may(
    idle_client: TestClient, space: Workspace
) -> None:
    client = idle_client
    aaa = space.store.principal(space.tokens["nation_AAA"])
    run, _ = space.store.create_run(aaa, "small")  # no worker: it stays where we put it
    space.store.set_run(run.id, status="running", stage=3, stages=8, progress="solving now")
    signed_in(client, "nation_AAA")
    mine = client.get(f"/runs/{run.id}").text
    assert "Stage 3 of 8" in mine and "solving now" in mine
    assert "Running for " in mine and "Cancel the run" in mine
    other = signed_in(TestClient(client.app), "nation_BBB")  # the app is started already
    theirs = other.get(f"/runs/{run.id}").text
    assert "Stage 3 of 8" in theirs and "Cancel the run" not in theirs
    refused = other.post(f"/runs/{run.id}/cancel", data={"csrf": csrf_of(other.get("/").text)})
    assert refused.status_code == 403
    assert space.store.run(SYSTEM, run.id).status == "running"
    space.store.set_run(run.id, status="failed", error="stopped for the test")
    ended = client.get(f"/runs/{run.id}").text
    assert "Ran for " in ended and "ended at stage 3 of 8" in ended


def test_a_run_past_the_limit_is_refused_on_the_page(
    idle_client: TestClient, space: Workspace
) -> None:
    client = idle_client
    aaa = space.store.principal(space.tokens["nation_AAA"])
    for _ in range(3):  # the default limit, queued (no worker takes them)
        space.store.create_run(aaa, "small")
    signed_in(client, "nation_AAA")
    page = client.get("/scenarios/small")
    answer = client.post("/scenarios/small/runs", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 429
    assert "the limit per user (3, MATERIEL_RUN_LIMIT)" in answer.text
    assert len(space.store.runs(SYSTEM)) == 3
