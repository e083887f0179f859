"""``materiel serve`` started as a user starts it, for the tests: a real process on a
free loopback port."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

MATERIEL = [sys.executable, "-m", "materiel.cli"]


def start_serve(args: list[str], home: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start ``materiel serve --port 0 ARGS`` with ``home`` as its home folder (and the
    environment's MATERIEL_* settings, but not MATERIEL_DB); returns the process and
    what it said: store, address, token."""
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "10000",
    }
    env.pop("MATERIEL_DB", None)
    process = subprocess.Popen(
        [*MATERIEL, "serve", "--port", "0", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    said: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while "token" not in said and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("store: "):
            said["store"] = line.removeprefix("store: ").strip()
        if match := re.search(r"serving on (http://127\.0\.0\.1:\d+)/", line):
            said["address"] = match.group(1)
        if match := re.search(r"admin token .*: (mat_\S+)", line):
            said["token"] = match.group(1)
    if "token" not in said:
        process.kill()
        raise AssertionError(
            f"serve said {said}; stderr: {process.stderr.read() if process.stderr else ''}"
        )
    return process, said


def stop_serve(process: subprocess.Popen[str]) -> None:
    """Ctrl-C, as a user stops it; killed if it has not ended 30 s later."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
