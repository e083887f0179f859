"""Sweeps as workspace runs: a sweep of a stored scenario queued as a run of its own,
taken by any run worker, computed in the run's process with :func:`sweep` (the same
function as ``materiel sweep``), on the Dask scheduler the worker's settings name
(``MATERIEL_SWEEP_SCHEDULER``) or, without one, in local processes as the command does.

:func:`check_sweep` checks a request's settings against the scenario (before a run is
queued: a bad one queues nothing); the run's snapshot is the scenario's rows (``meta``
and ``tables``) with ``sweep`` (what it asked for, checked) and, added by the worker that
takes it, ``cluster`` (where it runs). :func:`sweep_snapshot` runs it in the run's
process and saves the table to ``out/sweep.json``: one row per combination, as
``materiel sweep`` writes ``sweep.csv`` (a missing figure is null).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from materiel.errors import InputError, ScenarioError
from materiel.store import MAX_RUN_FUTURES, MAX_SEED
from materiel.sweeps.levers import parse_levers
from materiel.sweeps.run import prepare, sweep

if TYPE_CHECKING:
    import pandas as pd

    from materiel.scenario import Scenario

#: The most combinations one sweep run may plan (each is a whole plan).
MAX_COMBINATIONS = 64
#: The most levers one sweep run may vary, and the most overrides it may set.
MAX_LEVERS = 8
MAX_OVERRIDES = 50
#: The most futures a sweep run may simulate in all (combinations x futures of each),
#: as many as one simulation run may; seeds are a simulation run's (0 to MAX_SEED).
MAX_SWEEP_FUTURES = MAX_RUN_FUTURES
#: The file in the run's folder that holds the result.
RESULT_FILE = "sweep.json"
_DONE = re.compile(r"planned (\d+) of (\d+) combinations")


def check_sweep(
    scenario: Scenario,
    vary: object,
    overrides: object = None,
    simulate: object = None,
    seed: object = 0,
) -> dict[str, Any]:
    """What a sweep run of ``scenario`` plans, checked as ``materiel sweep`` checks it
    (``vary``: ``KEY=V1,V2,...`` each, ``overrides``: ``KEY=VALUE`` each, the command's
    ``--set``; ``simulate``: futures per combination or None; ``seed``) and within the
    workspace's bounds; InputError naming the field otherwise (``vary``, ``set``,
    ``simulate``, ``seed``). Every combination is applied to the scenario, as the
    command does before it plans anything."""
    texts = _texts("vary", vary, MAX_LEVERS)
    sets = _texts("set", overrides or [], MAX_OVERRIDES)
    if not texts:
        raise InputError("vary: give at least one lever, KEY=VALUE1,VALUE2,...")
    try:
        levers = parse_levers(texts)
    except InputError as exc:
        raise InputError(f"vary: {exc}") from None
    count = math.prod(len(lever.values) for lever in levers)
    if count > MAX_COMBINATIONS:
        raise InputError(
            f"vary: {count:,} combinations; a sweep run plans at most {MAX_COMBINATIONS} "
            "(materiel sweep on your own machine or cluster plans more)"
        )
    futures = _simulate(simulate, count)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(f"seed: must be a whole number from 0 to {MAX_SEED}, not {seed!r}")
    from materiel.scenario import apply_overrides

    try:
        base = apply_overrides(scenario, sets) if sets else scenario
    except (InputError, ScenarioError) as exc:
        raise InputError(f"set: {exc}") from None
    try:
        prepare(base, levers, None, futures)
    except (InputError, ScenarioError) as exc:
        raise InputError(f"vary: {exc}") from None
    return {
        "vary": texts,
        "overrides": sets,
        "simulate": futures,
        "seed": seed,
        "levers": [lever.key for lever in levers],
        "combinations": count,
    }


def _texts(field: str, value: object, most: int) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{field}: must be a list of texts KEY=..., not {value!r}")
    if len(value) > most:
        raise InputError(f"{field}: at most {most} entries, not {len(value)}")
    return [str(v) for v in value]


def _simulate(simulate: object, combinations: int) -> int | None:
    if simulate is None:
        return None
    if isinstance(simulate, bool) or not isinstance(simulate, int) or simulate < 1:
        raise InputError(f"simulate: a number of futures, 1 or more, not {simulate!r}")
    if simulate * combinations > MAX_SWEEP_FUTURES:
        raise InputError(
            f"simulate: {simulate:,} futures for each of {combinations} combinations is "
            f"{simulate * combinations:,}; a sweep run simulates at most "
            f"{MAX_SWEEP_FUTURES:,} in all"
        )
    return simulate


def sweep_snapshot(
    snapshot: dict[str, Any], out: Path, say: Callable[[str], None] | None = None
) -> Path:
    """Run the sweep ``snapshot["sweep"]`` asks for on the scenario of the snapshot,
    where ``snapshot["cluster"]`` says (``scheduler``: a Dask scheduler's address, or
    None for ``workers`` local processes, None: one per core); save ``{"summary",
    "rows"}`` to ``out/sweep.json``."""
    from materiel.scenario import load_tables

    say = say or (lambda _message: None)
    job, cluster = snapshot["sweep"], snapshot.get("cluster") or {}
    say("reading the scenario")
    scenario = load_tables(snapshot["meta"], snapshot["tables"])

    def on_result(done: int, total: int, _row: dict[str, Any]) -> None:
        say(f"planned {done} of {total} combinations")

    scheduler = cluster.get("scheduler") or None
    table = sweep(
        scenario,
        job["vary"],
        overrides=list(job["overrides"]) or None,
        simulate=job["simulate"],
        seed=int(job["seed"]),
        scheduler=scheduler,
        workers=cluster.get("workers"),
        out=None,
        charts=False,
        on_result=on_result,
    )
    say("saving the sweep")
    rows = table_rows(table)
    summary = {
        "combinations": len(rows),
        "errors": sum(1 for r in rows if r.get("status") == "error"),
        "levers": list(job["levers"]),
        "futures": job["simulate"],
        "seed": job["seed"],
        "on": "a Dask cluster" if scheduler else "local processes",
    }
    path = out / RESULT_FILE
    path.write_text(json.dumps({"summary": summary, "rows": rows}), encoding="utf-8")
    return path


def table_rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The sweep's table as rows of plain values, a missing figure (NaN) as None."""
    return [
        {k: None if _missing(v) else _plain(v) for k, v in row.items()}
        for row in table.to_dict(orient="records")
    ]


def _missing(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def sweep_stage_of(message: str, current: int = 0) -> int:
    """How many combinations a sweep run has planned after ``message`` (its stage: one
    per combination), never fewer than ``current``."""
    found = _DONE.match(message)
    return max(current, int(found.group(1))) if found else current


def read_sweep(out: Path) -> dict[str, Any]:
    """What :func:`sweep_snapshot` saved in ``out``: ``{"summary", "rows"}``."""
    return dict(json.loads((out / RESULT_FILE).read_text(encoding="utf-8")))
