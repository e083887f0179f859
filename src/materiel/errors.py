"""The exception tree of materiel.

Every failure a user can cause or meet is one of these, so that the CLI, the Python
API and (later) the REST API can turn it into a clear message instead of a traceback::

    MaterielError
    ├── ScenarioError       a scenario folder or table is wrong (carries every problem found)
    ├── DataError           built-in or public data is missing or inconsistent
    ├── InputError          a command-line value, override or query is wrong
    └── SolveError          the optimiser could not produce a plan
        └── InfeasibleError a hard constraint cannot hold; names the constraint
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class MaterielError(Exception):
    """Base class of every expected failure."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario, located as precisely as we can.

    ``row`` is the line number in the file as a person sees it in an editor (the header
    is line 1, so the first data row of a CSV is row 2); None where it does not apply.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None
    #: found by comparing several allies' rows (a line's firm contracts, the buyers of a
    #: pooled one): its text may tell of rows a nation analyst may not see
    across: bool = False

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.expected is not None:
            text += f" (expected {self.expected}"
            text += f", found {self.found!r})" if self.found is not None else ")"
        elif self.found is not None:
            text += f" (found {self.found!r})"
        return text


class ScenarioError(MaterielError):
    """A scenario cannot be loaded: carries all problems found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in scenario:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class DataError(MaterielError):
    """Packaged or public data is missing or inconsistent."""


class InputError(MaterielError):
    """A value given on the command line or through the API is not acceptable."""


class SolveError(MaterielError):
    """The solver did not return a usable plan."""


class InfeasibleError(SolveError):
    """A hard constraint cannot hold. ``constraint`` names it for the user."""

    def __init__(self, constraint: str, detail: str):
        self.constraint = constraint
        self.detail = detail
        super().__init__(f"infeasible: {constraint}: {detail}")


def field_problems(
    errors: Iterable[Mapping[str, Any]], name: Callable[[str], str] = lambda field: field
) -> str:
    """Validation errors (pydantic's ``exc.errors()``) as one line: each field, as
    ``name`` spells it, with what is wrong and the value found."""
    return "; ".join(
        f"{name('.'.join(str(p) for p in e['loc']))}: "
        f"{str(e['msg']).removeprefix('Value error, ')} (found {e.get('input')!r})"
        for e in errors
    )
