"""Fixtures shared by the test folders (helpers that are not fixtures live in the kits:
tests/scenario_kit.py, tests/server_kit.py, tests/web_kit.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server_kit import BACKENDS, fresh_pg_database, sqlite_url


@pytest.fixture(
    params=[
        pytest.param(b, marks=pytest.mark.requires_postgres) if b == "postgresql" else b
        for b in BACKENDS
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database on each backend (the PostgreSQL one marked requires_postgres)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    yield from fresh_pg_database()
