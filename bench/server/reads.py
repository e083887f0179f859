"""Read load on a finished plan run of ``nato-2024``: the API's plan tables and the web
app's heaviest page, under CLIENTS concurrent clients, on SQLite and PostgreSQL, with
one or more server processes (``materiel serve --workers N``).

What it does, for each store (``--db``) and each number of server processes
(``--workers``):

1. a fresh store (a new SQLite file, or a new database on the PostgreSQL server of the
   URL given, dropped at the end) gets the built-in scenario, two finished plan runs of
   it carrying the result of a real plan of nato-2024 (copied from ``--store FILE``;
   if FILE does not exist, ``materiel serve`` is started on it and its own worker plans
   a run asked for over the API, about 70-140 s, once), an alliance analyst and a
   nation analyst of POL, each with an API token and a password;
2. ``materiel serve --workers N --port 0`` is started on it and warmed up (every table
   and page read a few times, untimed: each process keeps finished runs' results in
   its own memory);
3. phase ``api``: CLIENTS clients read pages of the run's plan tables
   (``GET /api/v1/runs/{id}/tables/{table}?offset=..&limit=..``; every table the
   client's role may read, limit 50, 100 or 500 at an offset within the table, chosen
   at random), half as the alliance analyst, half as POL's, WITHOUT ``If-None-Match``:
   each is a full read. ``--conditional`` adds a second run of the phase in which each
   client sends back the ETag it got for the same address (answered 304);
4. phase ``page``: the web app's pages of a finished run are timed for one user alone
   (each role, each page, the median of 5 reads) and the slowest page with its role is
   loaded by CLIENTS clients (``--page PATH`` skips the search; ``{run}`` and
   ``{other}`` in PATH are the two runs' ids; the search is made once, on the first
   store and server). The clients share the role's one session, signed in through the
   sign-in form as a browser does.

Clients are a closed loop with no think time: each sends its next request when the
last one is answered, on the same two cores as the server. ``--client wrk`` (the
default) is wrk, the C load generator (``apt-get install wrk``), with a Lua script this
program writes: one wrk thread per role, the clients as its connections, latencies from
wrk's own histogram (a request unanswered within ``WRK_TIMEOUT`` s is an error; one
still unanswered when the measurement ends is neither timed nor counted). ``--client
httpx`` is httpx async clients in this one process, which take most of a core themselves
at a few hundred requests a second and so delay their own requests (the latency then
includes the client's queue). The summary gives the client's CPU use beside each figure.
An error is a request that failed or was answered with anything other than 200 (or
304 when asked for). Prints one Markdown table at the end, ready to paste, with the load
average (``uptime``) before and after each measurement.

    .venv/bin/python bench/server/reads.py --store /tmp/nato-run.db \\
        --db sqlite postgresql+psycopg://materiel:materiel@127.0.0.1:54329/materiel \\
        --workers 1 2 --clients 50 --seconds 30 --phase both
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
import math
import os
import random
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

API = "/api/v1"
SCENARIO = "nato-2024"
PASSWORD = "bench password, not a secret"
#: The users the clients are: (role, ally).
ROLES = {"alliance": None, "nation": "POL"}
#: Page sizes the API clients ask for (the API's default, its largest, a small one).
LIMITS = (50, 100, 500)
#: The load generators, as the summary names them.
CLIENTS = {
    "wrk": "wrk, one thread per role, in its own process",
    "httpx": "httpx async, in the bench's own process",
}
#: The web app's pages of a finished run the search times ({run}, {other}: the runs).
PAGES = (
    "/runs/{run}",
    "/runs/{run}/status",
    "/outlook?run={run}",
    "/industry?run={run}",
    "/supply-chain?run={run}",
    f"/ledger?scenario={SCENARIO}",
    "/compare?a={other}&b={run}",
)


# --- the store ---------------------------------------------------------------------


def planned_result(store_file: Path) -> dict[str, Any]:
    """The result of the latest finished plan run of nato-2024 in the SQLite store
    ``store_file``; planned there first, by the server's own worker, if it has none."""
    from sqlalchemy import select

    from materiel.store import open_store
    from materiel.store.models import RunRecord

    if not store_file.exists():
        plan_in_server(store_file)
    store = open_store(f"sqlite:///{store_file}")
    try:
        with store.tx() as s:
            result = s.scalar(
                select(RunRecord.result)
                .where(RunRecord.status == "done", RunRecord.result.is_not(None))
                .order_by(RunRecord.id.desc())
                .limit(1)
            )
    finally:
        store.db.dispose()
    if not result or "targets" not in result.get("tables", {}):
        raise SystemExit(f"{store_file} holds no finished plan run of {SCENARIO}")
    return dict(result)


