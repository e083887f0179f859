"""The size of the planner's stage-1 LP and what each formulation option does to it.

    .venv/bin/python bench/model_size.py M [S nato-2024 L]
        [--options base dispatch_per_period ...] [--solvers simplex ipm1 ipm2]
        [--families] [--out bench/model_size.json]

For each scenario (a size of ``bench/generate.py`` or a built-in scenario's name) and
each formulation (``base``: every formulation flag of ``BuildOptions`` off; a name or
names joined by ``+``: those flags on) it builds the stage-1 LP (least weighted
shortfall, ``policy.whole_lots=false``, every integer column relaxed: the relaxation
the planner solves first) and prints its rows, columns and nonzeros as HiGHS holds it,
the build time (``build_inputs`` + ``build_model``), and for each solver the time,
iterations and objective:

- ``simplex``: dual simplex, presolve on, one thread (the planner's stage 1 and the
  benchmark's peers);
- ``ipm1``, ``ipm2``: interior point (HiGHS's IPX) without crossover, on one and on two
  threads;
- on request: ``primal`` (primal simplex), ``pami2`` (HiGHS's parallel dual simplex on
  two threads), ``ipm1x`` (interior point with crossover, one thread).

Each solve runs in a fresh process (HiGHS's thread pool is set once per process), which
builds the model again. ``--families`` prints the nonzeros of each constraint family
and of each variable (where they come from) and the fill-in of the normal equations
(:func:`families`). Every objective is compared with the
``base`` formulation's with the same solver (relative difference). The load average is
printed before and after each solve: figures measured under load say so.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402

SOLVERS: dict[str, dict[str, Any]] = {
    "simplex": {"solver": "simplex", "simplex_strategy": 1, "threads": 1},
    "ipm1": {"solver": "ipm", "run_crossover": "off", "threads": 1},
    "ipm2": {"solver": "ipm", "run_crossover": "off", "threads": 2},
    # not run unless asked (--solvers): other ways HiGHS could solve stage 1
    "primal": {"solver": "simplex", "simplex_strategy": 4, "threads": 1},
    "pami2": {"solver": "simplex", "simplex_strategy": 3, "threads": 2},
    "ipm1x": {"solver": "ipm", "run_crossover": "on", "threads": 1},
}
DEFAULT_SOLVERS = ("simplex", "ipm1", "ipm2")
COMMON = {"presolve": "on", "output_flag": False, "log_to_console": False}


def formulation_flags() -> list[str]:
    """The boolean fields of ``BuildOptions``: the formulation options."""
    from materiel.planner.model import BuildOptions

    return [f.name for f in dataclasses.fields(BuildOptions) if f.type in ("bool", bool)]


def options_of(spec: str) -> Any:
    """``BuildOptions`` with every formulation flag off but those named in ``spec``."""
    from materiel.planner.model import BuildOptions

    flags = formulation_flags()
    on = set() if spec == "base" else set(spec.split("+"))
    unknown = on - set(flags)
    if unknown:
        raise SystemExit(f"unknown formulation option(s) {sorted(unknown)}; known: {flags}")
    return BuildOptions(**{f: f in on for f in flags})


def build(source: str, spec: str) -> tuple[Any, Any, float]:
    """The stage-1 LP of ``source`` (a folder or a built-in name) as a HiGHS instance,
    every integer column relaxed; its linopy model; the build's seconds."""
    import numpy as np

    import materiel
    from materiel.planner import compat
    from materiel.planner.model import build_model
    from materiel.scenario.arrays import build_inputs

    scenario = materiel.load_scenario(source, overrides=["policy.whole_lots=false"])
    options = options_of(spec)
    t0 = time.perf_counter()
    m = build_model(build_inputs(scenario), options)
    seconds = time.perf_counter() - t0
    h, _ = compat.to_highs(m)
    n = h.getNumCol()
    cols = np.arange(n, dtype=np.int32)
    h.changeColsIntegrality(n, cols, compat.integrality(n, integer=False))
    return h, m, seconds


