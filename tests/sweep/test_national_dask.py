"""A national plan whose plan is made on a real Dask cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from materiel.cli.main import main
from tests.report.test_national import two_allies

pytestmark = pytest.mark.slow  # a local Dask cluster (tests/sweep/conftest.py)


def _body(page: str) -> str:
    """The page without the line saying where the plan was made."""
    return "\n".join(line for line in page.splitlines() if "a plan made now" not in line)


def test_the_cluster_makes_the_plan_made_here(cluster: Any, tmp_path: Path) -> None:
    # The hand-solved two-ally scenario of tests/report/test_national.py: AAA's national
    # plan made on the cluster is the one made here, but for where it was made.
    folder = two_allies(tmp_path / "two")
    here, there = tmp_path / "here", tmp_path / "there"
    assert main(["national-plan", str(folder), "AAA", "--out", str(here)]) == 0
    args = ["national-plan", str(folder), "AAA", "--out", str(there)]
    assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
    local = (here / "national-AAA.html").read_text(encoding="utf-8")
    remote = (there / "national-AAA.html").read_text(encoding="utf-8")
    assert "a plan made now, on a Dask cluster" in remote
    assert "4,000 units for 400,000 USD" in remote  # AAA's contract, as by hand
    assert _body(remote) == _body(local)
    assert (there / "national-AAA.pdf").stat().st_size > 0


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--scheduler", "tcp://127.0.0.1:9"], "cannot reach a Dask scheduler"),
        (["--scheduler", "tcp://127.0.0.1:9", "--run", "."], "not both"),
    ],
)
def test_a_scheduler_not_reached_or_with_a_run_is_refused_before_planning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], words: str
) -> None:
    folder = two_allies(tmp_path / "two")
    out = tmp_path / "out"
    assert main(["national-plan", str(folder), "AAA", "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not out.exists()
