"""Sweeps run in this process and in local processes: the table, the cache, bad input."""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

import pandas as pd
import pytest
from sweep_kit import VARY, small_scenario

import materiel
from materiel.cli import main
from materiel.errors import InputError
from materiel.sweep import backends
from materiel.sweep.levers import parse_vary


def test_a_row_per_combination_and_the_levers_take_effect(tmp_path: Path) -> None:
    table = materiel.sweep(small_scenario(tmp_path / "s"), VARY, workers=1)
    assert len(table) == 8
    assert list(table.columns[:3]) == [
        "lines.L1.ceiling",
        "policy.contract_months",
        "policy.pooling",
    ]
    assert (
        table[["lines.L1.ceiling", "policy.contract_months", "policy.pooling"]]
        .drop_duplicates()
        .shape[0]
        == 8
    )
    assert (table["status"] == "optimal").all()
    # 5/month for 12 months cannot make 80; a ceiling of 20 can
    low = table[table["lines.L1.ceiling"] == "5"]
    high = table[table["lines.L1.ceiling"] == "20"]
    assert (low["met_by_date"] == 0).all() and (low["lines_expanded"] == 0).all()
    assert (high["met_by_date"] == 1).all() and (high["lines_expanded"] == 1).all()
    assert (high["weighted_shortfall"] < low["weighted_shortfall"].min()).all()
    assert high["months_to_target:SHELL"].notna().all()
    assert low["months_to_target:SHELL"].isna().all()


def test_local_processes_give_the_same_table_as_one_process(tmp_path: Path) -> None:
    folder = small_scenario(tmp_path / "s")
    inline = materiel.sweep(folder, VARY, workers=1)
    pooled = materiel.sweep(folder, VARY, workers=2)
    pd.testing.assert_frame_equal(inline, pooled)


def test_writes_table_charts_and_resumes_after_an_interruption(tmp_path, monkeypatch) -> None:
    folder = small_scenario(tmp_path / "s")
    out = tmp_path / "out"
    calls: list[tuple[str, ...]] = []
    real = backends.run_combination

    def counting(base, overrides, futures=None, seed=0):
        calls.append(overrides)
        return real(base, overrides, futures, seed)

    monkeypatch.setattr(backends, "run_combination", counting)

    def interrupt(done: int, total: int, row: dict) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        materiel.sweep(folder, VARY, workers=1, out=out, on_result=interrupt)
    assert len(calls) == 3
    assert len(list((out / "cache").glob("*.json"))) == 3
    first_three = list(calls)
    table = materiel.sweep(folder, VARY, workers=1, out=out)
    assert len(calls) == 8  # the five left, none of the three again
    assert not set(first_three) & set(calls[3:])
    assert table.attrs == {"computed": 5, "cached": 3, "scenario": "test"}
    again = materiel.sweep(folder, VARY, workers=1, out=out)
    assert len(calls) == 8 and again.attrs["computed"] == 0
    pd.testing.assert_frame_equal(table, again)
    on_disk = pd.read_parquet(out / "sweep.parquet")
    assert len(on_disk) == 8 and (out / "sweep.csv").is_file()
    charts = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert charts == [
        "months_to_target_by_lines.L1.ceiling.png",
        "months_to_target_by_policy.contract_months.png",
        "months_to_target_by_policy.pooling.png",
    ]
    # another scenario (a changed table) is not served from this cache
    changed = materiel.sweep(folder, VARY[:1], workers=1, out=out, overrides=["horizon=13"])
    assert changed.attrs == {"computed": 2, "cached": 0, "scenario": "test"}


