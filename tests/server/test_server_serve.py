"""``materiel serve`` started as a user starts it: a real process on a free loopback
port, answering HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

MATERIEL = [sys.executable, "-m", "materiel.cli"]


def _start(args: list[str], home: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
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


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()


def _get(url: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for _ in range(50):
        try:
            return httpx.get(url, headers=headers, timeout=10)
        except httpx.ConnectError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


def test_serve_with_the_default_sqlite_file(tmp_path: Path) -> None:
    process, said = _start([], tmp_path)
    try:
        assert said["store"] == str(tmp_path / "data" / "materiel" / "materiel.db")
        assert Path(said["store"]).is_file()
        listed = _get(f"{said['address']}/api/v1/scenarios", said["token"])
        assert listed.status_code == 200
        assert [s["name"] for s in listed.json()["items"]] == ["nato-2024"]
        assert _get(f"{said['address']}/api/v1/scenarios").status_code == 401
        schema = _get(f"{said['address']}/openapi.json")
        assert (
            schema.status_code == 200 and "/api/v1/scenarios/{name}/runs" in schema.json()["paths"]
        )
    finally:
        _stop(process)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    # a second start keeps the store: nato-2024 is not loaded twice, a new token works
    process, again = _start([], tmp_path)
    try:
        assert again["token"] != said["token"]
        listed = _get(f"{again['address']}/api/v1/scenarios", again["token"])
        assert listed.json()["total"] == 1
    finally:
        _stop(process)


def test_serve_on_the_given_database(db_url: str, tmp_path: Path) -> None:
    process, said = _start(["--db", db_url], tmp_path)
    try:
        got = _get(
            f"{said['address']}/api/v1/scenarios/nato-2024/tables/allies?limit=5", said["token"]
        )
        assert got.status_code == 200 and got.json()["total"] == 32
    finally:
        _stop(process)


def test_serve_refuses_a_bad_database_url_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    got = subprocess.run(
        [*MATERIEL, "serve", "--db", "mysql://nobody@127.0.0.1/x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert got.returncode == 2 and "unsupported database" in got.stderr
    assert "Traceback" not in got.stderr


@pytest.mark.parametrize("port", ["70000"])
def test_serve_refuses_a_bad_port(port: str, tmp_path: Path) -> None:
    got = subprocess.run(
        [*MATERIEL, "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert got.returncode == 2 and "Traceback" not in got.stderr
