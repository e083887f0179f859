"""The ``materiel ingest`` and ``materiel facts review`` commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from materiel.cli.main import main

ARTICLE = (
    "Poland buys tanks\n\nWARSAW, April 4, 2024 - Poland has signed a $6.5 billion contract "
    "with Hyundai Rotem for 180 K2 tanks, the ministry said on Thursday.\n"
)


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_ingest_writes_json_and_goes_on_past_bad_files(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "facts.json"
    code = main(["ingest", str(tmp_path), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "empty.txt: empty file" in captured.err
    assert "bin.txt: binary file" in captured.err
    (fact,) = json.loads(out.read_text())["facts"]
    assert fact["kind"] == "contract"
    assert fact["fields"]["value"] == 6.5e9 and fact["fields"]["date"] == "2024-04-04"
    start, end = fact["span"]
    assert ARTICLE[start:end].startswith("Poland has signed")
    assert fact["sources"][0]["file"] == str(article)


def test_ingest_csv(tmp_path: Path, article: Path) -> None:
    out = tmp_path / "facts.csv"
    assert main(["ingest", str(article), "--out", str(out)]) == 0
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert (row["kind"], row["supplier"], row["currency"]) == ("contract", "HYUNDAI-ROTEM", "USD")


def test_ingest_fails_when_nothing_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.txt").write_text("")
    assert main(["ingest", str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "no article could be read" in err and "missing.txt: no such file" in err


def test_bad_options(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(article), "--date", "10/07/2024"]) == 2
    assert "expected YYYY-MM-DD" in capsys.readouterr().err
    assert main(["ingest", str(article), "--out", "facts.xlsx"]) == 2
    assert main(["ingest", str(article), "--into-store"]) == 2
    assert "store is not available yet" in " ".join(capsys.readouterr().err.split())


def test_extra_gazetteer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Date: 2024-01-01\n\nPoland signed a $2 billion contract with Acme Arms.\n")
    main(["ingest", str(path)])
    assert "supplier=ACME" not in capsys.readouterr().out
    extra = tmp_path / "gaz"
    extra.mkdir()
    (extra / "companies.csv").write_text("id,name,aliases,country\nACME,Acme Arms,,POL\n")
    assert main(["ingest", str(path), "--gazetteer", str(extra)]) == 0
    assert "supplier=ACME" in capsys.readouterr().out


def test_review_accept_edit_reject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = Path(__file__).parent / "corpus"
    out = tmp_path / "facts.json"
    assert main(["ingest", str(corpus / "a06_nato_spending.txt"), "--out", str(out)]) == 0
    ids = [f["id"] for f in json.loads(out.read_text())["facts"]]
    assert len(ids) >= 3
    code = main(
        ["facts", "review", str(out), "--accept", ids[0], "--reject", ids[1],
         "--set", f"{ids[2]} quantity=4", "--note", f"{ids[2]}=checked with ministry"]
    )  # fmt: skip
    assert code == 0
    facts = {f["id"]: f for f in json.loads(out.read_text())["facts"]}
    assert facts[ids[0]]["status"] == "accepted"
    assert facts[ids[1]]["status"] == "rejected"
    assert facts[ids[2]]["fields"]["quantity"] == 4
    assert "checked with ministry" in facts[ids[2]]["note"]
    assert not list(tmp_path.glob(".facts.json.*"))  # no temporary file left
    capsys.readouterr()
    assert main(["facts", "review", str(out), "--status", "accepted"]) == 0
    assert capsys.readouterr().out.count("[accepted]") == 1


def test_review_refuses_unknown_or_contradictory_ids(tmp_path: Path, article: Path) -> None:
    out = tmp_path / "facts.json"
    main(["ingest", str(article), "--out", str(out)])
    before = out.read_text()
    fact_id = json.loads(before)["facts"][0]["id"]
    assert main(["facts", "review", str(out), "--accept", "nope"]) == 2
    assert main(["facts", "review", str(out), "--accept", fact_id, "--reject", fact_id]) == 2
    assert main(["facts", "review", str(out), "--set", f"{fact_id} novalue"]) == 2
    assert out.read_text() == before


def test_the_command_line_starts_without_pandas_or_the_planner(tmp_path: Path) -> None:
    # `materiel ingest` (and `materiel --help`) load the command line and the ingest
    # pipeline only: the scenario package, the tracker and the planner load pandas,
    # xarray and HiGHS, a second and more of start-up (issue 27: start-up under 0.5 s).
    import subprocess
    import sys

    article = tmp_path / "a.txt"
    article.write_text("Germany ordered 100 shells from Rheinmetall.", encoding="utf-8")
    code = (
        "import sys\n"
        "from materiel.cli.main import main\n"
        f"sys.argv = ['materiel', 'ingest', {str(article)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'xarray', 'highspy', 'linopy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
