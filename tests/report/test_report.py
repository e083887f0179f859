"""The report of a plan: every file written, self-contained, hostile text escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from materiel.cli.main import main
from materiel.planner.api import plan
from materiel.report.write import write_report
from tests.scenario_kit import base_tables, demand_row, write_scenario

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def hostile_plan(tmp_path_factory: pytest.TempPathFactory):
    tables = base_tables()
    tables["items"][0]["name"] = HOSTILE
    tables["items"][0]["unit_price"] = 100
    folder = write_scenario(tmp_path_factory.mktemp("s") / "hostile", tables)
    return plan(folder, explain=1, compare_pooling=True)


def test_every_file_is_written(hostile_plan, tmp_path: Path) -> None:
    files = write_report(hostile_plan, tmp_path / "out")
    for stem in ("targets", "spending", "capacity_added", "orders", "bottlenecks", "pooling"):
        assert (tmp_path / "out" / f"{stem}.csv").is_file()
        frame = pd.read_parquet(tmp_path / "out" / f"{stem}.parquet")
        assert list(frame.columns) == list(pd.read_csv(tmp_path / "out" / f"{stem}.csv").columns)
    for chart in files.charts.values():
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sheets = load_workbook(files.workbook, read_only=True).sheetnames
    assert {"summary", "targets", "spending", "capacity_added"} <= set(sheets)


def test_targets_table_matches_the_plan(hostile_plan, tmp_path: Path) -> None:
    write_report(hostile_plan, tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "targets.csv")
    assert len(table) == len(hostile_plan.targets)
    assert table["target"].tolist() == hostile_plan.targets["target"].tolist()


def test_html_is_self_contained_and_escapes_text(hostile_plan, tmp_path: Path) -> None:
    page = write_report(hostile_plan, tmp_path / "out").html.read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "&lt;script&gt;" in page
    # no external assets: every src is a data URI, no stylesheet or script from elsewhere
    assert all(
        src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', page)
    )
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page


def test_workbook_defuses_formulas(tmp_path: Path) -> None:
    tables = base_tables()
    tables["items"][0]["name"] = '=HYPERLINK("x")'
    folder = write_scenario(tmp_path / "f", tables)
    files = write_report(plan(folder, explain=0, compare_pooling=False), tmp_path / "out")
    sheet = load_workbook(files.workbook)["targets"]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("x")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_plan_command_writes_report_and_prints_summary(tmp_path: Path, capsys) -> None:
    folder = write_scenario(tmp_path / "c", base_tables())
    code = main(["plan", str(folder), "--out", str(tmp_path / "out"), "--explain", "0"])
    printed = capsys.readouterr().out
    assert code == 0
    assert (tmp_path / "out" / "report.html").is_file()
    assert "Targets furthest from being met" in printed
    assert "Alliance:" in printed
    # the folder's path may be wrapped at the console's width (longer under pytest-xdist)
    assert "report.html" in "".join(printed.split())


def test_plan_command_bad_override_is_exit_2(tmp_path: Path, capsys) -> None:
    folder = write_scenario(tmp_path / "c", base_tables())
    code = main(["plan", str(folder), "--set", "policy.pooling=maybe"])
    captured = capsys.readouterr()
    assert code == 2
    assert "policy.pooling" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_plan_command_prints_names_with_brackets_as_written(tmp_path: Path, capsys) -> None:
    tables = base_tables()
    tables["items"][0]["name"] = "Shell [M795] /bold"
    tables["stockpiles"][0]["target"] = 200  # beyond 10/month for 12 months: the line binds
    folder = write_scenario(tmp_path / "b", tables)
    assert main(["plan", str(folder), "--out", str(tmp_path / "out"), "--explain", "1"]) == 0
    out = capsys.readouterr().out
    # the table wraps the name over lines; markup would have swallowed "[M795]"
    assert out.count("[M795]") >= 2  # in the targets table and in the bottleneck sentence


def test_tables_are_rounded_to_their_units_in_csv_not_in_parquet() -> None:
    from materiel.report.write import rounded

    frame = pd.DataFrame(
        {
            "ally": ["AAA", "BBB", "CCC", "DDD"],
            "stock": [-0.0, 49.9999997, 2.9e-07, 119.99999982],
            "amount": [1234.4999, -1e-9, 5e6 + 0.3, 7.0],
            "unmet_pct": [12.3456, -0.0, 0.0, 100.0],
            "shadow_price": [1.23456789e-5, 0.0, -2.5e-12, 3.0],
        }
    )
    frame.attrs["units"] = {"stock": "units", "amount": "USD"}
    out = rounded(frame, "USD")
    assert out["stock"].tolist() == [0.0, 50.0, 0.0, 120.0]
    assert out["amount"].tolist() == [1234.0, 0.0, 5000000.0, 7.0]
    assert out["unmet_pct"].tolist() == [12.35, 0.0, 0.0, 100.0]
    assert out["shadow_price"].tolist()[0] == pytest.approx(1.23457e-5, rel=1e-9)
    text = out.to_csv(index=False)
    assert "-0.0" not in text and "e-07" not in text and "99999" not in text
    # the frame itself keeps full precision (Parquet is written from it)
    assert frame.at[1, "stock"] == 49.9999997


def test_workbook_summary_holds_no_python_objects(hostile_plan, tmp_path: Path) -> None:
    files = write_report(hostile_plan, tmp_path / "out")
    sheet = load_workbook(files.workbook, read_only=True)["summary"]
    values = [str(row[1]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values and not any(v.startswith(("{", "[")) for v in values)
    whats = [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "pooling: money_saved" in whats and "unmet_demand_total" in whats


def test_unmet_demand_is_in_every_output(tmp_path: Path, capsys) -> None:
    # Aid of 15 a month from a line of 10 and no stock: 5 a month unmet, 60 in the year,
    # all of it aid to UKR; the CSV, the workbook, the page and the printed summary say so.
    tables = base_tables(capacity=10, ceiling=10, lead_time=0)
    tables["stockpiles"] = [{"ally": "AAA", "item": "SHELL", "initial": 0}]
    tables["demand"] = [demand_row(15, "2025-01", "2025-12", recipient="UKR")]
    folder = write_scenario(tmp_path / "aid", tables, policy={"industry_rule_months": 0})
    out = tmp_path / "out"
    assert main(["plan", str(folder), "--out", str(out), "--explain", "0"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "Unmet demand: 60 of 180 units (33.3%)" in printed
    assert "aid to UKR: 60 of 180 units not delivered" in printed
    monthly = pd.read_csv(out / "unmet_demand.csv")
    assert monthly["unmet"].sum() == pytest.approx(60)
    assert monthly["aid_unmet"].sum() == pytest.approx(60)
    yearly = pd.read_csv(out / "unmet_by_year.csv")
    assert yearly[["ally", "year", "unmet"]].values.tolist() == [["AAA", 2025, 60.0]]
    assert "unmet_by_year" in load_workbook(out / "plan.xlsx", read_only=True).sheetnames
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Unmet demand: 60 of 180 units (33.3%)" in page
    assert "33.3%</b>of demand unmet" in page
