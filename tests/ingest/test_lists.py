"""Spending and pledges in lists and tables (issue 27), on short texts written for these
tests: each states the facts it must give, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from materiel.ingest import Fact, ingest

HEAD = "Defence budgets\n\nBy A. Reporter | 3 March 2026\n\n"


def _facts(tmp_path: Path, text: str, name: str = "a.txt") -> list[Fact]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest([path], merge=False).facts


def _shares(facts: list[Fact]) -> set[tuple[str, str, float, int | None]]:
    """(kind, ally, share, year) of each fact; no fact is given twice."""
    found = [
        (f.kind, f.fields["actors"]["ally"], f.fields["share_of_gdp"], f.fields.get("year"))
        for f in facts
    ]
    assert len(found) == len(set(found)), found
    return set(found)


def _counts(facts: list[Fact]) -> set[tuple[Any, ...]]:
    """(quantity, out_of, share, year) of each count of allies."""
    return {
        (f.fields["quantity"], f.fields.get("out_of"), f.fields["share_of_gdp"], f.fields["year"])
        for f in facts
        if str(f.fields.get("quantity_unit", "")).startswith("allies at or above")
    }


def test_lines_of_ally_and_share_under_a_header_with_the_year(tmp_path: Path) -> None:
    text = HEAD + (
        "The alliance published its estimates on Monday.\n"
        "Military expenditure of allies in 2025, as a percentage of GDP:\n"
        "Norway: 3.21\nItaly: 1.77\nPortugal: 1.62\n"
        "Note: member number 33, Iceland, keeps no army.\n"
    )
    assert _shares(_facts(tmp_path, text)) == {
        ("spending", "NOR", 3.21, 2025),
        ("spending", "ITA", 1.77, 2025),
        ("spending", "PRT", 1.62, 2025),
    }


def test_inline_list_with_shares_in_brackets(tmp_path: Path) -> None:
    text = HEAD + (
        "Among the allies spending least on defence in 2024 were Croatia (1.96%), "
        "Slovenia (1.34%) and Spain (1.31%).\n"
    )
    assert _shares(_facts(tmp_path, text)) == {
        ("spending", "HRV", 1.96, 2024),
        ("spending", "SVN", 1.34, 2024),
        ("spending", "ESP", 1.31, 2024),
    }


def test_flattened_table_gives_one_fact_per_cell_with_its_column_year(tmp_path: Path) -> None:
    text = HEAD + (
        "Allies on the eastern flank Defence expenditure (% of GDP) 2019 2025 "
        "Sweden 1.11 2.41 Finland 1.53 2.45 Norway 1.85 3.21 Source: alliance data\n"
    )
    assert _shares(_facts(tmp_path, text)) == {
        ("spending", "SWE", 1.11, 2019),
        ("spending", "SWE", 2.41, 2025),
        ("spending", "FIN", 1.53, 2019),
        ("spending", "FIN", 2.45, 2025),
        ("spending", "NOR", 1.85, 2019),
        ("spending", "NOR", 3.21, 2025),
    }


def test_sentence_listing_allies_with_their_shares(tmp_path: Path) -> None:
    text = HEAD + "By NATO's 2025 figures, Romania 2.31%, Bulgaria 2.09% and Greece 3.12% of GDP.\n"
    assert _shares(_facts(tmp_path, text)) == {
        ("spending", "ROU", 2.31, 2025),
        ("spending", "BGR", 2.09, 2025),
        ("spending", "GRC", 3.12, 2025),
    }


def test_one_share_for_several_listed_allies(tmp_path: Path) -> None:
    text = HEAD + (
        "Allies spending more than 2.5 percent of GDP on defence this year include Finland, "
        "Sweden, the Netherlands and Greece.\n"
    )
    facts = _facts(tmp_path, text)
    assert _shares(facts) == {
        ("spending", ally, 2.5, 2026) for ally in ("FIN", "SWE", "NLD", "GRC")
    }
    assert {f.fields["share_qualifier"] for f in facts} == {"more than"}


def test_listed_allies_reaching_the_target_named_before(tmp_path: Path) -> None:
    text = HEAD + (
        "All NATO allies are expected to hit the target of at least 2% of GDP on defence this "
        "year. Those that only just make it, Canada, Italy and Belgium, are forecast to reach "
        "the target exactly.\n"
    )
    facts = [f for f in _facts(tmp_path, text) if f.fields["actors"]["ally"] != "NATO"]
    assert _shares(facts) == {("spending", ally, 2.0, 2026) for ally in ("CAN", "ITA", "BEL")}
    assert {f.fields.get("share_qualifier") for f in facts} == {"at least"}


def test_count_of_members_with_its_total_and_an_earlier_count(tmp_path: Path) -> None:
    text = HEAD + (
        "Twelve of the alliance's 30 members spent 2% of GDP on defence in 2022, up from "
        "four in 2016.\n"
    )
    assert _counts(_facts(tmp_path, text)) == {(12, 30, 2.0, 2022), (4, None, 2.0, 2016)}


def test_count_of_countries_meeting_the_target_named_before(tmp_path: Path) -> None:
    text = HEAD + (
        "The alliance's guideline asks members to spend 2.5% of GDP on defence. "
        "In 2019, only nine countries met the target.\n"
    )
    assert _counts(_facts(tmp_path, text)) == {(9, None, 2.5, 2019)}


def test_rounded_count_gives_way_to_the_exact_one(tmp_path: Path) -> None:
    text = HEAD + (
        "More than 20 member countries are expected to reach the 2% defence target by 2027. "
        "In all, 22 countries are expected to reach the target by 2027, officials said.\n"
    )
    assert _counts(_facts(tmp_path, text)) == {(22, None, 2.0, 2027)}


def test_markdown_table_with_years_in_the_header(tmp_path: Path) -> None:
    text = HEAD + (
        "Defence spending of the Nordic allies\n\n"
        "| Ally | 2024 (% of GDP) | 2025 (% of GDP) |\n"
        "|---|---|---|\n"
        "| Denmark | 2.37 | 3.22 |\n"
        "| Iceland | – | – |\n"
        "| Norway | 2.20 | 3.35 |\n"
    )
    assert _shares(_facts(tmp_path, text, "t.md")) == {
        ("spending", "DNK", 2.37, 2024),
        ("spending", "DNK", 3.22, 2025),
        ("spending", "NOR", 2.2, 2024),
        ("spending", "NOR", 3.35, 2025),
    }


def test_markdown_table_with_a_budget_and_a_share_is_one_fact_a_row(tmp_path: Path) -> None:
    text = HEAD + (
        "Military budgets for 2025:\n\n"
        "| Country | Budget (€ billion) | Share of GDP (%) |\n"
        "| --- | ---: | ---: |\n"
        "| Spain | 19.7 | 1.24 |\n"
        "| Belgium | 8.9 | 1.31 |\n"
    )
    got = {
        (f.fields["actors"]["ally"], f.fields["value"], f.fields["currency"],
         f.fields["share_of_gdp"], f.fields["year"])
        for f in _facts(tmp_path, text, "b.md")
    }  # fmt: skip
    assert got == {("ESP", 19.7e9, "EUR", 1.24, 2025), ("BEL", 8.9e9, "EUR", 1.31, 2025)}


def test_html_table_with_a_caption_and_a_target_column(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Budgets</title></head><body><article>"
        "<h1>Allies set out their defence plans</h1>"
        "<p>Published 3 March 2026. Ministers met in Brussels to compare plans.</p>"
        "<table><caption>Defence spending, % of GDP</caption>"
        "<tr><th>Country</th><th>2025</th><th>Target for 2030</th></tr>"
        "<tr><td>Poland</td><td>4.70</td><td>5.00</td></tr>"
        "<tr><td>Lithuania</td><td>4.00</td><td>5.50</td></tr>"
        "<tr><td>Latvia</td><td>3.70</td><td>5.00</td></tr>"
        "</table><p>The figures are the governments' own.</p></article></body></html>"
    )
    assert _shares(_facts(tmp_path, page, "p.html")) == {
        ("spending", "POL", 4.7, 2025),
        ("pledge", "POL", 5.0, 2030),
        ("spending", "LTU", 4.0, 2025),
        ("pledge", "LTU", 5.5, 2030),
        ("spending", "LVA", 3.7, 2025),
        ("pledge", "LVA", 5.0, 2030),
    }


def test_html_table_with_years_as_columns_is_read_once(tmp_path: Path) -> None:
    rows = "".join(
        f"<tr><td>{ally}</td><td>{a}</td><td>{b}</td></tr>"
        for ally, a, b in (("Greece", "3.08", "2.85"), ("Turkey", "2.09", "1.90"),
                           ("Albania", "2.03", "2.01"))
    )  # fmt: skip
    page = (
        "<html><body><article><h1>Southern allies' defence spending</h1>"
        "<p>Published 3 March 2026. Shares of GDP spent on defence, by year:</p>"
        f"<table><tr><th>Ally</th><th>2024</th><th>2025</th></tr>{rows}</table>"
        "</article></body></html>"
    )
    assert _shares(_facts(tmp_path, page, "y.html")) == {
        ("spending", "GRC", 3.08, 2024), ("spending", "GRC", 2.85, 2025),
        ("spending", "TUR", 2.09, 2024), ("spending", "TUR", 1.9, 2025),
        ("spending", "ALB", 2.03, 2024), ("spending", "ALB", 2.01, 2025),
    }  # fmt: skip


def test_lists_that_are_not_defence_spending_give_nothing(tmp_path: Path) -> None:
    text = HEAD.replace("Defence budgets", "Weekend results") + (
        "Football results on Saturday: Spain 2, Italy 1, France 3.\n\n"
        "Inflation in January, in percent:\nPoland: 4.9\nHungary: 5.5\nRomania: 6.1\n\n"
        "| Country | GDP growth 2025 (%) |\n|---|---|\n| Germany | 0.3 |\n| France | 0.8 |\n"
    )
    assert _facts(tmp_path, text, "n.md") == []


def test_other_measures_among_defence_news_give_no_share(tmp_path: Path) -> None:
    text = HEAD + (
        "Before the defence spending figures, ministers heard that unemployment among the "
        "allies in 2025, in percent, was: Spain: 11.2, Greece: 9.4, Italy: 6.1.\n\n"
        "Inflation was higher than 3 percent in Estonia, Latvia and Lithuania, the ministers "
        "heard before turning to defence spending.\n\n"
        "| Country | Unemployment 2024 (%) | Defence spending 2025 (% of GDP) |\n|---|---|---|\n"
        "| Spain | 11.2 | 1.3 |\n| Greece | 9.4 | 3.1 |\n"
    )
    assert _shares(_facts(tmp_path, text, "m.md")) == {
        ("spending", "ESP", 1.3, 2025),
        ("spending", "GRC", 3.1, 2025),
    }


def test_list_of_aid_as_a_share_of_gdp_is_neither_spending_nor_pledge(tmp_path: Path) -> None:
    text = HEAD + (
        "Military aid to Ukraine pledged in 2025, as a share of the donor's GDP: "
        "Denmark 0.81%, Estonia 0.72% and Lithuania 0.55%.\n"
    )
    assert not [f for f in _facts(tmp_path, text) if f.kind in ("spending", "pledge")]


def test_amount_and_its_share_of_gdp_are_one_fact_of_the_ally_named_before(tmp_path: Path) -> None:
    text = HEAD + (
        "Ottawa announced an extra C$9 billion for the armed forces on Monday. That brings "
        "total defence outlays to $48.3 billion, equal to 2%, meeting the NATO target.\n"
    )
    got = [
        (f.kind, f.fields["actors"]["ally"], f.fields.get("value"), f.fields.get("share_of_gdp"))
        for f in _facts(tmp_path, text)
        if f.kind in ("spending", "pledge")
    ]
    assert got == [("spending", "CAN", 48.3e9, 2.0)]
    (fact,) = [f for f in _facts(tmp_path, text) if f.kind == "spending"]
    assert fact.fields["currency"] == "CAD"  # a bare "$" of Canada's budget


def test_amount_with_a_conversion_then_its_share(tmp_path: Path) -> None:
    text = HEAD + (
        "Romania's cabinet set defence spending for 2026 at RON 62 billion (about €12.4 "
        "billion), equivalent to 2.5% of GDP.\n"
    )
    (fact,) = _facts(tmp_path, text)
    assert (fact.kind, fact.fields["actors"]["ally"], fact.fields["value"]) == (
        "spending", "ROU", 62e9)  # fmt: skip
    assert (fact.fields["currency"], fact.fields["share_of_gdp"], fact.fields["year"]) == (
        "RON", 2.5, 2026)  # fmt: skip
    assert fact.fields["alt_values"] == [{"value": 12.4e9, "currency": "EUR"}]


def test_all_allies_meeting_the_share(tmp_path: Path) -> None:
    text = HEAD + (
        "Officials said all member states are expected to hit the guideline of 2 percent of "
        "GDP on defence this year.\n"
    )
    assert _shares(_facts(tmp_path, text)) == {("spending", "NATO", 2.0, 2026)}


def test_shares_of_a_common_budget_are_not_shares_of_gdp(tmp_path: Path) -> None:
    text = HEAD + (
        "Allies also pay into the alliance's civil budget for defence. Canada's share of the "
        "civil budget is about 6.9%, followed by Italy (8.5%), Spain (5.9%) and Poland (3.2%).\n"
    )
    assert _facts(tmp_path, text) == []


def test_a_long_article_is_searched_for_names_paragraph_by_paragraph(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The gazetteer's fuzzy pass grows with the square of the text it is given: a 5 MB
    file searched whole took minutes."""
    from materiel.ingest.gazetteer import Gazetteer

    searched: list[int] = []
    find = Gazetteer.find

    def spy(self: Gazetteer, text: str) -> Any:
        searched.append(len(text))
        return find(self, text)

    monkeypatch.setattr(Gazetteer, "find", spy)
    paragraph = "Poland: 4.1, Spain: 1.3 and Italy: 1.5 are shares of GDP spent on defence.\n\n"
    facts = _facts(tmp_path, HEAD + paragraph * 400)
    assert len(facts) >= 3 and max(searched) < 1000


