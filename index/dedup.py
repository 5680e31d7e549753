"""Near-duplicate (syndicated copy) detection with MinHash LSH, confirmed exactly.

LSH (datasketch) finds candidate pairs cheaply at a low Jaccard threshold; each candidate is then
confirmed by exact containment of word 5-grams: the share of the shorter text's 5-grams found in
the other. Containment, not Jaccard, because a syndicated copy adds its own wrapping (masthead,
credits, related links) around the same body.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

NUM_PERM = 128
SHINGLE = 5
LSH_THRESHOLD = 0.3
SCHEME = "affine32"  # pinned: signatures are stored in the index


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < k:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {zlib.crc32(" ".join(words[i : i + k]).encode()) for i in range(len(words) - k + 1)}


def signature(shingle_set: set[int]) -> bytes:
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    m.update_batch([s.to_bytes(4, "little") for s in shingle_set])
    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def _minhash(sig: bytes):
    from datasketch import MinHash

    return MinHash(
        num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=np.frombuffer(sig, dtype=np.uint64)
    )


def containment(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


class DuplicateFinder:
    """Holds the signatures of indexed documents and answers 'is this a copy of one of them?'."""

    def __init__(self, threshold: float):
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self._keys: set[str] = set()

    def add(self, doc_id: str, sig: bytes) -> None:
        if doc_id not in self._keys:
            self._lsh.insert(doc_id, _minhash(sig))
            self._keys.add(doc_id)

    def remove(self, doc_id: str) -> None:
        if doc_id in self._keys:
            self._lsh.remove(doc_id)
            self._keys.discard(doc_id)

    def candidates(self, sig: bytes) -> list[str]:
        return list(self._lsh.query(_minhash(sig)))
