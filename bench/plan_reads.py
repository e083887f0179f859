"""What a read of a finished run's plan table costs in the store (the work behind
``GET /api/v1/runs/{id}/tables/{table}`` and the web app's downloads): plans nato-2024
once into a SQLite store (or reuses ``--store FILE`` made by an earlier run, so that
two versions of materiel read the same run), then reads each plan table REPEAT times as
POL's analyst and as an alliance analyst, and prints the median and the 95th percentile.

    .venv/bin/python bench/plan_reads.py [--store /tmp/reads.db] [--repeat 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

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
    pol, alliance = Principal("pol", "nation", ally="POL"), Principal("a", "alliance")
    for table in TABLES:
        for who in (pol, alliance):
            store.run_table(who, run_id, table)  # the rule's first decisions
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                rows = store.run_table(who, run_id, table)
                times.append(time.perf_counter() - started)
            times.sort()
            p95 = times[max(0, int(0.95 * len(times)) - 1)]
            print(
                f"{table:10s} as {who.role:8s} {len(rows):5d} rows: median "
                f"{1000 * statistics.median(times):7.2f} ms, p95 {1000 * p95:7.2f} ms"
            )
    store.db.dispose()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
