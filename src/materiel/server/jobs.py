"""Plan runs as background jobs: each in its own process (so that a cancel can stop a
solver mid-solve), watched by a thread of the server that records progress, stage,
result or failure in the store.

A run is a process group: its process starts a session of its own (``os.setsid``), and
every process it starts (the planner's pooling comparison runs in one) belongs to it.
When the run ends, however it ends (done, failed, cancelled, the server stopping), the
whole group is sent SIGTERM, then SIGKILL after a grace of ``Settings.run_grace_s``, so
that nothing it started goes on solving. A run's process whose server has gone (killed
without a chance to clean up) ends its group itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import queue
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from materiel.store import Store, run_result
from materiel.workflows import RUN_STAGES, run_snapshot, stage_of

log = logging.getLogger("materiel.server.jobs")
POLL_S = 0.2
#: How often a run's process checks that its server is still there [s].
ORPHAN_CHECK_S = 1.0
GRACE_S = 3.0  # the default of Settings.run_grace_s
#: Plans a snapshot into a folder, telling its progress: :func:`run_snapshot` or, in
#: tests, a module-level stand-in (it must be importable by the run's process).
Planner = Callable[[dict[str, Any], Path, Callable[[str], None]], Any]


def _work(snapshot: dict[str, Any], out: str, messages: Any, planner: Planner) -> None:
    """In the run's process: lead a process group of its own, plan the snapshot, save
    the plan folder to ``out``."""
    _lead_group()
    try:
        planner(snapshot, Path(out), lambda text: messages.put(("progress", str(text))))
        messages.put(("done", ""))
    except Exception as exc:  # every failure is reported as the run's error
        messages.put(("failed", f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)))


def _lead_group() -> None:
    """Start a session (and process group) of our own, and end the whole group if the
    server that started us goes away (its children are then re-parented)."""
    if not hasattr(os, "setsid"):  # Windows: the run's process alone is ended
        return
    os.setsid()
    server = os.getppid()

    def watch() -> None:
        while os.getppid() == server:
            time.sleep(ORPHAN_CHECK_S)
        os.killpg(os.getpgid(0), signal.SIGKILL)

    threading.Thread(target=watch, name="materiel-run-orphan", daemon=True).start()


def _signal_group(process: Any, sig: int) -> None:
    """Send ``sig`` to the run's process group (its id is the process's, which leads
    it), and to the process itself in case it had not yet made the group."""
    gone = (ProcessLookupError, PermissionError)  # the group has ended (or was never made)
    if hasattr(os, "killpg"):
        with contextlib.suppress(*gone):
            os.killpg(process.pid, sig)
    if process.is_alive():
        with contextlib.suppress(*gone):
            os.kill(process.pid, sig)


def _group_alive(pgid: int) -> bool:
    if not hasattr(os, "killpg"):
        return False
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def end_group(process: Any, grace: float = GRACE_S) -> None:
    """End the run's process and every process of its group: SIGTERM, and SIGKILL to
    whatever is left ``grace`` seconds later."""
    if process.pid is None:  # never started
        return
    _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    process.join(grace)
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if process.is_alive() or _group_alive(process.pid):
        _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
    process.join()


def _records(folder: Path, snapshot: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run's result as the store keeps it: summary, tables, the lines' producers and
    what the lines deliver (new orders and the planned scenario's existing contracts, for
    the disclosure rule: :func:`materiel.store.run_result`)."""
    from materiel.planner import Plan

    plan = Plan.load(folder / "plan")
    producers = json.loads((folder / "producers.json").read_text(encoding="utf-8"))
    if snapshot is None:
        return run_result(plan, producers)
    start = str(snapshot["meta"].get("start"))
    return run_result(plan, producers, snapshot["tables"], start)


class RunManager:
    """Runs queued plans, ``workers`` at a time; ``grace`` is how long a run's processes
    have between SIGTERM and SIGKILL; ``planner`` plans a snapshot (tests pass a
    stand-in)."""

    def __init__(
        self,
        store: Store,
        workers: int = 1,
        grace: float = GRACE_S,
        planner: Planner = run_snapshot,
    ):
        self.store = store
        self.grace = grace
        self.planner = planner
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="materiel-run")
        self._stopping = threading.Event()
        self._context = multiprocessing.get_context("spawn")

    def submit(self, run_id: int, snapshot: dict[str, Any]) -> None:
        self._pool.submit(self._run, run_id, snapshot)

    def shutdown(self) -> None:
        """Stop: every running run's process group is ended; queued runs stay queued
        (the next start marks them failed)."""
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
        self.store.set_run(
            run_id, status="running", progress="starting", stage=0, stages=len(RUN_STAGES)
        )
        messages = self._context.Queue()
        with tempfile.TemporaryDirectory(prefix=f"materiel-run-{run_id}-") as tmp:
            # not a daemon: the planner runs its pooling comparison in a process of its
            # own, which a daemon may not start; the run's group is ended below
            process = self._context.Process(
                target=_work, args=(snapshot, tmp, messages, self.planner)
            )
            process.start()
            try:
                outcome = self._watch(run_id, process, messages)
                if outcome is not None:  # it ends by itself once it has said so
                    process.join(timeout=self.grace)
            finally:
                end_group(process, self.grace)
            if outcome is None:
                self.store.set_run(run_id, status="cancelled", progress="cancelled")
            elif outcome[0] == "done":
                self.store.set_run(
                    run_id,
                    status="done",
                    progress="done",
                    stage=len(RUN_STAGES),
                    result=_records(Path(tmp), snapshot),
                )
            else:
                self.store.set_run(run_id, status="failed", error=outcome[1], progress="failed")

    def _watch(self, run_id: int, process: Any, messages: Any) -> tuple[str, str] | None:
        """Record the run's progress until it says it is done or failed (the outcome),
        or is cancelled or the server stops (None)."""
        stage = 0
        while True:
            try:
                kind, text = messages.get(timeout=POLL_S)
            except queue.Empty:
                if self._stopping.is_set() or self.store.run_status(run_id) != "running":
                    return None
                if not process.is_alive() and messages.empty():
                    return ("failed", f"the planning process ended (code {process.exitcode})")
                continue
            if kind != "progress":
                return (kind, text)
            stage = stage_of(text, stage)
            if not self.store.set_run(run_id, progress=text, stage=stage):
                return None  # cancelled meanwhile
