"""Built-in scenarios shipped with the package, one folder each."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _root() -> Path:
    return Path(str(resources.files("materiel.scenario.builtin")))


def names() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.name for p in _root().iterdir() if (p / "scenario.yaml").is_file())


def path(name: str) -> Path:
    """Folder of a built-in scenario."""
    return _root() / name
