"""The pledge ledger: a small repository interface and a file-backed implementation.

The database store is a later piece of work; until then :class:`JsonPledgeFile` keeps
user pledges in one JSON file outside the package (``--ledger PATH``, the
``MATERIEL_LEDGER`` environment variable, or the user's data directory). Writes go to a
temporary file in the same folder that is then renamed over the ledger, so a crash
never leaves half a file; input is validated before anything is written, so bad input
changes nothing. Built-in pledges come from the public data and are never written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from materiel.errors import DataError, InputError, MaterielError
from materiel.publicdata import NATO_2024_SOURCE, NATO_NATIONAL_2PCT_LAWS
from materiel.settings import settings
from materiel.track.ledger_model import ALLIANCE, SPENDING_UNIT, Pledge, make_pledge

#: Version 2 keeps aid pledges in bn of a currency a year (``EUR bn``); version 1 kept
#: them in whole currency units (``EUR``) and is converted when read.
FILE_VERSION = 2
READABLE_VERSIONS = (1, 2)
#: Fields a user may change on a stored pledge.
UPDATABLE = ("value", "unit", "item", "by_year", "status", "source", "date", "basis", "note")
BUILTIN_DATE = dt.date(2024, 6, 17)


class PledgeRepository(Protocol):
    """Where user pledges live; the database store will implement the same methods."""

    def list_pledges(self) -> list[Pledge]:
        """Every stored pledge, in the order added."""
        ...

    def add(self, fields: dict[str, Any]) -> Pledge:
        """Validate ``fields`` (without ``id``), store the pledge, return it with its id."""
        ...

    def update(self, pledge_id: str, changes: dict[str, Any]) -> Pledge:
        """Change some fields of a stored pledge (validated as a whole); return it."""
        ...

    def remove(self, pledge_id: str) -> Pledge:
        """Delete a stored pledge (a mistaken entry); return what was removed."""
        ...


def builtin_pledges() -> list[Pledge]:
    """Pledges whose figures are in the public data (NATO's June 2024 file).

    The alliance's 2% of GDP guideline, and the six allies NATO marks as having
    national laws or political agreements calling for 2% of GDP or more. Neither
    carries a target year in the data, so both are standing ('in force', no year).
    """
    guideline = make_pledge(
        id="B-NATO-2PCT",
        ally=ALLIANCE,
        kind="spending",
        value=2.0,
        unit=SPENDING_UNIT,
        status="in force",
        source=NATO_2024_SOURCE,
        date=BUILTIN_DATE,
        note="the 2% of GDP guideline NATO measures allies against",
        builtin=True,
    )
    laws = [
        make_pledge(
            id=f"B-{code}-LAW",
            ally=code,
            kind="spending",
            value=2.0,
            unit=SPENDING_UNIT,
            status="in force",
            source=f"{NATO_2024_SOURCE} (ally marked *)",
            date=BUILTIN_DATE,
            note="national law or political agreement calling for 2% of GDP or more",
            builtin=True,
        )
        for code in sorted(NATO_NATIONAL_2PCT_LAWS)
    ]
    return [guideline, *laws]


def default_ledger_path() -> Path:
    """``$MATERIEL_LEDGER``, else ``pledges.json`` in the data folder (see
    :class:`~materiel.settings.Settings`)."""
    return settings().ledger_path()


class JsonPledgeFile:
    """User pledges in one JSON file: ``{"version": 1, "pledges": [...]}``."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def list_pledges(self) -> list[Pledge]:
        """Every stored pledge; an absent file is an empty ledger."""
        return [self._parse(i, raw) for i, raw in enumerate(self._read_raw())]

    def add(self, fields: dict[str, Any]) -> Pledge:
        """Validate, assign the next id (P0001, P0002, ...) and write atomically.

        A pledge identical to a stored one in every field but the id is refused.
        """
        if "id" in fields or fields.get("builtin"):
            raise InputError("a new pledge gets its id from the ledger; do not give one")
        with self._locked():
            current = self.list_pledges()
            pledge = make_pledge(id=next_pledge_id(current), **fields)
            refuse_duplicate(pledge, current)
            self._write([*current, pledge])
        return pledge

    def add_many(self, entries: list[dict[str, Any]]) -> tuple[list[Pledge], list[Pledge]]:
        """Add several pledges in one write: (added, already stored and skipped).

        Every entry is validated before anything is written; one invalid entry adds none.
        """
        with self._locked():
            current = self.list_pledges()
            added: list[Pledge] = []
            already: list[Pledge] = []
            for fields in entries:
                pledge = make_pledge(id=next_pledge_id([*current, *added]), **fields)
                same = next((p for p in [*current, *added] if p.same_as(pledge)), None)
                if same is None:
                    added.append(pledge)
                else:
                    already.append(same)
            if added:
                self._write([*current, *added])
        return added, already

    def update(self, pledge_id: str, changes: dict[str, Any]) -> Pledge:
        """Change the given fields of pledge ``pledge_id``; the result is validated whole."""
        unknown = sorted(set(changes) - set(UPDATABLE))
        if unknown:
            raise InputError(f"cannot change {', '.join(unknown)}; changeable: {UPDATABLE}")
        if not changes:
            raise InputError("nothing to change: give at least one field to update")
        with self._locked():
            current = self.list_pledges()
            index = _index_of(pledge_id, current)
            old = current[index]
            fields = {**old.model_dump(exclude={"builtin"}), **changes}
            if "unit" not in changes:
                fields["unit"] = old.unit
            new = make_pledge(**fields)
            if new == old:
                raise InputError(f"{old.id} already has these values; nothing changed")
            refuse_duplicate(new, [p for p in current if p.id != old.id])
            self._write([*current[:index], new, *current[index + 1 :]])
        return new

    def remove(self, pledge_id: str) -> Pledge:
        """Delete pledge ``pledge_id`` from the ledger (to withdraw one, update its status)."""
        with self._locked():
            current = self.list_pledges()
            index = _index_of(pledge_id, current)
            self._write([*current[:index], *current[index + 1 :]])
        return current[index]

    def _read_raw(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(
                f"pledge ledger {self.path} cannot be read ({exc}); it was left unchanged"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("pledges"), list):
            raise DataError(
                f"pledge ledger {self.path} is not a materiel ledger; it was left unchanged"
            )
        version = data.get("version")
        if version not in READABLE_VERSIONS:
            raise DataError(
                f"pledge ledger {self.path}: version {version!r}, expected one of "
                f"{READABLE_VERSIONS}"
            )
        entries: list[dict[str, Any]] = data["pledges"]
        return [_from_version_1(e) for e in entries] if version == 1 else entries

    def _parse(self, index: int, raw: Any) -> Pledge:
        if not isinstance(raw, dict):
            raise DataError(f"pledge ledger {self.path}: entry {index + 1} is not an object")
        try:
            return make_pledge(**raw)
        except MaterielError as exc:
            raise DataError(f"pledge ledger {self.path}: entry {index + 1}: {exc}") from None

    def _write(self, pledges: list[Pledge]) -> None:
        payload = {
            "version": FILE_VERSION,
            "pledges": [p.model_dump(mode="json", exclude={"builtin"}) for p in pledges],
        }
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, text)
        except OSError as exc:
            raise DataError(f"cannot write pledge ledger {self.path}: {exc}") from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive lock beside the ledger (POSIX), so concurrent adds queue."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: single writer assumed
            yield
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path.with_name(self.path.name + ".lock"), "a")  # noqa: SIM115
        except OSError as exc:
            raise DataError(f"cannot open pledge ledger {self.path}: {exc}") from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, fsync it, then rename it over."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, _file_mode(path))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_mode(path: Path) -> int:
    """The mode the ledger has, or the one a new file gets under the current umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _from_version_1(raw: Any) -> Any:
    """A version-1 aid entry (whole currency units, unit ``EUR``) in bn (unit ``EUR bn``)."""
    if not isinstance(raw, dict) or raw.get("kind") != "aid":
        return raw
    unit, value = raw.get("unit"), raw.get("value")
    if isinstance(unit, str) and len(unit) == 3 and isinstance(value, int | float):
        return {**raw, "unit": f"{unit} bn", "value": value / 1e9}
    return raw


def refuse_duplicate(pledge: Pledge, stored: list[Pledge]) -> None:
    same = next((p for p in stored if p.same_as(pledge)), None)
    if same is not None:
        raise InputError(
            f"the ledger already holds this pledge as {same.id} (every field the same); "
            "nothing was written"
        )


def _index_of(pledge_id: str, pledges: list[Pledge]) -> int:
    wanted = pledge_id.strip().upper()
    if wanted.startswith("B-"):
        raise InputError(
            f"{pledge_id} is a built-in pledge from the public data; it cannot be changed"
        )
    for i, p in enumerate(pledges):
        if p.id == wanted:
            return i
    known = ", ".join(p.id for p in pledges) or "none"
    raise InputError(f"no pledge {pledge_id!r} in the ledger (ids: {known})")


def next_pledge_id(pledges: list[Pledge]) -> str:
    numbers = [int(p.id[1:]) for p in pledges if p.id[:1] == "P" and p.id[1:].isdigit()]
    return f"P{max(numbers, default=0) + 1:04d}"


def all_pledges(repo: PledgeRepository, *, include_builtin: bool = True) -> list[Pledge]:
    """Built-in pledges (when asked) followed by the repository's."""
    return [*(builtin_pledges() if include_builtin else []), *repo.list_pledges()]
