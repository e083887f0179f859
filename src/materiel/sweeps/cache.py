"""Results of a sweep kept on disk, one JSON file per combination, named by a hash of
the scenario's digest, the overrides and the simulation settings."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from materiel.errors import InputError

FORMAT = 1


def combination_key(digest: str, overrides: tuple[str, ...], futures: int | None, seed: int) -> str:
    """A hash of what decides a combination's result."""
    text = json.dumps(
        {
            "format": FORMAT,
            "scenario": digest,
            "overrides": list(overrides),
            "simulate": {"futures": futures, "seed": seed} if futures else None,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class Cache:
    """A folder of results; ``None`` folder keeps nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot create the sweep cache {folder}: {exc}") from exc

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent, or cut short by an interruption: computed again
        return data.get("row") if isinstance(data, dict) else None

    def put(self, key: str, overrides: tuple[str, ...], row: dict[str, Any]) -> None:
        if self.folder is None:
            return
        path = self.folder / f"{key}.json"
        partial = path.with_suffix(".part")
        text = json.dumps({"overrides": list(overrides), "row": row}, sort_keys=True)
        try:
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, path)  # whole or absent, even if the sweep is killed
        except OSError as exc:
            raise InputError(f"cannot write the sweep cache {path}: {exc}") from exc


def round_trip(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as it reads back from the cache, so fresh and cached rows are alike."""
    loaded: dict[str, Any] = json.loads(json.dumps(row))
    return loaded
