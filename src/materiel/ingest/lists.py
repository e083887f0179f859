"""Spending facts from lists and tables: one fact per ally and figure.

News gives shares of GDP as lists as often as in prose. This module reads them by their
structure, not by their wording:

- **runs of items**: an ally named by the gazetteer followed straight away by its figures,
  item after item ("Poland: 4.12" lines, "Croatia (2.03%), Albania (2.0%)", "Latvia
  3.45%, Lithuania 3.03% and Estonia 3.4%", a table flattened to "Poland 1.88 3.90 U.S.
  3.49 3.72 ..."). Every item of a run has as many figures; the text before the run (its
  header) says what they are: a share of GDP ("% of GDP", "as a percentage of their
  GDP", or a ``%`` on the figures, or a caption in brackets under it) and the year, or
  one year per column ("2014 2023"); a run of amounts ("Germany ($88.5 billion), the
  United Kingdom ($81.1 billion) ...") under a header about defence budgets;
- **tables**, Markdown (``| Country | 2023 | 2024 |``) or HTML (``<table>``): the row's
  ally, and each cell's meaning from its column header (a year, "% of GDP", "spending
  (€bn)"), the caption or the text before the table;
- **one share, several allies**: "members spending more than 3% include Estonia, Norway
  and Denmark" is a fact for each ally, and "Luxembourg, Spain and Portugal are projected
  to reach the benchmark" one at the share of the target named just before;
- **counts of allies**: "Eighteen of NATO's 31 members will meet the 2% commitment", "In
  2021, only six countries met the target", "11 nations met 2% ..., up from three in
  2014": a fact with ``quantity``, ``out_of`` and unit "allies at or above 2% of GDP"
  (none without a year, none from a proposal); "all allies will meet the 2% target" a
  spending fact of NATO;
- **an amount and the share it is**: "brings total defence outlays to $62.7 billion,
  equal to 2%": one fact, of the ally the sentence names or the one named before.

Lists and tables must sit in text about defence or the alliance and speak of spending or
GDP, and shares be plausible (above 0 and at most 15% of GDP); shares of something else
("the U.S. share of the common-funded budgets"), other measures (unemployment, inflation)
and aid as a share of the donor's GDP give nothing; an HTML table outside the article's
kept text (comments, sidebars) is not read. Facts the sentence reader drew from the same
figures (the figures of a list read as prose) are replaced.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from materiel.ingest.analyse import SPENDING_RE
from materiel.ingest.cues import (
    AID_CONTEXT_RE,
    AMOUNT_PLEDGE_RE,
    GDP_WORDS,
    PLEDGE_NOUN_RE,
    YEAR,
)
from materiel.ingest.dates import find_dates
from materiel.ingest.document import Document
from materiel.ingest.gazetteer import Gazetteer, Mention
from materiel.ingest.model import Fact, Source
from materiel.ingest.money import (
    Money,
    Percent,
    canonical_qualifier,
    find_money,
    find_percents,
)
from materiel.ingest.numbers import parse_number
from materiel.ingest.sentences import split_paragraphs
from materiel.ingest.spending import ref_year

#: Largest plausible share of GDP spent on defence, in percent.
MAX_SHARE = 15.0
#: Characters before a list searched for what its figures mean and their year.
HEADER_CHARS = 400
#: Sentences before a count or a list searched for the share of the target it refers to.
TARGET_WINDOW = 3
CONFIDENCE = 0.8
#: Characters after a list read for a caption in brackets ("(defence spending, % of GDP)").
FOOTER_CHARS = 120
#: Characters just before a list in which "target" or "pledge" makes its shares pledges.
PLEDGE_CHARS = 60

_FIGURE = r"\d{1,3}(?:[.,]\d{1,2})?(?!\d)"
_PCT = r"(?:\s*(?:%|per ?cent\b|percent\b))"
#: The figures right after an ally's name: "Poland: 4.12", "Croatia (2.03%)", "UK 2.07 2.14".
_FIGURES_RE = re.compile(rf"\s*[:=–—-]?\s*\(?\s*((?:{_FIGURE}{_PCT}?\s*\*?\s*){{1,6}})\)?")
#: A figure right after a capitalised word and a colon or bracket, or with decimals or a
#: percent sign ("Poland: 4.12", "Croatia (2.03%)", "U.S. 3.49", "Latvia 3%"):
#: a paragraph without two of them holds no list.
_ITEM_HINT_RE = re.compile(
    r"[A-Z][\w.’']*(?:\s*[:=(–—-]\s*\(?\s*(?:US|C)?[$€£¥]?\s?\d|\s+\d{1,3}[.,]\d|"
    r"\s+\d{1,3}\s*(?:%|per))"
)
_ONE_FIGURE_RE = re.compile(rf"({_FIGURE})({_PCT})?")
#: What may stand between two items of a run.
_GAP_RE = re.compile(r"^\s*(?:[,;|/•·]|\band\b|\*)?\s*(?:\band\b)?\s*(?:\bthe\s+)?$", re.IGNORECASE)
#: What may stand between an ally and its amount: "Germany: €86bn", "Germany ($88.5bn)".
_MONEY_LEAD_RE = re.compile(r"\s*[:=–—-]?\s*\(?\s*(?=[$€£¥]|US\$|C\$|[A-Z]{3}\s?\d)")
_YEAR_RE = re.compile(rf"(?<![\d.,$€£])({YEAR})(?!\d|\s*prices|\s*exchange)", re.IGNORECASE)
_SHARE_WORDS_RE = re.compile(
    r"%|\bper ?cent|\bpercent|\bpercentage|\bshare of (?:their |its )?(?:GDP|gross)|\bof GDP\b",
    re.IGNORECASE,
)
_DEFENCE_RE = re.compile(
    r"\bdefen[cs]e|\bmilitary|\bNATO\b|\barmed forces|\bspending|\bexpenditure|\ballies\b",
    re.IGNORECASE,
)
_GDP_RE = re.compile(GDP_WORDS, re.I)
#: "share of these common-funded budgets", "share of the costs": a share of something else.
_OTHER_SHARE_RE = re.compile(
    r"\bshare of (?!(?:their |its |the |national )?(?:GDP|gross|economic|national output))"
    r"(?:the |these |its |their |this )?[\w -]{0,40}?\b(?:budgets?|costs?|funding|bill|"
    r"contributions?|market|exports?|imports?|votes?|population)\b",
    re.IGNORECASE,
)
#: Measures given as percentages that are not shares of GDP spent on defence.
_OTHER_MEASURE_RE = re.compile(
    r"\b(?:unemploy\w*|inflation|growth|debt|deficit|turnout|support|polls?|approval|"
    r"interest rates?|population|exports?|imports?|tax\w*|votes?)\b",
    re.IGNORECASE,
)
#: A table's column of another measure, or of a change or a rank of this one.
_OTHER_COLUMN_RE = re.compile(
    rf"{_OTHER_MEASURE_RE.pattern}|\b(?:change|rank\w*|increase|decrease|per capita|real terms)\b",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?:]\s+(?=[A-Z“\"])|\n")


@dataclass
class _Item:
    """An ally and the figures written right after its name, in document text offsets."""

    ally: str
    figures: list[tuple[float, bool]]
    start: int
    end: int
    #: An amount instead of figures ("Germany ($88.5 billion)", "France: €50bn").
    money: Money | None = None


@dataclass
class _Found:
    """Facts read from a list, a table or a sentence, and the figures they replace."""

    facts: list[Fact] = field(default_factory=list)
    #: (raw start, raw end, figures) of each region: sentence facts there with a share or an
    #: amount among these figures (any, for None) are replaced.
    regions: list[tuple[int, int, set[float] | None]] = field(default_factory=list)
    counts: list[tuple[int, int]] = field(default_factory=list)
    #: Raw spans of the tables read (a table's cells are not read again as a run of items).
    tables: list[tuple[int, int]] = field(default_factory=list)
    #: Sentences whose facts without an ally are replaced ("all allies ... 2%").
    allyless: list[tuple[int, int]] = field(default_factory=list)


def list_facts(doc: Document, gazetteer: Gazetteer, facts: Sequence[Fact]) -> list[Fact]:
    """``facts`` of one article with the facts of its lists and tables added, and the facts
    the sentence reader drew from the same figures removed."""
    text = doc.text.text
    if not re.search(r"\d", text):
        return list(facts)
    found = _Found()
    _read_tables(doc, gazetteer, found)
    _read_runs(doc, gazetteer, found)
    _read_sentences(doc, gazetteer, found)
    if not (found.facts or found.regions or found.counts or found.allyless):
        return list(facts)
    kept = [f for f in facts if not _replaced(f, found)]
    return kept + _dedupe_counts(found.facts)


def _replaced(fact: Fact, found: _Found) -> bool:
    """Whether a sentence fact gives a share or an amount that a list, a table or a
    sentence read here gives (or a count of allies in a sentence whose counts were read)."""
    if fact.kind not in ("spending", "pledge"):
        return False
    start, end = fact.span
    if _is_count(fact.fields):
        return any(a < end and start < b for a, b in found.counts)
    if not (fact.fields.get("actors") or {}).get("ally"):
        return any(a < end and start < b for a, b in found.allyless)
    figures = [fact.fields.get(k) for k in ("share_of_gdp", "value")]
    return any(
        a < end
        and start < b
        and (values is None or any(_near(f, v) for f in figures if f is not None for v in values))
        for a, b, values in found.regions
    )


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(abs(a), abs(b), 1e-9)


def _is_count(fields: dict[str, Any]) -> bool:
    return str(fields.get("quantity_unit") or "").startswith("allies")


def _base_year(doc: Document) -> int | None:
    return doc.date.year if doc.date else None


def _fact(
    doc: Document, kind: str, fields: dict[str, Any], span: tuple[int, int], sentence: str
) -> Fact:
    """A fact with its source; ``span`` is in raw file offsets."""
    base = _base_year(doc)
    if "status" not in fields:
        year = fields.get("year")
        if kind == "pledge":
            fields["status"] = "pledged"
        else:
            later = year is not None and base is not None and year > base
            fields["status"] = "planned" if later else "estimate"
    source = Source(
        file=doc.path,
        start=span[0],
        end=span[1],
        sentence=" ".join(sentence.split()),
        article_date=doc.date.isoformat() if doc.date else None,
        title=doc.title,
        publisher=doc.publisher,
    )
    clean = {k: v for k, v in fields.items() if v is not None}
    return Fact(kind, clean, [source], CONFIDENCE)


# --- runs of items ------------------------------------------------------------------


def _countries(gazetteer: Gazetteer, text: str) -> list[Mention]:
    return [m for m in gazetteer.find(text) if m.kind == "country"]


def _what_run_gives(doc: Document, header: str, run: list[_Item]) -> str | None:
    """What the figures of a run are, from its header and the line right after it (a
    caption under a table): "shares" of GDP spent on defence; "other" shares or measures
    (of a common budget, unemployment ...); "aid" as a share of the donor's GDP; None when
    the run is no list of shares at all."""
    after = doc.text.text[run[-1].end : run[-1].end + FOOTER_CHARS].lstrip().split("\n")[0]
    caption = after if after.startswith("(") else ""
    last = f"{_last_sentence(header)} {caption}"
    said = f"{header} {caption}"
    percent = all(pct for item in run for _, pct in item.figures)
    if not (percent or _SHARE_WORDS_RE.search(said)):
        return None
    if not (_DEFENCE_RE.search(said) or _DEFENCE_RE.search(doc.title or "")):
        return None
    if _OTHER_SHARE_RE.search(last) or _OTHER_MEASURE_RE.search(last):
        return "other"
    if not (SPENDING_RE.search(said) or _GDP_RE.search(said)):
        return None
    if AID_CONTEXT_RE.search(last):
        return "aid"
    if not all(0 < v <= MAX_SHARE for item in run for v, _ in item.figures):
        return None
    return "shares"


def _paragraph_countries(gazetteer: Gazetteer, text: str) -> list[Mention]:
    """Countries named in the paragraphs that may hold a list, with offsets into ``text``
    (paragraph by paragraph: the gazetteer's fuzzy pass grows with the square of its text)."""
    found: list[Mention] = []
    for start, end in split_paragraphs(text):
        paragraph = text[start:end]
        if len(_ITEM_HINT_RE.findall(paragraph)) >= 2:
            found += [
                replace(m, start=m.start + start, end=m.end + start)
                for m in _countries(gazetteer, paragraph)
            ]
    return found


def _items(text: str, mentions: list[Mention]) -> Iterator[_Item]:
    for index, m in enumerate(mentions):
        limit = mentions[index + 1].start if index + 1 < len(mentions) else len(text)
        lead = _MONEY_LEAD_RE.match(text, m.end, limit)
        amounts = find_money(text[lead.end() : min(limit, lead.end() + 40)]) if lead else []
        if amounts and amounts[0].start == 0 and amounts[0].value is not None:
            end = lead.end() + amounts[0].end if lead else m.end
            end += 1 if text[end : end + 1] == ")" else 0
            yield _Item(m.id, [], m.start, end, amounts[0])
            continue
        match = _FIGURES_RE.match(text, m.end, limit)
        if not match:
            continue
        figures = []
        for one in _ONE_FIGURE_RE.finditer(match.group(1)):
            value = parse_number(one.group(1).replace(",", "."))
            if value is not None:
                figures.append((value, bool(one.group(2))))
        end = match.end()
        while end > m.end and text[end - 1].isspace():
            end -= 1
        yield _Item(m.id, figures, m.start, end)


def _runs(text: str, mentions: list[Mention]) -> Iterator[list[_Item]]:
    """Consecutive items with as many figures each, separated by nothing but a comma,
    "and", a bar or a line break."""
    run: list[_Item] = []
    for item in _items(text, mentions):
        if run and (
            len(item.figures) != len(run[-1].figures)
            or (item.money is None) != (run[-1].money is None)
            or not _GAP_RE.match(text[run[-1].end : item.start])
        ):
            yield run
            run = []
        run.append(item)
    if run:
        yield run


def _is_list(run: list[_Item]) -> bool:
    """Three items, or two whose figures carry a percent sign."""
    with_percent = all(pct for item in run for _, pct in item.figures)
    return len(run) >= 3 or (len(run) >= 2 and (with_percent or run[0].money is not None))


def _last_sentence(header: str) -> str:
    parts = [p for p in _SENTENCE_END_RE.split(header.rstrip(" :\n")) if p.strip()]
    return parts[-1] if parts else ""


def _sentences_around(doc: Document, start: int, end: int) -> tuple[int, int]:
    """The raw span of the sentences that ``[start, end)`` of the text overlaps."""
    spans = [(a, b) for a, b in doc.sentences if a < end and start < b] or [(start, end)]
    return doc.text.span(spans[0][0], spans[-1][1])


def _measures_spending(text: str) -> bool:
    """Whether ``text`` speaks of defence spending or of GDP, and of no other measure
    (unemployment, inflation, growth, poll support ...)."""
    return bool(SPENDING_RE.search(text) or _GDP_RE.search(text)) and not (
        _OTHER_MEASURE_RE.search(text)
    )


def _column_years(header: str, columns: int, base: int | None) -> list[int | None] | None:
    """The year of each column: a row of as many years in the header ("2014 2023"); for one
    column, the year of the sentence just before the list (or of the header, or the
    article's). None when several columns have no years."""
    if columns > 1:
        row = rf"(?<![\d–-])({YEAR})" + rf"(?:[\s|,/]+({YEAR}))" * (columns - 1)
        pattern = re.compile(row + rf"(?![\s|,/]*{YEAR})(?![\d–-])")
        matches = list(pattern.finditer(header))
        if not matches:
            return None
        return [int(y) for y in matches[-1].groups()]
    for part in (_last_sentence(header), header):
        years = [int(y) for y in _YEAR_RE.findall(part)]
        if years:
            return [years[0] if part is not header else years[-1]]
    return [base]


def _read_runs(doc: Document, gazetteer: Gazetteer, found: _Found) -> None:
    text = doc.text.text
    mentions = _paragraph_countries(gazetteer, text)
    if len(mentions) < 2:
        return
    for run in _runs(text, mentions):
        start, end = doc.text.span(run[0].start, run[-1].end)
        if not _is_list(run) or any(a < end and start < b for a, b in found.tables):
            continue
        header = text[max(0, run[0].start - HEADER_CHARS) : run[0].start]
        header = header.split("\n\n")[-1] if len(header.split("\n\n")[-1]) > 40 else header
        if run[0].money is not None:
            _read_amounts(doc, header, run, found)
            continue
        gives = _what_run_gives(doc, header, run)
        if gives == "other":
            # "the U.S. share of the common budget is 22%, followed by Germany (15%) ...":
            # shares of something else, and so are the sentence's other figures
            found.regions.append((*_sentences_around(doc, run[0].start, run[-1].end), None))
        if gives in ("aid", "shares"):
            found.regions.append((start, end, {v for item in run for v, _ in item.figures}))
        if gives != "shares":
            continue
        years = _column_years(header, len(run[0].figures), _base_year(doc))
        if years is None:
            continue
        kind = "pledge" if PLEDGE_NOUN_RE.search(header[-PLEDGE_CHARS:]) else "spending"
        intro = _last_sentence(header).strip()
        for item in run:
            span = doc.text.span(item.start, item.end)
            for (value, _), year in zip(item.figures, years, strict=True):
                fields = {"actors": {"ally": item.ally}, "share_of_gdp": value, "year": year}
                line = f"{intro} … {text[item.start : item.end]}".lstrip(" …")
                found.facts.append(_fact(doc, kind, fields, span, line))


def _read_amounts(doc: Document, header: str, run: list[_Item], found: _Found) -> None:
    """A run of amounts under a header about defence budgets or spending ("Defence
    budgets for 2025: Germany €86bn, France €50.5bn, Italy €32bn"): one fact each."""
    last = _last_sentence(header)
    if not (SPENDING_RE.search(last) or re.search(r"\bbudgets?\b", last, re.IGNORECASE)):
        return
    if not (_DEFENCE_RE.search(header) or _DEFENCE_RE.search(doc.title or "")):
        return
    if (
        AID_CONTEXT_RE.search(last)
        or _OTHER_SHARE_RE.search(last)
        or _OTHER_MEASURE_RE.search(last)
    ):
        return
    years = _column_years(header, 1, _base_year(doc))
    assert years is not None
    for item in run:
        assert item.money is not None
        fields = {
            "actors": {"ally": item.ally},
            "value": item.money.value,
            "currency": item.money.currency,
            "value_qualifier": canonical_qualifier(item.money.qualifier),
            "year": years[0],
        }
        span = doc.text.span(item.start, item.end)
        line = f"{last.strip()} … {doc.text.text[item.start : item.end]}".lstrip(" …")
        found.facts.append(_fact(doc, "spending", fields, span, line))
    start, end = doc.text.span(run[0].start, run[-1].end)
    found.regions.append((start, end, {i.money.value for i in run if i.money and i.money.value}))


# --- tables -------------------------------------------------------------------------


@dataclass
class _Table:
    """Rows of cells (text, raw start, raw end), the text before the table (and its caption),
    and its raw span."""

    rows: list[list[tuple[str, int, int]]]
    context: str
    start: int
    end: int


_MD_ROW_RE = re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.MULTILINE)
_MD_RULE_RE = re.compile(r"^[\s|:-]+$")


