"""Where the combinations run: in this process, in local processes, or on Dask.

Each backend takes the base scenario once and an iterable of tasks ``(index,
overrides)`` and yields ``(index, row)`` as results arrive, in any order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from materiel.errors import InputError, MaterielError
from materiel.processes import as_worker, end_now
from materiel.scenario import Scenario
from materiel.workflows import run_combination

Task = tuple[int, tuple[str, ...]]
Results = Iterator[tuple[int, dict[str, Any]]]

#: Seconds to wait for a Dask scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 5.0


def inline(base: Scenario, tasks: list[Task], futures: int | None, seed: int) -> Results:
    """One combination after the other, in this process."""
    for index, overrides in tasks:
        yield index, run_combination(base, overrides, futures, seed)


_BASE: Scenario | None = None


def _keep_base(base: Scenario) -> None:
    global _BASE
    as_worker()
    _BASE = base


def _run_in_worker(overrides: tuple[str, ...], futures: int | None, seed: int) -> dict[str, Any]:
    assert _BASE is not None, "the worker was started without the scenario"
    return run_combination(_BASE, overrides, futures, seed)


def local(
    base: Scenario, tasks: list[Task], futures: int | None, seed: int, workers: int
) -> Results:
    """In ``workers`` local processes; the scenario goes to each process once, when it
    starts, and each task carries only its overrides."""
    # fork, as the planner's pooling comparison does: workers start at once with what
    # this process has imported, and a user's script needs no `if __name__ == "__main__"`
    # guard (spawn and forkserver import the main module again). The executor starts all
    # its processes at the first submit, before it starts a thread of its own.
    context = multiprocessing.get_context("fork")
    before = set(multiprocessing.active_children())  # the caller's own, left alone
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_keep_base, initargs=(base,)
    )
    try:
        pending = {pool.submit(_run_in_worker, ov, futures, seed): i for i, ov in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                try:
                    row = future.result()
                except BrokenProcessPool as exc:
                    raise MaterielError(f"a sweep worker process died: {exc}") from exc
                yield index, row
    except BaseException:  # stopped (Ctrl-C, SIGTERM) or failed: end the workers now
        end_now(pool, before)
        raise
    pool.shutdown(wait=True)


def check_address(address: str) -> None:
    """Refuse at once a scheduler address that is not ``[tcp://]host:port`` or whose host
    does not resolve (before any planning, and without waiting for a connection)."""
    import socket

    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except ValueError as exc:
        raise InputError(
            f"--scheduler {address!r} is not a scheduler address ({exc}); "
            "give it as tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"
        ) from None
    if scheme not in ("tcp", "tls"):
        raise InputError(f"--scheduler {address!r}: use a tcp:// or tls:// address")
    try:
        socket.getaddrinfo(host, port)
    except (OSError, UnicodeError) as exc:
        raise InputError(
            f"--scheduler {address!r}: the host {host!r} is not known ({exc})"
        ) from None


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A ``dask.distributed.Client`` of the scheduler at ``address``; InputError within
    about ``timeout`` seconds if it cannot be reached."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - a dependency of materiel
        raise InputError(f"--scheduler needs dask.distributed: {exc}") from None
    check_address(address)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise InputError(
            f"cannot reach a Dask scheduler at {address!r} within {timeout:g} s ({exc}); "
            "start one with `dask scheduler` and workers with "
            "`dask worker ADDRESS --nthreads 1`"
        ) from None


def dask(
    base: Scenario,
    tasks: list[Task],
    futures: int | None,
    seed: int,
    address: str,
    timeout: float = CONNECT_TIMEOUT,
) -> Results:
    """On the Dask cluster at ``address``, one plan per task: the scenario is scattered to
    every worker once and each task carries only its overrides. A worker lost mid-sweep
    has its unfinished tasks run again elsewhere (Dask's rescheduling); results already
    delivered are released, so none is computed twice."""
    client = connect(address, timeout)
    try:
        work = [(i, (ov, futures, seed)) for i, ov in tasks]
        yield from on_workers(client, run_combination, base, work, "a sweep task")
    finally:
        client.close()


def on_workers(
    client: Any,
    function: Callable[..., Any],
    base: Any,
    tasks: list[tuple[Any, tuple[Any, ...]]],
    what: str,
) -> Iterator[tuple[Any, Any]]:
    """``function(base, *args)`` for each task ``(key, args)`` on the cluster of
    ``client``, ``base`` scattered to every worker once; yields ``(key, result)`` as they
    arrive. A worker lost midway has its unfinished tasks run again elsewhere (Dask's
    rescheduling); results already delivered are released, so none is computed twice."""
    from distributed import as_completed

    if not tasks:
        return
    [scattered] = client.scatter([base], broadcast=True, hash=False)
    submitted = {client.submit(function, scattered, *args, pure=False): key for key, args in tasks}
    with client.as_current():
        for future in as_completed(submitted):
            try:
                result = future.result()
            except Exception as exc:  # a task that failed on every worker it was given
                raise MaterielError(f"{what} failed on the cluster: {exc}") from exc
            key = submitted.pop(future)
            # let the cluster forget a result once it is here: one held on a worker that
            # is lost later would be computed again for nothing
            future.release()
            yield key, result


def default_workers() -> int:
    """Local processes by default: one per core."""
    return max(1, os.cpu_count() or 1)
