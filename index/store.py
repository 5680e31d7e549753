"""The on-disk index: SQLite (documents, chunks, offsets, metadata, duplicate links, vectors)
plus a FAISS index, published atomically as numbered generations.

Layout of a data directory::

    CURRENT            name of the live generation, replaced atomically (write, fsync, rename)
    gen-000007/        store.sqlite, vectors.faiss, manifest.json (sizes + sha256 checksums)
    .lock              held by the one writer

A writer builds the next generation in ``gen-NNNNNN.tmp``, fsyncs every file, renames the
folder, then switches ``CURRENT``. A crash at any moment leaves ``CURRENT`` naming a complete,
checksummed generation; leftovers are swept by the next writer.

FAISS index type by size: exact inner product (``IndexFlatIP``) up to
``index.exact_max_vectors`` (100k by default: an exact scan of 100k × 384 floats takes a few ms
per query); above that ``IndexIVFScalarQuantizer`` (8-bit, nlist ≈ 4·√n), a quarter of the
memory, with ``index.nprobe`` lists searched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import (
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    MissingDependencyError,
    NotAnIndexError,
)
from .records import Chunk, Document, DocumentMeta

if TYPE_CHECKING:
    from .backend import SearchFilters

FORMAT_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
DB_FILE = "store.sqlite"
FAISS_FILE = "vectors.faiss"
LOCK_FILE = ".lock"
KEEP_PREVIOUS = 1  # older generations kept for recovery
# Files a data directory may hold before its first generation is published.
PRE_INDEX_FILES = {"twosource.toml", LOCK_FILE, "sources.toml"}
FAISS_SHA_KEY = "faiss_sha256"  # the FAISS file's checksum, recorded inside SQLite too
CONTENT_SHA_KEY = "content_sha256"  # checksum of every row of documents, chunks and files
_GEN_NAME = re.compile(r"gen-\d{6}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, doc_id TEXT NOT NULL, file_sha256 TEXT NOT NULL,
    sidecar_sha256 TEXT NOT NULL DEFAULT '', size INTEGER NOT NULL, mtime REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, format TEXT NOT NULL,
    title TEXT, outlet TEXT, author TEXT, published TEXT, url TEXT, language TEXT,
    inferred TEXT NOT NULL DEFAULT '[]', cleaned_text TEXT NOT NULL, encoding TEXT,
    removed TEXT NOT NULL DEFAULT '[]', duplicate_of TEXT, minhash BLOB,
    n_chunks INTEGER NOT NULL DEFAULT 0, ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, seq INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS files_doc ON files(doc_id);
"""


def _faiss():
    try:
        import faiss
    except ImportError:
        raise MissingDependencyError("faiss-cpu", "the vector index") from None
    return faiss


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 4 MB blocks (bounded memory for any size)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _gen_name(n: int) -> str:
    return f"gen-{n:06d}"


def is_index_dir(data_dir: Path) -> bool:
    return (data_dir / CURRENT).is_file()


def _check_hint(data_dir: Path) -> str:
    return f"run `twosource --data {data_dir} check` for details"


def _generations(data_dir: Path) -> list[str]:
    return sorted(
        p.name for p in data_dir.glob("gen-*") if p.is_dir() and _GEN_NAME.fullmatch(p.name)
    )


def read_pointer(data_dir: Path) -> str:
    """The generation name in ``data_dir/CURRENT``, checked to be a well-formed name.

    Raises:
        IndexCorruptError: CURRENT is unreadable or holds anything but a generation name.
    """
    pointer = data_dir / CURRENT
    try:
        raw = pointer.read_bytes()[:200]
    except OSError as exc:
        raise IndexCorruptError(
            f"{pointer} cannot be read ({exc.strerror}) — check the folder's permissions"
        ) from None
    try:
        name = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        name = None
    if name is None or not _GEN_NAME.fullmatch(name):
        present = _generations(data_dir)
        fix = (
            f"write the name of the newest generation ('{present[-1]}') into it, e.g. "
            f"`echo {present[-1]} > {pointer}`, then run `twosource --data {data_dir} check`; or "
            "restore the data directory from a backup"
            if present
            else "restore the data directory from a backup, or re-ingest your articles into a "
            "new data directory"
        )
        raise IndexCorruptError(
            f"{pointer} is damaged: it should hold the name of the live generation (like "
            f"'gen-000001') but holds {'unreadable bytes' if name is None else repr(name[:40])}"
            f" — {fix}"
        )
    return name


