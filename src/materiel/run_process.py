"""What runs in a plan run's own process: it leads a process group of its own (so that
the worker can end it and everything it started at once), ends that group itself if its
worker goes away, plans the snapshot and says how it went. A module of its own, light to
import: a run's process is started by ``spawn`` and imports only this module (and the
planner it is given), not the server's."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: How often a run's process checks that its worker is still there [s].
ORPHAN_CHECK_S = 1.0
#: Plans a snapshot into a folder, telling its progress:
#: :func:`materiel.workflows.run_snapshot` or, in tests, a module-level stand-in (it
#: must be importable by the run's process).
Planner = Callable[[dict[str, Any], Path, Callable[[str], None]], Any]


def work(snapshot: dict[str, Any], out: str, messages: Any, planner: Planner) -> None:
    """In the run's process: lead a process group of its own, plan the snapshot, save
    the plan folder to ``out``."""
    lead_group()
    try:
        planner(snapshot, Path(out), lambda text: messages.put(("progress", str(text))))
        messages.put(("done", ""))
    except Exception as exc:  # every failure is reported as the run's error
        messages.put(("failed", f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)))


def lead_group() -> None:
    """Start a session (and process group) of our own, and end the whole group if the
    worker that started us goes away (its children are then re-parented)."""
    if not hasattr(os, "setsid"):  # Windows: the run's process alone is ended
        return
    os.setsid()
    worker = os.getppid()

    def watch() -> None:
        while os.getppid() == worker:
            time.sleep(ORPHAN_CHECK_S)
        os.killpg(os.getpgid(0), signal.SIGKILL)

    threading.Thread(target=watch, name="materiel-run-orphan", daemon=True).start()
