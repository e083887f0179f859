""" "Read also" headlines (issue 27): a headline about the same event is a source of the
article's fact, marked as such; other headlines, reader comments and navigation give
nothing. Pages written for these tests."""

from __future__ import annotations

from pathlib import Path

from materiel.ingest import ingest

PAGE = """<!DOCTYPE html><html><head><title>Order | Paper</title></head><body>
<nav><a href="/">Home</a> <a href="/defence">Spain orders 90 tanks for €1bn</a></nav>
<div class="main"><h1>Belgium buys shells</h1>
<p>By A. Writer &middot; 12 March 2024</p>
<p>Belgium has signed a contract with Nammo for 155mm shells worth 300 million euros, the
defence ministry said on Tuesday. Deliveries start next year and run for three years.</p>
</div>
<aside class="read-also"><h3>Read also</h3><ul>
<li><a href="/a">Belgium orders &euro;300 million of shells from Nammo</a></li>
<li><a href="/b">Dutch budget adds &euro;2.5bn for air defence</a></li>
</ul></aside>
<div><b>Related</b><br>Nammo hands Belgium €300 million shell deal<br>Local fair draws
1,200 visitors</div>
<div>Comments (2)<br>Bob: Belgium signed with Nammo for 300 million euros, great.</div>
</body></html>
"""

TEXT = """Belgium buys shells

By A. Writer | 12 March 2024

Belgium has signed a contract with Nammo for 155mm shells worth 300 million euros, the
defence ministry said on Tuesday.

Read also: Belgium orders €300 million of shells from Nammo
Read also: Poland signs $2 billion deal for 500 missiles
Read also: Poland orders €300 million of shells from Nammo
Read also: Belgium orders €500 million of shells from Nammo
"""


def _facts(tmp_path: Path, text: str, name: str) -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest([path]).facts


def test_a_related_headline_on_the_same_event_is_a_marked_source(tmp_path: Path) -> None:
    (fact,) = _facts(tmp_path, PAGE, "page.html")
    assert fact.fields["value"] == 3e8 and fact.fields["actors"]["buyer"] == "BEL"
    related = [s for s in fact.sources if s.part == "related headline"]
    assert [PAGE[s.start : s.end] for s in related] == [
        "Belgium orders &euro;300 million of shells from Nammo",
        "Nammo hands Belgium €300 million shell deal",
    ]
    assert related[0].sentence == "Belgium orders €300 million of shells from Nammo"
    # the article's own sentence comes first and is not marked
    assert fact.sources[0].part is None and "signed a contract" in fact.sources[0].sentence
    assert "part" not in fact.to_dict()["sources"][0]


def test_related_headlines_in_plain_text(tmp_path: Path) -> None:
    """Only the headline with the same buyer and the same amount is a source."""
    (fact,) = _facts(tmp_path, TEXT, "a.txt")
    assert [s.sentence for s in fact.sources if s.part == "related headline"] == [
        "Belgium orders €300 million of shells from Nammo"
    ]


def test_other_headlines_comments_and_navigation_give_nothing(tmp_path: Path) -> None:
    """Only the article's fact: no fact of the Dutch budget, the Polish deal, the tanks in
    the navigation or the fair; the comment is no source."""
    facts = _facts(tmp_path, PAGE, "page.html") + _facts(tmp_path, TEXT, "a.txt")
    assert [f.fields["value"] for f in facts] == [3e8, 3e8]
    sentences = [s.sentence for f in facts for s in f.sources]
    assert not [t for t in sentences if "Bob" in t or "tanks" in t or "missiles" in t]
