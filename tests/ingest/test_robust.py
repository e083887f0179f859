"""Any text, however odd, is read without an exception, and every span stays inside the
file (hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from materiel.errors import InputError
from materiel.ingest import ingest

WORDS = st.sampled_from(
    ["Germany", "Rheinmetall", "signed", "a", "contract", "worth", "€1.2bn", "$5", "billion",
     "for", "155mm", "shells", "It", "is", "3.5%", "of", "GDP", "in", "2024", "July 9,",
     "Ukraine", "call-off", "framework", "up to", "1,000", "NSPA", "the", "agency", ".", ",",
     "\n\n", "(", ")", "and", "respectively", "denied", "a report", "that", "Allies", "23",
     "of the 32", "members", "yesterday", "tanks", "K2", "Poland", "—", "„", "½", "\u200b"]
)  # fmt: skip
TEXT = st.one_of(
    st.lists(WORDS, max_size=60).map(" ".join),
    st.text(max_size=300),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_any_text_reads_without_error(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"a{suffix}"
        path.write_text("Title\n\nBy A. Writer | 9 July 2024\n\n" + text, encoding="utf-8")
        size = len(path.read_text(encoding="utf-8"))
        try:
            result = ingest([path])
        except InputError as exc:  # control characters: refused as binary, file named
            assert str(path) in str(exc) and "binary" in str(exc)
            return
        for fact in result.facts:
            for source in fact.sources:
                assert 0 <= source.start <= source.end <= size
