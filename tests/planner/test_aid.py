"""Aid coordination (issue 24): a recipient's requirements met by donors from stock
above their floors and from new contracts, shared by GDP; solved by hand.

Conventions: month 0 is 2025-01; stock[t] is the level at the end of month t.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from materiel.errors import ScenarioError
from materiel.planner.api import plan
from materiel.planner.result import PlanResult
from materiel.report import requirements_sentence
from materiel.scenario.load import load_scenario
from tests.scenario_kit import base_tables, demand_row, write_scenario

TARGET = 50.0


def donors_scenario(
    folder: Path,
    *,
    months: int = 6,
    initial: tuple[float, float] = (100, 80),
    gdp: tuple[float, float] = (2, 1),
    capacity: float = 0,
    per_month: float = 10,
    policy: dict[str, Any] | None = None,
    extra: dict[str, list[dict[str, Any]]] | None = None,
    target: float = TARGET,
    budget: tuple[float, float] = (1e9, 1e9),
) -> Path:
    """Two donors AAA, BBB (target 50 each, due 2025-12), one recipient UKR asking for
    ``per_month`` shells a month from 2025-01 for ``months`` months; one line of
    ``capacity`` a month (0: nothing can be bought), price 100."""
    tables: dict[str, list[dict[str, Any]]] = {
        "allies": [
            {"code": "AAA", "name": "Ally A", "gdp": gdp[0]},
            {"code": "BBB", "name": "Ally B", "gdp": gdp[1]},
        ],
        "items": [{"code": "SHELL", "name": "Shell", "unit_price": 100}],
        "lines": base_tables(capacity=capacity, ceiling=capacity, lead_time=0)["lines"],
        "stockpiles": [
            {
                "ally": a,
                "item": "SHELL",
                "initial": i,
                "target": target,
                "target_date": "2025-12",
            }
            for a, i in zip(("AAA", "BBB"), initial, strict=True)
        ],
        "budgets": [
            {"ally": a, "year": 2025, "amount": b}
            for a, b in zip(("AAA", "BBB"), budget, strict=True)
        ],
        "requirements": [
            {
                "recipient": "UKR",
                "item": "SHELL",
                "start": "2025-01",
                "end": f"2025-{months:02d}",
                "per_month": per_month,
            }
        ],
    }
    for name, rows in (extra or {}).items():
        tables[name] = tables.get(name, []) + rows
    return write_scenario(folder, tables, policy={"industry_rule_months": 0, **(policy or {})})


def solve(folder: Path) -> PlanResult:
    return plan(load_scenario(folder))


def given_by(result: PlanResult, source: str | None = None) -> dict[str, float]:
    frame = result.aid_allocation()
    if source is not None:
        frame = frame[frame["source"] == source]
    sums = frame.groupby("donor")["quantity"].sum()
    return {d: float(sums.get(d, 0.0)) for d in ("AAA", "BBB")}


def stock_path(result: PlanResult, ally: str) -> np.ndarray:
    return result.stock.sel(ally=ally, group="SHELL").values


# --- by hand ------------------------------------------------------------------------------


def test_six_months_shared_by_gdp(tmp_path: Path) -> None:
    # 60 asked; above the floor (1.0 x 50) A has 50, B 30: both could give their GDP
    # shares, 2/3 x 60 = 40 and 1/3 x 60 = 20, so they do, and end at 60 and 60.
    result = solve(donors_scenario(tmp_path / "s"))
    assert given_by(result, "stock") == pytest.approx({"AAA": 40, "BBB": 20}, abs=1e-6)
    assert given_by(result, "new") == pytest.approx({"AAA": 0, "BBB": 0}, abs=1e-9)
    for ally in ("AAA", "BBB"):
        assert stock_path(result, ally).min() >= TARGET - 1e-6
    assert stock_path(result, "AAA")[-1] == pytest.approx(60, abs=1e-6)
    assert stock_path(result, "BBB")[-1] == pytest.approx(60, abs=1e-6)
    req = result.aid_requirements().iloc[0]
    assert (req["required"], req["given"], req["unmet"]) == pytest.approx((60, 60, 0), abs=1e-6)
    assert (req["months"], req["months_met"], req["month_met"]) == (6, 6, "2025-01")
    assert req["donors"] == "AAA 40; BBB 20"
    donors = result.aid_by_donor().set_index("donor")
    # value = 100 a shell; fair share = GDP share of the 6,000 given
    assert donors.loc["AAA", "value_given"] == pytest.approx(4_000, abs=1e-4)
    assert donors.loc["AAA", "fair_share_value"] == pytest.approx(4_000, abs=1e-4)
    assert donors.loc["BBB", "given_vs_fair_pct"] == pytest.approx(100, abs=1e-6)
    # EUR 40 bn x 1/3 a year; the scenario is in USD, so no percentage (no conversion)
    assert donors.loc["BBB", "baseline_eur_per_year"] == pytest.approx(40e9 / 3)
    assert np.isnan(donors.loc["BBB", "given_vs_baseline_pct"])


def test_the_report_shows_the_coordination_table(tmp_path: Path) -> None:
    # The 6-month case written out: the CSVs and the page's coordination table say who
    # fills the requirement (A 40, B 20) and the donors' values (4,000 and 2,000).
    import pandas as pd

    from materiel.report.write import write_report

    files = write_report(solve(donors_scenario(tmp_path / "s")), tmp_path / "out")
    out = files.folder
    reqs = pd.read_csv(out / "aid_requirements.csv")
    assert reqs[["given", "unmet"]].values.ravel().tolist() == pytest.approx([60, 0], abs=1e-6)
    donors = pd.read_csv(out / "aid_by_donor.csv").set_index("donor")["value_given"]
    assert donors.to_dict() == pytest.approx({"AAA": 4_000, "BBB": 2_000}, abs=1e-3)
    page = files.html.read_text(encoding="utf-8")
    table = page[page.index("<h2>Aid coordination</h2>") :]
    assert "<td>AAA 40; BBB 20</td>" in table


def test_ten_months_what_is_left_is_unmet_and_reported(tmp_path: Path) -> None:
    # 100 asked; only 50 + 30 lie above the floors and nothing can be bought: both give
    # all they can (B beyond its third, since A cannot give more), 20 are unmet. Earlier
    # months come first: months 0..7 in full, months 8 and 9 not at all.
    result = solve(donors_scenario(tmp_path / "s", months=10))
    assert given_by(result) == pytest.approx({"AAA": 50, "BBB": 30}, abs=1e-6)
    for ally in ("AAA", "BBB"):
        assert stock_path(result, ally).min() >= TARGET - 1e-6
    req = result.aid_requirements().iloc[0]
    assert (req["given"], req["unmet"]) == pytest.approx((80, 20), abs=1e-6)
    assert req["unmet_pct"] == pytest.approx(20)
    assert (req["months"], req["months_met"], req["month_met"]) == (10, 8, "not met")
    totals = result.totals()
    assert totals["requirements_unmet_total"] == pytest.approx(20, abs=1e-6)
    assert (totals["requirement_months"], totals["requirement_months_met"]) == (10, 8)
    assert requirements_sentence(result) == (
        "Requirements: 8 of 10 requirement-months met in full; 20 of 100 units unmet "
        "(worst: UKR SHELL, 20% unmet)."
    )


def test_a_usd_scenario_compares_with_the_baseline_at_the_users_rate(tmp_path: Path) -> None:
    # The 6-month case with 1.25 USD a EUR: B gives 2,000 USD in the 12-month horizon,
    # 2,000 a year, against its third of EUR 40 bn = 16.67 bn USD a year.
    result = solve(donors_scenario(tmp_path / "s", policy={"eur_usd": 1.25}))
    donors = result.aid_by_donor().set_index("donor")
    expected = 100 * 2_000 / (40e9 / 3 * 1.25)
    assert donors.loc["BBB", "given_vs_baseline_pct"] == pytest.approx(expected, rel=1e-9)


def test_donor_at_its_floor_pays_for_new_contracts(tmp_path: Path) -> None:
    # B holds exactly its floor (50 of 50): it gives nothing from stock. Equal GDP, 100
    # asked over 10 months: A gives its 50 above the floor, B buys its 50 on the line
    # (10 a month can be made), passed on as delivered; B's stock stays at 50.
    result = solve(
        donors_scenario(tmp_path / "s", months=10, initial=(100, 50), gdp=(1, 1), capacity=10)
    )
    assert given_by(result, "stock")["BBB"] == pytest.approx(0, abs=1e-9)
    assert given_by(result, "new")["BBB"] == pytest.approx(50, abs=1e-6)
    assert sum(given_by(result).values()) == pytest.approx(100, abs=1e-6)
    assert given_by(result)["AAA"] == pytest.approx(50, abs=1e-6)
    np.testing.assert_allclose(stock_path(result, "BBB"), 50, atol=1e-6)
    assert stock_path(result, "AAA").min() >= TARGET - 1e-6
    contracts = result.contracts
    assert set(contracts["buyers"]) <= {"BBB", "AAA", "AAA;BBB", "BBB;AAA"}
    assert float(result.aid_by_donor().set_index("donor").loc["BBB", "from_new_value"]) == (
        pytest.approx(5_000, abs=1e-3)
    )


def test_a_donors_own_target_comes_before_new_contracts_for_the_recipient(
    tmp_path: Path,
) -> None:
    # Both donors hold nothing (target 50 each, due 2025-12); the line makes 10 a month,
    # 120 in the year, and the recipient asks 10 a month all year. Each donor's own
    # target first: 100 of the 120 go to A's and B's stocks, the last 20 to the
    # recipient, and only once the donor giving them is at its target (before, a donor
    # bought for the recipient while its own target went unmet: one gave all 120).
    result = solve(donors_scenario(tmp_path / "s", months=12, initial=(0, 0), capacity=10))
    assert sum(given_by(result, "new").values()) == pytest.approx(20, abs=1e-6)
    assert sum(given_by(result, "stock").values()) == pytest.approx(0, abs=1e-9)
    req = result.aid_requirements().iloc[0]
    assert (req["given"], req["unmet"]) == pytest.approx((20, 100), abs=1e-6)
    alloc = result.aid_allocation()
    for ally in ("AAA", "BBB"):
        path = stock_path(result, ally)
        assert path[11] == pytest.approx(TARGET, abs=1e-6)
        mine = alloc[alloc["donor"] == ally]
        if not mine.empty:
            assert path[int(mine["month"].min()) :].min() >= TARGET - 1e-6


def test_a_donors_own_target_comes_first_for_its_money_too(tmp_path: Path) -> None:
    # A holds its shells' target (50 of 50) and no missiles (target 10, 100,000 each);
    # its budget, 1,000,000, buys the 10 missiles or 10,000 shells, not both. The
    # recipient asks 10 shells a month for 6 months, which the shell line could make.
    # A's missile target first: it buys the 10 missiles and gives nothing; the 60 shells
    # are unmet. (Weighed by the shells' target alone, a shell for the recipient
    # outweighed a missile-month of A's own target per unit of money: A gave the 60
    # shells, 6,000, and bought 9 missiles, one short of its target.)
    missile_line = base_tables(capacity=10, ceiling=10, lead_time=0)["lines"][0]
    missile_line.update(id="L2", item="MSL")
    folder = donors_scenario(
        tmp_path / "s",
        initial=(50, 50),
        capacity=10,
        budget=(1e6, 0),
        extra={
            "items": [{"code": "MSL", "name": "Missile", "unit_price": 100_000}],
            "lines": [missile_line],
            "stockpiles": [
                {"ally": "AAA", "item": "MSL", "initial": 0, "target": 10, "target_date": "2025-12"}
            ],
        },
    )
    result = solve(folder)
    assert result.stock.sel(ally="AAA", group="MSL").values[-1] == pytest.approx(10, abs=1e-6)
    assert sum(given_by(result).values()) == pytest.approx(0, abs=1e-6)
    assert result.aid_requirements().iloc[0]["unmet"] == pytest.approx(60, abs=1e-6)


@pytest.mark.parametrize(("weight", "unmet"), [(None, 60.0), (2.0, 0.0)])
def test_a_donors_consumption_comes_first(
    tmp_path: Path, weight: float | None, unmet: float
) -> None:
    # No stock and no target anywhere; A's money buys 10 shells a month (12,000 a year at
    # 100), all the line makes; B has none. A needs 10 a month itself, the recipient 10
    # a month for 6 months. By default (requirement_weight 0.5) A's consumption comes
    # first: all 60 asked are unmet. Weighted 2, the requirement comes first: A's
    # consumption goes unmet in those months instead.
    policy = {} if weight is None else {"requirement_weight": weight}
    folder = donors_scenario(
        tmp_path / "s",
        initial=(0, 0),
        target=0,
        capacity=10,
        budget=(12_000, 0),
        policy=policy,
        extra={"demand": [demand_row(10)]},
    )
    result = solve(folder)
    assert result.aid_requirements().iloc[0]["unmet"] == pytest.approx(unmet, abs=1e-6)
    assert result.totals()["unmet_demand_total"] == pytest.approx(60 - unmet, abs=1e-6)


@pytest.mark.parametrize("priority", [1.0, 3.0])
def test_a_donor_never_gives_stock_its_own_consumption_needs(
    tmp_path: Path, priority: float
) -> None:
    # A holds 100 (target 50) and consumes 2 a month all year (24): 100 - 24 - 50 = 26
    # lie above its floor, whatever the requirement's priority. B is at its floor and
    # nothing can be bought. Asked 60: A gives 26, 34 unmet, A's consumption served in
    # full. (Priority 3 weighs a unit of the requirement 0.5 x 3 = 1.5 times A's own
    # consumption: A left 20 of it unmet to give 46, its stock still at 50.)
    folder = donors_scenario(
        tmp_path / "s", initial=(100, 50), gdp=(1, 1), extra={"demand": [demand_row(2)]}
    )
    path = folder / "requirements.csv"
    head, row = path.read_text(encoding="utf-8").strip().split("\n")
    path.write_text(f"{head},priority\n{row},{priority}\n", encoding="utf-8")
    result = solve(folder)
    assert given_by(result) == pytest.approx({"AAA": 26, "BBB": 0}, abs=1e-6)
    assert result.totals()["unmet_demand_total"] == pytest.approx(0, abs=1e-6)
    assert stock_path(result, "AAA")[-1] == pytest.approx(50, abs=1e-6)


def test_lower_floor_gives_more(tmp_path: Path) -> None:
    # Floor 0.9: A may go down to 45 and B to 45, so 55 + 35 = 90 of 100 are given.
    result = solve(donors_scenario(tmp_path / "s", months=10, policy={"donor_floor": 0.9}))
    assert sum(given_by(result).values()) == pytest.approx(90, abs=1e-6)
    for ally in ("AAA", "BBB"):
        assert stock_path(result, ally).min() >= 0.9 * TARGET - 1e-6


def test_a_pledge_caps_a_donor(tmp_path: Path) -> None:
    # The 6-month case with A's pledge capped at 2,000 a year (12 months: 2,000 in all,
    # 20 shells at 100): A gives 20, B all it has above its floor, 30; 10 are unmet.
    folder = donors_scenario(tmp_path / "s")
    text = (folder / "allies.csv").read_text(encoding="utf-8")
    text = text.replace("code,name,gdp", "code,name,gdp,aid_cap").replace(
        "AAA,Ally A,2", "AAA,Ally A,2,2000"
    )
    (folder / "allies.csv").write_text(text.replace("BBB,Ally B,1", "BBB,Ally B,1,"), "utf-8")
    result = solve(folder)
    assert given_by(result) == pytest.approx({"AAA": 20, "BBB": 30}, abs=1e-6)
    assert result.aid_requirements().iloc[0]["unmet"] == pytest.approx(10, abs=1e-6)


def test_no_requirements_no_aid_tables_rows(tmp_path: Path) -> None:
    folder = donors_scenario(tmp_path / "s")
    (folder / "requirements.csv").write_text(
        "recipient,item,start,end,per_month\n", encoding="utf-8"
    )
    result = solve(folder)
    assert result.aid_allocation().empty
    assert result.aid_requirements().empty
    assert "requirements_penalty" not in result.totals()


# --- properties ---------------------------------------------------------------------------


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    initial=st.tuples(st.integers(0, 120), st.integers(0, 120)),
    gdp=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    floor=st.sampled_from([0.0, 0.5, 0.9, 1.0]),
    months=st.integers(1, 12),
    capacity=st.sampled_from([0, 5]),
    consumption=st.sampled_from([0, 2]),
    weight=st.sampled_from([0.5, 3.0]),
)
def test_properties(
    tmp_path: Path,
    initial: tuple[int, int],
    gdp: tuple[int, int],
    floor: float,
    months: int,
    capacity: float,
    consumption: float,
    weight: float,
) -> None:
    extra = {"demand": [demand_row(consumption)]}
    folder = donors_scenario(
        tmp_path / f"p{initial}{gdp}{floor}{months}{capacity}{consumption}{weight}",
        months=months,
        initial=initial,
        gdp=gdp,
        capacity=capacity,
        policy={"donor_floor": floor, "requirement_weight": weight},
        extra=extra,
    )
    result = solve(folder)
    alloc = result.aid_allocation()
    # A donor that may give from stock can serve its own consumption (A's, 2 a month):
    # none of it is left unmet to give more, even with the requirement weighted 3
    if bool(result.inputs.aid is not None and result.inputs.aid.from_stock.sel(ally="AAA").any()):
        assert result.totals()["unmet_demand_total"] == pytest.approx(0, abs=1e-6)
    # nothing beyond the requirement, in any month
    per_month = alloc.groupby("month")["quantity"].sum()
    assert (per_month <= 10 + 1e-6).all()
    assert set(per_month.index) <= set(range(months))
    # a donor that gives from stock never goes below floor x target from then on, nor
    # after its own due date (month 11); with the requirement weighted below a target
    # (0.5), neither does one that gives from new contracts
    for ally in ("AAA", "BBB"):
        mine = alloc[alloc["donor"] == ally]
        if weight >= 1:
            mine = mine[mine["source"] == "stock"]
        if mine.empty:
            continue
        path = stock_path(result, ally)
        first = int(mine["month"].min())
        assert path[first:].min() >= floor * TARGET - 1e-6, (ally, path, mine)
        assert path[11] >= floor * TARGET - 1e-6
    # fairness (aid_fairness 0.5 < 1: speed first; the rule): each donor gives its GDP
    # share of the value given, within 1e-6 of it, unless it gives all it can: then the
    # other may give beyond its share what this one cannot. All it can: from stock, its
    # stock touches the floor after the first month it may give (or it may not give
    # from stock at all); new, the line makes all it can in the months asked.
    donors = result.aid_by_donor().set_index("donor")
    total = float(donors["value_given"].sum())
    may_give = result.inputs.aid.from_stock if result.inputs.aid is not None else None
    assert may_give is not None
    made = result.delivery_table()
    made = float(made[made["month"] < months]["quantity"].sum())
    for ally in ("AAA", "BBB"):
        short = float(donors.loc[ally, "fair_share_value"] - donors.loc[ally, "value_given"])
        if short <= 1e-6 * max(total, 1.0):
            continue
        eligible = np.flatnonzero(may_give.sel(ally=ally).any("requirement").values)
        if eligible.size:
            assert stock_path(result, ally)[eligible[0] :].min() <= floor * TARGET + 1e-6
        assert made >= capacity * months - 1e-6, (ally, donors)


# --- bad input ----------------------------------------------------------------------------


def load_problem_text(folder: Path) -> str:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    return str(exc.value)


def requirement_refused(tmp_path: Path, old: str, new: str) -> str:
    """The loader's message for the requirement with ``old`` written ``new``."""
    folder = donors_scenario(tmp_path / "s")
    text = (folder / "requirements.csv").read_text(encoding="utf-8")
    (folder / "requirements.csv").write_text(text.replace(old, new), encoding="utf-8")
    return load_problem_text(folder)


