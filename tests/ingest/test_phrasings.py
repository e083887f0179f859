"""Each kind of phrasing issue 27 lists under "What it misses on unseen text", as a short
sentence written for this test (not taken from any article), with the fact it must give:
kind, actors, figures, unit, year and status. A few decoys next to them must give none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from materiel.ingest import Fact, ingest
from materiel.ingest.money import find_money, find_quantities
from materiel.ingest.rates import find_rates, plural

HEAD = "Title line\n\nBy A. Reporter | 10 July 2024\n\n"


def _facts(tmp_path: Path, text: str, name: str = "a.txt", head: str = HEAD) -> list[Fact]:
    path = tmp_path / name
    path.write_text(head + text + "\n", encoding="utf-8")
    return ingest([path], merge=False).facts


def _matching(facts: list[Fact], kind: str, **expected: Any) -> list[Fact]:
    """The facts of ``kind`` whose fields hold every expected value (None: field absent)."""
    return [
        f
        for f in facts
        if f.kind == kind and all(f.fields.get(k) == v for k, v in expected.items())
    ]


def _one(facts: list[Fact], kind: str, **expected: Any) -> Fact:
    found = _matching(facts, kind, **expected)
    assert len(found) == 1, [(f.kind, f.fields) for f in facts]
    return found[0]


# -- production rates and goals -> capacity_plan ---------------------------------------

RATES = [
    (
        "Nammo is now producing about 40,000 rounds a month at its plant in Raufoss.",
        {
            "actors": {"producer": "NAMMO"},
            "quantity": 40000,
            "quantity_unit": "rounds per month",
            "quantity_qualifier": "about",
            "year": 2024,
            "status": "estimate",
        },
    ),
    (
        "Rheinmetall forges roughly 36,000 projectiles a month at Unterlüß.",
        {
            "actors": {"producer": "RHM"},
            "quantity": 36000,
            "quantity_unit": "projectiles per month",
            "quantity_qualifier": "about",
            "year": 2024,
            "status": "estimate",
        },
    ),
    (
        "MBDA has set a target of 650 missiles a year by 2027.",
        {
            "actors": {"producer": "MBDA"},
            "quantity": 650,
            "quantity_unit": "missiles per year",
            "year": 2027,
            "status": "planned",
        },
    ),
    (
        "Kongsberg says missile output could go as high as 750 a year by 2028.",
        {
            "actors": {"producer": "KONGSBERG"},
            "quantity": 750,
            "quantity_unit": "missiles per year",
            "quantity_qualifier": "up to",
            "year": 2028,
            "status": "planned",
        },
    ),
    (
        "Before the invasion, Mesko's monthly output of shells stood at 14,400.",
        {
            "actors": {"producer": "PGZ"},
            "quantity": 14400,
            "quantity_unit": "shells per month",
            "year": None,
            "status": "estimate",
        },
    ),
    (
        "Ukraine now turns out 4,000 drones annually.",
        {
            "actors": {"producer": "UKR"},
            "quantity": 4000,
            "quantity_unit": "drones per year",
            "year": 2024,
            "status": "estimate",
        },
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), RATES)
def test_output_rates_and_goals_are_capacity_facts(
    tmp_path: Path, sentence: str, expected: dict[str, Any]
) -> None:
    _one(_facts(tmp_path, sentence), "capacity_plan", **expected)


def test_two_amounts_joined_by_and_are_not_a_range() -> None:
    found = [(m.value, m.low, m.high, m.currency) for m in find_money("£2.26bn and C$5bn")]
    assert found == [(2.26e9, None, None, "GBP"), (5e9, None, None, "CAD")]
    for text in ("between $6.5 and $7.2 billion", "€1.2 and 1.5 billion"):
        (money,) = find_money(text)
        assert money.value is None and money.low is not None and money.high is not None


def test_rate_parser_reads_counts_bare_numbers_and_period_words() -> None:
    text = "It makes 40,000 rounds a month, could reach 750 a year and monthly output stood at 900."
    found = find_rates(text, find_quantities(text, []))
    assert [(r.value, r.unit, r.per) for r in found] == [
        (40000, "rounds", "month"),
        (750, None, "year"),
        (900, None, "month"),
    ]
    assert find_rates("It was founded in 2019 a year after the war.", []) == []
    assert find_rates("Up from 100,000 a year earlier, and 400 more in a year's time.", []) == []
    assert plural("missile") == "missiles" and plural("factory") == "factories"
    assert plural("aircraft") == "aircraft"


def test_each_rate_read_in_its_own_clause(tmp_path: Path) -> None:
    text = "KNDS builds around 6 Caesar howitzers a month and aims for 12 a month by 2026."
    facts = _facts(tmp_path, text)
    unit = "Caesar howitzers per month"
    common = {"actors": {"producer": "KNDS"}, "item": "caesar", "quantity_unit": unit}
    _one(facts, "capacity_plan", quantity=6, year=2024, status="estimate", **common)
    _one(facts, "capacity_plan", quantity=12, year=2026, status="planned", **common)
    text = "Ukraine's forces use 6,000 rounds a day, but EU production is about 1 million a year."
    facts = _facts(tmp_path, text)
    _one(facts, "capacity_plan", actors={"producer": "EU"}, quantity=1e6, status="estimate")
    assert len(facts) == 1  # the rounds used a day are not an output


@pytest.mark.parametrize(
    "decoy",
    [
        "Russian forces fire about 10,000 shells a day along the front.",
        "Rheinmetall shares rose 4% to €1,500 a share on Tuesday.",
        "About 1,200 soldiers a day were killed or wounded in the spring, officials said.",
        "Ukraine needs some 200,000 shells a month, its defence minister said.",
        "Europe fires around 2,000 shells a day, while Russia fires 10,000.",
        "Rheinmetall shares traded at €1,600, up 4% on the day, giving a market value of €70bn.",
        "Germany is giving its troops a pay rise of €1.2bn a year.",
        "Rheinmetall's sales rose to €9.8 billion last year as orders for shells grew.",
    ],
)
def test_decoys_give_no_fact(tmp_path: Path, decoy: str) -> None:
    assert _facts(tmp_path, decoy) == []


# -- contracts phrased as awards, joint purchases named indirectly ----------------------

_NSPA_ORDER = "Portugal is one of four countries in a €300 million order for Mistral missiles "
CONTRACTS = [
    ("The US Army handed Lockheed Martin a multiyear award worth $9.8 billion for PAC-3 MSE "
     "interceptors.",
     "contract", {"actors": {"buyer": "USA", "supplier": "LMT"}, "item": "pac-3-mse",
                  "value": 9.8e9, "currency": "USD", "year": 2024, "status": "signed"}),
    ("The Pentagon placed a $5.3 billion multiyear award with Raytheon for AMRAAM missiles.",
     "contract", {"actors": {"buyer": "USA", "supplier": "RTX"}, "item": "amraam",
                  "value": 5.3e9, "currency": "USD", "year": 2024, "status": "signed"}),
    ("The US Army gave Raytheon a $1.2 billion order for 1,700 Stinger missiles to refill "
     "stocks sent to Ukraine.",
     "contract", {"actors": {"buyer": "USA", "supplier": "RTX"}, "item": "stinger",
                  "quantity": 1700, "value": 1.2e9, "status": "signed"}),
    ("Germany plans to buy up to 7,000 long-range weapons.",
     "contract", {"actors": {"buyer": "DEU"}, "quantity": 7000,
                  "quantity_unit": "long-range weapons", "quantity_qualifier": "up to",
                  "year": 2024, "status": "planned"}),
    (_NSPA_ORDER + "placed through NATO's procurement agency in January.",
     "joint_procurement", {"actors": {"buyer": "NSPA", "ally": "PRT"}, "item": "mistral",
                           "value": 3e8, "currency": "EUR", "year": 2024, "status": "signed"}),
    ("Latvia and Lithuania concluded two multinational framework contracts with Saab worth "
     "SEK 1.2 billion for Carl-Gustaf ammunition.",
     "joint_procurement", {"actors": {"ally": ["LVA", "LTU"], "supplier": "SAAB"},
                           "item": "carl-gustaf", "value": 1.2e9, "currency": "SEK",
                           "contract_type": "framework", "year": 2024, "status": "signed"}),
    ("Spain, Italy and Greece agreed to jointly purchase up to 1,000 Aster missiles.",
     "joint_procurement", {"actors": {"ally": ["ESP", "ITA", "GRC"]}, "item": "aster",
                           "quantity": 1000, "quantity_qualifier": "up to", "year": 2024,
                           "status": "planned"}),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "kind", "expected"), CONTRACTS)
def test_awards_and_joint_purchases(
    tmp_path: Path, sentence: str, kind: str, expected: dict[str, Any]
) -> None:
    _one(_facts(tmp_path, sentence), kind, **expected)


HEADLINES = [
    ("NSPA signs $647 million contract for 155mm ammunition", "joint_procurement",
     {"actors": {"buyer": "NSPA"}, "item": "155mm", "value": 6.47e8, "currency": "USD"}),
    ("Rheinmetall wins €8.5bn German order for 155mm shells", "contract",
     {"actors": {"buyer": "DEU", "supplier": "RHM"}, "item": "155mm", "value": 8.5e9}),
    ("Saab gets SEK 5.2 billion Swedish contract for Carl-Gustaf ammunition", "contract",
     {"actors": {"buyer": "SWE", "supplier": "SAAB"}, "item": "carl-gustaf", "value": 5.2e9}),
]  # fmt: skip


@pytest.mark.parametrize(("headline", "kind", "expected"), HEADLINES)
def test_headlines(tmp_path: Path, headline: str, kind: str, expected: dict[str, Any]) -> None:
    head = headline + "\n\nBy A. Reporter | 10 July 2024\n\n"
    facts = _facts(tmp_path, "The statement gave no more detail.", head=head)
    _one(facts, kind, year=2024, status="signed", **expected)


def test_joining_the_order_named_before(tmp_path: Path) -> None:
    text = ("NSPA ordered 1,000 Mistral missiles from MBDA for €300 million in January. "
            "Portugal is one of four countries in the order placed through NATO's procurement "
            "agency.")  # fmt: skip
    fact = _one(_facts(tmp_path, text), "joint_procurement", item="mistral", quantity=1000)
    assert fact.fields["actors"] == {"buyer": "NSPA", "supplier": "MBDA", "ally": "PRT"}
    assert len(fact.sources) == 2


# -- funding initiatives as aid -------------------------------------------------------


def test_money_put_up_for_rounds_with_its_parts(tmp_path: Path) -> None:
    text = ("Denmark and the Netherlands have put up all the money needed to buy 800,000 rounds "
            "for Ukraine, made up of 500,000 of 155mm and 300,000 of 122mm.")  # fmt: skip
    facts = _facts(tmp_path, text)
    actors = {"donor": ["DNK", "NLD"], "recipient": "UKR"}
    common = {"actors": actors, "quantity_unit": "rounds", "aid_type": "military",
              "year": 2024, "status": "signed"}  # fmt: skip
    total = _one(facts, "aid", quantity=800000, item=None, part_of=None, **common)
    _one(facts, "aid", quantity=500000, item="155mm", part_of=total.id, **common)
    _one(facts, "aid", quantity=300000, item="122mm", part_of=total.id, **common)
    assert len(facts) == 3


LOANS = [("USA", 20e9, "USD"), ("EU", 18.1e9, "EUR"), ("GBR", 2.26e9, "GBP"), ("CAN", 5e9, "CAD")]


def test_one_sentence_of_loans_gives_a_fact_per_lender(tmp_path: Path) -> None:
    text = ("Under the G7 scheme, the United States is lending $20bn, the EU €18.1bn, the UK "
            "£2.26bn and Canada C$5bn to Ukraine.")  # fmt: skip
    facts = _facts(tmp_path, text)
    for donor, value, currency in LOANS:
        actors = {"donor": donor, "recipient": "UKR"}
        _one(facts, "aid", actors=actors, value=value, currency=currency, aid_type="financial",
             year=2024, status="signed")  # fmt: skip
    assert len(facts) == 4


def test_signed_off_on_at_least_for_a_year(tmp_path: Path) -> None:
    text = (
        "Norway's parliament signed off on at least NOK 35 billion in support for Ukraine for 2025."
    )
    _one(_facts(tmp_path, text), "aid", actors={"donor": "NOR", "recipient": "UKR"}, value=35e9,
         currency="NOK", value_qualifier="at least", year=2025, status="pledged")  # fmt: skip


def test_signed_off_by_the_minister_of_the_article_s_country(tmp_path: Path) -> None:
    text = ("Norway's support for Ukraine keeps growing. The government backs the Nansen "
            "programme for Ukraine. The minister signed off on at least NOK 35 billion for "
            "2025.")  # fmt: skip
    _one(_facts(tmp_path, text), "aid", actors={"donor": "NOR", "recipient": "UKR"}, value=35e9,
         year=2025, status="pledged")  # fmt: skip


# -- spending in tables and lists -----------------------------------------------------

MARKDOWN_TABLE = """Defence spending of three allies, as a share of GDP:

| Ally | 2014 | 2024 (est.) |
| --- | ---: | ---: |
| Poland | 1.86% | 4.12% |
| Estonia | 1.93% | 3.43% |
| Latvia | 0.94% | 3.15% |
| Rheinmetall share price | 100 | 550 |
"""

HTML_TABLE = """<html><head><title>Defence budgets</title></head><body><article>
<h1>Defence budgets</h1><p>By A. Reporter | 10 July 2024</p>
<p>The alliance published its estimates of members' defence spending on Wednesday.</p>
<table>
  <tr><th><p>Country</p></th><th>Spending<br>(US$ bn)</th><th>% of GDP</th>
      <th>Annual change (%)</th></tr>
  <tr><td>Greece</td><td>7.1</td><td>3.08</td><td>4.2</td></tr>
  <tr><td><p>Finland</p></td>
      <td>7.3</td><td>2.41</td><td>5.0</td></tr>
</table>
<p>Figures for 2024 are estimates.</p>
</article></body></html>
"""


def test_markdown_table_gives_a_fact_per_ally_and_year(tmp_path: Path) -> None:
    facts = _facts(tmp_path, MARKDOWN_TABLE, name="a.md")
    rows = {
        ("POL", 2014, 1.86),
        ("POL", 2024, 4.12),
        ("EST", 2014, 1.93),
        ("EST", 2024, 3.43),
        ("LVA", 2014, 0.94),
        ("LVA", 2024, 3.15),
    }
    spending = [f for f in facts if f.kind == "spending"]
    got = {
        (f.fields["actors"]["ally"], f.fields["year"], f.fields["share_of_gdp"]) for f in spending
    }
    assert got == rows and len(facts) == 6
    assert all(f.kind == "spending" and f.fields["status"] == "estimate" for f in facts)
    poland = _one(facts, "spending", share_of_gdp=4.12)
    assert poland.sentence.strip("| ") == "Poland | 1.86% | 4.12%"  # the row, its source


def test_html_table_read_as_a_table(tmp_path: Path) -> None:
    facts = _facts(tmp_path, HTML_TABLE, name="a.html", head="")
    for ally, value, share in (("GRC", 7.1e9, 3.08), ("FIN", 7.3e9, 2.41)):
        _one(
            facts,
            "spending",
            actors={"ally": ally},
            share_of_gdp=share,
            year=2024,
            status="estimate",
        )
        _one(
            facts,
            "spending",
            actors={"ally": ally},
            value=value,
            currency="USD",
            year=2024,
            status="estimate",
        )
    # one fact per ally and year, with its amount and its share (as the corpus gives
    # "outlays of $62.7 billion, equal to 2%"); the annual change is not a share of GDP
    assert len(facts) == 2


OTHER_TABLES = """Defence spending as a share of GDP (%), 2023 and 2024:

Rank | Country | 2023 | 2024
--- | --- | --- | ---
1 | Poland | 3.8 | 4.1
12 | NATO Europe and Canada | 1.8 | 2.0

Casualty estimates by country:

| Country | Soldiers lost a day |
| --- | --- |
| Ukraine | 12 |

Military aid to Ukraine by donor, € billion, 2024:

| Donor | Committed |
| --- | --- |
| Denmark | 7.2 |

Orders placed with NSPA in 2024:

| Country | Value (€ m) |
| --- | --- |
| Belgium | 310 |

Share prices this week:

| Company | Price (€) | Change |
| --- | --- | --- |
| Rheinmetall | 1,550 | +4% |
"""

CAPTION_TABLE = """<html><body><article><h1>Budgets</h1><p>By A. Reporter | 10 July 2024</p>
<figure class="wp-block-table"><table><caption>Defence budgets, € million, 2025</caption>
<tr><th>Country</th><th>Budget</th></tr>
<tr><td>Norway</td><td>9,100</td></tr>
</table></figure>
<figure><img src="a.jpg"><figcaption>Denmark spends 2.4% of GDP on defence.</figcaption></figure>
</article></body></html>
"""


def test_tables_without_outer_pipes_or_in_a_figure_with_a_caption(tmp_path: Path) -> None:
    facts = _facts(tmp_path, OTHER_TABLES, name="a.md")
    spending = [f for f in facts if f.kind == "spending"]
    got = {
        (f.fields["actors"]["ally"], f.fields["year"], f.fields["share_of_gdp"]) for f in spending
    }
    assert got == {("POL", 2023, 3.8), ("POL", 2024, 4.1), ("NATO Europe and Canada", 2023, 1.8),
                   ("NATO Europe and Canada", 2024, 2.0)}  # fmt: skip
    aid = _one(facts, "aid", actors={"donor": "DNK", "recipient": "UKR"}, value=7.2e9, year=2024)
    assert len(facts) == 5  # orders, casualties and share prices are not spending
    assert aid.fields["status"] == "pledged"
    facts = _facts(tmp_path, CAPTION_TABLE, name="b.html", head="")
    _one(facts, "spending", actors={"ally": "NOR"}, value=9.1e9, currency="EUR", year=2025,
         status="planned")  # fmt: skip
    assert len(facts) == 1  # a table in a figure is read, an image's caption is not


LISTS = [
    ("In 2023, eleven of the then 31 allies spent 2% or more of GDP on defence.",
     "spending", {"actors": {"ally": "NATO"}, "quantity": 11, "out_of": 31,
                  "share_of_gdp": 2.0, "year": 2023, "status": "estimate"}),
    ("This year's increase brings Canada's total defence outlays to C$62.7 billion, equal to "
     "2% of GDP.",
     "spending", {"actors": {"ally": "CAN"}, "value": 62.7e9, "currency": "CAD",
                  "share_of_gdp": 2.0, "year": 2024, "status": "estimate"}),
    ("Spain set itself a target of 5 per cent of GDP by 2035.",
     "pledge", {"actors": {"ally": "ESP"}, "share_of_gdp": 5.0, "year": 2035,
                "status": "pledged"}),
    # -- plans and totals
    ("Ukraine plans to acquire 850 modern aircraft over five years.",
     "contract", {"actors": {"buyer": "UKR"}, "quantity": 850,
                  "quantity_unit": "modern aircraft", "period": "over five years",
                  "status": "planned"}),
    ("Britain will build at least six new munitions and energetics factories for £1.5bn.",
     "capacity_plan", {"actors": {"producer": "GBR", "funder": "GBR"}, "quantity": 6,
                       "quantity_unit": "new munitions and energetics factories",
                       "quantity_qualifier": "at least", "value": 1.5e9, "currency": "GBP",
                       "year": None, "status": "planned"}),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "kind", "expected"), LISTS)
def test_spending_sentences_plans_and_totals(
    tmp_path: Path, sentence: str, kind: str, expected: dict[str, Any]
) -> None:
    facts = _facts(tmp_path, sentence)
    _one(facts, kind, **expected)
    assert len(facts) == 1


# -- the same structures in other words: not the sentences above --------------------

PARAPHRASES = [
    ("Annual production of 155mm rounds reached 300,000 last year, Rheinmetall said.",
     "capacity_plan", {"actors": {"producer": "RHM"}, "item": "155mm", "quantity": 300000,
                       "quantity_unit": "rounds per year", "year": 2023, "status": "estimate"}),
    ("Rheinmetall's output is expected to reach 1.1 million shells a year by 2027.",
     "capacity_plan", {"actors": {"producer": "RHM"}, "quantity": 1.1e6,
                       "quantity_unit": "shells per year", "year": 2027, "status": "planned"}),
    ("Diehl can now make about 10 IRIS-T launchers a year, up from four in 2022.",
     "capacity_plan", {"actors": {"producer": "DIEHL"}, "quantity": 10, "year": 2024,
                       "quantity_unit": "IRIS-T launchers per year", "status": "estimate"}),
    ("MBDA aims to build 40 Aster missiles per month by 2026.",
     "capacity_plan", {"actors": {"producer": "MBDA"}, "item": "aster", "quantity": 40,
                       "quantity_unit": "Aster missiles per month", "year": 2026,
                       "status": "planned"}),
    ("Lithuania is buying 18 Caesar howitzers for about €150 million.",
     "contract", {"actors": {"buyer": "LTU"}, "item": "caesar", "quantity": 18,
                  "value": 1.5e8, "value_qualifier": "about", "status": "signed"}),
    ("The order, placed via NSPA on behalf of Germany, the Netherlands and Spain, covers "
     "1,000 GEM-T missiles.",
     "joint_procurement", {"actors": {"buyer": "NSPA", "ally": ["DEU", "NLD", "ESP"]},
                           "item": "gem-t", "quantity": 1000, "end_user": None}),
    ("Defence spending in Germany reached €90.6 billion, or 2.12% of GDP.",
     "spending", {"actors": {"ally": "DEU"}, "value": 9.06e10, "share_of_gdp": 2.12,
                  "year": 2024, "status": "estimate"}),
    ("Under the deal, Raytheon will deliver 1,000 GEM-T interceptors to Germany, Spain and "
     "Romania.",
     "contract", {"actors": {"supplier": "RTX"}, "end_user": ["DEU", "ESP", "ROU"],
                  "quantity": 1000, "status": "planned"}),
    ("NSPA ordered 600 Stinger missiles from RTX for Italy, Greece and Portugal.",
     "joint_procurement", {"actors": {"buyer": "NSPA", "supplier": "RTX",
                                      "ally": ["ITA", "GRC", "PRT"]}, "end_user": None}),
    ("The 100 Piorun missiles will go to Ukraine, and Poland will pay for them.",
     "aid", {"actors": {"donor": "POL", "recipient": "UKR"}, "quantity": 100}),
    ("Washington approved a possible $2.5 billion sale of Patriot missiles to Poland.",
     "contract", {"actors": {"buyer": "POL"}, "item": "patriot", "value": 2.5e9,
                  "status": "planned"}),
    ("Sweden and Finland will jointly buy up to 2,000 Carl-Gustaf rounds.",
     "joint_procurement", {"actors": {"ally": ["SWE", "FIN"]}, "item": "carl-gustaf",
                           "quantity": 2000, "status": "planned"}),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "kind", "expected"), PARAPHRASES)
def test_paraphrases(tmp_path: Path, sentence: str, kind: str, expected: dict[str, Any]) -> None:
    facts = _facts(tmp_path, sentence)
    _one(facts, kind, **expected)
    assert len(facts) == 1


LISTED = [
    ("Germany is giving €7bn and France €3bn to Ukraine this year.",
     "aid", "donor", [("DEU", 7e9, "EUR"), ("FRA", 3e9, "EUR")]),
    ("Denmark committed DKK 1.3 billion and Sweden SEK 1.5 billion to the Czech initiative "
     "for Ukraine.",
     "aid", "donor", [("DNK", 1.3e9, "DKK"), ("SWE", 1.5e9, "SEK")]),
    ("Of the $50 billion, the US is lending $20 billion and the EU €18.1 billion to Ukraine.",
     "aid", "donor", [("USA", 2e10, "USD"), ("EU", 1.81e10, "EUR")]),
    ("The US, the EU, the UK and Canada are lending $20bn, €18.1bn, £2.26bn and C$5bn "
     "respectively to Ukraine.",
     "aid", "donor", LOANS),
    ("This year Germany spends €90bn on defence, France €60bn and Italy €32bn.",
     "spending", "ally", [("DEU", 9e10, "EUR"), ("FRA", 6e10, "EUR"), ("ITA", 3.2e10, "EUR")]),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "kind", "role", "pairs"), LISTED)
def test_a_fact_per_listed_actor(
    tmp_path: Path, sentence: str, kind: str, role: str, pairs: list[tuple[str, float, str]]
) -> None:
    facts = _facts(tmp_path, sentence)
    got = [(f.fields["actors"][role], f.fields["value"], f.fields["currency"]) for f in facts]
    assert sorted(got) == sorted(pairs) and all(f.kind == kind for f in facts)
    assert all(f.fields["year"] == 2024 for f in facts)
