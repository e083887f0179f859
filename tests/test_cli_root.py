from materiel.cli.main import main


def test_help_lists_and_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "materiel" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error_not_a_traceback(capsys):
    code = main(["no-such-command"])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out


def test_an_interrupted_command_exits_130_and_says_so(capsys, monkeypatch):
    # Typer returns 130 on Ctrl-C rather than raising; a command stopped half way (a
    # sweep that wrote no table) must not report success.
    import materiel.cli.main as cli

    monkeypatch.setattr(cli, "app", lambda **_kwargs: 130)
    assert main(["plan", "nato-2024"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_a_keyboard_interrupt_exits_130(capsys, monkeypatch):
    import materiel.cli.main as cli

    def stop(**_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "app", stop)
    assert main(["plan", "nato-2024"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_public_functions_survive_importing_their_packages():
    # `materiel.simulate` and `materiel.sweep` are functions; their packages are named
    # apart (simulation, sweeps), so importing a submodule cannot bind a module over them.
    import materiel
    import materiel.simulation.result
    import materiel.sweeps.run

    assert callable(materiel.simulate) and not isinstance(materiel.simulate, type(materiel))
    assert callable(materiel.sweep) and not isinstance(materiel.sweep, type(materiel))
    assert materiel.simulate.__module__ == "materiel.simulation.api"
    assert materiel.sweep.__module__ == "materiel.sweeps.run"
