"""``materiel serve`` started as a user starts it: a real process on a free loopback
port, answering HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.serve_kit import MATERIEL, start_serve, stop_serve


def _get(url: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for _ in range(50):
        try:
            return httpx.get(url, headers=headers, timeout=10)
        except httpx.ConnectError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


@pytest.mark.slow
def test_serve_with_the_default_sqlite_file(tmp_path: Path) -> None:
    process, said = start_serve([], tmp_path)
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
        stop_serve(process)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    # a second start keeps the store: nato-2024 is not loaded twice, a new token works
    process, again = start_serve([], tmp_path)
    try:
        assert again["token"] != said["token"]
        listed = _get(f"{again['address']}/api/v1/scenarios", again["token"])
        assert listed.json()["total"] == 1
    finally:
        stop_serve(process)


@pytest.mark.slow
def test_serve_on_the_given_database(db_url: str, tmp_path: Path) -> None:
    process, said = start_serve(["--db", db_url], tmp_path)
    try:
        got = _get(
            f"{said['address']}/api/v1/scenarios/nato-2024/tables/allies?limit=5", said["token"]
        )
        assert got.status_code == 200 and got.json()["total"] == 32
    finally:
        stop_serve(process)


@pytest.mark.slow
def test_a_server_without_workers_and_two_materiel_workers_plan_ten_runs(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a deployment runs it: `materiel serve --run-workers 0` queues the runs, two
    `materiel worker` processes (the real command and planner) plan them all."""
    from materiel.store import SYSTEM, open_store
    from tests.server_kit import make_workspace

    make_workspace(db_url, tmp_path).store.db.dispose()  # the small scenario, stored
    monkeypatch.setenv("MATERIEL_RUN_LIMIT", "20")
    server, said = start_serve(["--db", db_url, "--run-workers", "0"], tmp_path)
    workers = [
        subprocess.Popen(
            [*MATERIEL, "worker", "--db", db_url, "--name", name],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    store = open_store(db_url)
    try:
        headers = {"Authorization": f"Bearer {said['token']}"}
        ids = []
        for _ in range(10):
            run = httpx.post(
                f"{said['address']}/api/v1/scenarios/small/runs", headers=headers, timeout=30
            )
            assert run.status_code == 202, run.text
            ids.append(run.json()["id"])
        deadline = time.monotonic() + 600
        while any(store.run_status(i) in ("queued", "running") for i in ids):
            assert time.monotonic() < deadline, "the runs did not end"
            time.sleep(0.5)
        assert [store.run_status(i) for i in ids] == ["done"] * 10
        assert {store.run_worker(i) for i in ids} == {"w1", "w2"}  # the server took none
        assert all(store.run(SYSTEM, i).tables for i in ids)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=60) == 0, worker.stderr.read() if worker.stderr else ""
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        stop_serve(server)
        store.db.dispose()


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


def _big_payload() -> dict[str, object]:
    """A scenario of about 30,000 rows, sent whole to POST /scenarios."""
    codes = [a + b + c for a in "ABCDEFGH" for b in "ABCDEFGHIJ" for c in "AB"][:100]
    return {
        "meta": {"name": "big", "start": "2025-01", "horizon": 12},
        "tables": {
            "allies": [{"code": c, "name": f"Ally {c}"} for c in codes],
            "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
            "lines": [
                {
                    "id": "L1",
                    "item": "SHELL",
                    "producer": "P",
                    "host": codes[0],
                    "capacity": 10,
                    "ceiling": 10,
                    "lead_time": 3,
                }
            ],
            "stockpiles": [
                {
                    "ally": codes[0],
                    "item": "SHELL",
                    "initial": 0,
                    "target": 5,
                    "target_date": "2025-06",
                }
            ],
            "budgets": [
                {"ally": c, "year": y, "amount": 1} for c in codes for y in range(1901, 2201)
            ],
        },
    }


def _writing(db_url: str) -> bool:
    """Whether another connection holds a write transaction open on the store."""
    import sqlite3

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            busy = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                )
            ).scalar()
        return bool(busy)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_server_killed_during_an_import_leaves_the_store_as_it_was(
    db_url: str, tmp_path: Path
) -> None:
    import threading

    from materiel.store.policy import SYSTEM
    from materiel.store.repo import open_store

    process, said = start_serve(["--db", db_url], tmp_path)
    store = open_store(db_url)
    before = store.export(SYSTEM, "nato-2024")
    audit = store.audit_log(SYSTEM, 0, 1)["total"]
    answers: list[object] = []

    def upload() -> None:
        try:
            answers.append(
                httpx.post(
                    f"{said['address']}/api/v1/scenarios",
                    json=_big_payload(),
                    headers={"Authorization": f"Bearer {said['token']}"},
                    timeout=120,
                )
            )
        except httpx.HTTPError as exc:
            answers.append(exc)

    sender = threading.Thread(target=upload)
    sender.start()
    try:
        deadline = time.monotonic() + 90
        while not _writing(db_url):
            assert time.monotonic() < deadline and process.poll() is None, "no import seen"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)  # in the middle of the import's transaction
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        sender.join(timeout=60)
    assert answers and isinstance(answers[0], httpx.HTTPError)  # no answer: it was killed
    store.db.dispose()
    store = open_store(db_url)
    assert [s["name"] for s in store.list_scenarios(SYSTEM)] == ["nato-2024"]
    assert store.export(SYSTEM, "nato-2024") == before
    assert store.audit_log(SYSTEM, 0, 1)["total"] == audit
    store.db.dispose()
    again, said = start_serve(["--db", db_url], tmp_path)  # and the server starts again on it
    try:
        listed = _get(f"{said['address']}/api/v1/scenarios", said["token"]).json()
        assert [s["name"] for s in listed["items"]] == ["nato-2024"]
    finally:
        stop_serve(again)
