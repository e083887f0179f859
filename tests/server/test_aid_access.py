"""Who sees a scenario's requirements in the shared workspace: alliance staff only
(docs/workspace.md). A nation analyst knows its own gifts from its own stock; with a
requirement met in full, the requirement less its own gift is what the other donors
gave, the one donor's gift where only two stock the item."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.scenario.load import load_scenario
from materiel.store import AccessDenied
from materiel.store.policy import SYSTEM, Principal
from tests.scenario_kit import write_scenario
from tests.server_kit import Workspace, small_tables


def test_requirements_are_for_alliance_staff_only(space: Workspace, tmp_path: Path) -> None:
    tables = small_tables()
    tables["requirements"] = [
        {"recipient": "UKR", "item": "SHELL", "start": "2025-01", "end": "2025-06", "per_month": 7}
    ]
    folder = write_scenario(tmp_path / "r", tables, name="reqs")
    space.store.import_scenario(SYSTEM, load_scenario(folder))

    def rows(who: Principal) -> list[dict]:
        return [r.data for r in space.store.rows(who, "reqs", "requirements")]

    for who in (Principal("admin", "admin"), Principal("alliance", "alliance")):
        assert [r["per_month"] for r in rows(who)] == [7]
    for who in (
        Principal("nation_AAA", "nation", "AAA"),
        Principal("industry", "industry", None, "P"),
        Principal("viewer", "viewer"),
    ):
        with pytest.raises(AccessDenied):
            rows(who)
