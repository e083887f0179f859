from materiel.cli import main


def test_help_lists_and_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "materiel" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error_not_a_traceback(capsys):
    code = main(["no-such-command"])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
