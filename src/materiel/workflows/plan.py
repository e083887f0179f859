"""Plan and report: the use case behind ``materiel plan``.

Plan a loaded scenario (to a confidence level when one is asked), simulate the plan
when asked, and write the report folder; return everything made, typed, for the caller
to print or serve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from materiel.planner import Donor, Plan, PlanResult
    from materiel.report import ReportFiles
    from materiel.scenario import Scenario
    from materiel.simulation import Simulation


@dataclass(frozen=True)
class PlanReport:
    """What one planning run made: the plan, its check by simulation (if any), the table
    of a plan made to a confidence level (if any), and the files written."""

    result: PlanResult
    simulation: Simulation | None
    confidence: pd.DataFrame | None
    plan: Plan | None  # the plan the simulator used, when it differs from result's own
    files: ReportFiles
    aid_what_ifs: pd.DataFrame | None = None  # coordinators' what-ifs, when asked


def plan_report(
    scenario: Scenario,
    out: Path,
    *,
    explain: int = 3,
    compare_pooling: bool = True,
    confidence: float | None = None,
    futures: int = 0,
    seed: int = 7,
    rounds: int = 4,
    aid_what_ifs: bool = False,
    aid_donor: Donor | None = None,
    say: Callable[[str], None] | None = None,
) -> PlanReport:
    """Plan ``scenario`` and write its report to ``out``.

    With ``confidence``, plan so that each target is met in at least that share of
    ``futures`` simulated futures (2,000 when 0) where budgets and capacity allow; else,
    with ``futures``, simulate the plan over that many futures. With ``aid_what_ifs``
    and requirements in the scenario, plan the coordinators' what-ifs too: a donor floor
    of 0.9, a new line for the requirement most unmet
    (:func:`materiel.planner.aid_whatif.suggested_line`) and ``aid_donor`` joining, when
    given. ``say`` hears progress.
    """
    from materiel.planner import plan
    from materiel.report import write_report

    say = say or (lambda _message: None)
    simulation, table, made = None, None, None
    if confidence is not None:
        from materiel.workflows.confidence import plan_with_confidence

        confident = plan_with_confidence(
            scenario,
            confidence,
            futures=futures or 2000,
            seed=seed,
            rounds=rounds,
            explain=explain,
            compare_pooling=compare_pooling,
            say=say,
        )
        result, simulation = confident.result, confident.simulation
        table, made = confident.table, confident.plan
    else:
        result = plan(scenario, explain=explain, compare_pooling=compare_pooling, progress=say)
        if futures:
            from materiel.simulation import simulate

            say(f"simulating {futures:,} futures")
            simulation = simulate(result.plan, scenario, futures=futures, seed=seed)
    whatifs = None
    if aid_what_ifs and result.inputs.aid is not None:
        from materiel.planner import aid_what_ifs as plan_what_ifs
        from materiel.planner import suggested_line

        say("planning the aid coordinators' what-ifs")
        whatifs = plan_what_ifs(
            scenario, floor=0.9, donor=aid_donor, line=suggested_line(result), base=result
        )
    say("writing the report")
    files = write_report(
        result, out, simulation=simulation, confidence=table, plan=made, aid_what_ifs=whatifs
    )
    return PlanReport(result, simulation, table, made, files, whatifs)
