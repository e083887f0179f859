"""Alternatives near the optimum on a Dask cluster: each alternative after the first is
one task (:func:`materiel.planner.most_of`), the scenario scattered to every worker once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from materiel.planner import Remote, most_of
from materiel.scenario import Scenario
from materiel.sweeps.backends import CONNECT_TIMEOUT, connect, on_workers


@contextlib.contextmanager
def on_cluster(address: str, timeout: float = CONNECT_TIMEOUT) -> Iterator[Remote]:
    """Connect to the scheduler at ``address`` at once (an address that cannot be
    reached is refused before anything is solved) and give the solver of alternatives
    that runs each on the cluster; the connection is closed on leaving."""
    client = connect(address, timeout)

    def remote(
        scenario: Scenario, slack: float, measure: str, units: list[str]
    ) -> Iterator[tuple[str, Any]]:
        tasks = [(unit, (slack, measure, unit)) for unit in units]
        yield from on_workers(client, most_of, scenario, tasks, "an alternative")

    try:
        yield remote
    finally:
        client.close()
