"""Sweep runs in the store: a run of its own, in the same queue as plan runs, that plans
a scenario for every combination of a few levers (the worker computes it with
:func:`materiel.sweeps.sweep_snapshot`, as ``materiel sweep`` does). Its snapshot is the
scenario's rows with ``sweep`` (what to vary, checked before the run is queued by the
caller's ``check``), and its result is one table, :data:`SWEEP_TABLE`, read through the
access rule ``plan.sweep``.

Who: alliance staff and admins start sweeps and read their tables, no one else (the
action ``run.sweep``, the rule ``plan.sweep``). Each row of a sweep is a set of sums over
every ally (spending, budget, shortfall, months to target) of a plan made with inputs the
requester chose, other allies' figures among them: varying one input and reading the
change of a total is the differencing the disclosure rule exists to prevent, and no
row of it is one ally's own. Nation analysts see that a sweep ran (its status and
counts), not its table; industry and viewers neither."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from materiel.store.base import StoreBase
from materiel.store.policy import Principal
from materiel.store.records import RunInfo

if TYPE_CHECKING:
    from materiel.scenario import Scenario

#: The table of a sweep run: one row per combination of the levers.
SWEEP_TABLE = "sweep"


class SweepOps(StoreBase):
    def create_sweep(
        self,
        who: Principal,
        name: str,
        check: Callable[[Scenario], dict[str, Any]],
        limit: int | None = None,
    ) -> RunInfo:
        """Queue a sweep of scenario ``name`` as it is now: ``check`` takes the scenario
        and gives what the sweep plans (``combinations`` among it), or raises InputError
        naming the field; counted in the user's ``limit`` of runs queued or running. A
        scenario that does not validate, bad settings or a limit reached queue nothing."""
        self.policy(who).require(
            "run.sweep", "start sweeps (each row sums every ally's figures: alliance staff's)"
        )
        if limit is not None:
            with self.tx() as s:
                self._check_run_limit(s, who, limit)  # type: ignore[attr-defined]
        scenario, version, snapshot = self._plannable(who, name)  # type: ignore[attr-defined]
        job = check(scenario)
        run_id: int = self._queue_run(  # type: ignore[attr-defined]
            who,
            name,
            version,
            scenario.digest(),
            {**snapshot, "sweep": job},
            f"queued: a sweep of {job['combinations']} combinations",
            limit,
            "run.sweep",
            {"sweep": job},
        )
        return self.run(who, run_id)  # type: ignore[attr-defined]
