"""``materiel track ...`` through materiel.cli.main: outputs, and bad input exiting with 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from materiel.cli.main import main
from materiel.track.spending import spending


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["track", *argv])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, text


def test_spending_table_prints_the_count_and_source(capsys):
    code, text = run(capsys, "spending", "--year", "2024")
    assert code == 0
    assert "23 of 32 allies" in text and "Source: NATO" in text and "2024e" in text


def test_spending_json_and_csv(capsys, tmp_path: Path):
    code, text = run(capsys, "spending", "--year", "2014", "--format", "json")
    assert code == 0
    payload = json.loads(text)
    assert payload["meta"]["meeting"] == 3 and payload["sources"]
    out = tmp_path / "s.csv"
    assert run(capsys, "spending", "--threshold", "3.5", "--out", str(out))[0] == 0
    frame = pd.read_csv(out, comment="#")
    assert int(frame[frame["member"]]["meets"].sum()) == 1  # Poland, 4.12
    lines = out.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert lines[: len(header)] == header and "source" not in frame.columns
    assert sum("# source: NATO" in line and "Table 3" in line for line in header) == 1


def test_xlsx_and_charts_are_written(capsys, tmp_path: Path):
    xlsx, png, svg = tmp_path / "a.xlsx", tmp_path / "a.png", tmp_path / "o.svg"
    assert run(capsys, "aid", "--out", str(xlsx), "--chart", str(png))[0] == 0
    about = pd.read_excel(xlsx, sheet_name="about")
    assert about["value"].str.contains("Kiel").any()
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert run(capsys, "outlook", "--target", "2", "--by", "2030", "--chart", str(svg))[0] == 0
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_aid_with_rate_and_pledge(capsys):
    code, text = run(
        capsys, "aid", "--eur-usd", "1.08", "--pledge", "40", "--aid-period", "2022-01:2024-12",
        "-f", "json",
    )  # fmt: skip
    assert code == 0
    payload = json.loads(text)
    assert any("40.0 bn" in s for s in payload["summary"])
    assert any("1.08" in a and "user assumption" in a for a in payload["assumptions"])


def test_pledges_add_then_list(capsys, ledger_path: Path):
    code, text = run(
        capsys, "pledges", "add", "--ally", "Türkiye", "--kind", "spending", "--value", "2.5",
        "--by", "2027", "--source", "test", "--date", "2025-01-31",
    )  # fmt: skip
    assert code == 0 and "P0001" in text
    code, text = run(capsys, "pledges", "list", "--ally", "Turkey", "-f", "json")
    rows = json.loads(text)["rows"]
    assert code == 0 and [(r["id"], r["ally"], r["by_year"]) for r in rows] == [
        ("P0001", "TUR", 2027)
    ]
    code, text = run(capsys, "pledges", "list", "-f", "json")
    assert len(json.loads(text)["rows"]) == 8


BAD = [
    ["spending", "--year", "2030"],
    ["spending", "--year", "twenty"],
    ["spending", "--threshold", "abc"],
    ["spending", "--threshold", "nan"],
    ["spending", "--threshold", "-1"],
    ["spending", "--format", "pdf"],
    ["spending", "--format", "xlsx"],
    ["spending", "--chart", "chart.pdf"],
    ["outlook", "--by", "2020"],
    ["outlook", "--years", "1"],
    ["outlook", "--target", "inf"],
    ["aid", "--pledge", "40"],
    ["aid", "--pledge", "40", "--currency", "USD", "--aid-period", "2022-01:2024-12"],
    # Wrong today (2, 5): read as EUR 40, a period without a pledge, an implausible rate.
    ["aid", "--pledge", "40e9", "--aid-period", "2022-01:2024-12"],
    ["aid", "--pledge", "forty", "--aid-period", "2022-01:2024-12"],
    ["aid", "--aid-period", "2022-01:2024-12"],
    ["aid", "--period-source", "s"],
    ["aid", "--eur-usd", "1000"],
    # Wrong today (5): a text table written under a .pdf name; a mistyped ledger path.
    ["spending", "-o", "x.pdf"],
    ["spending", "-f", "csv", "-o", "x.json"],
    ["pledges", "list", "--ledger", "no-such-ledger.json"],
    ["outlook", "--ledger", "no-such-ledger.json"],  # read only with --method pledge
    ["aid", "--ledger", "no-such-ledger.json"],  # read only with --pledge ID
    ["outlook", "--method", "pledge", "--ledger", "no-such-ledger.json"],
    # Wrong today (4): a non-ally, the recipient, an unknown unit, a future date.
    ["pledges", "add", "--ally", "Japan", "--kind", "spending", "--value", "2", "--source", "s"],
    ["pledges", "add", "--ally", "Ukraine", "--kind", "aid", "--value", "2", "--unit", "EUR",
     "--source", "s"],
    ["pledges", "add", "--ally", "DEU", "--kind", "aid", "--value", "2", "--unit", "XYZ",
     "--source", "s"],
    ["pledges", "add", "--ally", "DEU", "--kind", "spending", "--value", "2", "--source", "s",
     "--date", "2999-01-01"],
    ["pledges", "update", "P0001", "--status", "met"],
    ["pledges", "remove", "P0001"],
    ["aid", "--eur-usd", "0"],
    ["aid", "--gdp-year", "1990"],
    ["aid", "--measure", "promised"],
    ["pledges", "list", "--ally", "Narnia"],
    ["pledges", "list", "--kind", "wish"],
    ["pledges", "add", "--ally", "Narnia", "--kind", "spending", "--value", "2", "--source", "s"],
    ["pledges", "add", "--ally", "DEU", "--kind", "spending", "--value", "-2", "--source", "s"],
    ["pledges", "add", "--ally", "DEU", "--kind", "spending", "--value", "2"],
    ["pledges", "add", "--ally", "DEU", "--kind", "spending", "--value", "2", "--source", "s",
     "--date", "yesterday"],
]  # fmt: skip


@pytest.mark.parametrize("argv", BAD, ids=lambda a: " ".join(a))
def test_bad_input_exits_2_with_a_message_and_writes_nothing(capsys, ledger_path: Path, argv):
    code, text = run(capsys, *argv)
    assert code == 2
    assert "error" in text.lower() or "invalid" in text.lower()
    assert not ledger_path.exists()


def test_csv_on_stdout_stays_clean_and_status_goes_to_stderr(capsys, ledger_path: Path):
    argv = ["track", "pledges", "add", "--ally", "UK", "--kind", "aid", "--value", "3"]
    assert main([*argv, "--unit", "GBP", "--source", "s", "-f", "csv"]) == 0
    captured = capsys.readouterr()
    rows = [r for r in captured.out.strip().splitlines() if not r.startswith("#")]
    assert len(rows) == 2 and rows[0].startswith("id,") and "P0001,GBR" in rows[1]
    assert "added P0001" in captured.err


def test_pledges_without_a_command_lists_the_ledger(capsys, ledger_path: Path):
    """Wrong today (6): the README's `materiel track pledges` printed help and exited 2."""
    code, text = run(capsys, "pledges", "-f", "json")
    assert code == 0 and len(json.loads(text)["rows"]) == 7  # the built-in pledges