def test_spending_path_is_a_lever(tmp_path: Path) -> None:
    folder = small_scenario(tmp_path / "s")
    table = materiel.sweep(
        folder,
        ["spending.path=given,current", "spending.modelled_part=5,50"],
        workers=1,
        overrides=[
            "allies.AAA.gdp=1",
            "allies.AAA.defence_share=2",
            "allies.AAA.equipment_share=50",
        ],
    )
    budget = table.set_index(["spending.path", "spending.modelled_part"])["budget"]
    assert budget[("given", "5")] == budget[("given", "50")] == pytest.approx(1e6)
    assert budget[("current", "5")] == pytest.approx(1e9 * 0.02 * 0.5 * 0.05)
    assert budget[("current", "50")] == pytest.approx(10 * budget[("current", "5")])


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("policy.pooling", "write KEY=VALUE1,VALUE2"),
        ("=1,2", "write KEY=VALUE1,VALUE2"),
        ("policy.pooling=true,,false", "empty value"),
        ("policy.pooling=true,true", "given twice"),
        ("policy.speed=1,2", "unknown lever 'policy.speed'"),
        ("budget=1,2", "unknown lever 'budget'"),
    ],
)
def test_malformed_vary_and_unknown_levers(vary: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_vary(vary)


def test_points_paths_keep_their_commas() -> None:
    lever = parse_vary("spending.path=current,points:2027=2.5,2035=3.5,reach:2@2030")
    assert lever.values == ("current", "points:2027=2.5,2035=3.5", "reach:2@2030")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "policy.pooling"], "write KEY=VALUE1,VALUE2"),
        (["--vary", "policy.nonsense=1,2"], "unknown lever"),
        (["--vary", "spending.path=current,reach:3.5@2020"], "not after the base year"),
        (["--vary", "policy.contract_months=12,0"], "policy.contract_months=0"),
        (["--vary", "lines.NOPE.ceiling=1,2"], "no row of lines"),
        (
            ["--vary", "policy.pooling=true,false", "--vary", "policy.pooling=true"],
            "more than once",
        ),
        (["--vary", "policy.pooling=true,false", "--simulate", "100"], "needs the simulator"),
        (["--vary", "policy.pooling=true,false", "--workers", "0"], "--workers"),
    ],
)
def test_bad_sweeps_exit_2_with_a_message(
    tmp_path: Path, capsys, monkeypatch, args, message
) -> None:
    monkeypatch.setitem(sys.modules, "materiel.simulate", None)  # no simulator here
    folder = small_scenario(tmp_path / "s")
    code = main(["sweep", str(folder), *args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in " ".join(err.split())
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "sweep.csv").exists()


def test_an_unreachable_scheduler_fails_within_seconds(tmp_path: Path, capsys) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = small_scenario(tmp_path / "s")
    started = time.monotonic()
    code = main(
        [
            "sweep",
            str(folder),
            "--vary",
            "policy.pooling=true,false",
            "--out",
            str(tmp_path / "o"),
            "--scheduler",
            f"tcp://127.0.0.1:{port}",
        ]
    )
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot reach a Dask scheduler at 'tcp://127.0.0.1:{port}'" in " ".join(err.split())
    assert elapsed < backends.CONNECT_TIMEOUT + 5


def test_sweep_command_prints_the_table(tmp_path: Path, capsys) -> None:
    folder = small_scenario(tmp_path / "s")
    args = ["sweep", str(folder), "--vary", "lines.L1.ceiling=5,20", "--workers", "1"]
    args += ["--out", str(tmp_path / "out")]
    assert main(args) == 0
    assert "2 computed, 0 from the cache" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 computed, 2 from the cache" in capsys.readouterr().out


def test_simulate_calls_the_simulator_with_each_plan(tmp_path: Path, monkeypatch) -> None:
    """The simulator's interface: simulate(plan, scenario, futures=N, seed=S) returning an
    object whose .targets has ally, group, probability, ci_low, ci_high."""
    calls: list[tuple[object, int, int]] = []

    def simulate(plan, scenario, futures, seed):
        calls.append((plan.scenario_digest == scenario.digest(), futures, seed))
        met = plan.targets["met_by_date"].astype(float)
        targets = pd.DataFrame(
            {
                "ally": plan.targets["ally"],
                "group": plan.targets["group"],
                "probability": 0.25 + 0.5 * met,
                "ci_low": 0.0,
                "ci_high": 1.0,
            }
        )
        return types.SimpleNamespace(targets=targets)

    fake = types.ModuleType("materiel.simulate")
    fake.simulate = simulate  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "materiel.simulate", fake)
    folder = small_scenario(tmp_path / "s")
    out = tmp_path / "out"
    table = materiel.sweep(folder, VARY[:1], workers=1, simulate=500, seed=7, out=out)
    assert calls == [(True, 500, 7), (True, 500, 7)]
    p = table.set_index("lines.L1.ceiling")["p:SHELL"]
    assert p["5"] == 0.25 and p["20"] == 0.75  # target missed, then met, by its date
    assert table["p_mean"].tolist() == table["p:SHELL"].tolist()
    # another number of futures is another result; the same one is cached
    assert (
        materiel.sweep(folder, VARY[:1], workers=1, simulate=500, seed=7, out=out).attrs["computed"]
        == 0
    )
    assert (
        materiel.sweep(folder, VARY[:1], workers=1, simulate=100, seed=7, out=out).attrs["computed"]
        == 2
    )
