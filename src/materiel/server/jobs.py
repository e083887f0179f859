"""Plan runs as jobs in the database, taken by workers: a :class:`RunWorker` claims the
oldest queued run (any number of workers, in ``materiel worker`` processes on any
machine that reaches the database, or threads of the server: :class:`RunManager`),
plans it in a process of its own (so that a cancel can stop a solver mid-solve), and
records progress, stage, result or failure in the store, with a heartbeat every few
seconds; a run whose worker's heartbeat lapses for longer than the lease is failed by
the next worker that looks for work.

A run is a process group: its process starts a session of its own (``os.setsid``), and
every process it starts (the planner's pooling comparison runs in one) belongs to it.
When the run ends, however it ends (done, failed, cancelled, the worker stopping), the
whole group is sent SIGTERM, then SIGKILL after a grace of ``Settings.run_grace_s``, so
that nothing it started goes on solving. A run's process whose worker has gone (killed
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
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from materiel.run_process import Planner, work
from materiel.store import SIM_TABLE, SWEEP_TABLE, Store, run_result
from materiel.sweeps import read_sweep, sweep_snapshot, sweep_stage_of
from materiel.workflows import (
    RUN_STAGES,
    SIM_STAGES,
    read_result,
    run_snapshot,
    sim_stage_of,
    simulate_snapshot,
    stage_of,
)

log = logging.getLogger("materiel.server.jobs")
POLL_S = 0.2
GRACE_S = 3.0  # the default of Settings.run_grace_s
LEASE_S = 30.0  # the default of Settings.run_lease_s
IDLE_POLL_S = 1.0  # the default of Settings.run_poll_s
#: A worker sends this many heartbeats per lease while it plans a run.
HEARTBEATS_PER_LEASE = 5


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


class RunWorker:
    """Takes queued runs from the store, one at a time, and plans each in a process
    group of its own: the one code path of ``materiel worker`` and of the workers a
    server starts (:class:`RunManager`).

    ``name`` is written on each run it takes; ``grace`` is how long a run's processes
    have between SIGTERM and SIGKILL; ``lease_s`` how long a run may go without a
    heartbeat before it counts as lost (this worker sends one every fifth of it);
    ``poll_s`` how often an idle worker looks for queued runs; ``planner`` plans a
    snapshot (tests pass a stand-in); ``sweep_scheduler`` is the Dask scheduler sweep
    runs run on (None: ``sweep_workers`` local processes, None: one per core).
    Setting ``stopping`` ends the loop, and the run in hand (its process group ended,
    the run queued again); setting ``wake`` makes an idle worker look at once."""

    def __init__(
        self,
        store: Store,
        name: str | None = None,
        *,
        grace: float = GRACE_S,
        planner: Planner = run_snapshot,
        lease_s: float = LEASE_S,
        poll_s: float = IDLE_POLL_S,
        stopping: threading.Event | None = None,
        wake: threading.Event | None = None,
        sweep_scheduler: str | None = None,
        sweep_workers: int | None = None,
    ):
        self.store = store
        self.name = name or default_name()
        self.cluster = {"scheduler": sweep_scheduler, "workers": sweep_workers}
        self.grace = grace
        self.planner = planner
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.stopping = stopping or threading.Event()
        self.wake = wake or threading.Event()
        self._context = multiprocessing.get_context("spawn")

    def loop(self, once: bool = False) -> None:
        """Take and plan runs until ``stopping`` is set (``once``: plan at most one
        queued run, then return)."""
        while not self.stopping.is_set():
            try:
                took = self.run_one()
            except Exception as exc:  # the database is away for a moment: look again later
                log.warning("worker %s could not look for runs: %s", self.name, exc)
                took = False
            if once:
                return
            if not took and self.wake.wait(self.poll_s):
                self.wake.clear()

    def run_one(self) -> bool:
        """Look for work: fail the runs whose worker has gone (the lease rule), take the
        oldest queued run and plan it. False if none was queued."""
        for run_id in self.store.fail_lost_runs(self.lease_s):
            log.warning("run %s failed: its worker stopped (no heartbeat)", run_id)
        claimed = self.store.claim_run(self.name, stages=len(RUN_STAGES))
        if claimed is None:
            return False
        run_id, snapshot = claimed
        try:
            if "simulation" in snapshot:
                self._simulate(run_id, snapshot)
            elif "sweep" in snapshot:
                self._sweep(run_id, snapshot)
            else:
                self._plan(run_id, snapshot)
        except Exception as exc:  # the run fails; the worker goes on
            log.exception("run %s failed", run_id)
            self.store.set_run(run_id, status="failed", error=f"{type(exc).__name__}: {exc}")
        return True

    def _plan(self, run_id: int, snapshot: dict[str, Any]) -> None:
        self._in_process(
            run_id,
            snapshot,
            self.planner,
            lambda tmp: _records(tmp, snapshot),
            len(RUN_STAGES),
        )

    def _simulate(self, run_id: int, snapshot: dict[str, Any]) -> None:
        """A simulation run: the plan run's stored result goes to the run's process with
        the snapshot (not kept again in the store); the result is the targets table."""
        self.store.set_run(run_id, stages=len(SIM_STAGES))
        plan_run = int(snapshot["simulation"]["plan_run"])
        plan = self.store.plan_result(plan_run)
        if plan is None:
            self.store.set_run(
                run_id,
                status="failed",
                progress="failed",
                error=f"run {plan_run}, whose plan it simulates, has no result any more",
            )
            return

        def records(tmp: Path) -> dict[str, Any]:
            saved = read_result(tmp)
            return {"summary": saved["summary"], "tables": {SIM_TABLE: saved["rows"]}}

        self._in_process(
            run_id,
            {**snapshot, "plan": plan},
            simulate_snapshot,
            records,
            len(SIM_STAGES),
            sim_stage_of,
        )

    def _sweep(self, run_id: int, snapshot: dict[str, Any]) -> None:
        """A sweep run: planned where this worker's settings say (``cluster``, not kept
        in the store); a stage per combination; the result is the sweep's table."""
        stages = int(snapshot["sweep"]["combinations"])
        self.store.set_run(run_id, stages=stages)

        def records(tmp: Path) -> dict[str, Any]:
            saved = read_sweep(tmp)
            return {"summary": saved["summary"], "tables": {SWEEP_TABLE: saved["rows"]}}

        self._in_process(
            run_id,
            {**snapshot, "cluster": self.cluster},
            sweep_snapshot,
            records,
            stages,
            sweep_stage_of,
        )

    def _in_process(
        self,
        run_id: int,
        snapshot: dict[str, Any],
        planner: Planner,
        records: Callable[[Path], dict[str, Any]],
        stages: int,
        stage_of: Callable[[str, int], int] = stage_of,
    ) -> None:
        """Run ``planner`` on ``snapshot`` in a process group of its own, and record how
        it ended: done (its result: ``records`` of its folder), failed, cancelled, or
        queued again when this worker stops."""
        messages = self._context.Queue()
        with tempfile.TemporaryDirectory(prefix=f"materiel-run-{run_id}-") as tmp:
            # not a daemon: the planner runs its pooling comparison in a process of its
            # own, which a daemon may not start; the run's group is ended below
            process = self._context.Process(target=work, args=(snapshot, tmp, messages, planner))
            process.start()
            try:
                outcome = self._watch(run_id, process, messages, stage_of)
                if outcome is not None:  # it ends by itself once it has said so
                    process.join(timeout=self.grace)
            finally:
                end_group(process, self.grace)
            if outcome is None and self.stopping.is_set():
                self.store.release_run(run_id, self.name)  # another worker plans it
            elif outcome is None:  # no-op if it had failed for a lapsed lease
                self.store.set_run(run_id, status="cancelled", progress="cancelled")
            elif outcome[0] == "done":
                self.store.set_run(
                    run_id, status="done", progress="done", stage=stages, result=records(Path(tmp))
                )
            else:
                self.store.set_run(run_id, status="failed", error=outcome[1], progress="failed")

    def _watch(
        self,
        run_id: int,
        process: Any,
        messages: Any,
        stage_of: Callable[[str, int], int] = stage_of,
    ) -> tuple[str, str] | None:
        """Record the run's progress, and send heartbeats, until it says it is done or
        failed (the outcome), or is cancelled, is no longer this worker's, or the worker
        stops (None)."""
        stage = 0
        beat = time.monotonic()
        while True:
            if time.monotonic() - beat >= self.lease_s / HEARTBEATS_PER_LEASE:
                beat = time.monotonic()
                if not self.store.heartbeat_run(run_id, self.name):
                    return None
            try:
                kind, text = messages.get(timeout=POLL_S)
            except queue.Empty:
                if self.stopping.is_set() or self.store.run_status(run_id) != "running":
                    return None
                if not process.is_alive() and messages.empty():
                    return ("failed", f"the planning process ended (code {process.exitcode})")
                continue
            if kind != "progress":
                return (kind, text)
            stage = stage_of(text, stage)
            if not self.store.set_run(run_id, progress=text, stage=stage):
                return None  # cancelled meanwhile


