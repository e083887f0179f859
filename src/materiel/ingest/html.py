"""Visible article text of an HTML page, mapped back to the page source.

Uses the standard library's :class:`html.parser.HTMLParser`, which reports where each
piece of text sits in the source, so every character of the extracted text keeps its
place in the file. Scripts, styles, navigation, headers and footers, forms, asides and
elements whose class or id names a comment section, share bar, newsletter box, cookie
banner or advert are skipped. Then :func:`keep_main_text` asks trafilatura, which is made
to find the main text of a web page, which blocks are the article, and drops the others
(a cookie banner or a "Read also" list in a plain ``<div>``); blocks are matched to
trafilatura's text with rapidfuzz, so that spans still point into the file.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from materiel.ingest.mapped import MappedBuilder, MappedText

_SKIP_TAGS = {
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button",
    "iframe", "svg", "template", "select", "figure", "head",
}  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "br", "li", "ul", "ol", "h1", "h2", "h3",
    "h4", "h5", "h6", "blockquote", "table", "caption", "figcaption", "dd", "dt", "hr", "pre",
    "time", "title", "body",
}  # fmt: skip
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr"}
_BOILERPLATE_ATTR = re.compile(
    r"comment|share|social|newsletter|subscribe|cookie|advert|\bads?\b|promo|related|"
    r"sidebar|breadcrumb|byline-social|disqus|paywall|signup|most-read|recommended",
    re.IGNORECASE,
)


#: A list of links to other articles ("Read also", "Related"): its headlines are kept
#: apart from the article's text (see :mod:`materiel.ingest.related`).
_RELATED_ATTR = re.compile(r"related|read-?also|read-?more|see-?also|more-?on", re.IGNORECASE)
#: The heading of such a list, written as text ("<b>Read also</b>").
RELATED_HEADING_RE = re.compile(
    r"^(?:read also|also read|read more|see also|related(?: (?:articles?|stories|news|"
    r"coverage))?|more on this(?: story)?)\s*:?$",
    re.IGNORECASE,
)
_INLINE_TAGS = {"b", "strong", "em", "i", "span", "h2", "h3", "h4", "h5", "h6", "p", "a"}


class _Extractor(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.out = MappedBuilder()
        self._stack: list[tuple[str, bool]] = []
        self._skipping = 0
        self.meta: dict[str, str] = {}
        #: Inside a table: cells written so far in this row, and whether in a cell.
        self._cells = 0
        self._in_cell = False
        self._tables = 0
        #: Headlines of "Read also" lists: (start, end, text) in the source.
        self.related: list[tuple[int, int, str]] = []
        #: The depth of the stack while inside such a list (None: not in one).
        self._related_at: int | None = None
        self._headline: tuple[int, int, str] | None = None

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _break(self) -> None:
        if self._in_cell:  # a paragraph or line break inside a cell is a space
            if self.out.tail and not self.out.tail.endswith(" "):
                at = self._offset()
                self.out.add_standin(" ", at, at)
            return
        if self.out.tail and not self.out.tail.endswith("\n\n"):
            at = self._offset()
            self.out.add_standin("\n\n" if not self.out.tail.endswith("\n") else "\n", at, at)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_headline()
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop")
            if key and values.get("content"):
                self.meta[key.lower()] = values["content"] or ""
            return
        if tag == "time" and values.get("datetime") and "datetime" not in self.meta:
            self.meta["datetime"] = values["datetime"] or ""
        if tag in _VOID_TAGS:
            if tag in _BLOCK_TAGS and not self._skipping:
                self._break()
            return
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        skip = tag in _SKIP_TAGS or bool(names and _BOILERPLATE_ATTR.search(names))
        if self._related_at is None and names and _RELATED_ATTR.search(names):
            self._related_at = len(self._stack) + 1
        skip = skip or self._related_at is not None
        if tag == "figure" and self._holds_table():
            skip = False  # a table in a figure (as WordPress writes tables) is read
        if tag == "title":
            skip = True
        self._stack.append((tag, skip))
        if skip:
            self._skipping += 1
        elif tag in _BLOCK_TAGS and not self._skipping:
            self._break()
        elif tag in ("tr", "td", "th") and not self._skipping:
            self._table_start(tag)
        if tag == "table":
            self._tables += 1

    def _holds_table(self) -> bool:
        """Whether the element opening here holds a table before its figure closes."""
        at = self._offset()
        end = self._source.find("</figure", at)
        return "<table" in self._source[at : end if end >= 0 else len(self._source)]

    def _table_start(self, tag: str) -> None:
        """A table is written as Markdown writes one: a row a line, ``| a | b |``, the
        whole table one paragraph (see :mod:`materiel.ingest.tables`)."""
        at = self._offset()
        if tag == "tr":
            self._end_row(at)
            if self.out.tail and not self.out.tail.endswith("\n"):
                self.out.add_standin("\n", at, at)
            return
        self.out.add_standin("| " if self._cells == 0 else " | ", at, at)
        self._cells += 1
        self._in_cell = True

    def _end_row(self, at: int) -> None:
        if self._cells:
            self.out.add_standin(" |", at, at)
        self._cells, self._in_cell = 0, False

    def _close_headline(self) -> None:
        """End the headline being read, keeping it if it has words."""
        if self._headline is None:
            return
        start, end, text = self._headline
        self._headline = None
        text = " ".join(text.split())
        if re.search(r"[^\W\d_]{2}", text) and not RELATED_HEADING_RE.match(text):
            self.related.append((start, end, text))

    def _in_related(self, data: str, at: int, raw_len: int) -> bool:
        """Whether text at ``at`` belongs to a "Read also" list (and read it as a headline
        there); a heading "Read also" starts one in the element around it."""
        if self._related_at is None and RELATED_HEADING_RE.match(data.strip()):
            top = self._stack[-1][0] if self._stack else ""
            self._related_at = max(1, len(self._stack) - (top in _INLINE_TAGS))
            return True
        if self._related_at is None:
            return False
        if self._headline is None:
            if not data.strip() or not re.search(r"\w", data):
                return True
            self._headline = (at, at + raw_len, data)
        else:
            self._headline = (self._headline[0], at + raw_len, self._headline[2] + data)
        return True

    def handle_endtag(self, tag: str) -> None:
        self._close_headline()
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                for _, skipped in self._stack[index:]:
                    self._skipping -= int(skipped)
                del self._stack[index:]
                break
        if self._related_at is not None and len(self._stack) < self._related_at:
            self._related_at = None  # the list's element has closed
        if tag == "table":
            self._tables = max(0, self._tables - 1)
        if tag in ("tr", "table") and not self._skipping:
            self._end_row(self._offset())
        elif tag in ("td", "th"):
            self._in_cell = False
        if tag in _BLOCK_TAGS and not self._skipping:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._in_related(data, self._offset(), len(data)):
            return
        if self._skipping:
            if self._stack and self._stack[-1][0] == "title":
                self.meta.setdefault("title", " ".join(data.split()))
            return
        if self._tables and not self._in_cell and not data.strip():
            return  # the layout between cells and rows
        if self._tables:  # one row, one line: a cell's line breaks are spaces
            data = data.replace("\n", " ").replace("|", "/")
        self.out.add_exact(data, self._offset())

    def _entity(self, raw: str, text: str) -> None:
        if self._related_at is not None and self._headline is not None:
            self._in_related(text, self._offset(), len(raw))
            return
        if not self._skipping:
            at = self._offset()
            self.out.add_standin(text, at, at + len(raw))

    def handle_entityref(self, name: str) -> None:
        raw = f"&{name};" if self._source.startswith(f"&{name};", self._offset()) else f"&{name}"
        self._entity(raw, unescape(raw))

    def handle_charref(self, name: str) -> None:
        raw = f"&#{name};" if self._source.startswith(f"&#{name};", self._offset()) else f"&#{name}"
        self._entity(raw, unescape(raw))


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page rather than prose that mentions a tag."""
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or bool(re.search(r"<(p|div|body)\b", head))


