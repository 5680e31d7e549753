"""Ingestion: files → cleaned documents → chunks → vectors → a new index generation.

Incremental and idempotent: a file whose bytes (and sidecar) are unchanged is skipped without
loading any model; an edited file replaces its old document; ``prune`` forgets files that are
gone. Problems with single files are collected in the report and the other files still ingest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from . import dedup
from .backend import open_writer
from .chunking import split_text
from .clean import CLEANER_VERSION, clean_text
from .embed import Embedder, embed_texts, embedder_identity, index_precision, load_embedder
from .errors import DocumentError, IndexMismatchError
from .loaders import (
    file_sha256,
    find_sidecar,
    is_sidecar,
    load_file,
    special_file_kind,
    special_file_reason,
    supported_format,
)
from .metadata import build_meta
from .records import Document, FileProblem, IngestReport
from .settings import SETTINGS_FILE, Settings
from .store import IndexWriter, check_compatible, writer_lock


@dataclass
class _Pending:
    path: str
    doc: Document
    encoding: str
    removed: list[tuple[str, str]]
    spans: list[tuple[int, int, str]]
    shingles: set[int]
    minhash: bytes
    file_sha: str
    sidecar_sha: str
    size: int
    mtime: float
    replaces: str | None  # doc_id the path pointed to before


def _special(path: Path, report: IngestReport) -> bool:
    """Report a FIFO, socket or device (never opened: reading a FIFO blocks for ever)."""
    kind = special_file_kind(path)
    if kind is None:
        return False
    report.problems.append(FileProblem(str(path), special_file_reason(kind)))
    return True


def collect_files(paths: list[str | Path], report: IngestReport) -> list[Path]:
    """Expand folders (recursively, skipping hidden files and sidecars) into article files.

    FIFOs, sockets and devices are reported as problems and never opened, whether named or
    found in a folder.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            report.problems.append(FileProblem(str(raw), "no such file or folder"))
            continue
        if path.is_dir():
            for item in sorted(path.rglob("*")):
                rel = item.relative_to(path)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if not item.is_file():
                    _special(item, report)
                    continue
                if is_sidecar(item) or item.name == SETTINGS_FILE:
                    continue
                if supported_format(item) is None:
                    report.problems.append(
                        FileProblem(str(item), f"skipped: unsupported file type '{item.suffix}'")
                    )
                    continue
                found.append(item.resolve())
        elif not _special(path, report):
            found.append(path.resolve())
    unique = list(dict.fromkeys(found))
    return unique


def _prepare(path: Path, settings: Settings, file_sha: str, sidecar_sha: str) -> _Pending:
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
        doc_id=file_sha[:16],
        path=str(path),
        format=loaded.format,
        cleaned_text=cleaned.text,
        meta=meta,
        n_chunks=len(spans),
    )
    sh = dedup.shingles(cleaned.text)
    stat = path.stat()
    return _Pending(
        path=str(path),
        doc=doc,
        encoding=loaded.encoding,
        removed=cleaned.removed,
        spans=spans,
        shingles=sh,
        minhash=dedup.signature(sh),
        file_sha=file_sha,
        sidecar_sha=sidecar_sha,
        size=stat.st_size,
        mtime=stat.st_mtime,
        replaces=None,
    )


def _progress(items, desc: str, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="file", file=sys.stderr)


