"""A finished run's table over the API has a strong ETag and is kept a day by the user's
own client; sent back, it is answered 304 with no body and the table unread. The tag
differs with what decides the rows a user is served; an unfinished run has none; a user
who may not read the run gets 403 or 404 whatever tag it sends. On SQLite and
PostgreSQL (``db_url``)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from materiel.app import create_app
from materiel.server.app import API
from materiel.settings import Settings
from materiel.store import SYSTEM, NotFound, Principal, open_store
from materiel.store.models import RunRecord
from tests.bottleneck_kit import finished_run
from tests.server_kit import Workspace


def _get(client: TestClient, space: Workspace, who: str, url: str, tag: str | None = None):  # type: ignore[no-untyped-def]
    headers = space.headers(who) | ({"If-None-Match": tag} if tag else {})
    return client.get(f"{API}{url}", headers=headers)


def test_a_second_read_with_the_etag_is_answered_304_with_no_body(
    client: TestClient, space: Workspace
) -> None:
    run_id = finished_run(space.store)
    url = f"/runs/{run_id}/tables/capacity"
    first = _get(client, space, "alliance", url)
    assert first.status_code == 200 and len(first.json()["items"]) == 24
    tag = first.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')  # strong: no W/
    assert first.headers["cache-control"] == "private, max-age=86400"
    assert first.headers["vary"] == "Authorization"
    again = _get(client, space, "alliance", url, tag)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert _get(client, space, "alliance", url, f'"other", W/{tag}').status_code == 304
    assert _get(client, space, "alliance", url, '"other"').status_code == 200
    # another page of the table is another answer
    paged = _get(client, space, "alliance", f"{url}?limit=5")
    assert paged.headers["etag"] != tag


def test_the_304_does_not_read_the_table(db_url: str, space: Workspace) -> None:
    run_id = finished_run(space.store)
    url = f"/runs/{run_id}/tables/capacity"
    with TestClient(create_app(Settings(db=db_url), space.store)) as client:
        tag = _get(client, space, "alliance", url).headers["etag"]
    with space.store.tx(write=True) as s:  # the stored result gone behind the store's back
        s.execute(update(RunRecord).where(RunRecord.id == run_id).values(result={}))
    fresh = open_store(db_url)  # a server that has not read it yet
    try:
        with TestClient(create_app(Settings(db=db_url), fresh)) as client:
            assert _get(client, space, "alliance", url, tag).status_code == 304
            assert _get(client, space, "alliance", url).status_code == 404  # read: none
    finally:
        fresh.db.dispose()


def test_users_served_other_rows_get_other_etags(client: TestClient, space: Workspace) -> None:
    run_id = finished_run(space.store)
    url = f"/runs/{run_id}/tables/capacity"
    staff = _get(client, space, "alliance", url)
    nation = _get(client, space, "nation_AAA", url)
    assert staff.status_code == nation.status_code == 200
    # L2's output is hidden from AAA (it goes to BBB alone): other rows, another tag
    assert staff.json() != nation.json()
    assert staff.headers["etag"] != nation.headers["etag"]
    # a tag of the staff's rows does not spare the analyst its own
    assert _get(client, space, "nation_AAA", url, staff.headers["etag"]).status_code == 200

    def tag(who: Principal) -> str:
        return space.store.run_table_tag(who, run_id, "capacity")

    assert tag(Principal("x", "nation", ally="AAA")) != tag(Principal("x", "nation", ally="BBB"))
    assert tag(Principal("p", "industry", producer="P")) != tag(
        Principal("q", "industry", producer="Q")
    )
    # the same view (two analysts of AAA) gets the same tag: the user's name is not in it
    assert tag(Principal("x", "nation", ally="AAA")) == tag(Principal("y", "nation", ally="AAA"))


def test_an_unfinished_run_has_no_etag(client: TestClient, space: Workspace) -> None:
    run, _ = space.store.create_run(SYSTEM, "small")
    answer = _get(client, space, "alliance", f"/runs/{run.id}/tables/capacity", '"x"')
    assert answer.status_code == 404 and "etag" not in answer.headers
    with pytest.raises(NotFound, match="has no result"):
        space.store.run_table_tag(Principal("a", "alliance"), run.id, "capacity")


def test_no_304_for_a_user_who_may_not_read_the_run(client: TestClient, space: Workspace) -> None:
    """Whatever it sends, ``*`` (any tag) or a tag it was given: 401, 403 or 404."""
    run_id = finished_run(space.store)
    url = f"/runs/{run_id}/tables/capacity"
    tag = _get(client, space, "alliance", url).headers["etag"]
    for sent in ("*", tag):
        assert _get(client, space, "viewer", url, sent).status_code == 403  # no runs
        assert client.get(f"{API}{url}", headers={"If-None-Match": sent}).status_code == 401
    groups = f"/runs/{run_id}/tables/bottleneck_groups"  # staff's only
    staff = _get(client, space, "alliance", groups).headers["etag"]
    for sent in ("*", staff):
        assert _get(client, space, "nation_AAA", groups, sent).status_code == 403
    # a run of AAA's private variant: a missing run to BBB
    aaa = Principal("nation_AAA", "nation", ally="AAA")
    space.store.create_variant(aaa, "small", "aaa-what-if")
    hidden = f"/runs/{finished_run(space.store, scenario='aaa-what-if')}/tables/capacity"
    mine = _get(client, space, "nation_AAA", hidden)
    assert mine.status_code == 200
    for sent in ("*", mine.headers["etag"]):
        theirs = _get(client, space, "nation_BBB", hidden, sent)
        assert theirs.status_code == 404 and "etag" not in theirs.headers


def test_a_table_is_kept_per_view_and_served_as_copies(space: Workspace) -> None:
    """The rule is applied to a finished run's table once per view of it: two analysts
    of AAA share the kept rows, BBB's analyst and the staff are served their own, and
    :meth:`run_table` hands out copies, so a caller's change never reaches the next user."""
    run_id = finished_run(space.store)
    store = space.store

    def kept(who: Principal) -> object:
        return store.kept_run_table(who, run_id, "capacity")

    aaa, aaa_too = Principal("x", "nation", ally="AAA"), Principal("y", "nation", ally="AAA")
    staff, bbb = Principal("s", "alliance"), Principal("b", "nation", ally="BBB")
    assert kept(aaa) is kept(aaa_too)  # one view: worked out once
    assert kept(staff) is not kept(aaa) and kept(bbb) is not kept(aaa)

    def outputs(who: Principal, line: str) -> set[object]:
        rows = store.kept_run_table(who, run_id, "capacity")
        return {r["output"] for r in rows if r["line"] == line}

    assert len(kept(staff)) == len(kept(aaa)) == 24  # L1 and L2, every month
    assert outputs(staff, "L2") == {6.0} and outputs(aaa, "L2") == {None}  # BBB's alone
    copy = store.run_table(aaa, run_id, "capacity")
    assert copy == list(kept(aaa))
    copy[0]["output"] = -1.0
    assert store.run_table(aaa_too, run_id, "capacity")[0]["output"] != -1.0
