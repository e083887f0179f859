"""Scoring ``materiel ingest`` against a gold file, by the rule of the dev corpus README.

A predicted fact matches a gold fact when it comes from the gold fact's article (or lists
it among its sources), its kind is the gold kind (or in ``kind_also_ok``), every actor role
of the gold fact (except ``optional_roles``) holds the same actor or set of actors after
aliases, and every non-null gold figure (``value`` with ``currency`` or an ``alt_values``
entry, ``quantity``, ``share_of_gdp``, ``year`` or a ``year_also_ok`` entry) is present
within 1 %. A merged fact's conflicting figures count as present. A prediction that reports
a ``denied`` gold fact with another status matches nothing. Precision is matched
predictions over all predictions, recall matched gold facts over all gold facts; merge
accuracy is the share of ``same_event`` groups found in one output fact and of
``must_not_merge`` entries whose groups are found in different output facts. Date, status
and qualifier accuracy are measured on the matched pairs.

Run ``python tests/ingest/scoring.py [GOLD.json ARTICLES_DIR]`` to print the table (by
default for the dev corpus in ``../shared/corpus/dev``).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from materiel.ingest import Fact, ingest
from materiel.ingest.gazetteer import Gazetteer, load_gazetteer

HERE = Path(__file__).parent
#: The dev corpus of issue 13, beside the repository (absent on a bare clone).
DEV = HERE.parents[2] / "shared" / "corpus" / "dev"
#: Held-out articles written for this project and never tuned on.
HELDOUT = HERE / "heldout"
#: Excerpts of real articles (issue 27): ``tune/`` may be tuned on, ``heldout/`` never.
REAL = HERE / "real"
#: The synthetic corpus the first rules were written with.
OWN = HERE / "corpus"
TOLERANCE = 0.01
_FIGURES = ("quantity", "share_of_gdp")


def _close(a: Any, b: Any) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=TOLERANCE)
    except (TypeError, ValueError):
        return False


class Names:
    """Accepted spellings: the gold file's aliases and the gazetteer's spellings."""

    def __init__(self, aliases: dict[str, dict[str, list[str]]], gazetteer: Gazetteer) -> None:
        self._gold: dict[str, set[str]] = {}
        for table in aliases.values():
            for name, variants in table.items():
                self._gold.setdefault(name.lower(), {name.lower()}).update(
                    v.lower() for v in variants
                )
        self._ids: dict[str, set[str]] = {}
        for spelling, (_kind, ident, _form) in gazetteer.spellings().items():
            self._ids.setdefault(ident.lower(), {ident.lower()}).add(spelling.lower())
        for (_kind, ident), entry in gazetteer.entries.items():
            self._ids.setdefault(ident.lower(), {ident.lower()}).add(entry.name.lower())

    def gold(self, name: str) -> set[str]:
        return self._gold.get(name.lower(), {name.lower()})

    def predicted(self, ident: str) -> set[str]:
        return self._ids.get(ident.lower(), {ident.lower()})

    def same(self, gold: str, predicted: str) -> bool:
        return bool(self.gold(gold) & self.predicted(predicted))

    def same_set(self, gold: Any, predicted: Any) -> bool:
        golds = gold if isinstance(gold, list) else [gold]
        preds = predicted if isinstance(predicted, list) else [predicted]
        preds = [p for p in preds if p is not None]
        if len(set(golds)) != len(set(preds)):
            return False
        return all(any(self.same(g, p) for p in preds) for g in golds) and all(
            any(self.same(g, p) for g in golds) for p in preds
        )


def _stated(fact: Fact, key: str) -> list[Any]:
    """Every value a (merged) fact gives for ``key``: its own and its conflicting ones."""
    values = [fact.fields.get(key)]
    values += [c.get("value") for c in fact.conflicts.get(key, [])]
    return [v for v in values if v is not None]


def _money_ok(gold: dict[str, Any], fact: Fact) -> bool:
    wanted = [(gold["value"], gold.get("currency"))]
    wanted += [(a["value"], a.get("currency")) for a in gold.get("alt_values") or []]
    stated = [(v, fact.fields.get("currency")) for v in _stated(fact, "value")]
    stated += [(a.get("value"), a.get("currency")) for a in fact.fields.get("alt_values") or []]
    return any(
        _close(gv, pv) and (gc is None or gc == pc) for gv, gc in wanted for pv, pc in stated
    )


def _year_ok(gold: dict[str, Any], fact: Fact) -> bool:
    years = [gold["year"], *(gold.get("year_also_ok") or [])]
    return any(int(y) == int(p) for y in years for p in _stated(fact, "year"))


def _item_ok(gold: dict[str, Any], fact: Fact, names: Names) -> bool:
    items = [gold["item"], *(gold.get("item_also_ok") or [])]
    found = fact.fields.get("item")
    return found is not None and any(names.same(i, found) for i in items)


def matches(gold: dict[str, Any], fact: Fact, names: Names) -> bool:
    """Whether ``fact`` states the gold fact, by the corpus README's rule."""
    if gold["article"] not in {Path(s.file).name for s in fact.sources}:
        return False
    if fact.kind not in (gold["kind"], *(gold.get("kind_also_ok") or [])):
        return False
    if gold.get("status") == "denied" and fact.fields.get("status") != "denied":
        return False
    actors = fact.fields.get("actors") or {}
    optional = set(gold.get("optional_roles") or [])
    for role, who in (gold.get("actors") or {}).items():
        if role in optional and role not in actors:
            continue
        if role not in actors or not names.same_set(who, actors[role]):
            return False
    if gold.get("item") is not None and not _item_ok(gold, fact, names):
        return False
    if gold.get("value") is not None and not _money_ok(gold, fact):
        return False
    for key in _FIGURES:
        if gold.get(key) is not None and not any(_close(gold[key], v) for v in _stated(fact, key)):
            return False
    return gold.get("year") is None or _year_ok(gold, fact)


