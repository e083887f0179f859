"""``materiel serve --workers 2``: two server processes behind one address, on one
database. Each test holds a connection to each process (which process holds the
server's end of a connection is read from /proc), and shows that what one process
did, the other knows: sign-in attempts, sessions and tokens. The plan-run workers are
the command's own, started once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.serve_kit import start_serve, stop_serve
from tests.server_kit import BACKENDS, PASSWORD, fresh_pg_database, make_workspace, sqlite_url
from tests.web_kit import sign_in

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="which process answered is read from /proc"
)
API = "/api/v1"
ATTEMPTS = 3  # MATERIEL_SIGN_IN_ATTEMPTS of these servers


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def answered_by(response: httpx.Response, server: int) -> int:
    """The process, a child of ``server``, that holds the server's end of the
    connection ``response`` came on (the connection stays open: keep-alive)."""
    client_port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    server_port = response.extensions["network_stream"].get_extra_info("server_addr")[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
        if (local, remote) == (server_port, client_port):
            inode = fields[9]
    assert inode is not None, "no such connection in /proc/net/tcp"
    for child in children(server):
        with_fds = Path(f"/proc/{child}/fd")
        try:
            fds = [os.readlink(fd) for fd in with_fds.iterdir()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        if f"socket:[{inode}]" in fds:
            return child
    raise AssertionError(f"no child of {server} holds the connection")


@dataclass
class Served:
    """A ``materiel serve --workers 2``: its process, admin token, and one client (one
    kept-alive connection) to each of its two server processes, by process id."""

    process: subprocess.Popen[str]
    token: str
    db_url: str
    clients: dict[int, httpx.Client]

    def pair(self) -> tuple[tuple[int, httpx.Client], tuple[int, httpx.Client]]:
        first, second = sorted(self.clients.items())
        return first, second

    def ask(self, pid: int, method: str, path: str, **kwargs: object) -> httpx.Response:
        """Ask the process ``pid``, and check that it is the one that answered."""
        got = self.clients[pid].request(method, path, **kwargs)  # type: ignore[arg-type]
        assert answered_by(got, self.process.pid) == pid
        return got


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(b, marks=pytest.mark.requires_postgres) if b == "postgresql" else b
        for b in BACKENDS
    ],
)
def two_processes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One ``materiel serve --workers 2`` on each backend for the tests of this module
    (each test signs in as users of its own: the limits are per name)."""
    folder = tmp_path_factory.mktemp("served")
    if request.param == "sqlite":
        yield from _serve(sqlite_url(folder), folder)
    else:
        for url in fresh_pg_database():
            yield from _serve(url, folder)


def _serve(db_url: str, folder: Path) -> Iterator[Served]:
    make_workspace(db_url, folder).store.db.dispose()  # users, and no nato-2024 to load
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MATERIEL_SIGN_IN_ATTEMPTS", str(ATTEMPTS))
        env.setenv("MATERIEL_RUN_POLL_S", "2")
        process, said = start_serve(["--db", db_url, "--workers", "2"], folder)
    clients: dict[int, httpx.Client] = {}
    opened: list[httpx.Client] = []
    try:
        # each client keeps one connection; the two processes take turns at accepting
        # them, not strictly: open clients until each process holds one
        while len(clients) < 2:
            assert len(opened) < 60, f"every connection went to the same process: {clients}"
            client = httpx.Client(
                base_url=said["address"],
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                timeout=30,
            )
            opened.append(client)
            pid = answered_by(client.get(f"{API}/health"), process.pid)
            clients.setdefault(pid, client)
        assert set(clients) <= children(process.pid)
        yield Served(process, said["token"], db_url, clients)
    finally:
        for client in opened:
            client.close()
        stop_serve(process)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


@pytest.fixture
def served(two_processes: Served) -> Served:
    for client in two_processes.clients.values():
        client.cookies.clear()
    return two_processes


def _api_sign_in(served: Served, pid: int, name: str, password: str) -> httpx.Response:
    return served.ask(pid, "POST", f"{API}/auth/sign-in", json={"name": name, "password": password})


