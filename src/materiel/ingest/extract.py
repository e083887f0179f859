"""From an analysed sentence to candidate facts: contracts, joint procurement, aid,
capacity plans, spending and pledges.

A fact's fields follow the dev corpus format: ``actors`` (role → id or list of ids:
``buyer``, ``supplier``, ``ally``, ``donor``, ``recipient``, ``producer``, ``funder``),
``item``, ``quantity`` (with ``quantity_unit`` and ``quantity_qualifier``), ``value`` (with
``currency``, ``value_qualifier`` and ``alt_values``), ``share_of_gdp``, ``year``, ``date``,
``period``, ``status`` (signed, planned, pledged, estimate, denied) and, for contracts,
``contract_type`` (framework or call_off). A sentence may state several facts; a denied
report ("Lisbon denied a report that it had agreed to pay for ...") is a fact with status
``denied``, never one of the thing denied.
"""

from __future__ import annotations

import re
from typing import Any

from materiel.ingest import roles
from materiel.ingest.analyse import Sentence
from materiel.ingest.cues import AID_PLEDGE_RE, AID_RE, PER_YEAR_AFTER_RE
from materiel.ingest.dates import DateRef, date_fields
from materiel.ingest.money import Money, Quantity, canonical_qualifier
from materiel.ingest.numbers import DIGIT_NUMBER, parse_number
from materiel.ingest.outputs import output_rates
from materiel.ingest.spending import money_fields, ref_year, spending_facts

_CONTRACT_RE = re.compile(
    r"\b(?:contracts?|order(?:s|ed|ing)?|award(?:s|ed|ing)?|sign(?:s|ed|ing)?|deal|"
    r"purchas(?:e|es|ed|ing)|procur(?:e|es|ed|ing)|procurement of|buy(?:s|ing)?|bought|"
    r"acquir(?:e|es|ed|ing)|"
    r"acquisition|framework|call-offs?|booked|agreement|concluded|handed|"
    r"(?:will|to) (?:build|supply|deliver))\b",
    re.IGNORECASE,
)
#: Verbs of giving that make aid only when Ukraine and a giver are named ("Germany is giving
#: €7bn and France €3bn to Ukraine"; "giving a market value of" is not aid).
#: Words of a scheme many give to: its donor is the group named just before, not the
#: article's country ("the G7 loans scheme. This agreement will provide a total of $50bn").
_COLLECTIVE_RE = re.compile(
    r"\b(?:a total of|in total|together|collective(?:ly)?|collaborative|combined|"
    r"(?:this|the|that)\s+(?:\w+\s+)?(?:agreement|scheme|initiative|mechanism))\b",
    re.IGNORECASE,
)
_GIVE_RE = re.compile(
    r"\b(?:giv(?:e|es|ing)|gave|provid(?:e|es|ed|ing)|send(?:s|ing)?|sent|deliver(?:s|ed|ing)?|"
    r"ship(?:s|ped|ping)?|suppl(?:ies|ied|ying)|"
    r"commit(?:s|ted)?|pledg(?:e|es|ed|ing)|promis(?:e|es|ed|ing)|allocat\w+|earmark\w*)\b",
    re.IGNORECASE,
)
#: A giver named before, referred to ("the initiative", "the coalition", "it").
_SCHEME_SUBJECT_RE = re.compile(
    r"\b(?:the|this|that)\s+(?:\w+\s+)?(?:initiative|coalition|scheme|programme|program|"
    r"mechanism|fund)\b",
    re.IGNORECASE,
)
_CAPACITY_RE = re.compile(
    r"\b(?:production capacity|capacity|annual output|output|turn out|to produce|"
    r"expand(?:ing)? (?:the |its )?(?:\w+ )?(?:production|manufacturing)|production line|"
    r"production of|manufactur\w+ capacity|ramp(?:ing)?[- ]up|invest\w*|putting [^.]{0,40} into "
    r"the (?:site|plant|factory)|new (?:plant|factory|line))\b|"
    r"\b\d[\d,.]*(?:-[\w-]+|\s+[\w-]+){0,2}\s+(?:goal|target)\b|"  # "its 180,000-shell goal"
    r"\b(?:build|open|construct)\w*\b[^.]{0,60}?\b(?:factor(?:y|ies)|plants|production lines)\b",
    re.IGNORECASE,
)
#: Words that make a sentence about capacity rather than a contract that mentions it.
_CAPACITY_FIRST_RE = re.compile(
    r"\b(?:capacity|annual output|turn out|a year|per year|annually|invest\w*|putting|"
    r"factor(?:y|ies))\b",
    re.I,
)
_FOR_UKRAINE_RE = re.compile(
    r"\bfor Ukraine\b|\bUkraine(?:'s|’s) behalf\b|\bUkraine will receive\b|"
    r"\bto be (?:delivered|sent|given) to Ukraine\b",
    re.IGNORECASE,
)
_BARE_COUNT_RE = re.compile(
    r"\b(?:reached|reach|to|of|at)\s+(?:about\s+|around\s+|some\s+)?(?P<num>\d+(?:\.\d+)?)\s+"
    r"(?P<scale>million|thousand)\b(?!\s+(?:euros?|dollars?|pounds?|crowns|kroner|zlotys?))",
    re.IGNORECASE,
)
_JOINT_RE = re.compile(
    r"\b(?:jointly|joint (?:procurement|purchase|order|buy)|together|pool\w*|"
    r"common procurement|multinational|on behalf of (?:a group|the group|\w+ (?:allies|nations|"
    r"countries|member states))|lead nation|group of (?:\w+ )?(?:allies|countries|nations|"
    r"member states))\b",
    re.IGNORECASE,
)
_DENIED_RE = re.compile(
    r"\b(?:denied|denies|deny|dismissed|rejected|refuted)\b[^.]*?\b(?:report|reports|claims?)\b",
    re.IGNORECASE,
)
_SPECULATIVE_RE = re.compile(
    r"\b(?:could|might|may|reportedly|considering|in talks|rumou?r\w*|unconfirmed|"
    r"is said to)\b",
    re.IGNORECASE,
)
_FUTURE_RE = re.compile(
    r"\b(?:will|would|plans?|planned|proposed|draft|aims?|intends?|is to|are to|to be|"
    r"expected|due to|sets? aside|reserved|should|asked|to approve|approval|seeks?)\b",
    re.IGNORECASE,
)
_SIGNED_RE = re.compile(
    r"\b(?:signed|awarded|ordered|concluded|placed|booked|agreed a|has agreed|won|bought)\b",
    re.IGNORECASE,
)
#: A sale to a country: the country it goes to buys (the seller is a government or a firm).
_SALE_RE = re.compile(r"\b(?:sales? of|sell(?:s|ing)?|sold)\b", re.IGNORECASE)
#: A sale or deal that may still not happen ("approved a possible sale").
_POSSIBLE_RE = re.compile(r"\b(?:possible|potential|proposed|prospective)\b", re.IGNORECASE)
#: An intention to buy: "agreed to jointly purchase", "plans to acquire", "decided to order".
_INTENT_RE = re.compile(
    r"\b(?:agreed|agree|agrees|plans?|planning|intends?|aims?|wants?|decided|decides|"
    r"is set|are set|hopes?|seeks?|proposed?)\s+to\s+(?:\w+ly\s+)?"
    r"(?:buy|purchase|procure|order|acquire)\b",
    re.IGNORECASE,
)
_REACHED_RE = re.compile(r"\b(?:had reached|has reached|reached|is producing|can turn out|"
                         r"able to turn out|currently)\b", re.IGNORECASE)  # fmt: skip
