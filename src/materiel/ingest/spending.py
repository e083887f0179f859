"""Spending facts and pledges: shares of GDP per ally, allies meeting the guideline,
defence budgets, and spending targets.

Every share of GDP in a sentence is a fact of its own, paired with the ally named nearest
before it ("Poland (4.12%), Estonia (3.43%) ..."), or in order with a list of allies
("Belgium and Slovenia come in at 1.30% and 1.29% respectively"). A bare percentage counts
as a share of GDP when the sentence, or the paragraph before it, speaks of defence
spending or of GDP, and it is not a price move, a poll, growth or inflation, nor a share
of something else ("20% of defence expenditure"). A share is a ``pledge`` when the
sentence commits to it (agreed, pledged, target, ambition, reach ... by 2032), otherwise
``spending``: an ``estimate`` for the article's year or before, ``planned`` after it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from materiel.ingest import roles
from materiel.ingest.analyse import SPENDING_RE, Sentence
from materiel.ingest.cues import GDP_FIRST_WORDS, SHARE_PLEDGE_RE, YEAR
from materiel.ingest.dates import DateRef
from materiel.ingest.money import CURRENCY_COUNTRY, Money, Percent, canonical_qualifier
from materiel.ingest.numbers import parse_number

_COUNT_RES = (
    re.compile(
        r"\b(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\s+(?:of|out of)\s+(?:the\s+(?:then\s+)?|its\s+|"
        r"nato's\s+|the alliance's\s+)?(?P<total>\d+|[a-z]+(?:-[a-z]+)?)\s+(?:nato\s+)?"
        r"(?:allies|members|member states|nations)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bof\s+(?:the\s+|nato's\s+|the alliance's\s+)(?P<total>\d+|[a-z]+(?:-[a-z]+)?)\s+"
        r"(?:allies|members|member states|nations),\s+(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\s+(?:nato\s+)?(?:allies|members|member states)\s+"
        r"(?:met|meet|reached|reach|spent|were at|are at)\b",
        re.IGNORECASE,
    ),
)
_MEMBERS_RE = re.compile(r"\b(?:allies|members|member states|nations)\b", re.IGNORECASE)
_COMPARED_RE = re.compile(
    r"\b(?:compared with|compared to|up from|against|from)\s+(?:just\s+|only\s+)?"
    r"(?P<n>\d+|[a-z]+(?:-[a-z]+)?)\b(?!\s*(?:%|per ?cent|percent))",
    re.IGNORECASE,
)
_GUIDELINE_RE = re.compile(r"\bguideline|\btarget|\bgoal|\b2 ?%|\btwo per ?cent", re.IGNORECASE)
_NOT_SHARE_BEFORE_RE = re.compile(
    r"\b(?:up|down|rose|rise|rises|fell|falls?|gained?|growth of|inflation of|off|lost|"
    r"increas(?:e|es|ed|ing)|grow(?:s|n|ing)?|grew|jump(?:s|ed)?|decreas(?:e|es|ed)|cut|"
    r"climbed|dropped|slipped|traffic|rents?|stake of|poll)\s+(?:by\s+|from\s+)?$",
    re.IGNORECASE,
)
_OF_OTHER_RE = re.compile(
    rf"^\s*(?:of\s+(?:(?!{GDP_FIRST_WORDS})\w|gross national income)|VAT|off\b)", re.I
)
#: An aim is planned, a commitment pledged ("an ambition to reach 3%" / "agreed to raise").
_AIM_RE = re.compile(r"\b(?:ambition|aims?|intends?|hopes?|hoping|aspires?)\b", re.IGNORECASE)
_COMMIT_RE = re.compile(r"\b(?:agreed|pledged?|commit\w*|promised?|will)\b", re.IGNORECASE)
_PLANNED_RE = re.compile(r"\b(?:plans?|planned|draft|budget|projects?|would|will|set at)\b", re.I)
_RESPECTIVELY_RE = re.compile(r"\brespectively\b", re.IGNORECASE)
#: What a pledged share is for, in the words right after it: core defence ("3.5% for hard
#: defence", "earmarked for rearmament") or the wider part of a split target ("1.5% for
#: other expenditures related to defence", "to a broader set of items", "on infrastructure").
_PART_FOR_RE = re.compile(
    r"^(?:\s*of\s+(?:GDP|gross domestic product))?[\s,]*(?:(?:is|are|be|was)\s+)?"
    r"(?:earmarked|set aside|reserved|devoted|allocated|going|spent)?\s*"
    r"(?:for|to|on|towards?)\s+(?:the\s+)?[\"“]?(?P<what>[^.;,—–]{0,50})",
    re.IGNORECASE,
)
_CORE_RE = re.compile(
    r"^(?:core|hard|pure|traditional|basic|strict)\s+(?:defen[cs]e|military)|^rearmament|"
    r"^(?:the\s+)?(?:military|armed forces)\s+(?:itself|proper)",
    re.IGNORECASE,
)
_WIDER_RE = re.compile(
    r"\b(?:other|broader|wider|remaining|related|adjacent|security|resilience|infrastructure|"
    r"civil)\b",
    re.IGNORECASE,
)


#: A share that holds from a year on ("from 2025 onwards"): a standing target.
_ONWARDS_RE = re.compile(rf"\bfrom\s+{YEAR}\s+(?:on(?:wards?)?|and beyond)\b", re.I)
_TO_DO_RE = re.compile(r"\b(?:will|shall|to (?:spend|raise|increase|hit|lift|boost|allocate)|"
                       r"set to|is to|are to)\b", re.IGNORECASE)  # fmt: skip


def _target(s: Sentence) -> bool:
    """Whether the sentence sets a target: a share to be reached by a later year than the
    article's ("UK to spend 2.5% of GDP by 2027", "will raise spending to 3% by 2029"), or
    to hold from a year on ("3% of GDP to be spent on defence from 2025 onwards")."""
    if _ONWARDS_RE.search(s.text):
        return True
    base = s.base.year if s.base else None
    return any(
        r.kind == "deadline" and r.year_to is not None and (base is None or r.year_to > base)
        for r in s.dates
    ) and bool(_TO_DO_RE.search(s.text))


def _whole_year(
    s: Sentence, pct: Percent, found: Sequence[Percent], spans: Sequence[tuple[int, int]]
) -> int | None:
    """The year a part of a target is due: that of the larger share (the whole) in its
    sentence, else a later year than the article's named in the sentence before ("to 5%
    by 2035. Of it, 3.5% to core defence")."""
    value = pct.value if pct.value is not None else pct.low
    for whole in found:
        if (whole.value or whole.low or 0) > (value or 0):
            year = _year_near(s, whole.start, whole.end, None, spans)
            if year is not None:
                return year
    later = s.base is not None and s.context_year is not None and s.context_year > s.base.year
    return s.context_year if later else None


