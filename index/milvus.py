"""The Milvus backend: the whole index in Milvus, so several app servers can share one.

``index.uri`` is a local ``.db`` file (Milvus Lite, one machine; default ``milvus.db`` in the
data directory) or ``http://host:19530`` with ``index.token`` (a Milvus server or cluster).
Five collections, named ``<index.collection>_<name>``:

* ``chunks``: chunk id, document id, offsets, text, vector, BM25 sparse vector (Milvus' own
  full-text search), and the document metadata searches filter on (outlet lower-cased,
  published date, duplicate-of) copied onto every chunk;
* ``documents``: one row per published document (metadata as JSON, duplicate-of);
* ``texts``: each document's cleaned text and removed boilerplate, in parts of
  ``TEXT_PART`` characters (a VARCHAR holds at most 65,535), so any machine can quote
  ``cleaned_text[start:end]`` exactly;
* ``files``: path → document, checksums (what makes re-ingesting idempotent);
* ``meta``: the manifest and the next chunk id.

Visibility: a writer keeps every change in memory until :meth:`MilvusWriter.commit`, which
writes each new document's chunks and text first and its ``documents`` row last — the row
publishes it. Readers return only chunks whose document row exists. A ``pending:<doc>``
marker is written before and deleted after each document's writes (documents go in batches
of ``PUBLISH_BATCH``, a few calls per batch); the next writer removes
the leftovers of any marker it finds (a writer killed half-way), so nothing half-ingested is
ever seen and nothing is left behind. Milvus has no multi-row transactions: unlike the FAISS
generations, a commit killed half-way leaves the documents published so far visible (each
whole), and the next ingest completes the rest. One writer at a time (``writer_lock`` on the
data directory serialises writers of one machine; run ingestion from one place).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from .backend import SearchFilters
from .errors import IndexError_, IndexNotFoundError, MissingDependencyError
from .records import Chunk, Document, DocumentMeta
from .settings import Settings

FORMAT_VERSION = 1
TEXT_PART = 16_000  # characters per text row: ≤ 64,000 bytes even in 4-byte UTF-8
_DUMMY_DIM = 2  # Milvus wants a vector field in every collection
_LIMIT = 16_384  # Milvus' most results per search
_BATCH = 1_000  # rows per insert/get
_STRONG = "Strong"
PUBLISH_BATCH = 200  # documents written per round of chunks → texts → document rows


def _pymilvus():
    try:
        import pymilvus
    except ImportError:
        raise MissingDependencyError("pymilvus", "the Milvus index backend") from None
    # Milvus Lite has no server clock for query iterators; pymilvus warns on every iterator
    logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)
    return pymilvus


def milvus_uri(settings: Settings) -> str:
    return settings.index.uri or str(Path(settings.data_dir) / "milvus.db")


def _connect(settings: Settings):
    uri = milvus_uri(settings)
    if "://" not in uri:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    try:
        if "://" in uri:
            return _pymilvus().MilvusClient(uri=uri, token=settings.index.token)
        # Milvus Lite serves gRPC in this process with the server's default ping policy: the
        # client's 10 s keepalive pings during a long idle (the model writing an answer) earn
        # a 'too_many_pings' GOAWAY. Ping only during calls, no more than the server allows.
        return _pymilvus().MilvusClient(
            uri=uri,
            grpc_options={
                "grpc.keepalive_time_ms": 300_000,
                "grpc.keepalive_permit_without_calls": False,
            },
        )
    except Exception as exc:  # pymilvus raises many kinds; the user needs one message
        raise IndexError_(
            f"cannot connect to Milvus at {uri} ({str(exc)[:200]}) — check index.uri and "
            "index.token (TWOSOURCE_INDEX__URI / TWOSOURCE_INDEX__TOKEN), and that the server "
            "is running"
        ) from None


class _Names:
    def __init__(self, prefix: str):
        self.chunks = f"{prefix}_chunks"
        self.documents = f"{prefix}_documents"
        self.texts = f"{prefix}_texts"
        self.files = f"{prefix}_files"
        self.meta = f"{prefix}_meta"

    def all(self) -> list[str]:
        return [self.chunks, self.documents, self.texts, self.files, self.meta]


def _q(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(value, ensure_ascii=False)


def _in(field: str, values: list[str] | list[int]) -> str:
    return f"{field} in {json.dumps(list(values), ensure_ascii=False)}"


def milvus_index_exists(settings: Settings) -> bool:
    uri = milvus_uri(settings)
    if "://" not in uri and not Path(uri).exists():
        return False
    db = _Client(settings)
    try:
        return bool(db.meta_value("manifest"))
    finally:
        db.close()


def _document_from(row: dict, text: str) -> Document:
    rec = json.loads(row["record"])
    meta = DocumentMeta(
        title=rec.get("title") or "",
        outlet=rec.get("outlet") or "",
        author=rec.get("author") or "",
        published=rec.get("published") or "",
        url=rec.get("url") or "",
        language=rec.get("language") or "",
        inferred=tuple(rec.get("inferred") or ()),
    )
    return Document(
        doc_id=row["doc_id"],
        path=rec["path"],
        format=rec["format"],
        cleaned_text=text,
        meta=meta,
        duplicate_of=row["duplicate_of"] or None,
        n_chunks=int(rec.get("n_chunks", 0)),
    )


def _filter_expr(filters: SearchFilters | None) -> tuple[str, bool]:
    """A Milvus filter for ``filters`` and whether results still need checking in Python
    (an outlet with LIKE wildcards in its name is matched afterwards)."""
    if not filters:
        return "", False
    parts: list[str] = []
    recheck = False
    if filters.doc_ids:
        parts.append(_in("doc_id", list(filters.doc_ids)))
    if filters.exclude_duplicates:
        parts.append('duplicate_of == ""')
    if filters.outlet:
        needle = filters.outlet.lower()
        if any(c in needle for c in '%_\\"'):
            recheck = True
        else:
            parts.append(f'outlet like "%{needle}%"')
    if filters.since:
        parts.append(f'published != "" and published >= {_q(filters.since)}')
    if filters.until:
        parts.append(f'published != "" and published <= {_q(filters.until)}')
    return " and ".join(f"({p})" for p in parts), recheck


class _Client:
    """The collections of one index over one MilvusClient."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.names = _Names(settings.index.collection)
        self.client = _connect(settings)
        self.load()

    def load(self) -> None:
        """Load the collections into memory (after a restart Milvus holds them released)."""
        for name in self.names.all():
            if self.client.has_collection(name):
                state = str(self.client.get_load_state(name).get("state", ""))
                if "NotLoad" in state or "Loaded" not in state:
                    self.client.load_collection(name)

    def exists(self) -> bool:
        return self.client.has_collection(self.names.meta)

    def meta_value(self, key: str) -> str | None:
        if not self.client.has_collection(self.names.meta):
            return None
        rows = self.client.get(self.names.meta, ids=[key], output_fields=["value"])
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.client.upsert(
            self.names.meta, [{"key": key, "value": value, "_v": [0.0] * _DUMMY_DIM}]
        )

    def manifest(self) -> dict:
        raw = self.meta_value("manifest")
        return json.loads(raw) if raw else {}

    def query_all(self, collection: str, fields: list[str], expr: str = "") -> Iterator[dict]:
        """Every row matching ``expr`` (an iterator: bounded memory for any size)."""
        it = self.client.query_iterator(
            collection, batch_size=_BATCH, filter=expr, output_fields=fields
        )
        try:
            while True:
                batch = it.next()
                if not batch:
                    break
                yield from batch
        finally:
            it.close()

    def get(self, collection: str, ids: list, fields: list[str]) -> list[dict]:
        out: list[dict] = []
        for start in range(0, len(ids), _BATCH):
            out += self.client.get(
                collection, ids=ids[start : start + _BATCH], output_fields=fields
            )
        return out

    def count(self, collection: str, expr: str = "") -> int:
        rows = self.client.query(collection, filter=expr, output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def text(self, doc_id: str, kind: str) -> str:
        rows = self.client.query(
            self.names.texts,
            filter=f"doc_id == {_q(doc_id)} and kind == {_q(kind)}",
            output_fields=["part", "body"],
        )
        return "".join(r["body"] for r in sorted(rows, key=lambda r: r["part"]))

    def document(self, doc_id: str) -> Document | None:
        rows = self.client.get(
            self.names.documents, ids=[doc_id], output_fields=["doc_id", "duplicate_of", "record"]
        )
        return _document_from(rows[0], self.text(doc_id, "text")) if rows else None

    def published(self, doc_ids: set[str]) -> set[str]:
        rows = self.get(self.names.documents, sorted(doc_ids), ["doc_id"])
        return {r["doc_id"] for r in rows}

    def close(self) -> None:
        self.client.close()

    # -- schema
    def create(self, dim: int) -> None:
        pm = _pymilvus()
        dt = pm.DataType
        client = self.client

        def make(name: str, fields: list[tuple], vector_dim: int = _DUMMY_DIM, bm25=False):
            if client.has_collection(name):
                return
            schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
            for field_name, kind, kw in fields:
                schema.add_field(field_name, kind, **kw)
            schema.add_field(
                "_v" if vector_dim == _DUMMY_DIM else "vector", dt.FLOAT_VECTOR, dim=vector_dim
            )
            params = client.prepare_index_params()
            if vector_dim == _DUMMY_DIM:
                params.add_index("_v", index_type="FLAT", metric_type="L2")
            else:
                params.add_index("vector", index_type="AUTOINDEX", metric_type="IP")
            if bm25:
                schema.add_field("sparse", dt.SPARSE_FLOAT_VECTOR)
                schema.add_function(
                    pm.Function(
                        name="bm25",
                        function_type=pm.FunctionType.BM25,
                        input_field_names=["text"],
                        output_field_names=["sparse"],
                    )
                )
                params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
            client.create_collection(
                name, schema=schema, index_params=params, consistency_level=_STRONG
            )

        s = {"max_length": 64}
        make(
            self.names.chunks,
            [
                ("chunk_id", dt.INT64, {"is_primary": True}),
                ("doc_id", dt.VARCHAR, s),
                ("seq", dt.INT64, {}),
                ("start", dt.INT64, {}),
                ("stop", dt.INT64, {}),
                (
                    "text",
                    dt.VARCHAR,
                    {
                        "max_length": 65_535,
                        "enable_analyzer": True,
                        "enable_match": True,
                        "analyzer_params": {"tokenizer": "standard", "filter": ["lowercase"]},
                    },
                ),
                ("outlet", dt.VARCHAR, {"max_length": 1024}),
                ("published", dt.VARCHAR, s),
                ("duplicate_of", dt.VARCHAR, s),
            ],
            vector_dim=dim,
            bm25=True,
        )
        make(
            self.names.documents,
            [
                ("doc_id", dt.VARCHAR, {"is_primary": True, "max_length": 64}),
                ("duplicate_of", dt.VARCHAR, s),
                ("record", dt.VARCHAR, {"max_length": 65_535}),
            ],
        )
        make(
            self.names.texts,
            [
                ("key", dt.VARCHAR, {"is_primary": True, "max_length": 128}),
                ("doc_id", dt.VARCHAR, s),
                ("kind", dt.VARCHAR, {"max_length": 16}),
                ("part", dt.INT64, {}),
                ("body", dt.VARCHAR, {"max_length": 65_535}),
            ],
        )
        make(
            self.names.files,
            [
                ("path", dt.VARCHAR, {"is_primary": True, "max_length": 8192}),
                ("doc_id", dt.VARCHAR, s),
                ("file_sha256", dt.VARCHAR, s),
                ("sidecar_sha256", dt.VARCHAR, s),
                ("size", dt.INT64, {}),
                ("mtime", dt.DOUBLE, {}),
            ],
        )
        make(
            self.names.meta,
            [
                ("key", dt.VARCHAR, {"is_primary": True, "max_length": 128}),
                ("value", dt.VARCHAR, {"max_length": 65_535}),
            ],
        )


class MilvusStore:
    """The read side (a :class:`index.backend.VectorStore`) over Milvus.

    Raises:
        IndexNotFoundError: nothing was ever committed to these collections.
    """

    def __init__(self, settings: Settings):
        self._db = _Client(settings)
        self.manifest = self._db.manifest()
        if not self.manifest:
            self._db.close()
            raise IndexNotFoundError(
                f"no index in Milvus at {milvus_uri(settings)} (collections "
                f"'{settings.index.collection}_*') yet — run `twosource --data "
                f"{settings.data_dir} ingest PATH` with the same index settings first"
            )
        self._names = self._db.names
        self._docs: dict[str, Document] = {}
        self._idf: dict[str, float] = {}

    # -- documents
    def documents(self) -> list[Document]:
        texts: dict[str, list[tuple[int, str]]] = {}
        for r in self._db.query_all(
            self._names.texts, ["doc_id", "part", "body"], 'kind == "text"'
        ):
            texts.setdefault(r["doc_id"], []).append((r["part"], r["body"]))
        docs = [
            _document_from(r, "".join(b for _, b in sorted(texts.get(r["doc_id"], []))))
            for r in self._db.query_all(self._names.documents, ["doc_id", "duplicate_of", "record"])
        ]
        return sorted(docs, key=lambda d: (not d.meta.published, d.meta.published, d.meta.title))

    def document(self, doc_id: str) -> Document | None:
        if doc_id not in self._docs:
            doc = self._db.document(doc_id)
            if doc is None:
                return None
            self._docs[doc_id] = doc
        return self._docs[doc_id]

    def removed_lines(self, doc_id: str) -> list[tuple[str, str]]:
        if self.document(doc_id) is None:
            return []
        raw = self._db.text(doc_id, "removed")
        return [tuple(x) for x in json.loads(raw)] if raw else []

    # -- chunks
    def _visible(self, doc_ids: set[str]) -> set[str]:
        unknown = doc_ids - self._docs.keys()
        return (doc_ids & self._docs.keys()) | (self._db.published(unknown) if unknown else set())

    def chunks(self, chunk_ids: list[int]) -> dict[int, Chunk]:
        rows = self._db.get(
            self._names.chunks,
            [int(c) for c in chunk_ids],
            ["chunk_id", "doc_id", "seq", "start", "stop", "text"],
        )
        live = self._visible({r["doc_id"] for r in rows})
        return {
            r["chunk_id"]: Chunk(
                chunk_id=r["chunk_id"],
                doc_id=r["doc_id"],
                seq=r["seq"],
                start=r["start"],
                end=r["stop"],
                text=r["text"],
            )
            for r in rows
            if r["doc_id"] in live
        }

    def vectors(self, chunk_ids: list[int]) -> dict[int, np.ndarray]:
        rows = self._db.get(self._names.chunks, [int(c) for c in chunk_ids], ["chunk_id", "vector"])
        return {r["chunk_id"]: np.asarray(r["vector"], dtype=np.float32) for r in rows}

    def all_chunks(self) -> Iterator[Chunk]:
        """Chunks of published documents, in chunk-id order (as the FAISS store gives them)."""
        live = {r["doc_id"] for r in self._db.query_all(self._names.documents, ["doc_id"])}
        rows = [
            r
            for r in self._db.query_all(
                self._names.chunks, ["chunk_id", "doc_id", "seq", "start", "stop", "text"]
            )
            if r["doc_id"] in live
        ]
        rows.sort(key=lambda r: r["chunk_id"])
        for r in rows:
            yield Chunk(r["chunk_id"], r["doc_id"], r["seq"], r["start"], r["stop"], r["text"])

    def count(self, table: str) -> int:
        assert table in ("documents", "chunks", "files")
        return self._db.count(getattr(self._names, table))

    # -- search
    def _ranked(self, hits: list[dict], k: int, filters: SearchFilters | None, sign: float):
        live = self._visible({h["entity"]["doc_id"] for h in hits})
        out: list[tuple[int, float]] = []
        for h in hits:
            e = h["entity"]
            if e["doc_id"] not in live:
                continue  # written by a writer that has not published the document (yet)
            if filters and not filters.allows_values(
                e["doc_id"], e["outlet"], e["published"], e["duplicate_of"]
            ):
                continue
            out.append((int(h.get("chunk_id", h.get("id"))), sign * float(h["distance"])))
        return out[:k]

    def search_vector(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[int, float]]:
        expr, _ = _filter_expr(filters)
        limit = min(_LIMIT, k + max(10, k // 4))  # room for unpublished chunks left out
        res = self._db.client.search(
            self._names.chunks,
            data=[np.asarray(vector, dtype=np.float32).tolist()],
            anns_field="vector",
            limit=limit,
            filter=expr,
            output_fields=["doc_id", "outlet", "published", "duplicate_of"],
            search_params={"metric_type": "IP"},
            consistency_level=_STRONG,
        )
        return self._ranked(list(res[0]), k, filters, 1.0)

    def lexical_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Milvus' own BM25 full-text search over the chunk texts (standard tokenizer,
        lower-cased: Milvus Lite has no English stemmer)."""
        if not query.strip():
            return []
        res = self._db.client.search(
            self._names.chunks,
            data=[query],
            anns_field="sparse",
            limit=min(_LIMIT, k + max(10, k // 4)),
            output_fields=["doc_id", "outlet", "published", "duplicate_of"],
            search_params={"metric_type": "BM25"},
            consistency_level=_STRONG,
        )
        return [(cid, abs(score)) for cid, score in self._ranked(list(res[0]), k, None, 1.0)]

    def idf(self, token: str) -> float:
        """BM25 IDF of a word, from the number of chunks whose text matches it."""
        if token not in self._idf:
            n = self._db.count(self._names.chunks)
            df = self._db.count(self._names.chunks, f"TEXT_MATCH(text, {_q(token)})")
            self._idf[token] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return self._idf[token]

    def close(self) -> None:
        self._db.close()


class MilvusWriter:
    """The write side (an :class:`index.backend.StoreWriter`) over Milvus: changes are held
    in memory and written by :meth:`commit`, each new document published by its last write."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self._db = _Client(settings)
        self.names = self._db.names
        self.manifest = self._db.manifest()
        self._ready = self._db.exists() and all(
            self._db.client.has_collection(n) for n in self.names.all()
        )
        self._next_id = int(self._db.meta_value("next_chunk_id") or 1) if self._ready else 1
        self._files: dict[str, dict | None] = {}
        self._new: dict[str, tuple[Document, dict, list[dict]]] = {}
        self._removed: set[str] = set()
        self._meta: dict[str, DocumentMeta] = {}
        self._dups: dict[str, str | None] = {}
        if self._ready:
            self._sweep()

    # -- leftovers of a writer killed half-way
    def _sweep(self) -> None:
        pending = [
            r["key"] for r in self._db.query_all(self.names.meta, ["key"], 'key like "pending:%"')
        ]
        docs = {key.split(":", 1)[1] for key in pending}
        if docs:
            self._delete_rows(sorted(docs - self._db.published(docs)))
            self._db.client.delete(self.names.meta, ids=pending)

    def _delete_rows(self, doc_ids: list[str]) -> None:
        for start in range(0, len(doc_ids), _BATCH):
            expr = _in("doc_id", doc_ids[start : start + _BATCH])
            self._db.client.delete(self.names.chunks, filter=expr)
            self._db.client.delete(self.names.texts, filter=expr)

    # -- queries on the index as it will be after commit
    def file_record(self, path: str) -> dict | None:
        if path in self._files:
            return self._files[path]
        if not self._ready:
            return None
        rows = self._db.client.get(
            self.names.files,
            ids=[path],
            output_fields=["path", "doc_id", "file_sha256", "sidecar_sha256", "size", "mtime"],
        )
        return dict(rows[0]) if rows else None

    def file_paths(self) -> list[str]:
        stored = (
            [r["path"] for r in self._db.query_all(self.names.files, ["path"])]
            if self._ready
            else []
        )
        paths = [p for p in stored if self._files.get(p, True) is not None]
        return paths + [p for p, row in self._files.items() if row and p not in stored]

    def _stored_doc(self, doc_id: str) -> Document | None:
        if not self._ready or doc_id in self._removed:
            return None
        return self._db.document(doc_id)

    def has_document(self, doc_id: str) -> bool:
        if doc_id in self._new:
            return True
        if doc_id in self._removed or not self._ready:
            return False
        return bool(self._db.published({doc_id}))

    def document(self, doc_id: str) -> Document | None:
        doc = self._new[doc_id][0] if doc_id in self._new else self._stored_doc(doc_id)
        if doc is None:
            return None
        if doc_id in self._meta:
            doc = replace(doc, meta=self._meta[doc_id])
        if doc_id in self._dups:
            doc = replace(doc, duplicate_of=self._dups[doc_id])
        return doc

    def signatures(self) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        if self._ready:
            for r in self._db.query_all(self.names.documents, ["doc_id", "record"]):
                if r["doc_id"] not in self._removed:
                    out.append((r["doc_id"], bytes.fromhex(json.loads(r["record"])["minhash"])))
        return out + [(d, bytes.fromhex(rec["minhash"])) for d, (_, rec, _) in self._new.items()]

    # -- changes (held until commit)
    def set_file(
        self, path: str, doc_id: str, file_sha: str, sidecar_sha: str, size: int, mtime: float
    ) -> None:
        self._files[path] = {
            "path": path,
            "doc_id": doc_id,
            "file_sha256": file_sha,
            "sidecar_sha256": sidecar_sha,
            "size": int(size),
            "mtime": float(mtime),
        }

    def remove_file(self, path: str) -> str | None:
        row = self.file_record(path)
        if row is None:
            return None
        self._files[path] = None
        doc_id = row["doc_id"]
        if any(r and r["doc_id"] == doc_id for r in self._files.values()):
            return None
        if self._ready:
            for r in self._db.query_all(self.names.files, ["path"], f"doc_id == {_q(doc_id)}"):
                if self._files.get(r["path"], True) is not None:
                    return None
        return doc_id

    def update_meta(self, doc_id: str, meta: DocumentMeta) -> None:
        self._meta[doc_id] = meta

    def add_document(
        self,
        doc: Document,
        encoding: str,
        removed: list[tuple[str, str]],
        minhash: bytes,
        spans: list[tuple[int, int, str]],
        vectors: np.ndarray,
    ) -> int:
        m = asdict(doc.meta)
        record = {
            **m,
            "inferred": list(m["inferred"]),
            "path": doc.path,
            "format": doc.format,
            "encoding": encoding,
            "minhash": minhash.hex(),
            "n_chunks": len(spans),
            "ingested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "removed": removed,
        }
        rows = []
        for seq, (s, e, t) in enumerate(spans):
            rows.append(
                {
                    "chunk_id": self._next_id,
                    "doc_id": doc.doc_id,
                    "seq": seq,
                    "start": int(s),
                    "stop": int(e),
                    "text": t,
                    "vector": np.asarray(vectors[seq], dtype=np.float32),
                }
            )
            self._next_id += 1  # ids are never reused, even after deletions
        self._removed.discard(doc.doc_id)
        self._new[doc.doc_id] = (doc, record, rows)
        return len(spans)

    def remove_document(self, doc_id: str) -> list[str]:
        copies = [d for d, (doc, _, _) in self._new.items() if doc.duplicate_of == doc_id]
        if self._ready:
            copies += [
                r["doc_id"]
                for r in self._db.query_all(
                    self.names.documents, ["doc_id"], f"duplicate_of == {_q(doc_id)}"
                )
                if r["doc_id"] not in self._removed
            ]
        copies += [d for d, orig in self._dups.items() if orig == doc_id and d not in copies]
        self._new.pop(doc_id, None)
        self._meta.pop(doc_id, None)
        self._dups.pop(doc_id, None)
        self._removed.add(doc_id)
        for copy in copies:
            self._dups[copy] = None
        return copies

    def set_duplicate(self, doc_id: str, original: str | None) -> None:
        self._dups[doc_id] = original

    # -- publishing
    def _chunk_rows(self, doc: Document, rows: list[dict]) -> list[dict]:
        extra = {
            "outlet": (doc.meta.outlet or "").lower(),
            "published": doc.meta.published or "",
            "duplicate_of": doc.duplicate_of or "",
        }
        return [{**r, **extra, "vector": np.asarray(r["vector"]).tolist()} for r in rows]

    def _text_rows(self, doc_id: str, kind: str, text: str) -> list[dict]:
        parts = [text[i : i + TEXT_PART] for i in range(0, len(text), TEXT_PART)] or [""]
        return [
            {
                "key": f"{doc_id}:{kind}:{n}",
                "doc_id": doc_id,
                "kind": kind,
                "part": n,
                "body": body,
                "_v": [0.0] * _DUMMY_DIM,
            }
            for n, body in enumerate(parts)
        ]

    def _doc_row(self, doc: Document, record: dict) -> dict:
        meta = asdict(doc.meta)
        rec = {**record, **meta, "inferred": list(meta["inferred"])}
        rec.pop("removed", None)
        return {
            "doc_id": doc.doc_id,
            "duplicate_of": doc.duplicate_of or "",
            "record": json.dumps(rec, ensure_ascii=False),
            "_v": [0.0] * _DUMMY_DIM,
        }

    def _upsert(self, collection: str, rows: list[dict]) -> None:
        for start in range(0, len(rows), _BATCH):
            self._db.client.upsert(collection, rows[start : start + _BATCH])

    def _mark(self, doc_ids: list[str]) -> list[str]:
        markers = [f"pending:{d}" for d in doc_ids]
        self._upsert(
            self.names.meta, [{"key": m, "value": "", "_v": [0.0] * _DUMMY_DIM} for m in markers]
        )
        return markers

    def _publish(self, batch: list[tuple[Document, dict, list[dict]]]) -> None:
        """Write a batch of new documents: markers, then chunks and texts, then the document
        rows (each row publishes its document), then the markers go."""
        ids = [doc.doc_id for doc, _, _ in batch]
        markers = self._mark(ids)
        self._delete_rows(ids)  # a re-ingest of the same document replaces, not adds
        self._upsert(
            self.names.chunks, [r for doc, _, rows in batch for r in self._chunk_rows(doc, rows)]
        )
        self._upsert(
            self.names.texts,
            [
                row
                for doc, record, _ in batch
                for row in self._text_rows(doc.doc_id, "text", doc.cleaned_text)
                + self._text_rows(doc.doc_id, "removed", json.dumps(record["removed"]))
            ],
        )
        self._upsert(self.names.documents, [self._doc_row(doc, rec) for doc, rec, _ in batch])
        self._db.client.delete(self.names.meta, ids=markers)

    def _republish(self, doc_id: str) -> None:
        """A stored document whose metadata or original changed: its row and its chunks'
        filter fields are rewritten."""
        rows = self._db.client.get(
            self.names.documents, ids=[doc_id], output_fields=["doc_id", "duplicate_of", "record"]
        )
        if not rows:
            return
        record = json.loads(rows[0]["record"])
        doc = self.document(doc_id)
        chunk_rows = list(
            self._db.query_all(
                self.names.chunks,
                ["chunk_id", "doc_id", "seq", "start", "stop", "text", "vector"],
                f"doc_id == {_q(doc_id)}",
            )
        )
        self._upsert(self.names.chunks, self._chunk_rows(doc, chunk_rows))
        self._upsert(self.names.documents, [self._doc_row(doc, record)])

    def commit(self, embedder: dict, chunking: dict, extra: dict | None = None) -> int:
        """Write every held change; returns the new generation number (a counter here)."""
        self._db.create(int(embedder["dim"]))
        self._ready = True
        db = self._db.client
        # Claimed before any chunk is written: a commit killed half-way leaves a gap in the
        # ids, never a reuse that would overwrite the chunks it had already published.
        self._db.set_meta("next_chunk_id", str(self._next_id))
        removed = sorted(self._removed)
        for start in range(0, len(removed), PUBLISH_BATCH):  # unpublish first, then the rest
            part = removed[start : start + PUBLISH_BATCH]
            markers = self._mark(part)
            db.delete(self.names.documents, ids=part)
            self._delete_rows(part)
            db.delete(self.names.meta, ids=markers)
        new = [
            (self.document(doc_id) or doc, record, rows)
            for doc_id, (doc, record, rows) in self._new.items()
        ]
        for start in range(0, len(new), PUBLISH_BATCH):
            self._publish(new[start : start + PUBLISH_BATCH])
        for doc_id in set(self._meta) | set(self._dups):
            if doc_id not in self._new and doc_id not in self._removed:
                self._republish(doc_id)
        gone = [p for p, row in self._files.items() if row is None]
        if gone:
            db.delete(self.names.files, ids=gone)
        self._upsert(
            self.names.files,
            [{**row, "_v": [0.0] * _DUMMY_DIM} for row in self._files.values() if row],
        )
        number = int(self.manifest.get("generation", 0)) + 1
        self.manifest = {
            "format_version": FORMAT_VERSION,
            "backend": "milvus",
            "generation": number,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "embedder": embedder,
            "chunking": chunking,
            "counts": {
                t: self._db.count(getattr(self.names, t)) for t in ("documents", "chunks", "files")
            },
            **(extra or {}),
        }
        self._db.set_meta("manifest", json.dumps(self.manifest))
        with contextlib.suppress(Exception):  # Milvus Lite persists on flush; servers anyway
            for name in self.names.all():
                db.flush(name)
        self._db.close()
        return number

    def abort(self) -> None:
        """Forget the held changes (nothing was written)."""
        with contextlib.suppress(Exception):
            self._db.close()
