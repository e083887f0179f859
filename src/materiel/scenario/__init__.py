"""Scenarios: the format (:mod:`.schema`), loading folders or tables in memory,
validation that names the file, row and column, the checks across tables, and the
built-in scenarios. These names are the package's face: other packages import them from
here, never from its modules.
"""

from __future__ import annotations

from materiel.scenario.arrays import ModelInputs, build_inputs, target_threshold
from materiel.scenario.checks import check_risks
from materiel.scenario.load import (
    FIRST_DATA_LINE,
    POLICY_ALIASES,
    apply_overrides,
    csv_cell,
    load_scenario,
    load_tables,
    validate_row,
)
from materiel.scenario.model import Scenario
from materiel.scenario.schema import (
    TABLES,
    Policy,
    Risks,
    ScenarioMeta,
    Spending,
    month_label,
    parse_month,
)

__all__ = [
    "FIRST_DATA_LINE",
    "POLICY_ALIASES",
    "TABLES",
    "ModelInputs",
    "Policy",
    "Risks",
    "Scenario",
    "ScenarioMeta",
    "Spending",
    "apply_overrides",
    "build_inputs",
    "check_risks",
    "csv_cell",
    "load_scenario",
    "load_tables",
    "month_label",
    "parse_month",
    "target_threshold",
    "validate_row",
]