def _part_item(s: Sentence, pct: Percent, found: Sequence[Percent]) -> str | None:
    """The part of a split spending target a pledged share is for (``core defence``, or
    the wider part: ``defence-related infrastructure`` or ``defence- and security-related
    spending``); None when the share is not said to be for a part. The wider part is read
    only where the sentence also gives a larger share (the whole) or a core part."""
    match = _PART_FOR_RE.match(s.text[pct.end : pct.end + 90])
    if match is None:
        return None
    what = match.group("what")
    if _CORE_RE.match(what):
        return "core defence"
    value = pct.value if pct.value is not None else pct.low
    larger = any((p.value or p.low or 0) > (value or 0) for p in found if p is not pct)
    core = any(
        (m := _PART_FOR_RE.match(s.text[p.end : p.end + 90])) and _CORE_RE.match(m["what"])
        for p in found
        if p is not pct
    )
    if not (larger or core) or not _WIDER_RE.search(what):
        return None
    if re.search(r"\binfrastructure\b", what, re.I) and not re.search(r"\bsecurity\b", what):
        return "defence-related infrastructure"
    return "defence- and security-related spending"


def _day(s: Sentence) -> dict[str, Any]:
    """The day the sentence says something happened ("agreed on Wednesday"), if any."""
    days = [r.day for r in s.dates if r.day is not None]
    return {"date": days[0].isoformat()} if days else {}


def _number(text: str) -> int | None:
    value = parse_number(text.lower())
    return None if value is None or value != int(value) else int(value)


#: How far from a figure a date may be written and still be its date [characters].
NEAR = 60


def _distance(ref: DateRef, start: int, end: int) -> int:
    return ref.start - end if ref.start >= end else (start - ref.end) * 2