def plan_in_server(store_file: Path) -> None:
    """Start ``materiel serve`` on a new SQLite store, ask for a plan of nato-2024 over
    the API and wait until its own worker has planned it."""
    say(f"planning {SCENARIO} into {store_file} (the server's own worker, 1-3 min)")
    store_file.parent.mkdir(parents=True, exist_ok=True)
    with served(f"sqlite:///{store_file}", 1) as (address, token, _pid):
        bearer = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=address, headers=bearer, timeout=60) as client:
            started = client.post(f"{API}/scenarios/{SCENARIO}/runs")
            started.raise_for_status()
            run_id = started.json()["id"]
            deadline = time.monotonic() + 1800
            while time.monotonic() < deadline:
                run = client.get(f"{API}/runs/{run_id}").json()
                if run["status"] not in ("queued", "running"):
                    break
                time.sleep(5)
    if run["status"] != "done":
        store_file.unlink(missing_ok=True)
        raise SystemExit(f"the plan run ended {run['status']}: {run.get('error')}")
    say(f"planned run {run_id} in {run['elapsed_seconds']:.0f} s")


@dataclass
class Prepared:
    """What the clients need of a prepared store."""

    runs: tuple[int, int]  # (an earlier run, the run read)
    tokens: dict[str, str] = field(default_factory=dict)  # role -> API token
    users: dict[str, str] = field(default_factory=dict)  # role -> user name


def prepare(url: str, result: dict[str, Any]) -> Prepared:
    """A new store at ``url``: the built-in scenario, two finished runs of it with
    ``result`` (the second is the one read; the first is there to be compared with),
    and one user per role with an API token and a password."""
    from materiel.scenario import load_scenario
    from materiel.store import SYSTEM, Principal, open_store

    store = open_store(url)
    try:
        store.import_scenario(SYSTEM, load_scenario(SCENARIO))
        runs = []
        for _ in range(2):
            run, _snapshot = store.create_run(SYSTEM, SCENARIO, None)
            store.set_run(run.id, status="running", progress="planning")
            store.set_run(run.id, status="done", progress="done", result=result)
            runs.append(run.id)
        prepared = Prepared(runs=(runs[0], runs[1]))
        for role, ally in ROLES.items():
            name = f"bench-{role}"
            made = store.create_user(SYSTEM, name, password=PASSWORD, role=role, ally=ally)
            who = Principal(name, role, ally, None, made["id"])
            prepared.tokens[role] = store.create_token(who, "bench", 1)["token"]
            prepared.users[role] = name
        return prepared
    finally:
        store.db.dispose()


@contextmanager
def fresh_database(db: str, folder: Path) -> Iterator[str]:
    """A new, empty store: a SQLite file in ``folder`` for ``sqlite``, else a new
    database on the PostgreSQL server of the URL ``db`` (made with its credentials,
    dropped afterwards)."""
    if db == "sqlite":
        yield f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    given = make_url(db)
    name = f"materiel_bench_{uuid.uuid4().hex[:10]}"
    admin = given.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield given.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the server --------------------------------------------------------------------


