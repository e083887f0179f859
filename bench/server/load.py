"""A bounded loopback load test of ``materiel serve``.

Starts the real server on a free port of 127.0.0.1 (a fresh SQLite file, or ``--db URL``),
then runs CLIENTS concurrent clients for SECONDS: each reads (a table of the built-in
scenario, the scenario, one row) or increments one of a few shared counter rows with
optimistic concurrency (read the row and its version, write version+1; on 409 read again
and retry). At the end it checks that no request failed and that every counter equals
the number of increments the server accepted (no lost update), and prints latency
percentiles. It sends nothing anywhere but 127.0.0.1 and stops by itself.

    .venv/bin/python bench/server/load.py                  # 50 clients, 30 s, SQLite
    .venv/bin/python bench/server/load.py --db postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from reads import started, stop  # bench/server/reads.py, beside this script

API = "/api/v1"
COUNTERS = 5
COUNTER_YEARS = range(2150, 2150 + COUNTERS)


def start_server(db: str | None, home: Path) -> tuple[subprocess.Popen[str], str, str]:
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home),
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "10000",
    }
    args = [sys.executable, "-m", "materiel.cli", "serve", "--port", "0"]
    if db:
        args += ["--db", db]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    try:
        address, token = started(process)  # the plan-reads load test's reader of the banner
    except SystemExit:
        process.kill()
        raise
    return process, address, token


async def client_loop(
    client: httpx.AsyncClient,
    rows: list[dict],
    stop: float,
    seed: int,
    latencies: list[float],
    errors: list[str],
    accepted: dict[int, int],
    conflicts: list[int],
) -> None:
    rng = random.Random(seed)

    async def call(method: str, url: str, **kw) -> httpx.Response:
        t0 = time.perf_counter()
        try:
            r = await client.request(method, url, **kw)
        except httpx.TransportError as exc:  # counted, and the client goes on
            errors.append(f"{method} {url}: {type(exc).__name__} {exc}")
            return httpx.Response(599, json={})
        latencies.append(time.perf_counter() - t0)
        if r.status_code not in (200, 201, 409):
            errors.append(f"{method} {url}: {r.status_code} {r.text[:200]}")
        return r

    while time.monotonic() < stop:
        pick = rng.random()
        if pick < 0.35:
            await call("GET", f"{API}/scenarios/nato-2024/tables/stockpiles?limit=50")
        elif pick < 0.55:
            await call("GET", f"{API}/scenarios/nato-2024")
        elif pick < 0.70:
            await call("GET", f"{API}/scenarios/nato-2024/tables/budgets/{rng.choice(rows)['id']}")
        else:
            row_id = rng.choice(rows)["id"]
            url = f"{API}/scenarios/nato-2024/tables/budgets/{row_id}"
            while time.monotonic() < stop + 10:
                got = await call("GET", url)
                if got.status_code != 200:
                    break
                current = got.json()
                data = {**current["data"], "amount": current["data"]["amount"] + 1}
                r = await call("PUT", url, json={"version": current["version"], "data": data})
                if r.status_code == 200:
                    accepted[row_id] = accepted.get(row_id, 0) + 1
                    break
                if r.status_code != 409:
                    break
                conflicts.append(1)


async def main_async(args: argparse.Namespace, address: str, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=args.clients + 10)
    async with httpx.AsyncClient(
        base_url=address, headers=headers, timeout=60, limits=limits
    ) as client:
        rows = []
        for year in COUNTER_YEARS:
            r = await client.post(
                f"{API}/scenarios/nato-2024/tables/budgets",
                json={"data": {"ally": "ALB", "year": year, "amount": 0}},
            )
            r.raise_for_status()
            rows.append(r.json())
        latencies: list[float] = []
        errors: list[str] = []
        accepted: dict[int, int] = {}
        conflicts: list[int] = []
        started = time.monotonic()
        stop = started + args.seconds
        await asyncio.gather(
            *(
                client_loop(client, rows, stop, seed, latencies, errors, accepted, conflicts)
                for seed in range(args.clients)
            )
        )
        elapsed = time.monotonic() - started
        lost = {}
        for row in rows:
            url = f"{API}/scenarios/nato-2024/tables/budgets/{row['id']}"
            final = (await client.get(url)).json()
            if final["data"]["amount"] != accepted.get(row["id"], 0):
                lost[row["id"]] = (final["data"]["amount"], accepted.get(row["id"], 0))
    q = statistics.quantiles(latencies, n=100)
    return {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        "updates_accepted": sum(accepted.values()),
        "conflicts_409_retried": len(conflicts),
        "lost_updates": lost,
        "latency_ms": {
            "p50": round(q[49] * 1000, 1),
            "p95": round(q[94] * 1000, 1),
            "p99": round(q[98] * 1000, 1),
            "max": round(max(latencies) * 1000, 1),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    if not (1 <= args.clients <= 200 and 1 <= args.seconds <= 300):
        raise SystemExit("clients must be 1-200 and seconds 1-300")
    with tempfile.TemporaryDirectory(prefix="materiel-load-") as tmp:
        process, address, token = start_server(args.db, Path(tmp))
        try:
            report = asyncio.run(main_async(args, address, token))
        finally:
            stop(process)
    report["database"] = "postgresql" if args.db else "sqlite"
    print(json.dumps(report, indent=2))
    return 0 if report["errors"] == 0 and not report["lost_updates"] else 1


if __name__ == "__main__":
    sys.exit(main())
