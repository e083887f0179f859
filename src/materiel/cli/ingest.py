"""Commands ``materiel ingest`` and ``materiel facts review``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from materiel.errors import InputError

if TYPE_CHECKING:  # the pipeline is imported by the commands, not by every command's start
    from materiel.ingest import Fact

_SUMMARY_FIELDS = (
    "item", "quantity", "value", "currency", "value_qualifier", "share_of_gdp", "out_of",
    "year", "date", "period", "status", "contract_type", "part_of",
)  # fmt: skip

out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--date {text!r}: expected YYYY-MM-DD") from exc


def summary(fact: Fact) -> str:
    """One line for a fact: id, kind, confidence, its main fields and where it came from."""
    parts = [
        f"{role}={'+'.join(who) if isinstance(who, list) else who}"
        for role, who in (fact.fields.get("actors") or {}).items()
    ]
    for key in _SUMMARY_FIELDS:
        value = fact.fields.get(key)
        if value in (None, [], ""):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append(f"{key}={'+'.join(value) if isinstance(value, list) else value}")
    flag = " CONFLICT" if fact.conflicting else ""
    where = f"{fact.file}:{fact.span[0]}-{fact.span[1]}"
    extra = f" (+{len(fact.sources) - 1} sources)" if len(fact.sources) > 1 else ""
    return f"{fact.id} {fact.kind} {fact.confidence:.2f}{flag} [{fact.status}] " + (
        " ".join(parts) + f"  <{where}{extra}>"
    )


def ingest_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Article files (.txt, .md, .html) or folders.")
    ],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write facts to .json or .csv.")
    ] = None,
    article_date: Annotated[
        str | None, typer.Option("--date", help="Article date YYYY-MM-DD for files without one.")
    ] = None,
    gazetteer: Annotated[
        list[Path] | None, typer.Option("--gazetteer", help="Folder of extra gazetteer CSVs.")
    ] = None,
    no_merge: Annotated[
        bool, typer.Option("--no-merge", help="Keep one fact per statement.")
    ] = False,
    into_store: Annotated[
        bool, typer.Option("--into-store", help="Add facts to the store.")
    ] = False,
) -> None:
    """Find candidate facts (contracts, joint procurement, aid, spending, pledges, capacity
    plans) in articles; every file that cannot be read is listed with the reason."""
    from materiel.ingest import ingest, write_facts

    if into_store:
        raise InputError(
            "--into-store: the fact store is not available yet; write a facts file with "
            "--out facts.json and review it with `materiel facts review`"
        )
    if out_file is not None and out_file.suffix.lower() not in (".json", ".csv"):
        raise InputError(f"--out {out_file}: facts file must end in .json or .csv")
    result = ingest(
        paths,
        default_date=_parse_date(article_date),
        gazetteer_dirs=gazetteer or (),
        merge=not no_merge,
    )
    for problem in result.problems:
        err.print(f"skipped: {problem}")
    for warning in result.warnings:
        err.print(f"warning: {warning}")
    for fact in result.facts:
        out.print(summary(fact))
    n_conf = sum(f.conflicting for f in result.facts)
    err.print(
        f"{len(result.facts)} facts ({n_conf} conflicting) from {len(result.read)} file(s); "
        f"{len(result.problems)} skipped"
    )
    if out_file is not None:
        write_facts(out_file, result.facts)
        err.print(f"wrote {out_file}")


facts_app = typer.Typer(help="Review candidate facts.", no_args_is_help=True)


def _pairs(values: list[str] | None, option: str, sep: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values or []:
        ident, found, rest = value.partition(sep)
        if not found:
            raise InputError(f"{option} {value!r}: expected ID{sep}...")
        pairs.append((ident.strip(), rest))
    return pairs


@facts_app.command("review")
def review_command(
    facts_file: Annotated[Path, typer.Argument(help="A .json facts file from `materiel ingest`.")],
    accept: Annotated[list[str] | None, typer.Option("--accept", help="Accept fact ID.")] = None,
    reject: Annotated[list[str] | None, typer.Option("--reject", help="Reject fact ID.")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Edit a field: 'ID field=value'.")
    ] = None,
    note: Annotated[list[str] | None, typer.Option("--note", help="Add a note: 'ID=text'.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="List only facts with this status.")
    ] = None,
) -> None:
    """Accept, edit or reject candidate facts; with no decision, list them."""
    from materiel.ingest import ReviewActions, apply_review, facts_to_json, read_facts, write_atomic

    facts = read_facts(facts_file)
    edits = [(i, rest.strip()) for i, rest in _pairs(set_, "--set", " ")]
    actions = ReviewActions(accept or [], reject or [], edits, _pairs(note, "--note", "="))
    log = apply_review(facts, actions)
    if log:
        write_atomic(facts_file, facts_to_json(facts))
        for line in log:
            out.print(line)
        err.print(f"updated {facts_file}")
        return
    for fact in facts:
        if status is None or fact.status == status:
            out.print(summary(fact))


def register(app: typer.Typer) -> None:
    """Attach ``ingest`` and ``facts review`` to the ``materiel`` app."""
    app.command("ingest")(ingest_command)
    app.add_typer(facts_app, name="facts")
