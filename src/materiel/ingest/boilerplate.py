"""Site boilerplate and comment sections, recognised line by line.

The patterns are data (``gazetteers/boilerplate.csv``: ``pattern,action``), matched
case-insensitively against each stripped line. ``drop`` skips that line ("Subscribe to our
newsletter", "Share this article"); ``stop`` skips the line and everything after it (the
start of a comment section: "Comments (12)", "Leave a comment").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

Action = Literal["keep", "drop", "stop"]


@dataclass(frozen=True)
class Rule:
    """One boilerplate pattern and what to do with a line it matches."""

    pattern: re.Pattern[str]
    action: Action


@lru_cache(maxsize=1)
def builtin_rules() -> tuple[Rule, ...]:
    """The rules shipped with materiel."""
    path = resources.files("materiel.ingest") / "gazetteers" / "boilerplate.csv"
    rows = csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    rules = []
    for row in rows:
        action = row["action"].strip()
        if action in ("drop", "stop"):
            rules.append(Rule(re.compile(row["pattern"], re.IGNORECASE), action))  # type: ignore[arg-type]
    return tuple(rules)


def classify_line(line: str, rules: tuple[Rule, ...] | None = None) -> Action:
    """``keep``, ``drop`` or ``stop`` for one line of text."""
    stripped = line.strip().strip("#*>_ -|").strip()
    if not stripped:
        return "keep"
    for rule in rules if rules is not None else builtin_rules():
        if rule.pattern.search(stripped):
            if rule.action == "drop" and len(stripped) > 200:
                continue  # a long paragraph that mentions a newsletter is still prose
            return rule.action
    return "keep"