@contextmanager
def served(url: str, workers: int) -> Iterator[tuple[str, str, int]]:
    """``materiel serve`` on ``url`` with ``workers`` processes, on a free port of
    127.0.0.1, as a user starts it (with its one plan-run worker, idle while the clients
    read): (its address, the admin token it printed, its process id); stopped with
    SIGINT after."""
    with tempfile.TemporaryDirectory(prefix="materiel-reads-") as home:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_DATA_HOME": home,
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "10000",
        }
        args = [sys.executable, "-m", "materiel.cli", "serve", "--port", "0", "--db", url]
        args += ["--workers", str(workers)]
        process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
        try:
            yield (*started(process), process.pid)
        finally:
            stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    """Stop a server as Ctrl-C does, killed if it has not ended within 30 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def started(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The address and admin token a starting server prints."""
    assert process.stdout is not None
    address = token = ""
    deadline = time.monotonic() + 180
    while not token and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if m := re.search(r"serving on (http://127\.0\.0\.1:\d+)/", line):
            address = m.group(1)
        if m := re.search(r"admin token .*: (mat_\S+)", line):
            token = m.group(1)
    if not (address and token):
        raise SystemExit("the server did not start")
    return address, token


# --- the clients -------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time [s] of process ``pid`` and its children living now (the server and,
    with --workers N, its N processes), from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, total = {pid}, 0.0
    for _ in range(3):  # children, grandchildren
        tree |= {p for p, (parent, _) in stats.items() if parent in tree}
    for p in tree:
        total += stats.get(p, (0, 0.0))[1]
    return total


@dataclass
class Tally:
    """What one measurement saw, from :meth:`start` to :meth:`stop`: the latencies,
    errors and statuses of the requests, the time and the server's CPU time."""

    server: int = 0  # the server's process id
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: int = 0  # requests that got no answer (each also in ``errors``)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0
    server_cpu: float = 0.0

    def start(self) -> float:
        self.elapsed, self.server_cpu = -time.monotonic(), -cpu_seconds(self.server)
        return -self.elapsed

    def stop(self) -> None:
        self.elapsed += time.monotonic()
        self.server_cpu += cpu_seconds(self.server)


@dataclass
class Figures:
    """What one measurement gives the summary, whichever client made it."""

    requests: int  # answered or failed
    elapsed: float  # [s]
    quantiles: tuple[float, float, float]  # p50, p95, p99 of those answered [s]
    longest: float  # [s]
    errors: int  # failed, or answered with a status other than the one expected
    examples: list[str]  # a few of the errors, in words
    server_cpu: float  # [s]
    client_cpu: float  # [s]

    @classmethod
    def of(cls, tally: Tally, client_cpu: float) -> Figures:
        answered = len(tally.latencies)
        q = statistics.quantiles(tally.latencies, n=100) if answered > 1 else [float("nan")] * 99
        longest = max(tally.latencies, default=float("nan"))
        return cls(
            answered + tally.failed,
            tally.elapsed,
            (q[49], q[94], q[98]),
            longest,
            len(tally.errors),
            tally.errors[:3],
            tally.server_cpu,
            client_cpu,
        )


async def timed(client: httpx.AsyncClient, url: str, tally: Tally, ok: int, **kw: Any) -> Any:
    """GET ``url``; its latency and status counted in ``tally`` (an error unless
    ``ok``). The answer, or None if the request failed."""
    started = time.perf_counter()
    try:
        answer = await client.get(url, **kw)
        await answer.aread()
    except httpx.HTTPError as exc:  # counted, and the client goes on
        tally.errors.append(f"GET {url}: {type(exc).__name__} {exc}")
        tally.failed += 1
        return None
    tally.latencies.append(time.perf_counter() - started)
    tally.statuses[answer.status_code] = tally.statuses.get(answer.status_code, 0) + 1
    if answer.status_code != ok:
        tally.errors.append(f"GET {url}: {answer.status_code} {answer.text[:200]}")
    return answer


def client_for(address: str, clients: int, headers: dict[str, str]) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10)
    return httpx.AsyncClient(
        base_url=address, headers=headers, timeout=120, limits=limits, follow_redirects=False
    )


async def table_sizes(client: httpx.AsyncClient, run_id: int) -> dict[str, int]:
    """The run's tables the client's user may read, with their rows."""
    run = (await client.get(f"{API}/runs/{run_id}")).raise_for_status().json()
    sizes = {}
    for table in run["tables"]:
        page = await client.get(f"{API}/runs/{run_id}/tables/{table}?limit=1")
        sizes[table] = page.raise_for_status().json()["total"]
    return sizes