def test_a_table_in_the_comments_of_a_page_gives_nothing(tmp_path: Path) -> None:
    rows = "".join(
        f"<tr><td>{ally}</td><td>{share}</td></tr>"
        for ally, share in (("Poland", "4.7"), ("Estonia", "3.4"), ("Latvia", "3.5"))
    )
    page = (
        "<html><body><article><h1>Allies raise defence spending</h1>"
        "<p>Published 3 March 2026. Ministers in Brussels compared their defence budgets "
        "and agreed to publish the figures next month.</p></article>"
        "<section class='comments'><p>A reader wrote:</p>"
        f"<table><tr><th>Ally</th><th>Defence spending 2026 (% of GDP)</th></tr>{rows}</table>"
        "</section></body></html>"
    )
    assert _facts(tmp_path, page, "c.html") == []


def test_a_count_of_allies_without_a_year_is_no_fact(tmp_path: Path) -> None:
    text = "Alliance budgets\n\nSeventeen of the 31 allies will meet the 2% guideline this year.\n"
    assert _counts(_facts(tmp_path, text)) == set()
    dated = "Alliance budgets\n\nBy A. Reporter | 3 March 2026\n\n" + text.split("\n\n")[1]
    assert _counts(_facts(tmp_path, dated, "d.txt")) == {(17, 31, 2.0, 2026)}