def _interrupted_first_ingest(data_dir: Path, names: set[str]) -> bool:
    """Only what a first ingest leaves behind when it is killed: its generation folders (done
    or half-written), a half-written CURRENT, the lock and settings files."""
    leftovers = {n for n in names if n.startswith("gen-") or n == CURRENT + ".tmp"}
    return bool(leftovers) and all(
        n in PRE_INDEX_FILES
        or n == CURRENT + ".tmp"
        or (n.startswith("gen-") and (data_dir / n).is_dir())
        for n in names
    )


def _writer_active(data_dir: Path) -> bool:
    """Whether a writer holds the lock of ``data_dir`` right now (tested without waiting)."""
    try:
        fd = os.open(data_dir / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def current_generation(data_dir: Path) -> Path:
    """The live generation folder of ``data_dir``.

    Raises:
        IndexNotFoundError: no index there yet (or its first ingest was interrupted).
        NotAnIndexError: the folder holds other things but no TwoSource index.
        IndexCorruptError: CURRENT is damaged or names a missing generation.
    """
    if not data_dir.exists() or (data_dir.is_dir() and not any(data_dir.iterdir())):
        raise IndexNotFoundError(
            f"no index at {data_dir} yet — run `twosource ingest PATH --data {data_dir}` first"
        )
    if not data_dir.is_dir():
        raise NotAnIndexError(f"{data_dir} is a file, not a TwoSource data directory")
    pointer = data_dir / CURRENT
    if not pointer.is_file():
        names = {p.name for p in data_dir.iterdir()}
        if names <= PRE_INDEX_FILES:
            raise IndexNotFoundError(
                f"no index at {data_dir} yet — run `twosource ingest PATH --data {data_dir}`"
            )
        if _interrupted_first_ingest(data_dir, names) and _writer_active(data_dir):
            holder = lock_holder(data_dir)
            raise IndexNotFoundError(
                f"the first ingest into {data_dir} is still running"
                + (f" (pid {holder})" if holder else "")
                + " — wait for it to finish, then try again"
            )
        if _interrupted_first_ingest(data_dir, names):
            found = ", ".join(sorted(n for n in names if n not in PRE_INDEX_FILES))
            raise IndexNotFoundError(
                f"the first ingest into {data_dir} was interrupted before it finished (it left "
                f"{found} but no {CURRENT} file), so nothing is indexed yet — run the same "
                f"`twosource --data {data_dir} ingest PATH …` again: it clears the leftovers and "
                "completes the index"
            )
        raise NotAnIndexError(
            f"{data_dir} is not a TwoSource index (no {CURRENT} file) — point --data at an index "
            "directory or at an empty/new folder"
        )
    name = read_pointer(data_dir)
    gen = data_dir / name
    if not gen.is_dir():
        present = _generations(data_dir)
        fix = (
            f"if '{present[-1]}' is the newest generation, write its name into {pointer}, then "
            f"run `twosource --data {data_dir} check`; otherwise restore from a backup"
            if present
            else "restore the data directory from a backup, or re-ingest into a new data directory"
        )
        raise IndexCorruptError(
            f"{pointer} names '{name}', which is missing — the index is damaged; {fix}"
        )
    return gen


def read_manifest(gen: Path) -> dict:
    path = gen / MANIFEST
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        problem = "is missing"
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror})"
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        problem = "is damaged (not valid JSON)"
    else:
        problem = _manifest_problem(manifest)
        if problem is None:
            return manifest
        problem = f"is damaged ({problem})"
    raise IndexCorruptError(
        f"{path} {problem} — the index generation {gen.name} cannot be trusted; "
        f"{_check_hint(gen.parent)}, then restore the data directory from a backup or re-ingest "
        "your articles into a new data directory"
    )


_MANIFEST_TYPES = {
    "format_version": int,
    "generation": int,
    "files": dict,
    "embedder": dict,
    "chunking": dict,
    "counts": dict,
    "faiss": str,
    "nprobe": int,
}


