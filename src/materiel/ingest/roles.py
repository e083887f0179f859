"""Who does what in a sentence: the actors of a fact, by their place in the sentence.

Without a parser, roles come from the words around each mention: a country after "in",
"at" or "across" is a place, not an actor; one after "for", "to" or "on behalf of" is an
end user; a demonym ("Danish", "Norwegian") is an actor only before an institution
("Norwegian government", "Polish defence ministry") or a purchase ("a German order"); a
country that only names a firm's nationality ("German arms maker Rheinmetall") is not a
buyer. The subject of the
sentence (the first actor before its verb) is the one that buys, gives, spends or pledges.
"""

from __future__ import annotations

import re

from materiel.ingest.analyse import Sentence
from materiel.ingest.gazetteer import Mention
from materiel.ingest.money import Money

_PLACE_BEFORE_RE = re.compile(
    r"\b(?:in|at|across|outside|inside|throughout|near|within|into|of the|sites in|"
    r"plants in|projects in|base in|factory in|except|excluding|apart from|other than|"
    r"but not)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_END_USER_BEFORE_RE = re.compile(
    r"\b(?:for|to|sent to|supplied to|delivered to|given to|gifted to|lend|lent|help|"
    r"on behalf of|reach|reached|supply|supplying)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_INSTITUTION_AFTER_RE = re.compile(
    r"^\s+(?:state|government|cabinet|ministry|defen[cs]e|military|armed forces|army|navy|"
    r"air force|parliament|finance ministry|treasury|authorities|officials)\b",
    re.IGNORECASE,
)
#: A demonym before a purchase acts as its buyer ("a €8.5bn German order", "British deal").
_PURCHASE_AFTER_RE = re.compile(
    r"^\s+(?:[\w-]+\s+)?(?:order|contract|deal|purchase|procurement|award|aid package)s?\b",
    re.IGNORECASE,
)
_BEHALF_AFTER_RE = re.compile(r"^(?:'s|’s)\s+behalf\b", re.IGNORECASE)
_PERSON_AFTER_RE = re.compile(
    r"^(?:'s|’s)?\s+(?:prime minister|president|chancellor|minister|secretary|ambassador|"
    r"officials?|diplomats?|leaders?|pilots?|troops|soldiers|stocks|firm|forces)\b",
    re.IGNORECASE,
)
#: Agencies that buy for their members.
AGENCY_BUYERS = frozenset({"NSPA", "EDA", "OCCAR", "DSCA"})
#: Aggregates and institutions that give, pledge or spend.
GROUPS = frozenset({"NATO", "EU", "EC", "G7", "NATO Europe and Canada", "NATO Europe", "EPF"})