def families(m: Any) -> dict[str, Any]:
    """Rows and nonzeros of each constraint family, columns and nonzeros of each variable
    (in linopy's matrix, duplicate terms merged, zeros dropped), and the fill-in: the
    nonzeros of the normal equations ``A·Aᵀ`` (lower triangle; each column j puts up to
    ``nnz_j²`` entries there, counted by variable) and of their factor, ``L`` of
    SuperLU's LU of ``A·Aᵀ + I`` in symmetric mode with the minimum-degree ordering of
    ``A·Aᵀ`` (the Cholesky factor an interior point with normal equations would build;
    HiGHS's IPX instead preconditions with a basis, whose factors fill in likewise)."""
    import numpy as np
    import scipy.sparse as sp
    import scipy.sparse.linalg as sla

    A = m.matrices.A.tocsr()
    A.eliminate_zeros()
    rows, cols = np.asarray(m.matrices.clabels), np.asarray(m.matrices.vlabels)
    row_nz, col_nz = np.diff(A.indptr), np.diff(A.tocsc().indptr)

    def count(labels: Any, order: Any, nz: Any) -> list[int]:
        lab = labels.values.ravel()
        at = np.searchsorted(order, lab[lab >= 0])
        return [len(at), int(nz[at].sum()), int(nz[at].max()) if len(at) else 0]

    def squares(labels: Any) -> int:
        lab = labels.values.ravel()
        return int((col_nz[np.searchsorted(cols, lab[lab >= 0])].astype(np.int64) ** 2).sum())

    normal = (A @ A.T).tocsc() + sp.identity(A.shape[0], format="csc")
    t0 = time.perf_counter()
    factor = sla.splu(
        normal,
        permc_spec="MMD_AT_PLUS_A",
        diag_pivot_thresh=0.0,
        options={"SymmetricMode": True},
    )
    return {
        "constraints": {k: count(m.constraints[k].labels, rows, row_nz) for k in m.constraints},
        "variables": {k: count(m.variables[k].labels, cols, col_nz) for k in m.variables},
        "normal_by_variable": {k: squares(m.variables[k].labels) for k in m.variables},
        "normal_nonzeros": int(sp.tril(normal).nnz),
        "factor_nonzeros": int(factor.L.nnz),
        "factor_s": time.perf_counter() - t0,
    }


def one(source: str, spec: str, solver: str, with_families: bool) -> dict[str, Any]:
    """Build and (unless ``solver`` is ``none``) solve once, in this process."""
    h, m, seconds = build(source, spec)
    out: dict[str, Any] = {
        "build_s": seconds,
        "rows": h.getNumRow(),
        "cols": h.getNumCol(),
        "nonzeros": h.getNumNz(),
    }
    if with_families:
        out["families"] = families(m)
    if solver == "none":
        return out
    for key, value in {**COMMON, **SOLVERS[solver]}.items():
        h.setOptionValue(key, value)
    out["load_before"] = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    h.run()
    out["solve_s"] = time.perf_counter() - t0
    out["solve_cpu_s"] = time.process_time() - c0  # all of the process's threads
    out["load_after"] = os.getloadavg()[0]
    info = h.getInfo()
    out["status"] = h.modelStatusToString(h.getModelStatus())
    out["objective"] = float(info.objective_function_value)
    simplex = SOLVERS[solver]["solver"] == "simplex"
    out["iterations"] = int(info.simplex_iteration_count if simplex else info.ipm_iteration_count)
    if not simplex:
        out["crossover_iterations"] = int(info.crossover_iteration_count)
    return out


def fresh(source: str, spec: str, solver: str, with_families: bool) -> dict[str, Any]:
    """:func:`one` in a fresh process."""
    cmd = [sys.executable, __file__, "--one", source, "--options", spec, "--solvers", solver]
    if with_families:
        cmd.append("--families")
    return run.json_line(cmd, f"{source} {spec} {solver}")


def source_of(name: str, tmp: Path) -> str:
    """A size's scenario folder, written to ``tmp``; a built-in scenario's name as is."""
    if name in run.generate.SIZES:
        return str(run.generate.write(run.generate.SIZES[name], tmp / name))
    return name