def ingest(
    paths: list[str | Path],
    settings: Settings,
    prune: bool = False,
    progress: bool = False,
    embedder: Embedder | None = None,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
) -> IngestReport:
    """Ingest files and folders into the index at ``settings.data_dir``.

    Args:
        paths: files and folders; folders are walked recursively.
        settings: from :func:`index.settings.load_settings`.
        prune: forget indexed files that no longer exist on disk.
        progress: show progress bars on stderr.
        embedder: an already loaded embedder (otherwise loaded only if something changed).
        wait: if another process is writing to the index, wait for it to finish (else raise
            :class:`IndexBusyError` at once).
        on_wait: called once with the other writer's pid when waiting starts.

    Returns:
        An :class:`IngestReport`; ``report.problems`` lists files that could not be ingested.

    Raises:
        IndexError_: the data directory is not an index, is busy (only with ``wait=False``),
            damaged, or was built with another embedder or chunking.
    """
    report = IngestReport()
    files = collect_files(paths, report)
    data_dir = Path(settings.data_dir)
    chunking = {"size": settings.chunking.size, "overlap": settings.chunking.overlap}
    with writer_lock(data_dir, wait=wait, on_wait=on_wait):
        writer = open_writer(settings)  # FAISS generations or Milvus (index.backend)
        try:
            if writer.manifest:
                check_compatible(writer.manifest, settings.embedding.model, chunking, data_dir)
            changed = _ingest_into(writer, files, settings, report, prune, progress, embedder)
            if changed is None:
                writer.abort()  # nothing changed: the live generation stays as it is
                return report
            (identity,) = changed
            report.generation = writer.commit(
                identity, chunking, {"cleaner_version": CLEANER_VERSION}
            )
        except BaseException:
            writer.abort()
            raise
    return report


def _ingest_into(
    writer: IndexWriter,
    files: list[Path],
    settings: Settings,
    report: IngestReport,
    prune: bool,
    progress: bool,
    embedder: Embedder | None,
) -> tuple[dict] | None:
    pending: list[_Pending] = []
    meta_only: list[tuple[str, Path]] = []
    for path in _progress(files, "Reading files", progress and len(files) > 1):
        try:
            sidecar = find_sidecar(path)
            file_sha = file_sha256(path)
            sidecar_sha = file_sha256(sidecar) if sidecar else ""
        except DocumentError as exc:
            report.problems.append(FileProblem(str(path), str(exc).split(": ", 1)[-1]))
            continue
        old = writer.file_record(str(path))
        if old is not None and old["file_sha256"] == file_sha:
            if old["sidecar_sha256"] == sidecar_sha:
                report.unchanged.append(str(path))
                continue
            meta_only.append((str(path), path))  # same text, new sidecar: refresh metadata only
            continue
        if old is None and writer.has_document(file_sha[:16]):
            # The same bytes under another name: one document, one more path.
            st = path.stat()
            writer.set_file(
                str(path), file_sha[:16], file_sha, sidecar_sha, st.st_size, st.st_mtime
            )
            report.unchanged.append(str(path))
            continue
        try:
            item = _prepare(path, settings, file_sha, sidecar_sha)
        except DocumentError as exc:
            report.problems.append(FileProblem(str(path), str(exc).split(": ", 1)[-1]))
            continue
        item.replaces = old["doc_id"] if old is not None else None
        pending.append(item)

    gone: list[str] = []
    if prune:
        seen = {str(p) for p in files}
        gone = [p for p in writer.file_paths() if p not in seen and not Path(p).exists()]

    if not pending and not meta_only and not gone:
        return None

    if pending and embedder is None:
        embedder = load_embedder(settings, index_precision(writer.manifest), progress=progress)
    identity = writer.manifest.get("embedder") or {}
    if pending:  # only a model that will embed something is checked (and loaded)
        identity = {**embedder_identity(embedder), "setting": settings.embedding.model}
        built = writer.manifest.get("embedder")
        if built and (built.get("fingerprint"), built.get("dim")) != (
            identity["fingerprint"],
            identity["dim"],
        ):
            raise IndexMismatchError(
                f"the index at {writer.data_dir} was built with embedder {built.get('name')} "
                f"(fingerprint {built.get('fingerprint')}, {built.get('dim')} dimensions), but the "
                f"model now loaded is {identity['name']} (fingerprint {identity['fingerprint']}) — "
                "use the same model, or ingest into a new data directory"
            )

    vectors = np.zeros((0, 0), dtype=np.float32)
    all_texts = [t for item in pending for (_, _, t) in item.spans]
    if pending:
        vectors = embed_texts(embedder, all_texts, settings.embedding.batch_size, progress)

    # Apply removals first: replaced files and pruned files. Copies of a removed original are
    # unlinked and checked again below.
    orphans: list[str] = []
    for path in gone:
        doc_id = writer.remove_file(path)
        if doc_id:
            orphans += writer.remove_document(doc_id)
        report.removed.append(path)
    for item in pending:
        if item.replaces:
            doc_id = writer.remove_file(item.path)
            if doc_id and doc_id != item.doc.doc_id:
                orphans += writer.remove_document(doc_id)

    for path_str, path in meta_only:
        try:
            loaded = load_file(path, int(settings.ingest.max_file_mb * 1_000_000))
        except DocumentError as exc:
            report.problems.append(FileProblem(path_str, str(exc).split(": ", 1)[-1]))
            continue
        old = writer.file_record(path_str)
        doc = writer.document(old["doc_id"])
        cleaned = clean_text(loaded.text, known_title=loaded.meta.get("title"))
        writer.update_meta(
            doc.doc_id,
            build_meta(loaded.meta, loaded.text, cleaned.text, cleaned.title_line, loaded.hints),
        )
        st = path.stat()
        sidecar = find_sidecar(path)
        writer.set_file(
            path_str,
            doc.doc_id,
            old["file_sha256"],
            file_sha256(sidecar) if sidecar else "",
            st.st_size,
            st.st_mtime,
        )
        report.updated.append(path_str)

    # Add new documents, marking near-duplicates of what is already indexed.
    finder = dedup.DuplicateFinder(settings.ingest.duplicate_containment)
    for doc_id, sig in writer.signatures():
        if sig:
            finder.add(doc_id, sig)
    # Likely originals first: earliest date, then shortest text (copies add their own wrapping).
    order = sorted(
        range(len(pending)),
        key=lambda i: (pending[i].doc.meta.published or "9999", len(pending[i].doc.cleaned_text)),
    )
    starts = np.cumsum([0] + [len(item.spans) for item in pending])
    for i in order:
        item = pending[i]
        n = len(item.spans)
        vecs = vectors[starts[i] : starts[i] + n]
        if writer.has_document(item.doc.doc_id):
            # Same bytes already indexed under another path.
            writer.set_file(
                item.path, item.doc.doc_id, item.file_sha, item.sidecar_sha, item.size, item.mtime
            )
            report.unchanged.append(item.path)
            continue
        original = _find_original(writer, finder, item, settings.ingest.duplicate_containment)
        doc = replace(item.doc, duplicate_of=original)
        writer.add_document(doc, item.encoding, item.removed, item.minhash, item.spans, vecs)
        writer.set_file(
            item.path, doc.doc_id, item.file_sha, item.sidecar_sha, item.size, item.mtime
        )
        finder.add(doc.doc_id, item.minhash)
        report.n_chunks_added += n
        (report.updated if item.replaces else report.added).append(item.path)
        if original:
            report.duplicates.append((item.path, original))
    _recheck_orphans(writer, finder, orphans, settings.ingest.duplicate_containment)
    return (identity,)


