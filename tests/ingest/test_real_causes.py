"""Causes of misses and false facts found on the real tuning articles (issue 27), each
with a short sentence written for this test (not taken from any article) and the fact it
must give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from materiel.ingest import Fact, ingest

HEAD = "Title line\n\nBy A. Reporter | 10 July 2024\n\n"


def _facts(tmp_path: Path, text: str, head: str = HEAD) -> list[Fact]:
    path = tmp_path / "a.txt"
    path.write_text(head + text + "\n", encoding="utf-8")
    return ingest([path], merge=False).facts


def _one(facts: list[Fact], kind: str, **expected: Any) -> Fact:
    found = [
        f
        for f in facts
        if f.kind == kind and all(f.fields.get(k) == v for k, v in expected.items())
    ]
    assert len(found) == 1, [(f.kind, f.fields) for f in facts]
    return found[0]


def test_firms_listed_together_are_all_suppliers(tmp_path: Path) -> None:
    text = "Belgium signed contracts worth €400 million with Nexter Munitions and Junghans "
    text += "Defence for 155mm shells."
    fact = _one(_facts(tmp_path, text), "contract", value=4e8)
    assert fact.fields["actors"]["supplier"] == ["KNDS", "JUNGHANS"]


def test_firms_named_in_the_next_sentence_are_all_suppliers(tmp_path: Path) -> None:
    text = "Spain has signed a €90 million contract for 155mm shells. The order went to "
    text += "Patria, Kongsberg and Saab."
    fact = _one(_facts(tmp_path, text), "contract", value=9e7)
    assert fact.fields["actors"]["supplier"] == ["PATRIA", "KONGSBERG", "SAAB"]


def test_aid_announced_by_a_person_is_given_by_the_article_s_country(tmp_path: Path) -> None:
    text = "Norway will keep backing Kyiv, Norway's parliament said on Monday. "
    text += "Finance chief Jens Holm announced a NOK 2 billion loan to Ukraine."
    _one(_facts(tmp_path, text), "aid", actors={"donor": "NOR", "recipient": "UKR"}, value=2e9)


def test_a_range_of_counts_gives_its_low_end(tmp_path: Path) -> None:
    text = "Thales says it can turn out 3,000–4,000 missiles a year by 2027."
    facts = _facts(tmp_path, text)
    _one(facts, "capacity_plan", actors={"producer": "THALES"}, quantity=3000, year=2027)


def test_a_count_joined_to_its_noun_before_a_goal_is_a_capacity(tmp_path: Path) -> None:
    text = "Saab is hiring staff. The firm hopes to meet its 2,400-missile goal soon."
    _one(_facts(tmp_path, text), "capacity_plan", actors={"producer": "SAAB"}, quantity=2400)


def test_an_earlier_contract_of_its_own_buyer_is_no_joint_purchase(tmp_path: Path) -> None:
    text = "NSPA signed a €300 million contract for Mistral missiles for Belgium and Spain. "
    text += "The previous contract for Mistral missiles was placed in 2021 when France ordered "
    text += "€200 million worth of them from MBDA."
    facts = _facts(tmp_path, text)
    _one(facts, "contract", actors={"buyer": "FRA", "supplier": "MBDA"}, value=2e8)


def test_small_arms_and_small_calibre_rounds_are_items(tmp_path: Path) -> None:
    text = "Italy placed a €12 million order with Leonardo for small arms munitions. "
    text += "Nammo makes 300,000 small-caliber rounds a week at one plant."
    facts = _facts(tmp_path, text)
    _one(facts, "contract", item="small-arms", value=1.2e7)
    _one(facts, "capacity_plan", item="small-calibre", quantity=300000)


def test_another_maker_s_goal_does_not_take_the_item_before_it(tmp_path: Path) -> None:
    text = "Nammo makes 300,000 small-caliber rounds a week at one plant. "
    text += "The group Saab hopes to meet its 2,400-missile goal soon."
    fact = _one(_facts(tmp_path, text), "capacity_plan", quantity=2400)
    assert fact.fields["actors"] == {"producer": "SAAB"}
    assert fact.fields.get("item") is None


def test_the_maker_of_an_output_is_the_country_in_its_clause(tmp_path: Path) -> None:
    text = "When Finland joined NATO in 2023, Sweden produced about 2,000 shells a month."
    fact = _one(_facts(tmp_path, text), "capacity_plan", quantity=2000)
    assert fact.fields["actors"] == {"producer": "SWE"}


def test_a_stop_without_a_space_ends_a_sentence(tmp_path: Path) -> None:
    text = "Kongsberg has sold out.Finland now produces 4,000 rounds a month."
    fact = _one(_facts(tmp_path, text), "capacity_plan", quantity=4000)
    assert fact.fields["actors"] == {"producer": "FIN"}


def test_a_passive_verb_of_making_between_count_and_period(tmp_path: Path) -> None:
    text = "Under the plan, 5,000 rounds will be produced each month by Nammo."
    facts = _facts(tmp_path, text)
    _one(facts, "capacity_plan", actors={"producer": "NAMMO"}, quantity=5000,
         quantity_unit="rounds per month", status="planned")  # fmt: skip


def test_the_buyer_of_the_next_contract_of_the_same_firm(tmp_path: Path) -> None:
    text = "Saab said it was awarded a $50 million task order for Carl-Gustaf ammunition. "
    text += "The task order falls under a $400 million Swedish Army contract awarded to Saab."
    facts = _facts(tmp_path, text)
    _one(facts, "contract", actors={"buyer": "SWE", "supplier": "SAAB"}, value=5e7)


def test_an_order_named_without_figures_takes_those_of_the_next_sentence(
    tmp_path: Path,
) -> None:
    text = "Norway has placed an order for NASAMS with Kongsberg. As part of a NOK 2 billion "
    text += "contract, Kongsberg will deliver the systems within two years."
    facts = _facts(tmp_path, text)
    _one(facts, "contract", actors={"buyer": "NOR", "supplier": "KONGSBERG"}, item="nasams",
         value=2e9)  # fmt: skip