def test_requirement_for_unknown_item(tmp_path: Path) -> None:
    message = requirement_refused(tmp_path, "SHELL", "ROCKET")
    assert "requirements.csv, row 2, column 'item'" in message
    assert "unknown item" in message and "ROCKET" in message


def test_recipient_that_is_a_donor(tmp_path: Path) -> None:
    message = requirement_refused(tmp_path, "UKR", "BBB")
    assert "requirements.csv, row 2, column 'recipient'" in message
    assert "BBB" in message and "donor" in message


@pytest.mark.parametrize("floor", [-0.1, 1.5])
def test_floor_outside_zero_one(tmp_path: Path, floor: float) -> None:
    folder = donors_scenario(tmp_path / "s", policy={"donor_floor": floor})
    message = load_problem_text(folder)
    assert "scenario.yaml" in message and "donor_floor" in message


def test_requirement_outside_the_horizon_is_warned_of(tmp_path: Path) -> None:
    # The horizon is 2025-01..2025-12: a requirement for 2027 loads (it is not wrong,
    # the horizon may be too short) but is ignored, so the loader says so, naming the
    # file, row and column; one that only runs past the end is not warned of.
    folder = donors_scenario(tmp_path / "s")
    path = folder / "requirements.csv"
    head, row = path.read_text(encoding="utf-8").strip().split("\n")
    late = row.replace("2025-01,2025-06", "2027-01,2027-06")
    past_end = row.replace("2025-01,2025-06", "2025-10,2026-03")
    path.write_text(f"{head}\n{row}\n{late}\n{past_end}\n", encoding="utf-8")
    warned = load_scenario(folder).warnings
    assert [(p.row, p.column, p.found) for p in warned] == [(3, "start", "2027-01")]
    assert "requirements.csv" in str(warned[0].file)
    assert "outside the horizon" in warned[0].message


