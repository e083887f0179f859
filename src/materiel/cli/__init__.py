"""The top floor: the ``materiel`` command, the one package that knows every other.

:mod:`materiel.cli.main` holds the Typer application and the console script's
:func:`~materiel.cli.main.main`; each other module is one family of thin commands
(``plan``, ``simulate``, ``track``, ...) with a ``register(app)``. A command parses its
options, calls the use cases in :mod:`materiel.workflows` or the domain packages, and
prints. Nothing else in materiel imports this package.
"""
