"""Helpers of the web app's tests: sign in through the sign-in form, read CSRF tokens,
run a live server on a loopback port for the browser tests."""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.server_kit import PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return html.unescape(found.group(1))


def sign_in(client: Any, user: str, password: str = PASSWORD) -> Any:
    """Sign ``client`` (a TestClient) in through the form; returns the answer."""
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"csrf": csrf_of(form.text), "name": user, "password": password, "next": "/"},
        follow_redirects=False,
    )
    return answer


def plan_from_page(client: Any, space: Any, scenario: str) -> int:
    """Start a plan run of ``scenario`` from its page as the user ``client`` is signed
    in as, wait until it ends, and return its id (it must have finished)."""
    from materiel.store.policy import SYSTEM

    page = client.get(f"/scenarios/{scenario}")
    answer = client.post(
        f"/scenarios/{scenario}/runs", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    run_id = int(answer.headers["location"].rsplit("/", 1)[1])
    deadline = time.monotonic() + 120
    while space.store.run(SYSTEM, run_id)["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.2)
    assert space.store.run(SYSTEM, run_id)["status"] == "done"
    return run_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free loopback port; yields its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
