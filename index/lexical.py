"""Keyword (BM25) search over the stored chunks, and reciprocal-rank fusion of rankings.

The BM25 index is built in memory, lazily, from the chunks the store streams
(:meth:`VectorStore.all_chunks`), with the tokenizer the caller chooses (the answering core
hands in its own, so query and chunk words are cut the same way on every backend).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from .errors import MissingDependencyError
from .records import Chunk

Tokenizer = Callable[[str], list[str]]
_WORD = re.compile(r"\w+")


def plain_tokens(text: str) -> list[str]:
    """Lower-cased words: the tokenizer used until a caller hands in its own."""
    return [w.lower() for w in _WORD.findall(text)]


def reciprocal_rank_fusion(rankings: Iterable[list[tuple[int, float]]], k: int) -> dict[int, float]:
    """Fuse ranked ``(chunk id, score)`` lists: each list adds ``1 / (k + rank)`` (rank from 1)
    to a chunk. Returns chunk id → fused score, best first (ties keep first-seen order)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return {cid: fused[cid] for cid in sorted(fused, key=fused.get, reverse=True)}


class LexicalIndex:
    """BM25 over chunk texts (bm25s), plus each word's document frequency for IDF weights.

    Args:
        chunks: called once, on the first search, for the chunks to index.
        tokenize: text → words; the same function cuts queries.
    """

    def __init__(self, chunks: Callable[[], Iterator[Chunk]], tokenize: Tokenizer = plain_tokens):
        self._source = chunks
        self.tokenize = tokenize
        self._bm25 = None
        self._ids: list[int] = []
        self._df: Counter[str] = Counter()
        self._n = 0

    def _ensure(self) -> None:
        if self._bm25 is not None:
            return
        try:
            import bm25s
        except ImportError:
            raise MissingDependencyError("bm25s", "keyword search") from None
        corpus: list[list[str]] = []
        for chunk in self._source():
            corpus.append(self.tokenize(chunk.text) or ["∅"])
            self._ids.append(chunk.chunk_id)
        self._n = len(corpus)
        for toks in corpus:
            self._df.update(set(toks))
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        self._bm25 = bm25

    def idf(self, token: str) -> float:
        """BM25's IDF of ``token`` over the chunks (0 occurrences: the highest weight)."""
        self._ensure()
        df = self._df.get(token, 0)
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """``(chunk id, BM25 score)`` of the ``k`` best chunks with a score above 0."""
        self._ensure()
        if not self._ids:
            return []
        vocab = getattr(self._bm25, "vocab_dict", {}) or {}
        tokens = [t for t in self.tokenize(query) if t in vocab]
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        order = np.argsort(-scores)[:k]
        return [(self._ids[i], float(scores[i])) for i in order if scores[i] > 0]
