"""Helpers of the web app's tests: sign in through the sign-in form, read CSRF tokens,
read a table of a page, run a live server on a loopback port for the browser tests."""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from tests.scenario_kit import NO_RAMP
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


@dataclass
class Cell:
    text: str
    attrs: dict[str, str | None]


@dataclass
class Table:
    """A table of a page as the server wrote it: its attributes, its header cells and
    its body rows (each cell's text and attributes)."""

    attrs: dict[str, str | None] = field(default_factory=dict)
    head: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)

    def column(self, header: str) -> list[Cell]:
        """The cells of the column whose header text starts with ``header``."""
        index = next(i for i, c in enumerate(self.head) if c.text.startswith(header))
        return [row[index] for row in self.rows]


class _TableReader(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.table: Table | None = None
        self.depth = 0  # tables open inside the one read (none expected)
        self.part = ""
        self.cell: Cell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            if self.table is None and found.get("id") == self.table_id:
                self.table = Table(attrs=found)
            elif self.table is not None:
                self.depth += 1
        if self.table is None or self.depth:
            return
        if tag in ("thead", "tbody"):
            self.part = tag
        elif tag == "tr" and self.part == "tbody":
            self.table.rows.append([])
        elif tag in ("th", "td") and self.part:
            self.cell = Cell("", found)
            (self.table.head if self.part == "thead" else self.table.rows[-1]).append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.table is not None:
            if self.depth:
                self.depth -= 1
            else:
                self.part = "done"
        elif tag in ("th", "td") and self.cell is not None:
            self.cell.text = " ".join(self.cell.text.split())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None and self.part != "done":
            self.cell.text += data


def read_table(page: str, table_id: str) -> Table:
    """The table ``id=table_id`` of an HTML page; AssertionError when there is none."""
    reader = _TableReader(table_id)
    reader.feed(page)
    assert reader.table is not None, f"the page has no table {table_id!r}"
    return reader.table


#: Allies of the wide scenario, whose plan has more contracts than a grid's page (25).
WIDE_ALLIES = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH")


def wide_tables() -> dict[str, list[dict[str, Any]]]:
    """Eight allies buying from three lines held at their capacity: a plan of more than
    25 contracts (28 seen), of 300 to 4,500 USD, in about two seconds."""
    lines = [
        {
            "id": f"L{i}",
            "item": "SHELL",
            "producer": f"P{i}",
            "host": WIDE_ALLIES[i],
            "capacity": 10 + 5 * i,
            "ceiling": 10 + 5 * i,
            "lead_time": 1,
            "ramp": NO_RAMP,
        }
        for i in range(3)
    ]
    return {
        "allies": [{"code": c, "name": f"Ally {c}"} for c in WIDE_ALLIES],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": lines,
        "stockpiles": [
            {
                "ally": c,
                "item": "SHELL",
                "initial": 0.0,
                "target": 30.0 + 17 * k,
                "target_date": "2025-12",
            }
            for k, c in enumerate(WIDE_ALLIES)
        ],
        "budgets": [{"ally": c, "year": 2025, "amount": 1e9} for c in WIDE_ALLIES],
    }


def page_as(client: Any, user: str, path: str) -> str:
    """The page at ``path`` as ``user`` sees it (signed in afresh); it must answer 200."""
    client.cookies.clear()
    assert sign_in(client, user).status_code == 303
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    return str(answer.text)