def table_pages(run_id: int, sizes: dict[str, int]) -> dict[str, dict[int, list[str]]]:
    """Every page of every table at each of :data:`LIMITS` (table -> limit -> pages),
    the mix clients draw from: a table, then a page size, then a page, each at random."""
    return {
        table: {
            limit: [
                f"{API}/runs/{run_id}/tables/{table}?offset={offset}&limit={limit}"
                for offset in range(0, max(total, 1), limit)
            ]
            for limit in LIMITS
        }
        for table, total in sizes.items()
    }


def draw(rng: random.Random, pages: dict[str, dict[int, list[str]]]) -> str:
    by_limit = pages[rng.choice(list(pages))]
    return rng.choice(by_limit[rng.choice(LIMITS)])


async def api_urls(
    address: str, prepared: Prepared, clients: int, conditional: bool
) -> tuple[dict[str, dict[str, dict[int, list[str]]]], dict[tuple[str, str], str]]:
    """Every page of every table each role may read (role -> table -> limit -> pages),
    and, read once untimed, the ETag of each (every page with ``conditional``, else the
    first page of each table)."""
    run_id = prepared.runs[1]
    urls, tags = {}, {}
    warm = Tally()
    for role, token in prepared.tokens.items():
        async with client_for(address, clients, {"Authorization": f"Bearer {token}"}) as c:
            urls[role] = table_pages(run_id, await table_sizes(c, run_id))
            for by_limit in urls[role].values():
                for url in [u for pages in by_limit.values() for u in pages][
                    : None if conditional else 1
                ]:
                    answer = await timed(c, url, warm, 200)
                    if answer is not None:
                        tags[(role, url)] = answer.headers.get("etag", "")
    if warm.errors:
        raise SystemExit(f"warm-up failed: {warm.errors[:3]}")
    return urls, tags


async def api_phase(
    address: str,
    server: int,
    prepared: Prepared,
    clients: int,
    seconds: float,
    conditional: bool,
) -> Tally:
    """CLIENTS clients, half of each role, reading random pages of the plan tables."""
    urls, tags = await api_urls(address, prepared, clients, conditional)
    by_role = {
        role: client_for(address, clients, {"Authorization": f"Bearer {token}"})
        for role, token in prepared.tokens.items()
    }
    try:
        tally = Tally(server)
        stop = tally.start() + seconds
        roles = list(by_role)

        async def one(seed: int) -> None:
            rng = random.Random(seed)
            role = roles[seed % len(roles)]
            client = by_role[role]
            while time.monotonic() < stop:
                url = draw(rng, urls[role])
                if conditional:
                    sent = {"If-None-Match": tags[(role, url)]}
                    await timed(client, url, tally, 304, headers=sent)
                else:
                    await timed(client, url, tally, 200)

        await asyncio.gather(*(one(seed) for seed in range(clients)))
        tally.stop()
        return tally
    finally:
        for client in by_role.values():
            await client.aclose()


async def sign_in(client: httpx.AsyncClient, name: str) -> None:
    """Sign in through the form, as a browser does: the session cookie is the client's."""
    form = (await client.get("/sign-in")).text
    found = re.search(r'name="csrf" value="([^"]*)"', form)
    assert found, "no CSRF token on the sign-in page"
    data = {"csrf": html.unescape(found.group(1)), "name": name, "password": PASSWORD}
    answer = await client.post("/sign-in", data={**data, "next": "/"})
    if answer.status_code != 303:
        raise SystemExit(f"sign-in as {name} failed: {answer.status_code}")


async def heaviest_page(address: str, prepared: Prepared, repeat: int = 5) -> tuple[str, str]:
    """Each page of a finished run timed for one user alone (each role; the median of
    ``repeat`` reads after one untimed): the slowest (page, role). Prints every time."""
    other, run = prepared.runs
    timings = []
    for role, name in prepared.users.items():
        async with client_for(address, 1, {}) as client:
            await sign_in(client, name)
            for template in PAGES:
                url = template.format(run=run, other=other)
                tally = Tally()
                for _ in range(repeat + 1):
                    await timed(client, url, tally, 200)
                if tally.errors:
                    say(f"  {url} as {role}: {tally.errors[0]}")
                    continue
                median = statistics.median(tally.latencies[1:]) * 1000
                timings.append((median, template, role))
                say(f"  {url:36s} as {role:8s} one user alone: median {median:7.1f} ms")
    _, template, role = max(timings)
    return template, role


