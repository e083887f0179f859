"""Fixtures of the web app's tests: the small workspace and a client of the whole app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.settings import Settings
from tests.server_kit import Workspace, make_workspace


@pytest.fixture
def space(db_url: str, tmp_path: Path) -> Iterator[Workspace]:
    space = make_workspace(db_url, tmp_path)
    yield space
    space.store.db.dispose()


@pytest.fixture
def app(space: Workspace):  # type: ignore[no-untyped-def]
    return create_app(Settings(db=space.store.db.url), space.store)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def idle_client(space: Workspace) -> Iterator[TestClient]:
    """A client of an app that starts no run worker: runs queued in a test stay queued."""
    settings = Settings(db=space.store.db.url, run_workers=0)
    with TestClient(create_app(settings, space.store)) as c:
        yield c