def test_list_of_budgets_gives_an_amount_for_each_ally(tmp_path: Path) -> None:
    text = HEAD + (
        "The largest defence budgets in Europe in 2025: Germany ($88.5 billion), the United "
        "Kingdom ($81.1 billion) and France ($64.0 billion).\n"
    )
    got = {
        (f.kind, f.fields["actors"]["ally"], f.fields["value"], f.fields["currency"],
         f.fields["year"])
        for f in _facts(tmp_path, text)
    }  # fmt: skip
    assert got == {
        ("spending", "DEU", 88.5e9, "USD", 2025),
        ("spending", "GBR", 81.1e9, "USD", 2025),
        ("spending", "FRA", 64.0e9, "USD", 2025),
    }


def test_list_of_aid_amounts_is_not_spending(tmp_path: Path) -> None:
    text = HEAD + (
        "Military aid to Ukraine in 2025, on top of their own defence spending: Germany: €7bn, "
        "Denmark: €3bn, Norway: €2.9bn.\n"
    )
    assert not [f for f in _facts(tmp_path, text) if f.kind in ("spending", "pledge")]


def test_bulleted_lists_in_markdown_and_text(tmp_path: Path) -> None:
    md = HEAD + (
        "Defence spending in 2025 as a share of GDP:\n\n"
        "- Romania: 2.31%\n- Bulgaria: 2.09%\n- Hungary: 2.11%\n"
    )
    txt = HEAD + (
        "Defence expenditure, % of GDP (2025 estimates)\n"
        "• Romania – 2.31\n• Bulgaria – 2.09\n• Hungary – 2.11\n"
    )
    expected = {("spending", a, v, 2025) for a, v in (("ROU", 2.31), ("BGR", 2.09), ("HUN", 2.11))}
    assert _shares(_facts(tmp_path, md, "l.md")) == expected
    assert _shares(_facts(tmp_path, txt, "l.txt")) == expected


