"""Levers of a sweep: ``KEY=V1,V2,...`` read, checked and combined."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from materiel.errors import InputError
from materiel.scenario import POLICY_ALIASES, TABLES, Policy, ScenarioMeta, Spending

#: Scenario fields that are not levers (names, descriptions and file references).
_NOT_LEVERS = {"name", "description", "extends", "tables", "policy", "spending"}
#: Values are split at commas, except a comma that starts the next YEAR=SHARE of a
#: ``points:`` spending path.
_SPLIT = re.compile(r",(?!\s*\d{4}\s*=)")


@dataclass(frozen=True)
class Lever:
    """One lever and the values it takes, as override text (``policy.pooling``, "true")."""

    key: str
    values: tuple[str, ...]

    def overrides(self) -> list[str]:
        return [f"{self.key}={v}" for v in self.values]


def known_levers() -> list[str]:
    """Every lever a sweep may vary (table cells are ``TABLE.KEY.COLUMN``)."""
    policy = [f"policy.{name}" for name in Policy.model_fields]
    policy += [f"policy.{alias}" for alias in POLICY_ALIASES]
    spending = [f"spending.{name}" for name in Spending.model_fields]
    meta = [name for name in ScenarioMeta.model_fields if name not in _NOT_LEVERS]
    return sorted(policy + spending + meta)


def check_key(key: str) -> str:
    """``key`` if it names a lever; InputError listing the levers otherwise."""
    if key in known_levers():
        return key
    table, _, rest = key.partition(".")
    row_key, _, column = rest.rpartition(".")
    if table in TABLES and row_key and column in TABLES[table].row.model_fields:
        return key  # a table cell; whether the row exists is checked with the scenario
    raise InputError(
        f"unknown lever {key!r}: vary one of {', '.join(known_levers())}, "
        "or a table cell TABLE.KEY.COLUMN (e.g. lines.L1.ceiling)"
    )


def parse_vary(text: str) -> Lever:
    """``KEY=V1,V2,...`` as a Lever; InputError naming what is wrong."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or not raw.strip():
        raise InputError(
            f"--vary {text!r}: write KEY=VALUE1,VALUE2,... "
            "(e.g. policy.pooling=true,false or spending.path=current,reach:3.5@2035)"
        )
    values = tuple(v.strip() for v in _SPLIT.split(raw))
    if any(not v for v in values):
        raise InputError(f"--vary {text!r}: an empty value between commas")
    if len(set(values)) != len(values):
        raise InputError(f"--vary {text!r}: a value is given twice")
    return Lever(check_key(key), values)


def parse_levers(texts: list[str] | tuple[str, ...]) -> list[Lever]:
    """Levers of every ``--vary``; at least one, each key once."""
    if not texts:
        raise InputError("give at least one --vary KEY=VALUE1,VALUE2,...")
    levers = [parse_vary(t) for t in texts]
    keys = [lever.key for lever in levers]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise InputError(f"--vary {twice[0]!r} is given more than once; list its values once")
    return levers


def combinations(levers: list[Lever]) -> list[tuple[str, ...]]:
    """Every combination of the levers' values as override texts, first lever slowest."""
    return [tuple(combo) for combo in itertools.product(*(lv.overrides() for lv in levers))]
