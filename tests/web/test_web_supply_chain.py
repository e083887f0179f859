"""The supply-chain page: the register of a plan run, worst first, in words and
figures, for alliance staff; other roles are told they do not see it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from materiel.scenario.load import load_scenario
from materiel.store.policy import SYSTEM
from tests.scenario_kit import write_scenario
from tests.server_kit import Workspace, small_tables
from tests.web_kit import csrf_of, plan_from_page, sign_in


def chain_run(
    client: TestClient, space: Workspace, tmp_path: Path, name: str = "Rocket motor"
) -> int:
    """The small scenario whose shells take one motor each (the component called
    ``name``): BIG (CHN) 16 a month, SMALL (FRA) 4, neither able to grow: the lines' 20 a
    month take all of it, 80 % from BIG."""
    tables: dict[str, Any] = small_tables()
    tables["components"] = [{"code": "MOTOR", "name": name, "supply": 0, "ceiling": 0}]
    tables["bom"] = [{"item": "SHELL", "component": "MOTOR", "quantity": 1}]
    tables["suppliers"] = [
        {"component": "MOTOR", "supplier": "BIG", "country": "CHN", "capacity": 16, "ceiling": 16},
        {"component": "MOTOR", "supplier": "SMALL", "country": "FRA", "capacity": 4, "ceiling": 4},
    ]
    space.store.import_scenario(
        SYSTEM, load_scenario(write_scenario(tmp_path / "chain", tables, name="chain"))
    )
    assert sign_in(client, "alliance").status_code == 303
    run_id = plan_from_page(client, space, "chain")
    return run_id


def test_the_register_in_words_for_alliance_staff_only(
    client: TestClient, space: Workspace, tmp_path: Path
) -> None:
    run_id = chain_run(client, space, tmp_path)
    text = client.get(f"/supply-chain?run={run_id}").text
    assert "Rocket motor: 2 suppliers, 80 % from one (BIG), 80 % from non-allied countries" in text
    assert "(not allied)" in text  # BIG's country
    client.post("/sign-out", data={"csrf": csrf_of(text)})
    assert sign_in(client, "nation_AAA").status_code == 303
    shown = client.get(f"/supply-chain?run={run_id}").text
    assert "does not see the supply-chain register" in shown
    assert "BIG" not in shown


def test_a_hostile_component_name_is_escaped_and_an_unknown_run_is_404(
    client: TestClient, space: Workspace, tmp_path: Path
) -> None:
    hostile = "<script>alert(1)</script>"
    run_id = chain_run(client, space, tmp_path, name=hostile)
    text = client.get(f"/supply-chain?run={run_id}").text
    assert hostile not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: 2 suppliers, 80 % from one (BIG)" in text
    missing = client.get(f"/supply-chain?run={run_id + 1000}")
    assert missing.status_code == 404 and "Traceback" not in missing.text
    assert client.get("/supply-chain?run=abc").status_code == 422
