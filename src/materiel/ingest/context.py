"""Facts told over several sentences of one article.

News spreads one event over sentences: "Germany has agreed a framework deal with
Rheinmetall ... The agreement was signed on Thursday. It replaces a framework concluded in
July 2023 that had a ceiling of around 1.3 billion euros. The Netherlands, Denmark and
Estonia can also order under the new deal. Germany has already placed its first call-off.
It is worth about 880 million euros." This module reads an article's sentences in order
and keeps what carries over:

- a sentence that refers back ("It", "The contract", "That earlier contract", "its first
  call-off") and adds figures the last fact lacks completes that fact; one whose figures
  differ is a new fact that takes the missing actors and item from it (a replaced
  framework, an earlier order);
- a call-off is a fact of its own, linked by ``part_of`` to its framework;
- a sentence naming participants ("X, Y and Z are also participating", "the group
  comprises ...") adds them as ``ally`` to the article's first contract;
- a sentence with a contract word, actors and no figures ("NSPA signed the contract with
  RTX on Wednesday") gives the last contract its missing supplier, buyer and date;
- "production is due to start next year" gives the last capacity plan its year;
- two facts of the same kind in neighbouring sentences whose actors agree and whose
  figures complement each other (a value in one, an output in the other) are one fact.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from materiel.ingest import roles, tables
from materiel.ingest.analyse import Sentence, analyse
from materiel.ingest.cues import has_digit
from materiel.ingest.document import Document
from materiel.ingest.each import Each, each_amount, unit_facts
from materiel.ingest.extract import SERVICE_RE, extract, quantity_fields
from materiel.ingest.gazetteer import Gazetteer
from materiel.ingest.model import Fact, Source
from materiel.ingest.money import Money, bare_amounts
from materiel.ingest.spending import money_fields, ref_year

_ANAPHOR_RE = re.compile(
    r"^\s*(?:(?:it|this|that|these|those|its|their|they|under it|in return)\b|"
    r"(?:the|that|this|its|the new|that earlier|the earlier)\s+(?:[\w-]+\s+){0,2}?(?:contract|deal|"
    r"order|agreement|framework|purchase|money|loan|funding|package|plant|line|programme|awards?|"
    r"group|company|firm|maker|facility|funds?)\b)",
    re.IGNORECASE,
)
_REFERS_RE = re.compile(
    r"\bcall-offs?\b|\bthat framework\b|\bthe same agency\b|"
    r"\bthe (?:programme|program|package|facility|fund)(?:'s|’s)?\b",
    re.IGNORECASE,
)
_SAME_AGENCY_RE = re.compile(r"\b(?:the same|the) agency\b", re.IGNORECASE)
_PARTICIPANTS_RE = re.compile(
    r"\b(?:also participat\w+|can also order|may also order|also take part|group comprises|"
    r"comprises|are also (?:buying|party)|joined by|participants are|"
    r"(?:is|was|are|were) (?:one|two|three|four|five|six|\d+) of (?:the )?(?:two|three|four|five|"
    r"six|seven|eight|nine|ten|\d+) (?:countries|allies|nations|member states|participants|"
    r"buyers) (?:in|taking part|joining|that)|"
    r"(?:is|are|was|were) among (?:the )?(?:\w+ )?(?:countries|allies|nations|buyers))\b",
    re.IGNORECASE,
)
_INCLUSIVE_RE = re.compile(r"\b(?:besides|including|in addition to)\b", re.IGNORECASE)
_START_RE = re.compile(r"\b(?:production|output|it|the plant|the line)\b[^.]{0,30}\b(?:is due to|"
                       r"will|should|is to|is expected to)\s+(?:start|begin)\b", re.I)  # fmt: skip
_DONE_RE = re.compile(
    r"\b(?:investments?|works?|construction|expansion|it|the plant|the line|the project)\b"
    r"[^.]{0,30}\b(?:completed|finished|done|operational)\b",
    re.IGNORECASE,
)
_GOVERNMENT_RE = re.compile(
    r"\b(?:the government|the ministry|the department|the state|the defen[cs]e ministry|"
    r"we|the cabinet|the (?:defen[cs]e |finance |foreign |prime )?minister|the parliament|"
    r"lawmakers|the legislature)\b",
    re.IGNORECASE,
)
_FIGURES = ("value", "quantity", "share_of_gdp")
#: Makers that are a whole industry, not a firm an article is about.
_AGGREGATES = frozenset({"EDI"})
_CONTRACT_KINDS = ("contract", "joint_procurement", "aid")
#: Sentences before a fact within which a completing sentence may come.
WINDOW = 3


def _source(doc: Document, index: int) -> Source:
    o_start, o_end = doc.text.span(*doc.sentences[index])
    return Source(
        file=doc.path,
        start=o_start,
        end=o_end,
        sentence=doc.sentence(index),
        article_date=doc.date.isoformat() if doc.date else None,
        title=doc.title,
        publisher=doc.publisher,
    )


def _main_entities(
    sentences: list[Sentence], gazetteer: Gazetteer
) -> tuple[str | None, str | None, str | None]:
    """The company, country and item an article names most often (its item: the one item
    it names, or the one calibre it names besides the family of it: 155mm besides
    "artillery ammunition")."""
    companies: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    items: Counter[str] = Counter()
    for s in sentences:
        companies.update(
            m.id for m in s.mentions if m.kind == "company" and m.id not in _AGGREGATES
        )
        countries.update(c for c in roles.countries(s) if c != "UKR")
        items.update(m.id for m in s.mentions if m.kind == "item")
    company = companies.most_common(1)[0][0] if companies else None
    country = countries.most_common(1)[0][0] if countries else None
    named = set(items)
    if len(named) > 1:
        named = {i for i in named if not any(_family_of(gazetteer, o) == i for o in named)}
    if len(named) > 1:  # one munition besides the systems that fire it ("155mm", "Caesar")
        munitions = {i for i in named if _category_of(gazetteer, i) == "munition"}
        named = munitions if len(munitions) == 1 else named
    item = next(iter(named)) if len(named) == 1 else None  # an article about one item
    return company, country, item


class _Reader:
    """The state carried from sentence to sentence of one article."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.facts: list[Fact] = []
        self.last: Fact | None = None
        self.last_index = -10
        self.first_contract: Fact | None = None
        self.last_agency: str | None = None
        self.in_title = False

    def add(self, found: dict[str, Any], s: Sentence, index: int) -> Fact | None:
        """Add a fact the sentence states, or complete the fact before it; the fact added,
        if a new one."""
        fields = found["fields"]
        fields.setdefault("actors", {})
        self._fill_buyer(found, s)
        target = self.last if self._recent(index) else None
        several = found.pop("several", False)  # one of several counts: a fact of its own
        if target is not None and s.anaphoric and not several and self._completes(target, found):
            self._complete(target, fields, index)
            return None
        same_family = target is not None and (
            found["kind"] == target.kind or {found["kind"], target.kind} <= set(_CONTRACT_KINDS)
        )
        if target is not None and same_family and (s.anaphoric or _REFERS_RE.search(s.text)):
            self._inherit(found, target, s)
        if fields.get("contract_type") == "call_off":
            parent = self._framework(fields.get("year"))
            if parent is not None:
                fields["part_of"] = parent.id
                self._inherit(found, parent, s)
        if found["kind"] == "capacity_plan" and target is not None:
            self._makers_of_contract(found, target, s)
        if not fields["actors"] and found["kind"] in _CONTRACT_KINDS and s.doc_company:
            fields["actors"] = {"supplier": s.doc_company}  # "the order" of the article's firm
        if not fields["actors"]:
            return None
        fact = Fact(found["kind"], fields, [_source(self.doc, index)], found["confidence"])
        if found["kind"] in _CONTRACT_KINDS and target is not None and not self.in_title:
            self._share_buyer(target, fact)
        if target is not None and self._complementary(target, fact, index):
            self._complete(target, fields, index)
            return None
        self.facts.append(fact)
        if self.in_title:
            return fact  # a headline repeats the lead; it is merged with it later
        self.last, self.last_index = fact, index
        if fact.kind in ("contract", "joint_procurement") and self.first_contract is None:
            self.first_contract = fact
        return fact

    def add_table(self, gazetteer: Gazetteer, s: Sentence, index: int) -> None:
        """The spending (or aid) facts of a table, one per ally and figure, each sourced to
        its row."""
        start, end = self.doc.sentences[index]
        table = tables.rows(self.doc.text.text[start:end], start)
        base_year = self.doc.date.year if self.doc.date else None
        caption = self.doc.sentence(index - 1) if index > 0 else ""
        for kind, fields, row in tables.table_facts(table, gazetteer, caption, base_year):
            o_start, o_end = self.doc.text.span(row.start, row.end)
            line = " ".join(self.doc.text.text[row.start : row.end].split())
            source = Source(self.doc.path, o_start, o_end, line,
                            _source(self.doc, index).article_date, self.doc.title,
                            self.doc.publisher)  # fmt: skip
            self.facts.append(Fact(kind, fields, [source], 0.8))

    def figures_only(self, s: Sentence) -> dict[str, Any]:
        """A sentence that only gives figures of the fact before it ("It is worth about
        880 million euros"), as a fact of that kind without actors."""
        assert self.last is not None
        fields: dict[str, Any] = {"actors": {}}
        if s.money:
            fields.update(money_fields(s.money[0], s))
        if s.quantities:
            fields.update(quantity_fields(s, s.quantities[0]))
        refs = sorted(
            (r for r in s.dates if ref_year(r) is not None), key=lambda r: r.kind == "day"
        )
        if refs:
            fields["year"] = ref_year(refs[0])
        fields["status"] = self.last.fields.get("status")
        return {"kind": self.last.kind, "fields": fields, "confidence": 0.6}

    @staticmethod
    def _makers_of_contract(found: dict[str, Any], target: Fact, s: Sentence) -> None:
        """An output that names no maker, just after a contract with several firms, is
        theirs ("X and Y will compete for orders under the contract. The aim is to produce
        12,000 more rounds per month")."""
        actors = found["fields"]["actors"]
        suppliers = _as_list((target.fields.get("actors") or {}).get("supplier"))
        if target.kind != "contract" or len(suppliers) < 2 or roles.companies(s):
            return
        if actors.get("producer") in suppliers:
            actors["producer"] = suppliers

    @staticmethod
    def _share_buyer(target: Fact, fact: Fact) -> None:
        """The contract just before, of the same firm and without a buyer, has this one's
        buyer ("X was awarded a $218 million task order. The task order, under a $974
        million U.S. Army contract, ...")."""
        mine, theirs = fact.fields.get("actors") or {}, target.fields.get("actors") or {}
        if target.kind not in ("contract", "joint_procurement") or theirs.get("buyer"):
            return
        if not mine.get("buyer") or not set(_as_list(mine.get("supplier"))) & set(
            _as_list(theirs.get("supplier"))
        ):
            return
        theirs["buyer"] = mine["buyer"]

    def _recent(self, index: int) -> bool:
        return self.last is not None and index - self.last_index <= WINDOW

    def _fill_buyer(self, found: dict[str, Any], s: Sentence) -> None:
        """ "The same agency" is the last agency named; "the government", "the ministry" or
        "we" is the country the article is about."""
        actors = found["fields"]["actors"]
        kind = found["kind"]
        if kind == "joint_procurement" and self.last_agency and _SAME_AGENCY_RE.search(s.text):
            actors.setdefault("buyer", self.last_agency)
        if not (s.doc_country and _GOVERNMENT_RE.search(s.text)):
            return
        role = {"joint_procurement": "buyer", "contract": "buyer", "aid": "donor"}.get(kind)
        if kind == "capacity_plan" and s.money:
            role = "funder"
        if role is not None:
            actors.setdefault(role, s.doc_country)

    @staticmethod
    def _completes(target: Fact, found: dict[str, Any]) -> bool:
        """Whether ``found`` only adds figures ``target`` lacks, without a new actor."""
        fields = found["fields"]
        if found["kind"] != target.kind and not (
            {found["kind"], target.kind} <= set(_CONTRACT_KINDS)
        ):
            return False
        if fields.get("contract_type") and fields["contract_type"] != target.fields.get(
            "contract_type"
        ):
            return False
        if _maker_joins(target.fields.get("actors") or {}, fields.get("actors") or {}):
            return False
        for role, who in (fields.get("actors") or {}).items():
            known = (target.fields.get("actors") or {}).get(role)
            if known is not None and known != who:
                return False
        return not any(
            fields.get(k) is not None and target.fields.get(k) is not None for k in _FIGURES
        )

    def _complementary(self, target: Fact, fact: Fact, index: int) -> bool:
        """Neighbouring facts of one kind, same actors, figures in one or the other."""
        if fact.kind != target.kind or index - self.last_index > 2:
            return False
        mine, theirs = fact.fields.get("actors") or {}, target.fields.get("actors") or {}
        if fact.kind in ("contract", "joint_procurement"):
            # "X placed an order for 155mm shells with Y. As part of a £190m contract, Y ...":
            # the figures of the order named just before, by the same firm
            bare = not any(target.fields.get(k) is not None for k in _FIGURES)
            firms = set(_as_list(mine.get("supplier"))) & set(_as_list(theirs.get("supplier")))
            firms |= {mine.get("buyer")} & {theirs.get("buyer")} & roles.AGENCY_BUYERS
            if not (bare and firms and index - self.last_index == 1):
                return False
        elif fact.kind != "capacity_plan" or _maker_joins(theirs, mine):
            return False  # a funder's money, then a maker's output: two facts
        if any(role in theirs and theirs[role] != who for role, who in mine.items()):
            return False
        if any(fact.fields.get(k) is not None and target.fields.get(k) is not None for k in
               _FIGURES):  # fmt: skip
            return False
        years = {fact.fields.get("year"), target.fields.get("year")} - {None}
        return len(years) <= 1

    def _complete(self, target: Fact, fields: dict[str, Any], index: int) -> None:
        for key, value in fields.items():
            if key == "actors":
                actors = target.fields.setdefault("actors", {})
                for role, who in value.items():
                    actors.setdefault(role, who)
            elif key == "item" and value and target.fields.get("item") == "artillery-shells":
                target.fields["item"] = value  # the calibre named later is more precise
            elif key == "year" and target.kind == "capacity_plan" and fields.get("quantity"):
                target.fields["year"] = value  # the year an output is reached goes with it
            elif key in ("year", "status") and target.fields.get(key) is not None:
                continue
            elif value is not None and target.fields.get(key) in (None, [], ""):
                target.fields[key] = value
        target.sources.append(_source(self.doc, index))
        if not self.in_title:
            self.last_index = index

    @staticmethod
    def _inherit(found: dict[str, Any], parent: Fact, s: Sentence) -> None:
        fields = found["fields"]
        actors = fields.setdefault("actors", {})
        parent_actors = parent.fields.get("actors") or {}
        own_buyer = actors.get("buyer") not in (None, [], parent_actors.get("buyer"))
        other_maker = actors.get("producer") not in (None, [], parent_actors.get("producer"))
        for role, who in parent_actors.items():
            if role != "ally":
                actors.setdefault(role, who)
        if fields.get("item") is None and parent.fields.get("item") is not None and not other_maker:
            fields["item"] = parent.fields["item"]
        if not s.dates and s.context_year is not None:
            fields["year"] = s.context_year
        if found["kind"] != parent.kind and found["kind"] in _CONTRACT_KINDS and not own_buyer:
            found["kind"] = parent.kind  # not "the last contract", a buyer's own, before it

    def _framework(self, year: Any) -> Fact | None:
        """The latest framework of that year, else the latest contract (read from the end,
        so that a long file does not rescan all its facts for each call-off)."""
        latest: Fact | None = None
        for fact in reversed(self.facts):
            if fact.kind not in ("contract", "joint_procurement"):
                continue
            latest = latest or fact
            if fact.fields.get("contract_type") == "framework" and fact.fields.get("year") == year:
                return fact
        return latest

    def budget_parts(self, s: Sentence, index: int) -> bool:
        """The parts of a budget given just before ("$824 billion for defence. $172 billion is
        earmarked for procurement, with $148.3 billion for R&D"): one spending fact per
        amount, of the budget's ally and year, ``part_of`` the budget."""
        target = self.last
        if (
            target is None
            or target.kind != "spending"
            or target.fields.get("value") is None
            or index - self.last_index != 1
            or not s.money
            or not _BUDGET_PART_RE.search(s.text)
        ):
            return False
        total = target.fields["value"]
        for money in roles.amounts(s):
            fields = money_fields(money, s)
            if fields["value"] is None or fields["currency"] != target.fields.get("currency"):
                continue
            if fields["value"] >= total:
                continue  # not a part of the budget
            fields.update(
                actors=dict(target.fields.get("actors") or {}),
                year=target.fields.get("year"),
                status=target.fields.get("status"),
                part_of=target.id,
            )
            self.facts.append(Fact("spending", fields, [_source(self.doc, index)], 0.6))
        return True

    def participants(self, s: Sentence, index: int) -> bool:
        """Add the allies named in a participants sentence to the first contract."""
        target = self.first_contract
        if target is None or not _PARTICIPANTS_RE.search(s.text) or s.money:
            return False
        named = roles.countries(s)
        buyer = (target.fields.get("actors") or {}).get("buyer")
        if not _INCLUSIVE_RE.search(s.text):
            named = [c for c in named if c != buyer]
        if not named:
            return False
        actors = target.fields.setdefault("actors", {})
        known = actors.get("ally") or []
        known = known if isinstance(known, list) else [known]
        allies = [*known, *(c for c in named if c not in known)]
        actors["ally"] = allies[0] if len(allies) == 1 else allies
        if target.kind == "contract" and len(allies) > 1 and buyer in roles.AGENCY_BUYERS:
            target.kind = "joint_procurement"
        target.sources.append(_source(self.doc, index))
        return True

    def roles_only(self, s: Sentence, index: int) -> bool:
        """A sentence without figures gives the fact just before it the item it lacks
        ("... to expand production. The money pays for a line for artillery shells."), and
        a contract sentence gives the last contract its missing supplier and date."""
        target = self.last if self._recent(index) else None
        if target is None or s.money or s.quantities:
            return False
        items = s.ids("item")
        if index - self.last_index == 1 and len(items) == 1 and not target.fields.get("item"):
            target.fields["item"] = items[0]
            target.sources.append(_source(self.doc, index))
            return True
        if target.kind not in _CONTRACT_KINDS:
            return False
        if not re.search(r"\b(?:contract(?:ing)?|order|deal|agreement)\b", s.text, re.I):
            return False
        actors = target.fields.setdefault("actors", {})
        companies = roles.listed_companies(s)
        if companies and "supplier" not in actors:
            actors["supplier"] = companies[0] if len(companies) == 1 else companies
        if "buyer" not in actors and s.doc_country and SERVICE_RE.search(s.text):
            actors["buyer"] = (
                s.doc_country
            )  # "Army Contracting Command is the contracting activity"
        days = [r for r in s.dates if r.day is not None]
        if days and not target.fields.get("date"):
            target.fields["date"] = days[0].day.isoformat() if days[0].day else None
        target.sources.append(_source(self.doc, index))
        return True

    def start_year(self, s: Sentence, index: int) -> bool:
        """A year for the capacity plan just before: when its production starts, or when
        its investments are completed (the last year: "completed between 2026-2027")."""
        target = self.last if self._recent(index) else None
        if target is None or target.kind != "capacity_plan":
            return False
        done = _DONE_RE.search(s.text)
        if not (done or _START_RE.search(s.text)):
            return False
        years = [r.year_from or r.year_to for r in s.dates if (r.year_from or r.year_to)]
        if done and s.dates:
            last = max(r.year_to or r.year_from or 0 for r in s.dates)
            if s.base is not None and target.fields.get("year") == s.base.year < last:
                target.fields["year"] = None  # the article's year stood in for it
            years = [last]
        if not years or target.fields.get("year") is not None:
            return False
        target.fields["year"] = years[0]
        target.sources.append(_source(self.doc, index))
        return True