def _recheck_orphans(
    writer: IndexWriter, finder: dedup.DuplicateFinder, orphans: list[str], threshold: float
) -> None:
    """Copies whose original was removed: the first becomes the new original of the others."""
    for doc_id in orphans:
        doc = writer.document(doc_id)
        if doc is None:
            continue
        own = dedup.shingles(doc.cleaned_text)
        best: tuple[float, str] | None = None
        for cand in finder.candidates(dedup.signature(own)):
            other = writer.document(cand)
            if other is None or cand == doc_id or other.duplicate_of == doc_id:
                continue
            score = dedup.containment(own, dedup.shingles(other.cleaned_text))
            root = other.duplicate_of or other.doc_id
            if score >= threshold and root != doc_id and (best is None or score > best[0]):
                best = (score, root)
        writer.set_duplicate(doc_id, best[1] if best else None)


def _find_original(
    writer: IndexWriter, finder: dedup.DuplicateFinder, item: _Pending, threshold: float
) -> str | None:
    """The indexed document this one is a near-duplicate of (its root original), if any."""
    best: tuple[float, str] | None = None
    for cand in finder.candidates(item.minhash):
        other = writer.document(cand)
        if other is None:
            continue
        score = dedup.containment(item.shingles, dedup.shingles(other.cleaned_text))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, other.duplicate_of or other.doc_id)
    return best[1] if best else None
