"""The ``materiel`` command.

Each family of commands is a module of this package (``materiel.cli.plan``,
``materiel.cli.track``, ...) with a ``register(app)``; all are attached here. A command
module imports the domain code it drives inside its commands, so that ``materiel ingest``
starts without loading the planner. Every expected failure is a
:class:`~materiel.errors.MaterielError`; :func:`main` prints it and exits with code 2,
so no traceback reaches a user. ``MATERIEL_DEBUG=1`` shows tracebacks for developers.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from materiel.cli import (
    alternatives,
    ingest,
    national,
    plan,
    scenario,
    serve,
    simulate,
    spending,
    sweep,
    track,
)
from materiel.errors import MaterielError

_SETTINGS: dict[str, Any] = {
    "name": "materiel",
    "help": "Defence industrial capacity and munitions stockpile planning.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
}
app = typer.Typer(**_SETTINGS)

# soft_wrap: an error is printed as one line a problem, for the terminal to wrap: a hard
# break inserted at 80 columns split long file paths where they could not be copied
# (and, with a path of the wrong length, "contracts.csv\n, row 2").
err_console = Console(stderr=True, soft_wrap=True)


@app.command()
def version() -> None:
    """Print the version of materiel."""
    from materiel.version import __version__

    typer.echo(__version__)


for _family in (
    scenario,
    plan,
    alternatives,
    national,
    simulate,
    spending,
    sweep,
    track,
    ingest,
    serve,
):
    _family.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    code: object = 0
    previous = _stop_on_sigterm()
    try:
        code = app_for(args)(args=argv, standalone_mode=False)
    except KeyboardInterrupt:
        code = INTERRUPTED
    except MaterielError as exc:
        err_console.print(Text("error: ", style="bold red") + Text(str(exc)))
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        err_console.print("aborted")
        return 1
    except Exception as exc:  # usage errors of the command-line parser, and the unexpected
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):  # click's (or typer's vendored) errors
            show()
            return exit_code
        if _debug():
            raise
        err_console.print(
            Text("internal error: ", style="bold red")
            + Text(f"{type(exc).__name__}: {exc}\n")
            + Text("This is a bug in materiel; run with MATERIEL_DEBUG=1 for the traceback.")
        )
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    # Typer answers Ctrl-C by returning 130 (not raising) when it does not exit itself: a
    # command stopped half way has not succeeded, and says so.
    if code == INTERRUPTED and args and args[0] in SERVICES:
        return 0  # a server runs until it is stopped: Ctrl-C is how it ends
    if isinstance(code, int) and code != 0:
        if code == INTERRUPTED:
            terminated = _terminated.is_set()
            _terminated.clear()
            err_console.print(f"interrupted by {'SIGTERM' if terminated else 'Ctrl-C'}")
            return TERMINATED if terminated else INTERRUPTED
        return code
    return 0


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command (or group) ``args`` names, else the whole app.

    Typer turns every command's signature into parameters, with a pydantic adapter each,
    whenever the app is called: about 50 ms for all of them, a tenth of ``materiel
    ingest``'s start on a small file. A name it does not know, or an option (``--help``),
    gets the whole app, so that help lists every command and a typo is answered from all
    of them; so does a typer without the helpers used here (``tests/test_cli_root.py``
    checks each command against the whole app)."""
    if not args:
        return app
    try:  # typer's own helpers, so that a name is derived as typer derives it
        from typer.main import get_command_name, solve_typer_info_defaults
    except ImportError:  # a typer without them: the whole app, as before
        return app
    slim = typer.Typer(**_SETTINGS, callback=_root)  # a callback keeps it a group of one
    for command in app.registered_commands:
        callback = command.callback
        if command.name == args[0] or (
            command.name is None and callback and get_command_name(callback.__name__) == args[0]
        ):
            slim.registered_commands.append(command)
            return slim
    for group in app.registered_groups:
        if solve_typer_info_defaults(group).name == args[0]:
            slim.registered_groups.append(group)
            return slim
    return app


def _root() -> None:
    """Defence industrial capacity and munitions stockpile planning."""


def _debug() -> bool:
    """``MATERIEL_DEBUG`` is set: show the traceback of an unexpected error."""
    from materiel.settings import settings

    try:
        return settings().debug
    except MaterielError:  # another setting is wrong: that is not a reason to hide a bug
        return False


#: The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
#: ... and by SIGTERM (128 + 15).
TERMINATED = 143
_terminated = threading.Event()


def _stop_on_sigterm() -> Any:
    """SIGTERM stops a command as Ctrl-C does (its cleanup runs: child processes end, a
    sweep keeps what it computed), and the exit code says which it was. Returns the
    handler it replaced (None where signals cannot be set: not the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(_signum: int, _frame: object) -> None:
        _terminated.set()
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, stop)


#: Commands that run until they are stopped: Ctrl-C is their normal end.
SERVICES = frozenset({"serve"})