def _markdown_tables(doc: Document) -> Iterator[_Table]:
    text = doc.text.text
    rows: list[list[tuple[str, int, int]]] = []
    first = last = 0
    for match in [*_MD_ROW_RE.finditer(text), None]:
        if match is not None and rows and text[last : match.start()].strip() == "":
            pass
        elif rows:
            if len(rows) >= 2:
                context = text[max(0, first - HEADER_CHARS) : first]
                yield _Table(rows, context, *doc.text.span(first, last))
            rows = []
        if match is None:
            break
        if _MD_RULE_RE.match(match.group(0)):
            last = match.end()
            continue
        if not rows:
            first = match.start()
        cells, pos = [], match.start() + match.group(0).index("|") + 1
        for part in match.group(0).strip().strip("|").split("|"):
            start, end = doc.text.span(pos, pos + len(part))
            cells.append((part.strip(), start, end))
            pos += len(part) + 1
        rows.append(cells)
        last = match.end()


_HTML_TABLE_RE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_HTML_ROW_RE = re.compile(r"<tr\b.*?(?:</tr\s*>|(?=<tr\b)|$)", re.IGNORECASE | re.DOTALL)
_HTML_CELL_RE = re.compile(r"<t[hd]\b[^>]*>(.*?)(?:</t[hd]\s*>|(?=<t[hd]\b)|$)", re.I | re.S)
_HTML_CAPTION_RE = re.compile(r"<caption\b[^>]*>(.*?)</caption\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAG_RE.sub(" ", fragment)).split())


def _kept(doc: Document, start: int, end: int) -> bool:
    """Whether some of the raw ``[start, end)`` is in the article's kept text."""
    starts = doc.text.starts
    index = bisect_left(starts, start)
    return index < len(starts) and starts[index] < end


def _html_tables(doc: Document) -> Iterator[_Table]:
    raw = doc.raw
    if "<table" not in raw.lower():
        return
    for table in _HTML_TABLE_RE.finditer(raw):
        if not _kept(doc, table.start(), table.end()):
            continue  # in a comment section, a sidebar or navigation: not the article
        rows = []
        for row in _HTML_ROW_RE.finditer(raw, table.start(), table.end()):
            cells = [
                (_plain(c.group(1)), row.start() + c.start(), row.start() + c.end())
                for c in _HTML_CELL_RE.finditer(row.group(0))
            ]
            if cells:
                rows.append(cells)
        caption = _HTML_CAPTION_RE.search(table.group(0))
        before = _plain(raw[max(0, table.start() - 3 * HEADER_CHARS) : table.start()])
        context = before[-HEADER_CHARS:] + " " + (_plain(caption.group(1)) if caption else "")
        yield _Table(rows, context, table.start(), table.end())


_CELL_NUMBER_RE = re.compile(r"^\s*[$€£¥]?\s*(-?\d+(?:[.,]\d+)*)\s*(%)?\s*\*?\s*$")
_SCALE_RE = re.compile(r"\b(bn|billions?|mn|millions?|m|trillions?|tn)\b", re.IGNORECASE)
_SCALES = {"b": 1e9, "m": 1e6, "t": 1e12}


def _cell_number(cell: str) -> float | None:
    match = _CELL_NUMBER_RE.match(cell)
    if not match:
        return None
    digits = match.group(1)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", digits):
        digits = digits.replace(",", "")
    return parse_number(digits.replace(",", "."))


def _column_money(header: str) -> tuple[str, float] | None:
    """Currency and scale of a money column ("Spending (US$ bn)", "€ billion")."""
    scale = _SCALE_RE.search(header)
    money = find_money(f"{header} 1" if scale is None else f"1 {scale.group(1)} {header}")
    currency = next((m.currency for m in money if m.currency), None)
    if currency is None:
        for symbol, code in (("US$", "USD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP")):
            if symbol in header:
                currency = code
                break
    if currency is None or scale is None:
        return None
    return currency, _SCALES[scale.group(1)[0].lower()]


def _ally_column(table: _Table, gazetteer: Gazetteer) -> int | None:
    for j in range(max(len(r) for r in table.rows)):
        named = sum(
            1 for row in table.rows[1:] if j < len(row) and _country_cell(gazetteer, row[j][0])
        )
        if named >= max(1, (len(table.rows) - 1) // 2):
            return j
    return None


def _country_cell(gazetteer: Gazetteer, cell: str) -> str | None:
    found = _countries(gazetteer, cell)
    if len(found) != 1:
        return None
    rest = (cell[: found[0].start] + cell[found[0].end :]).strip(" *†‡()[]0-9")
    return found[0].id if len(rest) <= 3 else None


def _read_tables(doc: Document, gazetteer: Gazetteer, found: _Found) -> None:
    if "|" not in doc.text.text and "<table" not in doc.raw.lower():
        return
    pages = list(_html_tables(doc))
    # an HTML table is also in the article's text as Markdown rows (document.html):
    # it is read once, from the page, where its caption and cells are
    written = [
        t
        for t in _markdown_tables(doc)
        if not any(p.start < t.end and t.start < p.end for p in pages)
    ]
    for table in [*written, *pages]:
        if len(table.rows) >= 2 and _ally_column(table, gazetteer) is None:
            table = _transposed(table)  # allies as columns, years or measures as rows
        if len(table.rows) >= 2:
            _read_table(doc, gazetteer, table, found)


def _transposed(table: _Table) -> _Table:
    width = max(len(row) for row in table.rows)
    full = [row + [("", row[-1][2], row[-1][2])] * (width - len(row)) for row in table.rows]
    rows = [[row[j] for row in full] for j in range(width)]
    return _Table(rows, table.context, table.start, table.end)


#: What a column gives: its year, the kind of fact, and "share" or (currency, scale).
_Meaning = tuple[int | None, str, str | tuple[str, float]]


def _read_table(doc: Document, gazetteer: Gazetteer, table: _Table, found: _Found) -> None:
    column = _ally_column(table, gazetteer)
    if column is None:
        return
    heads = [cell[0] for cell in table.rows[0]]
    around = f"{table.context} {' '.join(heads)} {doc.title or ''}"
    if not _DEFENCE_RE.search(around):
        return
    named = f"{_last_sentence(table.context)} {' '.join(heads)}"
    if not (SPENDING_RE.search(named) or _GDP_RE.search(named)):
        return  # a column of another measure is skipped below
    default_year = (_column_years(table.context, 1, _base_year(doc)) or [None])[0]
    context_share = bool(_SHARE_WORDS_RE.search(table.context)) and bool(
        _GDP_RE.search(table.context)
    )
    meanings: list[_Meaning | None] = []
    for j, head in enumerate(heads):
        years = [int(y) for y in _YEAR_RE.findall(head)]
        year = years[0] if years else default_year
        money = _column_money(head)
        share = bool(_SHARE_WORDS_RE.search(head)) or (money is None and context_share)
        if j == column or not (share or money) or _OTHER_COLUMN_RE.search(head):
            meanings.append(None)
            continue
        kind = "pledge" if PLEDGE_NOUN_RE.search(head) else "spending"
        meanings.append((year, kind, money if money is not None else "share"))
    values: set[float] = set()
    for row in table.rows[1:]:
        if column >= len(row):
            continue
        ally = _country_cell(gazetteer, row[column][0])
        if ally is None:
            continue
        by_year: dict[tuple[int | None, str], dict[str, Any]] = {}
        for j, (cell, _start, _end) in enumerate(row):
            meaning = meanings[j] if j < len(meanings) else None
            number = _cell_number(cell)
            if meaning is None or number is None:
                continue
            year, kind, what = meaning
            fields = by_year.setdefault((year, kind), {"actors": {"ally": ally}, "year": year})
            if what == "share":
                if not 0 < number <= MAX_SHARE:
                    continue
                fields["share_of_gdp"] = number
                values.add(number)
            else:
                assert isinstance(what, tuple)
                fields.update(value=number * what[1], currency=what[0])
                values.add(number * what[1])
        line = " | ".join(cell[0] for cell in row)
        span = (row[0][1], row[-1][2])
        for (_, kind), fields in by_year.items():
            if "share_of_gdp" in fields or "value" in fields:
                found.facts.append(_fact(doc, kind, fields, span, line))
    found.regions.append((table.start, table.end, values))
    found.tables.append((table.start, table.end))


# --- list-like sentences and counts ----------------------------------------------------

_COUNTWORD = (
    r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty(?:-\w+)?|thirty(?:-\w+)?"
)
_COUNT_RE = re.compile(
    rf"(?<![\w.,])(?P<qual>more than|over|at least|fewer than|less than|nearly|almost|about|"
    rf"all|a total of|only|just)?\s*\b(?P<n>{_COUNTWORD})\s+"
    rf"(?:of\s+(?:the\s+)?(?:then\s+|alliance[’']s\s+|current\s+)?(?:NATO[’']*s?\s+)?"
    rf"(?P<total>{_COUNTWORD})\s+)?(?:NATO\s+|Nato\s+|alliance\s+|European\s+)?"
    rf"(?:allies|members|member states|member countries|countries|nations)\b\*?",
    re.IGNORECASE,
)
_MEET_RE = re.compile(
    r"\b(?:met|meets?|meeting|reach(?:ed|es|ing)?|hit|hits|exceed\w*|spen[dt]\w*|surpass\w*|"
    r"above|achiev\w*|fulfil\w*)\b",
    re.IGNORECASE,
)
_TARGET_RE = re.compile(
    r"\b(?:target|goal|guideline|benchmark|threshold|pledge|commitment|mark)\b", re.IGNORECASE
)
_PROPOSAL_RE = re.compile(
    r"\b(?:propos\w*|should|ought to|urg\w*|call(?:s|ed)? (?:on|for)|demand\w*|wants?|"
    r"must)\b",
    re.IGNORECASE,
)
_THEN_RE = re.compile(
    rf"\b(?:up from|compared with|compared to|against)\s+(?:just\s+|only\s+)?"
    rf"(?P<n>{_COUNTWORD})\b(?!\s*(?:%|per ?cent|percent))",
    re.IGNORECASE,
)
#: Characters after an earlier count searched for its date ("in 2014", "a decade ago").
THEN_CHARS = 40
_WITH_RE = re.compile(
    rf",?\s+with\s+(?P<n>{_COUNTWORD})\s+(?:at|above|below|under)\b[^,;.]*?"
    rf"(?P<share>\d+(?:\.\d+)?)\s*(?:%|per ?cent|percent)",
    re.IGNORECASE,
)
_ALL_ALLIES_RE = re.compile(
    r"\ball\s+(?:the\s+)?(?:NATO\s+|alliance\s+)?(?:allies|members|member states|member countries|"
    r"countries)\b(?!\s+(?:of|in)\b)",
    re.IGNORECASE,
)
#: Characters after "all allies" within which the verb of meeting the share must come.
ALL_CHARS = 50
#: A sentence that may give one share for several allies: a percentage or a target.
_ENUMERATION_HINT_RE = re.compile(
    r"%|per ?cent|percent|benchmark|target|goal|guideline|threshold", re.IGNORECASE
)


def _target_share(previous: list[str]) -> tuple[float, str | None] | None:
    """The share of a target named in the sentences before, with its qualifier ("a target
    of at least 2%")."""
    for sentence in reversed(previous):
        if _TARGET_RE.search(sentence):
            shares = [p for p in find_percents(sentence) if p.value]
            if shares:
                return _share_of(shares[-1])
    return None


def _share_of(p: Percent) -> tuple[float, str | None]:
    return (p.value or 0.0), canonical_qualifier(p.qualifier)


_CLAUSE_RE = re.compile(r"\s[–—-]\s|;|\(|\)")


def _year_in(sentence: str, base: int | None, near: int = 0) -> int | None:
    """The year written nearest to ``near`` in its clause, else the article's year."""
    start = max((m.end() for m in _CLAUSE_RE.finditer(sentence, 0, near)), default=0)
    found = _CLAUSE_RE.search(sentence, near)
    clause = sentence[start : found.start() if found else len(sentence)]
    years = [(abs(m.start() + start - near), int(m.group(1))) for m in _YEAR_RE.finditer(clause)]
    return min(years)[1] if years else base


#: Words without one of which a sentence holds no count, share list or amount-and-share.
_HINT_RE = re.compile(
    r"allies|member|countr|nation|%|cent|target|goal|guideline|benchmark|threshold", re.I
)


@dataclass
class _At:
    """A sentence being read, with its article, the sentences before it and what was found."""

    doc: Document
    gazetteer: Gazetteer
    sentence: str
    span: tuple[int, int]
    previous: list[str]
    found: _Found


def _read_sentences(doc: Document, gazetteer: Gazetteer, found: _Found) -> None:
    previous: list[str] = []  # the sentences just before, as written
    for start, end in doc.sentences:
        written = doc.text.text[start:end]
        if not _HINT_RE.search(written):
            previous = [*previous[-(TARGET_WINDOW - 1) :], written]
            continue
        sentence = " ".join(written.split())
        at = _At(doc, gazetteer, sentence, doc.text.span(start, end), previous, found)
        if _COUNT_RE.search(sentence) and (_MEET_RE.search(sentence)):
            _read_counts(at)
        elif _ALL_ALLIES_RE.search(sentence) and _MEET_RE.search(sentence):
            _read_all_allies(at)
        elif _ENUMERATION_HINT_RE.search(sentence):
            _read_enumeration(at)
        if _EQUAL_HINT_RE.search(sentence):
            _read_equal(at)
        previous = [*previous[-(TARGET_WINDOW - 1) :], written]


def _count_fields(n: float, share: float, year: int | None, qual: str | None) -> dict[str, Any]:
    return {
        "actors": {"ally": "NATO"},
        "quantity": int(n),
        "quantity_unit": f"allies at or above {share:g}% of GDP",
        "quantity_qualifier": canonical_qualifier(qual),
        "share_of_gdp": share,
        "year": year,
    }


def _read_counts(at: _At) -> None:
    """ "Eighteen of NATO's 31 members will meet ... 2%", "In 2021, only six countries met
    the target", "... up from three in 2014", "all 32 members ..., with seven at 2%"."""
    doc, sentence, span, previous, found = at.doc, at.sentence, at.span, at.previous, at.found
    base = _base_year(doc)
    match = _COUNT_RE.search(sentence)
    assert match is not None
    n = parse_number(match.group("n").lower())
    total = parse_number(match.group("total").lower()) if match.group("total") else None
    if n is None or n > 40 or (total is not None and (n > total or total > 40)):
        return
    threshold = _threshold(sentence, match.end(), previous)
    if threshold is None:
        return
    share = threshold[0]
    qual = match.group("qual")
    qual = None if qual and qual.lower() in ("all", "a total of", "only", "just") else qual
    year = _year_in(sentence, base, match.start())
    if year is None:  # a count of allies meeting a share is a figure of some year
        found.counts.append(span)
        return
    fields = _count_fields(n, share, year, qual)
    if total is not None:
        fields["out_of"] = int(total)
    elif match.group("qual") and match.group("qual").lower() == "all":
        fields["out_of"] = int(n)
    found.facts.append(_fact(doc, "spending", fields, span, sentence))
    then = _THEN_RE.search(sentence, match.end())
    m = parse_number(then.group("n").lower()) if then else None
    if then and m is not None and m <= (total or 40):
        when = find_dates(sentence[then.end() : then.end() + THEN_CHARS], doc.date)
        years = [y for y in (ref_year(r) for r in when) if y is not None]
        if years and years[0] != year:
            earlier = _count_fields(m, share, years[0], None)
            found.facts.append(_fact(doc, "spending", earlier, span, sentence))
    with_ = _WITH_RE.search(sentence, match.end())
    w = parse_number(with_.group("n").lower()) if with_ else None
    if with_ and w is not None and w <= (total or n):
        other = _count_fields(w, float(with_.group("share")), year, None)
        found.facts.append(_fact(doc, "spending", other, span, sentence))
    found.counts.append(span)
    found.regions.append((*span, {share}))


def _threshold(
    sentence: str, position: int, previous: list[str]
) -> tuple[float, str | None] | None:
    """The share of GDP the allies counted at ``position`` meet: the one written after the
    count, or in the sentence, or the target named before (2% when none is named); None
    when the sentence does not speak of meeting a share or a target of defence spending."""
    percents = [p for p in find_percents(sentence) if p.value]
    if not (percents or _TARGET_RE.search(sentence)):
        return None
    if _PROPOSAL_RE.search(sentence):
        return None  # "X proposed all allies should spend 3%": nobody's figure yet
    if not _MEET_RE.search(sentence, position) or not _about_defence(sentence, previous):
        return None
    after = [p for p in percents if p.start >= position]
    if after or percents:
        return _share_of((after or percents)[0])
    return _target_share(previous) or (2.0, None)


def _read_all_allies(at: _At) -> None:
    """ "All NATO countries are expected to meet the target of 2% of GDP this year": the
    share, for the alliance as a whole."""
    doc, sentence, span, previous, found = at.doc, at.sentence, at.span, at.previous, at.found
    match = _ALL_ALLIES_RE.search(sentence)
    assert match is not None
    threshold = _threshold(sentence, match.end(), previous)
    if threshold is None or not _MEET_RE.search(sentence, match.end(), match.end() + ALL_CHARS):
        return
    year = _year_in(sentence, _base_year(doc), match.start())
    fields = {
        "actors": {"ally": "NATO"},
        "share_of_gdp": threshold[0],
        "share_qualifier": threshold[1],
        "year": year,
    }
    found.facts.append(_fact(doc, "spending", fields, span, sentence))
    found.allyless.append(span)  # a reading as the target itself (a pledge of NATO) stays


def _about_defence(sentence: str, previous: list[str]) -> bool:
    return bool(_DEFENCE_RE.search(sentence) or _GDP_RE.search(sentence)) or any(
        _GDP_RE.search(p) or _DEFENCE_RE.search(p) for p in previous
    )


_LIST_OF_ALLIES_RE = re.compile(r"^(?:\s*(?:,|and|, and|[—–])\s*(?:the\s+)?)$", re.IGNORECASE)


def _enumerated(gazetteer: Gazetteer, sentence: str) -> tuple[list[str], int, int] | None:
    """Three or more countries named one after another ("Estonia, Norway, the United States
    and Denmark"), with the span of the enumeration."""
    best: list[Mention] = []
    run: list[Mention] = []
    for m in _countries(gazetteer, sentence):
        gap = sentence[run[-1].end : m.start] if run else ""
        if run and not _LIST_OF_ALLIES_RE.match(gap.replace("the ", "")):
            run = []
        run.append(m)
        if len(run) > len(best):
            best = list(run)
    if len(best) < 3:
        return None
    return [m.id for m in best], best[0].start, best[-1].end


_REACH_TARGET_RE = re.compile(
    r"\b(?:reach|meet|hit|exceed|surpass|above|achieve)\w*\s+(?:the\s+)?(?:[\w-]+\s+){0,2}"
    r"(?:benchmark|target|goal|guideline|threshold)\b",
    re.IGNORECASE,
)


def _read_enumeration(at: _At) -> None:
    """One share for several allies: "members spending more than 3% include Estonia, Norway
    and Denmark"; "Luxembourg, Spain and Portugal are projected to reach the benchmark"."""
    doc, gazetteer, sentence, span = at.doc, at.gazetteer, at.sentence, at.span
    previous, found = at.previous, at.found
    listed = _enumerated(gazetteer, sentence)
    if listed is None:
        return
    allies = listed[0]
    percents = [p for p in find_percents(sentence) if p.value]
    other = [
        p for p in percents if _OTHER_MEASURE_RE.search(sentence, max(0, p.start - 40), p.start)
    ]
    if other:  # "Inflation was above 3% in Estonia, Latvia and Lithuania": no share of GDP
        found.regions.append((*span, {p.value or 0.0 for p in other}))
        return
    if not (_measures_spending(sentence) or _REACH_TARGET_RE.search(sentence)):
        return
    if len(percents) > 1 or find_money(sentence):
        return
    if percents:
        share, qual = percents[0].value, percents[0].qualifier
    elif _REACH_TARGET_RE.search(sentence):
        share, qual = _target_share(previous) or (None, None)
    else:
        return
    if share is None or not 0 < share <= MAX_SHARE:
        return
    year = _year_in(sentence, _base_year(doc))
    kind = "spending"
    for ally in allies:
        fields = {
            "actors": {"ally": ally},
            "share_of_gdp": share,
            "share_qualifier": canonical_qualifier(qual),
            "year": year,
        }
        found.facts.append(_fact(doc, kind, fields, span, sentence))
    found.regions.append((*span, {share}))


#: Words between an amount and the share of GDP it is.
_EQUAL = r"(?:equal to|equivalent to|or|representing|amounting to|i\.e\.)"
_EQUAL_HINT_RE = re.compile(
    rf"\b{_EQUAL}\s+(?:about\s+|around\s+|some\s+|roughly\s+|nearly\s+|almost\s+)?\d", re.I
)
_BETWEEN_RE = re.compile(rf"^\s*(?P<alt>\([^()]*\))?\s*,?\s*{_EQUAL}\s+$", re.IGNORECASE)


def _read_equal(at: _At) -> None:
    """An amount and the share of GDP it is ("brings total defence outlays to $41.5 billion,
    equal to 2.1%", "€153 billion, or 3.5 percent of GDP"): one fact, of the ally the
    sentence names or, when it names none ("That brings ..."), of the last one named."""
    doc, gazetteer, sentence, span = at.doc, at.gazetteer, at.sentence, at.span
    previous, found = at.previous, at.found
    if not SPENDING_RE.search(sentence):
        return
    shares = [p for p in find_percents(sentence) if p.value]
    amounts = find_money(sentence)
    for money in amounts:
        between = [(p, _BETWEEN_RE.match(sentence[money.end : p.start])) for p in shares]
        share, joined = next(((p, m) for p, m in between if m), (None, None))
        if share is None or money.value is None or not 0 < (share.value or 0) <= MAX_SHARE:
            continue
        assert joined is not None
        alts = [
            {"value": other.value, "currency": other.currency}
            for other in amounts
            if joined.group("alt") and money.end < other.start < share.start
        ]
        ally = _ally_of(gazetteer, sentence, previous)
        if ally is None:
            return
        pledge = AMOUNT_PLEDGE_RE.search(sentence, 0, money.start)
        fields = {
            "actors": {"ally": ally},
            "value": money.value,
            "currency": _local_dollar(doc, money, ally),
            "value_qualifier": canonical_qualifier(money.qualifier),
            "share_of_gdp": share.value,
            "year": _year_in(sentence, _base_year(doc), money.start),
            "alt_values": alts or None,
        }
        kind = "pledge" if pledge else "spending"
        found.facts.append(_fact(doc, kind, {**fields, **_day(doc, sentence)}, span, sentence))
        found.regions.append((*span, {money.value, share.value or 0.0}))
        return


#: The dollar a bare "$" stands for when an ally's own budget is given as a share of its GDP.
_DOLLARS = {"CAN": "CAD", "AUS": "AUD", "NZL": "NZD"}
_US_DOLLAR_RE = re.compile(r"US\$|U\.S\. dollars|US dollars|USD", re.IGNORECASE)


def _local_dollar(doc: Document, money: Money, ally: str) -> str | None:
    """A bare "$" in a figure of Canada's budget and GDP is the Canadian dollar (C$62.7bn is
    2% of Canada's GDP; US$62.7bn would be 2.8%), unless the article writes US dollars."""
    bare = money.text.lstrip().startswith("$") and money.currency == "USD"
    if bare and ally in _DOLLARS and not _US_DOLLAR_RE.search(doc.text.text):
        return _DOLLARS[ally]
    return money.currency


def _day(doc: Document, sentence: str) -> dict[str, str]:
    """The day the sentence says something happened ("approved on Wednesday"), if any."""
    days = [r.day for r in find_dates(sentence, doc.date) if r.day is not None]
    return {"date": days[0].isoformat()} if days else {}


def _ally_of(gazetteer: Gazetteer, sentence: str, previous: list[str]) -> str | None:
    """The first country the sentence names, else the last one named before it."""
    for text in (sentence, *reversed(previous)):
        named = _countries(gazetteer, text)
        if named:
            return named[0].id if text is sentence else named[-1].id
    return None


def _dedupe_counts(facts: list[Fact]) -> list[Fact]:
    """Of two counts of allies for the same share and year, the exact one ("a total of 23"
    over "more than 20")."""
    exact = {
        (f.fields.get("share_of_gdp"), f.fields.get("year"))
        for f in facts
        if _is_count(f.fields) and not f.fields.get("quantity_qualifier")
    }
    return [
        f
        for f in facts
        if not (
            _is_count(f.fields)
            and f.fields.get("quantity_qualifier")
            and (f.fields.get("share_of_gdp"), f.fields.get("year")) in exact
        )
    ]