@dataclass
class Score:
    """The scores of one run against one gold file."""

    predictions: int = 0
    matched_predictions: int = 0
    gold: int = 0
    matched_gold: int = 0
    same_event: tuple[int, int] = (0, 0)
    kept_apart: tuple[int, int] = (0, 0)
    date: tuple[int, int] = (0, 0)
    status: tuple[int, int] = (0, 0)
    qualifier: tuple[int, int] = (0, 0)
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    #: kind -> [matched predictions, predictions, matched gold facts, gold facts]
    kinds: dict[str, list[int]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.matched_predictions / self.predictions if self.predictions else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    @staticmethod
    def rate(pair: tuple[int, int]) -> str:
        return f"{pair[0]}/{pair[1]}" + (f" ({pair[0] / pair[1]:.2f})" if pair[1] else "")

    def row(self, label: str) -> str:
        return (
            f"| {label} | {self.precision:.2f} ({self.matched_predictions}/{self.predictions}) "
            f"| {self.recall:.2f} ({self.matched_gold}/{self.gold}) "
            f"| {self.rate(self.same_event)} | {self.rate(self.kept_apart)} "
            f"| {self.rate(self.status)} | {self.rate(self.date)} | {self.rate(self.qualifier)} |"
        )


HEADER = (
    "| corpus | precision | recall | same event merged | look-alikes kept apart "
    "| status | date | qualifier |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
)


def _qualifier(fact: Fact) -> Any:
    fields = fact.fields
    if fields.get("value") is not None:
        return fields.get("value_qualifier")
    return fields.get("share_qualifier") or fields.get("value_qualifier")


def score_facts(gold_data: dict[str, Any], facts: list[Fact], names: Names) -> Score:
    """Score ``facts`` (as ``ingest`` returns them) against a gold file's content."""
    gold = gold_data["facts"]
    result = Score(predictions=len(facts), gold=len(gold))
    found: dict[str, list[int]] = {}
    matched_facts: set[int] = set()
    counts = {"date": [0, 0], "status": [0, 0], "qualifier": [0, 0]}
    kinds = result.kinds
    for entry in gold:
        hits = [i for i, fact in enumerate(facts) if matches(entry, fact, names)]
        found[entry["id"]] = hits
        tally = kinds.setdefault(entry["kind"], [0, 0, 0, 0])
        tally[3] += 1
        tally[2] += bool(hits)
        if not hits:
            result.misses.append(f"{entry['id']} {entry['article'][:24]}: {_short(entry)}")
            continue
        result.matched_gold += 1
        matched_facts.update(hits)
        fact = facts[hits[0]]
        counts["status"][1] += 1
        counts["status"][0] += fact.fields.get("status") == entry.get("status")
        if entry.get("date"):
            counts["date"][1] += 1
            counts["date"][0] += entry["date"] in _stated(fact, "date")
        wanted = entry.get("value_qualifier") or entry.get("quantity_qualifier")
        if wanted:
            counts["qualifier"][1] += 1
            counts["qualifier"][0] += wanted in (
                _qualifier(fact),
                fact.fields.get("quantity_qualifier"),
            )
    result.matched_predictions = len(matched_facts)
    for i, fact in enumerate(facts):
        tally = kinds.setdefault(fact.kind, [0, 0, 0, 0])
        tally[1] += 1
        tally[0] += i in matched_facts
    result.extras = [_describe(f) for i, f in enumerate(facts) if i not in matched_facts]
    result.date, result.status, result.qualifier = (
        (counts[k][0], counts[k][1]) for k in ("date", "status", "qualifier")
    )
    groups = gold_data.get("same_event") or []
    together = sum(
        bool(set.intersection(*(set(found[f]) for f in group["facts"]))) for group in groups
    )
    result.same_event = (together, len(groups))
    apart = 0
    entries = gold_data.get("must_not_merge") or []
    for entry in entries:
        sets = [set().union(*(found[f] for f in part)) for part in entry["facts"]]
        each_found = all(sets)
        overlap = any(a & b for i, a in enumerate(sets) for b in sets[i + 1 :])
        apart += each_found and not overlap
    result.kept_apart = (apart, len(entries))
    return result


def _short(entry: dict[str, Any]) -> str:
    keys = ("kind", "actors", "item", "quantity", "value", "currency", "share_of_gdp", "year")
    return json.dumps({k: entry[k] for k in keys if entry.get(k) is not None}, ensure_ascii=False)


def _describe(fact: Fact) -> str:
    keys = ("actors", "item", "quantity", "value", "currency", "share_of_gdp", "year", "status")
    shown = {k: fact.fields[k] for k in keys if fact.fields.get(k) is not None}
    files = sorted({Path(s.file).name[:24] for s in fact.sources})
    return f"{fact.kind} {json.dumps(shown, ensure_ascii=False)} {files}"


def article_files(folder: Path, gold_data: dict[str, Any]) -> list[Path]:
    """The articles a gold file speaks of: those with facts and those with decoys only
    (an article with no fact still counts every fact read from it as a false positive)."""
    names = {f["article"] for f in gold_data["facts"]}
    names |= {d["article"] for d in gold_data.get("decoys") or [] if "article" in d}
    return sorted(p for p in folder.iterdir() if p.name in names)


def load_gold(path: Path) -> dict[str, Any]:
    """A gold file, or a folder's ``gold.*.json`` files as one (the real corpus is
    labelled in parts, one a labeller): their facts, decoys, groups and aliases joined."""
    if path.is_file():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    parts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(path.glob("gold.*.json"))]
    if not parts:
        raise FileNotFoundError(f"{path}: no gold.*.json")
    joined: dict[str, Any] = {"corpus": path.name, "aliases": {"actors": {}, "items": {}}}
    for key in ("facts", "decoys", "same_event", "must_not_merge"):
        joined[key] = [x for part in parts for x in part.get(key) or []]
    for part in parts:  # each labeller's spellings of a name are all accepted
        for table, names in (part.get("aliases") or {}).items():
            known = joined["aliases"].setdefault(table, {})
            for name, variants in names.items():
                known[name] = list(dict.fromkeys([*known.get(name, []), *variants]))
    ids = [f["id"] for f in joined["facts"]]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: fact ids repeat across gold files")
    return joined


