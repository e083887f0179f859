"""Text that remembers where each of its characters came from in the original file.

Every cleaning step (HTML extraction, Markdown markup removal, mojibake repair) makes a
new :class:`MappedText` whose characters each carry the half-open range ``[start, end)``
of the original file text they stand for. A span of the cleaned text can then always be
reported as a character span of the file the user gave us.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class MappedText:
    """Cleaned text plus, for each character, its ``[start, end)`` in the original text."""

    text: str
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    @classmethod
    def identity(cls, text: str) -> MappedText:
        """The original text itself: character i maps to ``[i, i + 1)``."""
        return cls(text, list(range(len(text))), list(range(1, len(text) + 1)))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the cleaned characters ``text[start:end]``."""
        if not self.text:
            return (0, 0)
        if end <= start:
            pos = self.starts[min(start, len(self.starts) - 1)]
            return (pos, pos)
        return (self.starts[start], self.ends[end - 1])

    def replace(self, edits: Iterable[tuple[int, int, str]]) -> MappedText:
        """Return a new text with each ``(start, end, new)`` edit applied.

        Edits are given in cleaned-text coordinates and must not overlap. A replacement of
        the same length keeps a one-to-one mapping; otherwise every new character maps to
        the whole replaced range (an insertion maps to the point where it was made).
        """
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for start, end, new in sorted(edits):
            if start < pos:
                raise ValueError("overlapping edits")
            out.append(self.text[pos:start])
            starts.extend(self.starts[pos:start])
            ends.extend(self.ends[pos:start])
            if len(new) == end - start:
                starts.extend(self.starts[start:end])
                ends.extend(self.ends[start:end])
            else:
                o_start, o_end = self._range(start, end)
                starts.extend([o_start] * len(new))
                ends.extend([o_end] * len(new))
            out.append(new)
            pos = end
        out.append(self.text[pos:])
        starts.extend(self.starts[pos:])
        ends.extend(self.ends[pos:])
        return MappedText("".join(out), starts, ends)

    def _range(self, start: int, end: int) -> tuple[int, int]:
        if end > start:
            return (self.starts[start], self.ends[end - 1])
        if start < len(self.starts):
            return (self.starts[start], self.starts[start])
        last = self.ends[-1] if self.ends else 0
        return (last, last)


class MappedBuilder:
    """Builds a :class:`MappedText` piece by piece (used by the HTML reader)."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self._tail = ""

    def add_exact(self, text: str, origin: int) -> None:
        """Append text copied verbatim from the original starting at ``origin``."""
        self._parts.append(text)
        self._tail = (self._tail + text)[-2:]
        self.starts.extend(range(origin, origin + len(text)))
        self.ends.extend(range(origin + 1, origin + len(text) + 1))

    def add_standin(self, text: str, start: int, end: int) -> None:
        """Append text standing for the original ``[start, end)`` (an entity, a break)."""
        self._parts.append(text)
        self._tail = (self._tail + text)[-2:]
        self.starts.extend([start] * len(text))
        self.ends.extend([end] * len(text))

    @property
    def tail(self) -> str:
        """The last two characters appended so far."""
        return self._tail

    def build(self) -> MappedText:
        return MappedText("".join(self._parts), self.starts, self.ends)