async def page_phase(
    address: str,
    server: int,
    prepared: Prepared,
    clients: int,
    seconds: float,
    page: str,
    role: str,
) -> Tally:
    """CLIENTS clients loading ``page`` as ``role``, sharing the role's one session."""
    other, run = prepared.runs
    url = page.format(run=run, other=other)
    async with client_for(address, clients, {}) as client:
        await sign_in(client, prepared.users[role])
        warm = Tally()
        await asyncio.gather(*(timed(client, url, warm, 200) for _ in range(4)))
        if warm.errors:
            raise SystemExit(f"warm-up failed: {warm.errors[:3]}")
        tally = Tally(server)
        stop = tally.start() + seconds

        async def one() -> None:
            while time.monotonic() < stop:
                await timed(client, url, tally, 200)

        await asyncio.gather(*(one() for _ in range(clients)))
        tally.stop()
        return tally


# --- measuring and the summary -----------------------------------------------------


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(what: str, make: Callable[[], Figures]) -> dict[str, Any]:
    """Make one measurement: its figures with the load before and after."""
    before = load()
    figures = make()
    elapsed, done = figures.elapsed, figures.requests
    p50, p95, p99 = figures.quantiles
    row = {
        "what": what,
        "requests": done,
        "per_s": done / elapsed,
        "p50": p50 * 1000,
        "p95": p95 * 1000,
        "p99": p99 * 1000,
        "max": figures.longest * 1000,
        "errors": figures.errors,
        "client_cpu": 100 * figures.client_cpu / elapsed,
        "server_ms": 1000 * figures.server_cpu / max(done, 1),
        "load": f"{before} → {load()}",
    }
    for error in figures.examples:
        say(f"  error: {error}")
    say(
        f"  {what}: {done} requests, {row['per_s']:.1f}/s, p50 {row['p50']:.0f} ms, "
        f"p95 {row['p95']:.0f} ms, p99 {row['p99']:.0f} ms, {row['errors']} errors, "
        f"server CPU {row['server_ms']:.1f} ms a request, client {row['client_cpu']:.0f} %"
    )
    return row


def with_httpx(make: Callable[[], Any]) -> Figures:
    """Run the coroutine ``make()`` (a phase of httpx clients in this process)."""
    cpu = time.process_time()
    tally = asyncio.run(make())
    return Figures.of(tally, time.process_time() - cpu)


def one_configuration(
    args: argparse.Namespace, db: str, workers: int, result: dict[str, Any], folder: Path
) -> list[dict[str, Any]]:
    kind = "SQLite" if db == "sqlite" else "PostgreSQL"
    rows: list[dict[str, Any]] = []
    with fresh_database(db, folder) as url:
        say(f"{kind}, {workers} server process(es): preparing a fresh store")
        prepared = prepare(url, result)
        with served(url, workers) as (address, _token, pid):
            label = f"{kind} | {workers}"
            if args.phase in ("api", "both"):
                for conditional in (False, True) if args.conditional else (False,):
                    what = f"{label} | API plan tables, {'304s' if conditional else 'full reads'}"
                    rows.append(measure(what, api(args, address, pid, prepared, conditional)))
            if args.phase in ("page", "both"):
                page, role = args.page, args.role
                if page is None:  # found once, on the first store and server
                    page, role = asyncio.run(heaviest_page(address, prepared))
                    args.page, args.role = page, role
                    say(f"  the heaviest page: {page} as {role}")
                shown = page.replace("{run}", "RUN").replace("{other}", "EARLIER")
                what = f"{label} | page {shown} as {role}"
                rows.append(measure(what, page_load(args, address, pid, prepared, page, role)))
    return rows


