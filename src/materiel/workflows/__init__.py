"""The use cases, as plain functions returning typed results: called by the command
line, the server and the sweeps alike, so that "load, plan, simulate, write" is written
once.

- :func:`plan_report`: plan a scenario (to a confidence level if asked), simulate it if
  asked, write the report (``materiel plan``);
- :func:`plan_with_confidence`: plan so that targets hold in a share of futures;
- :func:`run_snapshot`: plan a stored scenario's rows for a server run (its stages:
  :data:`RUN_STAGES`, :func:`stage_of`);
- :func:`simulate_snapshot`: simulate a finished plan run's plan for a simulation run
  (its stages: :data:`SIM_STAGES`, :func:`sim_stage_of`);
- :func:`run_combination`: one cell of a sweep (plan with overrides, figures);
- :func:`national_plan`: one ally's national plan, as a nation analyst of it sees the
  plan (``materiel national-plan``); :func:`national_of_run` for a workspace run.
"""

from materiel.workflows.alternatives import alternatives_report
from materiel.workflows.cell import plan_figures, run_combination, simulate_figures
from materiel.workflows.confidence import ConfidentPlan, check_confidence, plan_with_confidence
from materiel.workflows.national import check_ally, national_of_run, national_plan
from materiel.workflows.plan import PlanReport, plan_report
from materiel.workflows.run import RUN_STAGES, run_snapshot, stage_of
from materiel.workflows.simrun import (
    SIM_STAGES,
    read_result,
    sim_stage_of,
    simulate_snapshot,
)

__all__ = [
    "RUN_STAGES",
    "SIM_STAGES",
    "ConfidentPlan",
    "PlanReport",
    "alternatives_report",
    "check_ally",
    "check_confidence",
    "national_of_run",
    "national_plan",
    "plan_figures",
    "plan_report",
    "plan_with_confidence",
    "read_result",
    "run_combination",
    "run_snapshot",
    "sim_stage_of",
    "simulate_figures",
    "simulate_snapshot",
    "stage_of",
]