def test_requirement_no_ally_can_give_is_warned_of(tmp_path: Path) -> None:
    # A missile no ally stocks: no donor may give it from stock or buy it (a donor buys
    # only on lines of groups it stocks), so it is all unmet; the loader says so.
    folder = donors_scenario(
        tmp_path / "s",
        extra={
            "items": [{"code": "MSL", "name": "Missile", "unit_price": 1000}],
            "requirements": [
                {
                    "recipient": "UKR",
                    "item": "MSL",
                    "start": "2025-01",
                    "end": "2025-06",
                    "per_month": 1,
                }
            ],
        },
    )
    warned = load_scenario(folder).warnings
    assert [(p.row, p.column, p.found) for p in warned] == [(3, "item", "MSL")]
    assert "no ally stocks" in warned[0].message


def test_donor_at_its_floor_passes_on_only_what_is_delivered(tmp_path: Path) -> None:
    # As above, but the line makes 3 a month: 30 can be bought in the 10 months. B, at
    # its floor, can give only what is delivered (30), never its own 50 (it would give
    # more, and the requirement weighs more than its shortfall, were it allowed);
    # A gives its 50 above the floor; 20 are unmet.
    result = solve(
        donors_scenario(tmp_path / "s", months=10, initial=(100, 50), gdp=(1, 1), capacity=3)
    )
    assert given_by(result, "stock")["BBB"] == pytest.approx(0, abs=1e-9)
    assert sum(given_by(result).values()) == pytest.approx(80, abs=1e-6)
    assert given_by(result, "stock")["AAA"] == pytest.approx(50, abs=1e-6)
    np.testing.assert_allclose(stock_path(result, "BBB"), 50, atol=1e-6)
    assert result.aid_requirements().iloc[0]["unmet"] == pytest.approx(20, abs=1e-6)


