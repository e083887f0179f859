"""The disclosure rule (materiel.store.disclosure) by hand, and as the policy applies it to
tables: totals by group, pooled contracts cut to the viewer's part."""

from __future__ import annotations

import pytest

from materiel.store.disclosure import Rule, cells, secondary
from materiel.store.policy import RULES, TOTAL_KEY, Policy, Principal

RULE = Rule(min_contributors=3, p=0.10)
POL = Principal("pol", "nation", ally="POL")


@pytest.mark.parametrize(
    ("contributions", "sensitive"),
    [
        ({"A": 10, "B": 10}, True),  # two contributors: below the threshold of 3
        ({"A": 10, "B": 10, "C": 10}, False),
        ({"A": 10, "B": 10, "C": 10, "D": 0}, False),
        ({"A": 10, "B": 10, "D": 0}, True),  # an ally with zero is no contributor
        # the IRIS-T: DEU 247 of 283; the others after the two largest (20) add
        # 16, under 10 % of 247 (24.7): the second largest would know DEU's within 16
        ({"DEU": 247, "POL": 20, "FRA": 16}, True),
        ({"DEU": 247, "POL": 20, "FRA": 16, "ITA": 9}, False),  # 25 >= 24.7
        ({"DEU": 247, "POL": 20, "FRA": 16, "ITA": 8}, True),  # 24 < 24.7
    ],
)
def test_threshold_and_p_percent_rule_by_hand(
    contributions: dict[str, float], sensitive: bool
) -> None:
    assert RULE.sensitive(contributions) is sensitive


def test_rule_refuses_nonsense_parameters() -> None:
    with pytest.raises(ValueError, match="min_contributors"):
        Rule(min_contributors=0)
    with pytest.raises(ValueError, match="p must be"):
        Rule(p=1.5)


def test_secondary_suppression_hides_the_smallest_sibling_by_hand() -> None:
    """Line L: K1 (A, B, C: shown), K2 (D alone: hidden), K3 (E, F, G: 90 in all, the
    smallest shown). L minus K1 would give K2, so K3 is hidden too; K2 + K3 passes
    (D 50, E/F/G 30 each: 60 after the two largest >= 5), so L and K1 stay shown."""
    rows = [
        {"id": "K1", "line": "L", "quantity": 300.0, "own": {"A": 1 / 3, "B": 1 / 3, "C": 1 / 3}},
        {"id": "K2", "line": "L", "quantity": 50.0, "own": {"D": 1.0}},
        {"id": "K3", "line": "L", "quantity": 90.0, "own": {"E": 1 / 3, "F": 1 / 3, "G": 1 / 3}},
    ]
    parents = cells(rows, lambda r: (r["line"],), lambda r: r["own"], ["quantity"])
    children = {
        (r["id"],): (
            (r["line"],),
            cells([r], lambda r: (r["id"],), lambda r: r["own"], ["quantity"])[(r["id"],)],
        )
        for r in rows
    }
    parents_ok, children_ok = secondary(RULE, parents, children, "quantity")
    assert parents_ok == {("L",)}
    assert children_ok == {("K1",)}


def test_a_parent_whose_hidden_children_cannot_be_covered_is_hidden() -> None:
    """Line M: K1 (A alone) and K2 (B alone), both hidden; their union has two
    contributors, so the line's total is hidden too."""
    rows = [
        {"id": "K1", "line": "M", "quantity": 5.0, "own": {"A": 1.0}},
        {"id": "K2", "line": "M", "quantity": 7.0, "own": {"B": 1.0}},
    ]
    parents = cells(rows, lambda r: (r["line"],), lambda r: r["own"], ["quantity"])
    children = {
        (r["id"],): (
            (r["line"],),
            cells([r], lambda r: (r["id"],), lambda r: r["own"], ["quantity"])[(r["id"],)],
        )
        for r in rows
    }
    assert secondary(RULE, parents, children, "quantity") == (set(), set())


def _stock(ally: str, item: str, initial: float) -> dict[str, object]:
    return {"ally": ally, "item": item, "initial": initial, "target": initial * 2}


