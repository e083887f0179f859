"""A running sweep stopped by SIGINT or SIGTERM (issue 20): it ends within a few seconds
with its worker processes, exits 130 or 143, says what it kept, and the same sweep run
again computes only what is missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sweep.sweep_kit import small_scenario

#: 5 x 2 x 2 x 2 = 40 combinations of about half a second each: long enough to stop.
VARY = [
    "policy.contract_months=1,2,3,4,6",
    "lines.L1.ceiling=5,20",
    "policy.pooling=true,false",
    "policy.expansion=true,false",
]


def _sweep(folder: Path, out: Path) -> list[str]:
    args = [sys.executable, "-m", "materiel.cli", "sweep", str(folder), "--out", str(out)]
    for lever in VARY:
        args += ["--vary", lever]
    return [*args, "--workers", "2"]


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_sweep_keeps_what_it_did_and_resumes(tmp_path: Path, sig, code) -> None:
    folder = small_scenario(tmp_path / "s")
    out = tmp_path / "out"
    running = subprocess.Popen(
        _sweep(folder, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    cache = out / "cache"
    deadline = time.monotonic() + 120
    while len(list(cache.glob("*.json"))) < 3:  # some combinations done, not all
        assert running.poll() is None, running.communicate()
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.05)
    os.kill(running.pid, sig)
    stopped = time.monotonic()
    _, err = running.communicate(timeout=30)
    assert time.monotonic() - stopped < 5  # it did not wait for the running plans (0.3-0.7 s idle)
    assert running.returncode == code, err
    said = " ".join(err.split())
    assert "combinations done, kept in" in said and "Traceback" not in err
    kept = len(list(cache.glob("*.json")))
    assert 3 <= kept < 40
    again = subprocess.run(_sweep(folder, out), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{40 - kept} computed, {kept} from the cache" in " ".join(again.stdout.split())
