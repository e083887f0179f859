"""Precision and recall of ingest against the gold file of the synthetic corpus.

Run ``python tests/ingest/ingest_scoring.py`` from the repository root to print the scores.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from materiel.ingest import Fact, ingest

CORPUS = Path(__file__).parent / "corpus"


def _equal(expected: Any, found: Any) -> bool:
    if isinstance(expected, str) and isinstance(found, int | float):
        try:
            expected = float(expected)  # YAML 1.1 reads "1.2e9" as a string
        except ValueError:
            return False
    if isinstance(expected, list):
        return isinstance(found, list) and set(expected) == set(found)
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected is found
    if isinstance(expected, int | float) and isinstance(found, int | float):
        return math.isclose(expected, found, rel_tol=1e-3)
    return bool(expected == found)


def matches(gold: dict[str, Any], fact: Fact) -> bool:
    """Whether ``fact`` has the kind and every field the gold entry gives."""
    if fact.kind != gold["kind"]:
        return False
    return all(_equal(v, fact.fields.get(k)) for k, v in gold.items() if k != "kind")


def score(prefixes: str = "ab") -> tuple[float, float, list[str]]:
    """(precision, recall, misses) of the unmerged facts against ``gold.yaml``, over the
    articles whose names start with one of ``prefixes`` ("a": development, "b": held out)."""
    gold: dict[str, list[dict[str, Any]]] = yaml.safe_load((CORPUS / "gold.yaml").read_text())
    gold = {name: facts for name, facts in gold.items() if name[0] in prefixes}
    files = sorted(p for p in CORPUS.iterdir() if p.name in gold)
    facts = ingest(files, merge=False).facts
    by_file: dict[str, list[Fact]] = {}
    for fact in facts:
        by_file.setdefault(Path(fact.file).name, []).append(fact)
    matched_gold = 0
    matched_facts = 0
    misses: list[str] = []
    for name, expected in gold.items():
        pool = list(by_file.get(name, []))
        for entry in expected:
            hit = next((f for f in pool if matches(entry, f)), None)
            if hit is None:
                misses.append(f"missed {name}: {entry}")
                continue
            pool.remove(hit)
            matched_gold += 1
            matched_facts += 1
        misses += [f"extra {name}: {f.kind} {f.fields}" for f in pool]
    n_gold = sum(len(v) for v in gold.values())
    precision = matched_facts / len(facts) if facts else 0.0
    recall = matched_gold / n_gold if n_gold else 0.0
    return precision, recall, misses


if __name__ == "__main__":
    for label, prefixes in (("development (a*)", "a"), ("held out (b*)", "b"), ("all", "ab")):
        p, r, problems = score(prefixes)
        print("\n".join(problems))
        print(f"{label}: precision {p:.3f}  recall {r:.3f}")
