"""The planner benchmark: materiel against its peers at sizes S, M and L (``make bench``).

    .venv/bin/python bench/run.py [S M L] [--runs N] [--out bench/results.json]

For each size it writes the synthetic scenario (``bench/generate.py``) to a temporary
folder, writes materiel's stage-1 LP to an MPS file once, then runs each peer
(``bench/peers.py``) in a fresh process, the peers taking turns within each round, and
keeps the median of every phase over the rounds (5 at S and M, 3 at L unless ``--runs``
says otherwise) and of the peak resident memory. It checks that every peer reached the
same objective as materiel (1e-6 relative), profiles materiel's build at the largest size
run, and writes ``bench/results.json`` with the machine's description; the table it
prints is the one in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

PEERS = ("materiel", "highspy", "mps", "pyomo")
RUNS = {"S": 5, "M": 5, "L": 3}
AGREE = 1e-6  # relative agreement of objectives
TARGETS = {  # at L, issue 8
    "overhead_pyomo_over_materiel": (">=", 10.0),
    "overhead_materiel_over_highspy": ("<=", 1.5),
    "end_to_end_materiel_over_mps": ("<=", 1.10),
    "memory_materiel_over_mps": ("<=", 1.5),
}


def json_line(cmd: list[str], what: str, timeout: float | None = None) -> dict[str, Any]:
    """Run ``cmd`` in a fresh process; the last JSON line it prints."""
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(lines[-1])
    return out


def peer(name: str, folder: Path, mps: Path, timeout: float = 7200) -> dict[str, Any]:
    """Run one peer once in a fresh process; its JSON line."""
    cmd = [sys.executable, str(HERE / "peers.py"), name, str(folder), "--mps", str(mps)]
    return json_line(cmd, f"{name} on {folder}", timeout)


def derived(run: dict[str, Any], name: str) -> dict[str, float]:
    """Overhead (everything but the solve and the load) and end to end, per run."""
    t = run["times"]
    if name == "mps":
        return {"overhead": t["read"], "end_to_end": t["read"] + t["solve"]}
    if name == "highspy":  # the matrix is given: hand-off and read-back only
        overhead = t["handoff"] + t["readback"]
    else:
        overhead = t["build"] + t["handoff"] + t["readback"]
    return {"overhead": overhead, "end_to_end": overhead + t["solve"]}


def medians(runs: list[dict[str, Any]], name: str) -> dict[str, float]:
    keys = list(runs[0]["times"])
    out = {k: statistics.median(r["times"][k] for r in runs) for k in keys}
    for k in ("overhead", "end_to_end"):
        out[k] = statistics.median(derived(r, name)[k] for r in runs)
    out["peak_rss_mb"] = statistics.median(r["peak_rss_mb"] for r in runs)
    return out


def machine() -> dict[str, Any]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(ln.split()[1]) / 1024**2
        for ln in Path("/proc/meminfo").read_text().splitlines()
        if ln.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem, 1),
        "python": platform.python_version(),
        **{p: metadata.version(p) for p in ("highspy", "linopy", "pyomo", "numpy", "xarray")},
        "platform": platform.platform(),
    }


def ratios(m: dict[str, dict[str, float]], *, solved: bool = True) -> dict[str, float | None]:
    """The issue's ratios; those that need a solve are None where materiel's was skipped."""
    mat, hs, mps, pyo = (m[p] for p in PEERS)
    out: dict[str, float | None] = {
        "overhead_pyomo_over_materiel": pyo["overhead"] / mat["overhead"],
        "overhead_materiel_over_highspy": mat["overhead"] / hs["overhead"],
        "handoff_readback_materiel_over_highspy": (mat["handoff"] + mat["readback"])
        / hs["overhead"],
        "end_to_end_materiel_over_mps": mat["end_to_end"] / mps["end_to_end"],
        # the two make the same simplex iterations on the same matrix: with the solve
        # taken as the same, this is what materiel's overhead adds, free of load noise
        "end_to_end_same_solve_materiel_over_mps": (mat["overhead"] + mps["solve"])
        / mps["end_to_end"],
        "memory_materiel_over_mps": mat["peak_rss_mb"] / mps["peak_rss_mb"],
        "solve_pyomo_over_materiel": pyo["solve"] / mat["solve"] if pyo["solve"] else None,
    }
    if not solved:
        for k in (
            "end_to_end_materiel_over_mps",
            "end_to_end_same_solve_materiel_over_mps",
            "memory_materiel_over_mps",
        ):
            out[k] = None
    return out


def met(r: dict[str, float | None]) -> dict[str, bool | None]:
    out: dict[str, bool | None] = {}
    for k, (op, bound) in TARGETS.items():
        value = r[k]
        out[k] = None if value is None else (value >= bound if op == ">=" else value <= bound)
    return out


def table(results: dict[str, Any]) -> str:
    """The markdown table of medians [s] and peak memory [MB]."""
    head = (
        "| size | peer | build | hand-off | solve | read-back | overhead | end to end "
        "| peak MB | objective |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for size, res in results["sizes"].items():
        for name in PEERS:
            md = res["medians"][name]
            build = "given" if name == "highspy" else f"{md.get('build', md.get('read', 0.0)):.3f}"
            label = {"mps": "HiGHS from MPS (read)", "highspy": "highspy direct"}.get(name, name)
            skipped = name not in res["objectives"]
            solve = "not run" if skipped else f"{md['solve']:.2f}"
            whole = "" if skipped else f"{md['end_to_end']:.2f}"
            objective = "" if skipped else f"{res['objectives'][name]:.6f}"
            peak = "" if skipped else f"{md['peak_rss_mb']:.0f}"
            rows.append(
                f"| {size} | {label} | {build} | {md.get('handoff', 0.0):.3f} "
                f"| {solve} | {md.get('readback', 0.0):.3f} | {md['overhead']:.3f} "
                f"| {whole} | {peak} | {objective} |"
            )
    return head + "\n".join(rows)


def profile(folder: Path) -> dict[str, Any]:
    return json_line([sys.executable, str(HERE / "peers.py"), "profile", str(folder)], "profile")


def summarise(size: str, runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians, ratios, agreement and targets of one size's runs."""
    solved = [p for p in PEERS if not runs[p][0].get("solve_skipped")]
    objectives = {p: runs[p][0]["objective"] for p in solved}
    base = objectives.get("materiel", float("nan"))
    agree = {p: abs(objectives[p] - base) / max(1.0, abs(base)) for p in solved}
    med = {p: medians(runs[p], p) for p in PEERS}
    skipped = [p for p in PEERS if p not in solved]
    if "mps" in skipped and "materiel" in solved:  # same iterations, same matrix
        med["mps"]["solve"] = med["materiel"]["solve"]
        med["mps"]["end_to_end"] = med["mps"]["read"] + med["mps"]["solve"]
    first = runs["materiel"][0]
    return {
        "size": vars(generate.SIZES[size]),
        "lp": {k: first[k] for k in ("rows", "cols", "nonzeros")},
        "pyomo_lp": {k: runs["pyomo"][0][k] for k in ("rows", "cols", "nonzeros")},
        "objectives": objectives,
        "relative_difference": agree,
        "agree": all(v <= AGREE for v in agree.values()) if len(agree) > 1 else None,
        "medians": med,
        "ratios": (r := ratios(med, solved="materiel" in solved)),
        "targets_met": met(r),
        "rounds": len(runs["materiel"]),
        "solve_skipped": skipped,
        "runs": runs,
    }


