"""Reading articles: boilerplate and comments skipped, mojibake repaired, spans kept,
bad files refused with a message each."""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.ingest import document
from materiel.ingest.boilerplate import classify_line
from materiel.ingest.document import BadFile, read_document
from materiel.ingest.sentences import split_sentences


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _sentences(path: Path) -> list[str]:
    doc = read_document(path)
    return [doc.sentence(i) for i in range(len(doc.sentences))]


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("Subscribe to our newsletter", "drop"),
        ("Share this article", "drop"),
        ("Advertisement", "drop"),
        ("Read more: Rheinmetall opens plant", "drop"),
        ("© 2024 Example Media. All rights reserved.", "drop"),
        ("Comments (12)", "stop"),
        ("12 Comments", "stop"),
        ("Leave a comment", "stop"),
        ("## Reader comments", "stop"),
        ("Germany ordered 155mm shells from Rheinmetall.", "keep"),
        ("The comments by the minister were welcomed.", "keep"),
    ],
)
def test_boilerplate_lines(line: str, action: str) -> None:
    assert classify_line(line) == action


def test_text_boilerplate_and_comments_skipped(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "a.txt",
        "Headline here\n\nGermany signed a deal.\n\nShare this article\n\n"
        "Comments (2)\n\nBob: Poland bought 1,000 tanks.\n",
    )
    assert _sentences(path) == ["Headline here", "Germany signed a deal."]


def test_html_boilerplate_comments_scripts_skipped(tmp_path: Path) -> None:
    html = (
        "<html><head><title>T</title><script>var x = 'Germany ordered 5 tanks.';</script>"
        "</head><body><nav>Home</nav><article><p>Poland signed a deal.</p>"
        "<div class='share-buttons'>Share on X</div><p>It is worth &euro;5 billion.</p>"
        "</article><section id='comments'><p>Spain bought 9 jets.</p></section>"
        "<footer>All rights reserved</footer></body></html>"
    )
    path = _write(tmp_path, "a.html", html)
    assert _sentences(path) == ["Poland signed a deal.", "It is worth €5 billion."]


def test_html_spans_point_into_the_page_source(tmp_path: Path) -> None:
    html = "<html><body><p>Poland signed a deal worth &euro;5 billion.</p></body></html>"
    path = _write(tmp_path, "a.html", html)
    doc = read_document(path)
    start, end = doc.text.span(*doc.sentences[0])
    assert html[start:end] == "Poland signed a deal worth &euro;5 billion."


def test_mojibake_repaired_and_spans_kept(tmp_path: Path) -> None:
    raw = "Intro line.\n\nRheinmetallâ€™s order is worth â‚¬8.5bn. Berlin confirmed it.\n"
    path = _write(tmp_path, "a.txt", raw)
    doc = read_document(path)
    texts = [doc.sentence(i) for i in range(len(doc.sentences))]
    assert texts[1] == "Rheinmetall’s order is worth €8.5bn."
    start, end = doc.text.span(*doc.sentences[1])
    assert raw[start:end] == "Rheinmetallâ€™s order is worth â‚¬8.5bn."
    start, end = doc.text.span(*doc.sentences[2])
    assert raw[start:end] == "Berlin confirmed it."


def test_markdown_markup_removed(tmp_path: Path) -> None:
    md = "# Big order\n\nGermany signed with [Rheinmetall](https://x.org/r) for **€8.5 billion**.\n"
    path = _write(tmp_path, "a.md", md)
    assert _sentences(path)[-1] == "Germany signed with Rheinmetall for €8.5 billion."


def test_dateline_and_metadata(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "a.txt", "Title line\n\nWARSAW, April 4, 2024 (PAP) - Poland signed a deal.\n"
    )
    doc = read_document(path)
    assert (str(doc.date), doc.publisher, doc.title) == ("2024-04-04", "PAP", "Title line")
    assert doc.sentence(1) == "Poland signed a deal."
    path = _write(tmp_path, "b.md", "# T\n\n*Published: 21 June 2024 · Source: Wire*\n\nText.\n")
    doc = read_document(path)
    assert (str(doc.date), doc.publisher) == ("2024-06-21", "Wire")


def test_default_date_only_for_files_without_one(tmp_path: Path) -> None:
    from datetime import date

    dated = _write(tmp_path, "a.txt", "Date: 2024-01-03\n\nText here.\n")
    undated = _write(tmp_path, "b.txt", "Text here.\n")
    assert read_document(dated, date(2020, 1, 1)).date == date(2024, 1, 3)
    assert read_document(undated, date(2020, 1, 1)).date == date(2020, 1, 1)


def test_sentence_splitting() -> None:
    text = 'The U.S. Army signed on Jan. 5. It is worth $1.2 bn. "Good," Gen. Smith said.\n\nNew.'
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "The U.S. Army signed on Jan. 5.",
        "It is worth $1.2 bn.",
        '"Good," Gen. Smith said.',
        "New.",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        (b"\xff\xfe" + b"\x00\xd8", "byte-order mark"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = _write(tmp_path, "bad.txt", content)
    with pytest.raises(BadFile, match=message) as info:
        read_document(path)
    assert str(path) in str(info.value)


def test_huge_file_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "MAX_BYTES", 1000)
    path = _write(tmp_path, "big.txt", "Germany signed a deal. " * 100)
    with pytest.raises(BadFile, match="over the 1,000-byte limit"):
        read_document(path)


def test_windows_1252_read_with_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "a.txt", "Norway\x92s deal is worth \x80 45 million.\n".encode("latin-1")
    )
    doc = read_document(path)
    assert doc.sentence(0) == "Norway’s deal is worth € 45 million."
    assert any("read as Windows-1252" in w for w in doc.warnings)


def test_utf16_with_bom_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Poland signed a deal.\n".encode("utf-16"))
    assert _sentences(path) == ["Poland signed a deal."]


def test_only_boilerplate_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Share this article\nSubscribe to our newsletter\n")
    with pytest.raises(BadFile, match="no article text"):
        read_document(path)
