"""Sweeps on a real Dask cluster (two worker processes on this machine)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd
import pytest

import materiel
from tests.sweep.sweep_kit import VARY, small_scenario

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # a local Dask cluster of two worker processes


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        host="127.0.0.1",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return small_scenario(tmp_path_factory.mktemp("sweep") / "s")


@pytest.fixture(scope="module")
def reference(scenario: Path) -> pd.DataFrame:
    return materiel.sweep(scenario, VARY, workers=1)


def test_dask_gives_exactly_the_local_table(cluster, scenario, reference, tmp_path) -> None:
    table = materiel.sweep(scenario, VARY, scheduler=cluster.scheduler_address, out=tmp_path)
    pd.testing.assert_frame_equal(table, reference)
    assert table.attrs["computed"] == 8
    # a rerun on the cluster takes every row from the cache
    again = materiel.sweep(scenario, VARY, scheduler=cluster.scheduler_address, out=tmp_path)
    assert again.attrs["computed"] == 0
    pd.testing.assert_frame_equal(again, reference)


def test_a_worker_killed_mid_sweep_still_completes(cluster, scenario, reference) -> None:
    with distributed.Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)  # worker address -> process id
    victim = sorted(pids.values())[0]
    killed: list[tuple[int, int]] = []

    def kill_once(done: int, total: int, row: dict) -> None:
        if not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append((victim, done))

    table = materiel.sweep(scenario, VARY, scheduler=cluster.scheduler_address, on_result=kill_once)
    assert killed and killed[0][1] < len(reference)  # killed with work left to do
    pd.testing.assert_frame_equal(table, reference)
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=30)
        assert victim not in client.run(os.getpid).values()  # the nanny started a new one