def test_duplicates_are_refused_and_pledges_can_be_updated_and_removed(capsys, ledger_path: Path):
    """Wrong today (4): 12 identical pledges went in silently; nothing could be changed."""
    add = ["pledges", "add", "--ally", "ESP", "--kind", "spending", "--value", "2", "--by", "2029"]
    add += ["--source", "s", "--unit", "%"]
    assert run(capsys, *add)[0] == 0
    code, text = run(capsys, *add)
    assert code == 2 and "P0001" in text
    assert run(capsys, "pledges", "add", "--ally", "PL", "--kind", "aid", "--value", "1",
               "--unit", "eur", "--source", "s")[0] == 2  # fmt: skip
    assert run(capsys, "pledges", "add", "--ally", "POL", "--kind", "aid", "--value", "1",
               "--unit", "eur", "--source", "s")[0] == 0  # fmt: skip
    assert run(capsys, "pledges", "update", "P0001", "--value", "2.1")[0] == 0
    assert run(capsys, "pledges", "withdraw", "P0001", "--source", "later report")[0] == 0
    assert run(capsys, "pledges", "remove", "P0002")[0] == 0
    rows = json.loads(run(capsys, "pledges", "list", "--no-builtin", "-f", "json")[1])["rows"]
    assert [(r["id"], r["value"], r["status"], r["source"]) for r in rows] == [
        ("P0001", 2.1, "withdrawn", "later report")
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["aid"],
        ["aid", "--eur-usd", "1.08"],
        ["spending", "--year", "2024"],
        ["outlook"],
        ["pledges"],
    ],
)
def test_an_80_column_table_never_cuts_a_number(capsys, monkeypatch, ledger_path, argv):
    """Wrong today (3): `115.…`, `40,00…`, `total_…` at 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    code, text = run(capsys, *argv, "-f", "json")
    payload = json.loads(text)
    code, text = run(capsys, *argv)
    assert code == 0 and "…" not in text
    assert max(len(line) for line in text.splitlines() if "│" in line) <= 80
    decimals = {"share_pct": 2, "total_allocation": 2, "ratio": 2, "value": 2}
    for row in payload["rows"]:
        for column, places in decimals.items():
            if isinstance(row.get(column), float):
                assert f"{row[column]:,.{places}f}" in text, (column, row[column])


def test_out_txt_writes_the_table(capsys, tmp_path: Path):
    out = tmp_path / "s.txt"
    assert run(capsys, "spending", "-o", str(out))[0] == 0
    assert "23 of 32 allies" in out.read_text(encoding="utf-8")
    assert not (tmp_path / "x.pdf").exists()


def test_csv_rounds_as_shown_and_xlsx_keeps_precision_under_a_format(capsys, tmp_path: Path):
    csv_out, xlsx_out = tmp_path / "s.csv", tmp_path / "s.xlsx"
    assert run(capsys, "spending", "-o", str(csv_out))[0] == 0
    assert run(capsys, "spending", "-o", str(xlsx_out))[0] == 0
    frame = pd.read_csv(csv_out, comment="#").set_index("iso3")
    exact = spending(2024, 2.0).table.set_index("iso3")
    assert frame.at["POL", "exp_usd_mn"] == round(exact.at["POL", "exp_usd_mn"])
    assert frame.at["POL", "real_change_pct"] == round(exact.at["POL", "real_change_pct"], 1)
    assert "34975.0" not in csv_out.read_text(encoding="utf-8")
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx_out)["data"]
    header = [c.value for c in sheet[1]]
    pol = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "POL")
    cell = pol[header.index("exp_usd_mn")]
    assert (
        cell.value == pytest.approx(exact.at["POL", "exp_usd_mn"]) and cell.number_format == "#,##0"
    )
    assert pol[header.index("share_pct")].number_format == "#,##0.00"
