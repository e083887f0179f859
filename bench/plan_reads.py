"""What a read of a finished run's plan table costs in the store (the work behind
``GET /api/v1/runs/{id}/tables/{table}`` and the web app's downloads): plans nato-2024
once into a SQLite store (or reuses ``--store FILE`` made by an earlier run, so that
two versions of materiel read the same run), then reads each plan table REPEAT times as
POL's analyst and as an alliance analyst, and prints the median and the 95th percentile.
With ``--http``, the same over HTTP (the API's page of 500 rows, the web app's CSV
download of the whole table): a full read against a conditional one answered 304 (its
ETag sent back in ``If-None-Match``, the table not read).

    .venv/bin/python bench/plan_reads.py [--store /tmp/reads.db] [--repeat 50] [--http]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from materiel.scenario import load_scenario
from materiel.scenario.builtin import path
from materiel.server.jobs import _records
from materiel.store import SYSTEM, Principal, open_store
from materiel.workflows import run_snapshot

TABLES = ("targets", "contracts", "stock", "spending", "capacity")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--http", action="store_true", help="full reads against 304s over HTTP")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    db = args.store or Path(tempfile.mkdtemp()) / "reads.db"
    fresh = not db.exists()
    store = open_store(f"sqlite:///{db}")
    if fresh:
        store.import_scenario(SYSTEM, load_scenario(path("nato-2024")))
        run, snapshot = store.create_run(SYSTEM, "nato-2024")
        with tempfile.TemporaryDirectory() as tmp:
            run_snapshot(snapshot, Path(tmp), say=lambda text: None)
            store.set_run(run.id, status="running")
            store.set_run(run.id, status="done", result=_records(Path(tmp), snapshot))
        print(f"planned into {db}")
    run_id = max(r.id for r in store.runs(SYSTEM) if r.status == "done")
    if args.http:
        http_reads(store, run_id, args.repeat)
    else:
        store_reads(store, run_id, args.repeat)
    store.db.dispose()
    print(f"load average after: {os.getloadavg()}")


def store_reads(store: Any, run_id: int, repeat: int) -> None:
    """Each table as POL's analyst and as an alliance analyst, from the store."""
    pol, alliance = Principal("pol", "nation", ally="POL"), Principal("a", "alliance")
    for table in TABLES:
        for who in (pol, alliance):
            store.run_table(who, run_id, table)  # the rule's first decisions
            median, p95, rows = _timed(partial(store.run_table, who, run_id, table), repeat)
            print(
                f"{table:10s} as {who.role:8s} {len(rows):5d} rows: median "
                f"{median:7.2f} ms, p95 {p95:7.2f} ms"
            )


def _timed(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median and 95th percentile [ms] of ``repeat`` calls, and the last answer."""
    times, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[max(0, int(0.95 * len(times)) - 1)]
    return 1000 * statistics.median(times), 1000 * p95, answer


PASSWORD = "bench password, not a secret"


def http_reads(store: Any, run_id: int, repeat: int) -> None:
    """Each table as POL's analyst and as an alliance analyst, over the API (a page of 500
    rows) and as the web app's CSV download: a full read, then the same request with
    its ETag in ``If-None-Match`` (304)."""
    from fastapi.testclient import TestClient

    from materiel.app import create_app
    from materiel.settings import Settings

    suffix = uuid.uuid4().hex[:6]  # a store kept from an earlier run has its users
    users = {"nation": {"ally": "POL"}, "alliance": {}}
    with TestClient(create_app(Settings(db=store.db.url, run_workers=0), store)) as client:
        for role, fields in users.items():
            name = f"bench-{role}-{suffix}"
            made = store.create_user(SYSTEM, name, password=PASSWORD, role=role, **fields)
            who = Principal(name, role, fields.get("ally"), None, made["id"])
            token = store.create_token(who, "bench", 1)["token"]
            _sign_in(client, name)
            for table in TABLES:
                api = f"/api/v1/runs/{run_id}/tables/{table}?limit=500"
                bearer = {"Authorization": f"Bearer {token}"}
                csv = f"/runs/{run_id}/tables/{table}.csv"
                for kind, url, headers in (("api", api, bearer), ("csv", csv, {})):
                    full, full95, answer = _timed(partial(client.get, url, headers=headers), repeat)
                    assert answer.status_code == 200, answer.text[:200]
                    sent = {**headers, "If-None-Match": answer.headers["etag"]}
                    cond, cond95, again = _timed(partial(client.get, url, headers=sent), repeat)
                    assert again.status_code == 304 and not again.content
                    print(
                        f"{table:10s} {kind} as {role:8s} {len(answer.content):9,d} bytes: "
                        f"full median {full:7.2f} ms (p95 {full95:7.2f}), "
                        f"304 median {cond:6.2f} ms (p95 {cond95:6.2f})"
                    )
            client.post("/sign-out", data={"csrf": _csrf(client.get("/").text)})


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', page)
    assert found, "no form with a CSRF token"
    return html.unescape(found.group(1))


def _sign_in(client: Any, name: str) -> None:
    form = {"csrf": _csrf(client.get("/sign-in").text), "name": name, "password": PASSWORD}
    answer = client.post("/sign-in", data={**form, "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:200]


if __name__ == "__main__":
    main()
