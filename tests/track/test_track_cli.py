"""``materiel track ...`` through materiel.cli.main: outputs, and bad input exiting with 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from materiel.cli import main


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
    frame = pd.read_csv(out)
    assert int(frame[frame["member"]]["meets"].sum()) == 1  # Poland, 4.12
    assert frame["source"].str.contains("NATO").all()


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
        capsys, "aid", "--eur-usd", "1.08", "--pledge", "40e9", "--aid-years", "3", "-f", "json"
    )
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
    ["aid", "--pledge", "40e9"],
    ["aid", "--pledge", "40e9", "--currency", "USD", "--aid-years", "3"],
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
    argv = ["track", "pledges", "add", "--ally", "UK", "--kind", "aid", "--value", "3e9"]
    assert main([*argv, "--unit", "GBP", "--source", "s", "-f", "csv"]) == 0
    captured = capsys.readouterr()
    rows = captured.out.strip().splitlines()
    assert len(rows) == 2 and rows[0].startswith("id,") and "P0001,GBR" in rows[1]
    assert "added P0001" in captured.err
