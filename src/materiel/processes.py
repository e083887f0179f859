"""What a worker process forked by materiel (a sweep's worker, the planner's pooling
comparison) does with signals: a leaf of the package, shared by both.

A forked worker inherits its parent's handlers, and the command line turns SIGTERM into
a KeyboardInterrupt (:mod:`materiel.cli.main`), which Python can only raise once the
solver hands back the interpreter: a worker told to end in the middle of a HiGHS run
went on for seconds, and printed a traceback when it did end. Here a worker ends at
once on SIGTERM (the default action), and ignores Ctrl-C, which reaches every process
of the terminal's group: the parent, which hears it, ends its workers itself.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Set
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.process import BaseProcess

#: How long :func:`end_now` waits for the pool's own thread to see its workers gone [s].
MANAGER_GRACE_S = 2.0


def as_worker() -> None:
    """Signals as a worker process takes them (call it first in the worker)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def end_now(pool: ProcessPoolExecutor, before: Set[BaseProcess]) -> None:
    """End a pool's workers at once (the caller was stopped, or failed): terminate the
    processes it started (``before``: the caller's own children, left alone), cancel
    what it had not started, and wait briefly for its managing thread to end.

    That wait is what keeps a traceback from the interpreter's exit: at exit, Python
    3.11's ``concurrent.futures`` wakes every pool's managing thread through a pipe that
    the thread closes when it finds its workers gone; the check that the pipe is open
    and the write are not one step, and a sweep stopped by SIGTERM printed "OSError:
    [Errno 9] Bad file descriptor" from ``_python_exit`` in one of this project's CI
    runs (2026-12-07; the test passed in the runs before and after). A thread that has
    ended has closed its pipe, and the exit skips it.
    """
    # CPython's (3.9 on); taken first, since shutdown forgets it
    manager = getattr(pool, "_executor_manager_thread", None)
    for child in set(multiprocessing.active_children()) - set(before):
        child.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(MANAGER_GRACE_S)
