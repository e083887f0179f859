"""Merging the same fact across articles: every source kept, conflicts kept side by side."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from materiel.ingest.merge import merge_facts
from materiel.ingest.model import Fact, Source


def _fact(file: str, start: int = 0, **fields: Any) -> Fact:
    actors = {"buyer": fields.pop("buyer", "USA"), "supplier": fields.pop("supplier", "RTX")}
    base: dict[str, Any] = {"actors": actors, "item": "stinger"}
    base.update(fields)
    return Fact("contract", base, [Source(file, start, start + 10, f"sentence in {file}")], 0.8)


def test_same_figures_merge_without_conflict() -> None:
    merged = merge_facts([_fact("a.txt", value=1.2e9), _fact("b.txt", value=1.2e9)])
    assert len(merged) == 1
    assert [s.file for s in merged[0].sources] == ["a.txt", "b.txt"]
    assert not merged[0].conflicting
    assert merged[0].confidence > 0.8


def test_disagreeing_figures_kept_with_sources_never_averaged() -> None:
    merged = merge_facts(
        [
            _fact("a.txt", value=1.2e9, value_qualifier="about", currency="USD"),
            _fact("b.txt", value=1.15e9, currency="USD"),
        ]
    )
    (fact,) = merged
    assert fact.conflicting
    assert fact.conflicts["value"] == [
        {"value": 1.2e9, "source": 0, "qualifier": "about"},
        {"value": 1.15e9, "source": 1},
    ]
    assert fact.fields["value"] == 1.2e9  # the first source's figure, not a mean
    assert fact.fields["value_qualifier"] == "about"
    assert fact.confidence < 0.8 + 0.05


def test_rounding_is_not_a_conflict() -> None:
    (fact,) = merge_facts([_fact("a.txt", value=1.2e9), _fact("b.txt", value=1.201e9)])
    assert not fact.conflicting


def test_different_hedges_are_recorded() -> None:
    (fact,) = merge_facts(
        [_fact("a.txt", value=5e9), _fact("b.txt", value=5e9, value_qualifier="nearly")]
    )
    assert fact.conflicts == {
        "value_qualifier": [{"value": None, "source": 0}, {"value": "nearly", "source": 1}]
    }


def test_missing_figure_filled_from_another_source_with_its_qualifier() -> None:
    (fact,) = merge_facts(
        [_fact("a.txt"), _fact("b.txt", value=3e8, value_qualifier="roughly", currency="USD")]
    )
    assert (fact.fields["value"], fact.fields["value_qualifier"]) == (3e8, "roughly")
    assert not fact.conflicting


def test_different_contracts_stay_apart() -> None:
    facts = [
        _fact("a.txt", value=1e9),
        _fact("b.txt", value=1e9, supplier="LMT"),
        _fact("c.txt", value=1e9, buyer="DEU"),
        _fact("d.txt", value=1e9, date="2024-01-01"),
        _fact("e.txt", value=1e9, date="2024-06-01"),
    ]
    assert len(merge_facts(facts)) == 4  # a+d merge; e is months away from d


def test_within_one_article_only_agreeing_statements_merge() -> None:
    same = merge_facts([_fact("a.txt", 0, value=1e9), _fact("a.txt", 50, value=1e9)])
    assert len(same) == 1
    apart = merge_facts([_fact("a.txt", 0, value=1e9), _fact("a.txt", 50, value=3e8)])
    assert len(apart) == 2


def test_spending_needs_same_ally_and_year() -> None:
    def spending(file: str, kind: str = "spending", **fields: Any) -> Fact:
        base = {"actors": {"ally": "DEU"}, "year": 2024, "share_of_gdp": 2.12}
        base.update(fields)
        return Fact(kind, base, [Source(file, 0, 5, "s")], 0.9)

    merged = merge_facts(
        [
            spending("a"),
            spending("b", share_of_gdp=2.1),
            spending("c", year=2025),
            spending("d", kind="pledge"),
        ]
    )
    assert len(merged) == 3
    assert merged[0].conflicts["share_of_gdp"] == [
        {"value": 2.12, "source": 0},
        {"value": 2.1, "source": 1},
    ]


def test_a_fact_with_no_year_joins_the_event_whose_figures_are_nearest() -> None:
    # Poland's 4.12 % of 2024, then its 4.48 % of 2025 (another article), then an
    # undated 4.48 %: both years are within the figure ratio, the 2025 event is the
    # one it reports, not the first seen.
    merged = merge_facts(
        [
            _fact("a.txt", buyer="POL", share_of_gdp=4.12, year=2024),
            _fact("b.txt", buyer="POL", share_of_gdp=4.48, year=2025),
            _fact("c.txt", buyer="POL", share_of_gdp=4.48),
        ]
    )
    assert [sorted(s.file for s in f.sources) for f in merged] == [
        ["a.txt"],
        ["b.txt", "c.txt"],
    ]


# Merging sets aside, before comparing, the clusters a fact cannot join (another actor
# in a role both name, an item that does not agree). The cases below would be set aside
# by a key that asked more than same_fact does: each must still merge.


def _said(file: str, year: int = 2024, **fields: Any) -> Fact:
    """A contract of 2024 with exactly the actors given (roles left out are unknown)."""
    actors = {role: fields.pop(role) for role in ("buyer", "supplier") if role in fields}
    base: dict[str, Any] = {"actors": actors, "year": year, **fields}
    return Fact("contract", base, [Source(file, 0, 10, f"sentence in {file}")], 0.8)


def _groups(facts: list[Fact]) -> list[list[str]]:
    return [[s.file for s in fact.sources] for fact in merge_facts(facts, _FAMILIES)]


_FAMILIES = {"gem-t": "patriot", "pac-3-mse": "patriot"}


def test_a_role_named_on_one_side_only_is_no_disagreement() -> None:
    # b names no buyer: it is a's contract and c's (c names no supplier), not d's
    facts = [
        _said("a", buyer="DEU", supplier="RHM"),
        _said("b", supplier="RHM"),
        _said("c", buyer="DEU"),
        _said("d", buyer="POL", supplier="RHM"),
    ]
    assert _groups(facts) == [["a", "b", "c"], ["d"]]


def test_a_firm_alone_and_with_others_are_the_same_suppliers_either_way() -> None:
    facts = [
        _said("a", buyer="DEU", supplier="Nexter"),
        _said("b", buyer="DEU", supplier=["Junghans", "Nexter"]),
        _said("c", buyer="FRA", supplier=["Junghans", "Nexter"]),
        _said("d", buyer="FRA", supplier="Junghans"),
        _said("e", buyer="DEU", supplier="Junghans"),  # not a's Nexter
    ]
    assert _groups(facts) == [["a", "b"], ["c", "d"], ["e"]]


def test_an_item_and_its_family_or_no_item_agree() -> None:
    facts = [
        _said("a", buyer="DEU", supplier="RTX", item="gem-t"),
        _said("b", buyer="DEU", supplier="RTX", item="patriot"),
        _said("c", buyer="DEU", supplier="RTX"),
        _said("d", buyer="DEU", supplier="RTX", item="pac-3-mse"),  # both Patriot's
        _said("e", buyer="DEU", supplier="RTX", item="stinger"),
    ]
    assert _groups(facts) == [["a", "b", "c", "d"], ["e"]]


def test_past_twenty_members_a_cluster_is_compared_by_its_first_alone() -> None:
    # the first names no item, the others 155 mm: a Stinger order disagrees with them,
    # so it is another fact while they are compared, and joins once only the first is
    first = _said("f0", buyer="DEU", supplier="RHM")
    rest = [_said(f"f{i}", buyer="DEU", supplier="RHM", item="155mm") for i in range(1, 21)]
    stinger = _said("s", buyer="DEU", supplier="RHM", item="stinger")
    assert len(merge_facts([first, *rest[:19], stinger])) == 2
    (one,) = merge_facts([first, *rest, stinger])
    assert [s.file for s in one.sources][-2:] == ["f20", "s"]


def test_setting_aside_changes_no_choice(
    monkeypatch: pytest.MonkeyPatch, corpus_files: list[Path], gazetteer: Any
) -> None:
    """The corpus's facts and the cases above, merged with and without setting aside
    (every candidate compared by same_fact): the same facts, byte for byte."""
    from materiel.ingest import merge
    from materiel.ingest.pipeline import ingest

    facts = ingest(corpus_files, merge=False).facts
    for i, actors in enumerate(
        [{"buyer": "DEU", "supplier": "RHM"}, {"supplier": "RHM", "item": "155mm"},
         {"buyer": "DEU", "supplier": ["KNDS", "RHM"]}, {"buyer": "DEU", "item": "155mm"},
         {"buyer": "DEU", "supplier": "KNDS"}, {"item": "artillery-shells"}]
    ):  # fmt: skip
        facts.append(_said(f"n{i}", **actors))
    random.Random(27).shuffle(facts)
    families = {ident: entry.extra["family"] for (kind, ident), entry in gazetteer.entries.items()
                if kind == "item" and entry.extra.get("family")}  # fmt: skip
    quick = [f.to_dict() for f in merge_facts(copy.deepcopy(facts), families)]
    monkeypatch.setattr(merge._Compared, "narrow", lambda self, candidates, fact: candidates)
    monkeypatch.setattr(merge._Said, "excludes", lambda self, fact, items_agree: False)
    full = [f.to_dict() for f in merge_facts(copy.deepcopy(facts), families)]
    assert len(quick) < len(facts)  # some merged
    assert json.dumps(quick) == json.dumps(full)