#: A country that uses what is bought is no buyer ("rounds being used in large quantities by
#: Ukraine").
_USER_BEFORE_RE = re.compile(
    r"\b(?:used|fired|operated|employed|needed|consumed)\b[^.,;]{0,40}\bby\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _is_place(s: Sentence, m: Mention) -> bool:
    before = s.text[max(0, m.start - 60) : m.start]
    return bool(_PLACE_BEFORE_RE.search(before[-30:]) or _USER_BEFORE_RE.search(before))


def is_end_user(s: Sentence, m: Mention) -> bool:
    before = s.text[max(0, m.start - 30) : m.start]
    return bool(_END_USER_BEFORE_RE.search(before) or _BEHALF_AFTER_RE.match(s.text[m.end :]))


_LOCATIVE_START_RE = re.compile(r"^\s*In\s+$")


def acts(s: Sentence, m: Mention) -> bool:
    """Whether a country mention names the country as an actor of the sentence (a capital
    that opens the sentence, "In Stockholm, ...", stands for its government)."""
    after = s.text[m.end :]
    if m.form == "metonym" and _LOCATIVE_START_RE.match(s.text[: m.start]):
        return after.startswith(",")
    if m.form == "demonym":
        return bool(_INSTITUTION_AFTER_RE.match(after) or _PURCHASE_AFTER_RE.match(after))
    if _PERSON_AFTER_RE.match(after) and not _INSTITUTION_AFTER_RE.match(after[4:]):
        return False
    return not (m.start in s.maker_starts or _is_place(s, m))


def countries(s: Sentence, start: int = 0, end: int | None = None) -> list[str]:
    """Countries acting in ``s.text[start:end]`` (not places, end users or nationalities)."""
    whole = start == 0 and end is None
    if whole and "countries" in s.cache:
        return list(s.cache["countries"])
    end = len(s.text) if end is None else end
    found: list[str] = []
    for m in s.mentions:
        if m.kind != "country" or not (start <= m.start < end) or m.id in found:
            continue
        if acts(s, m) and str(m.start) not in _end_user_starts(s):
            found.append(m.id)
    if whole:
        s.cache["countries"] = list(found)
    return found


def end_users(s: Sentence) -> list[str]:
    """Countries that receive ("for Ukraine", "to Kyiv", "on Ukraine's behalf"), with the
    countries listed after one ("to Germany, Spain and Romania")."""
    if "end_users" in s.cache:
        return list(s.cache["end_users"])
    starts = _end_user_starts(s)
    found: list[str] = []
    for m in s.mentions:
        if m.kind == "country" and m.id not in found and str(m.start) in starts:
            found.append(m.id)
    s.cache["end_users"] = list(found)
    return found


def _end_user_starts(s: Sentence) -> list[str]:
    """Where the end users' mentions start (as strings, for the sentence's cache)."""
    if "end_user_starts" not in s.cache:
        direct = [m for m in s.mentions
                  if m.kind == "country" and m.form != "demonym" and is_end_user(s, m)]  # fmt: skip
        listed = [x for m in direct for x in _listed_after(s, m)]
        s.cache["end_user_starts"] = [str(m.start) for m in direct + listed]
    return s.cache["end_user_starts"]


_VERB_AFTER_RE = re.compile(
    r"^\s+(?:will|would|has|have|had|is|are|was|were|said|says|plans?|agreed|signed|can|"
    r"could|must|should|\w+ed)\b",
    re.IGNORECASE,
)


def _listed_after(s: Sentence, first: Mention) -> list[Mention]:
    """The countries of a list that ``first`` opens and "and" closes ("to Germany, Spain
    and Romania"); none when the last of them starts a clause of its own ("to Ukraine, and
    Germany will pay") or no "and" closes the list ("to Ukraine, Germany said")."""
    chain: list[Mention] = []
    previous_end = first.end
    for m in s.mentions:
        if m.kind != "country" or m.start < first.end:
            continue
        gap = s.text[previous_end : m.start]
        if not _AND_RE.match(gap):
            break
        chain.append(m)
        previous_end = m.end
        if re.search(r"\band\b|\bas well as\b", gap):
            return [] if _VERB_AFTER_RE.match(s.text[previous_end:]) else chain
    return []


def groups(s: Sentence) -> list[str]:
    """Alliances, unions and groups named in the sentence (NATO, EU, G7 ...)."""
    return [a for a in s.ids("agency") if a in GROUPS]


def agencies(s: Sentence) -> list[str]:
    """Procurement agencies named in the sentence."""
    return [a for a in s.ids("agency") if a in AGENCY_BUYERS]


def companies(s: Sentence) -> list[str]:
    """Companies, in order; a joint venture's parents ("a joint venture of X and Y") are
    left out when the venture itself is named."""
    found: list[str] = []
    for m in s.mentions:
        if m.kind != "company" or m.id in found:
            continue
        if found and re.search(r"\b(?:of|between|by)\s+$", s.text[max(0, m.start - 12) : m.start]):
            continue
        if re.match(r"^(?:'s|’s)\s+(?:\w+\s+)?business\b", s.text[m.end :]):
            continue
        found.append(m.id)
    return found


#: What may stand between two firms of one list: the rest of the first firm's name ("Northrop
#: Grumman Systems", "Nexter Munitions", "General Dynamics Ordnance & Tactical Systems": up to
#: four capitalised words or "&") and the joining word.
_FIRM_AND_RE = re.compile(
    r"^(?:\s+(?:&|[A-Z][\w.-]*)){0,4}\s*(?:,\s*and|,|and|as well as)\s+(?:the\s+)?$"
)


def listed_companies(s: Sentence, skip: str | None = None) -> list[str]:
    """The first firm of the sentence (other than ``skip``) and the firms listed right
    after it ("with Nexter Munitions and Junghans Defence", "to X, Y and Z"), who share its
    role."""
    first = [c for c in companies(s) if c != skip][:1]
    if not first:
        return []
    found = list(first)
    previous_end: int | None = None
    for m in s.mentions:
        if m.kind != "company" or (previous_end is None and m.id != first[0]):
            continue
        if previous_end is not None:
            if not _FIRM_AND_RE.match(s.text[previous_end : m.start]):
                break
            if m.id not in found:
                found.append(m.id)
        previous_end = m.end
    return found


_BUYS_AFTER_RE = re.compile(
    r"^\s+(?:has\s+|have\s+|is\s+)?(?:orders?|ordered|ordering|buys|bought|buying|"
    r"purchases|purchased|awards|awarded|contracts|contracted|selects|selected|picks|picked|"
    r"taps|tapped)\b",
    re.IGNORECASE,
)


#: A government a buyer signs with sells ("signed an agreement with the US government to
#: purchase 20 F-35As").
_WITH_BEFORE_RE = re.compile(r"\bwith\s+(?:the\s+)?$", re.IGNORECASE)
_GOVERNMENT_AFTER_RE = re.compile(r"^\s+government\b", re.IGNORECASE)


def government_sellers(s: Sentence) -> list[str]:
    """Countries whose government the buyer signs with: they sell."""
    return [
        m.id
        for m in s.mentions
        if m.kind == "country"
        and _GOVERNMENT_AFTER_RE.match(s.text[m.end :])
        and _WITH_BEFORE_RE.search(s.text[max(0, m.start - 10) : m.start])
    ]


def company_buyer(s: Sentence) -> str | None:
    """A firm that buys from another ("Patria orders Kongsberg's Protectors", "Rheinmetall
    has awarded Diehl a contract"): the first firm, right before a verb of buying, with a
    second firm after it."""
    firms = [m for m in s.mentions if m.kind == "company"]
    if len(firms) < 2 or not _BUYS_AFTER_RE.match(s.text[firms[0].end :]):
        return None
    return firms[0].id if any(m.id != firms[0].id for m in firms[1:]) else None


_APPROVES_AFTER_RE = re.compile(
    r"^(?:\s+(?:government|administration|state department|congress))?\s+(?:has\s+|had\s+)?"
    r"(?:approved|authori[sz]ed|cleared)\b",
    re.IGNORECASE,
)


def approvers(s: Sentence) -> list[str]:
    """Countries that approve a sale rather than buy ("which the US government approved")."""
    return [
        m.id
        for m in s.mentions
        if m.kind == "country" and _APPROVES_AFTER_RE.match(s.text[m.end : m.end + 40])
    ]


def subject(s: Sentence) -> str | None:
    """The first actor of the sentence: a group, agency or acting country."""
    for m in s.mentions:
        if m.kind == "agency" and (m.id in GROUPS or m.id in AGENCY_BUYERS):
            return m.id
        if m.kind == "country" and acts(s, m) and not is_end_user(s, m):
            return m.id
    return None


_CONVERSION_BEFORE_RE = re.compile(r"[(/]\s*(?:about|around|roughly|some|approximately|or)?\s*$")


def amounts(s: Sentence) -> list[Money]:
    """The sentence's amounts, without the conversions written in brackets after them."""
    return [
        m
        for m in s.money
        if not _CONVERSION_BEFORE_RE.search(s.text[max(0, m.start - 16) : m.start])
    ]


def actor_per_amount(s: Sentence) -> list[tuple[str, Money]]:
    """A list of actors each with its own amount ("the United States is lending $20bn, the
    EU €18.1bn, the UK £2.26bn and Canada C$5bn"): each amount with the acting country or
    group named after the amount before it; a total named before them all ("Of the $50bn,
    the US lends $20bn and the EU €18.1bn") is left out. With "respectively", the actors
    named before the first amount go with the amounts in order ("The US and the EU lend $20bn
    and €18.1bn respectively"). Empty unless two amounts or more each have an actor of their
    own (a conversion in brackets is not an amount of its own)."""
    found = amounts(s)
    if len(found) < 2:
        return []
    if "respectively" in s.text:
        named = _actors_between(s, 0, found[0].start)
        return list(zip(named, found, strict=True)) if len(named) == len(found) else []
    pairs: list[tuple[str, Money]] = []
    previous_end = 0
    for money in found:
        named = _actors_between(s, previous_end, money.start)
        previous_end = money.end
        if not named and not pairs:
            continue  # a total before the parts
        if not named or named[-1] in (who for who, _ in pairs):
            return []
        pairs.append((named[-1], money))
    return pairs if len(pairs) >= 2 else []


def _actors_between(s: Sentence, start: int, end: int) -> list[str]:
    """Acting countries and groups named in ``s.text[start:end]``, in order, each once."""
    found: list[str] = []
    for m in s.mentions:
        if not start <= m.start < end or m.id in found:
            continue
        if (m.kind == "country" and acts(s, m) and not is_end_user(s, m)) or m.id in GROUPS:
            found.append(m.id)
    return found


_AND_RE = re.compile(r"^\s*(?:,\s*and|,|and|as well as)\s+(?:the\s+)?$", re.IGNORECASE)


def coordinated(s: Sentence, first: str) -> list[str]:
    """``first`` and the countries listed right after it, which share its role ("Denmark
    and the Netherlands have put up ...", "on behalf of Germany, the Netherlands and
    Spain")."""
    found = [first]
    previous_end: int | None = None
    for m in s.mentions:
        if m.kind != "country" or (previous_end is None and m.id != first):
            continue
        if previous_end is not None and not _AND_RE.match(s.text[previous_end : m.start]):
            break
        if m.id not in found and (m.form == "name" or acts(s, m)):
            found.append(m.id)
        previous_end = m.end
    return found