def _year_near(
    s: Sentence, start: int, end: int, default: int | None, others: Sequence[tuple[int, int]] = ()
) -> int | None:
    """The year of the date written nearest to ``[start, end)`` (years before days), unless
    another figure in ``others`` is nearer to that date; else ``default``."""
    best: tuple[bool, int, int] | None = None
    for ref in s.dates:
        year = ref_year(ref)
        distance = _distance(ref, start, end)
        if year is None or distance > NEAR:
            continue
        if any(_distance(ref, a, b) < distance for a, b in others if (a, b) != (start, end)):
            continue
        key = (ref.kind == "day", distance, year)
        if best is None or key < best:
            best = key
    return best[2] if best else default


def ref_year(ref: DateRef) -> int | None:
    """The year a date or period points at (the end of a deadline, the start of a range)."""
    if ref.day is not None:
        return ref.day.year
    return ref.year_from if ref.year_from is not None else ref.year_to


def counts(s: Sentence) -> list[dict[str, Any]]:
    """ "23 of the 32 Allies ... 2% of GDP", "In 2014, three Allies met the guideline",
    and the count it is compared with ("compared with just three a decade ago")."""
    if not _MEMBERS_RE.search(s.text):
        return []
    context = s.text + " " + s.context
    if not (any(p.of_gdp for p in s.percents) or _GUIDELINE_RE.search(context)):
        return []
    base_year = s.base.year if s.base else None
    found: list[dict[str, Any]] = []
    for pattern in _COUNT_RES:
        match = pattern.search(s.text)
        if not match:
            continue
        n = _number(match.group("n"))
        total = _number(match.group("total")) if "total" in match.groupdict() else None
        if n is None or (total is not None and n > total) or n > 60:
            continue
        share = next((p.value for p in s.percents if p.value), 2.0)
        fields: dict[str, Any] = {
            "actors": {"ally": "NATO"},
            "quantity": n,
            "quantity_unit": f"allies at or above {share:g}% of GDP",
            "share_of_gdp": share,
            "year": _year_near(s, match.start(), match.end(), base_year),
            "status": "estimate",
        }
        if total is not None:
            fields["out_of"] = total
        found.append(fields)
        later = _COMPARED_RE.search(s.text, match.end())
        m = _number(later.group("n")) if later else None
        if later and m is not None and m <= (total or 60):
            year = _year_near(s, later.start(), later.end(), None)
            if year is not None and year != fields["year"]:
                found.append({**fields, "quantity": m, "year": year, "out_of": None})
        break
    return [{k: v for k, v in f.items() if v is not None} for f in found]


#: A spending threshold in a rule: the part of spending above a share ("defence spending
#: above 1% of GDP is exempt from the debt brake"), not what anyone spends.
_THRESHOLD_BEFORE_RE = re.compile(
    r"\b(?:spending|expenditures?|outlays|costs)\s+$",
    re.IGNORECASE,
)
#: What a fiscal rule does with the spending above its threshold.
_EXEMPT_AFTER_RE = re.compile(
    r"^\s*(?:of\s+(?:GDP|gross domestic product)\s*)?(?:to be|is|are|will be|would be|can be|"
    r"may be)\s+(?:[\w]+-)?(?:financed|funded|exempt\w*|excluded|borrowed)\b",
    re.IGNORECASE,
)
_ABOVE = ("above", "beyond", "exceeding", "in excess of", "over")
#: A call on others to spend ("proposed ... all alliance countries should spend").
_CALL_ON_RE = re.compile(
    r"\b(?:proposed|suggested|called for|urged|demanded|wants?|said)\b[^.;]{0,60}\bshould\b",
    re.IGNORECASE,
)
_NEGATED_BEFORE_RE = re.compile(r"(?:\bnot|n't|n’t|\bnever)\b[^.,;:]{0,25}$", re.IGNORECASE)
_TO_BEFORE_RE = re.compile(r"\bto\s+$", re.IGNORECASE)


_TARGET_AFTER_RE = re.compile(r"^[\s-]*(?:target|goal|benchmark|guideline)\b", re.IGNORECASE)


def _groups_target(s: Sentence, p: Percent) -> bool:
    """Whether "the 5 percent target" is an alliance's target, named with the alliance
    before it and no country ("NATO's agreement to split the 5 percent target"): its
    pledge, not a name."""
    if not _TARGET_AFTER_RE.match(s.text[p.end :]):
        return False
    named = [m for m in s.mentions if m.end <= p.start]
    return any(m.id in roles.GROUPS for m in named) and not any(
        m.kind == "country" and roles.acts(s, m) for m in named
    )


