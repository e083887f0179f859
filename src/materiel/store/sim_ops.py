"""Simulation runs in the store: a run of its own, in the same queue as plan runs, that
simulates a finished plan run's plan over sampled futures (the worker computes it with
:func:`materiel.workflows.simrun.simulate_snapshot`). It belongs to the plan run's
scenario (so it is seen by those who see the plan run), its snapshot is the plan run's
with ``simulation`` (what to simulate), and its result is one table,
:data:`SIM_TABLE`, read through the access rule ``plan.simulation_targets``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from materiel.errors import InputError
from materiel.simulation import check_futures
from materiel.store.base import StoreBase
from materiel.store.models import RunRecord
from materiel.store.policy import Principal
from materiel.store.records import RunInfo

#: The table of a simulation run: one row per target.
SIM_TABLE = "simulation_targets"
#: The most futures a simulation run in the workspace may ask for (``materiel
#: simulate`` runs up to :data:`materiel.simulation.api.MAX_FUTURES` on one's own machine).
MAX_RUN_FUTURES = 200_000
#: Seeds are whole numbers from 0 to this.
MAX_SEED = 2**32 - 1


def check_simulation(futures: object, seed: object, confidence: object) -> dict[str, Any]:
    """The simulation's settings, checked as ``materiel simulate`` checks them (and the
    workspace's bound on futures); InputError naming the field otherwise."""
    try:
        count = check_futures(futures)
    except InputError as exc:
        raise InputError(f"futures: {exc}") from None
    if count > MAX_RUN_FUTURES:
        raise InputError(
            f"futures: a simulation run may sample at most {MAX_RUN_FUTURES:,} futures, "
            f"not {count:,} (materiel simulate on your own machine runs more)"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(f"seed: must be a whole number from 0 to {MAX_SEED}, not {seed!r}")
    level = None
    if confidence is not None:
        if isinstance(confidence, bool) or not isinstance(confidence, int | float):
            raise InputError(f"confidence: must be a number between 0 and 1, not {confidence!r}")
        if not 0 < confidence < 1:
            raise InputError(f"confidence: must lie between 0 and 1 (e.g. 0.9), not {confidence}")
        level = float(confidence)
    return {"futures": count, "seed": seed, "confidence": level}


class SimOps(StoreBase):
    def create_simulation(
        self,
        who: Principal,
        plan_run: int,
        futures: object,
        seed: object,
        confidence: object = None,
        limit: int | None = None,
    ) -> RunInfo:
        """Queue a simulation of the finished plan run ``plan_run``: a run of its own,
        counted in the user's ``limit`` of runs queued or running. Bad settings are
        InputError (naming the field), a plan run the user may not see NotFound, one not
        finished or not a plan InputError; none of them queues a run."""
        self.policy(who).require("run.create", "start simulation runs")
        job = check_simulation(futures, seed, confidence)
        self.run(who, plan_run)  # type: ignore[attr-defined]  # 404 for one unseen
        with self.tx() as s:
            record = s.get(RunRecord, plan_run)
            assert record is not None  # seen just above
            status, snapshot = record.status, record.snapshot or {}
            scenario = (record.scenario_id, record.scenario_version, record.scenario_digest)
            has_result = s.scalar(
                select(RunRecord.id).where(RunRecord.id == plan_run, RunRecord.result.is_not(None))
            )
        for kind in ("simulation", "sweep"):
            if kind in snapshot:
                raise InputError(f"plan_run: run {plan_run} is a {kind}, not a plan run")
        if status != "done" or has_result is None or "meta" not in snapshot:
            raise InputError(
                f"plan_run: run {plan_run} has no finished plan ({status}); simulate a done one"
            )
        with self.tx(write=True) as s:
            if limit is not None:
                self._check_run_limit(s, who, limit)  # type: ignore[attr-defined]
            run = RunRecord(
                scenario_id=scenario[0],
                scenario_version=scenario[1],
                scenario_digest=scenario[2],
                status="queued",
                progress=f"queued: a simulation of run {plan_run}",
                created_by=who.name,
                simulates=plan_run,
                snapshot={
                    "meta": snapshot["meta"],
                    "tables": snapshot["tables"],
                    "simulation": {
                        **job,
                        "plan_run": plan_run,
                        "digest": scenario[2],
                    },
                },
            )
            s.add(run)
            s.flush()
            self.audit(s, who, "run.simulate", f"run {run.id}", None, {"plan_run": plan_run, **job})
            run_id = run.id
        return self.run(who, run_id)  # type: ignore[attr-defined]

    def plan_result(self, run_id: int) -> dict[str, Any] | None:
        """A plan run's stored result, whole (the worker's read, not a user's)."""
        with self.tx() as s:
            return s.scalar(select(RunRecord.result).where(RunRecord.id == run_id))
