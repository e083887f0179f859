"""A national plan: the use case behind ``materiel national-plan`` and the web app's
national plan of a run.

The plan (made now, or read from a report folder ``materiel plan --out`` wrote) is
turned into the result the workspace keeps of a run, filtered by the workspace's own
access rule for a nation analyst of the ally (:func:`materiel.store.nation_view`), and
only then rendered: the document holds nothing that analyst could not see there.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from materiel.errors import InputError

if TYPE_CHECKING:
    from materiel.report import NationalFiles, NationalSource
    from materiel.scenario import Scenario
    from materiel.store import NationalView

_ISO3 = re.compile(r"^[A-Z]{3}$")


def check_ally(scenario: Scenario, ally: str) -> str:
    """The ally's code, upper-cased, if the scenario has it; else an :class:`InputError`
    naming the problem (not a code, or not an ally of the scenario)."""
    code = ally.strip().upper()
    if not _ISO3.match(code):
        raise InputError(f"unknown ally code {ally!r}: an ally is an ISO 3166 alpha-3 code (DEU)")
    allies = [r.code for r in scenario.records("allies")]
    if code not in allies:
        shown = ", ".join(allies[:40]) + (", ..." if len(allies) > 40 else "")
        raise InputError(f"scenario {scenario.name!r} has no ally {code}; its allies: {shown}")
    return code


def national_plan(
    scenario: Scenario,
    ally: str,
    out: Path,
    *,
    run: Path | None = None,
    explain: int = 0,
    remote: Callable[[Scenario, int], tuple[Any, pd.DataFrame]] | None = None,
    say: Callable[[str], None] | None = None,
) -> NationalFiles:
    """Write the national plan of ``ally`` (HTML and PDF) into ``out``: of the report
    folder ``run`` (made by ``materiel plan --out``; a simulation in it gives each
    target's probability), or of a plan made now (``explain``: bottlenecks to value by
    re-solving; none by default, as the re-solved figures are not a nation analyst's to
    see);
    ``remote(scenario, explain)`` makes that plan elsewhere (a Dask cluster:
    :func:`materiel.sweeps.planned_on_cluster`), returning its plan and bottlenecks."""
    from materiel.report import write_national

    say = say or (lambda _message: None)
    code = check_ally(scenario, ally)
    if Path(out).exists() and not Path(out).is_dir():  # before any planning
        raise InputError(f"--out {out} is not a folder (national-{code}.html and .pdf go in one)")
    extra: dict[str, list[dict[str, Any]]] = {}
    if run is not None:
        from materiel.planner import Plan

        if not Path(run).is_dir():
            raise InputError(f"--run {run}: no such folder (a folder `materiel plan --out` wrote)")
        say(f"reading the plan in {run}")
        made = Plan.load(Path(run), scenario)
        extra = _extras(Path(run), _records(made.tables["targets"]))
        origin = f"the plan in {run}"
    elif remote is not None:
        say("planning on the cluster")
        made, _ = remote(scenario, explain)  # its plan keeps its bottlenecks
        origin = "a plan made now, on a Dask cluster"
    else:
        from materiel.planner import plan

        result = plan(scenario, explain=explain, compare_pooling=False, progress=say)
        made = result.plan
        origin = "a plan made now"
    say(f"keeping what a nation analyst of {code} sees")
    source = national_source(scenario, made, code, origin, extra)
    say("writing the national plan")
    return write_national(source, out)


def national_source(
    scenario: Scenario,
    made: Any,
    ally: str,
    origin: str,
    extra: dict[str, list[dict[str, Any]]] | None = None,
) -> NationalSource:
    """What the national plan of ``ally`` is drawn from: the plan ``made`` for
    ``scenario`` as the workspace would keep it as a run, seen by a nation analyst of
    ``ally``; ``extra`` tables (``simulation.targets``) pass the
    same rule."""
    from materiel.store import NATIONAL_SCENARIO_TABLES, nation_view, run_result, scenario_rows

    rows = scenario_rows(scenario)
    producers = {r.id: r.producer for r in scenario.records("lines")}
    result = run_result(made, producers, rows, scenario.start)
    scenario_tables = {t: rows.get(t, []) for t in NATIONAL_SCENARIO_TABLES}
    seen = nation_view(ally, result, scenario_tables, extra)
    meta = scenario.meta.model_dump(mode="json", exclude={"tables", "extends"})
    return _source(ally, scenario.name, meta, origin, seen)


def national_of_run(view: NationalView) -> NationalSource:
    """The national plan of a workspace run, from what the store shows a nation analyst
    of its ally (:meth:`materiel.store.Store.national_view`)."""
    origin = f"run {view.run}"
    if view.versions is not None:
        then, now = view.versions
        origin += (
            f". The scenario has changed since this run (version {then}, now version {now}): "
            f"its allies, lines, suppliers and settings are read as they are now, not as "
            f"they were planned"
        )
    return _source(view.ally, view.scenario, view.meta, origin, view.tables)


def _source(
    ally: str,
    name: str,
    meta: dict[str, Any],
    origin: str,
    seen: dict[str, list[dict[str, Any]]],
) -> NationalSource:
    from materiel.report import NationalSource

    return NationalSource(
        ally=ally,
        scenario=name,
        start=str(meta.get("start")),
        horizon=int(meta.get("horizon") or 0),
        currency=str(meta.get("currency") or ""),
        meta=meta,
        origin=origin,
        tables=seen,
    )


def _extras(folder: Path, targets: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The tables of a report folder besides its plan: the simulation's targets (each
    target's probability; refused unless of the plan's ``targets``), where written (the
    bottlenecks are the plan's own table)."""
    found = {
        "simulation.targets": folder / "simulation" / "targets.parquet",
    }
    out = {}
    for name, path in found.items():
        if path.is_file():
            try:
                out[name] = _records(pd.read_parquet(path))
            except (OSError, ValueError) as exc:
                raise InputError(f"{path}: cannot read this table of the run: {exc}") from exc
    if "simulation.targets" in out:
        _check_simulation(folder, out["simulation.targets"], targets)
    return out


def _check_simulation(
    folder: Path, simulated: list[dict[str, Any]], targets: list[dict[str, Any]]
) -> None:
    """Refuse a simulation that is not of the plan in ``folder``: ``materiel plan --out``
    without ``--simulate`` leaves an earlier plan's simulation in place. Each of its
    targets must be one of the plan's, with the same target, date and planned stock at
    the date (named by ally and group only: no figure in the message)."""
    plan = {(str(t.get("ally")), str(t.get("group"))): t for t in targets}

    def same(a: Any, b: Any) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)

    for row in simulated:
        key = (str(row.get("ally")), str(row.get("group")))
        mine = plan.get(key)
        if (
            mine is None
            or str(mine.get("target_date") or "") != str(row.get("target_date") or "")
            or not same(mine.get("target"), row.get("target"))
            or not same(mine.get("stock_at_date"), row.get("plan_stock_at_date"))
        ):
            raise InputError(
                f"{folder / 'simulation'} is not a simulation of the plan in {folder} (the "
                f"target of {key[0]} {key[1]} differs): an earlier `materiel plan --out` "
                f"left it; plan again with --simulate N, or remove that folder"
            )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.copy()
    clean.attrs = {}
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        for r in clean.to_dict("records")
    ]
