"""Merging the same fact told by several articles, keeping every source.

Two facts are one event only when their kind agrees (a contract and a joint procurement
count as one kind), their actors agree role by role (a role known on one side only is
no disagreement), their items agree (a calibre and "artillery shells" do), their years
are the same, their event dates are at most :data:`DATE_WINDOW` days apart, a framework is
not merged with its call-off, and their figures are within :data:`FIGURE_RATIO` of each
other (rounding and reporting differences, not different orders). Within one article
only agreeing statements merge. The merged fact keeps every source; where sources
disagree on a figure, ``conflicts`` lists each value with its source: nothing is
averaged.

Facts are first put in blocks by kind and principal actor (supplier or buyer, donor,
ally, producer) and compared only within their block and year, so merging is near-linear
in the number of statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from materiel.ingest.model import Fact

#: Figures compared between sources, per kind of fact.
_FIGURES = ("value", "currency", "quantity", "share_of_gdp")
VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    kind: _FIGURES
    for kind in ("contract", "joint_procurement", "aid", "spending", "pledge", "capacity_plan")
}
_QUALIFIER_OF = {"value": "value_qualifier", "quantity": "quantity_qualifier"}
_QUALIFIER_OF["share_of_gdp"] = "share_qualifier"
#: Fields that travel with a figure: taken from the same source as the figure.
_COMPANIONS = {
    "value": ("currency", "value_qualifier", "value_low", "value_high", "alt_values"),
    "quantity": ("quantity_unit", "quantity_qualifier"),
    "share_of_gdp": ("share_of_gdp_upper", "share_qualifier"),
}
#: Relative difference under which two figures are the same figure (rounding).
TOLERANCE = 0.005
#: Largest ratio between two sources' figures for one event (beyond it: two events).
FIGURE_RATIO = 1.25
#: Largest gap between the dates two sources give for one event [days].
DATE_WINDOW = 14
_FAMILY = {"joint_procurement": "contract"}
_PRINCIPAL = {
    "contract": ("buyer", "supplier"),
    "aid": ("donor", "recipient"),
    "spending": ("ally",),
    "pledge": ("ally",),
    "capacity_plan": ("producer",),
}
#: Largest block compared member by member; a larger cluster is compared by its first fact.
_FULL_COMPARE = 20


def _family(kind: str) -> str:
    return _FAMILY.get(kind, kind)


def _key(value: Any) -> Any:
    return tuple(sorted(value)) if isinstance(value, list) else value


def principal(fact: Fact) -> Any:
    """The actor that names the event: supplier or buyer, donor, ally, producer."""
    actors = fact.fields.get("actors") or {}
    for role in _PRINCIPAL.get(_family(fact.kind), ()):
        if actors.get(role):
            return _key(actors[role])
    return None


def _actors_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same actor role by role; a firm named alone and the same firm named with others
    ("with Nexter", "with Nexter and Junghans") are the same suppliers."""
    actors_a, actors_b = a.get("actors") or {}, b.get("actors") or {}
    return all(
        _key(who) == _key(actors_b[role]) or (role == "supplier" and _nested(who, actors_b[role]))
        for role, who in actors_a.items()
        if role in actors_b
    )


def _as_set(who: Any) -> set[Any]:
    return set(who) if isinstance(who, list) else {who}


def _nested(a: Any, b: Any) -> bool:
    return _as_set(a) <= _as_set(b) or _as_set(b) <= _as_set(a)


def _items_agree(a: Any, b: Any, families: Mapping[str, str] | None = None) -> bool:
    """Equal, unknown on one side, or one the family of the other (GEM-T and Patriot)."""
    if a is None or b is None or a == b:
        return True
    families = families or {}
    return (
        families.get(a) == b
        or families.get(b) == a
        or (families.get(a) or a) == (families.get(b) or b)
    )


def _is_count(fields: dict[str, Any]) -> bool:
    return str(fields.get("quantity_unit") or "").startswith("allies")


def _identity(
    a: dict[str, Any], b: dict[str, Any], families: Mapping[str, str] | None = None
) -> bool:
    if not (_actors_agree(a, b) and _items_agree(a.get("item"), b.get("item"), families)):
        return False
    if _is_count(a) != _is_count(b) or bool(a.get("per_year")) != bool(b.get("per_year")):
        return False
    types = {a.get("contract_type"), b.get("contract_type")}
    if "call_off" in types and len(types) > 1:
        return False
    for key in ("value", "quantity", "share_of_gdp"):
        x, y = a.get(key), b.get(key)
        if not (isinstance(x, int | float) and isinstance(y, int | float)):
            continue
        if min(x, y) > 0 and max(x, y) / min(x, y) > FIGURE_RATIO:
            return False
    return a.get("currency") is None or b.get("currency") in (None, a.get("currency"))


