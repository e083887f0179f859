#!/usr/bin/env python3
"""Sweep benchmark: N plans in one process, then on a local Dask cluster of 2 workers.

    .venv/bin/python bench/sweep.py --size S --plans 64
    .venv/bin/python bench/sweep.py --size M --plans 4    # M's first stage alone is ~50 s

Reports the wall time of each run, the speed-up and parallel efficiency of the cluster
(speed-up / workers), the CPU time of each (one process; the workers, and the client
with the scheduler's threads) and their ratio (CPU efficiency: the work the cluster
adds, which other load on the machine does not distort as it distorts wall times), the
per-task overhead of the cluster (no-op tasks that take the scattered scenario and
return a row-sized dict, end to end), the time to scatter the scenario, and the payload
of a task (what is pickled per task: the overrides and the seed; the scenario goes to
each worker once) and of its result. The plans are the scenario with
``policy.overdue_weight`` at N different values, so each is a distinct plan of the same
size; one plan on each side is made before the clocks start. Results go to
``bench/sweep_results_SIZE.json``. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import SIZES, write  # noqa: E402

import materiel  # noqa: E402
from materiel.scenario.load import load_scenario  # noqa: E402
from materiel.workflows.cell import run_combination  # noqa: E402


def noop(base: Any, overrides: tuple[str, ...], futures: Any = None, seed: int = 0) -> dict:
    """A task with a sweep task's inputs and a result of a row's size, and no work."""
    return {"status": "optimal", "overrides": list(overrides), "n": len(base.rows)}


def _warm(base: Any) -> bool:
    """One plan, so that what a first plan loads is loaded before any clock starts."""
    run_combination(base, ("policy.overdue_weight=9",))
    return True


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children [s]."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="S", choices=list(SIZES))
    parser.add_argument("--plans", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--noop-tasks", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.out = args.out or HERE / f"sweep_results_{args.size}.json"

    from distributed import Client, LocalCluster

    folder = write(SIZES[args.size], Path(tempfile.mkdtemp()) / args.size)
    base = load_scenario(folder)
    values = ",".join(f"{10 + 0.25 * i:g}" for i in range(args.plans))
    vary = [f"policy.overdue_weight={values}"]
    results: dict[str, Any] = {
        "size": args.size,
        "plans": args.plans,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
    }
    print(f"size {args.size}, {args.plans} plans; load average {os.getloadavg()}", flush=True)

    _warm(base)
    started, cpu = time.perf_counter(), _cpu_seconds()
    one = materiel.sweep(base, vary, workers=1, charts=False)
    results["one_process_s"] = time.perf_counter() - started
    results["one_process_cpu_s"] = _cpu_seconds() - cpu
    print(f"one process: {results['one_process_s']:.1f} s", flush=True)

    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster.scheduler_address) as client,
    ):
        client.run(_warm, base)  # a first plan on every worker, outside the clocks
        before = client.run(_cpu_seconds)
        started, cpu = time.perf_counter(), _cpu_seconds()
        on_dask = materiel.sweep(base, vary, scheduler=cluster.scheduler_address, charts=False)
        results["dask_s"] = time.perf_counter() - started
        results["dask_client_cpu_s"] = _cpu_seconds() - cpu  # client and scheduler (threads)
        after = client.run(_cpu_seconds)
        results["dask_workers_cpu_s"] = sum(after[w] - before[w] for w in after)
        print(f"dask, {args.workers} workers: {results['dask_s']:.1f} s", flush=True)
        results["same_table"] = bool(one.equals(on_dask))

        started = time.perf_counter()
        [scattered] = client.scatter([base], broadcast=True, hash=False)
        results["scatter_s"] = time.perf_counter() - started
        tasks = [(f"policy.overdue_weight={10 + i}",) for i in range(args.noop_tasks)]
        started = time.perf_counter()
        futures = [client.submit(noop, scattered, t, None, 0, pure=False) for t in tasks]
        client.gather(futures)
        elapsed = time.perf_counter() - started
        results["noop_tasks"] = args.noop_tasks
        results["overhead_per_task_ms"] = 1000 * elapsed / args.noop_tasks
        results["overhead_per_task_per_worker_ms"] = 1000 * elapsed * args.workers / args.noop_tasks

    row = run_combination(base, ("policy.overdue_weight=10",))
    results["payload"] = {
        "scenario_bytes_once_per_worker": len(pickle.dumps(base)),
        "task_bytes": len(pickle.dumps((("policy.overdue_weight=10",), None, 0))),
        "result_bytes": len(pickle.dumps(row)),
    }
    speedup = results["one_process_s"] / results["dask_s"]
    results["speedup"] = speedup
    results["parallel_efficiency"] = speedup / args.workers
    results["one_process_s_per_plan"] = results["one_process_s"] / args.plans
    # the same work measured in CPU seconds: what the cluster adds, whatever else runs here
    results["cpu_efficiency"] = results["one_process_cpu_s"] / (
        results["dask_workers_cpu_s"] + results["dask_client_cpu_s"]
    )
    results["load_average_at_end"] = os.getloadavg()
    results["python"] = sys.version.split()[0]
    results["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    for key in (
        "one_process_s",
        "one_process_cpu_s",
        "one_process_s_per_plan",
        "dask_s",
        "dask_workers_cpu_s",
        "dask_client_cpu_s",
        "cpu_efficiency",
        "speedup",
        "parallel_efficiency",
        "scatter_s",
        "overhead_per_task_ms",
        "overhead_per_task_per_worker_ms",
        "same_table",
    ):
        value = results[key]
        print(f"{key:34} {value:.3f}" if isinstance(value, float) else f"{key:34} {value}")
    print("payload", results["payload"], f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
