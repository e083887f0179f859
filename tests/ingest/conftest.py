"""Shared fixtures of the ingest tests."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="session")
def corpus_files() -> list[Path]:
    """The articles of the synthetic corpus (not its README or gold file)."""
    return sorted(p for p in CORPUS.iterdir() if p.name.startswith("a"))


@pytest.fixture(scope="session")
def gazetteer():
    from materiel.ingest.gazetteer import load_gazetteer

    return load_gazetteer()
