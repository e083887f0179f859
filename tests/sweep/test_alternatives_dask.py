"""Alternatives near the optimum with their solves on a real Dask cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from materiel.cli.main import main
from materiel.planner import plan_alternatives
from materiel.scenario import load_scenario
from materiel.sweeps import on_cluster
from tests.planner.test_alternatives import two_places

pytestmark = pytest.mark.slow  # a local Dask cluster (tests/sweep/conftest.py)


def test_the_cluster_finds_the_plans_found_here(cluster: Any, tmp_path: Path) -> None:
    # The scenario of tests/planner/test_alternatives.py: the optimum expands one line,
    # the first alternative (solved here) the other, the second (on the cluster) adds
    # the cost's slack (1.32 units/month) to the line of the first alternative.
    scenario = load_scenario(two_places(tmp_path))
    here = plan_alternatives(scenario, slack=0.01, count=2).table()
    with on_cluster(cluster.scheduler_address) as remote:
        there = plan_alternatives(scenario, slack=0.01, count=2, remote=remote).table()
    # ...and through the command, which writes the same table
    out = tmp_path / "out"
    args = ["alternatives", str(tmp_path / "mga"), "--slack", "0.01", "--count", "2"]
    assert main([*args, "--scheduler", cluster.scheduler_address, "--out", str(out)]) == 0
    assert list(there["plan"]) == [0, 1, 2]
    numbers = [c for c in here.columns if c.startswith(("value:", "change:"))]
    numbers += ["weighted_shortfall", "cost", "cost_slack_used"]
    pd.testing.assert_frame_equal(there[numbers], here[numbers], atol=1e-3)
    written = pd.read_csv(out / "alternatives.csv")
    assert written["cost"].tolist() == pytest.approx([132_000, 132_000, 133_320], abs=1)


def test_an_unreachable_scheduler_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = two_places(tmp_path)
    out = tmp_path / "out"
    code = main(
        ["alternatives", str(folder), "--scheduler", "tcp://127.0.0.1:9", "--out", str(out)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot reach a Dask scheduler" in err and "Traceback" not in err
    assert not out.exists()