def test_stockpile_totals_are_by_group_so_no_item_is_differenced_out() -> None:
    """The USA alone holds HE155_US; five allies hold HE155_EU. Totals by item would show
    HE155_EU and hide HE155_US, and the plan's 155mm total minus HE155_EU would give the
    USA's row. By group there is one total (155mm), never an item's."""
    groups = {"HE155_US": "155mm", "HE155_EU": "155mm"}
    rows = [_stock("USA", "HE155_US", 922_746)] + [
        _stock(a, "HE155_EU", v)
        for a, v in (("POL", 100_000), ("DEU", 200_000), ("FRA", 150_000), ("ITA", 120_000))
    ]
    seen = Policy(POL, RULE).rows("stockpiles", rows, groups=groups)
    totals = [r for r in seen if r.get(TOTAL_KEY)]
    assert [(t["group"], t["initial"]) for t in totals] == [("155mm", 1_492_746.0)]
    assert [r["ally"] for r in seen if not r.get(TOTAL_KEY)] == ["POL"]


def test_a_dominated_total_is_hidden_and_the_others_stay() -> None:
    rows = [
        {"ally": "DEU", "item": "IRIST", "initial": 247.0, "target": 600.0},
        {"ally": "POL", "item": "IRIST", "initial": 20.0, "target": 100.0},
        {"ally": "FRA", "item": "IRIST", "initial": 16.0, "target": 100.0},
    ]
    seen = Policy(POL, RULE).rows("stockpiles", rows, groups={})
    (total,) = [r for r in seen if r.get(TOTAL_KEY)]
    # initial: 16 after the two largest < 24.7: hidden; target: 100 >= 60: shown
    assert total["initial"] is None and total["target"] == 800.0


def test_a_co_buyer_sees_its_own_part_of_a_pooled_contract_only() -> None:
    row = {
        "contract": "K185",
        "buyers": "GBR;DEU;POL",
        "shares": "GBR:0.7;DEU:0.26;POL:0.04",
        "line": "L",
        "item": "X",
        "rate": 1000.0,
        "quantity": 700_000.0,
        "value": 7_000_000.0,
        "pooled_only": "POL;DEU",
    }
    seen = Policy(POL, RULE).rows("plan.contracts", [row])
    (mine,) = [r for r in seen if not r.get(TOTAL_KEY)]
    assert mine["quantity"] == pytest.approx(28_000.0) and mine["value"] == pytest.approx(280_000)
    assert mine["rate"] == pytest.approx(40.0)
    assert mine["buyers"] == "POL" and mine["shares"] == "POL:0.0400" and mine["other_buyers"] == 2
    assert mine["pooled_only"] == "POL"
    # three buyers, but GBR holds 70 %: after the two largest, POL's 4 % is under 10 %
    # of 70 % (DEU would know GBR's part within 4 %): neither the whole nor the line's
    # total (the same buyers) is shown
    assert mine["contract_quantity"] is None and len(seen) == 1
    assert "DEU" not in str(seen) and "GBR" not in str(seen)


def test_a_co_buyer_sees_the_whole_contract_where_the_rule_allows() -> None:
    row = {
        "contract": "K2",
        "buyers": "GBR;DEU;POL;FRA",
        "shares": "GBR:0.3;DEU:0.3;POL:0.2;FRA:0.2",
        "line": "L",
        "item": "X",
        "quantity": 1000.0,
        "value": 10_000.0,
    }
    (mine, total) = Policy(POL, RULE).rows("plan.contracts", [row])
    assert mine["quantity"] == pytest.approx(200.0) and mine["contract_quantity"] == 1000.0
    assert total[TOTAL_KEY] and total["quantity"] == 1000.0


def test_scenario_contract_shares_in_buyer_order_are_read() -> None:
    row = {"id": "C", "buyers": "DEU;POL;FRA", "shares": "0.5;0.3;0.2", "line": "L"}
    assert RULES["contracts"].owners(row) == {"DEU": 0.5, "POL": 0.3, "FRA": 0.2}
    assert RULES["contracts"].owners({**row, "shares": ""}) == pytest.approx(
        {"DEU": 1 / 3, "POL": 1 / 3, "FRA": 1 / 3}
    )


def test_alliance_staff_see_rows_whole() -> None:
    row = {"contract": "K", "buyers": "GBR;POL", "shares": "GBR:0.5;POL:0.5", "quantity": 10.0}
    assert Policy(Principal("a", "alliance"), RULE).rows("plan.contracts", [row]) == [row]