def extract_html(source: str) -> tuple[MappedText, dict[str, str], list[tuple[int, int, str]]]:
    """The visible article text of ``source``, the page's meta values (lower-case keys),
    and the headlines of its "Read also" lists ``(start, end, text)``, which are not in the
    text.

    Meta values include ``title`` and, where the page gives them, ``datetime`` (from a
    ``<time datetime=...>``), ``article:published_time`` and ``og:site_name``.
    """
    parser = _Extractor(source)
    parser.feed(source)
    parser.close()
    parser._close_headline()
    return parser.out.build(), parser.meta, parser.related


#: Smallest similarity [0, 100] of a block to a line of the main text for the block to stay.
MATCH_SCORE = 90


def keep_main_text(mapped: MappedText, source: str) -> MappedText:
    """``mapped`` without the blocks that trafilatura does not count as the article's
    main text; unchanged when trafilatura finds none."""
    import trafilatura
    from rapidfuzz import fuzz, process

    try:
        main = trafilatura.extract(
            source,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            deduplicate=False,
        )
    except Exception:  # a page trafilatura cannot parse keeps the standard library's reading
        return mapped
    if not main:
        return mapped
    lines = [" ".join(line.split()) for line in main.splitlines() if line.strip()]
    joined = "\n".join(lines)
    flat = " ".join(joined.replace("|", " ").split())  # tables as trafilatura may flatten them
    edits = []
    pos = 0
    for block in mapped.text.split("\n"):
        start, pos = pos, pos + len(block) + 1
        text = " ".join(block.split())
        if not text or text in joined:
            continue
        if text.startswith("|") and " ".join(text.replace("|", " ").split()) in flat:
            continue  # a table row whose cells trafilatura kept
        if process.extractOne(text, lines, scorer=fuzz.ratio, score_cutoff=MATCH_SCORE):
            continue
        edits.append((start, start + len(block), ""))
    return mapped.replace(edits)
