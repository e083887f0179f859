"""Expansions paid by their users (policy.expansion_funding: users) through the
workspace: a nation analyst's own spending less its own contracts is its share of a
line's cost, so the cost, with two payers, would give the other's requirement
(store.funding). Everything served to the analyst is read, as test_attacker does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.app import create_app
from materiel.scenario import load_scenario
from materiel.settings import Settings
from materiel.store import SYSTEM, Principal, open_store
from materiel.store.disclosure import Rule
from tests.scenario_kit import write_scenario
from tests.server.test_attacker import API, _everything, _rows
from tests.server_kit import PASSWORD, wait_for_run

LINE = {
    "id": "L1",
    "item": "HE",
    "producer": "PAAA",
    "host": "AAA",
    "capacity": 1000,
    "ceiling": 9000,
    "lead_time": 2,
    "expansion_cost": 777,
}


def _tables(targets: dict[str, float]) -> dict[str, list[dict[str, Any]]]:
    allies = [{"code": a, "name": f"Ally {a}"} for a in targets]
    return {
        "allies": allies,
        "items": [{"code": "HE", "name": "Shell", "unit_price": 100}],
        "lines": [LINE],
        "stockpiles": [
            {"ally": a, "item": "HE", "initial": 0, "target": t, "target_date": "2025-12"}
            for a, t in targets.items()
        ],
        "budgets": [{"ally": a, "year": 2025, "amount": 1e9} for a in targets],
    }


def _serve(db_url: str, folder: Path, targets: dict[str, float]) -> dict[str, Any]:
    """What AAA's analyst is served of a plan run, and the plan as admins see it."""
    store = open_store(db_url)
    try:
        store.rule = Rule()
        policy = {"industry_rule_months": 0, "expansion_funding": "users"}
        written = write_scenario(folder, _tables(targets), name="six", policy=policy)
        store.import_scenario(SYSTEM, load_scenario(written))
        tokens = {}
        for user, fields in {
            "admin": {"role": "admin"},
            "me": {"role": "nation", "ally": "AAA"},
        }.items():
            made = store.create_user(SYSTEM, user, password=PASSWORD, **fields)
            who = Principal(user, fields["role"], fields.get("ally"), None, made["id"])
            tokens[user] = {"Authorization": f"Bearer {store.create_token(who, 't', 1)['token']}"}
        with TestClient(create_app(Settings(db=db_url), store)) as client:
            run = client.post(f"{API}/scenarios/six/runs", headers=tokens["admin"]).json()
            assert wait_for_run(client, tokens["admin"], run["id"])["status"] == "done"
            url = f"/runs/{run['id']}/tables"
            full = _rows(client, tokens["admin"], f"{url}/capacity")
            mine = {
                t: _rows(client, tokens["me"], f"{url}/{t}")
                for t in ("capacity", "spending", "contracts")
            }
            texts = _everything(client, tokens["me"], run["id"])
    finally:
        store.db.dispose()
    end = max(float(r["capacity"]) for r in full if r["line"] == "L1")
    return {"end": end, "texts": texts, **mine}


def _paid(seen: dict[str, Any]) -> float:
    """AAA's spending less its contracts: its share of L1's cost."""
    spent = sum(
        float(r["new_orders_and_expansion"]) for r in seen["spending"] if r.get("ally") == "AAA"
    )
    bought = sum(float(r["value"]) for r in seen["contracts"] if r.get("buyers") == "AAA")
    return spent - bought


def test_with_two_payers_the_cost_of_an_expansion_is_not_served(
    db_url: str, tmp_path: Path
) -> None:
    # AAA needs 3,889 shells, BBB 4,600: L1 grows (not to its ceiling), paid 3,889 :
    # 4,600; AAA's own part is in its spending, BBB's 4,600 would follow from the cost
    seen = _serve(db_url, tmp_path / "two", {"AAA": 3889, "BBB": 4600})
    end, paid = seen["end"], _paid(seen)
    assert 1000 < end < 9000 and paid > 0
    cost = (end - 1000) * 777
    assert abs(3889 * cost / paid - 3889 - 4600) < 1  # what the cost would give
    grown = [r for r in seen["capacity"] if r["line"] == "L1" and r["capacity"] is not None]
    assert grown and max(float(r["capacity"]) for r in grown) == pytest.approx(1000)
    assert any("Line L1: the capacity it adds from 2025-" in t for t in seen["texts"])
    # nor the end, the capacity added or the cost in anything served of the run's lines
    # (the tracker's figures, which never name L1, have round numbers of their own)
    for text in (t for t in seen["texts"] if "L1" in t):
        for figure in (end, end - 1000, cost):
            assert not re.search(rf"\b{round(figure)}\b|{round(figure):,}|{figure:.6g}", text)


def test_with_four_payers_of_similar_size_the_cost_is_served(db_url: str, tmp_path: Path) -> None:
    targets = {"AAA": 3000, "BBB": 3200, "CCC": 2900, "DDD": 3100}
    seen = _serve(db_url, tmp_path / "four", targets)
    shown = max(float(r["capacity"]) for r in seen["capacity"] if r["line"] == "L1")
    assert shown == pytest.approx(seen["end"]) and shown > 1000
    # the cost gives the payers' total requirement, a total the rule allows
    total = 3000 * (shown - 1000) * 777 / _paid(seen)
    assert total == pytest.approx(12200, rel=1e-3)


def test_a_line_its_only_user_pays_is_served(db_url: str, tmp_path: Path) -> None:
    # one payer of the whole expansion: its share (all of it) says nothing of anyone's
    # requirement, so nothing is hidden (a cell of one would fail the rule)
    seen = _serve(db_url, tmp_path / "one", {"AAA": 3889})
    shown = max(float(r["capacity"]) for r in seen["capacity"] if r["line"] == "L1")
    assert shown == pytest.approx(seen["end"]) and shown > 1000


def _cells(kind: str, name: str, shares: dict[str, float], groups: str = "") -> list[dict]:
    return [
        {"kind": kind, "name": name, "ally": a, "share": v, "groups": groups}
        for a, v in shares.items()
    ]


def test_a_component_is_hidden_where_a_group_it_goes_into_fails_the_rule() -> None:
    from materiel.store.funding import hidden_expansions

    # four allies stock G1 alike (its line L1 passes); only AAA and BBB stock G2 (its
    # line L2 fails). C1 goes into both: its cell of four passes, but its cost less
    # G1's share (L1's cost gives G1's total) would give G2's total of two allies
    even = dict.fromkeys(("AAA", "BBB", "CCC", "DDD"), 0.25)
    mixed = {"AAA": 0.3, "BBB": 0.3, "CCC": 0.2, "DDD": 0.2}
    cells = [
        *_cells("line", "L1", even, "G1:1"),
        *_cells("group", "G1", even),
        *_cells("line", "L2", {"AAA": 0.4, "BBB": 0.6}, "G2:1"),
        *_cells("group", "G2", {"AAA": 0.4, "BBB": 0.6}),
        *_cells("component", "C1", mixed, "G1:1.0;G2:2.0"),
        *_cells("component", "C2", even, "G1:3.0"),
    ]
    assert hidden_expansions(Rule(), cells) == ({"L2"}, {"C1"})
    # without L1's and C2's costs, C1's gives G1's total plus twice G2's, a total of
    # four allies that passes: shown
    alone = [c for c in cells if c["name"] not in ("L1", "C2")]
    assert hidden_expansions(Rule(), alone) == ({"L2"}, set())
