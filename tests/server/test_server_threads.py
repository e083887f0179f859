"""The threads a server process answers in (``Settings.threads``, ``materiel serve
--threads``): the application's start sets the size of the pool its pages and API calls
run in, and no more than that many run at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from materiel.app import create_app
from materiel.settings import Settings
from materiel.store import open_store


def _limit(client: TestClient) -> float:
    portal = client.portal
    assert portal is not None
    return portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)


@pytest.mark.parametrize("threads", [1, 3])
def test_the_pool_has_the_threads_the_settings_name(tmp_path: Path, threads: int) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'm.db'}")
    app = create_app(Settings(db=store.db.url, run_workers=0, threads=threads), store)
    busy, most, lock = [0], [0], threading.Lock()

    @app.get("/slow")
    def slow() -> dict[str, int]:  # a sync route: it runs in the pool
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(0.5)  # long enough for the six to overlap on a busy machine
        with lock:
            busy[0] -= 1
        return {"ok": 1}

    with TestClient(app) as client:
        assert _limit(client) == threads
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: client.get("/slow").status_code, range(6)))
    assert answers == [200] * 6
    assert most[0] == threads  # six asked at once: never more than the pool at a time
    store.db.dispose()


def test_the_default_is_four_and_nonsense_is_refused() -> None:
    assert (
        Settings.model_fields["threads"].default == 4
    )  # not Settings(): it reads $MATERIEL_THREADS
    for bad in (0, 65, "many"):
        with pytest.raises(ValidationError, match="threads"):
            Settings(threads=bad)
