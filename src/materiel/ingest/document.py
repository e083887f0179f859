"""Reading one article file: checks, decoding, cleaning, and what the article says of itself.

A file is refused, with a message naming it, when it is empty, larger than
:data:`MAX_BYTES`, binary, or not decodable as text. A file that is not UTF-8 but reads as
Windows-1252 is read with a warning. Character spans reported for facts are offsets into
the decoded text of the file (for UTF-8 files, the text an editor shows).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from materiel.ingest.boilerplate import classify_line
from materiel.ingest.dates import parse_article_date
from materiel.ingest.html import RELATED_HEADING_RE, extract_html, keep_main_text, looks_like_html
from materiel.ingest.mapped import MappedText
from materiel.ingest.sentences import split_sentences

if TYPE_CHECKING:
    import ftfy

#: Files larger than this are refused [bytes].
MAX_BYTES = 5 * 1024 * 1024
#: File name endings read as articles when a folder is given.
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".text")

_WORD_RE = re.compile(r"[^ \t\n\r]+")
_STRAY_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f\r]")
#: Characters that UTF-8 read as Windows-1252 or Latin-1 leaves behind ("Ã¼", "â‚¬", "Â").
_MOJIBAKE_HINT_RE = re.compile(
    "[\u0080-\u009f\u00c2-\u00c5\u00e2\u00ef\u00d0\u00d1\u0152\u0153\u2020\u2122\u0178\u201a\u201e]"
)
_META_RE = re.compile(
    r"^\s*(?:(?P<key>date|published|posted|updated|dateline|source|publisher|outlet|by|"
    r"author|title|headline)\s*[:|]\s*|(?P<by>(?-i:By)\s+(?=(?-i:[A-Z][\w.'-]*)"
    r"(?:\s+(?-i:[A-Z][\w.'-]*)){0,3}\s*$)))(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
_DATELINE_RE = re.compile(
    r"^\s*(?P<place>[^\W\d_a-z][^\W\d_]*(?:[ .'-]+[^\W\d_]+){0,4}),?\s+"
    r"(?P<date>(?:[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)|(?:\d{1,2} [A-Z][a-z]{2,8}(?: \d{4})?))"
    r"\s*(?:\((?P<agency>[^)]{2,40})\))?\s*[-–—:]+\s*"
)


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_FULL_DATE_RE = re.compile(
    rf"\b(?:\d{{1,2}}\.? (?:{_MONTHS})\.?,? (?:19|20)\d\d|"
    rf"(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d\d|"
    rf"\d{{1,2}}\.\d{{1,2}}\.(?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d)\b",
    re.IGNORECASE,
)
#: Lines at the top of an article searched for its date (byline, timestamp, release header).
HEADER_LINES = 15


def header_date(text: str) -> date | None:
    """The latest full date on the short lines at the top of an article ("July 9, 2024 -
    6:42 PM UTC", "By Olena Hrytsenko | 18 July 2024", "20.06.2024 14:05 GMT",
    "Issued on 17 June 2024 · Last updated 18 June 2024"), or None.

    >>> header_date("Title\\n\\nBy A. Writer | 18 July 2024\\n\\nBody text.")
    datetime.date(2024, 7, 18)
    """
    found: list[date] = []
    lines = [line for line in text.split("\n") if line.strip()][:HEADER_LINES]
    for line in lines:
        if len(line) > 160:
            continue
        for match in _FULL_DATE_RE.finditer(line):
            parsed = _numeric_date(match.group(0)) or parse_article_date(match.group(0))
            if parsed is not None:
                found.append(parsed)
    return max(found) if found else None


#: A date in a page's address: /2023/02/15/ or /2024/07/ (year, month, day).
_ADDRESS_DATE_RE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/(?:(0?[1-9]|[12]\d|3[01])/)?")


def address_date(address: str | None) -> date | None:
    """The date a page's address gives ("https://x.com/2023/02/15/title" → 15 February
    2023); an address with a year and month only gives the month's last day (so that a
    day named in the text, "on July 9", falls in that month); None without one.

    >>> address_date("https://e.de/en/2024/07/news/1/title"), address_date("https://e.com/a")
    (datetime.date(2024, 7, 31), None)
    """
    match = _ADDRESS_DATE_RE.search(address or "")
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if match.group(3):
        try:
            return date(year, month, int(match.group(3)))
        except ValueError:
            return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _numeric_date(text: str) -> date | None:
    parts = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if not parts:
        return None
    try:
        return date(int(parts[3]), int(parts[2]), int(parts[1]))
    except ValueError:
        return None


#: Bytes that do not occur in text (all control characters but tab, newlines and form feed).
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


class BadFile(Exception):
    """A file that cannot be read as an article; the message says why."""


@dataclass
class Document:
    """One article, read and cleaned, with the sentences to look for facts in."""

    path: str
    raw: str
    text: MappedText
    sentences: list[tuple[int, int]]
    date: date | None = None
    date_origin: str | None = None
    title: str | None = None
    publisher: str | None = None
    #: The page's address, when the file gives it ("Source: https://...").
    address: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: Headlines of the page's "Read also" lists: (start, end) in the file, and the text.
    #: They are not read as the article's sentences (see :mod:`materiel.ingest.related`).
    related: list[tuple[int, int, str]] = field(default_factory=list)

    def sentence(self, index: int) -> str:
        start, end = self.sentences[index]
        return " ".join(self.text.text[start:end].split())


def decode(data: bytes, name: str, warnings: list[str]) -> str:
    """The text of a file's bytes, or :class:`BadFile` saying why there is none."""
    if not data.strip():
        raise BadFile(f"{name}: empty file")
    if len(data) > MAX_BYTES:
        raise BadFile(f"{name}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit")
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise BadFile(f"{name}: not valid {codec} despite its byte-order mark") from exc
    head = data[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if b"\x00" in head or controls > len(head) // 100 + 2:
        raise BadFile(f"{name}: binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise BadFile(f"{name}: not UTF-8 text (byte {exc.start}), nor Windows-1252") from exc
        warnings.append(f"{name}: not UTF-8 (byte {exc.start}); read as Windows-1252")
        return text


@cache
def _ftfy() -> tuple[Callable[..., str], ftfy.TextFixerConfig]:
    """ftfy and its settings, imported at the first word that looks like mojibake: most
    articles have none, and the import is about a tenth of ``materiel ingest``'s start."""
    import ftfy

    return ftfy.fix_text, ftfy.TextFixerConfig(uncurl_quotes=False, explain=False)


def _repair(text: MappedText) -> MappedText:
    """Remove stray control characters and repair mojibake word by word."""
    text = text.replace((m.start(), m.end(), "") for m in _STRAY_RE.finditer(text.text))
    edits = []
    for match in _WORD_RE.finditer(text.text):
        word = match.group(0)
        if word.isascii() or not _MOJIBAKE_HINT_RE.search(word):
            continue
        fix_text, config = _ftfy()
        fixed = fix_text(word, config)
        if fixed != word:
            edits.append((match.start(), match.end(), fixed))
    return text.replace(edits)


_MD_RE = re.compile(
    r"!\[[^\]]*\]\([^)]*\)|(?<=\])\([^)\s]*\)|^\s{0,3}(?:#{1,6}|>|[-*+]|\d+\.)\s+|[\[\]]|"
    r"\*\*|__|`|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])",
    re.MULTILINE,
)


def _markdown(text: MappedText) -> MappedText:
    """Drop Markdown markup (headings, emphasis, link targets), keeping the words."""
    edits = []
    for m in _MD_RE.finditer(text.text):
        if m.group(0).lstrip().startswith("#"):
            edits.append((m.start(), m.end(), "\n"))  # a heading is its own paragraph
        else:
            edits.append((m.start(), m.end(), ""))
    return text.replace(edits)


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _prepare(doc: Document) -> None:
    """Read metadata lines and the dateline; blank out metadata and boilerplate."""
    text = doc.text.text
    edits: list[tuple[int, int, str]] = []
    lines = _lines(text)
    body_seen = 0
    in_related = False
    for start, end in lines:
        line = text[start:end]
        if not line.strip():
            in_related = False  # a "Read also" list ends at a blank line
            continue
        related = in_related or _RELATED_GATE_RE.match(line)
        headline = _related_line(line, in_related) if related else None
        if headline is not None:
            in_related = True
            if headline:
                at = start + line.index(headline)
                o_start, o_end = doc.text.span(at, at + len(headline))
                doc.related.append((o_start, o_end, " ".join(headline.split())))
            edits.append((start, end, ""))
            continue
        action = classify_line(line)
        if action == "stop":
            edits.append((start, len(text), ""))
            break
        meta = _META_RE.match(line) if body_seen < 3 and len(line) < 160 else None
        if action == "drop" or meta:
            if meta:
                _metadata_line(doc, line)
            edits.append((start, end, ""))
            continue
        if doc.title is None and body_seen == 0 and not line.rstrip().endswith("."):
            doc.title = line.strip().lstrip("# ").strip()
            edits.append((end, end, "\n"))  # a headline is a paragraph of its own
        dateline = _DATELINE_RE.match(line) if body_seen < 4 else None
        if dateline:
            if doc.date is None:
                _set_date(doc, dateline.group("date"), "dateline")
            if dateline.group("agency") and doc.publisher is None:
                doc.publisher = dateline.group("agency").strip()
            edits.append((start, start + dateline.end(), ""))
        body_seen += 1
    doc.text = doc.text.replace(edits)


#: A line that may start a "Read also" list (a cheap test before the full ones).
_RELATED_GATE_RE = re.compile(r"^\W*(?:read|also|see|related|more on)\b", re.IGNORECASE)
_RELATED_LINE_RE = re.compile(
    r"^\s*[-*•>]*\s*(?:read also|also read|read more|see also|related)\s*[:–—-]\s*(?P<h>\S.*?)\s*$",
    re.IGNORECASE,
)
_LIST_MARK_RE = re.compile(r"^\s*(?:[-*•>]|\d+\.)?\s*")


def _related_line(line: str, in_related: bool) -> str | None:
    """The headline a line of a "Read also" list gives ("" for the list's heading), or
    None for a line of the article: "Read also: <headline>", a heading "Read also" and
    the short lines after it up to a blank line."""
    stripped = line.strip().strip("#*_ ")
    if RELATED_HEADING_RE.match(stripped):
        return ""
    match = _RELATED_LINE_RE.match(line)
    if match:
        return match.group("h").strip("*_ ")
    if in_related and len(stripped) < 160 and not stripped.endswith((".", ":")):
        return line[_LIST_MARK_RE.match(line).end() :].strip()  # type: ignore[union-attr]
    return None


def _metadata_line(doc: Document, line: str) -> None:
    """Read a metadata line; several "key: value" parts may share it (split on · or |)."""
    for part in re.split(r"\s+[·|•]\s+", line.strip().strip("*_ ")):
        meta = _META_RE.match(part)
        if meta:
            _metadata(doc, (meta.group("key") or "by").lower(), meta.group("value"))


def _metadata(doc: Document, key: str, value: str) -> None:
    if key in ("date", "published", "posted", "dateline", "updated"):
        if doc.date is None or doc.date_origin == "default":
            _set_date(doc, value, "dateline")
    elif key in ("source", "publisher", "outlet"):
        doc.publisher = value.strip()
        if value.strip().startswith(("http://", "https://")):
            doc.address = value.strip()
    elif key in ("title", "headline"):
        doc.title = value.strip()


def _set_date(doc: Document, value: str, origin: str) -> None:
    parsed = parse_article_date(value)
    if parsed is not None:
        doc.date, doc.date_origin = parsed, origin


def read_document(path: Path, default_date: date | None = None) -> Document:
    """Read and clean one article; :class:`BadFile` if it cannot be read."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refuse before reading it all into memory
            raise BadFile(f"{name}: {size:,} bytes is over the {MAX_BYTES:,}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise BadFile(f"{name}: cannot read ({exc.strerror or exc})") from exc
    warnings: list[str] = []
    raw = decode(data, name, warnings)
    mapped = MappedText.identity(raw)
    meta: dict[str, str] = {}
    if path.suffix.lower() in (".html", ".htm") or looks_like_html(raw):
        mapped, meta, related = extract_html(raw)
        full_text = mapped.text
        mapped = keep_main_text(mapped, raw)
    else:
        full_text, related = raw, []
    mapped = _repair(mapped)
    is_markdown = path.suffix.lower() in (".md", ".markdown")
    if is_markdown:
        mapped = _markdown(mapped)
    doc = Document(name, raw, mapped, [], warnings=warnings, related=related)
    doc.title = meta.get("og:title") or meta.get("title")
    doc.publisher = meta.get("og:site_name")
    for key in ("article:published_time", "datetime", "date", "pubdate"):
        if key in meta and doc.date is None:
            _set_date(doc, meta[key], "meta")
    _prepare(doc)
    if doc.date is None or doc.date_origin == "dateline":
        found = header_date(full_text)
        if found is not None and (doc.date is None or found > doc.date):
            doc.date, doc.date_origin = found, "header"
    if doc.date is None:
        found = address_date(doc.address or meta.get("og:url"))
        if found is not None:
            doc.date, doc.date_origin = found, "address"
    if doc.date is None and default_date is not None:
        doc.date, doc.date_origin = default_date, "--date"
    doc.sentences = split_sentences(doc.text.text)
    if not doc.sentences:
        raise BadFile(f"{name}: no article text found")
    return doc
