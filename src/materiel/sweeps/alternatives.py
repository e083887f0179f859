"""Alternatives near the optimum on a Dask cluster: each alternative after the first is
one task (:func:`materiel.planner.most_of`), the scenario scattered to every worker once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from materiel.errors import MaterielError
from materiel.planner import Remote, most_of
from materiel.scenario import Scenario
from materiel.sweeps.backends import CONNECT_TIMEOUT, connect


@contextlib.contextmanager
def on_cluster(address: str, timeout: float = CONNECT_TIMEOUT) -> Iterator[Remote]:
    """Connect to the scheduler at ``address`` at once (an address that cannot be
    reached is refused before anything is solved) and give the solver of alternatives
    that runs each on the cluster; the connection is closed on leaving."""
    from distributed import as_completed

    client = connect(address, timeout)

    def remote(
        scenario: Scenario, slack: float, measure: str, units: list[str]
    ) -> Iterator[tuple[str, Any]]:
        if not units:
            return
        [scattered] = client.scatter([scenario], broadcast=True, hash=False)
        submitted = {
            client.submit(most_of, scattered, slack, measure, unit, pure=False): unit
            for unit in units
        }
        with client.as_current():
            for future in as_completed(submitted):
                try:
                    x = future.result()
                except Exception as exc:  # a task that failed on every worker it was given
                    raise MaterielError(f"an alternative failed on the cluster: {exc}") from exc
                unit = submitted.pop(future)
                future.release()
                yield unit, x

    try:
        yield remote
    finally:
        client.close()
