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

import signal


def as_worker() -> None:
    """Signals as a worker process takes them (call it first in the worker)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
