"""Facts files: JSON (complete) and CSV (one row a fact, for spreadsheets), written
atomically so that an interrupted run never leaves half a file."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from materiel.errors import InputError
from materiel.ingest.model import Fact

_CSV_HEAD = ("id", "kind", "status", "confidence", "conflicting")
_CSV_TAIL = ("sentence", "file", "start", "end", "n_sources", "sources", "conflicts")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _flat(fact: Fact) -> dict[str, Any]:
    """A fact's fields with each actor role as a column of its own."""
    fields = {k: v for k, v in fact.fields.items() if k != "actors"}
    fields.update(fact.fields.get("actors") or {})
    if fields.get("alt_values"):
        fields["alt_values"] = json.dumps(fields["alt_values"], ensure_ascii=False)
    return fields


def facts_to_csv(facts: list[Fact]) -> str:
    """One row per fact: fixed columns, then one column per field name and actor role
    (sorted)."""
    flat = [_flat(f) for f in facts]
    names = sorted({k for fields in flat for k in fields})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*_CSV_HEAD, *names, *_CSV_TAIL])
    for f, fields in zip(facts, flat, strict=True):
        d = f.to_dict()
        head = [d["id"], d["kind"], d["status"], d["confidence"], _cell(d["conflicting"])]
        tail = [
            f.sentence, f.file, f.span[0], f.span[1], len(f.sources),
            json.dumps(d["sources"], ensure_ascii=False),
            json.dumps(d["conflicts"], ensure_ascii=False) if f.conflicts else "",
        ]  # fmt: skip
        writer.writerow([*head, *(_cell(fields.get(n)) for n in names), *tail])
    return out.getvalue()


def facts_to_json(facts: list[Fact]) -> str:
    return json.dumps({"facts": [f.to_dict() for f in facts]}, indent=2, ensure_ascii=False) + "\n"


def write_facts(path: Path, facts: list[Fact]) -> None:
    """Write a facts file; its format follows the suffix (``.json`` or ``.csv``)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        write_atomic(path, facts_to_json(facts))
    elif suffix == ".csv":
        write_atomic(path, facts_to_csv(facts))
    else:
        raise InputError(f"{path}: facts file must end in .json or .csv")


def read_facts(path: Path) -> list[Fact]:
    """Read a JSON facts file written by ``materiel ingest --out``."""
    if path.suffix.lower() != ".json":
        raise InputError(f"{path}: review works on a .json facts file (CSV loses sources)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Fact.from_dict(item) for item in data["facts"]]
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such facts file") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a facts file ({exc})") from exc