def default_name() -> str:
    """A worker's name: its machine and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def work_until_stopped(worker: RunWorker, once: bool = False) -> None:
    """Run ``worker`` in this process until SIGTERM or SIGINT (Ctrl-C), which end the
    run in hand (its process group ended, the run queued again for another worker)
    and then the loop: ``materiel worker``."""
    stop_signals = [signal.SIGINT, getattr(signal, "SIGTERM", signal.SIGINT)]

    def stop(_signum: int, _frame: object) -> None:
        worker.stopping.set()
        worker.wake.set()

    previous = {sig: signal.signal(sig, stop) for sig in stop_signals}
    try:
        worker.loop(once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class RunManager:
    """The server's own workers: ``workers`` threads, each a :class:`RunWorker` taking
    queued runs from the store (0: none; ``materiel worker`` processes take them)."""

    def __init__(
        self,
        store: Store,
        workers: int = 1,
        grace: float = GRACE_S,
        planner: Planner = run_snapshot,
        lease_s: float = LEASE_S,
        poll_s: float = IDLE_POLL_S,
        sweep_scheduler: str | None = None,
        sweep_workers: int | None = None,
    ):
        self.store = store
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self.workers = [
            RunWorker(
                store,
                f"{default_name()}/server-{i + 1}",
                grace=grace,
                planner=planner,
                lease_s=lease_s,
                poll_s=poll_s,
                stopping=self._stopping,
                wake=self._wake,
                sweep_scheduler=sweep_scheduler,
                sweep_workers=sweep_workers,
            )
            for i in range(workers)
        ]
        self._threads = [
            threading.Thread(target=w.loop, name=f"materiel-run-{i + 1}", daemon=True)
            for i, w in enumerate(self.workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, run_id: int | None = None, snapshot: dict[str, Any] | None = None) -> None:
        """A run was queued (it is in the store, snapshot and all): an idle worker of
        this server looks at once rather than at its next poll."""
        self._wake.set()

    def shutdown(self) -> None:
        """Stop: every running run's process group is ended and the run queued again
        (the next worker to look plans it); queued runs stay queued."""
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join()