def test_tab_separated_table_with_its_caption_below(tmp_path: Path) -> None:
    text = HEAD + (
        "Country\t2024\t2025e\nRomania\t2.25\t2.31\nBulgaria\t2.18\t2.09\nHungary\t2.11\t2.11\n"
        "(defence spending, % of GDP)\n"
    )
    assert len(_shares(_facts(tmp_path, text))) == 6
    assert ("spending", "BGR", 2.18, 2024) in _shares(_facts(tmp_path, text))
    assert ("spending", "BGR", 2.09, 2025) in _shares(_facts(tmp_path, text))


def test_a_proposal_that_all_allies_should_spend_more_is_no_spending(tmp_path: Path) -> None:
    text = HEAD + "Romania's president proposed that all allies should spend at least 4% of GDP.\n"
    assert not [f for f in _facts(tmp_path, text) if f.fields["actors"].get("ally") == "NATO"]


#: Markdown tables laid out in other ways, and the facts each gives.
LAYOUTS = {
    "bold names and percent cells": (
        "NATO figures show defence spending as a share of GDP.\n\n"
        "| | 2024 | 2025 |\n|:--|--:|--:|\n| **Romania** | 2.25% | 2.31% |\n"
        "| **Hungary** | 2.11% | 2.11% |\n",
        {("ROU", 2.25, 2024), ("ROU", 2.31, 2025), ("HUN", 2.11, 2024), ("HUN", 2.11, 2025)},
    ),
    "allies as columns": (
        "Baltic defence spending, % of GDP\n\n"
        "| Year | Estonia | Latvia | Lithuania |\n|---|---|---|---|\n"
        "| 2024 | 3.43 | 3.15 | 2.85 |\n| 2025 | 3.38 | 3.73 | 4.00 |\n",
        {("EST", 3.43, 2024), ("LVA", 3.15, 2024), ("LTU", 2.85, 2024),
         ("EST", 3.38, 2025), ("LVA", 3.73, 2025), ("LTU", 4.0, 2025)},
    ),
}  # fmt: skip


@pytest.mark.parametrize("layout", LAYOUTS)
def test_markdown_tables_laid_out_otherwise(tmp_path: Path, layout: str) -> None:
    table, expected = LAYOUTS[layout]
    got = _shares(_facts(tmp_path, HEAD + table, "t.md"))
    assert got == {("spending", ally, share, year) for ally, share, year in expected}


def test_table_year_from_the_heading_above_it(tmp_path: Path) -> None:
    text = HEAD + (
        "## Defence spending in 2024\n\nThe alliance's figures, as a share of GDP:\n\n"
        "| Ally | Share |\n|---|---|\n| Romania | 2.25 |\n| Hungary | 2.11 |\n"
    )
    assert _shares(_facts(tmp_path, text, "h.md")) == {
        ("spending", "ROU", 2.25, 2024),
        ("spending", "HUN", 2.11, 2024),
    }
