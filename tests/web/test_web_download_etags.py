"""A finished run's table downloaded from the web app has a strong ETag of its format
and of what decides the user's rows; sent back, it is answered 304 with no body; the
same rows make the same file (so the tag names its bytes). On SQLite and PostgreSQL
(``db_url``)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.bottleneck_kit import finished_run
from tests.server_kit import Workspace
from tests.web_kit import csrf_of, sign_in


def _download(client: TestClient, url: str, tag: str | None = None):  # type: ignore[no-untyped-def]
    return client.get(url, headers={"If-None-Match": tag} if tag else {})


def test_a_download_sent_its_etag_back_is_answered_304(
    client: TestClient, space: Workspace
) -> None:
    run_id = finished_run(space.store)
    assert sign_in(client, "nation_AAA").status_code == 303
    csv, xlsx = (f"/runs/{run_id}/tables/capacity.{fmt}" for fmt in ("csv", "xlsx"))
    first = _download(client, csv)
    assert first.status_code == 200 and first.content.startswith(b"line,")
    tag = first.headers["etag"]
    assert tag.startswith('"')
    assert first.headers["cache-control"] == "private, max-age=86400"
    assert first.headers["vary"] == "Cookie"
    again = _download(client, csv, tag)
    assert again.status_code == 304 and again.content == b""
    book = _download(client, xlsx)
    assert book.headers["etag"] != tag  # another format, another tag
    time.sleep(2.1)  # a workbook holds times to the second (its zip's, to two)
    later = _download(client, xlsx)
    assert later.content == book.content  # byte for byte: the tag is strong
    assert _download(client, xlsx, book.headers["etag"]).status_code == 304
    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})

    # alliance staff are served other rows (L2's output, hidden from AAA): another tag
    assert sign_in(client, "alliance").status_code == 303
    staff = _download(client, csv, tag)
    assert staff.status_code == 200 and staff.headers["etag"] != tag
    assert staff.content != first.content
    client.post("/sign-out", data={"csrf": csrf_of(client.get("/").text)})

    # a viewer may not read runs: refused whatever tag it sends
    assert sign_in(client, "viewer").status_code == 303
    for sent in ("*", tag):
        assert _download(client, csv, sent).status_code == 403
