"""Deterministic stand-ins for the real models, for fast unit tests of the logic around them.

``FakeEmbedder`` hashes a text's lower-cased words into a fixed number of buckets and
L2-normalises the counts: texts sharing words have a positive cosine, texts sharing none have
zero, and the same text always gets the same vector — no model file, no thread pool.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """A hashing bag-of-words embedder that satisfies ``index.embed.Embedder``."""

    name = "fake-hashing-bow"
    fingerprint = "fake-hashing-bow-v1"
    precision = "fp32"

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.calls: list[list[str]] = []  # every batch embedded, for tests that count calls

    def _bucket(self, word: str) -> int:
        return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big") % (
            self.dim
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[row, self._bucket(word)] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out
