"""The planner: from a scenario to what to order and which capacity to build.

:func:`plan` builds the model (one ``define_*`` family of equations each, in
:mod:`.model`), solves it in stages (least shortfall, least cost, whole lots) and returns
a :class:`PlanResult`; its :class:`Plan` (tables with no solver in them) is what the
simulator, the sweeps and the workspace take. These names are the package's face: other
packages import them from here, never from its modules.
"""

from __future__ import annotations

from materiel.planner.aid_whatif import Donor, NewLine, aid_what_ifs, parse_donor, suggested_line
from materiel.planner.alternatives import (
    MEASURES,
    Alternatives,
    Remote,
    check_options,
    most_of,
    plan_alternatives,
)
from materiel.planner.api import plan, value_of_pooling
from materiel.planner.families import KINDS
from materiel.planner.plan import SERVED, Plan
from materiel.planner.result import POOLING_PREFIX, PlanResult, months_to_target

__all__ = [
    "KINDS",
    "MEASURES",
    "POOLING_PREFIX",
    "SERVED",
    "Alternatives",
    "Donor",
    "NewLine",
    "Plan",
    "PlanResult",
    "Remote",
    "aid_what_ifs",
    "check_options",
    "months_to_target",
    "most_of",
    "parse_donor",
    "plan",
    "plan_alternatives",
    "suggested_line",
    "value_of_pooling",
]