def is_share(s: Sentence, p: Percent, gdp_context: bool) -> bool:
    """Whether a percentage is a share of GDP (see the module's docstring)."""
    if (
        p.qualifier in _ABOVE
        and _THRESHOLD_BEFORE_RE.search(s.text, max(0, p.start - 40), p.start)
        and _EXEMPT_AFTER_RE.match(s.text[p.end : p.end + 80])
    ):
        return False  # "spending above 1% of GDP may be borrowed": a rule's threshold
    if _CALL_ON_RE.search(s.text, 0, p.start):
        return False  # "Duda proposed that all allies should spend 3%": a call, not a figure
    if _NEGATED_BEFORE_RE.search(s.text, max(0, p.start - 40), p.start):
        return False  # "Deterrence doesn't come from 5 percent": no figure of anyone's
    if p.of_gdp:
        return True
    if not gdp_context or (p.value is None and p.low is None):
        return False
    if _TO_BEFORE_RE.search(s.text, max(0, p.start - 6), p.start) and any(
        p.start - 120 < q.end <= p.start
        and not q.of_gdp
        and _OF_OTHER_RE.match(s.text[q.end :])
        and q.text.lower().startswith("from")
        for q in s.percents
    ):
        return False  # "from 0.5% of national income to 0.3%": the measure of the first
    before = s.text[max(0, p.start - 25) : p.start]
    if (
        re.search(r"\b(?:the|a|an)\s+$", before, re.IGNORECASE)
        and re.match(r"^\s*[a-z]", s.text[p.end :])
        and not _groups_target(s, p)
    ):
        return False  # "the 1.5% category", "the 2% guideline": a name, not a figure
    return not (_NOT_SHARE_BEFORE_RE.search(before) or _OF_OTHER_RE.match(s.text[p.end :]))


def _pair_allies(s: Sentence, found: list[Percent]) -> list[str | None]:
    """The ally of each share: the country named last before it; a list of countries
    followed by as many shares ("Belgium and Slovenia ... 1.30% and 1.29% respectively")
    pairs in order; a share with no country before it keeps the previous share's ally,
    or a group (NATO, the EU) named before it."""
    respectively = bool(_RESPECTIVELY_RE.search(s.text))
    allies: list[str | None] = []
    current: list[str] = []
    index, previous_end = 0, 0
    for pct in found:
        segment = [
            m.id
            for m in s.mentions
            if m.kind == "country" and previous_end <= m.start < pct.start and roles.acts(s, m)
        ]
        if segment:
            current, index = segment, 0
        if respectively and len(current) > 1 and index < len(current):
            ally: str | None = current[index]
            index += 1
        elif segment:
            ally = segment[-1]
        else:
            groups = [m.id for m in s.mentions if m.end <= pct.start and m.id in roles.GROUPS]
            ally = allies[-1] if allies else (groups[-1] if groups else None)
        allies.append(ally)
        previous_end = pct.end
    return allies


#: The alliance's members or leaders as a whole ("Leaders pledged", "allies agreed", "the
#: goal agreed at a summit").
_ALLIANCE_WORDS_RE = re.compile(
    r"\b(?:leaders|allies|members|member (?:states|countries)|summit)\b", re.IGNORECASE
)


def _alliance(s: Sentence) -> str | None:
    """NATO, for a sentence naming no country whose subject is the alliance's leaders or
    members as a whole, in an article about NATO (not the last country named before)."""
    if roles.countries(s) or not _ALLIANCE_WORDS_RE.search(s.text):
        return None  # a place ("a summit in The Hague") is no actor
    return "NATO" if "NATO" in s.text or "NATO" in s.context else None


#: Totals of the world or a region, no country's.
_WORLD_RE = re.compile(
    r"\b(?:world(?:wide)?|global(?:ly)?|region(?:al)?|continent|total)\b", re.IGNORECASE
)
_NAME_RE = re.compile(r"(?<=[\w,;:)] )[A-Z][\w-]+|^[A-Z][\w-]+(?=:)")  # "Russia: ..."


def _only_known_names(s: Sentence) -> bool:
    """Whether every capitalised word inside the sentence is a name the gazetteers know (a
    sentence about Russia or China, which they do not, is not the previous actor's)."""
    known = [(m.start, m.end) for m in s.mentions]
    return all(any(a <= n.start() < b for a, b in known) for n in _NAME_RE.finditer(s.text))


