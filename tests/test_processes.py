"""Ending a pool of worker processes at once (materiel.processes.end_now)."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from materiel.processes import end_now


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_end_now_ends_the_workers_and_the_pools_thread() -> None:
    # A pool busy with a minute's work: end_now returns within seconds, its workers are
    # gone and its managing thread has ended (so that the interpreter's exit finds no
    # pipe to write to); a process the caller had before is left alone.
    mine = multiprocessing.get_context("fork").Process(target=time.sleep, args=(30,))
    mine.start()
    try:
        before = set(multiprocessing.active_children())
        pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))
        futures = [pool.submit(_sleep, 60.0) for _ in range(3)]
        while not any(f.running() for f in futures):
            time.sleep(0.01)
        workers = set(multiprocessing.active_children()) - before
        assert len(workers) == 2
        manager = pool._executor_manager_thread  # type: ignore[attr-defined]
        assert manager is not None and manager.is_alive()
        started = time.monotonic()
        end_now(pool, before)
        assert time.monotonic() - started < 5
        assert not manager.is_alive()
        for worker in workers:
            worker.join(5)
            assert not worker.is_alive()
        assert mine.is_alive()
    finally:
        mine.terminate()
        mine.join()