@pytest.mark.slow
def test_sign_in_attempts_over_both_processes_are_limited_as_one(served: Served) -> None:
    (one, _), (other, _) = served.pair()
    codes = [
        _api_sign_in(served, pid, "viewer", "wrong password").status_code
        for pid in (one, other, one)
    ]
    assert codes == [401] * ATTEMPTS
    # the other process has seen one attempt itself: only the database knows of three
    refused = _api_sign_in(served, other, "viewer", PASSWORD)
    assert refused.status_code == 429, refused.text
    assert refused.json()["detail"].startswith("too many sign-in attempts; try again in")
    assert 55 <= int(refused.headers["retry-after"]) <= 60  # of the 60 s window
    assert _api_sign_in(served, one, "viewer", PASSWORD).status_code == 429
    # the sign-in form counts the same attempts
    assert sign_in(served.clients[other], "viewer").status_code == 429
    # the limit is per name: another user signs in
    assert _api_sign_in(served, other, "alliance", PASSWORD).status_code == 200


@pytest.mark.slow
def test_a_token_or_session_of_one_process_is_accepted_by_the_other(served: Served) -> None:
    (one, first), (other, second) = served.pair()
    signed = _api_sign_in(served, one, "industry", PASSWORD)
    assert signed.status_code == 200
    bearer = {"Authorization": f"Bearer {signed.json()['token']}"}
    for pid in (other, one):
        me = served.ask(pid, "GET", f"{API}/auth/me", headers=bearer)
        assert me.status_code == 200 and me.json()["name"] == "industry"
    # a browser session: signed in by the form of one process, its pages from the other
    answer = sign_in(first, "nation_AAA")
    assert answer.status_code == 303 and answered_by(answer, served.process.pid) == one
    session = {"materiel_session": first.cookies["materiel_session"]}
    second.cookies.update(session)
    page = served.ask(other, "GET", "/scenarios/small")
    assert page.status_code == 200 and "nation_AAA · nation (AAA)" in page.text
    # revoked through one process, refused by the other, which had accepted it before
    held = served.ask(other, "GET", f"{API}/tokens", headers=bearer).json()["items"]
    (made,) = [t for t in held if t["name"] == "sign-in"]
    revoked = served.ask(other, "DELETE", f"{API}/tokens/{made['id']}", headers=bearer)
    assert revoked.status_code == 200
    assert served.ask(one, "GET", f"{API}/auth/me", headers=bearer).status_code == 401


@pytest.mark.slow
def test_plan_runs_are_taken_by_the_command_s_worker_not_by_each_process(
    served: Served,
) -> None:
    from materiel.store import open_store

    (_, _), (other, _) = served.pair()
    admin = {"Authorization": f"Bearer {served.token}"}
    started = served.ask(other, "POST", f"{API}/scenarios/small/runs", headers=admin)
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    store = open_store(served.db_url, migrate=False)
    try:
        deadline = time.monotonic() + 60
        while store.run_worker(run_id) is None:
            assert time.monotonic() < deadline, "no worker took the run"
            time.sleep(0.05)
        # the one worker of `materiel serve` (the process that started the two), though
        # the process that queued the run wakes a worker of its own if it has one
        assert store.run_worker(run_id) == f"{socket.gethostname()}:{served.process.pid}/server-1"
        served.ask(other, "POST", f"{API}/runs/{run_id}/cancel", headers=admin)
    finally:
        store.db.dispose()


@pytest.mark.parametrize("workers", ["0", "abc", "17", "-1", "1.5", "", "²"])
def test_serve_refuses_a_bad_number_of_workers_in_one_line(
    workers: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from materiel.cli.main import main

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("MATERIEL_DB", raising=False)
    assert main(["serve", f"--workers={workers}"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: --workers must be a whole number from 1 to 16, not {workers!r}"
    ]
    assert not (tmp_path / "data").exists()  # no store was made
