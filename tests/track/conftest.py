"""Fixtures of the tracker tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def ledger_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ledger file in a temporary folder, also set as MATERIEL_LEDGER."""
    path = tmp_path / "data" / "pledges.json"
    monkeypatch.setenv("MATERIEL_LEDGER", str(path))
    return path
