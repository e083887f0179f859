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

    monkeypatch.setattr(cli, "app_for", lambda _args: lambda **_kwargs: 130)
    assert main(["plan", "nato-2024"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_a_keyboard_interrupt_exits_130(capsys, monkeypatch):
    import materiel.cli.main as cli

    def stop(**_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "app_for", lambda _args: stop)
    assert main(["plan", "nato-2024"]) == 130
    assert "interrupted" in capsys.readouterr().err


def _shape(command):
    """A command's name, help, parameters and (a group's) commands, each the same way."""
    params = [(p.name, p.opts, p.required, p.default, p.multiple) for p in command.params]
    subs = getattr(command, "commands", {})
    return command.name, command.help, params, {k: _shape(v) for k, v in subs.items()}


def test_a_command_is_run_from_an_app_of_that_command_alone():
    # The app built for one command holds it alone, with the same parameters, help and
    # group commands as in the whole app; an option or an unknown name gets the whole app.
    from typer.main import get_command

    from materiel.cli.main import app, app_for

    whole = get_command(app)
    names = sorted(whole.commands)
    assert {"ingest", "facts", "plan", "track", "db", "serve", "version"} <= set(names)
    for name in names:
        slim = get_command(app_for([name, "--help"]))
        assert list(slim.commands) == [name], name
        ours, theirs = slim.commands[name], whole.commands[name]
        assert _shape(ours) == _shape(theirs), name
        assert slim.help == whole.help and slim.name == whole.name == "materiel"
    for args in ([], ["--help"], ["no-such-command"], ["--version"]):
        assert app_for(args) is app


def test_a_command_of_the_slim_app_runs_as_in_the_whole_app(capsys):
    from materiel.version import __version__

    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == __version__
    assert main(["facts"]) == 2  # a group without its command: its usage, not a traceback
    captured = capsys.readouterr()
    assert "review" in captured.out + captured.err and "Traceback" not in captured.err


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
