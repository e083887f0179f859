"""The disclosure rule (materiel.store.disclosure) by hand, and as the policy applies it to
tables: totals by group, pooled contracts cut to the viewer's part."""

from __future__ import annotations

from typing import Any

import pytest

from materiel.store.disclosure import Memo, Rule, cells, secondary
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


def _lines_and_contracts(rows: list[dict[str, Any]]) -> tuple[Any, Any]:
    """Cells of lines, and each contract as a cell nested in its line's."""
    parents = cells(rows, lambda r: (r["line"],), lambda r: r["own"], ["quantity"])
    children = {
        (r["id"],): (
            (r["line"],),
            cells([r], lambda r: (r["id"],), lambda r: r["own"], ["quantity"])[(r["id"],)],
        )
        for r in rows
    }
    return parents, children


def test_secondary_suppression_hides_the_smallest_sibling_by_hand() -> None:
    """Line L: K1 (A, B, C: shown), K2 (D alone: hidden), K3 (E, F, G: 90 in all, the
    smallest shown). L minus K1 would give K2, so K3 is hidden too; K2 + K3 passes
    (D 50, E/F/G 30 each: 60 after the two largest >= 5), so L and K1 stay shown."""
    rows = [
        {"id": "K1", "line": "L", "quantity": 300.0, "own": {"A": 1 / 3, "B": 1 / 3, "C": 1 / 3}},
        {"id": "K2", "line": "L", "quantity": 50.0, "own": {"D": 1.0}},
        {"id": "K3", "line": "L", "quantity": 90.0, "own": {"E": 1 / 3, "F": 1 / 3, "G": 1 / 3}},
    ]
    parents, children = _lines_and_contracts(rows)
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
    parents, children = _lines_and_contracts(rows)
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
    # its share and its part would give the whole: no share where the whole is hidden
    assert mine["buyers"] == "POL" and mine["shares"] is None and mine["other_buyers"] == 2
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
    assert mine["shares"] == "POL:0.2000"
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


def test_the_rules_decisions_on_a_run_table_are_kept_for_every_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A finished run's tables never change and the decisions do not depend on who asks:
    the rule runs once per table and rule, and two nation analysts read the same totals."""
    from materiel.store import disclosure, policy

    calls = []
    real = policy.disclosure_of

    def counted(*args: object) -> object:
        calls.append(args[1])
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(policy, "disclosure_of", counted)
    memo = disclosure.Memo()
    rows = [_stock(a, "X", v) for a, v in (("POL", 10.0), ("DEU", 11.0), ("FRA", 12.0))]
    pol = Policy(POL, RULE, memo).rows("plan.stock", rows, memo_key=("run", 1))
    deu = Policy(Principal("d", "nation", ally="DEU"), RULE, memo)
    seen = deu.rows("plan.stock", rows, memo_key=("run", 1))
    assert len(calls) == 1
    assert [r for r in pol if r.get(TOTAL_KEY)] == [r for r in seen if r.get(TOTAL_KEY)]
    Policy(POL, Rule(min_contributors=4), memo).rows("plan.stock", rows, memo_key=("run", 1))
    Policy(POL, RULE, memo).rows("plan.stock", rows, memo_key=("run", 2))
    assert len(calls) == 3  # another rule, another run: decided again


def test_a_weighed_memo_keeps_what_fits_and_drops_the_least_recently_used() -> None:
    """Tables of 4, 3 and 2 rows in a memo of 8 rows: the third drops the first (4 + 3 +
    2 > 8); a read moves a table to the back; a table larger than the memo is not kept
    and drops none."""
    memo = Memo(size=8, weigh=len)
    made: list[str] = []

    def table(name: str, rows: int) -> list[int]:
        return memo.get(name, lambda: made.append(name) or list(range(rows)))  # type: ignore[func-returns-value]

    table("a", 4), table("b", 3)
    assert memo.held == 7
    table("b", 3)  # kept: not made again, and now the most recent
    table("c", 2)  # 9 > 8: "a", the least recently used, goes
    assert made == ["a", "b", "c"] and memo.held == 5
    table("b", 3), table("a", 4)  # "a" made again; 9 > 8: "c" goes, "b" was read after it
    assert made == ["a", "b", "c", "a"] and memo.held == 7
    table("c", 2)
    assert made[-1] == "c" and memo.held == 6  # "b" went
    table("huge", 20), table("huge", 20)
    assert made[-2:] == ["huge", "huge"] and memo.held == 6  # "a" and "c" stay
    table("a", 4), table("c", 2)
    assert made[-1] == "huge"
    unkept = Memo(size=0)  # a policy's own memo: keeps nothing
    assert unkept.get("k", lambda: 1) == 1 and unkept.held == 0


def test_a_total_is_hidden_with_any_of_its_parts() -> None:
    """Spending ``total`` is new orders plus existing contracts. Only AAA and BBB have
    existing contracts (two: hidden); shown, the total less new orders would give them,
    and AAA knows its own 10, so BBB's 50. New orders (four allies) stay."""
    rows = [
        {
            "ally": a,
            "year": 2025,
            "new_orders_and_expansion": n,
            "existing_contracts": e,
            "budget": 1000.0,
            "total": n + e,
        }
        for a, n, e in (
            ("AAA", 100.0, 10.0),
            ("BBB", 120.0, 50.0),
            ("CCC", 110.0, 0.0),
            ("DDD", 90.0, 0.0),
        )
    ]
    (total,) = [
        r
        for r in Policy(Principal("a", "nation", ally="AAA"), RULE).rows("plan.spending", rows)
        if r.get(TOTAL_KEY)
    ]
    assert total["existing_contracts"] is None and total["total"] is None
    assert total["new_orders_and_expansion"] == 420.0 and total["budget"] == 4000.0


