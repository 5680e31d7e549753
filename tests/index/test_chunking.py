"""Chunk offsets are exact, and chunks fit the embedder's 256 word-piece window."""

from __future__ import annotations

import pytest

from index.chunking import split_text
from index.clean import clean_text
from index.settings import ChunkingSettings
from tests.conftest import seed_dir


def _seed_texts() -> list[str]:
    seed = seed_dir()
    return [clean_text(p.read_text(encoding="utf-8")).text for p in sorted(seed.glob("*.txt"))]


def test_offsets_are_exact_and_cover_the_text():
    for text in _seed_texts():
        spans = split_text(text, 900, 150)
        assert spans, "no chunks"
        for span in spans:
            assert text[span.start : span.end] == span.text
            assert len(span.text) <= 900
        covered = set()
        for span in spans:
            covered.update(range(span.start, span.end))
        non_space = {i for i, ch in enumerate(text) if not ch.isspace()}
        assert non_space <= covered, "some text is in no chunk"


def test_chunks_end_at_sentence_boundaries_where_possible():
    text = _seed_texts()[2]  # the long ISW assessment
    spans = split_text(text, 900, 150)
    ends = [s.text[-1] for s in spans[:-1]]
    assert sum(ch in '.!?”"]' for ch in ends) >= 0.8 * len(ends)


def test_default_chunks_fit_the_embedder_window(embedder):
    """The measured basis of the chunk size: no chunk is truncated by all-MiniLM-L6-v2."""
    size = ChunkingSettings().size
    longest = 0
    for text in _seed_texts():
        for span in split_text(text, size, ChunkingSettings().overlap):
            longest = max(longest, embedder.count_tokens(span.text))
    assert longest <= embedder.max_tokens == 256, longest


def test_overlap_must_be_smaller_than_size():
    with pytest.raises(ValueError, match="overlap"):
        split_text("some text", 100, 100)