def facts_of_document(
    doc: Document, gazetteer: Gazetteer, part: tuple[int, int] | None = None
) -> list[Fact]:
    """Candidate facts of one article (not yet merged across articles); of its sentences
    ``part[0]`` to ``part[1] - 1`` only, when given (a very large file read in parts)."""
    base = doc.date
    first, last = part or (0, len(doc.sentences))
    sentences = [analyse(text, gazetteer, base) for text in _with_leads(doc, first, last)]
    company, country, item = _main_entities(sentences, gazetteer)
    company_mentions = sum(s.ids("company").count(company) for s in sentences) if company else 0
    about_ukraine = sum(s.ids("country").count("UKR") for s in sentences) >= 2
    reader = _Reader(doc)
    previous_actor: str | None = None
    each: Each | None = None
    for index, s in enumerate(sentences, start=first):
        before = sentences[max(0, index - first - WINDOW) : index - first]
        s.context = " ".join(b.text for b in before)
        s.spending_context = any(b.about_spending for b in before)
        s.context_year = _context_year(before[-1:])
        s.previous_group = next(iter(roles.groups(before[-1])[-1:]), None) if before else None
        s.previous_item = next((b.ids("item")[-1] for b in reversed(before) if b.ids("item")), None)
        s.previous_actor = previous_actor
        s.anaphoric = bool(_ANAPHOR_RE.match(s.text) or _REFERS_RE.search(s.text))
        s.about_ukraine, s.doc_company, s.doc_country = about_ukraine, company, country
        s.doc_item = item
        s.doc_company_mentions = company_mentions
        start, end = doc.sentences[index]
        if "|" in s.text and tables.is_table(doc.text.text[start:end]):
            reader.add_table(gazetteer, s, index)
            continue
        if before and before[-1].money and _BREAKDOWN_RE.match(s.text):
            currency = before[-1].money[0].currency or ""
            s.money = sorted(s.money + bare_amounts(s.text, currency, s.money), key=_start)
        agencies = roles.agencies(s)
        found = extract(s)
        if not found and s.anaphoric and reader.last is not None and (s.money or s.quantities):
            found = [reader.figures_only(s)]
        is_title = index == 0 and doc.title is not None and s.text.strip() == doc.title.strip()
        reader.in_title = is_title
        if not found:
            _ = (
                reader.budget_parts(s, index)
                or reader.participants(s, index)
                or reader.start_year(s, index)
                or reader.roles_only(s, index)
            )
        total: Fact | None = None
        for fact in found:
            if fact["fields"].pop("part_of_total", False) and total is not None:
                fact["fields"]["part_of"] = total.id  # "made up of 500,000 of 155mm and ..."
                reader.add(fact, s, index)
            else:
                total = reader.add(fact, s, index)
        if agencies:
            reader.last_agency = agencies[0]
        previous_actor = roles.subject(s) or previous_actor
        stated = each_amount(s, before[-1] if before else None, index)
        if stated is not None:
            each = stated
        elif each is not None:  # the projects an amount each was stated for
            for unit in unit_facts(s, each, index):
                sources = [_source(doc, index), _source(doc, each.index)]
                reader.facts.append(Fact(unit["kind"], unit["fields"], sources, unit["confidence"]))
    return [f for f in reader.facts if any(f.fields.get(k) is not None for k in _FIGURES)]