def _figure_gap(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The largest relative difference between the figures two facts both give."""
    gap = 0.0
    for key in ("value", "quantity", "share_of_gdp"):
        x, y = a.get(key), b.get(key)
        if isinstance(x, int | float) and isinstance(y, int | float) and max(abs(x), abs(y)):
            gap = max(gap, abs(x - y) / max(abs(x), abs(y)))
    return gap


def _dates_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("year") and b.get("year") and a["year"] != b["year"]:
        return False
    if a.get("date") and b.get("date"):
        try:
            gap = abs((date.fromisoformat(a["date"]) - date.fromisoformat(b["date"])).days)
        except (TypeError, ValueError):
            return True
        return gap <= DATE_WINDOW
    return True


def _figures_differ(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) > TOLERANCE * max(abs(a), abs(b))
    return bool(a != b)


def _disagree(kind: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    return any(_figures_differ(a.get(k), b.get(k)) for k in VALUE_FIELDS[kind])


def _merge_actors(members: list[Fact]) -> dict[str, Any]:
    actors: dict[str, Any] = {}
    for member in members:
        for role, who in (member.fields.get("actors") or {}).items():
            if role not in actors or len(_as_set(who)) > len(_as_set(actors[role])):
                actors[role] = who  # the fullest list of suppliers
    return actors


def same_fact(a: Fact, b: Fact, families: Mapping[str, str] | None = None) -> bool:
    """Whether ``a`` and ``b`` state the same fact (figures may still disagree)."""
    if _family(a.kind) != _family(b.kind) or not _identity(a.fields, b.fields, families):
        return False
    statuses = {a.fields.get("status"), b.fields.get("status")}
    if "denied" in statuses and len(statuses) > 1:
        return False
    if not _dates_agree(a.fields, b.fields):
        return False
    same_file = {s.file for s in a.sources} & {s.file for s in b.sources}
    return not (same_file and _disagree(a.kind, a.fields, b.fields))


def _conflicts(kind: str, members: list[Fact]) -> dict[str, list[dict[str, Any]]]:
    conflicts: dict[str, list[dict[str, Any]]] = {}
    for key in VALUE_FIELDS[kind]:
        stated = [(i, m.fields.get(key), m) for i, m in enumerate(members)]
        values = [v for _, v, _ in stated if v is not None]
        if not any(_figures_differ(values[0], v) for v in values[1:]):
            continue
        entries = []
        for i, value, member in stated:
            if value is None:
                continue
            entry: dict[str, Any] = {"value": value, "source": i}
            qualifier = _QUALIFIER_OF.get(key)
            if qualifier and member.fields.get(qualifier):
                entry["qualifier"] = member.fields[qualifier]
            entries.append(entry)
        conflicts[key] = entries
    for figure, qualifier in _QUALIFIER_OF.items():
        stating = [(i, m) for i, m in enumerate(members) if m.fields.get(figure) is not None]
        hedges = {m.fields.get(qualifier) for _, m in stating}
        if figure in VALUE_FIELDS[kind] and len(hedges) > 1:
            conflicts[qualifier] = [
                {"value": m.fields.get(qualifier), "source": i} for i, m in stating
            ]
    return conflicts


def _combine(members: list[Fact]) -> Fact:
    if len(members) == 1:
        return members[0]
    fields = dict(members[0].fields)
    tied = {c for companions in _COMPANIONS.values() for c in companions}
    for key, companions in _COMPANIONS.items():
        group = (key, *companions)
        stated = [m for m in members if m.fields.get(key) is not None]
        if stated and stated[0] is not members[0]:
            fields.update({k: stated[0].fields.get(k) for k in group if k in stated[0].fields})
    for member in members[1:]:
        for key, value in member.fields.items():
            if key in tied or key in _COMPANIONS:
                continue
            if fields.get(key) in (None, [], "") and value not in (None, [], ""):
                fields[key] = value
    fields["actors"] = _merge_actors(members)
    conflicts = _conflicts(members[0].kind, members)
    confidence = max(m.confidence for m in members) + 0.05 * (len(members) - 1)
    if conflicts:
        confidence -= 0.1
    return Fact(
        kind=members[0].kind,
        fields=fields,
        sources=[s for m in members for s in m.sources],
        confidence=min(confidence, 0.99),
        id=members[0].id,
        conflicts=conflicts,
    )


def _actor_ids(fact: Fact) -> set[Any]:
    ids: set[Any] = set()
    for who in (fact.fields.get("actors") or {}).values():
        ids.update(who if isinstance(who, list) else [who])
    return ids or {None}


class _Said:
    """What facts say of the two things most candidates disagree on, the actors and the
    item: gathered over the members of a cluster that a new fact is compared with.

    Values that cannot be hashed are not gathered; a fact with one is ``unknown``, and
    it and its cluster are then compared in full.
    """

    __slots__ = ("items", "listed", "roles", "suppliers", "unknown")

    def __init__(self) -> None:
        self.roles: dict[str, set[Any]] = {}  # role but supplier -> the actors named in it
        self.suppliers: dict[Any, set[Any]] = {}  # the suppliers named: key -> as a set
        self.listed = False  # a list of suppliers among them
        self.items: set[Any] = set()  # the items named
        self.unknown = False

    @classmethod
    def of(cls, fact: Fact) -> _Said:
        said = cls()
        try:
            for role, who in (fact.fields.get("actors") or {}).items():
                if role == "supplier":
                    said.suppliers[_key(who)] = _as_set(who)
                    said.listed = isinstance(who, list)
                else:
                    said.roles[role] = {_key(who)}
            if fact.fields.get("item") is not None:
                said.items.add(fact.fields["item"])
        except TypeError:  # unhashable
            said.unknown = True
        return said

    def add(self, other: _Said) -> None:
        for role, named in other.roles.items():
            self.roles.setdefault(role, set()).update(named)
        self.suppliers.update(other.suppliers)
        self.listed = self.listed or other.listed
        self.items.update(other.items)
        self.unknown = self.unknown or other.unknown

    def excludes(self, fact: _Said, items_agree: _ItemsAgree) -> bool:
        """Whether a member gathered here is surely not the same fact as ``fact`` (names
        another actor in a role ``fact`` names, another supplier with neither holding
        the other, or an item that does not agree): :func:`same_fact` would say no."""
        if self.unknown or fact.unknown:
            return False
        for role, named in fact.roles.items():
            here = self.roles.get(role)
            if here and (len(here) > 1 or not here >= named):
                return True
        for key, who in fact.suppliers.items():
            for other_key, other in self.suppliers.items():
                if other_key != key and not (who <= other or other <= who):
                    return True
        return any(not items_agree(mine, item) for item in fact.items for mine in self.items)


class _ItemsAgree:
    """:func:`_items_agree` of two items, remembered (few items, many comparisons)."""

    def __init__(self, families: Mapping[str, str] | None) -> None:
        self.families = families
        self.known: dict[tuple[Any, Any], bool] = {}

    def __call__(self, a: Any, b: Any) -> bool:
        agree = self.known.get((a, b))
        if agree is None:
            agree = self.known[(a, b)] = _items_agree(a, b, self.families)
        return agree


_NONE: frozenset[int] = frozenset()


class _Compared:
    """For each cluster, what the members a new fact is compared with say (all of them;
    past :data:`_FULL_COMPARE`, the first alone), and sets of clusters by role that
    set aside, a whole block at a time, those that name another actor in a role.

    A cluster is set aside for a fact only when one of those members names, in a role
    the fact names too, an actor other than the fact's (for suppliers: when none of
    them is a list, so that neither can hold the other). :func:`same_fact` of that
    member and the fact is then false, so the cluster would not have been chosen, and
    the merge's choices are those of comparing every candidate.
    """

    def __init__(self) -> None:
        self.said: list[_Said] = []
        self.naming: dict[str, set[int]] = defaultdict(set)  # role -> clusters naming it
        # (role, actor) -> clusters whose members all name that actor in that role
        self.only: dict[tuple[str, Any], set[int]] = defaultdict(set)
        self.listed: set[int] = set()  # clusters naming a list of suppliers

    def _file(self, index: int, said: _Said, *, remove: bool = False) -> None:
        if said.unknown:
            return  # in no set: never set aside
        keep = set.discard if remove else set.add
        roles: list[tuple[str, Collection[Any]]] = [*said.roles.items()]
        roles.append(("supplier", said.suppliers.keys()))
        for role, named in roles:
            if named:
                keep(self.naming[role], index)
            if len(named) == 1:
                keep(self.only[(role, next(iter(named)))], index)
        if said.listed:
            keep(self.listed, index)

    def joined(self, index: int, cluster: list[Fact], fact: _Said) -> None:
        """Note that ``fact`` (said) has joined ``cluster`` (or started it)."""
        if len(cluster) == 1:
            self.said.append(_Said())
        elif len(cluster) > _FULL_COMPARE + 1:
            return  # compared by its first fact, which is filed
        said = self.said[index]
        self._file(index, said, remove=True)
        if len(cluster) <= _FULL_COMPARE:
            said.add(fact)
        else:  # from now on compared by its first fact
            said = self.said[index] = _Said.of(cluster[0])
        self._file(index, said)

    def narrow(self, candidates: set[int], fact: _Said) -> set[int]:
        """The candidates less those set aside for ``fact``."""
        if fact.unknown:
            return candidates
        roles: list[tuple[str, Collection[Any]]] = [*fact.roles.items()]
        if fact.suppliers and not fact.listed:
            roles.append(("supplier", fact.suppliers.keys()))
        for role, named in roles:
            (key,) = named
            kept = candidates & self.only.get((role, key), _NONE)
            if role == "supplier":
                kept |= candidates & self.listed
            candidates = (candidates - self.naming.get(role, _NONE)) | kept
        return candidates


class Merger:
    """Facts merged one by one as they come, in order (the reading of later files may
    still be going on); :meth:`merged` combines each group.

    Facts are blocked by kind, each of their actors, and year: a fact is compared only
    with the clusters that share its kind, one of its actors, and its year (or have none);
    a fact without a year, with every cluster of its kind and actors. Of those, a
    cluster one of whose compared members names another actor in a role the fact names
    too, or an item that does not agree with the fact's, is passed over without
    comparing (most candidates: a block shares one actor, the others differ).
    """

    def __init__(self, families: Mapping[str, str] | None = None) -> None:
        self.families = families
        self.clusters: list[list[Fact]] = []
        self.compared = _Compared()
        self.items_agree = _ItemsAgree(families)
        self.blocks: dict[tuple[Any, ...], set[int]] = defaultdict(set)
        self.by_actor: dict[tuple[Any, ...], set[int]] = defaultdict(set)

    def add(self, fact: Fact) -> None:
        """Put ``fact`` in the first group (of those it may be) it is the same fact as,
        or in a group of its own."""
        clusters, blocks, by_actor = self.clusters, self.blocks, self.by_actor
        family, year = _family(fact.kind), fact.fields.get("year")
        heads = [(family, actor) for actor in _actor_ids(fact)]
        candidates: set[int] = set()
        for head in heads:
            if year is None:
                candidates.update(by_actor[head])
            else:
                candidates.update(blocks[(*head, year)], blocks[(*head, None)])
        said = _Said.of(fact)
        chosen = None
        ranked = sorted(self.compared.narrow(candidates, said))
        if year is None:
            # of the events it may be (a fact with no year may be any year's), the one
            # whose figures are nearest; the first seen of equals
            ranked.sort(key=lambda i: _figure_gap(clusters[i][0].fields, fact.fields))
        for index in ranked:
            if self.compared.said[index].excludes(said, self.items_agree):
                continue  # a member is surely another fact: same_fact would say no
            cluster = clusters[index]
            members = cluster if len(cluster) <= _FULL_COMPARE else cluster[:1]
            if all(same_fact(member, fact, self.families) for member in members):
                chosen = index
                break
        if chosen is None:
            chosen = len(clusters)
            clusters.append([fact])
        else:
            clusters[chosen].append(fact)
        self.compared.joined(chosen, clusters[chosen], said)
        for head in heads:
            by_actor[head].add(chosen)
            blocks[(*head, year)].add(chosen)

    def merged(self) -> list[Fact]:
        """One fact for each group, in first-seen order."""
        merged = [_combine(cluster) for cluster in self.clusters]
        new_id = {member.id: fact.id for cluster, fact in zip(self.clusters, merged, strict=True)
                  for member in cluster}  # fmt: skip
        for fact in merged:  # a call-off names its framework as merged
            if fact.fields.get("part_of") in new_id:
                fact.fields["part_of"] = new_id[fact.fields["part_of"]]
        return merged


def merge_facts(facts: list[Fact], families: Mapping[str, str] | None = None) -> list[Fact]:
    """Group facts that are the same, in first-seen order; combine each group (see
    :class:`Merger`).

    ``families`` maps an item to the broader item it belongs to (``gem-t`` → ``patriot``).
    """
    merger = Merger(families)
    for fact in facts:
        merger.add(fact)
    return merger.merged()
