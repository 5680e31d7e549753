"""Dense search over an index: the read side that ``qa`` builds on."""

from __future__ import annotations

from pathlib import Path

from .embed import Embedder, index_precision, load_embedder
from .errors import IndexMismatchError
from .records import Document, Hit
from .settings import Settings, load_settings
from .store import StoreReader, check_compatible


class Index:
    """An opened index: documents, chunks and dense search.

    The embedder is loaded on first search, so listing documents costs no model load.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, verify: bool = True):
        self.settings = settings
        self.reader = StoreReader(
            Path(settings.data_dir), verify=verify, nprobe=settings.index.nprobe
        )
        chunking = {"size": settings.chunking.size, "overlap": settings.chunking.overlap}
        check_compatible(
            self.reader.manifest, settings.embedding.model, chunking, settings.data_dir
        )
        self._embedder = embedder

    @classmethod
    def open(cls, data_dir: str | Path | None = None, **overrides) -> Index:
        return cls(load_settings(data_dir, **overrides))

    @property
    def manifest(self) -> dict:
        return self.reader.manifest

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

    def documents(self) -> list[Document]:
        return self.reader.documents()

    def document(self, doc_id: str) -> Document | None:
        return self.reader.document(doc_id)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """Top-``k`` chunks by cosine similarity to ``query``.

        Raises:
            ValueError: the query is empty.
        """
        if not query or not query.strip():
            raise ValueError("the search query is empty")
        vector = self.embedder.embed([query.strip()])[0]
        return self.hits(self.reader.search_vector(vector, k))

    def hits(self, scored: list[tuple[int, float]]) -> list[Hit]:
        chunks = self.reader.chunks([cid for cid, _ in scored])
        out: list[Hit] = []
        for rank, (cid, score) in enumerate(scored, start=1):
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            doc = self.reader.document(chunk.doc_id)
            if doc is not None:
                out.append(Hit(chunk=chunk, document=doc, score=score, rank=rank))
        return out

    def faiss_index_size(self) -> int:
        return int(self.reader.faiss_index.ntotal)

    def close(self) -> None:
        self.reader.close()
