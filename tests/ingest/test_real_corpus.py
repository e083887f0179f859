"""The corpus of real articles (issue 27): its labels hold together, and ``ingest`` is
scored on it, the tuning part and the held-out part apart.

The floors are the scores measured when each was last set (``python
tests/ingest/scoring.py``), a little below, so that a change that loses facts on real
news fails here; the issue's targets (precision 0.9, recall 0.8 on text not tuned on)
are a strict expected failure until they are met.
"""

from __future__ import annotations

import pytest

from tests.ingest.scoring import REAL, load_gold, score_corpus

SPLITS = ("tune", "heldout")
#: (precision, recall) floors. Measured 2026-12-06 before any tuning on this corpus: tune
#: 0.46 / 0.15, held out 0.27 / 0.13; after lists and tables were read (``lists.py``): tune
#: 0.80 (136/170) / 0.60 (147/247), held out 0.49 (20/41) / 0.24 (21/89); with the
#: phrasings of issue 27 too (rates, awards, loans, tables): tune 0.81 (143/177) / 0.62
#: (154/247), held out 0.57 (24/42) / 0.28 (25/89); after the causes of misses on the
#: tuning set were fixed (``test_real_causes.py``: firms listed together, aid from the
#: article's country, ranges, list items, dates from the page's address ...): tune 0.90
#: (168/187) / 0.74 (184/247), held out 0.62 (29/47) / 0.35 (31/89); after a second round
#: of causes (parts of split targets, a currency's country, targets by a later year, shares
#: that are no one's spending, scheme totals of a group, an amount each project receives,
#: budget breakdowns ...), 2026-12-07, on the 42 + 21 articles: tune 0.96 (187/194) / 0.85
#: (210/247), held out 0.65 (31/48) / 0.36 (32/89).
#: When rd01-rd24 joined (tune 58, held out 29 articles), before the second round: tune
#: 0.80 / 0.62, held out 0.63 / 0.36 (0.81 (182/225) / 0.62 (203/326) and 0.63 (40/63) /
#: 0.36 (42/117) once every labeller's aliases count); with the second round: tune 0.87
#: (200/229) / 0.70 (227/326), held out 0.66 (42/64) / 0.37 (43/117); after the causes of
#: missed contracts, capacity plans and joint purchases (ingest6): tune 0.91 (221/243) /
#: 0.77 (251/326), held out 0.66 (43/65) / 0.38 (44/117).
FLOORS = {"tune": (0.89, 0.75), "heldout": (0.65, 0.37)}
TARGET = (0.9, 0.8)


@pytest.mark.parametrize("split", SPLITS)
def test_every_label_points_into_its_article(split: str) -> None:
    folder = REAL / split
    gold = load_gold(folder)
    files = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    ids = set()
    for fact in gold["facts"]:
        assert fact["article"] in files, fact["id"]
        text = files[fact["article"]]
        assert fact["evidence"], fact["id"]
        for span in fact["evidence"]:
            assert span in text, (fact["id"], span)
        assert fact["public"] is True, fact["id"]
        ids.add(fact["id"])
    for decoy in gold["decoys"]:
        assert decoy["text"] in files[decoy["article"]], decoy
    for group in gold["same_event"]:
        assert set(group["facts"]) <= ids, group["id"]
    for group in gold["must_not_merge"]:
        assert {f for part in group["facts"] for f in part} <= ids, group["id"]


@pytest.mark.parametrize("split", SPLITS)
def test_every_article_gives_its_address_and_is_an_excerpt(split: str) -> None:
    articles = [p for p in (REAL / split).iterdir() if not p.name.startswith("gold.")]
    assert len(articles) >= 20
    for path in articles:
        head = path.read_text(encoding="utf-8")[:1500]
        assert "\nSource: http" in head, path.name
        assert "\nPublished: " in head, path.name
        assert len(path.read_text(encoding="utf-8").split()) <= 450, path.name


def test_the_corpus_has_sixty_articles_a_third_held_out() -> None:
    counts = {s: sum(not p.name.startswith("gold.") for p in (REAL / s).iterdir()) for s in SPLITS}
    assert sum(counts.values()) >= 60
    assert counts["heldout"] >= sum(counts.values()) // 3


@pytest.mark.parametrize("split", SPLITS)
def test_scores_on_real_articles_stay_above_their_floor(split: str) -> None:
    score = score_corpus(REAL / split, REAL / split)
    assert score.precision >= FLOORS[split][0], score.extras
    assert score.recall >= FLOORS[split][1], score.misses


@pytest.mark.xfail(strict=True, reason="issue 27: not yet 0.9 / 0.8 on real text not tuned on")
def test_held_out_real_articles_reach_the_issue_targets() -> None:
    score = score_corpus(REAL / "heldout", REAL / "heldout")
    assert score.precision >= TARGET[0]
    assert score.recall >= TARGET[1]


def test_aliases_of_every_labeller_are_accepted() -> None:
    """Two gold files that each list spellings of one name: both lists count."""
    gold = load_gold(REAL / "tune")
    assert {"European Commission", "EU Council"} <= set(gold["aliases"]["actors"]["EU"])
