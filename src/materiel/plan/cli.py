"""Commands of this package (filled in by the planning-core work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this package's commands to the ``materiel`` app."""