def _place(s: Sentence) -> str | None:
    """The country whose spending it is when none acts: "defence spending in Germany"; or,
    when no country is named, the one whose currency the sentence's amounts are in
    ("Defence spending will rise to ¥8.6 trillion": Japan)."""
    named = next((m.id for m in s.mentions if m.kind == "country" and m.form == "name"), None)
    return named or _currency_country(s)


def _currency_country(s: Sentence) -> str | None:
    if any(m.kind == "country" for m in s.mentions):
        return None
    countries = {CURRENCY_COUNTRY.get(m.currency or "") for m in s.money}
    return countries.pop() if len(countries) == 1 else None


def shares(s: Sentence) -> list[dict[str, Any]]:
    """One fact per share of GDP in the sentence."""
    gdp_context = s.about_spending or s.spending_context
    found = [p for p in s.percents if is_share(s, p, gdp_context)]
    if not found:
        return []
    allies = _pair_allies(s, found)
    fallback = roles.subject(s) or _alliance(s) or s.previous_actor or _place(s)
    spans = [(p.start, p.end) for p in found]
    base_year = s.base.year if s.base else None
    stated = sorted((r for r in s.dates if ref_year(r) is not None), key=lambda r: r.kind == "day")
    if len(found) == 1 and stated:
        base_year = ref_year(stated[0])
    facts = []
    for pct, ally in zip(found, allies, strict=True):
        year = _year_near(s, pct.start, pct.end, None, spans)
        part = _part_item(s, pct, found)
        # a share for a part of a target ("will spend 3% on core defence") is pledged too
        pledge = bool(
            SHARE_PLEDGE_RE.search(s.text) or (part and _COMMIT_RE.search(s.text)) or _target(s)
        )
        fields: dict[str, Any] = {
            "actors": {"ally": ally or fallback} if (ally or fallback) else {},
            "share_of_gdp": pct.value if pct.value is not None else pct.low,
            "share_qualifier": canonical_qualifier(pct.qualifier),
        }
        if pct.low is not None:
            fields["share_of_gdp_upper"] = pct.high
        if pledge:
            before = s.text[max(0, pct.start - 40) : pct.start]  # the words of this share
            aim = _AIM_RE.search(before) and not _COMMIT_RE.search(before)
            aim = aim or not (SHARE_PLEDGE_RE.search(s.text) or _COMMIT_RE.search(s.text))
            kind, status = "pledge", "planned" if aim else "pledged"  # a target set: planned
            if year is None and len(found) == 1 and stated:
                year = ref_year(stated[0])
            if part is not None:
                fields["item"] = part
                if year is None:
                    year = _whole_year(s, pct, found, spans)
        else:
            year = year if year is not None else base_year
            later = year is not None and base_year is not None and year > base_year
            planned = later or _PLANNED_RE.search(s.text)
            kind, status = "spending", "planned" if planned else "estimate"
        fields.update(year=year, status=status, **_day(s))
        facts.append({"kind": kind, "fields": fields, "start": pct.start})
    return facts + _same_again(s, facts)


#: The same share again, for another year ("... and is projected to spend the same this year").
_SAME_RE = re.compile(r"\bthe same\b", re.IGNORECASE)


