"""The peers of the planner benchmark; each run once in this process, timed by phase.

    .venv/bin/python bench/peers.py PEER FOLDER [--mps FILE]

prints one JSON line: seconds per phase, the objective, the LP's size and the process's
peak resident memory. ``bench/run.py`` starts each run as a fresh process. Every peer
solves materiel's stage-1 LP (least weighted shortfall) with the same HiGHS options
(:data:`HIGHS_OPTIONS`).

- ``materiel``: build (``build_inputs`` + ``build_model``), hand-off
  (``compat.to_highs``), solve (``h.run()``), read-back (``compat.values_of`` for every
  variable).
- ``pyomo``: the same model in Pyomo (``bench/pyomo_model.py``) from the same
  ``ModelInputs``, solved through Pyomo's APPSI HiGHS interface; build, hand-off + solve
  (split with HiGHS's own run clock), read-back (loading the values into the Pyomo
  variables and collecting them).
- ``mps``: HiGHS alone: ``readModel`` of an MPS file written from materiel's instance,
  then ``run``. Imports nothing but highspy.
- ``highspy``: materiel's matrix (linopy's ``m.matrices``) passed to highspy directly as
  a ``HighsLp``; hand-off (``HighsLp`` + ``passModel``), solve, read-back (``col_value``).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import highspy

#: The same options for every peer: dual simplex, presolve on, one thread, quiet.
HIGHS_OPTIONS: dict[str, Any] = {
    "solver": "simplex",
    "simplex_strategy": 1,
    "presolve": "on",
    "threads": 1,
    "output_flag": False,
    "log_to_console": False,
}

Result = dict[str, Any]


def peak_rss_mb() -> float:
    """Peak resident memory of this process [MB]: VmHWM, the high-water mark of the
    process's own address space. ``ru_maxrss`` says the same for a process started from
    a small one, but Linux carries it over ``fork`` + ``exec``, so a peer started by
    a 150 MB ``run.py`` would report at least 150 MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _set_options(h: highspy.Highs) -> None:
    for key, value in HIGHS_OPTIONS.items():
        h.setOptionValue(key, value)


def _solved(h: highspy.Highs) -> Result:
    """Status, objective and size of a solved HiGHS instance."""
    info = h.getInfo()
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": float(info.objective_function_value),
        "iterations": int(info.simplex_iteration_count),
        "rows": int(h.getNumRow()),
        "cols": int(h.getNumCol()),
        "nonzeros": int(h.getNumNz()),
    }


def _load(folder: Path) -> Any:
    """The scenario as its LP relaxation (fractional quantities): the peers build that LP;
    bench/lots.py measures what whole lots add."""
    import materiel

    return materiel.load_scenario(folder, overrides=["policy.whole_lots=false"])


def _import_materiel() -> None:
    """Import the planner before any clock starts: imports are not part of a build."""


def _build_materiel(scenario: Any) -> tuple[Any, Any]:
    from materiel.planner.model import build_model
    from materiel.scenario.arrays import build_inputs

    inp = build_inputs(scenario)
    if inp.has_tiers:
        raise SystemExit("the benchmark scenarios must be LPs (no price tiers)")
    return inp, build_model(inp)


def peer_materiel(folder: Path, *, skip_solve: bool = False, **_: Any) -> Result:
    """``skip_solve``: build, hand-off, and the read-back of the unsolved instance's
    column values (the same arrays: its cost does not depend on the values)."""
    from materiel.planner import compat

    _import_materiel()
    t0 = time.perf_counter()
    scenario = _load(folder)
    t1 = time.perf_counter()
    _, m = _build_materiel(scenario)
    t2 = time.perf_counter()
    h, layout = compat.to_highs(m)
    _set_options(h)
    t3 = time.perf_counter()
    if not skip_solve:
        h.run()
    t4 = time.perf_counter()
    col_value = highs_values(h)
    values = {name: compat.values_of(m.variables[name], layout, col_value) for name in m.variables}
    t5 = time.perf_counter()
    assert len(values) == len(m.variables)
    times = {"load": t1 - t0, "build": t2 - t1, "handoff": t3 - t2, "solve": t4 - t3}
    times["readback"] = t5 - t4
    return {"times": times, **_solved(h), "solve_skipped": skip_solve}


def highs_values(h: highspy.Highs) -> Any:
    """Column values of a solved instance as a numpy array."""
    import numpy as np

    return np.asarray(h.getSolution().col_value)


def peer_pyomo(folder: Path, *, skip_solve: bool = False, **_: Any) -> Result:
    """``skip_solve``: build and hand-off only (APPSI's ``set_instance``), no read-back."""
    import pyomo.environ as pyo
    from pyomo.contrib.appsi.solvers import Highs

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pyomo_model

    from materiel.scenario.arrays import build_inputs

    _import_materiel()
    t0 = time.perf_counter()
    scenario = _load(folder)
    t1 = time.perf_counter()
    inp = build_inputs(scenario)
    model = pyomo_model.build(inp)
    t2 = time.perf_counter()
    opt = Highs()
    opt.config.load_solution = False
    opt.highs_options = {k: v for k, v in HIGHS_OPTIONS.items() if k != "output_flag"}
    if skip_solve:
        opt.set_instance(model)
        t3 = time.perf_counter()
        times = {"load": t1 - t0, "build": t2 - t1, "handoff": t3 - t2, "solve": 0.0}
        h = opt._solver_model
        return {"times": {**times, "readback": 0.0}, **_solved(h), "solve_skipped": True}
    results = opt.solve(model)
    t3 = time.perf_counter()
    results.solution_loader.load_vars()
    values = pyomo_model.values(model)
    t4 = time.perf_counter()
    h = opt._solver_model  # the highspy.Highs instance APPSI built, for its run clock
    solve = float(h.getRunTime())
    times = {"load": t1 - t0, "build": t2 - t1, "handoff": t3 - t2 - solve, "solve": solve}
    times["readback"] = t4 - t3
    out = {"times": times, **_solved(h)}
    out["objective"] = float(pyo.value(model.weighted_shortfall))
    out["pyomo_vars"] = sum(len(v) for v in values.values())
    out["pyomo_rows"] = sum(len(c) for c in model.component_objects(pyo.Constraint, active=True))
    return out


