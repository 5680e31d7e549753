"""An opened index: the one way into the store for ``qa`` — documents, chunks, vectors, dense
and keyword search, and the fusion of their rankings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from .backend import SearchFilters, VectorStore, index_exists, open_reader
from .embed import Embedder, index_precision, load_embedder
from .errors import IndexMismatchError
from .lexical import LexicalIndex, Tokenizer, plain_tokens, reciprocal_rank_fusion
from .records import Chunk, Document, Hit
from .settings import Settings, load_settings
from .store import check_compatible

__all__ = ["Index", "SearchFilters", "index_exists"]


class Index:
    """An opened index over the backend of ``settings.index.backend``.

    The embedder is loaded on first search and the keyword index is built on first keyword
    search, so listing documents costs neither.

    Args:
        settings: from :func:`index.settings.load_settings`.
        embedder: an already loaded embedder (else loaded when first needed).
        verify: check every file's checksum on open (FAISS backend).

    Raises:
        IndexNotFoundError, IndexCorruptError, IndexMismatchError: see the backends.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, verify: bool = True):
        self.settings = settings
        self.store: VectorStore = open_reader(settings, verify=verify)
        chunking = {"size": settings.chunking.size, "overlap": settings.chunking.overlap}
        try:
            check_compatible(
                self.store.manifest, settings.embedding.model, chunking, settings.data_dir
            )
        except IndexMismatchError:
            self.store.close()
            raise
        self._embedder = embedder
        self._lexical: LexicalIndex | None = None
        self._tokenize: Tokenizer = plain_tokens

    @property
    def reader(self) -> VectorStore:
        """The backend itself, for index/ and its tests; ``qa`` uses the methods below."""
        return self.store

    @classmethod
    def open(cls, data_dir: str | Path | None = None, **overrides) -> Index:
        return cls(load_settings(data_dir, **overrides))

    @property
    def manifest(self) -> dict:
        return self.store.manifest

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings, index_precision(self.manifest))
            built = self.manifest.get("embedder", {})
            if built and built.get("fingerprint") != self._embedder.fingerprint:
                raise IndexMismatchError(
                    f"the index at {self.settings.data_dir} was built with embedder "
                    f"{built.get('name')} (fingerprint {built.get('fingerprint')}), but the loaded "
                    f"model is {self._embedder.name} ({self._embedder.fingerprint}) — use the same "
                    "model, or re-ingest into a new data directory"
                )
        return self._embedder

    # -- documents, chunks, vectors
    def documents(self) -> list[Document]:
        return self.store.documents()

    def document(self, doc_id: str) -> Document | None:
        return self.store.document(doc_id)

    def removed_lines(self, doc_id: str) -> list[tuple[str, str]]:
        """The boilerplate lines cleaning took out of a document (``(kind, line)``)."""
        return self.store.removed_lines(doc_id)

    def chunks(self, chunk_ids: list[int]) -> dict[int, Chunk]:
        """The chunks of these ids that exist, in chunk-id order whatever the backend (callers
        that walk the result then see the same order everywhere)."""
        found = self.store.chunks(list(chunk_ids))
        return {cid: found[cid] for cid in sorted(found)}

    def vectors(self, chunk_ids: list[int]) -> dict[int, np.ndarray]:
        """Stored embedding of each chunk (no re-embedding needed)."""
        return self.store.vectors(list(chunk_ids))

    def all_chunks(self) -> Iterator[Chunk]:
        return self.store.all_chunks()

    def count(self, what: str = "chunks") -> int:
        """Number of ``documents``, ``chunks`` or ``files`` in the index."""
        return self.store.count(what)

    # -- search
    def dense(
        self, query: str | np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[int, float]]:
        """``(chunk id, cosine)`` of the ``k`` nearest chunks to a query text or vector,
        only among the documents ``filters`` allows.

        Raises:
            ValueError: the query text is empty.
        """
        if isinstance(query, str):
            if not query.strip():
                raise ValueError("the search query is empty")
            query = self.embedder.embed([query.strip()])[0]
        return self.store.search_vector(np.asarray(query, dtype=np.float32), k, filters or None)

    def use_tokenizer(self, tokenize: Tokenizer) -> None:
        """The words keyword search cuts texts into (the answering core hands in its own)."""
        if tokenize is not self._tokenize:
            self._tokenize = tokenize
            self._lexical = None

    def _store_lexical(self) -> bool:
        return self.settings.index.lexical == "store" and hasattr(self.store, "lexical_search")

    @property
    def _keywords(self) -> LexicalIndex:
        if self._lexical is None:
            self._lexical = LexicalIndex(self.store.all_chunks, self._tokenize)
        return self._lexical

    def lexical(self, query: str, k: int) -> list[tuple[int, float]]:
        """``(chunk id, BM25 score)`` of the ``k`` best chunks by keywords: the backend's own
        full-text search with ``index.lexical = "store"`` (Milvus), else a BM25 index built
        in memory from the stored chunks on first use."""
        if self._store_lexical():
            return self.store.lexical_search(query, k)
        return self._keywords.search(query, k)

    def idf(self, token: str) -> float:
        """How rare a word is among the chunks (BM25 IDF), for weighting."""
        if self._store_lexical():
            return self.store.idf(token)
        return self._keywords.idf(token)

    def fuse(
        self, rankings: Iterable[list[tuple[int, float]]], rrf_k: int | None = None
    ) -> dict[int, float]:
        """Reciprocal-rank fusion of ``(chunk id, score)`` rankings: chunk id → fused score,
        best first; ``rrf_k`` defaults to ``settings.retrieval.rrf_k``."""
        return reciprocal_rank_fusion(
            rankings, self.settings.retrieval.rrf_k if rrf_k is None else rrf_k
        )

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Top-``k`` chunks by cosine similarity to ``query``.

        Raises:
            ValueError: the query is empty.
        """
        return self.hits(self.dense(query, k))

    def hits(self, scored: list[tuple[int, float]]) -> list[Hit]:
        chunks = self.store.chunks([cid for cid, _ in scored])
        out: list[Hit] = []
        for rank, (cid, score) in enumerate(scored, start=1):
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            doc = self.store.document(chunk.doc_id)
            if doc is not None:
                out.append(Hit(chunk=chunk, document=doc, score=score, rank=rank))
        return out

    def faiss_index_size(self) -> int:
        """Vectors in the vector index (FAISS: the FAISS file; other backends: their count)."""
        faiss_index = getattr(self.store, "faiss_index", None)
        return int(faiss_index.ntotal) if faiss_index is not None else self.store.count("chunks")

    def close(self) -> None:
        self.store.close()