def _manifest_problem(manifest: object) -> str | None:
    """What is wrong with the shape of a parsed manifest, or None."""
    if not isinstance(manifest, dict):
        return "not a TwoSource manifest"
    for key, kind in _MANIFEST_TYPES.items():
        if key in manifest and not isinstance(manifest[key], kind):
            return f"'{key}' should be {kind.__name__}, found {type(manifest[key]).__name__}"
    for name, info in manifest.get("files", {}).items():
        if not (
            isinstance(info, dict)
            and isinstance(info.get("size"), int)
            and isinstance(info.get("sha256"), str)
        ):
            return f"no size or checksum for {name}"
    if not isinstance(manifest.get("counts", {}), dict) or not all(
        isinstance(v, int) for v in manifest.get("counts", {}).values()
    ):
        return "'counts' should map tables to numbers"
    return None


def verify_generation(gen: Path, manifest: dict) -> None:
    """Check every file of a generation against the manifest's size and checksum."""
    for name, info in manifest.get("files", {}).items():
        path = gen / name
        try:
            size, digest = int(info["size"]), str(info["sha256"])
        except (TypeError, KeyError, ValueError):
            raise IndexCorruptError(
                f"{gen / MANIFEST} is damaged (no size or checksum for {name}) — "
                f"{_check_hint(gen.parent)}"
            ) from None
        if not path.is_file() or path.stat().st_size != size:
            raise IndexCorruptError(
                f"{path} is missing or has the wrong size — the index is damaged; "
                f"{_check_hint(gen.parent)}, then restore from a backup or re-ingest"
            )
        if sha256_file(path) != digest:
            raise IndexCorruptError(
                f"{path} does not match its checksum — the file is damaged; "
                f"{_check_hint(gen.parent)}, then restore from a backup or re-ingest"
            )


def content_digest(conn: sqlite3.Connection) -> str:
    """sha256 over every value of the documents, chunks and files tables, in key order.

    SQLite's own checks see only the file's structure; this catches damage inside the stored
    text and vectors too (e.g. a zeroed region of an overflow page), whatever the manifest says.
    """
    digest = hashlib.sha256()
    for table, key in (("documents", "doc_id"), ("chunks", "chunk_id"), ("files", "path")):
        digest.update(f"\x00table {table}\x00".encode())
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY {key}"):
            for value in row:
                if value is None:
                    digest.update(b"N")
                elif isinstance(value, bytes):
                    digest.update(b"B%d:" % len(value))
                    digest.update(value)
                elif isinstance(value, str):
                    raw = value.encode("utf-8", "surrogatepass")
                    digest.update(b"S%d:" % len(raw))
                    digest.update(raw)
                else:
                    digest.update(f"{type(value).__name__[0]}{value!r};".encode())
    return digest.hexdigest()


def integrity_check_on_open(gen: Path, manifest: dict, conn: sqlite3.Connection) -> None:
    """Checks that hold even when the manifest's checksums were recomputed over damaged files:
    SQLite's own structural check, the FAISS checksum recorded inside SQLite at commit, and the
    manifest's counts against the tables.

    Raises:
        IndexCorruptError: naming the damaged file and what to do.
    """
    db = gen / DB_FILE
    advice = f"{_check_hint(gen.parent)}, then restore from a backup or re-ingest"
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        if not problems:
            counts = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("documents", "chunks", "files")
            }
            recorded = conn.execute(
                "SELECT value FROM meta WHERE key=?", (FAISS_SHA_KEY,)
            ).fetchone()
            content = conn.execute(
                "SELECT value FROM meta WHERE key=?", (CONTENT_SHA_KEY,)
            ).fetchone()
            if content is not None and content[0] != content_digest(conn):
                problems = [
                    "its documents or chunks no longer match the checksum recorded when it was "
                    "written"
                ]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    except (UnicodeDecodeError, ValueError) as exc:  # damaged text that SQLite cannot decode
        problems = [f"unreadable text ({exc})"]
    if problems:
        raise IndexCorruptError(f"{db} is damaged (SQLite: {problems[0][:200]}) — {advice}")
    expected = manifest.get("counts")
    if isinstance(expected, dict) and any(
        t in expected and expected[t] != counts[t] for t in counts
    ):
        raise IndexCorruptError(
            f"{db} is damaged or was replaced: it holds {counts} but its manifest says "
            f"{ {t: expected.get(t) for t in counts} } — {advice}"
        )
    faiss_info = manifest.get("files", {}).get(FAISS_FILE)
    if (
        recorded is not None
        and isinstance(faiss_info, dict)
        and recorded[0] != faiss_info.get("sha256")
    ):
        raise IndexCorruptError(
            f"{gen / FAISS_FILE} is damaged: its checksum differs from the one recorded in "
            f"{DB_FILE} when the index was written (the manifest was rewritten to match the "
            f"changed file) — {advice}"
        )