def peer_mps(
    folder: Path, *, mps: Path | None = None, skip_solve: bool = False, **_: Any
) -> Result:
    """``skip_solve``: ``readModel`` only."""
    if mps is None:
        raise SystemExit("the mps peer needs --mps FILE (see bench/run.py)")
    t0 = time.perf_counter()
    h = highspy.Highs()
    _set_options(h)
    h.readModel(str(mps))
    t1 = time.perf_counter()
    if not skip_solve:
        h.run()
    t2 = time.perf_counter()
    return {"times": {"read": t1 - t0, "solve": t2 - t1}, **_solved(h), "solve_skipped": skip_solve}


def peer_highspy(folder: Path, *, skip_solve: bool = False, **_: Any) -> Result:
    """``skip_solve``: hand-off and read-back only (the solve is materiel's, iteration for
    iteration: the same matrix with the same options); the read-back then copies the
    unsolved instance's column values, an array of the same length."""
    import numpy as np

    _import_materiel()
    t0 = time.perf_counter()
    scenario = _load(folder)
    t1 = time.perf_counter()
    _, m = _build_materiel(scenario)
    t2 = time.perf_counter()
    M = m.matrices
    A = M.A.tocsc()
    lb, ub, c, b, sense = (np.asarray(x) for x in (M.lb, M.ub, M.c, M.b, M.sense))
    t3 = time.perf_counter()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = c, lb, ub
    lp.row_lower_ = np.where(sense != "<", b, -np.inf)
    lp.row_upper_ = np.where(sense != ">", b, np.inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = A.shape[1], A.shape[0]
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    h = highspy.Highs()
    _set_options(h)
    h.passModel(lp)
    t4 = time.perf_counter()
    if not skip_solve:
        h.run()
    t5 = time.perf_counter()
    col_value = highs_values(h)
    t6 = time.perf_counter()
    assert col_value.shape == (A.shape[1],)
    times = {"load": t1 - t0, "build": t2 - t1, "matrices": t3 - t2, "handoff": t4 - t3}
    times.update(solve=t5 - t4, readback=t6 - t5)
    return {"times": times, **_solved(h), "solve_skipped": skip_solve}


def write_mps(folder: Path, path: Path) -> None:
    """Write materiel's stage-1 LP of ``folder`` to ``path`` with highspy's writeModel."""
    from materiel.planner import compat

    _, m = _build_materiel(_load(folder))
    h, _ = compat.to_highs(m)
    h.writeModel(str(path))


def profile_build(folder: Path, top: int = 25) -> Result:
    """cProfile of materiel's build (build_inputs + build_model): where the time goes."""
    import cProfile
    import pstats

    _import_materiel()
    scenario = _load(folder)
    prof = cProfile.Profile()
    prof.enable()
    _build_materiel(scenario)
    prof.disable()
    stats = pstats.Stats(prof)
    rows = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in rows.values())

    def where(key: tuple[str, int, str]) -> str:
        file, line, func = key
        for part in ("materiel", "linopy", "xarray", "pandas", "numpy", "scipy"):
            if f"/{part}/" in file:
                return f"{part}{file.split(f'/{part}', 1)[1]}:{line}({func})"
        return f"{Path(file).name}:{line}({func})"

    by_package: dict[str, float] = {}
    for (file, _, _), (_, _, tt, _, _) in rows.items():
        package = next(
            (p for p in ("materiel", "linopy", "xarray", "pandas", "numpy", "scipy")
             if f"/{p}/" in file),
            "other",
        )  # fmt: skip
        by_package[package] = by_package.get(package, 0.0) + tt
    cumulative = sorted(rows.items(), key=lambda kv: -kv[1][3])[:top]
    own = sorted(rows.items(), key=lambda kv: -kv[1][2])[:top]
    return {
        "total_s": total,
        "own_time_by_package_s": dict(sorted(by_package.items(), key=lambda kv: -kv[1])),
        "top_cumulative": [[where(k), round(v[3], 3), v[1]] for k, v in cumulative],
        "top_own": [[where(k), round(v[2], 3), v[1]] for k, v in own],
    }


PEERS: dict[str, Callable[..., Result]] = {
    "materiel": peer_materiel,
    "pyomo": peer_pyomo,
    "mps": peer_mps,
    "highspy": peer_highspy,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="run one benchmark peer once")
    parser.add_argument("peer", choices=[*PEERS, "write-mps", "profile"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--mps", type=Path)
    parser.add_argument("--skip-solve", action="store_true", help="highspy: hand-off only")
    args = parser.parse_args(argv)
    if args.peer == "write-mps":
        write_mps(args.folder, args.mps)
        return
    import warnings

    warnings.filterwarnings("ignore")
    if args.peer == "profile":
        print(json.dumps(profile_build(args.folder)))
        return
    out = PEERS[args.peer](args.folder, mps=args.mps, skip_solve=args.skip_solve)
    out["peak_rss_mb"] = peak_rss_mb()
    out["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
