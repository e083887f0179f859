"""Worker processes for the tests of runs as jobs in the database: ``python -m
tests.worker_kit URL NAME PLANNER LEASE`` runs the loop of ``materiel worker``
(:func:`materiel.server.work_until_stopped` on a :class:`~materiel.server.RunWorker`)
with a stand-in planner of this module, and :class:`Workers` starts and ends them.

The stand-ins run in the run's own process (imported there by name):

- ``copying``: writes "RUN_ID WORKER_PID" to ``$MATERIEL_TEST_PLAN_LOG`` (one line each
  time a run is planned), then copies a plan made beforehand (``$MATERIEL_TEST_PLAN_FROM``)
  as the run's result;
- ``sleeping``: says "pids PID" (its process id, as the run's progress) and sleeps.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOG = "MATERIEL_TEST_PLAN_LOG"
PLAN_FROM = "MATERIEL_TEST_PLAN_FROM"


def copying(snapshot: dict[str, Any], out: Path, say: Callable[[str], None]) -> None:
    # the run's folder is materiel-run-ID-...: the run's id, for the log
    run_id = Path(out).name.split("-")[2]
    say("planning (stand-in)")
    with open(os.environ[LOG], "a", encoding="utf-8") as log:
        log.write(f"{run_id} {os.getppid()}\n")
    time.sleep(0.2)
    shutil.copytree(os.environ[PLAN_FROM], out, dirs_exist_ok=True)


def sleeping(snapshot: dict[str, Any], out: Path, say: Callable[[str], None]) -> None:
    say(f"pids {os.getpid()}")
    time.sleep(600)


def main(argv: list[str]) -> None:
    from materiel.server import RunWorker, work_until_stopped
    from materiel.store import open_store
    from tests import worker_kit  # the planners by their module's name, not __main__'s

    url, name, planner, lease = argv
    store = open_store(url)
    worker = RunWorker(
        store, name, grace=1.0, planner=getattr(worker_kit, planner), lease_s=float(lease)
    )
    worker.poll_s = 0.1
    (Path(os.environ[LOG]).parent / f"ready-{name}").touch()
    work_until_stopped(worker)
    store.db.dispose()


class Workers:
    """``materiel worker`` loops in processes of their own, each with a stand-in
    planner; :meth:`end` kills whatever is left of them."""

    def __init__(self, url: str, folder: Path, plan_from: Path | None = None):
        self.url = url
        self.folder = folder
        self.log = folder / "planned.log"
        self.log.touch()
        self.env = {
            **os.environ,
            "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            LOG: str(self.log),
            PLAN_FROM: str(plan_from or ""),
        }
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, planner: str, lease: float, timeout: float = 120) -> int:
        """Start a worker and wait until it looks for runs; its process id."""
        with open(self.folder / f"{name}.err", "wb") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.worker_kit", self.url, name, planner, str(lease)],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        self.started[name] = process
        ready = self.folder / f"ready-{name}"
        deadline = time.monotonic() + timeout
        while not ready.exists():
            assert process.poll() is None, f"worker {name} ended: {self.errors(name)}"
            assert time.monotonic() < deadline, f"worker {name} did not start"
            time.sleep(0.1)
        return process.pid

    def errors(self, name: str) -> str:
        return (self.folder / f"{name}.err").read_text(errors="replace")

    def planned(self) -> list[tuple[int, int]]:
        """(run id, worker's process id) for each time a run was planned."""
        lines = self.log.read_text().split()
        return [(int(a), int(b)) for a, b in zip(lines[::2], lines[1::2], strict=True)]

    def end(self) -> None:
        for process in self.started.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGKILL)
            process.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
