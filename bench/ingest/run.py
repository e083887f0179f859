"""Speed of ``materiel ingest`` (a benchmark, not a test): run from the repository root.

    .venv/bin/python bench/ingest/run.py [--articles 1000] [--big-mb 5]

Measures (1) 1,000 articles of about 5 kB each, made by recombining the sentences of the
test corpora with their names and figures varied, read and merged in one run; (2) one
file of about 5 MB made the same way; (3) start-up: the time ``materiel ingest`` takes on
one small file, as a fresh process, and the time to import the ingest pipeline alone.
Goals (issue 13): under 10 s, a few seconds, under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "tests" / "ingest" / "corpus", ROOT / "tests" / "ingest" / "heldout"]
COUNTRIES = ["Germany", "Poland", "Norway", "Sweden", "France", "Spain", "Italy", "Canada",
             "Denmark", "Estonia", "Latvia", "Lithuania", "Romania", "the Netherlands"]  # fmt: skip
COMPANIES = ["Rheinmetall", "Nammo", "Saab", "Thales", "MBDA", "KNDS", "BAE Systems", "RTX"]


def _sentences() -> list[str]:
    found: list[str] = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.txt")) + sorted(folder.glob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [p.strip() for p in text.split("\n\n") if len(p.strip()) > 60]
    return found


def _vary(paragraph: str, rng: random.Random) -> str:
    for name in COUNTRIES:
        if name in paragraph and rng.random() < 0.5:
            paragraph = paragraph.replace(name, rng.choice(COUNTRIES))
    for name in COMPANIES:
        if name in paragraph and rng.random() < 0.5:
            paragraph = paragraph.replace(name, rng.choice(COMPANIES))
    return paragraph.replace("2024", str(rng.choice([2022, 2023, 2024, 2025])))


def article(rng: random.Random, paragraphs: list[str], size: int) -> str:
    day = rng.randint(1, 28)
    parts = [f"Headline {rng.randint(1, 10**6)}", f"By A. Writer | {day} May 2024"]
    while sum(len(p) for p in parts) < size:
        parts.append(_vary(rng.choice(paragraphs), rng))
    return "\n\n".join(parts) + "\n"


def _cpu() -> float:
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--big-mb", type=float, default=5.0)
    args = parser.parse_args()
    rng = random.Random(13)
    paragraphs = _sentences()
    from materiel.ingest import ingest

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "many"
        folder.mkdir()
        for i in range(args.articles):
            (folder / f"a{i:04d}.txt").write_text(article(rng, paragraphs, 5000))
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        start, cpu = time.perf_counter(), _cpu()
        result = ingest([folder])
        many, cpu = time.perf_counter() - start, _cpu() - cpu
        print(
            f"{args.articles} articles of ~5 kB: {many:.1f} s wall, {cpu:.1f} s CPU, "
            f"{len(result.facts)} facts"
        )

        big = Path(tmp) / "big.txt"
        big.write_text(article(rng, paragraphs, int(args.big_mb * 1_000_000) - 20_000))
        start, cpu = time.perf_counter(), _cpu()
        result = ingest([big])
        one, cpu = time.perf_counter() - start, _cpu() - cpu
        size = big.stat().st_size / 1e6
        print(
            f"one file of {size:.1f} MB: {one:.1f} s wall, {cpu:.1f} s CPU, "
            f"{len(result.facts)} facts"
        )

        small = folder / "a0000.txt"
        exe = [sys.executable, "-m", "materiel.cli"]
        command = min(_timed([*exe, "ingest", str(small)]) for _ in range(3))
        imports = min(
            _timed([sys.executable, "-c", "import materiel.ingest.pipeline"]) for _ in range(3)
        )
        bare = min(_timed([sys.executable, "-c", "pass"]) for _ in range(3))
        print(f"materiel ingest on one small file, whole process: {command:.2f} s")
        print(f"import of the ingest pipeline: {imports - bare:.2f} s (python itself {bare:.2f} s)")


if __name__ == "__main__":
    main()
