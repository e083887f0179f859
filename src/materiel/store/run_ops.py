"""Plan runs in the store: a run records the scenario version it plans (and the snapshot
of it that a worker plans), its status and progress, and its result tables, which are
read through the access policy. A run of a variant is seen only by those who see the
variant (its owner, alliance staff, admins).

Runs are jobs in the database: any worker process that reaches it takes the oldest
queued run (:meth:`RunOps.claim_run`), says it is still at it every few seconds
(:meth:`RunOps.heartbeat_run`), and records the outcome. A run whose worker has sent no
heartbeat for longer than the lease has lost its worker (killed, its machine gone): it
is failed, not retried (:meth:`RunOps.fail_lost_runs`), by whichever worker or server
looks for work next."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, defer

from materiel.errors import InputError
from materiel.planner import SERVED
from materiel.store.base import StoreBase, aware
from materiel.store.errors import AccessDenied, LimitReached, NotFound
from materiel.store.inputs_diff import InputChanges, input_changes
from materiel.store.models import BaselineRecord, RunRecord, ScenarioRecord, UserRecord
from materiel.store.plan_view import plan_rows
from materiel.store.policy import Policy, Principal
from materiel.store.records import RunInfo
from materiel.store.scenario_ops import delivered
from materiel.store.sim_ops import SIM_TABLE
from materiel.store.sweep_ops import SWEEP_TABLE

ACTIVE = ("queued", "running")
#: A run is queued, running, then done, failed or cancelled.
STATES = ("queued", "running", "done", "failed", "cancelled")
#: The plan tables a run serves (each with its rule in :mod:`materiel.store.policy`).
PLAN_TABLES = SERVED
#: The tables a run serves: a plan run the plan tables, a simulation run its targets, a
#: sweep run its table of combinations.
RUN_TABLES = (*SERVED, SIM_TABLE, SWEEP_TABLE)
#: Runs one user may have queued or running at once (the server passes
#: ``Settings.run_limit``).
RUN_LIMIT = 3
#: What of a plan's summary every reader of runs sees: counts and the solver's word.
#: The rest are sums over all allies (spending, demand, aid, shortfall), which with a
#: user's own figures and the shown totals could give a hidden total by difference;
#: users who see every ally read them whole.
SUMMARY_FOR_ALL = (
    "targets",
    "met_by_date",
    "met_within_horizon",
    "capacity_expansions",
    "supply_expansions",
    "currency",
    "status",
    "gap_pct",
    # a simulation run's settings
    "plan_run",
    "futures",
    "seed",
    "confidence",
)


class RunOps(StoreBase):
    def create_run(
        self, who: Principal, name: str, limit: int | None = RUN_LIMIT
    ) -> tuple[RunInfo, dict[str, Any]]:
        """Queue a plan of the scenario as it is now: (the run, the snapshot to plan:
        ``{"meta": ..., "tables": ...}`` as :func:`materiel.workflows.run.run_snapshot`
        takes it). A user with ``limit`` runs queued or running gets
        :class:`LimitReached` and no run (None: no limit)."""
        self.policy(who).require("run.create", "start plan runs")
        if limit is not None:
            with self.tx() as s:
                self._check_run_limit(s, who, limit)
        scenario, version, snapshot = self._plannable(who, name)
        run_id = self._queue_run(
            who, name, version, scenario.digest(), snapshot, "queued", limit, "run.create", {}
        )
        return self.run(who, run_id), snapshot

    def _plannable(self, who: Principal, name: str) -> tuple[Any, int, dict[str, Any]]:
        """The scenario ``name`` as it is now, if it validates: (the scenario, its
        version, the snapshot of its rows a worker plans); InputError listing the
        problems the user may see otherwise."""
        checked, version, snapshot = self.load(who, name)  # type: ignore[attr-defined]
        if checked.scenario is None:
            report = self.validate(who, name)  # type: ignore[attr-defined]
            shown = "\n".join(f"  - {p}" for p in report.problems)
            hidden = report.hidden_problems
            extra = (
                f"\n  ({hidden} more in rows you may not see, or found across allies' rows)"
                if hidden
                else ""
            )
            raise InputError(f"scenario {name!r} does not validate; fix it first:\n{shown}{extra}")
        return checked.scenario, version, snapshot

    def _queue_run(
        self,
        who: Principal,
        name: str,
        version: int,
        digest: str,
        snapshot: dict[str, Any],
        progress: str,
        limit: int | None,
        action: str,
        details: dict[str, Any],
    ) -> int:
        """Queue a run of scenario ``name`` (its ``version`` and ``digest``) with the
        ``snapshot`` a worker takes, within the user's ``limit`` of runs queued or
        running; audited as ``action`` with ``details``. The new run's id."""
        with self.tx(write=True) as s:
            if limit is not None:  # again, in the transaction that adds the run
                self._check_run_limit(s, who, limit)
            record_id = s.scalar(select(ScenarioRecord.id).where(ScenarioRecord.name == name))
            run = RunRecord(
                scenario_id=record_id,
                scenario_version=version,
                scenario_digest=digest,
                status="queued",
                progress=progress,
                created_by=who.name,
                snapshot=snapshot,
                combinations=(snapshot.get("sweep") or {}).get("combinations"),
            )
            s.add(run)
            s.flush()
            self.audit(
                s,
                who,
                action,
                f"run {run.id}",
                None,
                {"scenario": name, "version": version, **details},
            )
            return int(run.id)

    @staticmethod
    def _check_run_limit(s: Session, who: Principal, limit: int) -> None:
        """Refuse a run beyond the user's ``limit`` of queued and running ones. The
        user's row is locked first (PostgreSQL; SQLite's write transactions are already
        one at a time), so that two requests at once cannot both pass."""
        if who.user_id is not None:
            s.execute(select(UserRecord.id).where(UserRecord.id == who.user_id).with_for_update())
        active = s.scalar(
            select(func.count())
            .select_from(RunRecord)
            .where(RunRecord.created_by == who.name, RunRecord.status.in_(ACTIVE))
        )
        if (active or 0) >= limit:
            raise LimitReached(
                f"you have {active} plan runs queued or running, the limit per user "
                f"({limit}, MATERIEL_RUN_LIMIT); wait for one to end or cancel one"
            )

    def set_run(self, run_id: int, **values: Any) -> bool:
        """Change a run still queued or running (the job runner's calls); False if it had
        already ended (cancelled while it ran). A run set running records when it
        started."""
        if values.get("status") in ("done", "failed", "cancelled"):
            values["finished_at"] = dt.datetime.now(dt.UTC)
        if values.get("status") == "running":
            values.setdefault("started_at", dt.datetime.now(dt.UTC))
        if "progress" in values:
            values["progress"] = str(values["progress"])[:400]
        if "error" in values and values["error"] is not None:
            values["error"] = str(values["error"])[:4000]
        with self.tx(write=True) as s:
            done = s.execute(
                update(RunRecord)
                .where(RunRecord.id == run_id, RunRecord.status.in_(ACTIVE))
                .values(**values)
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def run_status(self, run_id: int) -> str | None:
        with self.tx() as s:
            return s.scalar(select(RunRecord.status).where(RunRecord.id == run_id))

    def claim_run(self, worker: str, stages: int = 0) -> tuple[int, dict[str, Any]] | None:
        """Take the oldest queued run for ``worker``: (its id, the snapshot to plan), or
        None when no run is queued (or, on PostgreSQL, every queued one is being taken by
        another worker). One statement takes it: ``UPDATE ... WHERE id = (the oldest
        queued run) AND status = 'queued'``; on PostgreSQL the inner ``SELECT`` is
        ``FOR UPDATE SKIP LOCKED``, so that workers on any machine never take the same
        run and never wait for each other; on SQLite (one machine) write transactions
        are one at a time. The run is set running, held by ``worker``, with a first
        heartbeat; ``stages`` is how many stages its planning has."""
        while True:
            with self.tx() as s:  # an idle worker looks without taking the write lock
                if (
                    s.scalar(select(RunRecord.id).where(RunRecord.status == "queued").limit(1))
                    is None
                ):
                    return None
            with self.tx(write=True) as s:
                oldest = (
                    select(RunRecord.id)
                    .where(RunRecord.status == "queued")
                    .order_by(RunRecord.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                    .scalar_subquery()
                )
                taken = s.execute(
                    update(RunRecord)
                    .where(RunRecord.id == oldest, RunRecord.status == "queued")
                    .values(
                        status="running",
                        progress="starting",
                        stage=0,
                        stages=stages,
                        worker=worker[:200],
                        heartbeat_at=self._db_now(),
                        started_at=dt.datetime.now(dt.UTC),
                    )
                    .returning(RunRecord.id, RunRecord.snapshot)
                    .execution_options(synchronize_session=False)
                ).first()
            if taken is None:
                return None
            run_id, snapshot = taken
            if snapshot is not None:
                return int(run_id), snapshot
            # queued by a version of materiel that kept the snapshot in memory only
            self.set_run(
                run_id,
                status="failed",
                progress="failed",
                error="the run was queued before runs kept their scenario in the store "
                "(an older materiel); start it again",
            )

    def heartbeat_run(self, run_id: int, worker: str) -> bool:
        """``worker`` is still planning the run: its heartbeat is now. False if the run
        is no longer running in that worker's hands (cancelled, or failed for a lapsed
        lease): the worker then stops planning it."""
        with self.tx(write=True) as s:
            done = s.execute(
                update(RunRecord)
                .where(*_held_by(run_id, worker))
                .values(heartbeat_at=self._db_now())
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def release_run(self, run_id: int, worker: str) -> bool:
        """A worker that stops (SIGTERM, Ctrl-C, the server stopping) puts the run it
        was planning back in the queue, to be planned again from the start by any
        worker; False if the run was no longer its own (cancelled, failed)."""
        with self.tx(write=True) as s:
            done = s.execute(
                update(RunRecord)
                .where(*_held_by(run_id, worker))
                .values(
                    status="queued",
                    progress="queued (its worker stopped; it will be planned again)",
                    stage=0,
                    worker=None,
                    heartbeat_at=None,
                    started_at=None,
                )
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def fail_lost_runs(self, lease_s: float) -> list[int]:
        """Runs whose worker has gone: running, with no heartbeat for longer than
        ``lease_s`` seconds. Each is marked failed (not retried: a run that made its
        worker die would make the next one die too), and its error says so. Their ids.
        (Every run a worker takes has a heartbeat; one left running by an older server
        was failed by migration 0005.)"""
        cutoff = self._db_now() - dt.timedelta(seconds=lease_s)
        lost = (RunRecord.status == "running", RunRecord.heartbeat_at < cutoff)
        failed: list[int] = []
        with self.tx() as s:  # most looks find none: no write lock for them
            if s.scalar(select(RunRecord.id).where(*lost).limit(1)) is None:
                return failed
        with self.tx(write=True) as s:
            for run_id, worker in s.execute(
                select(RunRecord.id, RunRecord.worker).where(*lost)
            ).all():
                done = s.execute(
                    update(RunRecord)
                    .where(RunRecord.id == run_id, *lost)
                    .values(
                        status="failed",
                        progress="failed",
                        error=f"its worker stopped: {worker or 'the worker'} sent no "
                        f"heartbeat for over {lease_s:g} s (the lease, MATERIEL_RUN_LEASE_S); "
                        "a run whose worker stops is failed, not retried: start it again",
                        finished_at=dt.datetime.now(dt.UTC),
                    )
                )
                if done.rowcount:  # type: ignore[attr-defined]
                    failed.append(int(run_id))
        return failed

    def run_worker(self, run_id: int) -> str | None:
        """The worker that holds (or last held) the run."""
        with self.tx() as s:
            return s.scalar(select(RunRecord.worker).where(RunRecord.id == run_id))

    def _db_now(self) -> Any:
        """Now, by the database's clock on PostgreSQL (workers on several machines share
        it, whatever their own clocks say), by this machine's on SQLite (one machine)."""
        if self.db.is_sqlite:
            return dt.datetime.now(dt.UTC)
        return func.now()

    def cancel_run(self, who: Principal, run_id: int) -> RunInfo:
        """Cancel a queued or running run: the user who started it, alliance analysts
        and admins may; others get :class:`AccessDenied` and the run goes on."""
        policy = self.policy(who)
        policy.require("run.cancel", "cancel plan runs")
        run = self.run(who, run_id)  # 404 if absent
        if not policy.may_cancel_run(run.created_by):
            raise AccessDenied(
                f"run {run_id} was started by another user: only they, alliance analysts "
                "and admins may cancel it"
            )
        with self.tx(write=True) as s:
            done = s.execute(
                update(RunRecord)
                .where(RunRecord.id == run_id, RunRecord.status.in_(ACTIVE))
                .values(
                    status="cancelled", progress="cancelled", finished_at=dt.datetime.now(dt.UTC)
                )
            )
            if done.rowcount:  # type: ignore[attr-defined]
                self.audit(s, who, "run.cancel", f"run {run_id}", None, {"status": "cancelled"})
        return self.run(who, run_id)

    def runs(self, who: Principal) -> list[RunInfo]:
        """The runs the user may see (not those of other users' variants), oldest first."""
        policy = self.policy(who)
        policy.require("run.read", "read plan runs")
        with self.tx() as s:
            records = s.execute(_with_scenario().order_by(RunRecord.id)).all()
            return [
                self._run_view(who, r, name, chosen is not None, simulates, sweeps)
                for r, name, owner, chosen, simulates, sweeps in records
                if policy.sees_scenario(owner)
            ]

    def run(self, who: Principal, run_id: int) -> RunInfo:
        """One run; 404 for a run of a variant the user may not see, as for none."""
        policy = self.policy(who)
        policy.require("run.read", "read plan runs")
        with self.tx() as s:
            row = s.execute(_with_scenario().where(RunRecord.id == run_id)).first()
            if row is None or not policy.sees_scenario(row[2]):
                raise NotFound(f"no run {run_id}")
            return self._run_view(who, row[0], row[1], row[3] is not None, row[4], row[5])

    def input_changes(self, who: Principal, a: int, b: int) -> InputChanges:
        """What changed in the inputs from run ``a`` to run ``b``, as the user may see
        it (:mod:`materiel.store.inputs_diff`); 404 for a run the user may not see."""
        for run_id in (a, b):
            self.run(who, run_id)
        with self.tx() as s:
            found = s.execute(
                select(RunRecord.id, RunRecord.snapshot).where(RunRecord.id.in_((a, b)))
            )
            snaps: dict[int, dict[str, Any] | None] = {int(i): snap for i, snap in found}
        left, right = snaps.get(a), snaps.get(b)
        if left is None or right is None:
            return InputChanges(known=False)
        return input_changes(self.policy(who), left, right)

    def run_table(self, who: Principal, run_id: int, table: str) -> list[dict[str, Any]]:
        """One table of a finished run's plan, as the user may see it. Rows stay
        column -> value: each plan table has its own columns (the planner's frames), and
        alliance totals only the grouping and summed ones."""
        return [dict(row) for row in self.kept_run_table(who, run_id, table)]

    def kept_run_table(
        self, who: Principal, run_id: int, table: str
    ) -> Sequence[Mapping[str, Any]]:
        """:meth:`run_table` as the store keeps it, for reading only: the rows are shared
        with the kept result and with every user who is served the same rows (the run,
        the table and :meth:`Policy.view` decide them, as :meth:`run_table_tag` says), so
        the rule is applied to a large table once, not on every page of it."""
        policy = self._table_policy(who, table)
        with self.tx() as s:
            record = _finished_run(s, policy, run_id)
            memo_key = _run_key(record)
            # the result of a finished run never changes: parsed once, kept by the store
            result = self.results.get(memo_key, lambda: record.result)
        if not result:
            raise NotFound(f"run {run_id} has no result ({record.status})")

        def what_lines_deliver() -> list[dict[str, Any]]:
            if "delivered" in result:  # kept from the planned scenario when the run ended
                return list(result["delivered"])
            with self.tx() as s:
                new = result["tables"].get("deliveries", [])
                return delivered(s, record.scenario_id, new)

        def served() -> tuple[dict[str, Any], ...]:
            # what a line's output and a group's stock over time tell of deliveries
            return tuple(
                plan_rows(
                    policy,
                    table,
                    result,
                    lambda: self.memo.get(("delivered", *memo_key), what_lines_deliver),
                    memo_key,
                )
            )

        return self.tables.get((*memo_key, table, *policy.view()), served)

    def run_table_tag(self, who: Principal, run_id: int, table: str) -> str:
        """A strong validator of what :meth:`run_table` gives ``who``, made without
        reading the table: a finished run's table never changes, so the rows served are
        decided by the run (its id, when it was made, the scenario it planned), the
        table, what decides the rows a user is served (:meth:`Policy.view`) and the code
        that serves them (:data:`SERVING`). Refused as :meth:`run_table` refuses (403, or
        404 for a run the user may not see and a run that has not finished)."""
        return self.run_view_tags(who, run_id, (table,))[0][0]

    def run_view_tags(
        self, who: Principal, run_id: int, tables: Sequence[str], scenario: str | None = None
    ) -> tuple[list[str], tuple[str, ...]]:
        """:meth:`run_table_tag` of each of ``tables`` of one run and, with ``scenario``,
        its :meth:`~materiel.store.scenario_ops.ScenarioOps.scenario_versions`, from one
        transaction (what a page's kept view of a run is keyed on)."""
        policies = [self._table_policy(who, table) for table in tables]
        versions: tuple[str, ...] = ()
        with self.tx() as s:
            key = _finished_key(s, policies[0], run_id) if policies else ()
            if scenario is not None:
                versions = self._versions(s, self.policy(who), scenario)  # type: ignore[attr-defined]
        return [
            hashlib.sha256(
                "\x1f".join((SERVING, *map(str, key), table, *policy.view())).encode()
            ).hexdigest()[:32]
            for table, policy in zip(tables, policies, strict=True)
        ], versions

    def _table_policy(self, who: Principal, table: str) -> Policy:
        """The user's policy, if it may read plan runs and this plan table."""
        policy = self.policy(who)
        policy.require("run.read", "read plan runs")
        if table not in RUN_TABLES:
            raise NotFound(f"no plan table {table!r}; tables: {', '.join(RUN_TABLES)}")
        if not policy.may_read_table(f"plan.{table}"):
            raise AccessDenied(f"{who.role} users may not read the plan's {table}")
        return policy

    def _run_view(
        self,
        who: Principal,
        record: RunRecord,
        name: str,
        baseline: bool = False,
        simulates: int | None = None,
        sweeps: int | None = None,
    ) -> RunInfo:
        policy = self.policy(who)
        sees_all = policy.may("scenario.create")  # alliance-wide users
        summary, tables = self._outline(record)
        error = record.error
        started = aware(record.started_at)
        finished = aware(record.finished_at)
        elapsed = None
        if started is not None:
            elapsed = max(0.0, ((finished or dt.datetime.now(dt.UTC)) - started).total_seconds())
        if error and not sees_all:
            error = "the run failed; an alliance analyst or admin can read why"
        return RunInfo(
            id=record.id,
            scenario=name,
            scenario_version=record.scenario_version,
            scenario_digest=record.scenario_digest,
            status=record.status,
            progress=record.progress,
            error=error,
            created_by=record.created_by,
            created_at=aware(record.created_at).isoformat() if record.created_at else None,
            finished_at=finished.isoformat() if finished else None,
            started_at=started.isoformat() if started else None,
            elapsed_seconds=elapsed,
            stage=record.stage or 0,
            stages=record.stages or 0,
            summary=_summary(summary, sees_all) if record.status == "done" else None,
            tables=[t for t in RUN_TABLES if t in tables and policy.may_read_table(f"plan.{t}")],
            baseline=baseline,
            simulates=simulates,
            kind="sweep" if sweeps is not None else "simulation" if simulates else "plan",
        )

    def _outline(self, record: RunRecord) -> tuple[dict[str, Any] | None, frozenset[str]]:
        """A run's summary and the names of its result's tables. A finished run's never
        change: they are kept (:attr:`outlines`), so that lists of runs do not read and
        parse every run's result (a few MB of JSON each) again; the result is deferred
        in :func:`_with_scenario` and read here only once per finished run. A run not
        finished has no result."""
        if record.status != "done":
            return None, frozenset()

        def outline() -> tuple[dict[str, Any] | None, frozenset[str]]:
            result = record.result or {}
            return result.get("summary"), frozenset(result.get("tables", {}))

        return self.outlines.get(_run_key(record), outline)


def _held_by(run_id: int, worker: str) -> tuple[Any, ...]:
    """The run ``run_id`` while it is running in ``worker``'s hands."""
    return (
        RunRecord.id == run_id,
        RunRecord.status == "running",
        RunRecord.worker == worker[:200],
    )


def _with_scenario() -> Select[RunRecord, str, str | None, int, int | None, int | None]:
    """Runs with their scenario's name and owner, whether each is its baseline, the
    plan run a simulation run simulates and the combinations a sweep run plans (None for
    a plan run; columns of their own: read from the snapshot's JSON, they took SQLite
    about 2 ms a run)."""
    return (
        select(
            RunRecord,
            ScenarioRecord.name,
            ScenarioRecord.owner,
            BaselineRecord.run_id,
            RunRecord.simulates,
            RunRecord.combinations,
        )
        .join(ScenarioRecord, ScenarioRecord.id == RunRecord.scenario_id)
        .outerjoin(BaselineRecord, BaselineRecord.run_id == RunRecord.id)
        .options(defer(RunRecord.result))  # read by RunOps._outline, once a finished run
    )


def _visible_run(s: Any, policy: Policy, run_id: int) -> RunRecord:
    """The run, if the user may see its scenario (else 404, as for no run)."""
    # the result (a few MB of JSON) is read only by those who need it, when they do
    record = s.get(RunRecord, run_id, options=[defer(RunRecord.result)])
    owner = None
    if record is not None:
        owner = s.scalar(
            select(ScenarioRecord.owner).where(ScenarioRecord.id == record.scenario_id)
        )
    if record is None or not policy.sees_scenario(owner):
        raise NotFound(f"no run {run_id}")
    return record


def _finished_run(s: Any, policy: Policy, run_id: int) -> RunRecord:
    """The run, if the user may see it and it has finished (else 404)."""
    record = _visible_run(s, policy, run_id)
    if record.status != "done":
        raise NotFound(f"run {run_id} has no result ({record.status})")
    return record


def _finished_key(s: Any, policy: Policy, run_id: int) -> tuple[Any, ...]:
    """:func:`_run_key` of the run, refused as :func:`_finished_run` refuses, in one
    query of a few columns (every read of a finished run's table asks it first)."""
    row = s.execute(
        select(
            RunRecord.id,
            RunRecord.created_at,
            RunRecord.scenario_digest,
            RunRecord.status,
            ScenarioRecord.owner,
        )
        .outerjoin(ScenarioRecord, ScenarioRecord.id == RunRecord.scenario_id)
        .where(RunRecord.id == run_id)
    ).first()
    if row is None or not policy.sees_scenario(row.owner):
        raise NotFound(f"no run {run_id}")
    if row.status != "done":
        raise NotFound(f"run {run_id} has no result ({row.status})")
    return ("run", row.id, str(row.created_at), row.scenario_digest)


def _run_key(record: RunRecord) -> tuple[Any, ...]:
    """What names a finished run's result, which never changes: a run's id may come
    again after its scenario is deleted, so the key has its time and digest too."""
    return ("run", record.id, str(record.created_at), record.scenario_digest)


def _serving() -> str:
    """The code that decides which rows of a run a user is served: materiel's version
    and the source of the access rule, the disclosure rules and the plan's view (a
    server with another rule serves other rows under other tags)."""
    from materiel.store import disclosure, funding, plan_view, policy
    from materiel.version import __version__

    digest = hashlib.sha256(__version__.encode())
    for module in (policy, disclosure, plan_view, funding):
        with contextlib.suppress(OSError):  # no source to read: the version alone
            digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


#: What :meth:`RunOps.run_table_tag` holds of the code that serves the rows.
SERVING = _serving()


def _summary(summary: dict[str, Any] | None, whole: bool) -> dict[str, Any] | None:
    if summary is None:
        return None
    if whole:
        return dict(summary)  # the kept one stays as it is
    return {k: v for k, v in summary.items() if k in SUMMARY_FOR_ALL}