def test_a_shortfall_hidden_hides_the_stock_at_the_date() -> None:
    """Shortfall = target - stock at the date for each ally short of it, and the target
    total is the scenario's: if only the shortfall were hidden, the stock at the date
    would give it. The plan's targets show no initial stock or target total (the
    scenario's, which move only when enough allies' figures change)."""
    rows = [
        {
            "ally": a,
            "group": "G",
            "initial": 50.0,
            "target": t,
            "stock_at_date": st,
            "shortfall_at_date": max(t - st, 0.0),
        }
        for a, t, st in (
            ("AAA", 100.0, 90.0),
            ("BBB", 100.0, 60.0),
            ("CCC", 100.0, 120.0),
            ("DDD", 100.0, 130.0),
        )
    ]
    policy = Policy(Principal("a", "nation", ally="AAA"), RULE)
    # two allies short (AAA 10, BBB 40): the shortfall is hidden, and with it the stock
    assert [r for r in policy.rows("plan.targets", rows) if r.get(TOTAL_KEY)] == []
    for r in rows[2:]:  # CCC and DDD short too: four contributors, none dominant
        r["stock_at_date"], r["shortfall_at_date"] = 70.0, 30.0
    (total,) = [r for r in policy.rows("plan.targets", rows) if r.get(TOTAL_KEY)]
    assert total["shortfall_at_date"] == 110.0 and total["stock_at_date"] == 290.0
    assert "initial" not in total and "target" not in total


def test_stock_is_hidden_until_the_deliveries_since_come_from_enough_allies() -> None:
    """Group G: four allies hold stock. Month 0: only BBB receives (1 ally: hidden, its
    delivery would be the change from the initial stock); month 1: CCC and DDD receive
    too (3 allies since month -1: shown); month 2: nothing arrives (shown)."""
    from materiel.store.policy import RULES as TABLE_RULES
    from materiel.store.policy import disclosure_of, stock_over_time

    stock = [
        {"ally": a, "group": "G", "month": m, "stock": 100.0 + m}
        for a in ("AAA", "BBB", "CCC", "DDD")
        for m in range(3)
    ]
    deliveries = [
        {"line": "L", "ally": a, "month": m, "made": m, "group": "G", "quantity": 5.0}
        for a, m in (("BBB", 0), ("CCC", 1), ("DDD", 1))
    ]
    shown = disclosure_of(RULE, TABLE_RULES["plan.stock"], stock)
    stock_over_time(RULE, shown, deliveries, [])
    assert shown.totals_ok["stock"] == {("G", 1), ("G", 2)}


def test_a_hidden_initial_total_hides_the_months_that_would_give_it() -> None:
    """DEU holds 247 of 283 missiles (hidden by the p% rule). Month 0 adds nothing that
    is hidden, so month 0's stock total less the deliveries shown would be the initial
    total: hidden until what is added since dilutes DEU's share."""
    from materiel.store.policy import RULES as TABLE_RULES
    from materiel.store.policy import disclosure_of, stock_over_time

    initial = {"DEU": 247.0, "POL": 20.0, "FRA": 16.0}
    extra = {"ITA": 0.0, "ESP": 0.0}
    stock = [
        {"ally": a, "group": "M", "month": m, "stock": v + (30.0 if m == 1 and a in extra else 0)}
        for a, v in {**initial, **extra}.items()
        for m in range(2)
    ]
    deliveries = [
        {"line": "L", "ally": a, "month": 1, "made": 1, "group": "M", "quantity": 30.0}
        for a in extra
    ]
    targets = [{"ally": a, "group": "M", "initial": v} for a, v in initial.items()]
    shown = disclosure_of(RULE, TABLE_RULES["plan.stock"], stock)
    # month 0's level is DEU-dominated too; month 1's is not (ITA and ESP 30 each)
    assert shown.totals_ok["stock"] == {("M", 1)}
    stock_over_time(RULE, shown, deliveries, targets)
    # initial + what arrived unshown by month 1: DEU 247, POL 20, FRA 16, ITA 30, ESP 30:
    # 66 after the two largest >= 24.7: month 1 may be shown
    assert shown.totals_ok["stock"] == {("M", 1)}
    # without any arrival, month 1 less the deliveries shown is the initial total
    shown = disclosure_of(RULE, TABLE_RULES["plan.stock"], stock)
    stock_over_time(RULE, shown, [], targets)
    assert ("M", 1) not in shown.totals_ok["stock"]
