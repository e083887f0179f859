"""Fixtures of the server tests (db_url is in tests/conftest.py; helpers in tests/server_kit.py)."""

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
def client(space: Workspace) -> Iterator[TestClient]:
    app = create_app(Settings(db=space.store.db.url, max_body_bytes=1024 * 1024), space.store)
    with TestClient(app) as c:
        yield c
