"""Ingestion: files → cleaned documents → chunks → vectors → a new index generation.

Incremental and idempotent: a file whose bytes (and sidecar) are unchanged is skipped without
loading any model; an edited file replaces its old document; ``prune`` forgets files that are
gone. Problems with single files are collected in the report and the other files still ingest.

Three steps: this module plans the run against the index (which files changed), an executor
does the per-file work (:mod:`index.prepare`: in this process by default, or on Ray with
:mod:`index.distributed`), and one writer here commits the records in a fixed order — the run's
file order, then likely originals first for duplicate detection — so the index does not depend
on where or in which order the per-file work finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from . import dedup
from .backend import StoreWriter, open_writer
from .clean import CLEANER_VERSION, clean_text
from .embed import Embedder, index_precision
from .errors import DocumentError
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
from .prepare import (
    Executor,
    FailedFile,
    FileTask,
    PreparedFile,
    SerialExecutor,
    check_embedder,
)
from .records import FileProblem, IngestReport
from .settings import SETTINGS_FILE, Settings
from .store import check_compatible, writer_lock


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


def ingest(
    paths: list[str | Path],
    settings: Settings,
    prune: bool = False,
    progress: bool = False,
    embedder: Embedder | None = None,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
    executor: Executor | None = None,
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
        executor: where the per-file work runs (default: in this process, with ``embedder``);
            e.g. :class:`index.distributed.RayExecutor`. The writing stays here.

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
            run = executor or SerialExecutor(embedder)
            changed = _ingest_into(writer, files, settings, report, prune, progress, run)
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
    writer: StoreWriter,
    files: list[Path],
    settings: Settings,
    report: IngestReport,
    prune: bool,
    progress: bool,
    executor: Executor,
) -> tuple[dict] | None:
    tasks, meta_only, problems = _plan(writer, files, report)

    gone: list[str] = []
    if prune:
        seen = {str(p) for p in files}
        gone = [p for p in writer.file_paths() if p not in seen and not Path(p).exists()]

    if not tasks and not meta_only and not gone:
        report.problems += [problem for _, problem in sorted(problems, key=lambda x: x[0])]
        return None

    # The per-file work runs wherever the executor puts it; everything below is the one writer.
    built = writer.manifest.get("embedder") or None
    seen_identity: list[dict] = []

    def check_identity(identity: dict) -> None:
        # Every vector must come from the index's model (or, for a new index, all from one).
        first = seen_identity[0] if seen_identity else None
        check_embedder(built or first, identity, writer.data_dir)
        if not seen_identity:
            seen_identity.append(identity)

    prepared: list[PreparedFile] = []
    if tasks:
        for result in executor(
            tasks,
            settings,
            precision=index_precision(writer.manifest),
            check_identity=check_identity,
            progress=progress,
        ):
            if isinstance(result, FailedFile):
                problems.append((result.task.seq, FileProblem(result.task.path, result.reason)))
            else:
                prepared.append(result)
    report.problems += [problem for _, problem in sorted(problems, key=lambda x: x[0])]
    if not prepared and not meta_only and not gone:
        return None
    identity = seen_identity[0] if prepared else (writer.manifest.get("embedder") or {})
    # Results arrive in any order (workers finish when they finish): the run's file order is
    # restored first, so the document order, chunk ids and duplicate links never depend on it.
    prepared.sort(key=lambda item: item.task.seq)
    _commit(writer, prepared, meta_only, gone, settings, report)
    return (identity,)


def _plan(
    writer: StoreWriter, files: list[Path], report: IngestReport
) -> tuple[list[FileTask], list[tuple[str, Path]], list[tuple[int, FileProblem]]]:
    """Sort files into unchanged (skipped), sidecar-only changes, and files to (re)ingest."""
    tasks: list[FileTask] = []
    meta_only: list[tuple[str, Path]] = []
    problems: list[tuple[int, FileProblem]] = []
    for seq, path in enumerate(files):
        try:
            sidecar = find_sidecar(path)
            file_sha = file_sha256(path)
            sidecar_sha = file_sha256(sidecar) if sidecar else ""
        except DocumentError as exc:
            problems.append((seq, FileProblem(str(path), str(exc).split(": ", 1)[-1])))
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
        replaces = old["doc_id"] if old is not None else None
        tasks.append(FileTask(seq, str(path), file_sha, sidecar_sha, replaces))
    return tasks, meta_only, problems


def _commit(
    writer: StoreWriter,
    prepared: list[PreparedFile],
    meta_only: list[tuple[str, Path]],
    gone: list[str],
    settings: Settings,
    report: IngestReport,
) -> None:
    """Apply one run's changes to the generation being built, in a deterministic order."""
    # Apply removals first: replaced files and pruned files. Copies of a removed original are
    # unlinked and checked again below.
    orphans: list[str] = []
    for path in gone:
        doc_id = writer.remove_file(path)
        if doc_id:
            orphans += writer.remove_document(doc_id)
        report.removed.append(path)
    for item in prepared:
        if item.task.replaces:
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
    # Likely originals first: earliest date, then shortest text (copies add their own wrapping);
    # ties keep the run's file order (the sort is stable).
    order = sorted(
        prepared,
        key=lambda item: (item.doc.meta.published or "9999", len(item.doc.cleaned_text)),
    )
    for item in order:
        task = item.task
        if writer.has_document(item.doc.doc_id):
            # Same bytes already indexed under another path.
            writer.set_file(
                item.path, item.doc.doc_id, task.file_sha, task.sidecar_sha, item.size, item.mtime
            )
            report.unchanged.append(item.path)
            continue
        original = _find_original(writer, finder, item, settings.ingest.duplicate_containment)
        doc = replace(item.doc, duplicate_of=original)
        writer.add_document(
            doc, item.encoding, item.removed, item.minhash, item.spans, item.vectors
        )
        writer.set_file(
            item.path, doc.doc_id, task.file_sha, task.sidecar_sha, item.size, item.mtime
        )
        finder.add(doc.doc_id, item.minhash)
        report.n_chunks_added += len(item.spans)
        (report.updated if task.replaces else report.added).append(item.path)
        if original:
            report.duplicates.append((item.path, original))
    _recheck_orphans(writer, finder, orphans, settings.ingest.duplicate_containment)


def _recheck_orphans(
    writer: StoreWriter, finder: dedup.DuplicateFinder, orphans: list[str], threshold: float
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
    writer: StoreWriter, finder: dedup.DuplicateFinder, item: PreparedFile, threshold: float
) -> str | None:
    """The indexed document this one is a near-duplicate of (its root original), if any."""
    best: tuple[float, str] | None = None
    own: set[int] | None = None  # word 5-grams, computed only when there is a candidate
    for cand in finder.candidates(item.minhash):
        other = writer.document(cand)
        if other is None:
            continue
        if own is None:
            own = dedup.shingles(item.doc.cleaned_text)
        score = dedup.containment(own, dedup.shingles(other.cleaned_text))
        if score >= threshold and (best is None or score > best[0]):
            best = (score, other.duplicate_of or other.doc_id)
    return best[1] if best else None
