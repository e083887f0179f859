"""Tables read as tables: rows of allies, columns of years or measures.

A Markdown table, and an HTML table (which :mod:`materiel.ingest.html` writes the same
way, a row a line, ``| Greece | 2.21 | 3.08 |``), is one paragraph that the sentence
splitter keeps whole. Its first row is the header. Each later row with a cell naming an
ally (or a group such as NATO Europe) among its first three gives one spending fact per
figure after that cell (a rank before it is not read):

- a column is a share of GDP when its header, a cell or the caption says so ("% of GDP",
  "share of GDP", "2.21%"); it is an amount when its header, or the caption, names a
  currency and a scale ("US$ bn", "€ million");
- the year of a column is the year in its header ("2024e"), else the last year in the
  caption (the sentence just before the table, or its ``<caption>``), else the article's
  year;
- columns of something else (change, growth, rank, per capita, equipment's share of the
  budget, personnel) are not read.

A figure of a year after the article's is ``planned``, any other an ``estimate``. A table
about aid to Ukraine ("Military aid to Ukraine by donor, € billion") gives aid facts
(donor, Ukraine, pledged); a table about something else (orders, casualties, share
prices) gives none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from materiel.ingest.cues import YEAR
from materiel.ingest.gazetteer import Gazetteer
from materiel.ingest.numbers import parse_number, scale_of

_SEPARATOR_RE = re.compile(r"^:?-{2,}:?$")
_YEAR_RE = re.compile(rf"(?<!\d)({YEAR})(?!\d)")
_SHARE_RE = re.compile(r"GDP|gross domestic|share|%|per ?cent|percent", re.IGNORECASE)
_OTHER_RE = re.compile(
    r"change|growth|rank|increase|decrease|capita|equipment|personnel|of defen[cs]e|"
    r"of (?:the )?budget|real terms|population|troops|unemploy|inflation|debt|deficit|"
    r"turnout|interest rate|exports?\b|imports?\b",
    re.IGNORECASE,
)
_CURRENCY_RE = re.compile(
    r"(?P<cur>US\$|C\$|\$|€|£|USD|EUR|GBP|CAD|PLN|NOK|SEK|DKK)\s*(?P<scale>bn|billions?|"
    r"m|mn|millions?)?\b",
    re.IGNORECASE,
)
_CURRENCIES = {"us$": "USD", "$": "USD", "c$": "CAD", "€": "EUR", "£": "GBP"}
_CELL_NUMBER_RE = re.compile(r"^[~≈]?\s*(?P<num>\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)\s*%?$")


@dataclass(frozen=True)
class Row:
    """One row's cells, and the row's ``[start, end)`` in the text it was read from."""

    cells: list[str]
    start: int
    end: int


def is_table(text: str) -> bool:
    """Whether a paragraph is a table: two lines or more, each with cells between ``|``,
    every line opening with one or a separator line (``---|---``) below the header."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or not all("|" in line for line in lines):
        return False
    separator = any(all(_SEPARATOR_RE.match(c.strip()) for c in _split(line)) for line in lines)
    return separator or all(line.startswith("|") for line in lines)


def _split(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [cell.strip() for cell in body.split("|")]


def rows(text: str, offset: int = 0) -> list[Row]:
    """The rows of a table paragraph (separator lines left out), spans shifted by
    ``offset``."""
    found: list[Row] = []
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if not line.strip():
            continue
        cells = _split(line)
        if all(_SEPARATOR_RE.match(c) or not c for c in cells):
            continue
        lead = len(line) - len(line.lstrip())
        found.append(Row(cells, offset + start + lead, offset + start + len(line.rstrip())))
    return found


def _column(head: str, gdp_context: bool, caption: str) -> dict[str, Any] | None:
    """What a column holds: ``{"share": True}`` or ``{"currency": .., "scale": ..}`` (the
    currency in the header, or in the caption when the header names no share)."""
    if _OTHER_RE.search(head):
        return None
    money = _CURRENCY_RE.search(head)
    if money is None and not _SHARE_RE.search(head):
        money = _CURRENCY_RE.search(caption)
    if money:
        code = money.group("cur")
        currency = _CURRENCIES.get(code.lower(), code.upper())
        return {"currency": currency, "scale": scale_of(money.group("scale"))}
    if _SHARE_RE.search(head) or gdp_context:
        return {"share": True}
    return None


def _number(cell: str) -> float | None:
    match = _CELL_NUMBER_RE.match(cell.replace("*", "").strip())
    return parse_number(match.group("num")) if match else None


def _ally_cell(row: Row, gazetteer: Gazetteer) -> tuple[int, str] | None:
    """The first cell of a row that names an ally or group (after a rank, say), and who."""
    for index, cell in enumerate(row.cells[:3]):
        names = [m for m in gazetteer.find(cell) if m.kind in ("country", "agency")]
        if names:
            return index, names[0].id
    return None


#: What a table is about, from its caption and header: aid given, or defence spending.
_AID_TOPIC_RE = re.compile(
    r"\baid\b|assistance|\bsupport\b|donors?\b|donat|pledg|commitments?\b", re.IGNORECASE
)
_SPENDING_TOPIC_RE = re.compile(
    r"spend|budget|expenditure|outlay|GDP|share of|defen[cs]e", re.IGNORECASE
)
_UKRAINE_RE = re.compile(r"\bUkrain|\bKyiv\b", re.IGNORECASE)


def table_facts(
    table: list[Row], gazetteer: Gazetteer, caption: str, base_year: int | None
) -> list[tuple[str, dict[str, Any], Row]]:
    """One fact (kind and fields) per figure of each ally's row, with the row; ``caption``
    is the sentence just before the table. A table of aid to Ukraine ("Military aid to
    Ukraine by donor") gives aid facts, one of defence spending spending facts, any other
    (orders, casualties, prices) none."""
    if len(table) < 2:
        return []
    header = table[0].cells
    topic = caption + " " + " ".join(header)
    aid = bool(_AID_TOPIC_RE.search(topic))
    if (aid and not _UKRAINE_RE.search(topic)) or not (aid or _SPENDING_TOPIC_RE.search(topic)):
        return []
    caption_years = _YEAR_RE.findall(caption)
    default_year = int(caption_years[-1]) if caption_years else base_year
    gdp_context = not aid and bool(_SHARE_RE.search(topic))
    found: list[tuple[str, dict[str, Any], Row]] = []
    for row in table[1:]:
        named = _ally_cell(row, gazetteer)
        if named is None:
            continue
        first, ally = named
        for j, cell in enumerate(row.cells[first + 1 :], start=first + 1):
            head = header[j] if j < len(header) else ""
            column = _column(head, gdp_context or "%" in cell, caption)
            value = _number(cell)
            if column is None or value is None or (aid and column.get("share")):
                continue
            years = _YEAR_RE.findall(head)
            year = int(years[0]) if years else default_year
            later = year is not None and base_year is not None and year > base_year
            fields: dict[str, Any] = {"year": year, "status": "planned" if later else "estimate"}
            if aid:
                fields.update(actors={"donor": ally, "recipient": "UKR"}, status="pledged")
            else:
                fields["actors"] = {"ally": ally}
            if column.get("share"):
                if value > 25:
                    continue  # not a share of GDP
                fields["share_of_gdp"] = value
            else:
                fields.update(value=value * column["scale"], currency=column["currency"])
            found.append(("aid" if aid else "spending", fields, row))
    return found