def from_log(paths: list[Path]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Runs logged as ``SIZE round R PEER: {json}`` lines (run.py's stderr)."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    lines = [ln for path in paths for ln in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        head, _, rest = line.partition(": ")
        words = head.split()
        if len(words) == 4 and words[1] == "round" and words[3] in PEERS:
            found.setdefault(words[0], {p: [] for p in PEERS})[words[3]].append(json.loads(rest))
    return found


def save(results: dict[str, Any], path: Path) -> None:
    """Write ``results``, keeping the sizes (and profile) another invocation measured."""
    merged = dict(results)
    if path.exists():
        before = json.loads(path.read_text(encoding="utf-8"))
        merged["sizes"] = {**before.get("sizes", {}), **results["sizes"]}
        if "profile" not in merged and "profile" in before:
            merged["profile"] = before["profile"]
    path.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", default=list(generate.SIZES))
    parser.add_argument("--runs", type=int, help="rounds per size (default 5 at S, M; 3 at L)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--table", action="store_true", help="print the table of --out")
    parser.add_argument("--from-log", type=Path, nargs="+", help="summarise logged runs")
    parser.add_argument("--profile-only", action="store_true")
    parser.add_argument("--note", help="a note kept in the results (the load, what was cut)")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),
        "highs_options": __import__("peers").HIGHS_OPTIONS,
        "sizes": {},
    }
    if args.note:
        results["note"] = args.note
    if args.table:
        report(json.loads(args.out.read_text(encoding="utf-8")))
        return
    if args.from_log:  # results from logged runs (sizes measured in pieces)
        logged = {k: summarise(k, v) for k, v in from_log(args.from_log).items()}
        save({**results, "sizes": logged}, args.out)
        return
    if args.profile_only:
        with tempfile.TemporaryDirectory(prefix="materiel-bench-") as tmp:
            size = args.sizes[-1]
            folder = generate.write(generate.SIZES[size], Path(tmp) / size)
            save({**results, "profile": {"size": size, **profile(folder)}}, args.out)
        return
    with tempfile.TemporaryDirectory(prefix="materiel-bench-") as tmp:
        for size in args.sizes:
            folder = generate.write(generate.SIZES[size], Path(tmp) / size)
            started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            load_before = os.getloadavg()
            if not args.no_profile and size == args.sizes[-1]:
                results["profile"] = {"size": size, **profile(folder)}
            mps = Path(tmp) / f"{size}.mps"
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "peers.py"),
                    "write-mps",
                    str(folder),
                    "--mps",
                    str(mps),
                ],
                check=True,
                capture_output=True,
            )
            runs: dict[str, list[dict[str, Any]]] = {p: [] for p in PEERS}
            for r in range(args.runs or RUNS.get(size, 3)):
                for name in PEERS:
                    runs[name].append(peer(name, folder, mps))
                    line = json.dumps(runs[name][-1])
                    print(f"{size} round {r + 1} {name}: {line}", file=sys.stderr, flush=True)
            results["sizes"][size] = summarise(size, runs)
            results["sizes"][size].update(started=started, load_average_before=load_before)
            print(json.dumps({size: results["sizes"][size]["ratios"]}), file=sys.stderr)
            results["sizes"][size]["load_average_after"] = os.getloadavg()
            save(results, args.out)
    report(results)


def report(results: dict[str, Any]) -> None:
    print(table(results))
    for size, res in results["sizes"].items():
        print(f"\n{size}: agree={res['agree']} ratios={json.dumps(res['ratios'])}")
        print(f"{size}: targets met: {res['targets_met']}")


if __name__ == "__main__":
    main()
