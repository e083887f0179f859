"""A national plan's plan made on a Dask cluster: one task (the scenario planned on a
worker), the document written where it was asked for."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pandas as pd

from materiel.planner import Plan, plan
from materiel.scenario import Scenario
from materiel.sweeps.backends import CONNECT_TIMEOUT, connect, on_workers

#: The plan of a scenario and its bottlenecks, made somewhere else.
RemotePlan = Callable[[Scenario, int], tuple[Plan, pd.DataFrame]]


def plan_tables(scenario: Scenario, explain: int) -> tuple[Plan, pd.DataFrame]:
    """The scenario's plan (tables only: they travel) and its bottlenecks, as a national
    plan made now takes them."""
    result = plan(scenario, explain=explain, compare_pooling=False)
    return result.plan, result.bottlenecks


@contextlib.contextmanager
def planned_on_cluster(address: str, timeout: float = CONNECT_TIMEOUT) -> Iterator[RemotePlan]:
    """Connect to the scheduler at ``address`` at once (one that cannot be reached is
    refused before anything is solved) and give a planner that plans on the cluster; the
    connection is closed on leaving."""
    client = connect(address, timeout)

    def remote(scenario: Scenario, explain: int) -> tuple[Plan, pd.DataFrame]:
        [(_, made)] = list(
            on_workers(client, plan_tables, scenario, [("plan", (explain,))], "the plan")
        )
        return made

    try:
        yield remote
    finally:
        client.close()
