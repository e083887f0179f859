"""End to end on the corpora: precision, recall and merge accuracy by the dev corpus rule
(``scoring.py``), and what the synthetic corpus checks (comments, spans, encodings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.ingest import ingest
from materiel.ingest.gazetteer import load_gazetteer
from materiel.ingest.model import Fact, Source
from tests.ingest.scoring import DEV, HELDOUT, Names, score_corpus, score_facts

# Measured when these thresholds were set (python tests/ingest/scoring.py): dev 0.95
# precision, 0.94 recall, 9 of 11 same-event groups merged, 9 of 9 look-alikes apart;
# held out 0.83 / 0.81 (never tuned on). Issue 13 asks for 0.9 and 0.8 on the dev corpus.
DEV_MIN = (0.90, 0.85)
HELDOUT_MIN = (0.75, 0.75)


@pytest.mark.skipif(not (DEV / "gold.json").exists(), reason="dev corpus not beside the repo")
def test_dev_corpus_precision_recall_and_merging() -> None:
    score = score_corpus(DEV / "gold.json", DEV / "articles")
    assert score.precision >= DEV_MIN[0], score.extras
    assert score.recall >= DEV_MIN[1], score.misses
    assert score.kept_apart[0] >= score.kept_apart[1] - 1
    assert score.same_event[0] >= score.same_event[1] - 2
    assert score.status[0] / score.status[1] >= 0.85


def test_held_out_corpus() -> None:
    score = score_corpus(HELDOUT / "gold.json", HELDOUT)
    assert score.precision >= HELDOUT_MIN[0], score.extras
    assert score.recall >= HELDOUT_MIN[1], score.misses


def _gold(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "G1",
        "article": "a.txt",
        "kind": "contract",
        "actors": {"buyer": "DEU", "supplier": "Rheinmetall"},
        "item": "155mm",
        "value": 8.5e9,
        "currency": "EUR",
        "year": 2024,
    }
    base.update(fields)
    return base


def _predicted(**fields: object) -> Fact:
    base: dict[str, object] = {
        "actors": {"buyer": "DEU", "supplier": "RHM"},
        "item": "155mm",
        "value": 8.5e9,
        "currency": "EUR",
        "year": 2024,
        "status": "signed",
    }
    base.update(fields)
    return Fact("contract", base, [Source("x/a.txt", 0, 1, "s")], 0.9)


@pytest.mark.parametrize(
    ("gold", "fact", "hit"),
    [
        (_gold(), _predicted(), True),
        (_gold(), _predicted(value=8.6e9), False),  # more than 1 % off
        (_gold(), _predicted(actors={"buyer": "NLD", "supplier": "RHM"}), False),
        (_gold(), _predicted(year=2023), False),
        (_gold(status="denied"), _predicted(), False),  # a denial reported as signed
        (_gold(status="denied"), _predicted(status="denied"), True),
        (_gold(alt_values=[{"value": 9.1e9, "currency": "USD"}]),
         _predicted(value=9.1e9, currency="USD"), True),
        (_gold(article="b.txt"), _predicted(), False),
    ],
)  # fmt: skip
def test_scorer_rule(gold: dict[str, object], fact: Fact, hit: bool) -> None:
    names = Names({"actors": {"Rheinmetall": ["Rheinmetall AG"]}}, load_gazetteer())
    score = score_facts({"facts": [gold]}, [fact], names)
    assert (score.matched_gold == 1) is hit
    assert score.precision == (1.0 if hit else 0.0)


def test_scorer_merge_accuracy() -> None:
    names = Names({}, load_gazetteer())
    one = _predicted()
    one.sources.append(Source("x/b.txt", 0, 1, "s"))
    gold = {"facts": [_gold(), _gold(id="G2", article="b.txt")],
            "same_event": [{"id": "S", "facts": ["G1", "G2"]}],
            "must_not_merge": [{"id": "N", "facts": [["G1"], ["G2"]]}]}  # fmt: skip
    score = score_facts(gold, [one], names)
    assert score.same_event == (1, 1) and score.kept_apart == (0, 1)


def test_comments_and_opinion_yield_nothing(corpus_files: list[Path]) -> None:
    facts = ingest(corpus_files, merge=False).facts
    files = {Path(f.file).name for f in facts}
    assert "a14_opinion_no_facts.txt" not in files
    sentences = " ".join(s.sentence for f in facts for s in f.sources)
    for comment in ("5,000 Stinger", "2 million shells", "1.5% of GDP", "€10 billion"):
        assert comment not in sentences


def test_spans_point_at_the_sentence(corpus_files: list[Path]) -> None:
    facts = ingest(corpus_files, merge=False).facts
    assert facts
    for fact in facts:
        assert 0 <= fact.confidence <= 1
        if Path(fact.file).suffix != ".txt" or "mojibake" in fact.file or "cp1252" in fact.file:
            continue
        text = Path(fact.file).read_bytes().decode("utf-8")
        for source in fact.sources:
            assert " ".join(text[source.start : source.end].split()) == source.sentence


def test_mojibake_and_windows_1252_articles(corpus_files: list[Path]) -> None:
    facts = ingest(corpus_files, merge=False).facts
    moji = [f for f in facts if "mojibake" in f.file]
    assert moji and all("â" not in f.sentence for f in moji)
    eight = [f for f in moji if "€8.5bn" in f.sentence]
    assert eight
    raw = Path(eight[0].file).read_text(encoding="utf-8")
    assert any("â‚¬8.5bn" in raw[f.span[0] : f.span[1]] for f in eight)
    cp = [f for f in facts if "cp1252" in f.file]
    assert any(f.fields.get("value") == 3e8 for f in cp)
