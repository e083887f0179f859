"""Causes of misses and false facts found on the real tuning articles (issue 27), each
with a short text written for this test (not taken from any article) and the fact it must
give: its kind and the fields it must hold (``actors`` compared whole; ``item=None``: no
item)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from materiel.ingest import ingest

HEAD = "Title line\n\nBy A. Reporter | 10 July 2024\n\n"
US_UA = {"donor": "USA", "recipient": "UKR"}

CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    # firms listed together are all suppliers, also when named in the next sentence
    ("listed firms",
     "Belgium signed contracts worth €400 million with Nexter Munitions and Junghans "
     "Defence for 155mm shells.",
     "contract", {"value": 4e8, "actors": {"buyer": "BEL", "supplier": ["KNDS", "JUNGHANS"]}}),
    ("firms in the next sentence",
     "Spain has signed a €90 million contract for 155mm shells. The order went to "
     "Patria, Kongsberg and Saab.",
     "contract", {"value": 9e7,
                  "actors": {"buyer": "ESP", "supplier": ["PATRIA", "KONGSBERG", "SAAB"]}}),
    # aid announced by a person is given by the article's country
    ("giver by the article",
     "Norway will keep backing Kyiv, Norway's parliament said on Monday. "
     "Finance chief Jens Holm announced a NOK 2 billion loan to Ukraine.",
     "aid", {"actors": {"donor": "NOR", "recipient": "UKR"}, "value": 2e9}),
    # a range of counts gives its low end
    ("range",
     "Thales says it can turn out 3,000–4,000 missiles a year by 2027.",
     "capacity_plan", {"actors": {"producer": "THALES"}, "quantity": 3000, "year": 2027}),
    # a count joined to its noun, before "goal", is a capacity
    ("hyphenated goal",
     "Saab is hiring staff. The firm hopes to meet its 2,400-missile goal soon.",
     "capacity_plan", {"actors": {"producer": "SAAB"}, "quantity": 2400}),
    # "the last contract" with a buyer of its own is no part of the joint purchase before it
    ("own buyer",
     "NSPA signed a €300 million contract for Mistral missiles for Belgium and Spain. "
     "The previous contract for Mistral missiles was placed in 2021 when France ordered "
     "€200 million worth of them from MBDA.",
     "contract", {"actors": {"buyer": "FRA", "supplier": "MBDA"}, "value": 2e8}),
    # items: small arms ammunition, small-calibre rounds
    ("small arms",
     "Italy placed a €12 million order with Leonardo for small arms munitions.",
     "contract", {"item": "small-arms", "value": 1.2e7}),
    ("small calibre",
     "Nammo makes 300,000 small-caliber rounds a week at one plant.",
     "capacity_plan", {"item": "small-calibre", "quantity": 300000}),
    # another maker's goal does not take the item of the fact before it
    ("other maker",
     "Nammo makes 300,000 small-caliber rounds a week at one plant. "
     "The group Saab hopes to meet its 2,400-missile goal soon.",
     "capacity_plan", {"quantity": 2400, "actors": {"producer": "SAAB"}, "item": None}),
    # the maker of an output is the country acting in the rate's clause
    ("clause maker",
     "When Finland joined NATO in 2023, Sweden produced about 2,000 shells a month.",
     "capacity_plan", {"quantity": 2000, "actors": {"producer": "SWE"}}),
    # a stop with no space before a capitalised word ends a sentence
    ("no space",
     "Kongsberg has sold out.Finland now produces 4,000 rounds a month.",
     "capacity_plan", {"quantity": 4000, "actors": {"producer": "FIN"}}),
    # a passive verb of making between a count and its period
    ("passive rate",
     "Under the plan, 5,000 rounds will be produced each month by Nammo.",
     "capacity_plan", {"actors": {"producer": "NAMMO"}, "quantity": 5000,
                       "quantity_unit": "rounds per month", "status": "planned"}),
    # a contract without a buyer takes that of the same firm's contract in the next sentence
    ("next buyer",
     "Saab said it was awarded a $50 million task order for Carl-Gustaf ammunition. "
     "The task order falls under a $400 million Swedish Army contract awarded to Saab.",
     "contract", {"actors": {"buyer": "SWE", "supplier": "SAAB"}, "value": 5e7}),
    # an order named without figures and the same firm's figures just after are one fact
    ("named order",
     "Norway has placed an order for NASAMS with Kongsberg. As part of a NOK 2 billion "
     "contract, Kongsberg will deliver the systems within two years.",
     "contract", {"actors": {"buyer": "NOR", "supplier": "KONGSBERG"}, "item": "nasams",
                  "value": 2e9}),
    # a drawdown is aid
    ("drawdown",
     "The president authorized a drawdown of $300 million in U.S. weapons for Ukraine. "
     "The United States has sent such aid since 2022.",
     "aid", {"actors": US_UA, "value": 3e8}),
    # each item of a list is a sentence, read after the sentence that leads into the list
    ("list item 1", "The United States announced new aid for Ukraine on Monday.\n"
     "Also in the drawdown for Ukraine are:\n-- 400 Javelin missiles.\n"
     "-- 20,000 rounds of 155mm ammunition.\n",
     "aid", {"actors": US_UA, "item": "javelin", "quantity": 400}),
    ("list item 2", "The United States announced new aid for Ukraine on Monday.\n"
     "Also in the drawdown for Ukraine are:\n-- 400 Javelin missiles.\n"
     "-- 20,000 rounds of 155mm ammunition.\n",
     "aid", {"actors": US_UA, "item": "155mm", "quantity": 20000}),
    # a country that builds a count of factories makes and pays for them
    ("state factories",
     "Norway will build two new munitions and energetics factories near Oslo.",
     "capacity_plan", {"actors": {"producer": "NOR", "funder": "NOR"}, "quantity": 2,
                       "item": "energetics"}),
    # a firm that orders from another firm is the buyer; item Protector
    ("firm buyer",
     "Patria orders Kongsberg Protectors for €80 million.",
     "contract", {"actors": {"buyer": "PATRIA", "supplier": "KONGSBERG"},
                  "item": "protector-rs4", "value": 8e7}),
    # a contract's year is not that of its deliveries
    ("delivery year",
     "Denmark signed a €200 million contract with Saab, and deliveries will begin in 2027.",
     "contract", {"actors": {"buyer": "DNK", "supplier": "SAAB"}, "value": 2e8, "year": 2024}),
    # money given to make more, without a maker named, is a capacity plan of its funder
    ("funder only",
     "The European Commission allocated €200 million to boost the production of shells.",
     "capacity_plan", {"actors": {"funder": "EC"}, "value": 2e8, "year": 2024}),
    # the whole industry as a maker; a remark in brackets between a count and its period
    ("industry, bracket",
     "The European defence industry will make 3 million shells (of all calibres) per year "
     "by 2027.",
     "capacity_plan", {"actors": {"producer": "EDI"}, "quantity": 3e6, "year": 2027}),
    # money, then a maker's output: two facts
    ("money then maker",
     "The European Commission allocated €200 million to boost the production of shells. "
     "This will let the European defence industry make 3 million shells a year by 2027.",
     "capacity_plan", {"actors": {"funder": "EC"}, "value": 2e8}),
    ("155-mm", "Nammo makes 5,000 155-mm shells a month.",
     "capacity_plan", {"actors": {"producer": "NAMMO"}, "item": "155mm", "quantity": 5000}),
    # a verb of giving to Ukraine with no giver named: the article's country gives
    ("giving, giver by the article",
     "Sweden will keep helping Kyiv, Sweden's government said. The parties agreed to "
     "provide SEK 5 billion to Ukraine next year.",
     "aid", {"actors": {"donor": "SWE", "recipient": "UKR"}, "value": 5e9, "year": 2025}),
    # a noun in quotes after its count; "in three years" is a deadline
    ("quoted noun, in N years",
     'Saab says it will make 900 "complete rounds" a year in three years.',
     "capacity_plan", {"actors": {"producer": "SAAB"}, "quantity": 900, "year": 2027,
                       "quantity_unit": "complete rounds per year"}),
    # the output now that a goal rises from is an output of the article's year
    ("from the current",
     "Thales will raise output from the current 1,000 to 4,000 missiles a year by 2027.",
     "capacity_plan", {"actors": {"producer": "THALES"}, "quantity": 1000, "year": 2024,
                       "status": "estimate"}),
    # counts of different items in one sentence without money: a fact per item; items
    # 120mm mortar, armored medical treatment vehicle
    ("a fact per item 1",
     "Germany will send Ukraine 12 Leopard tanks and 3,000 rounds of 120mm ammunition.",
     "aid", {"actors": {"donor": "DEU", "recipient": "UKR"}, "item": "120mm",
             "quantity": 3000}),
    ("a fact per item 2",
     "The United States will send Ukraine 40 120mm mortar systems and 30 armored medical "
     "treatment vehicles.",
     "aid", {"actors": US_UA, "item": "amtv", "quantity": 30}),
    ("a fact per item 3",
     "The United States will send Ukraine 40 120mm mortar systems and 30 armored medical "
     "treatment vehicles.",
     "aid", {"actors": US_UA, "item": "120mm-mortar", "quantity": 40}),
    # an output of rounds with no item named is of the article's one calibre (named beside
    # its family, "artillery ammunition")
    ("the article's calibre",
     "Nammo makes 155mm shells and other artillery ammunition in Raufoss. Nammo will raise "
     "its output to 90,000 rounds a year.",
     "capacity_plan", {"actors": {"producer": "NAMMO"}, "item": "155mm", "quantity": 90000}),
    # "shipped" gives; "a million" before an item's name is a count
    ("shipped a million",
     "Canada has shipped more than a million artillery rounds to Ukraine.",
     "aid", {"actors": {"donor": "CAN", "recipient": "UKR"}, "item": "artillery-shells",
             "quantity": 1e6}),
    # "Of this, ..." breaks down the amount before it: of that sentence's year, a year
    # named there before a day ("today")
    ("of this",
     "In 2026, Denmark will give Ukraine DKK 9 billion in aid. Of this, DKK 4 billion is "
     "military support for Ukraine.",
     "aid", {"actors": {"donor": "DNK", "recipient": "UKR"}, "value": 4e9, "year": 2026}),
    ("of this, today",
     "Today the parliament agreed that in 2026 Denmark will give Ukraine DKK 9 billion in "
     "aid. Of this, DKK 4 billion is military support for Ukraine.",
     "aid", {"actors": {"donor": "DNK", "recipient": "UKR"}, "value": 4e9, "year": 2026}),
    # "the procurement of" is a purchase; an agency's order named without figures and the
    # same agency's figures in the next sentence are one fact
    ("procurement of",
     "NSPA signed the contract for Stinger missiles with RTX on Monday. NSPA applied for "
     "the procurement of 500 Stinger missiles for €300 million.",
     "joint_procurement", {"actors": {"buyer": "NSPA", "supplier": "RTX"}, "item": "stinger",
                           "quantity": 500, "value": 3e8}),
    # a government that approves the sale does not buy
    ("approver",
     "NSPA applied for the procurement of 300 Stinger missiles for $200 million, which the "
     "US government approved.",
     "joint_procurement", {"actors": {"buyer": "NSPA"}, "quantity": 300, "value": 2e8}),
    # a count and its noun with four words between
    ("four words", "Italy ordered 120 FIM-92K Stinger Block I missiles from RTX.",
     "contract", {"actors": {"buyer": "ITA", "supplier": "RTX"}, "quantity": 120}),
    # an output with no maker in its sentence is the article's country's, not that of a
    # firm named once, nor of the country supplied
    ("article's country makes",
     "The United States gave Northrop Grumman a $100 million order. The United States wants "
     "more shells. To supply Ukraine, 9,000 shells would be produced per month.",
     "capacity_plan", {"actors": {"producer": "USA"}, "quantity": 9000}),
    # the parts of a split spending target: what each share is for, due when the whole is
    ("core part",
     "EU leaders backed an aim of 4% of GDP by 2031, with 3% reserved for hard defence "
     "and the remainder for resilience.",
     "pledge", {"actors": {"ally": "EU"}, "item": "core defence", "share_of_gdp": 3.0,
                "year": 2031}),
    ("wider part",
     "NATO allies agreed to a goal of 4% of GDP, with 3% for core defence spending and 1% "
     "for wider security-related costs.",
     "pledge", {"actors": {"ally": "NATO"}, "share_of_gdp": 1.0,
                "item": "defence- and security-related spending"}),
    ("part due when the whole is",
     "NATO allies agreed on Tuesday to reach 4% of GDP by 2033. Under the deal, allies will "
     "spend at least 3% on core defence.",
     "pledge", {"actors": {"ally": "NATO"}, "item": "core defence", "year": 2033}),
    ("a whole is no part",
     "NATO allies agreed to spend 4% of GDP on defence and security-related needs by 2033.",
     "pledge", {"actors": {"ally": "NATO"}, "share_of_gdp": 4.0, "item": None}),
    # no country named: the country of the national currency the figures are in
    ("currency's country",
     "The cabinet wants military outlays to reach 2% of GDP by 2028, and defence spending "
     "will rise to SEK 150 billion.",
     "pledge", {"actors": {"ally": "SWE"}, "share_of_gdp": 2.0, "year": 2028}),
    # a budget figure with no year of its own is for the fiscal year named before it
    ("fiscal year before",
     "Ministers approved the budget for fiscal 2026 on Friday. Military spending will be "
     "NOK 100 billion.",
     "spending", {"actors": {"ally": "NOR"}, "value": 1e11, "year": 2026}),
    # a budget with no actor in its sentence is the previous sentence's actor's
    # "pct." is a percent; a decimal comma before a scale word ("2,4 billion")
    ("pct.",
     "Norway will spend more than 2 pct. of GDP on defence in 2026.",
     "spending", {"actors": {"ally": "NOR"}, "share_of_gdp": 2.0, "year": 2026}),
    ("decimal comma",
     "Finland will raise defence spending by 2,4 billion euros in 2026.",
     "spending", {"actors": {"ally": "FIN"}, "value": 2.4e9, "year": 2026}),
    # a name of several words written in title case, as in names and headlines
    ("title case",
     "The NATO Procurement Agency signed a €100 million contract with Saab for missiles.",
     "joint_procurement", {"actors": {"buyer": "NSPA", "supplier": "SAAB"}, "value": 1e8}),
    # a scheme's total is given by the group named just before, not the article's country
    ("group's total",
     "France said it would lend €3 billion to Ukraine through the G7 fund. Together the "
     "partners will lend Ukraine $45 billion.",
     "aid", {"actors": {"donor": "G7", "recipient": "UKR"}, "value": 4.5e10}),
    # a share to be reached by a later year, or held from a year on, is a target
    ("by a later year",
     "Portugal to spend 2.2% of GDP on its armed forces by 2028.",
     "pledge", {"actors": {"ally": "PRT"}, "share_of_gdp": 2.2, "year": 2028,
                "status": "planned"}),
    ("from a year on",
     "The plan foresees 2.5% of GDP going to defence from 2026 onwards, Romania said.",
     "pledge", {"actors": {"ally": "ROU"}, "share_of_gdp": 2.5, "year": 2026}),
    # spending over a share is the share, with its qualifier
    ("spending over",
     "Poland projects spending over 4% of GDP on defence this year.",
     "spending", {"actors": {"ally": "POL"}, "share_of_gdp": 4.0, "share_qualifier": "more than"}),
    # the alliance's leaders as a whole are NATO, not the last country named before
    ("leaders as a whole",
     "NATO met in Vilnius. The United States wants more. Leaders agreed to aim for "
     "4% of GDP by 2032.",
     "pledge", {"actors": {"ally": "NATO"}, "share_of_gdp": 4.0, "year": 2032}),
    # an amount each project receives, then the projects with their nations in brackets
    ("each project",
     "The European Commission backed three joint buys on Monday. Each project gets €40 "
     "million. One project buys Stinger missiles for three states (Poland, Greece and "
     "Italy), the other 155mm shells for two (Spain and Portugal).",
     "joint_procurement", {"actors": {"ally": ["ESP", "PRT"], "funder": "EC"},
                           "item": "155mm", "value": 4e7}),
    ("each project, item after",
     "The European Commission backed joint buys. Each project receives €40 million. Two "
     "states (Malta and Cyprus) have a project to buy IRIS-T systems.",
     "joint_procurement", {"actors": {"ally": ["MLT", "CYP"], "funder": "EC"},
                           "item": "iris-t", "value": 4e7}),
    # money to rearm, or a defence package or fund, is defence spending
    ("to rearm",
     "The EU agreed a €50 billion loan fund to help member states rearm.",
     "spending", {"actors": {"ally": "EU"}, "value": 5e10}),
    ("defence package",
     "Italy unveiled a €20 billion defence package on Monday.",
     "spending", {"actors": {"ally": "ITA"}, "value": 2e10}),
    # the European allies as a group
    ("European allies",
     "NATO Allies in Europe will invest $400 billion in defence spending in 2025.",
     "spending", {"actors": {"ally": "NATO Europe"}, "value": 4e11, "year": 2025}),
    # the parts of a budget in the sentence after it
    ("budget parts",
     "France will spend €60 billion on defence in 2026. €15 billion is set aside for "
     "procurement, with €5 billion for R&D.",
     "spending", {"actors": {"ally": "FRA"}, "value": 5e9, "year": 2026}),
    # a breakdown of a total: its bare amounts are in the total's currency, a fact each
    ("breakdown, first part",
     "Sweden backs Ukraine. Sweden will give Ukraine SEK 20 billion next year. Of this, "
     "14 billion is for military support, and 6 billion for rebuilding.",
     "aid", {"actors": {"donor": "SWE", "recipient": "UKR"}, "value": 1.4e10,
             "currency": "SEK", "aid_type": "military"}),
    ("breakdown, second part",
     "Sweden backs Ukraine. Sweden will give Ukraine SEK 20 billion next year. Of this, "
     "14 billion is for military support, and 6 billion for rebuilding.",
     "aid", {"actors": {"donor": "SWE", "recipient": "UKR"}, "value": 6e9, "currency": "SEK"}),
    # money to double (or triple) production, paid by a state; the year its works end
    ("double production",
     "The Danish government will invest $90 million to double the country's output of "
     "mortar rounds. Officials said on Monday the plans were ready. The works should be "
     "completed between 2027-2028.",
     "capacity_plan", {"actors": {"funder": "DNK"}, "value": 9e7, "year": 2028}),
    ("leaders at a place",
     "NATO met in June. The United States wants more. Leaders agreed at a summit in The "
     "Hague to aim for 4% of GDP by 2032.",
     "pledge", {"actors": {"ally": "NATO"}, "share_of_gdp": 4.0, "year": 2032}),
    # the same share again for another year
    ("the same again",
     "Latvia spent 3.1% of GDP on defence in 2023 and plans to spend the same next year.",
     "spending", {"actors": {"ally": "LVA"}, "share_of_gdp": 3.1, "year": 2025,
                  "status": "planned"}),
    # "the 4 percent target" of an alliance named before it is its pledge
    ("the alliance's target",
     "Diplomats said the EU's plan to split the 4 percent target for defence spending helps.",
     "pledge", {"actors": {"ally": "EU"}, "share_of_gdp": 4.0}),
    # "the initiative supplied ...": the giver of the sentence before, to Ukraine
    ("the initiative gave",
     "Ukraine needs shells. Slovakia runs a shell initiative for Ukraine. The initiative "
     "supplied 300,000 rounds in 2024.",
     "aid", {"actors": {"donor": "SVK", "recipient": "UKR"}, "quantity": 300000,
             "year": 2024}),
    ("actor before",
     "Canada passed its budget. Defence spending is rising, with $40 billion in funding.",
     "spending", {"actors": {"ally": "CAN"}, "value": 4e10}),
    # a military service unnamed by country buys for the article's country; a firm's long
    # name ("... Ordnance & Tactical Systems") before "and" another firm; "the shells" are
    # the article's item
    ("service buys",
     "Sweden needs more 155mm shells. General Dynamics Ordnance & Tactical Systems and Nammo "
     "will share orders for the shells under a $40 million contract, the Army said.",
     "contract", {"actors": {"buyer": "SWE", "supplier": ["GD", "NAMMO"]}, "item": "155mm",
                  "value": 4e7}),
    # "155 mm" is a calibre, no count; a country that fires what is bought does not buy it
    ("calibre, user",
     "The Netherlands ordered 155 mm artillery rounds, which are being fired in large "
     "numbers by Ukraine, for $50 million from Nammo.",
     "contract", {"actors": {"buyer": "NLD", "supplier": "NAMMO"}, "quantity": None,
                  "value": 5e7}),
    # a change of output: the figure it starts from (of its date, else the article's year)
    # and the steps after it ("to thirty today and must reach fifty in 2026")
    ("change, from",
     "Thales' monthly output has grown from twelve missiles in 2021 to thirty today and "
     "must reach fifty in 2026.",
     "capacity_plan", {"actors": {"producer": "THALES"}, "quantity": 12, "year": 2021,
                       "status": "estimate", "quantity_unit": "missiles per month"}),
    ("change, then",
     "Thales' monthly output has grown from twelve missiles in 2021 to thirty today and "
     "must reach fifty in 2026.",
     "capacity_plan", {"actors": {"producer": "THALES"}, "quantity": 50, "year": 2026,
                       "status": "planned"}),
    ("change, from now",
     "Saab will lift production from 300 to 900 rockets a month by 2027.",
     "capacity_plan", {"actors": {"producer": "SAAB"}, "quantity": 300, "year": 2024,
                       "status": "estimate", "quantity_unit": "rockets per month"}),
    # a contract for counts of different items: a fact per count, also when an item comes
    # back ("and then one for 12 K9 howitzers": "for 12" is no part of the noun of "one")
    ("contract per item",
     "Poland signed a deal with Hanwha for 40 K9 howitzers and 30 Chunmoo launchers and "
     "then one for 12 K9 howitzers.",
     "contract", {"actors": {"buyer": "POL", "supplier": "HANWHA"}, "item": "chunmoo",
                  "quantity": 30}),
    ("contract per item, again",
     "Poland signed a deal with Hanwha for 40 K9 howitzers and 30 Chunmoo launchers and "
     "then one for 12 K9 howitzers.",
     "contract", {"actors": {"buyer": "POL", "supplier": "HANWHA"}, "item": "k9",
                  "quantity": 12}),
    # a contract signed before any word of capacity is a purchase, not a capacity plan
    ("contract before capacity",
     "On behalf of five allies, NSPA has signed a contract with MBDA to manufacture 500 "
     "Aster missiles, expanding production capacity in France.",
     "joint_procurement", {"actors": {"buyer": "NSPA", "supplier": "MBDA"}, "quantity": 500}),
    ("award before capacity",
     "Italy awarded MBDA a €300 million contract to expand the production capacity of Aster "
     "missiles.",
     "contract", {"actors": {"buyer": "ITA", "supplier": "MBDA"}, "value": 3e8}),
    # the service's contracting office named in the next sentence buys for the article's
    # country
    ("contracting activity",
     "The U.S. Army wants more Stinger missiles. Raytheon, Tucson, Arizona, was awarded a "
     "$120 million contract modification for Stinger missiles. Army Contracting Command, "
     "Redstone Arsenal, Alabama, is the contracting activity.",
     "contract", {"actors": {"buyer": "USA", "supplier": "RTX"}, "value": 1.2e8}),
    # "facilitization of N rounds per month" is making capacity; an M795 is a 155mm shell
    ("facilitization",
     "Nammo was awarded a contract for the facilitization of 8,000 M795 rounds per month.",
     "capacity_plan", {"actors": {"producer": "NAMMO"}, "item": "155mm", "quantity": 8000}),
    # an output with no maker just after a contract with several firms is theirs
    ("makers of the contract",
     "Saab makes shells. Sweden said Saab and Nammo will share orders for 155mm shells "
     "under a SEK 900 million contract. The aim is to produce 3,000 more rounds per month.",
     "capacity_plan", {"actors": {"producer": ["SAAB", "NAMMO"]}, "quantity": 3000}),
    # funding provided to a maker, its giver unnamed: the article's country, this year
    ("provides funding",
     "Finland wants more shells. The deal provides funding of EUR 40 million, and Nammo will "
     "keep the new production capacity for ten years.",
     "capacity_plan", {"actors": {"producer": "NAMMO", "funder": "FIN"}, "value": 4e7,
                       "year": 2024}),
    # the government a buyer signs with sells; the plural of a designation ("HIMARSs")
    ("government sells",
     "Poland signed a deal with the US government to buy 32 more HIMARSs.",
     "contract", {"actors": {"buyer": "POL", "supplier": "USA"}, "item": "himars",
                  "quantity": 32}),
    # "the awards provide for ..." lists the counts of the contract before: a fact per
    # count, each with that contract's buyer (none of them completes it)
    ("the awards list 1",
     "The U.S. Army awarded $300 million in contracts for 155mm artillery. The awards "
     "provide for the procurement of 40,000 M1128 projectiles and 90,000 M231 charges.",
     "contract", {"actors": {"buyer": "USA"}, "item": "m1128", "quantity": 40000}),
    ("the awards list 2",
     "The U.S. Army awarded $300 million in contracts for 155mm artillery. The awards "
     "provide for the procurement of 40,000 M1128 projectiles and 90,000 M231 charges.",
     "contract", {"actors": {"buyer": "USA"}, "item": "m231", "quantity": 90000}),
    # a group that backs a joint purchase pays for it, it does not buy; EDIRPA is the EU's
    ("backed by the group",
     "The joint purchase is backed by €200 million from the EU.",
     "joint_procurement", {"actors": {"funder": "EU"}, "value": 2e8}),
    ("EDIRPA",
     "The joint order under EDIRPA is supported by a budget of €310 million.",
     "joint_procurement", {"actors": {"funder": "EU"}, "value": 3.1e8}),
    # a contract signed with firms to make shells for Ukraine is the signer's purchase;
    # "two companies to produce 155mm shells" is no count of shells
    ("contract for Ukraine",
     "Canada has signed a $90 million contract with two companies to produce 155mm shells "
     "for Ukraine.",
     "contract", {"actors": {"buyer": "CAN"}, "value": 9e7, "quantity": None}),
    # orders awarded in a deal a fund pays for are a purchase; the country in the fund's
    # name does not buy
    ("award a fund pays for",
     "Canada needs 155mm shells. The Army awarded $80 million in orders for the same shells "
     "to two firms in a deal funded by the Ukraine Assistance Fund.",
     "contract", {"actors": {"buyer": "CAN"}, "item": "155mm", "value": 8e7}),
    # an output of "units" is of the item named in the sentences just before
    ("units of the item before",
     "KNDS builds Caesar howitzers in Roanne. The work is hard. Its monthly capacity rose to "
     "four units per month in 2023.",
     "capacity_plan", {"actors": {"producer": "KNDS"}, "item": "caesar", "quantity": 4}),
    # rounds are of the article's one munition, named besides the system that fires it
    ("the article's munition",
     "KNDS makes 155mm shells and Caesar howitzers. KNDS will raise its output to 9,000 "
     "rounds a month.",
     "capacity_plan", {"actors": {"producer": "KNDS"}, "item": "155mm", "quantity": 9000}),
    # "until 2027" in a contract that delivers is the deliveries' date, not the deal's
    ("delivered until",
     "Poland signed a second contract with Hanwha. The second contract covers the delivery "
     "of 152 K9 howitzers, part of the remaining 460, sequentially until 2027.",
     "contract", {"item": "k9", "quantity": 152, "year": 2024}),
    # a step of a change after a longer phrase; a prospect is a goal
    ("step after a phrase",
     "KNDS builds Caesar howitzers. Its capacity now reaches six units per month with the "
     "prospect of growth to eight units.",
     "capacity_plan", {"actors": {"producer": "KNDS"}, "item": "caesar", "quantity": 8,
                       "status": "planned"}),
]  # fmt: skip

#: Texts that must give no fact of the kind.
NOT_FACTS: list[tuple[str, str, str]] = [
    # a change is no share of GDP
    # a share reached by a year already past is spending, not a target
    ("reached by a past year",
     "Estonia will say that it spent 3.4% of GDP on defence by 2023.", "pledge"),
    # a fiscal rule's threshold is no share anyone spends
    ("threshold",
     "Austria changed its budget rule so that defence spending above 1.2% of GDP can be "
     "debt-financed.", "spending"),
    # "from X% of national income to Y%": Y is of national income too
    ("measure of the first",
     "Defence spending rose as Italy cut aid spending from 0.4% of gross national income "
     "to 0.2% this year.", "spending"),
    # a negated share is nobody's figure
    ("negated",
     "Germany spends more on defence, Merz said. \"Security does not come from 4 percent.\"",
     "spending"),
    # a call on others to spend is no one's figure
    ("a call on others",
     "Latvia's president proposed last week that all alliance countries should spend at "
     "least 4% of GDP on defence.", "spending"),
    # a country's mention of the target is no pledge of its own
    ("a country and the target",
     "Spain's defence spending still falls short of the 2% target.", "pledge"),
    # the need to supply Ukraine is no gift
    ("need to supply",
     "Ukraine needs shells. The need to supply Ukraine led Germany to make 9,000 shells "
     "a month.", "aid"),
    # an unknown country's figure is not the previous actor's; nor a world total
    ("unknown country",
     "Germany raised its budget. Russia: military spending jumped to $149 billion.",
     "spending"),
    ("world total",
     "Germany raised its budget. Worldwide military spending reached $2.7 trillion.",
     "spending"),
    # a country excepted is no actor
    ("except",
     "Defence spending in Europe rose to $600 billion, in all countries except Malta.",
     "spending"),
    ("increase by", "Poland's defence spending will increase by 7% next year.", "spending"),
    # a whole budget, with defence among civil areas, is no defence figure
    ("whole budget",
     "The government approved a ¥100 trillion budget to increase spending on defence, "
     "pensions and education.", "spending"),
    # what is still to be delivered under a deal told before is no new contract
    ("still to supply",
     "Hanwha signed the deal last year. The firm still has 120 K9 howitzers to supply.",
     "contract"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kind"), [c[1:] for c in NOT_FACTS], ids=[c[0] for c in NOT_FACTS]
)
def test_no_fact(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "a.txt"
    path.write_text(HEAD + text + "\n", encoding="utf-8")
    facts = ingest([path], merge=False).facts
    assert not [f for f in facts if f.kind == kind], [(f.kind, f.fields) for f in facts]


@pytest.mark.parametrize(
    ("text", "kind", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_cause_gives_the_fact(
    tmp_path: Path, text: str, kind: str, expected: dict[str, Any]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(HEAD + text + "\n", encoding="utf-8")
    facts = ingest([path], merge=False).facts
    found = [
        f
        for f in facts
        if f.kind == kind and all(f.fields.get(k) == v for k, v in expected.items())
    ]
    assert len(found) == 1, [(f.kind, f.fields) for f in facts]


def test_an_industry_is_not_the_firm_an_article_is_about(tmp_path: Path) -> None:
    """A contract without actors is not given the whole industry as its supplier."""
    path = tmp_path / "a.txt"
    text = "The European defence industry makes 2 million shells a year. The European "
    text += "defence industry is growing. The joint order is backed by a budget of €300 million."
    path.write_text(HEAD + text + "\n", encoding="utf-8")
    facts = ingest([path], merge=False).facts
    assert not [f for f in facts if f.kind in ("contract", "joint_procurement")], facts


def test_a_firm_named_alone_and_with_others_is_one_contract(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        HEAD + "NSPA signed contracts worth €900 million with Nexter Munitions and Junghans "
        "Defence for 155mm shells.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        HEAD + "NSPA has ordered 155mm shells from Nexter for €900 million.\n", encoding="utf-8"
    )
    facts = [f for f in ingest([tmp_path]).facts if f.kind == "joint_procurement"]
    assert [f.fields["actors"]["supplier"] for f in facts] == [["KNDS", "JUNGHANS"]], facts


def test_an_undated_article_is_dated_by_its_address(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    head = "Title line\n\nSource: https://news.example/2023/02/15/title\nPublished: n/a\n\n"
    text = "Poland signed a €50 million contract with Nammo for 155mm shells on Tuesday."
    path.write_text(head + text + "\n", encoding="utf-8")
    facts = ingest([path], merge=False).facts
    assert [(f.fields.get("year"), f.fields.get("date")) for f in facts] == [(2023, "2023-02-14")]


def test_a_change_of_deliveries_is_no_output(tmp_path: Path) -> None:
    """The figures of a change of deliveries after an output are not outputs."""
    path = tmp_path / "a.txt"
    text = ("Thales makes 5,000 missiles a year, which would triple the rate of delivery to "
            "Poland from 100 to 300 missiles a month.")  # fmt: skip
    path.write_text(HEAD + text + "\n", encoding="utf-8")
    found = [f.fields.get("quantity") for f in ingest([path], merge=False).facts]
    assert found == [5000], found


def test_a_figure_handed_over_is_no_step_of_an_output(tmp_path: Path) -> None:
    """ "... and delivers them to 3 countries" is no step of the output before it."""
    path = tmp_path / "a.txt"
    path.write_text(HEAD + "KNDS makes 6 howitzers a month and delivers them to 3 countries.\n",
                    encoding="utf-8")  # fmt: skip
    found = [f.fields.get("quantity") for f in ingest([path], merge=False).facts]
    assert found == [6], found
