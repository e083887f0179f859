"""What a nation analyst sees of nato-2024's plan under the disclosure rule, and what a
read costs: plans nato-2024, stores the plan as a finished run, reads every plan table as
POL and as an alliance analyst, and prints what is shown and hidden and the time of a
read (the first, which applies the rule, and the next, which reads the kept decisions).

    .venv/bin/python bench/disclosure.py
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from materiel.scenario import load_scenario
from materiel.scenario.builtin import path
from materiel.server.jobs import _records
from materiel.store import SYSTEM, Principal, open_store
from materiel.workflows import run_snapshot


def main() -> None:
    print(f"load average before: {os.getloadavg()}")
    scenario = load_scenario(path("nato-2024"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = open_store(f"sqlite:///{folder / 'store.db'}")
        store.import_scenario(SYSTEM, scenario)
        run, snapshot = store.create_run(SYSTEM, "nato-2024")
        started = time.perf_counter()
        run_snapshot(snapshot, folder / "run", say=lambda text: None)
        print(f"plan: {time.perf_counter() - started:.1f} s")
        store.set_run(run.id, status="running")
        store.set_run(run.id, status="done", result=_records(folder / "run", snapshot))
        pol, alliance = Principal("pol", "nation", ally="POL"), Principal("a", "alliance")
        for table in ("stock", "capacity", "targets", "spending", "contracts"):
            times = {}
            for who in (pol, alliance):
                first = time.perf_counter()
                rows = store.run_table(who, run.id, table)
                second = time.perf_counter()
                store.run_table(who, run.id, table)
                times[who.role] = (second - first, time.perf_counter() - second, rows)
            rows = times["nation"][2]
            totals = [r for r in rows if r.get("scope")]
            if table == "capacity":
                hidden = sum(r["output"] is None for r in rows)
                shown = f"outputs hidden {hidden} of {len(rows)}"
            else:
                nulls = {k: sum(r.get(k) is None for r in totals) for k in (totals[:1] or [{}])[0]}
                shown = f"{len(totals)} totals, hidden by measure {json.dumps(nulls)}"
            print(
                f"{table}: {shown}; read as POL {times['nation'][0]:.3f} s then "
                f"{times['nation'][1]:.3f} s, as alliance {times['alliance'][1]:.3f} s"
            )
        store.db.dispose()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