#: A sentence that is an item of a list ("-- 75,000 rounds of 155mm ammunition.").
#: A sentence that breaks down the amount of the sentence before ("Of this, ...").
_BREAKDOWN_RE = re.compile(
    r"^\s*(?:of (?:this|that|these|which|the total|the sum|the amount)|of it)\b", re.IGNORECASE
)


def _start(money: Money) -> int:
    return money.start


#: Parts of a defence budget.
_BUDGET_PART_RE = re.compile(
    r"\b(?:earmarked|set aside|allocated|goes?|going)\s+(?:to|for)\b|"
    r"\bfor\s+(?:procurement|R&D|research and development|personnel|operations|maintenance|"
    r"pensions|infrastructure)\b",
    re.IGNORECASE,
)
_LIST_ITEM_RE = re.compile(r"^(?:-{1,2}|•|\*|–|—)\s")


def _with_leads(doc: Document, first: int, last: int) -> list[str]:
    """The text of each sentence; a list item is read after the sentence that leads into
    the list, when that has no figure of its own ("Also in the drawdown are: -- 75,000
    rounds ...": aid, as the lead says)."""
    texts: list[str] = []
    lead = ""
    for i in range(first, last):
        text = doc.sentence(i)
        if _LIST_ITEM_RE.match(text):
            texts.append(f"{lead} {text}" if lead else text)
            continue
        lead = "" if has_digit(text) or len(text) > 300 else text
        texts.append(text)
    return texts


def _family_of(gazetteer: Gazetteer, item: str) -> str | None:
    entry = gazetteer.get("item", item)
    return entry.extra.get("family") if entry is not None else None


def _category_of(gazetteer: Gazetteer, item: str) -> str | None:
    entry = gazetteer.get("item", item)
    return entry.extra.get("category") if entry is not None else None


def _maker_joins(known: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether a maker comes in where none was ("The Commission allocated €500 million.
    This will allow the industry to make 2 million shells a year": money, then an output;
    two facts)."""
    return bool(new.get("producer")) and not known.get("producer")


def _as_list(who: Any) -> list[Any]:
    return [] if who is None else who if isinstance(who, list) else [who]


def _context_year(sentences: list[Sentence]) -> int | None:
    """The year of the first date of the sentences, a year named before a day ("today")."""
    for s in sentences:
        for ref in sorted(s.dates, key=lambda r: r.kind == "day"):
            year = ref.day.year if ref.day else (ref.year_from or ref.year_to)
            if year is not None:
                return year
    return None