def check_compatible(manifest: dict, embedder_name: str, chunking: dict, data_dir: Path) -> None:
    """Refuse to mix embedders or chunk settings inside one index.

    Only the embedder *name* setting is compared here (cheap, no model load); the full
    fingerprint is compared once the model is loaded, by :meth:`IndexWriter.set_embedder`.
    """
    built = manifest.get("embedder", {})
    if built and built.get("setting") != embedder_name:
        raise IndexMismatchError(
            f"the index at {data_dir} was built with the embedder '{built.get('setting')}' "
            f"({built.get('name')}, {built.get('dim')} dimensions), but the current setting is "
            f"'{embedder_name}' — vectors from different models cannot be compared. Use the same "
            "embedding.model, or ingest into a new data directory"
        )
    built_chunking = manifest.get("chunking")
    if built_chunking and built_chunking != chunking:
        raise IndexMismatchError(
            f"the index at {data_dir} was built with chunking {built_chunking}, but the current "
            f"settings say {chunking} — keep the same chunking settings, or ingest into a new "
            "data directory"
        )


def _row_to_document(row: sqlite3.Row) -> Document:
    meta = DocumentMeta(
        title=row["title"] or "",
        outlet=row["outlet"] or "",
        author=row["author"] or "",
        published=row["published"] or "",
        url=row["url"] or "",
        language=row["language"] or "",
        inferred=tuple(json.loads(row["inferred"] or "[]")),
    )
    return Document(
        doc_id=row["doc_id"],
        path=row["path"],
        format=row["format"],
        cleaned_text=row["cleaned_text"],
        meta=meta,
        duplicate_of=row["duplicate_of"],
        n_chunks=row["n_chunks"],
    )


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