def report_families(name: str, spec: str, fam: dict[str, Any]) -> None:
    print(f"\n{name} {spec}: family rows nonzeros (largest row)")
    for key, (n, nz, top) in sorted(fam["constraints"].items(), key=lambda kv: -kv[1][1]):
        print(f"  {key:34s} {n:9,d} {nz:11,d} {top:7,d}")
    print(f"{name} {spec}: variable columns nonzeros (largest column) Σ nonzeros²")
    for key, (n, nz, top) in sorted(fam["variables"].items(), key=lambda kv: -kv[1][1]):
        print(f"  {key:34s} {n:9,d} {nz:11,d} {top:7,d} {fam['normal_by_variable'][key]:13,d}")
    print(
        f"{name} {spec}: A·Aᵀ {fam['normal_nonzeros']:,} nonzeros (lower), its factor "
        f"{fam['factor_nonzeros']:,} ({fam['factor_s']:.1f} s)"
    )


HEAD = (
    "| scenario | formulation | solver | rows | columns | nonzeros | build s | solve s "
    "| solve CPU s | CPU vs base | iterations | objective | vs base | UTC | load before/after |"
)


def measure(source: str, spec: str, solver: str, runs: int, families: bool) -> dict[str, Any]:
    """:func:`fresh` ``runs`` times; the first run's figures with the median times."""
    results = [fresh(source, spec, solver, families and k == 0) for k in range(runs)]
    res = results[0]
    for key in ("build_s", "solve_s", "solve_cpu_s"):
        if key in res:
            res[key] = statistics.median(r[key] for r in results)
            res[key + "_all"] = [r[key] for r in results]
    if "load_before" in res:
        res["load_before"] = min(r["load_before"] for r in results)
        res["load_after"] = max(r["load_after"] for r in results)
    return res


def row(res: dict[str, Any], base: dict[str, Any] | None) -> str:
    """A line of the table; ``base`` the same solver's run with every option off."""
    cells = [res["scenario"], res["formulation"], res["solver"]]
    cells += [f"{res[k]:,}" for k in ("rows", "cols", "nonzeros")] + [f"{res['build_s']:.2f}"]
    if "objective" not in res:
        return "| " + " | ".join(cells + [""] * 8) + " |"
    cpu, diff = "", ""
    if base is not None and "objective" in base:
        cpu = f"{res['solve_cpu_s'] / base['solve_cpu_s']:.2f}"
        diff = f"{res['relative_difference']:.1e}"
    cells += [f"{res['solve_s']:.2f}", f"{res['solve_cpu_s']:.2f}", cpu, str(res["iterations"])]
    cells += [f"{res['objective']:.6f}", diff, res["date"][11:16]]
    cells.append(f"{res['load_before']:.2f}/{res['load_after']:.2f}")
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", default=["M"], help="sizes or built-in scenarios")
    parser.add_argument("--options", nargs="+", default=["base"], help="base, or flags joined by +")
    parser.add_argument(
        "--solvers", nargs="+", default=list(DEFAULT_SOLVERS), help=f"{', '.join(SOLVERS)} or none"
    )
    parser.add_argument("--runs", type=int, default=1, help="solves of each (median times)")
    parser.add_argument("--families", action="store_true", help="nonzeros by family")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help="append the results (JSON lines) here")
    args = parser.parse_args(argv)
    if args.one:
        import warnings

        warnings.filterwarnings("ignore")
        print(json.dumps(one(args.one, args.options[0], args.solvers[0], args.families)))
        return
    print(f"# {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}, load {os.getloadavg()}")
    print(HEAD)
    print("|" + " --- |" * (HEAD.count("|") - 1))
    with tempfile.TemporaryDirectory(prefix="materiel-size-") as tmp:
        for name in args.names:
            source = source_of(name, Path(tmp))
            bases: dict[str, dict[str, Any]] = {}
            for spec in args.options:
                for k, solver in enumerate(args.solvers):
                    res = measure(source, spec, solver, args.runs, args.families and k == 0)
                    res.update(scenario=name, formulation=spec, solver=solver)
                    res["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                    if "families" in res:
                        report_families(name, spec, res.pop("families"))
                    if spec == "base":
                        bases[solver] = res
                    base = bases.get(solver)
                    if base is not None and "objective" in res and "objective" in base:
                        best = base["objective"]
                        res["relative_difference"] = abs(res["objective"] - best) / max(
                            1.0, abs(best)
                        )
                    print(row(res, base), flush=True)
                    if args.out:
                        with args.out.open("a", encoding="utf-8") as f:
                            f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
