"""``twosource check``: a thorough look at an index, with advice on what to do about damage.

Opening an index already runs the cheap checks (manifest checksums, SQLite ``quick_check``, the
FAISS checksum recorded inside SQLite). ``check`` adds the expensive ones: SQLite's full
``integrity_check``, every FAISS vector against the copy stored with its chunk in SQLite, every
chunk's offsets against its document, and a sample of chunks embedded again and compared with
their stored vectors. It then says whether to restore a backup (or the previous generation) or
to re-ingest, depending on whether the original files are still on disk.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import IndexCorruptError, TwoSourceError
from .store import (
    CONTENT_SHA_KEY,
    DB_FILE,
    FAISS_FILE,
    FAISS_SHA_KEY,
    _connect,
    _faiss,
    _generations,
    content_digest,
    current_generation,
    read_manifest,
    sha256_file,
    verify_generation,
)

SAMPLE_SIZE = 24
MIN_COSINE = 0.95  # a chunk embedded again vs its stored vector (int8 runtime noise is < 0.01)


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str


@dataclass
class CheckReport:
    data_dir: str
    generation: str | None = None
    checks: list[CheckResult] = field(default_factory=list)
    advice: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(CheckResult(name, ok, detail))
        return ok

    def to_dict(self) -> dict:
        return {
            "data_dir": self.data_dir,
            "generation": self.generation,
            "ok": self.ok,
            "checks": [c.__dict__ for c in self.checks],
            "advice": self.advice,
        }


def _generation_checks(
    gen: Path,
    report: CheckReport,
    embed: Callable[[list[str]], np.ndarray] | None,
    sample: int,
) -> sqlite3.Connection | None:
    """Run every check on one generation; returns an open connection if SQLite is usable."""
    try:
        manifest = read_manifest(gen)
    except TwoSourceError as exc:
        report.add("manifest", False, str(exc))
        manifest = {}
    else:
        report.add("manifest", True, f"{gen.name}/manifest.json is readable")
        try:
            verify_generation(gen, manifest)
            report.add("checksums", True, "every file matches the manifest's size and checksum")
        except TwoSourceError as exc:
            report.add("checksums", False, str(exc))

    db = gen / DB_FILE
    conn = None
    try:
        conn = _connect(db, readonly=True)
        rows = conn.execute("PRAGMA integrity_check(20)").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems:
        report.add("sqlite", False, f"{db} is damaged: " + "; ".join(p[:160] for p in problems))
        if conn is not None:
            conn.close()
        return None
    report.add("sqlite", True, f"{DB_FILE} passes SQLite's integrity check")

    faiss_path = gen / FAISS_FILE
    try:
        recorded = conn.execute("SELECT value FROM meta WHERE key=?", (FAISS_SHA_KEY,)).fetchone()
        chunk_rows = conn.execute(
            'SELECT c.chunk_id, c.start, c."end", c.text, c.vector, d.cleaned_text '
            "FROM chunks c LEFT JOIN documents d ON d.doc_id = c.doc_id ORDER BY c.chunk_id"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        report.add("sqlite", False, f"{db} is damaged: {exc}")
        conn.close()
        return None
    try:
        content = conn.execute("SELECT value FROM meta WHERE key=?", (CONTENT_SHA_KEY,)).fetchone()
        same = content is None or content[0] == content_digest(conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError, ValueError) as exc:
        same, content = False, (f"unreadable ({exc})",)
    report.add(
        "content checksum",
        same,
        "not recorded (index written by an older TwoSource)"
        if content is None
        else f"documents and chunks match the checksum recorded in {DB_FILE}"
        if same
        else f"{db} is damaged: its documents or chunks no longer match the checksum recorded "
        "when it was written",
    )
    if recorded is not None and faiss_path.is_file():
        same = sha256_file(faiss_path) == recorded[0]
        report.add(
            "recorded FAISS checksum",
            same,
            f"{FAISS_FILE} matches the checksum recorded in {DB_FILE}"
            if same
            else f"{faiss_path} is damaged: it does not match the checksum recorded in {DB_FILE} "
            "when it was written",
        )

    bad_offsets = [
        r["chunk_id"]
        for r in chunk_rows
        if r["cleaned_text"] is None or r["cleaned_text"][r["start"] : r["end"]] != r["text"]
    ]
    report.add(
        "chunk offsets",
        not bad_offsets,
        f"all {len(chunk_rows)} chunks are the exact text of their documents"
        if not bad_offsets
        else f"{len(bad_offsets)} chunks do not match their document's text or have no document "
        f"(first: chunk {bad_offsets[0]}) in {db}",
    )

    index = None
    try:
        index = _faiss().read_index(str(faiss_path))
    except (RuntimeError, MemoryError) as exc:
        report.add("vector count", False, f"{faiss_path} cannot be read: {str(exc)[:200]}")
    if index is not None:
        counts = manifest.get("counts", {})
        expected = counts.get("chunks", len(chunk_rows))
        same = index.ntotal == len(chunk_rows) == expected
        report.add(
            "vector count",
            same,
            f"{index.ntotal} vectors for {len(chunk_rows)} chunks"
            + ("" if same else f" (the manifest says {expected}) — {faiss_path} is damaged"),
        )
        if same and chunk_rows:
            report.add("stored vectors", *_compare_faiss(index, chunk_rows, faiss_path))

    if embed is not None and chunk_rows:
        picks = np.linspace(0, len(chunk_rows) - 1, min(sample, len(chunk_rows))).astype(int)
        rows = [chunk_rows[int(i)] for i in sorted(set(picks.tolist()))]
        fresh = embed([r["text"] for r in rows])
        stored = np.stack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows])
        if fresh.shape != stored.shape:
            report.add(
                "re-embedded sample",
                False,
                f"stored vectors have {stored.shape[1]} dimensions, the embedder gives "
                f"{fresh.shape[1]} — the index was built with another model",
            )
        else:
            cos = np.sum(fresh * stored, axis=1) / (
                np.linalg.norm(fresh, axis=1) * np.linalg.norm(stored, axis=1) + 1e-9
            )
            bad = [int(rows[i]["chunk_id"]) for i in np.flatnonzero(cos < MIN_COSINE)]
            report.add(
                "re-embedded sample",
                not bad,
                f"{len(rows)} chunks embedded again match their stored vectors "
                f"(lowest cosine {cos.min():.3f})"
                if not bad
                else f"{len(bad)} of {len(rows)} sampled chunks no longer match their stored "
                f"vectors in {db} (chunks {bad[:5]}, lowest cosine {cos.min():.3f})",
            )
    return conn


def _compare_faiss(index, chunk_rows, faiss_path: Path) -> tuple[bool, str]:
    """Every vector in FAISS against the copy stored with its chunk in SQLite."""
    faiss = _faiss()
    with contextlib.suppress(RuntimeError, AttributeError):
        faiss.extract_index_ivf(index).make_direct_map()
    approximate = "Flat" not in type(faiss.downcast_index(index.index)).__name__
    mismatched: list[int] = []
    for row in chunk_rows:
        cid = int(row["chunk_id"])
        try:
            got = index.reconstruct(cid)
        except RuntimeError:
            mismatched.append(cid)
            continue
        want = np.frombuffer(row["vector"], dtype=np.float32)
        if got.shape != want.shape:
            mismatched.append(cid)
        elif approximate:
            cos = float(got @ want / (np.linalg.norm(got) * np.linalg.norm(want) + 1e-9))
            if not cos >= 0.98:
                mismatched.append(cid)
        elif not np.allclose(got, want, atol=1e-6):
            mismatched.append(cid)
    if mismatched:
        return False, (
            f"{faiss_path} is damaged: {len(mismatched)} of {len(chunk_rows)} vectors differ from "
            f"the ones stored with their chunks (first: chunk {mismatched[0]})"
        )
    return True, f"all {len(chunk_rows)} FAISS vectors equal the ones stored with their chunks"


def _advice(report: CheckReport, data_dir: Path, conn: sqlite3.Connection | None) -> str:
    if report.ok:
        return "The index is intact; nothing to do."
    lines = []
    sqlite_ok = conn is not None and all(c.ok for c in report.checks if c.name == "sqlite")
    if sqlite_ok:
        try:
            paths = [r[0] for r in conn.execute("SELECT path FROM files ORDER BY path")]
        except sqlite3.DatabaseError:
            paths = None
    else:
        paths = None
    if paths:
        missing = [p for p in paths if not Path(p).is_file()]
        if not missing:
            lines.append(
                f"Re-ingest: all {len(paths)} original files are still on disk, so a fresh index "
                f"loses nothing — `twosource --data NEW_FOLDER ingest {_common_root(paths)}` "
                "(then use NEW_FOLDER, or replace this data directory with it)."
            )
        else:
            lines.append(
                f"Restore this data directory from a backup: {len(missing)} of the {len(paths)} "
                f"original files are gone from disk (e.g. {missing[0]}), so re-ingesting would "
                "lose them. Re-ingest only if you can gather those files again."
            )
    else:
        lines.append(
            f"Restore this data directory from a backup; without one, re-ingest your article "
            f"folders into a new data directory (`twosource --data NEW_FOLDER ingest PATH`) — the "
            f"list of original files is in {DB_FILE}, which cannot be read."
        )
    return "\n".join(lines)


def _common_root(paths: list[str]) -> str:
    import os.path

    try:
        return os.path.commonpath(paths)
    except ValueError:  # different drives or a mix of relative and absolute paths
        return "PATH …"


def _pointer_advice(data_dir: Path) -> str:
    """CURRENT is damaged or names a missing generation: is a generation there intact?"""
    for name in reversed(_generations(data_dir)):
        candidate = CheckReport(data_dir=str(data_dir), generation=name)
        conn = _generation_checks(data_dir / name, candidate, None, 0)
        if conn is not None:
            conn.close()
        if candidate.ok:
            return (
                f"The newest intact generation is {name}: point the index at it with "
                f"`echo {name} > {data_dir / 'CURRENT'}`, then run `twosource --data {data_dir} "
                "check` again (an ingest made after it, if any, has to be run again)."
            )
    return (
        "No intact generation is left: restore this data directory from a backup, or re-ingest "
        "your article folders into a new data directory (`twosource --data NEW_FOLDER ingest "
        "PATH`)."
    )


def check_index(
    data_dir: str | Path,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    sample: int = SAMPLE_SIZE,
) -> CheckReport:
    """Check the live generation of ``data_dir`` thoroughly (see the module docstring).

    Args:
        embed: texts → vectors with the index's embedder, for the re-embedded sample
            (skipped when None).
    """
    data_dir = Path(data_dir)
    report = CheckReport(data_dir=str(data_dir))
    try:
        gen = current_generation(data_dir)
    except TwoSourceError as exc:
        report.add("pointer", False, str(exc))
        if isinstance(exc, IndexCorruptError):
            report.advice = _pointer_advice(data_dir)
        else:  # no index yet, an interrupted first ingest, not an index: the message says it all
            report.advice = str(exc)[0].upper() + str(exc)[1:] + "."
        return report
    report.generation = gen.name
    report.add("pointer", True, f"CURRENT names {gen.name}")
    conn = _generation_checks(gen, report, embed, sample)
    try:
        report.advice = _advice(report, data_dir, conn)
        if not report.ok:
            older = [g for g in _generations(data_dir) if g < gen.name]
            if older:
                previous = CheckReport(data_dir=str(data_dir), generation=older[-1])
                prev_conn = _generation_checks(data_dir / older[-1], previous, None, 0)
                if prev_conn is not None:
                    prev_conn.close()
                if previous.ok:
                    report.advice += (
                        f"\nOr go back to the previous generation {older[-1]} (the index as it "
                        f"was before the last ingest, which checks out intact): write "
                        f"'{older[-1]}' into {data_dir / 'CURRENT'}, then run your last ingest "
                        "again."
                    )
    finally:
        if conn is not None:
            conn.close()
    return report
