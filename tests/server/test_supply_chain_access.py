"""Who sees the suppliers and qualifications of a scenario in the shared workspace: the
suppliers like the components; an ally's qualifications (which of another ally's
rounds it may use, and the cost) only by that ally and alliance staff."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.scenario.load import load_scenario
from materiel.store import AccessDenied
from materiel.store.policy import SYSTEM, Principal
from tests.scenario_kit import write_scenario
from tests.server_kit import Workspace, small_tables


def test_suppliers_and_qualifications_by_role(space: Workspace, tmp_path: Path) -> None:
    tables = small_tables()
    tables["items"].append({"code": "ROUND", "name": "Round", "group": "SHELL", "unit_price": 90})
    tables["components"] = [{"code": "MOTOR", "name": "Motor", "supply": 0, "ceiling": 0}]
    tables["bom"] = [{"item": "SHELL", "component": "MOTOR", "quantity": 1}]
    tables["suppliers"] = [
        {"component": "MOTOR", "supplier": "BIG", "country": "CHN", "capacity": 20, "ceiling": 20}
    ]
    tables["qualifications"] = [
        {"ally": ally, "item": "ROUND", "qualified": False, "cost": 50} for ally in ("AAA", "BBB")
    ]
    space.store.import_scenario(
        SYSTEM, load_scenario(write_scenario(tmp_path / "q", tables, name="quals"))
    )

    def rows(who: Principal, table: str) -> list[dict]:
        return [r.data for r in space.store.rows(who, "quals", table)]

    alliance = Principal("alliance", "alliance")
    nation = Principal("nation_AAA", "nation", "AAA")
    industry = Principal("industry", "industry", None, "P")
    viewer = Principal("viewer", "viewer")
    assert sorted(r["ally"] for r in rows(alliance, "qualifications")) == ["AAA", "BBB"]
    assert [r["ally"] for r in rows(nation, "qualifications")] == ["AAA"]
    for who in (industry, viewer):
        with pytest.raises(AccessDenied):
            rows(who, "qualifications")
    for who in (alliance, nation, industry):
        assert [r["supplier"] for r in rows(who, "suppliers")] == ["BIG"]
    with pytest.raises(AccessDenied):
        rows(viewer, "suppliers")


def test_a_restriction_that_changes_nothing_is_told_to_those_who_see_suppliers(
    space: Workspace, tmp_path: Path
) -> None:
    """The warning that no restrictable supplier is in a restricted country tells of the
    suppliers table: alliance staff read it, a viewer (who may not read suppliers) not."""
    tables = small_tables()
    tables["components"] = [{"code": "MOTOR", "name": "Motor", "supply": 0, "ceiling": 0}]
    tables["bom"] = [{"item": "SHELL", "component": "MOTOR", "quantity": 1}]
    tables["suppliers"] = [
        {"component": "MOTOR", "supplier": "BIG", "country": "CHN", "capacity": 20, "ceiling": 20}
    ]
    folder = write_scenario(
        tmp_path / "r", tables, name="restricted", policy={"restrict": {"IND": "2025-06"}}
    )
    space.store.import_scenario(SYSTEM, load_scenario(folder))
    said = "no restrictable supplier is in IND"
    alliance = space.store.validate(Principal("alliance", "alliance"), "restricted")
    assert any(said in w for w in alliance.warnings)
    viewer = space.store.validate(Principal("viewer", "viewer"), "restricted")
    assert viewer.ok and not any(said in w for w in viewer.warnings)