# --- what-ifs -----------------------------------------------------------------------------


def test_what_ifs_in_requirement_months(tmp_path: Path) -> None:
    # The 10-month case: 8 of 10 requirement-months met (20 unmet, see above).
    # - floor 0.9: 45 + 35 = 90 given, months 0..8 met: 9, one more;
    # - a third donor CCC with budget and no stock: nothing can be bought (no line
    #   capacity), so no change;
    # - a new line of 2 a month: 20 more over the 10 months, all 10 months met.
    from materiel.planner.aid_whatif import Donor, NewLine, aid_what_ifs

    scenario = load_scenario(donors_scenario(tmp_path / "s", months=10))
    frame = aid_what_ifs(
        scenario,
        floor=0.9,
        donor=Donor("CCC", "Ally C", gdp=1, budget=1e9),
        line=NewLine("L2", "SHELL", "Q", "BBB", capacity=2),
    ).set_index("what_if")
    assert frame["requirement_months"].tolist() == [10, 10, 10, 10]
    assert frame["requirement_months_met"].tolist() == [8, 9, 8, 10]
    assert frame["change"].tolist() == [0, 1, 0, 2]
    assert frame["unmet_change"].tolist() == pytest.approx([0, -10, 0, -20], abs=1e-6)


def test_one_more_donor_pays_for_what_the_line_can_still_make(tmp_path: Path) -> None:
    # The 10-month case (50 + 30 above the floors, 20 unmet), now with a line of 10 a
    # month that neither A nor B can pay for (no budget). CCC joins with GDP 1 and money:
    # it holds no stock, but it can pay for new contracts, so it buys the 20 missing
    # shells and every requirement-month is met (before, a joining donor held no stock of
    # the group and so could buy nothing: the what-if always said no change).
    from materiel.planner.aid_whatif import Donor, aid_what_ifs

    folder = donors_scenario(tmp_path / "s", months=10, capacity=10, budget=(0, 0))
    frame = aid_what_ifs(
        load_scenario(folder), floor=None, donor=Donor("CCC", "Ally C", gdp=1, budget=1e9)
    ).set_index("what_if")
    assert frame["requirement_months_met"].tolist() == [8, 10]
    assert frame["unmet"].tolist() == pytest.approx([20, 0], abs=1e-6)