def api(
    args: argparse.Namespace, address: str, pid: int, prepared: Prepared, conditional: bool
) -> Callable[[], Figures]:
    """The API phase, by the client ``args.client``."""
    if args.client == "httpx":
        return lambda: with_httpx(
            lambda: api_phase(address, pid, prepared, args.clients, args.seconds, conditional)
        )

    def by_wrk() -> Figures:
        urls, tags = asyncio.run(api_urls(address, prepared, args.clients, conditional))
        roles = [
            {
                "headers": {"Authorization": f"Bearer {token}"},
                "tables": [list(by_limit.values()) for by_limit in urls[role].values()],
                "tags": {url: tag for (who, url), tag in tags.items() if who == role},
            }
            for role, token in prepared.tokens.items()
        ]
        return wrk(
            address,
            pid,
            roles,
            args.clients,
            args.seconds,
            304 if conditional else 200,
            conditional,
        )

    return by_wrk


def page_load(
    args: argparse.Namespace, address: str, pid: int, prepared: Prepared, page: str, role: str
) -> Callable[[], Figures]:
    """The page phase, by the client ``args.client``."""
    if args.client == "httpx":
        return lambda: with_httpx(
            lambda: page_phase(address, pid, prepared, args.clients, args.seconds, page, role)
        )

    def by_wrk() -> Figures:
        other, run = prepared.runs
        url = page.format(run=run, other=other)

        async def session() -> str:
            async with client_for(address, 4, {}) as client:
                await sign_in(client, prepared.users[role])
                warm = Tally()
                await asyncio.gather(*(timed(client, url, warm, 200) for _ in range(4)))
                if warm.errors:
                    raise SystemExit(f"warm-up failed: {warm.errors[:3]}")
                return "; ".join(f"{k}={v}" for k, v in client.cookies.items())

        cookie = asyncio.run(session())
        roles = [{"headers": {"Cookie": cookie}, "tables": [[[url]]], "tags": {}}]
        return wrk(address, pid, roles, args.clients, args.seconds, 200, False)

    return by_wrk


# --- wrk ---------------------------------------------------------------------------

#: The Lua script wrk runs (``DATA`` is replaced by the roles' addresses and headers):
#: each wrk thread is one role, drawing a table, a page size and a page at random as
#: the httpx clients do; a status other than ``ok`` is an error, counted per thread.
WRK_SCRIPT = r"""
local data = DATA
local count = 0
local threads = {}
function setup(thread)
  count = count + 1
  thread:set("who", count)
  table.insert(threads, thread)
end
function init(args)
  role = data.roles[who]
  bad, first_bad = 0, ""
  math.randomseed(who * 7919)
end
function request()
  local by_limit = role.tables[math.random(#role.tables)]
  local pages = by_limit[math.random(#by_limit)]
  local url = pages[math.random(#pages)]
  local headers = {}
  for k, v in pairs(role.headers) do headers[k] = v end
  if data.conditional then headers["If-None-Match"] = role.tags[url] end
  return wrk.format("GET", url, headers)
end
function response(status, headers, body)
  if status ~= data.ok then
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body or "", 1, 200) end
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  local bad, first = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("bad")
    if first == "" then first = t:get("first_bad") end
  end
  io.write(string.format("RESULT %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, bad))
  io.write("FIRST " .. first .. "\n")
end
"""


#: A request wrk has no answer to within this many seconds is an error (a timeout); a
#: request still unanswered when the measurement ends is neither timed nor counted.
WRK_TIMEOUT = 10


