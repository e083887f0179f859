"""Sign-in attempts counted in the store (:meth:`materiel.store.Store.count_attempt`): a
sliding window per key by the database's clock, one attempt at a time however many
processes ask, old attempts deleted. The servers that share it: test_server_processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from materiel.store import Store, open_store
from materiel.store.attempt_ops import attempt_key
from materiel.store.models import SignInAttemptRecord

NAME = "name|10.0.0.1|viewer"
CLIENT = "client|10.0.0.1"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = open_store(db_url)
    yield store
    store.db.dispose()


def _stored(store: Store) -> list[str]:
    with store.tx() as s:
        return list(s.scalars(select(SignInAttemptRecord.key).order_by(SignInAttemptRecord.id)))


def test_attempts_slide_out_of_the_window_and_are_deleted(store: Store) -> None:
    window = 0.5
    assert store.count_attempt([(NAME, 2)], window) is None
    assert store.count_attempt([(NAME, 2)], window) is None
    wait = store.count_attempt([(NAME, 2)], window)
    assert wait is not None and 0 < wait <= window
    assert store.count_attempt([(CLIENT, 2)], window) is None  # another key has room
    assert _stored(store) == [attempt_key(k) for k in (NAME, NAME, CLIENT)]
    assert not any("viewer" in key for key in _stored(store))  # only hashes are kept
    time.sleep(window + 0.05)
    assert store.count_attempt([(NAME, 2)], window) is None
    assert _stored(store) == [attempt_key(NAME)]  # the three older ones are gone


def test_a_refused_attempt_counts_against_no_key(store: Store) -> None:
    assert store.count_attempt([(NAME, 1), (CLIENT, 5)], 60) is None
    wait = store.count_attempt([(NAME, 1), (CLIENT, 5)], 60)
    assert wait is not None and 59 < wait <= 60
    assert _stored(store) == [attempt_key(NAME), attempt_key(CLIENT)]


def test_attempts_at_the_same_moment_get_exactly_the_limit(store: Store) -> None:
    """Eight attempts at once, on eight connections, at a limit of three."""
    start = threading.Barrier(8)
    answers: list[float | None] = []

    def attempt() -> None:
        start.wait()
        answers.append(store.count_attempt([(NAME, 3)], 60))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers.count(None) == 3
    assert all(59 < wait <= 60 for wait in answers if wait is not None)
    with store.tx() as s:
        assert s.scalar(select(func.count()).select_from(SignInAttemptRecord)) == 3
