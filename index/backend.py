"""The store seam: what every index backend provides, and the factory that picks one.

Two backends hold the same data (documents with their cleaned text, chunks with offsets and
vectors, the files they came from, the manifest):

* ``faiss`` (index/store.py, the default): SQLite + FAISS in the data directory, published as
  atomic, checksummed generations.
* ``milvus`` (index/milvus.py): a Milvus collection set — a Milvus Lite file for one machine, a
  Milvus cluster (``index.uri = "http://host:19530"`` plus a token) shared by several app
  servers.

``qa`` never sees a backend: it goes through :class:`index.search.Index`, which holds one
:class:`VectorStore` and adds lexical search and rank fusion on top.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .errors import ConfigError
from .records import Chunk, Document, DocumentMeta
from .settings import Settings

BACKENDS = ("faiss", "milvus")


@dataclass(frozen=True)
class SearchFilters:
    """Which documents a search may return. Empty fields filter nothing.

    Attributes:
        outlet: case-insensitive part of the outlet's name.
        since: ISO date, inclusive (documents without a date are left out).
        until: ISO date or prefix, inclusive by string order ("2024-03" keeps "2024-03" only
            up to the string "2024-03", as the retriever always compared).
        doc_ids: only these documents.
        exclude_duplicates: leave out near-duplicate copies (documents with an original).
    """

    outlet: str = ""
    since: str = ""
    until: str = ""
    doc_ids: tuple[str, ...] = ()
    exclude_duplicates: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.outlet or self.since or self.until or self.doc_ids or self.exclude_duplicates
        )

    def allows_values(self, doc_id: str, outlet: str, published: str, duplicate_of: str) -> bool:
        if self.doc_ids and doc_id not in self.doc_ids:
            return False
        if self.exclude_duplicates and duplicate_of:
            return False
        if self.outlet and self.outlet.lower() not in (outlet or "").lower():
            return False
        if self.since and (not published or published < self.since):
            return False
        return not (self.until and (not published or published > self.until))

    def allows(self, doc: Document) -> bool:
        return self.allows_values(
            doc.doc_id, doc.meta.outlet, doc.meta.published, doc.duplicate_of or ""
        )


@runtime_checkable
class VectorStore(Protocol):
    """The read side of a backend: one consistent view of documents, chunks and vectors.

    ``search_vector`` returns ``(chunk id, inner product)`` best first; vectors are
    L2-normalised, so the inner product is the cosine similarity.
    """

    manifest: dict

    def documents(self) -> list[Document]: ...

    def document(self, doc_id: str) -> Document | None: ...

    def removed_lines(self, doc_id: str) -> list[tuple[str, str]]: ...

    def chunks(self, chunk_ids: list[int]) -> dict[int, Chunk]: ...

    def vectors(self, chunk_ids: list[int]) -> dict[int, np.ndarray]: ...

    def all_chunks(self) -> Iterator[Chunk]: ...

    def search_vector(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[int, float]]: ...

    def count(self, table: str) -> int: ...

    def close(self) -> None: ...


class StoreWriter(Protocol):
    """The write side, as index/ingest.py uses it. Nothing is visible to readers before
    :meth:`commit` (FAISS: one new generation; Milvus: each document once its chunks are in);
    :meth:`abort` discards what was not committed."""

    data_dir: Path
    manifest: dict

    def file_record(self, path: str) -> Any: ...  # mapping with doc_id, file_sha256, …

    def file_paths(self) -> list[str]: ...

    def has_document(self, doc_id: str) -> bool: ...

    def document(self, doc_id: str) -> Document | None: ...

    def signatures(self) -> list[tuple[str, bytes]]: ...

    def set_file(
        self, path: str, doc_id: str, file_sha: str, sidecar_sha: str, size: int, mtime: float
    ) -> None: ...

    def remove_file(self, path: str) -> str | None: ...

    def update_meta(self, doc_id: str, meta: DocumentMeta) -> None: ...

    def add_document(
        self,
        doc: Document,
        encoding: str,
        removed: list[tuple[str, str]],
        minhash: bytes,
        spans: list[tuple[int, int, str]],
        vectors: np.ndarray,
    ) -> int: ...

    def remove_document(self, doc_id: str) -> list[str]: ...

    def set_duplicate(self, doc_id: str, original: str | None) -> None: ...

    def commit(self, embedder: dict, chunking: dict, extra: dict | None = None) -> int: ...

    def abort(self) -> None: ...


def _backend(settings: Settings) -> str:
    name = settings.index.backend
    if name not in BACKENDS:  # the settings type already refuses others; kept for clarity
        raise ConfigError(f"index.backend must be one of {', '.join(BACKENDS)}, not '{name}'")
    return name


def open_reader(settings: Settings, verify: bool = True) -> VectorStore:
    """The read side of the backend chosen by ``settings.index.backend``.

    Raises:
        IndexNotFoundError: nothing indexed there yet.
        IndexCorruptError: (FAISS) a generation fails its checks.
    """
    if _backend(settings) == "milvus":
        from .milvus import MilvusStore

        return MilvusStore(settings)
    from .store import StoreReader

    return StoreReader(Path(settings.data_dir), verify=verify, nprobe=settings.index.nprobe)


def open_writer(settings: Settings) -> StoreWriter:
    """The write side of the chosen backend. Use inside ``index.store.writer_lock`` on the data
    directory (it serialises writers on one machine for both backends)."""
    if _backend(settings) == "milvus":
        from .milvus import MilvusWriter

        return MilvusWriter(settings)
    from .store import IndexWriter

    return IndexWriter(
        Path(settings.data_dir), settings.index.exact_max_vectors, settings.index.nprobe
    )


def index_exists(settings: Settings) -> bool:
    """Whether the chosen backend holds an index for these settings (no checks, no model)."""
    if _backend(settings) == "milvus":
        from .milvus import milvus_index_exists

        return milvus_index_exists(settings)
    from .store import is_index_dir

    return is_index_dir(Path(settings.data_dir))
