"""The per-file work of ingestion, as pure functions: one file in, one typed record out.

Load/parse, clean, metadata, chunk (with offsets), the MinHash signature and the vectors depend
only on the file's bytes and the settings, never on the index; so they can run anywhere — in
this process (:func:`index.ingest.ingest`) or on a Ray cluster (:mod:`index.distributed`) —
and the single writer in :mod:`index.ingest` commits the records in a fixed order.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from . import dedup
from .chunking import split_text
from .clean import clean_text
from .embed import Embedder, embed_texts, embedder_identity, load_embedder
from .errors import DocumentError, IndexMismatchError
from .loaders import load_file
from .metadata import build_meta
from .records import Document
from .settings import Settings


@dataclass(frozen=True)
class FileTask:
    """A file the writer decided to (re)ingest. ``seq`` is its place in the run's order."""

    seq: int
    path: str
    file_sha: str
    sidecar_sha: str
    replaces: str | None = None  # the doc_id the path pointed to before, if any


@dataclass(frozen=True)
class PreparedFile:
    """One file's document, chunks ``(start, end, text)`` of its cleaned text, and — once
    embedded — one vector per chunk plus the identity of the embedder that made them."""

    task: FileTask
    doc: Document
    encoding: str
    removed: list[tuple[str, str]]
    spans: list[tuple[int, int, str]]
    minhash: bytes
    size: int
    mtime: float
    vectors: np.ndarray | None = None
    embedder: dict | None = None

    @property
    def path(self) -> str:
        return self.task.path


@dataclass(frozen=True)
class FailedFile:
    """A file whose per-file work failed, with a reason a user can act on."""

    task: FileTask
    reason: str


FileResult = PreparedFile | FailedFile


def prepare_file(task: FileTask, settings: Settings) -> PreparedFile:
    """Load, clean, describe and chunk one file (no model involved).

    Raises:
        DocumentError: the file cannot be read or parsed, or nothing is left after cleaning.
    """
    path = Path(task.path)
    loaded = load_file(path, int(settings.ingest.max_file_mb * 1_000_000))
    cleaned = clean_text(loaded.text, known_title=loaded.meta.get("title"))
    if not cleaned.text.strip():
        raise DocumentError(f"{path}: nothing left after removing boilerplate")
    meta = build_meta(loaded.meta, loaded.text, cleaned.text, cleaned.title_line, loaded.hints)
    spans = [
        (s.start, s.end, s.text)
        for s in split_text(cleaned.text, settings.chunking.size, settings.chunking.overlap)
    ]
    doc = Document(
        doc_id=task.file_sha[:16],
        path=str(path),
        format=loaded.format,
        cleaned_text=cleaned.text,
        meta=meta,
        n_chunks=len(spans),
    )
    stat = path.stat()
    return PreparedFile(
        task=task,
        doc=doc,
        encoding=loaded.encoding,
        removed=cleaned.removed,
        spans=spans,
        minhash=dedup.signature(dedup.shingles(cleaned.text)),
        size=stat.st_size,
        mtime=stat.st_mtime,
    )


def try_prepare(task: FileTask, settings: Settings) -> FileResult:
    """:func:`prepare_file`, with a failure returned as a record instead of raised."""
    try:
        return prepare_file(task, settings)
    except DocumentError as exc:
        return FailedFile(task, str(exc).split(": ", 1)[-1])


def embed_prepared(
    items: list[PreparedFile], embedder: Embedder, batch_size: int, progress: bool = False
) -> list[PreparedFile]:
    """Attach vectors to prepared files, batching all their chunks together (longest first,
    so a batch pads little; the same batches whichever process runs them)."""
    texts = [t for item in items for (_, _, t) in item.spans]
    vectors = embed_texts(embedder, texts, batch_size, progress)
    identity = embedder_identity(embedder)
    out, at = [], 0
    for item in items:
        n = len(item.spans)
        out.append(replace(item, vectors=vectors[at : at + n], embedder=identity))
        at += n
    return out


def process_file(task: FileTask, settings: Settings, embedder: Embedder) -> FileResult:
    """All the per-file work for one file: the record the writer commits, or the failure."""
    result = try_prepare(task, settings)
    if isinstance(result, FailedFile):
        return result
    return embed_prepared([result], embedder, settings.embedding.batch_size)[0]


def check_embedder(built: dict | None, identity: dict, data_dir: Path) -> None:
    """Refuse vectors from a model other than the one the index was built with.

    Raises:
        IndexMismatchError: fingerprint or dimension differ from the index's embedder.
    """
    if built and (built.get("fingerprint"), built.get("dim")) != (
        identity["fingerprint"],
        identity["dim"],
    ):
        raise IndexMismatchError(
            f"the index at {data_dir} was built with embedder {built.get('name')} "
            f"(fingerprint {built.get('fingerprint')}, {built.get('dim')} dimensions), but the "
            f"model now loaded is {identity['name']} (fingerprint {identity['fingerprint']}) — "
            "use the same model, or ingest into a new data directory"
        )


class Executor(Protocol):
    """Runs the per-file work over tasks; yields one result per task, in any order.

    ``check_identity`` is called with the embedder identity before vectors are used (it raises
    on a mismatch); ``precision`` is the index's (None for a new index).
    """

    def __call__(
        self,
        tasks: list[FileTask],
        settings: Settings,
        *,
        precision: str | None,
        check_identity: Callable[[dict], None],
        progress: bool,
    ) -> Iterable[FileResult]: ...


@dataclass
class SerialExecutor:
    """The per-file work in this process; the embedder is loaded only if a file needs it."""

    embedder: Embedder | None = None

    def __call__(
        self,
        tasks: list[FileTask],
        settings: Settings,
        *,
        precision: str | None,
        check_identity: Callable[[dict], None],
        progress: bool,
    ) -> Iterator[FileResult]:
        prepared: list[PreparedFile] = []
        for task in _bar(tasks, "Reading files", progress and len(tasks) > 1):
            result = try_prepare(task, settings)
            if isinstance(result, FailedFile):
                yield result
            else:
                prepared.append(result)
        if not prepared:
            return
        if self.embedder is None:
            self.embedder = load_embedder(settings, precision, progress=progress)
        check_identity({**embedder_identity(self.embedder), "setting": settings.embedding.model})
        yield from embed_prepared(prepared, self.embedder, settings.embedding.batch_size, progress)


def _bar(items, desc: str, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="file", file=sys.stderr)