def _same_again(s: Sentence, facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last share of the sentence once more, for the year named after "the same"."""
    if not facts or not _SAME_RE.search(s.text):
        return []
    last = facts[-1]
    same = _SAME_RE.search(s.text, last["start"])
    if same is None:
        return []
    years = [ref_year(r) for r in s.dates if r.start >= same.end() and r.start - same.end() < 20]
    year = next((y for y in years if y is not None), None)
    if year is None or year == last["fields"].get("year"):
        return []
    fields = {**last["fields"], "year": year}
    if last["kind"] == "spending":
        base = s.base.year if s.base else None
        planned = (base is not None and year > base) or _PLANNED_RE.search(s.text, same.start())
        fields["status"] = "planned" if planned else "estimate"
    return [{"kind": last["kind"], "fields": fields, "start": same.start()}]


#: Civil areas of a budget: an amount spent on them with defence is no defence figure.
_CIVIL_RE = re.compile(
    r"\b(?:social|welfare|health ?care|healthcare|education|pensions?|ag(?:e)?ing population|"
    r"regional economies|schools|hospitals)\b",
    re.IGNORECASE,
)
#: The year of a budget named in the lines before ("the budget for fiscal 2025", "FY2025").
_BUDGET_YEAR_RE = re.compile(
    r"\b(?:fiscal(?:\s+year)?|financial\s+year|FY)\s?(?P<y>20\d\d)\b|"
    r"\b(?P<y2>20\d\d)\s+(?:defen[cs]e\s+)?budget\b",
    re.IGNORECASE,
)


def _budget_year(s: Sentence) -> int | None:
    """The year of the budget the sentence or the ones before it speak of, when later
    than the article's: a budget figure with no year of its own is for it."""
    match = _BUDGET_YEAR_RE.search(s.text) or _BUDGET_YEAR_RE.search(s.context)
    if match is None or s.base is None:
        return None
    year = int(match["y"] or match["y2"])
    return year if year > s.base.year else None


_FOR_WHOM_RE = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:for|by|of)\s+(?:the\s+)?$", re.IGNORECASE)


def _named_after(s: Sentence, position: int) -> str | None:
    """The ally or group a sum is for ("$485bn for European allies and Canada")."""
    for m in s.mentions:
        if m.start >= position and m.kind in ("country", "agency"):
            if _FOR_WHOM_RE.match(s.text[position : m.start]):
                return m.id
            return None
    return None


def spending_money(s: Sentence, aid_or_contract: bool) -> list[dict[str, Any]]:
    """A defence budget or spending total ("defence spending set at PLN 186 billion"); one
    per ally when the sentence lists allies each with an amount ("Germany spends €90bn and
    France €60bn")."""
    if not s.money or aid_or_contract or not SPENDING_RE.search(s.text):
        return []
    if _CIVIL_RE.search(s.text):
        return []  # a whole budget "to increase spending on defence, social welfare ..."
    pairs = roles.actor_per_amount(s)
    if not pairs:
        money = s.money[0]
        ally = _named_after(s, money.end) or roles.subject(s) or _currency_country(s)
        if ally is None and _only_known_names(s) and not _WORLD_RE.search(s.text):
            ally = s.previous_actor  # "Overall, defence spending will rise, with $824bn"
        pairs = [] if ally is None else [(ally, money)]
    base_year = s.base.year if s.base else None
    found = []
    for ally, money in pairs:
        if ally in roles.AGENCY_BUYERS:
            continue
        fields = {
            "actors": {"ally": ally},
            **money_fields(money, s),
            "year": _year_near(s, money.start, money.end, _budget_year(s) or base_year),
        }
        later = base_year is not None and (fields["year"] or 0) > base_year
        fields["status"] = "planned" if later or _PLANNED_RE.search(s.text) else "estimate"
        found.append({"kind": "spending", "fields": fields, "start": money.start})
    return found


_ALT_RE = re.compile(r"^\s*\(\s*(?:about|around|roughly|some|approximately|or)?\s*$")


def money_fields(money: Money, s: Sentence) -> dict[str, Any]:
    """Value, currency and qualifier of an amount, with the conversions written after it
    ("8.5 billion euros ($9.1 billion)") as ``alt_values``."""
    fields: dict[str, Any] = {
        "value": money.value if money.value is not None else money.high,
        "currency": money.currency,
        "value_qualifier": canonical_qualifier(money.qualifier),
    }
    if money.low is not None:
        fields.update(value_low=money.low, value_high=money.high)
    alts = [
        {"value": other.value, "currency": other.currency}
        for other in s.money
        if other.start > money.end and _ALT_RE.match(s.text[money.end : other.start])
    ]
    if alts:
        fields["alt_values"] = alts
    return fields


def spending_facts(s: Sentence, aid_or_contract: bool) -> list[dict[str, Any]]:
    """Counts, shares and budgets in one sentence; a budget and a share of the same ally
    in one sentence are one fact."""
    found = [{"kind": "spending", "fields": f, "start": 0} for f in counts(s)]
    if found:
        return found
    share_facts = shares(s)
    money_facts = spending_money(s, aid_or_contract)
    if len(share_facts) == 1 and s.money and not aid_or_contract:
        fact = share_facts[0]
        if fact["kind"] == "spending":
            fact["fields"].update(money_fields(s.money[0], s))
            return share_facts
    return share_facts + money_facts