def score_corpus(gold_path: Path, articles: Path, gazetteer: Gazetteer | None = None) -> Score:
    """Run ``ingest`` on the articles of a gold file (or folder of them) and score it."""
    gold_data = load_gold(gold_path)
    gazetteer = gazetteer or load_gazetteer()
    facts = ingest(article_files(articles, gold_data)).facts
    return score_facts(gold_data, facts, Names(gold_data.get("aliases") or {}, gazetteer))


def corpora() -> Iterable[tuple[str, Path, Path]]:
    """(label, gold file, article folder) of every corpus present."""
    if (DEV / "gold.json").exists():
        yield "dev (issue 13)", DEV / "gold.json", DEV / "articles"
    yield "held out (ours)", HELDOUT / "gold.json", HELDOUT
    yield "real, tuned on", REAL / "tune", REAL / "tune"
    yield "real, held out", REAL / "heldout", REAL / "heldout"


def kind_table(label: str, score: Score) -> str:
    """Precision and recall of one corpus, kind by kind (Markdown)."""
    rows = [f"| {label}: kind | precision | recall |", "| --- | --- | --- |"]
    for kind, (mp, p, mg, g) in sorted(score.kinds.items()):
        prec = f"{mp / p:.2f} ({mp}/{p})" if p else "-"
        rec = f"{mg / g:.2f} ({mg}/{g})" if g else "-"
        rows.append(f"| {kind} | {prec} | {rec} |")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    runs = [("given", Path(argv[0]), Path(argv[1]))] if len(argv) == 2 else list(corpora())
    print(HEADER)
    details = []
    for label, gold_path, folder in runs:
        result = score_corpus(gold_path, folder)
        print(result.row(label))
        details.append((label, result))
    for label, result in details:
        print("\n" + kind_table(label, result))
    for label, result in details:
        print(f"\n{label}: missed")
        print("\n".join(f"  {m}" for m in result.misses) or "  none")
        print(f"{label}: predictions matching no gold fact")
        print("\n".join(f"  {m}" for m in result.extras) or "  none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
