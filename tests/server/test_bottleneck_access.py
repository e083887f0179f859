"""Who sees what of the planner's ranking of what binds (``plan.bottlenecks``): alliance
staff all of it; a nation analyst its own ally's budget and the limits on lines whose
output it sees, without the re-solved weighted shortfall (a sum over every ally); an
industry user the limits on lines whose output it sees; a viewer nothing. On SQLite and
PostgreSQL (``db_url``)."""

from __future__ import annotations

import pytest

from materiel.store import AccessDenied, Principal
from tests.bottleneck_kit import LIMITS, finished_run
from tests.server_kit import Workspace

ALLIANCE = Principal("alliance", "alliance")


def _names(space: Workspace, who: Principal, run_id: int) -> list[str]:
    return [r["name"] for r in space.store.run_table(who, run_id, "bottlenecks")]


def test_a_nation_analyst_sees_its_own_budget_row_and_never_another_allys(
    space: Workspace,
) -> None:
    run_id = finished_run(space.store)
    aaa = Principal("nation_AAA", "nation", ally="AAA")
    bbb = Principal("nation_BBB", "nation", ally="BBB")
    # L2's output goes to BBB alone, so AAA is not shown it: the limit on the motor
    # (used by L2 only) would tell when L2 ran at what the motor allows
    assert _names(space, aaa, run_id) == ["L1", "AAA"]
    assert _names(space, bbb, run_id) == ["L1", "BBB"]
    for row in space.store.run_table(aaa, run_id, "bottlenecks"):
        assert row["ally"] in ("", "AAA")
        # the weighted shortfall before and after sums every ally's: not a nation
        # analyst's; the first-order gain is
        assert row["shortfall_before"] is None and row["shortfall_after"] is None
        assert row["shortfall_gain"] is None
        assert row["gain"] == next(r["gain"] for r in LIMITS if r["name"] == row["name"])
    with pytest.raises(AccessDenied):
        space.store.run_table(aaa, run_id, "bottleneck_groups")


def test_alliance_staff_see_every_limit_with_its_what_if(space: Workspace) -> None:
    run_id = finished_run(space.store)
    rows = space.store.run_table(ALLIANCE, run_id, "bottlenecks")
    assert [r["name"] for r in rows] == ["L1", "BBB", "AAA", "MOTOR"]
    assert (rows[0]["shortfall_before"], rows[0]["shortfall_after"]) == (30.0, 28.5)
    groups = space.store.run_table(ALLIANCE, run_id, "bottleneck_groups")
    assert [(g["name"], g["change"]) for g in groups] == [("L1", -1.5)]


def test_industry_sees_the_limits_on_lines_whose_output_it_sees_and_no_budget(
    space: Workspace,
) -> None:
    run_id = finished_run(space.store)
    # P makes L1, whose totals may be shown anyway; Q makes L2 and sees its deliveries
    assert _names(space, Principal("p", "industry", producer="P"), run_id) == ["L1"]
    assert _names(space, Principal("q", "industry", producer="Q"), run_id) == ["L1", "MOTOR"]


def test_a_viewer_reads_no_limit(space: Workspace) -> None:
    run_id = finished_run(space.store)
    with pytest.raises(AccessDenied):
        space.store.run_table(Principal("viewer", "viewer"), run_id, "bottlenecks")