_ANNUAL_BEFORE_RE = re.compile(r"\b(?:annual|yearly)\b[^.;]{0,60}$", re.IGNORECASE)
_FINANCIAL_RE = re.compile(r"\b(?:financial|budget support|loans?|lend\w*|lent|salaries|pensions|"
                           r"reconstruction|macro-financial)\b", re.I)  # fmt: skip
_MILITARY_RE = re.compile(r"\b(?:military|weapons|arms|ammunition|missiles?|air defen[cs]e|"
                          r"shells|rounds)\b", re.I)  # fmt: skip
_FRAMEWORK_RE = re.compile(r"\bframework\b", re.IGNORECASE)
_CALL_OFF_RE = re.compile(r"\bcall-offs?\b|\bcall offs?\b", re.IGNORECASE)


#: A military service or its buying office, unnamed by country, buys for the article's
#: country ("the Army said", "Army Contracting Command", "the service branch").
SERVICE_RE = re.compile(
    r"\b(?:the (?:army|navy|air force|marine corps|service(?: branch)?)|"
    r"(?:Army|Navy|Air Force) Contracting Command|Joint Program Executive Office)\b",
    re.IGNORECASE,
)
#: The article's item named again by its noun ("orders of the rounds", "the same shells").
_THE_ITEM_RE = re.compile(
    r"\b(?:the|these|those)\s+(?:same\s+)?(?:rounds|shells|projectiles|missiles|munitions|"
    r"interceptors|howitzers)\b",
    re.IGNORECASE,
)


def _quantity(s: Sentence, skip_spans: list[tuple[int, int]] | None = None) -> Quantity | None:
    for q in s.quantities:
        if not any(a <= q.start < b for a, b in skip_spans or []):
            return q
    return None


