"""Alternatives near the optimum: the use case behind ``materiel alternatives``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from materiel.planner import Alternatives, Remote
    from materiel.report import AlternativeFiles
    from materiel.scenario import Scenario


def alternatives_report(
    scenario: Scenario,
    out: Path,
    *,
    slack: float = 0.02,
    count: int = 3,
    measure: str = "hosts",
    say: Callable[[str], None] | None = None,
    remote: Remote | None = None,
) -> tuple[Alternatives, AlternativeFiles]:
    """The optimum and up to ``count`` alternatives within ``slack`` of it that differ
    most in ``measure``, written to ``out`` (alternatives.csv and .html, plan-K/);
    ``remote`` solves alternatives on a cluster (see :func:`materiel.sweeps.on_cluster`)."""
    from materiel.planner import check_options, plan_alternatives
    from materiel.report import check_out_folder, write_alternatives

    check_options(slack, count, measure)
    check_out_folder(out)
    say = say or (lambda _message: None)
    found = plan_alternatives(
        scenario, slack=slack, count=count, measure=measure, progress=say, remote=remote
    )
    say("writing the alternatives")
    return found, write_alternatives(found, out)