class StoreReader:
    """Read-only view of one generation: documents, chunks and the FAISS index."""

    def __init__(self, data_dir: Path, verify: bool = True, nprobe: int | None = None):
        self.data_dir = Path(data_dir)
        self.nprobe = nprobe  # None: as saved when the index was built
        self.gen = current_generation(self.data_dir)
        self.manifest = read_manifest(self.gen)
        if self.manifest.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"the index at {data_dir} has format {self.manifest.get('format_version')}, this "
                f"TwoSource reads format {FORMAT_VERSION} — re-ingest into a new data directory"
            )
        if verify:
            verify_generation(self.gen, self.manifest)
        try:
            self.conn = _connect(self.gen / DB_FILE, readonly=True)
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(
                f"{self.gen / DB_FILE} is damaged ({exc}) — {_check_hint(self.data_dir)}, then "
                "restore from a backup or re-ingest"
            ) from None
        try:
            integrity_check_on_open(self.gen, self.manifest, self.conn)
        except IndexCorruptError:
            self.conn.close()
            raise
        self._faiss_index = None
        self._doc_cache: dict[str, Document] = {}

    # -- documents and chunks
    def documents(self) -> list[Document]:
        rows = self.conn.execute(
            "SELECT * FROM documents ORDER BY coalesce(published, '') = '', published, title"
        ).fetchall()
        return [_row_to_document(r) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        if doc_id not in self._doc_cache:
            row = self.conn.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
            if row is None:
                return None
            self._doc_cache[doc_id] = _row_to_document(row)
        return self._doc_cache[doc_id]

    def removed_lines(self, doc_id: str) -> list[tuple[str, str]]:
        row = self.conn.execute(
            "SELECT removed FROM documents WHERE doc_id=?", (doc_id,)
        ).fetchone()
        return [tuple(x) for x in json.loads(row["removed"])] if row else []

    def chunks(self, chunk_ids: list[int]) -> dict[int, Chunk]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.conn.execute(
            'SELECT chunk_id, doc_id, seq, start, "end", text FROM chunks '
            f"WHERE chunk_id IN ({marks})",
            [int(c) for c in chunk_ids],
        ).fetchall()
        return {r["chunk_id"]: Chunk(**dict(r)) for r in rows}

    def vectors(self, chunk_ids: list[int]) -> dict[int, np.ndarray]:
        """Stored embedding of each chunk (no re-embedding needed)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.conn.execute(
            f"SELECT chunk_id, vector FROM chunks WHERE chunk_id IN ({marks})",
            [int(c) for c in chunk_ids],
        ).fetchall()
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def all_chunks(self) -> Iterator[Chunk]:
        for r in self.conn.execute(
            'SELECT chunk_id, doc_id, seq, start, "end", text FROM chunks ORDER BY chunk_id'
        ):
            yield Chunk(**dict(r))

    def count(self, table: str) -> int:
        assert table in ("documents", "chunks", "files")
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    # -- vectors
    @property
    def faiss_index(self):
        if self._faiss_index is None:
            faiss = _faiss()
            try:
                self._faiss_index = faiss.read_index(str(self.gen / FAISS_FILE))
            except (RuntimeError, MemoryError) as exc:
                raise IndexCorruptError(
                    f"{self.gen / FAISS_FILE} is damaged ({str(exc)[:200]}) — "
                    f"{_check_hint(self.data_dir)}, then restore from a backup or re-ingest"
                ) from None
            if self._faiss_index.ntotal != self.count("chunks"):
                raise IndexCorruptError(
                    f"{self.gen / FAISS_FILE} is damaged: it holds {self._faiss_index.ntotal} "
                    f"vectors but the store has {self.count('chunks')} chunks — "
                    f"{_check_hint(self.data_dir)}, then restore from a backup or re-ingest"
                )
            if self.manifest.get("faiss") == "ivf-sq8":
                # The IVF index sits inside an IndexIDMap2: set nprobe on the inner index.
                ivf = faiss.extract_index_ivf(self._faiss_index)
                ivf.nprobe = int(self.nprobe or self.manifest.get("nprobe", 16))
        return self._faiss_index

    def search_vector(
        self, vector: np.ndarray, k: int, filters: SearchFilters | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest chunks by inner product; with ``filters``, only chunks of the
        documents they allow (an ID selector inside FAISS, so ``k`` matches are still found)."""
        index = self.faiss_index
        if index.ntotal == 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        if not filters:
            scores, ids = index.search(query, min(k, index.ntotal))
        else:
            allowed = self._allowed_chunk_ids(filters)
            if not len(allowed):
                return []
            faiss = _faiss()
            selector = faiss.IDSelectorBatch(allowed)
            if self.manifest.get("faiss") == "ivf-sq8":
                nprobe = faiss.extract_index_ivf(index).nprobe
                params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
            else:
                params = faiss.SearchParameters(sel=selector)
            scores, ids = index.search(query, min(k, len(allowed)), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def _allowed_chunk_ids(self, filters: SearchFilters) -> np.ndarray:
        rows = self.conn.execute(
            "SELECT doc_id, outlet, published, duplicate_of FROM documents"
        ).fetchall()
        docs = [
            r[0] for r in rows if filters.allows_values(r[0], r[1] or "", r[2] or "", r[3] or "")
        ]
        ids: list[int] = []
        for start in range(0, len(docs), 500):
            part = docs[start : start + 500]
            marks = ",".join("?" * len(part))
            ids += [
                r[0]
                for r in self.conn.execute(
                    f"SELECT chunk_id FROM chunks WHERE doc_id IN ({marks})", part
                )
            ]
        return np.asarray(ids, dtype=np.int64)

    def close(self) -> None:
        self.conn.close()


def lock_holder(data_dir: Path) -> int | None:
    """The pid written into the lock file by the writer holding it (None if unknown)."""
    try:
        text = (data_dir / LOCK_FILE).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def writer_lock(
    data_dir: Path,
    wait: bool = False,
    on_wait: Callable[[int | None], None] | None = None,
    timeout: float | None = None,
) -> Iterator[None]:
    """One writer at a time per data directory (advisory lock, released on crash).

    Args:
        wait: wait for the other writer to finish instead of failing at once.
        on_wait: called once, with the other writer's pid, when waiting starts.
        timeout: give up waiting after this many seconds (None: wait as long as it takes).

    Raises:
        IndexBusyError: another process is writing (and ``wait`` is False, or timed out).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    fh = (data_dir / LOCK_FILE).open("a")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = lock_holder(data_dir)
        who = f"another TwoSource process (pid {holder})" if holder else "another TwoSource process"
        if not wait:
            fh.close()
            raise IndexBusyError(
                f"{who} is writing to {data_dir}; wait for it to finish, or run the command "
                "again without --no-wait to wait for it"
            ) from None
        if on_wait is not None:
            on_wait(holder)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() > deadline:
                    fh.close()
                    raise IndexBusyError(
                        f"{who} is still writing to {data_dir} after {timeout:.0f} s; try again "
                        "when it has finished"
                    ) from None
                time.sleep(0.2)
            except BaseException:
                fh.close()
                raise
    try:
        with contextlib.suppress(OSError):  # who holds the lock, for a writer that waits
            fh.seek(0)
            fh.truncate()
            fh.write(f"{os.getpid()}\n")
            fh.flush()
        yield
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


class IndexWriter:
    """Builds the next generation from the current one. Use inside :func:`writer_lock`.

    Nothing is visible to readers until :meth:`commit`; without it the work is discarded.
    """

    def __init__(self, data_dir: Path, exact_max_vectors: int = 100_000, nprobe: int = 16):
        self.data_dir = Path(data_dir)
        self.exact_max_vectors = exact_max_vectors
        self.nprobe = nprobe
        self.previous: Path | None = None
        self.manifest: dict = {}
        if is_index_dir(self.data_dir):
            # A damaged CURRENT raises here, before any sweeping: never delete generations on
            # the word of a pointer that cannot be read.
            self.previous = current_generation(self.data_dir)
        self._sweep_leftovers(self.previous.name if self.previous else "")
        if self.previous is not None:
            self.manifest = read_manifest(self.previous)
            verify_generation(self.previous, self.manifest)
            conn = _connect(self.previous / DB_FILE, readonly=True)
            try:
                integrity_check_on_open(self.previous, self.manifest, conn)
            finally:
                conn.close()
        elif self.data_dir.exists() and any(
            p.name not in PRE_INDEX_FILES for p in self.data_dir.iterdir()
        ):
            raise NotAnIndexError(
                f"{self.data_dir} is not empty and is not a TwoSource index — refusing to write "
                "into it; choose a new or empty folder for --data"
            )
        number = int(self.previous.name.split("-")[1]) + 1 if self.previous else 1
        self.number = number
        self.tmp = self.data_dir / (_gen_name(number) + ".tmp")
        self.tmp.mkdir(parents=True)
        if self.previous is not None:
            src = sqlite3.connect(f"file:{self.previous / DB_FILE}?mode=ro", uri=True)
            dst = sqlite3.connect(self.tmp / DB_FILE)
            src.backup(dst)
            src.close()
            dst.close()
        self.conn = _connect(self.tmp / DB_FILE, readonly=False)
        self.conn.executescript(SCHEMA)
        self._faiss_index = None
        self._removed_ids: list[int] = []
        self._added: list[tuple[np.ndarray, np.ndarray]] = []

    def _sweep_leftovers(self, live: str) -> None:
        """Remove what a killed writer left. ``live`` is the validated live generation name
        ("" when there is no CURRENT yet, i.e. an interrupted first ingest)."""
        if not self.data_dir.exists():
            return
        for item in self.data_dir.glob("gen-*.tmp"):
            if _GEN_NAME.fullmatch(item.name[:-4]):
                shutil.rmtree(item, ignore_errors=True)
        stale = self.data_dir / (CURRENT + ".tmp")
        stale.unlink(missing_ok=True)
        # A generation renamed into place whose CURRENT switch never happened (crash between the
        # two renames) was never live: remove it so its number can be reused.
        for item in self.data_dir.glob("gen-*"):
            if item.is_dir() and _GEN_NAME.fullmatch(item.name) and item.name > live:
                shutil.rmtree(item, ignore_errors=True)

    # -- queries on the generation being built
    def file_record(self, path: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM files WHERE path=?", (path,)).fetchone()

    def file_paths(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT path FROM files")]

    def has_document(self, doc_id: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
            is not None
        )

    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return _row_to_document(row) if row else None

    def signatures(self) -> list[tuple[str, bytes]]:
        return [(r[0], r[1]) for r in self.conn.execute("SELECT doc_id, minhash FROM documents")]

    # -- changes
    def set_file(
        self, path: str, doc_id: str, file_sha: str, sidecar_sha: str, size: int, mtime: float
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)",
            (path, doc_id, file_sha, sidecar_sha, size, mtime),
        )

    def remove_file(self, path: str) -> str | None:
        """Forget a file; returns the doc_id it pointed to if no other file still does."""
        row = self.file_record(path)
        if row is None:
            return None
        self.conn.execute("DELETE FROM files WHERE path=?", (path,))
        still = self.conn.execute("SELECT 1 FROM files WHERE doc_id=?", (row["doc_id"],)).fetchone()
        return None if still else row["doc_id"]

    def update_meta(self, doc_id: str, meta: DocumentMeta) -> None:
        values = asdict(meta)
        inferred = json.dumps(list(values.pop("inferred")))
        self.conn.execute(
            "UPDATE documents SET title=?, outlet=?, author=?, published=?, url=?, language=?, "
            "inferred=? WHERE doc_id=?",
            (*values.values(), inferred, doc_id),
        )

    def add_document(
        self,
        doc: Document,
        encoding: str,
        removed: list[tuple[str, str]],
        minhash: bytes,
        spans: list[tuple[int, int, str]],
        vectors: np.ndarray,
    ) -> int:
        """Insert a document with its chunks and vectors; returns the number of chunks."""
        m = doc.meta
        self.conn.execute(
            "INSERT INTO documents (doc_id, path, format, title, outlet, author, published, url, "
            "language, inferred, cleaned_text, encoding, removed, duplicate_of, minhash, n_chunks, "
            "ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                doc.path,
                doc.format,
                m.title,
                m.outlet,
                m.author,
                m.published,
                m.url,
                m.language,
                json.dumps(list(m.inferred)),
                doc.cleaned_text,
                encoding,
                json.dumps(removed),
                doc.duplicate_of,
                minhash,
                len(spans),
                time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            ),
        )
        next_id = self.conn.execute("SELECT coalesce(max(chunk_id), 0) + 1 FROM chunks").fetchone()[
            0
        ]
        floor = int(self._meta_value("next_chunk_id", "1"))
        next_id = max(next_id, floor)  # ids are never reused, even after deletions
        ids = np.arange(next_id, next_id + len(spans), dtype=np.int64)
        self.conn.executemany(
            'INSERT INTO chunks (chunk_id, doc_id, seq, start, "end", text, vector) '
            "VALUES (?,?,?,?,?,?,?)",
            [
                (int(cid), doc.doc_id, seq, s, e, t, vectors[seq].astype(np.float32).tobytes())
                for seq, (cid, (s, e, t)) in enumerate(zip(ids, spans, strict=True))
            ],
        )
        self._set_meta("next_chunk_id", str(next_id + len(spans)))
        self._added.append((ids, vectors.astype(np.float32)))
        return len(spans)

    def remove_document(self, doc_id: str) -> list[str]:
        """Delete a document and its chunks; returns the ids of its copies, now unlinked."""
        copies = [
            r[0]
            for r in self.conn.execute(
                "SELECT doc_id FROM documents WHERE duplicate_of=?", (doc_id,)
            )
        ]
        ids = [
            r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,))
        ]
        self._removed_ids.extend(ids)
        self.conn.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        self.conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
        # Copies of this document lose their original; the caller re-checks them.
        self.conn.execute("UPDATE documents SET duplicate_of=NULL WHERE duplicate_of=?", (doc_id,))
        return copies

    def set_duplicate(self, doc_id: str, original: str | None) -> None:
        self.conn.execute("UPDATE documents SET duplicate_of=? WHERE doc_id=?", (original, doc_id))

    def _meta_value(self, key: str, default: str) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    # -- publishing
    def _build_faiss(self, dim: int):
        faiss = _faiss()
        total = self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        want_exact = total <= self.exact_max_vectors
        old = None
        if self.previous is not None and (self.previous / FAISS_FILE).is_file():
            old = faiss.read_index(str(self.previous / FAISS_FILE))
        old_exact = old is not None and "Flat" in type(faiss.downcast_index(old.index)).__name__
        if old is not None and old.d == dim and old_exact == want_exact:
            index = old  # incremental: drop removed vectors, add new ones
            if self._removed_ids:
                index.remove_ids(np.asarray(self._removed_ids, dtype=np.int64))
            for ids, vecs in self._added:
                index.add_with_ids(vecs, ids)
            return index
        return self._rebuild_faiss(dim, total, want_exact)

    def _rebuild_faiss(self, dim: int, total: int, exact: bool):
        faiss = _faiss()
        rows = self.conn.execute("SELECT chunk_id, vector FROM chunks ORDER BY chunk_id").fetchall()
        ids = np.asarray([r[0] for r in rows], dtype=np.int64)
        vecs = (
            np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(-1, dim)
            if rows
            else np.zeros((0, dim), dtype=np.float32)
        )
        if exact:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        else:
            nlist = max(16, int(4 * np.sqrt(total)))
            quantizer = faiss.IndexFlatIP(dim)
            ivf = faiss.IndexIVFScalarQuantizer(
                quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
            sample = vecs[np.random.default_rng(0).permutation(len(vecs))[: nlist * 64]]
            ivf.train(sample)
            ivf.nprobe = self.nprobe
            index = faiss.IndexIDMap2(ivf)
        if len(ids):
            index.add_with_ids(vecs, ids)
        return index

    def commit(self, embedder: dict, chunking: dict, extra: dict | None = None) -> int:
        """Publish the generation atomically; returns its number."""
        faiss = _faiss()
        dim = int(embedder["dim"])
        index = self._build_faiss(dim)
        counts = {
            t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "chunks", "files")
        }
        if index.ntotal != counts["chunks"]:
            raise IndexCorruptError(
                f"internal error: {index.ntotal} vectors for {counts['chunks']} chunks; nothing "
                "was written"
            )
        faiss.write_index(index, str(self.tmp / FAISS_FILE))
        faiss_sha = sha256_file(self.tmp / FAISS_FILE)
        # Recorded inside SQLite too: a manifest rewritten over a damaged FAISS file (a careless
        # copy or repair tool) no longer agrees with it.
        self._set_meta(FAISS_SHA_KEY, faiss_sha)
        self._set_meta(CONTENT_SHA_KEY, content_digest(self.conn))
        self.conn.commit()
        self.conn.close()
        files = {}
        for name in (DB_FILE, FAISS_FILE):
            path = self.tmp / name
            _fsync_file(path)
            digest = faiss_sha if name == FAISS_FILE else sha256_file(path)
            files[name] = {"size": path.stat().st_size, "sha256": digest}
        manifest = {
            "format_version": FORMAT_VERSION,
            "generation": self.number,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "embedder": embedder,
            "chunking": chunking,
            "faiss": "exact" if index.ntotal <= self.exact_max_vectors else "ivf-sq8",
            "nprobe": self.nprobe,
            "counts": counts,
            "files": files,
            **(extra or {}),
        }
        (self.tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
        _fsync_file(self.tmp / MANIFEST)
        _fsync_dir(self.tmp)
        final = self.data_dir / _gen_name(self.number)
        os.replace(self.tmp, final)
        _fsync_dir(self.data_dir)
        pointer_tmp = self.data_dir / (CURRENT + ".tmp")
        pointer_tmp.write_text(final.name + "\n")
        _fsync_file(pointer_tmp)
        os.replace(pointer_tmp, self.data_dir / CURRENT)
        _fsync_dir(self.data_dir)
        self._prune_old_generations(keep=final.name)
        return self.number

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _prune_old_generations(self, keep: str) -> None:
        gens = sorted(
            p for p in self.data_dir.glob("gen-*") if p.is_dir() and not p.name.endswith(".tmp")
        )
        old = [g for g in gens if g.name != keep]
        for g in old[: max(0, len(old) - KEEP_PREVIOUS)]:
            shutil.rmtree(g, ignore_errors=True)