def quantity_fields(s: Sentence, q: Quantity | None) -> dict[str, Any]:
    if q is None:
        return {}
    unit = q.unit
    rate = next((r for r in s.rates if r.start == q.start), None)
    if rate is not None:
        unit = f"{unit} per {rate.per}"
    elif PER_YEAR_AFTER_RE.match(s.text[q.end :]) or _ANNUAL_BEFORE_RE.search(s.text[: q.start]):
        unit = f"{unit} per year"
    qualifier = canonical_qualifier(q.qualifier)
    return {"quantity": q.value, "quantity_unit": unit, "quantity_qualifier": qualifier}


def _item(s: Sentence) -> str | None:
    items = s.ids("item")
    return items[0] if items else None


#: A sentence that breaks down the amount of the sentence before ("Of this, ...").
_SHARE_OF_BEFORE_RE = re.compile(
    r"^\s*(?:of (?:this|that|these|which|the total|the sum|the amount)|of it)\b", re.IGNORECASE
)
#: Words before a date that make it a delivery's, not the deal's ("deliveries will begin
#: next year", "lasting into the 2030s", "to be completed by 2027").
_DELIVERY_BEFORE_RE = re.compile(
    r"\b(?:deliver(?:y|ies|ed)?|begin|start|lasting|until|through|into|complet\w*)\b"
    r"[^.;,]{0,25}$",
    re.IGNORECASE,
)


_UNTIL_RE = re.compile(r"(?:until|till|through|to)\b", re.IGNORECASE)
_DELIVERY_WORD_RE = re.compile(r"\bdeliver(?:y|ies|ed)?\b", re.IGNORECASE)


def _delivery_date(s: Sentence, ref: DateRef) -> bool:
    """Whether a date of a contract sentence is that of its deliveries ("deliveries will
    begin next year", "sequentially until 2027")."""
    if _DELIVERY_BEFORE_RE.search(s.text, max(0, ref.start - 40), ref.start):
        return True
    return bool(_UNTIL_RE.match(ref.text) and _DELIVERY_WORD_RE.search(s.text, 0, ref.start))


def _deal_dates(s: Sentence) -> dict[str, Any]:
    """The dates of a contract: those of its deliveries left out."""
    if not s.dates or not any(_delivery_date(s, r) for r in s.dates):
        return _dates(s)
    return _dates(s, refs=[r for r in s.dates if not _delivery_date(s, r)])


def _dates(
    s: Sentence, default_year: bool = True, refs: list[DateRef] | None = None
) -> dict[str, Any]:
    dates = s.dates if refs is None else refs
    fields = date_fields(dates)
    refs = sorted(dates, key=lambda r: (r.kind == "day", r.start))
    years = [ref_year(r) for r in refs if ref_year(r) is not None]
    if years:
        fields["year"] = years[0]
    elif fields.get("date"):
        fields["year"] = int(str(fields["date"])[:4])
    elif default_year and s.context_year is not None and _SHARE_OF_BEFORE_RE.match(s.text):
        fields["year"] = s.context_year  # "In 2025, ... NOK 35 billion. Of this, 22.5 billion"
    elif default_year and s.base is not None:
        fields["year"] = s.base.year
    return fields


def _status(s: Sentence, kind: str) -> str:
    text = s.text
    if kind in ("aid", "pledge") and AID_PLEDGE_RE.search(text):
        return "pledged"
    if kind == "capacity_plan":
        return "estimate" if _REACHED_RE.search(text) else "planned"
    if " to " in text and _INTENT_RE.search(text):
        return "planned"  # "agreed to jointly purchase", "plans to acquire": no contract yet
    if _POSSIBLE_RE.search(text) and _SALE_RE.search(text):
        return "planned"  # "approved a possible sale"
    if _SIGNED_RE.search(text):
        return "signed"
    if _FUTURE_RE.search(text):
        return "pledged" if kind == "aid" and "agreed" in text else "planned"
    return "signed" if kind in ("contract", "joint_procurement", "aid") else "estimate"


