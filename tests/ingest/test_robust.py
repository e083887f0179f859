"""Any text, however odd, is read without an exception, and every span stays inside the
file (hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from materiel.errors import InputError
from materiel.ingest import ingest
from materiel.ingest.pipeline import _worker as _read_in_worker

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


def _worker_lost_at_20(args: tuple[Path, object]) -> object:
    """A pool worker that dies on the file named 20.txt (module level: it is pickled)."""
    from concurrent.futures.process import BrokenProcessPool

    if args[0].name == "20.txt":
        raise BrokenProcessPool("a worker was lost")
    return _read_in_worker(args)  # type: ignore[arg-type]


def test_a_broken_pool_leaves_the_rest_read_here_each_file_once(
    tmp_path: Path, corpus_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are merged as the pool reads them; when the pool breaks after the first
    chunk of 16, the files not yet read are read in this process, none twice."""
    from materiel.ingest import pipeline

    for i, path in enumerate((corpus_files * 2)[:24]):
        (tmp_path / f"{i:02d}.txt").write_bytes(path.read_bytes())
    whole = ingest([tmp_path])
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)
    monkeypatch.setattr(pipeline, "_worker", _worker_lost_at_20)
    broken = ingest([tmp_path])
    assert broken.read == whole.read == [str(tmp_path / f"{i:02d}.txt") for i in range(24)]
    assert [f.to_dict() for f in broken.facts] == [f.to_dict() for f in whole.facts]
    assert len(whole.facts) < sum(len(f.sources) for f in whole.facts)  # copies merged
