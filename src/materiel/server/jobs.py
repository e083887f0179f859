"""Plan runs as background jobs: each in its own process (so that a cancel can stop a
solver mid-solve), watched by a thread of the server that records progress, result or
failure in the store."""

from __future__ import annotations

import json
import logging
import multiprocessing
import queue
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from materiel.store import Store

log = logging.getLogger("materiel.server.jobs")
POLL_S = 0.2


def _work(snapshot: dict[str, Any], out: str, messages: Any) -> None:
    """In the child process: plan the snapshot, save the plan folder to ``out``."""
    try:
        from materiel.workflows import run_snapshot

        run_snapshot(snapshot, Path(out), say=lambda text: messages.put(("progress", str(text))))
        messages.put(("done", ""))
    except Exception as exc:  # every failure is reported as the run's error
        messages.put(("failed", f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)))


def _records(folder: Path) -> dict[str, Any]:
    from materiel.planner import Plan

    plan = Plan.load(folder / "plan")
    tables = {
        name: json.loads(frame.to_json(orient="records", double_precision=15))
        for name, frame in plan.tables.items()
    }
    producers = json.loads((folder / "producers.json").read_text(encoding="utf-8"))
    summary = json.loads(json.dumps(plan.summary, default=str))
    return {"summary": summary, "tables": tables, "producers": producers}


class RunManager:
    """Runs queued plans, ``workers`` at a time."""

    def __init__(self, store: Store, workers: int = 1):
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="materiel-run")
        self._stopping = threading.Event()
        self._context = multiprocessing.get_context("spawn")

    def submit(self, run_id: int, snapshot: dict[str, Any]) -> None:
        self._pool.submit(self._run, run_id, snapshot)

    def shutdown(self) -> None:
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, run_id: int, snapshot: dict[str, Any]) -> None:
        try:
            self._run_inner(run_id, snapshot)
        except Exception as exc:  # the run fails; the server goes on
            log.exception("run %s failed", run_id)
            self.store.set_run(run_id, status="failed", error=f"{type(exc).__name__}: {exc}")

    def _run_inner(self, run_id: int, snapshot: dict[str, Any]) -> None:
        if self.store.run_status(run_id) != "queued":
            return
        self.store.set_run(run_id, status="running", progress="starting")
        messages = self._context.Queue()
        with tempfile.TemporaryDirectory(prefix=f"materiel-run-{run_id}-") as tmp:
            # not a daemon: the planner runs its pooling comparison in a process of its
            # own, which a daemon may not start; a stopping server kills it (below)
            process = self._context.Process(target=_work, args=(snapshot, tmp, messages))
            process.start()
            outcome: tuple[str, str] | None = None
            while outcome is None:
                try:
                    kind, text = messages.get(timeout=POLL_S)
                except queue.Empty:
                    if self._stopping.is_set() or self.store.run_status(run_id) != "running":
                        process.kill()
                        process.join()
                        self.store.set_run(run_id, status="cancelled", progress="cancelled")
                        return
                    if not process.is_alive() and messages.empty():
                        outcome = (
                            "failed",
                            f"the planning process ended (code {process.exitcode})",
                        )
                    continue
                if kind == "progress":
                    self.store.set_run(run_id, progress=text)
                else:
                    outcome = (kind, text)
            process.join(timeout=10)
            if outcome[0] == "done":
                self.store.set_run(
                    run_id, status="done", progress="done", result=_records(Path(tmp))
                )
            else:
                self.store.set_run(run_id, status="failed", error=outcome[1], progress="failed")