def _compact(actors: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for role, who in actors.items():
        if isinstance(who, list):
            who = [w for i, w in enumerate(who) if w and w not in who[:i]]
            if not who:
                continue
            out[role] = who[0] if len(who) == 1 else who
        elif who:
            out[role] = who
    return out


def _fact(kind: str, actors: dict[str, Any], s: Sentence, **fields: Any) -> dict[str, Any]:
    body = {"actors": _compact(actors), **{k: v for k, v in fields.items() if v is not None}}
    over = _OVER_YEARS_RE.search(s.text) if "over " in s.text else None
    if over and "period" not in body:
        body["period"] = over.group(0)  # "850 aircraft over five years"
    body.setdefault("status", _status(s, kind))
    return {"kind": kind, "fields": body}


#: A firm's results ("sales rose to €9.8 billion", "an order backlog of €55bn").
_RESULTS_RE = re.compile(
    r"\b(?:sales|revenues?|turnover|profits?|earnings|backlog|order intake|market (?:value|"
    r"capitali[sz]ation)|share price|valuation)\b[^.;]*$",
    re.IGNORECASE,
)


def _company_results(s: Sentence) -> bool:
    """Whether the sentence's first amount is a firm's results, not a contract's value."""
    if not s.money:
        return False
    return bool(_RESULTS_RE.search(s.text, max(0, s.money[0].start - 50), s.money[0].start))


#: What is left to deliver under a deal told before, no new purchase.
_STILL_TO_RE = re.compile(
    r"\bstill (?:has|have|had|needs? to|must)\b[^.;]{0,60}?\bto (?:supply|deliver|ship)\b|"
    r"\bstill (?:needs? to|must|has to|have to) (?:supply|deliver|ship)\b",
    re.IGNORECASE,
)


def contract_fact(s: Sentence) -> dict[str, Any] | list[dict[str, Any]] | None:
    """A contract or joint procurement: a contract word and a supplier, or an item with a
    value or quantity."""
    sale = bool(_SALE_RE.search(s.text) and roles.end_users(s))  # not a firm's sales figure
    if not (_CONTRACT_RE.search(s.text) or sale) or _company_results(s):
        return None
    if "still" in s.text and _STILL_TO_RE.search(s.text):
        return None  # "Korea still has 308 howitzers to supply": deliveries left, no deal
    suppliers, item, q = roles.companies(s), _item(s), _quantity(s)
    agencies = roles.agencies(s)
    buyers = [c for c in roles.countries(s) if c not in roles.end_users(s)]
    if "approv" in s.text or "authori" in s.text:
        buyers = [c for c in buyers if c not in roles.approvers(s)]
    funded = _FUNDED_BY_RE.search(s.text) if " by " in s.text else None
    if funded is not None:  # "funded by the Ukraine Security Assistance Initiative"
        named_after = {m.id for m in s.mentions if m.start > funded.start()}
        buyers = [
            c for c in buyers if c not in named_after or c in roles.countries(s, 0, funded.start())
        ]
    sellers = roles.government_sellers(s) if " government" in s.text else []
    if sellers and not suppliers:
        buyers = [b for b in buyers if b not in sellers]
        suppliers = sellers[:1]
    if agencies:  # an agency buys "for" or "on behalf of" its members: they are the allies
        members = [u for u in roles.end_users(s) if u != "UKR"]
        buyers = [*members, *(b for b in buyers if b not in members)]
    elif sale:
        buyers = roles.end_users(s)[:1]  # "a $2.5 billion sale of Patriot missiles to Poland"
    if _FOR_UKRAINE_RE.search(s.text):
        buyers = [b for b in buyers if b != "UKR"]
    groups = [g for g in roles.groups(s) if g != "NATO"]
    funder = groups[:1] if not buyers and groups and _FUNDED_BY_RE.search(s.text) else []
    if not buyers and not agencies and groups and not funder:
        buyers = groups[:1]  # "European allies and Canada plan to buy ...": an aggregate
    if not buyers and not agencies and s.doc_country and SERVICE_RE.search(s.text):
        buyers = [s.doc_country]  # "the Army said", "Army Contracting Command"
    if not (suppliers or agencies or buyers) and not s.anaphoric:
        return None
    if not (s.money or q or item or _CALL_OFF_RE.search(s.text) or _FRAMEWORK_RE.search(s.text)):
        return None
    if item is None and _THE_ITEM_RE.search(s.text):
        item = s.doc_item  # "orders for the same rounds"
    if not (suppliers or item or agencies or (buyers and q)) and not s.anaphoric:
        return None
    joint = bool(agencies) or bool(_JOINT_RE.search(s.text)) or len(buyers) > 1
    firm_buyer = roles.company_buyer(s)
    actors: dict[str, Any] = {"supplier": roles.listed_companies(s, skip=firm_buyer) or sellers}
    if funder:
        actors.update(funder=funder, ally=buyers if len(buyers) > 1 else [])
    elif agencies:
        actors.update(buyer=agencies[0], ally=buyers)
    elif joint and len(buyers) > 1:
        actors.update(ally=buyers)
    else:
        actors.update(buyer=[firm_buyer] if firm_buyer else buyers[:1])
    if item is None and (q is not None or s.anaphoric):
        item = s.doc_item  # "1,300 of the missiles", "the order": the article's one item
    fields: dict[str, Any] = {"item": item, **quantity_fields(s, q), **_deal_dates(s)}
    if s.money:
        fields.update(money_fields(s.money[0], s))
    if _FOR_UKRAINE_RE.search(s.text) and not _AWARDED_FOR_RE.search(s.text):
        donor = [b for b in buyers if b != "UKR"] or ([s.doc_country] if s.doc_country else [])
        aid = {"donor": donor, "recipient": "UKR", "supplier": suppliers[:1]}
        return _fact("aid", aid, s, aid_type="military", **fields)
    if _CALL_OFF_RE.search(s.text):
        fields["contract_type"] = "call_off"
    elif _FRAMEWORK_RE.search(s.text):
        fields["contract_type"] = "framework"
    recipients = [r for r in roles.end_users(s) if r not in buyers]
    if recipients:
        fields["end_user"] = recipients
    fact = _fact("joint_procurement" if joint else "contract", actors, s, **fields)
    return _per_item(s, fact) or fact  # "672 K9 howitzers and 288 Chunmoo launchers"


def _gives(s: Sentence) -> bool:
    """Whether a giver named in the sentence gives Ukraine what the sentence counts: a verb
    of giving before the first figure, and no award to a firm ("awarded RTX a contract ...
    to replace weapons sent to Ukraine" is a contract)."""
    first = min([m.start for m in s.money] + [q.start for q in s.quantities], default=-1)
    if first < 0 or not _GIVE_RE.search(s.text, 0, first):
        return False
    if "UKR" not in s.ids("country"):
        # "the initiative already supplied 1.5 million rounds": the giver of the sentence
        # before, in an article about aid to Ukraine
        return bool(s.about_ukraine and s.previous_actor and _SCHEME_SUBJECT_RE.search(s.text))
    if not roles.countries(s) and not s.doc_country:
        return False  # the giver may be the article's country ("the parties agreed to provide")
    return not (roles.companies(s) and _CONTRACT_RE.search(s.text))


def _paid_award(s: Sentence) -> bool:
    """Whether the sentence awards orders or a contract that a fund pays for ("awarded
    $522 million in orders ... in a deal funded by the Ukraine Security Assistance
    Initiative"): a purchase, its words of aid only in the fund's name."""
    funded = _FUNDED_BY_RE.search(s.text)
    if funded is None or not re.search(r"\bawarded\b", s.text[: funded.start()], re.I):
        return False
    return not AID_RE.search(s.text, 0, funded.start())


def aid_fact(s: Sentence) -> dict[str, Any] | list[dict[str, Any]] | None:
    """Aid: a donor gives or lends money or materiel to a recipient (Ukraine by default in
    an article about aid to Ukraine). A donor and a recipient named without a figure
    ("Norway channels its support to Kyiv through the Nansen programme") open a fact that
    a later sentence may give its figures to; if none does, it is dropped."""
    if not (AID_RE.search(s.text) or _gives(s)) or _paid_award(s):
        return None
    if not (s.money or _quantity(s)) and not ("UKR" in roles.end_users(s) and roles.countries(s)):
        return None
    receivers = roles.end_users(s)
    recipient = "UKR" if "UKR" in receivers or "UKR" in s.ids("country") else None
    if recipient is None and s.about_ukraine and not receivers:
        recipient = "UKR"  # an article about aid to Ukraine: the recipient goes without saying
    if recipient is None:
        return None
    donors = [c for c in roles.countries(s) if c != recipient]
    groups = roles.groups(s)
    donor = (
        (groups + donors)[:1]
        if groups and (not donors or s.text.find(groups[0]) < 5)
        else (roles.coordinated(s, donors[0]) if donors else [])
    )
    if not donor and s.previous_group and _COLLECTIVE_RE.search(s.text):
        donor = [s.previous_group]  # "the G7 loans scheme. This agreement will provide a total"
    if not donor and s.previous_actor and re.match(r"^\s*(?:its|it|their)\b", s.text, re.I):
        donor = [s.previous_actor]
    if not donor and s.previous_actor and s.anaphoric:
        donor = [s.previous_actor]
    if not donor and s.doc_country and s.doc_country != recipient:
        donor = [s.doc_country]  # "Oslo's minister announced a loan ...": the article's country
    aid_type = "financial" if _FINANCIAL_RE.search(s.text) else (
        "military" if _MILITARY_RE.search(s.text) else None)  # fmt: skip
    fields: dict[str, Any] = {"item": _item(s), **quantity_fields(s, _quantity(s)), **_dates(s)}
    if s.money:
        fields.update(money_fields(s.money[0], s))
        if PER_YEAR_AFTER_RE.match(s.text[s.money[0].end :]):
            fields["per_year"] = True
    suppliers = roles.companies(s)
    actors = {"donor": donor, "recipient": recipient, "supplier": suppliers[:1]}
    fact = _fact("aid", actors, s, aid_type=aid_type, **fields)
    pairs = [(who, money) for who, money in roles.actor_per_amount(s) if who != recipient]
    parts = roles.amounts(s)
    if len(pairs) < 2 and len(parts) >= 2 and _SHARE_OF_BEFORE_RE.match(s.text):
        return _breakdown(s, fact, parts)
    if len(pairs) < 2:
        return _per_item(s, fact) or fact
    return [  # "the United States is lending $20bn, the EU €18.1bn ...": one fact per donor
        {"kind": "aid", "fields": {**fact["fields"], "actors": {**fact["fields"]["actors"],
         "donor": who}, **money_fields(money, s)}}
        for who, money in pairs
    ]  # fmt: skip


def _breakdown(s: Sentence, fact: dict[str, Any], parts: list[Money]) -> list[dict[str, Any]]:
    """A total broken down ("Of this, 22.5 billion as military support, and 12.5 billion as
    humanitarian support"): one fact per part, its type from its own clause."""
    found = []
    for i, money in enumerate(parts):
        end = parts[i + 1].start if i + 1 < len(parts) else len(s.text)
        clause = s.text[money.start : end]
        aid_type = "financial" if _FINANCIAL_RE.search(clause) else (
            "military" if _MILITARY_RE.search(clause) else None)  # fmt: skip
        fields = {**fact["fields"], **money_fields(money, s), "aid_type": aid_type}
        found.append({"kind": fact["kind"], "fields": fields})
    return found


def _item_of(s: Sentence, q: Quantity) -> str | None:
    """The item a count counts: named inside it ("20 120mm mortar systems") or right after
    it ("20,000 rounds of 120mm ammunition")."""
    for m in s.mentions:
        if m.kind != "item":
            continue
        if q.start <= m.start < q.end or (
            q.end <= m.start <= q.end + 5 and s.text[q.end : m.start].strip() == "of"
        ):
            return m.id
    return None


def _per_item(s: Sentence, fact: dict[str, Any]) -> list[dict[str, Any]]:
    """One fact per count when a sentence without money lists counts of different items
    ("20 120mm mortar systems and 20,000 rounds of 120mm mortar ammunition")."""
    if s.money or len(s.quantities) < 2 or _PARTS_RE.search(s.text):
        return []
    items = [_item_of(s, q) for q in s.quantities]
    if None in items or len(set(items)) < 2:
        return []
    return [
        {"kind": fact["kind"], "several": True,
         "fields": {**fact["fields"], "item": item, **quantity_fields(s, q)}}
        for q, item in zip(s.quantities, items, strict=True)
    ]  # fmt: skip


_PARTS_RE = re.compile(
    r"\b(?:made up of|comprising|consisting of|of which|split into|broken down into|"
    r"divided into)\b",
    re.IGNORECASE,
)


def part_facts(s: Sentence, fact: dict[str, Any]) -> list[dict[str, Any]]:
    """The parts of a total that the sentence breaks down ("800,000 rounds ..., made up of
    500,000 of 155mm and 300,000 of 122mm"): one fact per part, each with its own item and
    count, marked as part of ``fact`` (whose item becomes the parts' one item, if shared)."""
    fields = fact["fields"]
    cue = _PARTS_RE.search(s.text) if len(s.quantities) > 2 else None
    if cue is None or fields.get("quantity") is None:
        return []
    parts = [q for q in s.quantities if q.start > cue.end()]
    if len(parts) < 2 or sum(q.value for q in parts) > fields["quantity"] * 1.01:
        return []
    found = []
    for q in parts:
        items = [m.id for m in s.mentions if m.kind == "item" and q.start <= m.start < q.end]
        part = {**fields, "item": items[0] if items else None, "quantity": q.value}
        part.update(quantity_qualifier=canonical_qualifier(q.qualifier), part_of_total=True)
        found.append({"kind": fact["kind"], "fields": part})
    named = {f["fields"]["item"] for f in found}
    fields["item"] = named.pop() if len(named) == 1 else None
    return found


#: Money to make more ("to increase and accelerate the production of ammunition").
_MORE_OUTPUT_RE = re.compile(
    r"\b(?:increas|expand|boost|ramp(?:ing)? up|accelerat|rais|doubl|tripl|quadrupl)\w*\b"
    r"[^.;]{0,40}?\b(?:production|output|manufacturing)\b",
    re.IGNORECASE,
)
#: Plants a state pays for without a firm named ("six new munitions factories for £1.5bn").
_FACTORY_RE = re.compile(r"\b(?:factor(?:y|ies)|plants?|production lines?)\b", re.IGNORECASE)
#: A contract signed with firms to make something for Ukraine is the signer's purchase
#: ("has signed a $522 million contract with two companies to produce artillery ammunition
#: for Ukraine"); one placed on Ukraine's behalf, or that Ukraine receives, is aid.
_AWARDED_FOR_RE = re.compile(
    r"\b(?:signed|awarded|placed)\b[^.;]{0,40}?\bcontracts?\s+(?:with|to)\b[^.;]*?"
    r"\bfor Ukraine\b",
    re.IGNORECASE,
)
#: A purchase a group pays for, not buys: "supported by a budget of ... under EDIRPA".
_FUNDED_BY_RE = re.compile(
    r"\b(?:supported|backed|funded|financed|co-financed|subsidi[sz]ed)\s+(?:\w+\s+)?by\b",
    re.IGNORECASE,
)
#: Money a state gives a maker, its giver unnamed: the article's country's.
_FUNDING_RE = re.compile(
    r"\b(?:provides?|providing|provided|grants?|granted|awards?|awarded)\s+(?:\w+\s+)?"
    r"(?:funding|grants?|subsid(?:y|ies)|financing)\b",
    re.IGNORECASE,
)
_OVER_YEARS_RE = re.compile(
    r"\bover (?:the next |the coming )?(?:\w+|\d+) years\b",
    re.IGNORECASE,
)


def _clause_countries(s: Sentence, value: float) -> list[str]:
    """The countries acting in the clause of the rate of that value, before it ("Before
    Russia invaded Ukraine in 2022, the U.S. made 14,400 shells a month": the U.S.)."""
    rate = next((r for r in s.rates if r.value == value), None)
    if rate is None:
        return []
    start = max(s.text.rfind(",", 0, rate.start), s.text.rfind(";", 0, rate.start)) + 1
    return roles.countries(s, start, rate.start)[:1]


#: The output now, before the goal it rises to ("from the current 50,000 to 400,000 rounds
#: per year").
_FROM_CURRENT_RE = re.compile(
    rf"\bfrom (?:the |its |a )?(?:current|present|today['’]s) (?:level of |output of )?"
    rf"(?P<num>{DIGIT_NUMBER})\s+to\s+(?:about\s+|around\s+)?$",
    re.IGNORECASE,
)


def _current_output(
    s: Sentence, actors: dict[str, Any], goal: dict[str, Any]
) -> list[dict[str, Any]]:
    """The output reached now that a goal starts from, as an estimate of the article's
    year."""
    rate = next((r for r in s.rates if r.value == goal["quantity"]), None)
    if rate is None or not any(w in s.text for w in ("current", "present", "today")):
        return []
    match = _FROM_CURRENT_RE.search(s.text, max(0, rate.start - 60), rate.start)
    number = parse_number(match.group("num")) if match else None
    if number is None:
        return []
    fields = {**goal, "quantity": number, "quantity_qualifier": None, "status": "estimate"}
    fields["year"] = s.base.year if s.base else None
    return [_fact("capacity_plan", actors, s, item=_item(s), **fields)]


#: Words for a firm: a capacity without a maker named is that of a firm the article names
#: once only with one of them ("The group plans to reach ..."), else its country's.
_FIRM_WORD_RE = re.compile(
    r"\b(?:the|its|our) (?:firm|company|group|maker|manufacturer|producer|plant|factory)\b|"
    r"\b(?:we|it)\b",
    re.IGNORECASE,
)
#: Counting nouns of ammunition that name no calibre.
_ROUNDS_RE = re.compile(r"\b(?:rounds|shells|projectiles|ammunition|munitions)\b", re.IGNORECASE)


#: Counting nouns that name nothing ("units", "systems", "pieces").
_UNITS_RE = re.compile(r"^(?:units|systems|pieces|items)\b", re.IGNORECASE)


def _output_item(s: Sentence, fields: dict[str, Any]) -> str | None:
    """The item of an output: named in the sentence, else the article's one item when the
    output counts rounds or shells ("Nexter's ammunition production to 60,000 rounds per
    year" in an article about 155mm rounds)."""
    item = _item(s)
    unit = str(fields.get("quantity_unit"))
    if item is None and s.doc_item and _ROUNDS_RE.search(unit):
        return s.doc_item
    if item is None and s.previous_item and _UNITS_RE.match(unit):
        return s.previous_item  # "... Caesar howitzers. Capacity rose to four units per month"
    return item


def capacity_fact(s: Sentence) -> dict[str, Any] | list[dict[str, Any]] | None:
    """A production capacity or its expansion: a producer, and an output or money for it;
    one fact per output rate when the sentence gives several ("builds 6 a month and aims
    for 12 a month by 2026")."""
    outputs = output_rates(s)
    if not outputs and not _CAPACITY_RE.search(s.text):
        return None
    q = _quantity(s) if not outputs else None
    bare = _BARE_COUNT_RE.search(s.text) if q is None and not outputs else None
    if not (outputs or q or s.money or bare):
        return None
    producers = roles.companies(s)
    funders = [c for c in roles.countries(s)] + [g for g in roles.groups(s) if g != "NATO"]
    if not producers and "EU" in funders:
        producers = ["EU"]
    firm_meant = s.doc_company_mentions >= 2 or s.anaphoric or bool(_FIRM_WORD_RE.search(s.text))
    if not producers and s.doc_company and not funders and firm_meant:
        producers = [s.doc_company]
    if not producers and outputs:
        producers = _clause_countries(s, outputs[0]["quantity"]) or funders[:1]
        producers = producers or ([s.doc_country] if s.doc_country else [])
    state_built = not producers and bool(
        s.money and funders and (_FACTORY_RE.search(s.text) or _MORE_OUTPUT_RE.search(s.text))
    )  # "six factories for £1.5bn", "allocated €500 million to increase the production"
    if not producers and funders and q is not None and _FACTORY_RE.fullmatch(q.unit.split()[-1]):
        producers = funders[:1]  # "The UK will build six new munitions factories"
        state_built = True
    if not producers and not state_built:
        return None
    actors: dict[str, Any] = {"producer": producers[:1]}
    if s.money or state_built:
        actors["funder"] = [f for f in funders if f not in producers or state_built][:1]
    state_funded = bool(
        s.money and not actors.get("funder") and s.doc_country and _FUNDING_RE.search(s.text)
    )
    if state_funded:
        actors["funder"] = [s.doc_country]  # "the agreement provides funding of NOK 1 billion"
    if outputs:
        money = money_fields(s.money[0], s) if s.money else {}
        found = [
            _fact(
                "capacity_plan",
                actors,
                s,
                item=_output_item(s, fields),
                **fields,
                **(money if i == 0 else {}),
            )
            for i, fields in enumerate(outputs)
        ]
        found += _current_output(s, actors, outputs[0])
        return found[0] if len(found) == 1 else found
    fields = {"item": _item(s), **quantity_fields(s, q)}
    if bare is not None:
        count = float(bare.group("num")) * (
            1e6 if bare.group("scale").lower() == "million" else 1e3
        )
        fields.update(quantity=count, quantity_unit=f"{fields.get('item') or 'units'} per year")
    fields.update(_dates(s, default_year=(state_built or state_funded) and q is None))
    if s.money:
        fields.update(money_fields(s.money[0], s))
    return _fact("capacity_plan", actors, s, **fields)


#: A contract signed or awarded, before any word of capacity: the sentence is about the
#: contract ("has signed a contract to manufacture a thousand missiles, expanding production
#: capacity", "awarded $961 million in contracts to increase the production capacity").
_AWARDED_RE = re.compile(
    r"\b(?:signed|awarded|placed|concluded|award of)\b[^.;]{0,60}?\bcontracts?\b",
    re.IGNORECASE,
)


def extract(s: Sentence) -> list[dict[str, Any]]:
    """Every candidate fact one sentence states (``kind`` and ``fields``)."""
    found: list[dict[str, Any]] = []
    capacity_first = bool(_CAPACITY_FIRST_RE.search(s.text)) or bool(output_rates(s))
    if capacity_first and "contract" in s.text:
        awarded = _AWARDED_RE.search(s.text)
        first_cue = _CAPACITY_FIRST_RE.search(s.text)
        capacity_first = not (awarded and first_cue and awarded.start() < first_cue.start())
    finders = (aid_fact, capacity_fact, contract_fact) if capacity_first else (
        aid_fact, contract_fact, capacity_fact)  # fmt: skip
    for finder in finders:
        fact = finder(s)
        if fact:
            found.extend(fact if isinstance(fact, list) else [fact, *part_facts(s, fact)])
            break
    found = spending_facts(s, bool(found)) + found
    denied = _DENIED_RE.search(s.text)
    for fact in found:
        if denied:
            fact["fields"]["status"] = "denied"
        fact["confidence"] = _confidence(s, fact["fields"])
    return found


def _confidence(s: Sentence, fields: dict[str, Any]) -> float:
    known = sum(1 for k in ("item", "value", "quantity", "share_of_gdp", "year") if fields.get(k))
    score = 0.5 + 0.1 * min(known, 3) + 0.1 * min(len(fields.get("actors") or {}), 2)
    if _SPECULATIVE_RE.search(s.text):
        score -= 0.2
    return score