def lua(value: Any) -> str:
    """``value`` (text, numbers, booleans, lists and dicts of them) as a Lua literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"no Lua literal for {value!r}")
        return repr(value)
    if isinstance(value, str):  # bytes other than letters, digits and /?&=.-_ as \ddd
        safe = frozenset(b"/?&=.-_ ")
        return (
            '"'
            + "".join(
                chr(b) if (b < 128 and chr(b).isalnum()) or b in safe else f"\\{b:03d}"
                for b in value.encode()
            )
            + '"'
        )
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


def wrk(
    address: str,
    server: int,
    roles: list[dict[str, Any]],
    clients: int,
    seconds: float,
    ok: int,
    conditional: bool,
) -> Figures:
    """wrk with ``clients`` connections for ``seconds``, one thread per role (the
    connections shared out evenly): its figures, the server's CPU time from /proc and
    wrk's own from the kernel's account of this program's finished children."""
    import resource
    import shutil

    program = shutil.which("wrk")
    if program is None:
        raise SystemExit("wrk is not installed: apt-get install wrk, or --client httpx")
    data = lua({"roles": roles, "ok": ok, "conditional": conditional})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="reads-") as script:
        script.write(WRK_SCRIPT.replace("DATA", data, 1))
        script.flush()
        command = [program, f"-t{len(roles)}", f"-c{clients}", f"-d{seconds:g}s"]
        command += ["--timeout", f"{WRK_TIMEOUT}s", "-s", script.name, address]
        tally = Tally(server)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        tally.start()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        tally.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"^RESULT ([\d ]+)$", done.stdout, re.M)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    answered, duration, p50, p95, p99, longest, failed, bad = map(int, found.group(1).split())
    first = re.search(r"^FIRST (.*)$", done.stdout, re.M)
    examples = [f"{failed} requests failed (connect, read, write, or {WRK_TIMEOUT} s)"] * bool(
        failed
    ) + [f"{bad} answered with status {first.group(1) if first else '?'}"] * bool(bad)
    cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return Figures(
        answered + failed,
        duration / 1e6,
        (p50 / 1e6, p95 / 1e6, p99 / 1e6),
        longest / 1e6,
        failed + bad,
        examples,
        tally.server_cpu,
        cpu,
    )


def summary(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    head = (
        "| store | server processes | what | requests/s | p50 | p95 | p99 | max | errors "
        "| server CPU a request | client CPU | load (uptime) before → after |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    )
    lines = [
        f"| {r['what']} | {r['per_s']:.1f} | {r['p50']:.0f} ms | {r['p95']:.0f} ms "
        f"| {r['p99']:.0f} ms | {r['max']:.0f} ms | {r['errors']} of {r['requests']} "
        f"| {r['server_ms']:.1f} ms | {r['client_cpu']:.0f} % | {r['load']} |"
        for r in rows
    ]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(shlex.quote(a) for a in sys.argv)
    return (
        f"{args.clients} clients, {args.seconds:g} s each, closed loop, no think time "
        f"({CLIENTS[args.client]}); {when}; `{command}`\n\n" + head + "\n".join(lines)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store",
        type=Path,
        default=Path(tempfile.gettempdir()) / "materiel-reads" / "nato-2024-run.db",
        help="SQLite store holding a finished nato-2024 run (planned there if absent)",
    )
    parser.add_argument(
        "--db",
        nargs="+",
        default=["sqlite"],
        help="'sqlite' (a new file) and/or a PostgreSQL URL (a new database is made on "
        "its server with its credentials and dropped after)",
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="server processes")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--phase", choices=("api", "page", "both"), default="both")
    parser.add_argument(
        "--conditional", action="store_true", help="also the API phase with If-None-Match (304s)"
    )
    parser.add_argument(
        "--page", default=None, help="the page to load (else the slowest, found by timing)"
    )
    parser.add_argument("--role", choices=tuple(ROLES), default="alliance", help="with --page")
    parser.add_argument(
        "--client", choices=tuple(CLIENTS), default="wrk", help="the load generator"
    )
    args = parser.parse_args()
    if not (1 <= args.clients <= 200 and 1 <= args.seconds <= 300):
        raise SystemExit("clients must be 1-200 and seconds 1-300")
    if args.client == "wrk" and args.phase != "page" and args.clients % len(ROLES):
        raise SystemExit(f"--clients: a multiple of {len(ROLES)} (wrk shares them among roles)")
    if not all(1 <= w <= 16 for w in args.workers):
        raise SystemExit("--workers: 1 to 16 server processes")
    result = planned_result(args.store.resolve())
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="materiel-reads-") as folder:
        for db in args.db:
            for workers in args.workers:
                rows += one_configuration(args, db, workers, result, Path(folder))
    print(summary(rows, args))
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