def test_the_simulator_serves_the_gifts(tmp_path: Path) -> None:
    # With no risk, every future is the plan: the donors end at 60 and 60 (they gave 40
    # and 20), not at 100 and 80 as if they had given nothing.
    from materiel.simulation.api import simulate

    result = solve(donors_scenario(tmp_path / "s"))
    sim = simulate(result.plan, result.scenario, futures=8, sensitivity=False)
    at_date = sim.targets.set_index("ally")["stock_at_date_p50"]
    assert at_date.to_dict() == pytest.approx({"AAA": 60, "BBB": 60}, abs=1e-6)


def test_plan_command_writes_the_coordinators_what_ifs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 10 months of 10 asked. Above the floors A has 50 and B 30, and the line makes 1 a
    # month (10): 90 given, 10 unmet. Floor 0.9 frees 5 more of A's stock and 5 of B's
    # (45 kept each): 100, nothing unmet. The suggested line copies L1 (1 a
    # month): 10 more, nothing unmet. CCC joins with money, but the line is full: no
    # change.
    from materiel.cli.main import main

    folder = donors_scenario(tmp_path / "s", months=10, capacity=1)
    out = tmp_path / "out"
    args = ["plan", str(folder), "--out", str(out), "--explain", "0", "--no-pooling-value"]
    assert main([*args, "--aid-what-ifs", "--aid-donor", "CCC:1:1e9"]) == 0
    printed = capsys.readouterr().out
    assert "Aid what-ifs" in printed
    frame = pd.read_csv(out / "aid_what_ifs.csv").set_index("what_if")
    assert frame.index.tolist() == [
        "plan",
        "donor_floor 0.9",
        "one more donor: CCC",
        "new line L1_NEW (SHELL, 1/month)",
    ]
    assert frame["unmet"].tolist() == pytest.approx([10, 0, 10, 0], abs=1e-6)
    assert frame["requirement_months_met"].iloc[[1, 3]].tolist() == [10, 10]
    assert frame["change"].iloc[2] == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "What-ifs for coordinators" in page and "L1_NEW" in page


@pytest.mark.parametrize(
    ("donor", "words"),
    [("CCC", "CODE:GDP:BUDGET"), ("CCC:x:1", "GDP 'x' is not a number"), ("CCC:1:-5", "BUDGET")],
)
def test_plan_command_refuses_a_bad_donor_before_planning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], donor: str, words: str
) -> None:
    from materiel.cli.main import main

    folder = donors_scenario(tmp_path / "s")
    out = tmp_path / "out"
    code = main(["plan", str(folder), "--out", str(out), "--aid-donor", donor])
    captured = capsys.readouterr()
    assert code != 0
    assert words in captured.err and "--aid-donor" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()  # refused before anything was planned or written
