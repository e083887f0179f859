"""``sweep``: every combination of the levers, planned where the user says, cached."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from materiel.errors import InputError, ScenarioError
from materiel.scenario import Scenario
from materiel.sweeps import backends
from materiel.sweeps.cache import Cache, combination_key, round_trip
from materiel.sweeps.levers import Lever, combinations, parse_levers

#: Called after each combination: (combinations done, all combinations, the row).
OnResult = Callable[[int, int, dict[str, Any]], None]

TABLE_FILE = "sweep"
#: The figures of a row in the table's order; per-group columns follow, sorted.
FIGURES = (
    "status",
    "error",
    "targets",
    "met_by_date",
    "met_within_horizon",
    "weighted_shortfall",
    "unmet_demand",
    "spending",
    "budget",
    "lines_expanded",
    "supplies_expanded",
    "p_mean",
    "p_min",
)
CACHE_DIR = "cache"


def sweep(
    scenario: Scenario | str | Path,
    vary: list[str] | tuple[str, ...],
    *,
    overrides: list[str] | None = None,
    simulate: int | None = None,
    seed: int = 0,
    scheduler: str | None = None,
    workers: int | None = None,
    out: Path | str | None = None,
    charts: bool = True,
    on_result: OnResult | None = None,
    connect_timeout: float = backends.CONNECT_TIMEOUT,
) -> pd.DataFrame:
    """Plan ``scenario`` for every combination of the ``vary`` levers (``KEY=V1,V2``).

    Runs in this process (``workers=1``), in ``workers`` local processes (default: one
    per core), or on the Dask cluster at ``scheduler`` (``tcp://host:8786``). With
    ``simulate`` (a number of futures) each plan is also simulated. With ``out`` the table
    is written there (CSV, Parquet, charts) and each result is kept in ``out/cache``, so
    that a sweep run again computes only what is missing. Returns the table: a row per
    combination, in the order of the levers' values. ``attrs`` says how many rows were
    ``computed`` and how many came from the ``cached`` results.
    """
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be 1 or more, got {workers}")
    if scheduler:
        backends.check_address(scheduler)
    levers = parse_levers(list(vary))
    base, combos = prepare(scenario, levers, overrides, simulate)
    folder = Path(out) if out is not None else None
    cache = Cache(folder / CACHE_DIR if folder is not None else None)
    digest = base.digest()
    keys = [combination_key(digest, combo, simulate, seed) for combo in combos]
    rows: dict[int, dict[str, Any]] = {}
    for i, key in enumerate(keys):
        cached = cache.get(key)
        if cached is not None:
            rows[i] = cached
    n_cached = len(rows)
    tasks = [(i, combo) for i, combo in enumerate(combos) if i not in rows]
    if on_result is not None and n_cached:
        on_result(n_cached, len(combos), {})
    if scheduler:
        results = backends.dask(base, tasks, simulate, seed, scheduler, connect_timeout)
    elif (workers or backends.default_workers()) == 1 or len(tasks) <= 1:
        results = backends.inline(base, tasks, simulate, seed)
    else:
        count = min(workers or backends.default_workers(), len(tasks))
        results = backends.local(base, tasks, simulate, seed, count)
    try:
        for index, row in results:
            cache.put(keys[index], combos[index], row)
            rows[index] = round_trip(row)
            if on_result is not None:
                on_result(len(rows), len(combos), rows[index])
    except KeyboardInterrupt:
        raise Interrupted(len(rows), len(combos), cache.folder) from None
    table = sweep_table(levers, combos, keys, rows)
    table.attrs = {"computed": len(tasks), "cached": n_cached, "scenario": base.name}
    if folder is not None:
        write(table, levers, folder, base.horizon, charts)
    return table


def prepare(
    scenario: Scenario | str | Path,
    levers: list[Lever],
    overrides: list[str] | None = None,
    simulate: int | None = None,
) -> tuple[Scenario, list[tuple[str, ...]]]:
    """The sweep's base scenario (``scenario`` with ``overrides``) and its combinations,
    each checked before anything is planned: InputError (ScenarioError for a bad
    override) naming what is wrong."""
    from materiel.scenario import apply_overrides, load_scenario

    if isinstance(scenario, Scenario):
        base = apply_overrides(scenario, overrides) if overrides else scenario
    else:
        base = load_scenario(scenario, overrides=overrides)
    if simulate is not None:
        from materiel.simulation import check_futures

        if simulate < 1:
            raise InputError(f"--simulate must be a number of futures, 1 or more, got {simulate}")
        check_futures(simulate)
    combos = combinations(levers)
    for combo in combos:
        try:
            apply_overrides(base, list(combo))
        except ScenarioError as exc:
            raise InputError(f"the combination {', '.join(combo)} is not valid: {exc}") from None
    return base, combos


class Interrupted(KeyboardInterrupt):
    """A sweep stopped before the end: how many combinations are done and where they are
    kept, so that the same sweep run again computes only the rest."""

    def __init__(self, done: int, total: int, kept: Path | None):
        self.done, self.total, self.kept = done, total, kept
        where = f"kept in {kept}" if kept is not None else "not kept (no --out)"
        again = "; the same sweep run again computes only the rest" if kept else ""
        super().__init__(f"{done} of {total} combinations done, {where}{again}")


def sweep_table(
    levers: list[Lever],
    combos: list[tuple[str, ...]],
    keys: list[str],
    rows: dict[int, dict[str, Any]],
) -> pd.DataFrame:
    """A row per combination: the levers' values, the key, then the figures."""
    records = []
    for i, combo in enumerate(combos):
        values = {lv.key: text.partition("=")[2] for lv, text in zip(levers, combo, strict=True)}
        records.append({**values, "key": keys[i], **rows[i]})
    frame = pd.DataFrame.from_records(records)
    fixed = [lv.key for lv in levers] + ["key"]
    known = [c for c in FIGURES if c in frame.columns]
    rest = sorted(c for c in frame.columns if c not in fixed and c not in FIGURES)
    return frame[fixed + known + rest]


def write(
    table: pd.DataFrame, levers: list[Lever], folder: Path, horizon: int, charts: bool
) -> None:
    """The table as CSV and Parquet, and (``charts``) months to target against each lever."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        clean = table.copy()
        clean.attrs = {}
        clean.to_csv(folder / f"{TABLE_FILE}.csv", index=False)
        clean.to_parquet(folder / f"{TABLE_FILE}.parquet", index=False)
    except OSError as exc:
        raise InputError(f"cannot write the sweep table in {folder}: {exc}") from exc
    if charts:
        from materiel.report import months_charts

        months_charts(table, levers, folder / "charts", horizon)
