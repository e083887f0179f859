"""Every input is checked before any work starts (issue 20): the same one-line error and
exit code 2 from a risks file, an option or a scheduler address, and no solve first."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import materiel.planner.api
from materiel.cli.main import main
from materiel.errors import InputError
from materiel.planner.api import plan
from materiel.planner.plan import Plan
from materiel.scenario.load import load_scenario
from materiel.scenario.schema import Risks
from materiel.simulation.api import simulate
from tests.scenario_kit import base_tables, write_scenario


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    tables = base_tables()
    tables["allies"].append({"code": "BBB", "name": "Ally B"})
    return write_scenario(tmp_path / "s", tables)


@pytest.fixture
def no_solving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning fails the test: a wrong input must be refused before any solve."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a plan was solved before the input was checked")

    monkeypatch.setattr(materiel.planner.api, "plan", refuse)


def said(capsys: pytest.CaptureFixture[str]) -> str:
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "internal error" not in out.err
    return " ".join((out.err + out.out).split())


@pytest.mark.parametrize("members", [["PLO", "AAA"], ["XXX"], ["POL"]])
def test_a_risks_file_naming_an_ally_not_in_the_scenario_is_refused(
    folder: Path, tmp_path: Path, members: list[str], no_solving: None, capsys
) -> None:
    # POL is a real code, but not an ally of this scenario: refused like a typo.
    risks = tmp_path / "risks.yaml"
    theatres = {"EAST": members}
    risks.write_text(yaml.safe_dump({"surge": {"theatres": theatres}}), encoding="utf-8")
    assert main(["simulate", str(folder), "--risks", str(risks), "--futures", "10"]) == 2
    text = said(capsys)
    wrong = next(m for m in members if m not in ("AAA", "BBB"))
    assert f"names {wrong}" in text and "EAST" in text and "AAA, BBB" in text


def test_the_python_api_refuses_such_risks_too(folder: Path) -> None:
    scenario = load_scenario(folder)
    made = Plan.from_result(plan(scenario, explain=0, compare_pooling=False))
    risks = Risks.model_validate({"surge": {"theatres": {"EAST": ["PLO"]}}})
    with pytest.raises(InputError, match="names PLO"):
        simulate(made, scenario, futures=10, risks=risks)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "not a UTF-8 text file"), (b"", "expected a mapping")],
)
def test_binary_and_empty_risks_files_are_refused_by_name(
    folder: Path, tmp_path: Path, content: bytes, message: str, no_solving: None, capsys
) -> None:
    risks = tmp_path / "risks.yaml"
    risks.write_bytes(content)
    assert main(["simulate", str(folder), "--risks", str(risks), "--futures", "10"]) == 2
    text = said(capsys)
    assert message in text and "risks.yaml" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--simulate", "-5"], "Invalid value for '--simulate'"),
        (["--simulate", "20000000"], "futures must be between 1 and 10,000,000"),
        (["--confidence", "1.5"], "--confidence must lie between 0 and 1"),
    ],
)
def test_plan_refuses_a_wrong_option_before_solving(
    folder: Path, tmp_path: Path, extra: list[str], message: str, no_solving: None, capsys
) -> None:
    assert main(["plan", str(folder), "--out", str(tmp_path / "out"), *extra]) == 2
    assert message in said(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scheduler", "notanaddress"], "is not a scheduler address"),
        (["--scheduler", "tcp://no-such-host.invalid:8786"], "is not known"),
        (["--simulate", "1000000000"], "futures must be between 1 and 10,000,000"),
    ],
)
def test_sweep_refuses_a_wrong_option_before_planning(
    folder: Path, tmp_path: Path, extra: list[str], message: str, no_solving: None, capsys
) -> None:
    args = ["sweep", str(folder), "--vary", "policy.pooling=true,false", "--out"]
    assert main([*args, str(tmp_path / "sweep"), "--workers", "1", *extra]) == 2
    assert message in said(capsys)
    assert not (tmp_path / "sweep" / "cache").exists()


def test_simulate_takes_the_report_folder_of_plan(folder: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report"
    assert (
        main(["plan", str(folder), "--no-pooling-value", "--explain", "0", "--out", str(out)]) == 0
    )
    # the report folder holds the plan in plan/: given the report folder, it is found there
    assert Plan.load(out).tables.keys() == Plan.load(out / "plan").tables.keys()
    code = main(["simulate", str(folder), "--plan", str(out), "--futures", "50"])
    assert code == 0
    text = said(capsys)
    # no aid in this scenario: nothing is said of aid being served
    assert "aid served" not in text.lower()
