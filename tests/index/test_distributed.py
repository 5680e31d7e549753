"""Distributed ingestion on Ray gives the same index as a serial ingest.

The Ray test starts a real local Ray runtime (2 CPUs, two embedding actors) and the real
embedder; it is skipped only when Ray (the optional ``scale`` extra) is not installed.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest

from index.ingest import ingest
from index.settings import load_settings
from tests.conftest import EXAMPLES, seed_dir

NO_RAY = "Ray is the optional 'scale' extra: pip install 'twosource[scale]' (scripts/setup.sh does)"


def _snapshot(data_dir: Path) -> dict:
    """Everything an ingest decides, read straight from the live generation's database."""
    gen = data_dir / (data_dir / "CURRENT").read_text().strip()
    conn = sqlite3.connect(gen / "store.sqlite")
    try:
        docs = {
            row[0]: row[1:]
            for row in conn.execute(
                "SELECT doc_id, path, format, title, outlet, author, published, url, language, "
                "inferred, cleaned_text, encoding, removed, duplicate_of, minhash, n_chunks "
                "FROM documents"
            )
        }
        chunks = {
            row[0]: row[1:]
            for row in conn.execute('SELECT chunk_id, doc_id, seq, start, "end", text FROM chunks')
        }
        vectors = {
            row[0]: np.frombuffer(row[1], dtype=np.float32)
            for row in conn.execute("SELECT chunk_id, vector FROM chunks")
        }
        files = sorted(conn.execute("SELECT path, doc_id, file_sha256 FROM files"))
    finally:
        conn.close()
    return {"docs": docs, "chunks": chunks, "vectors": vectors, "files": files}


@pytest.fixture(scope="module")
def ray_runtime():
    ray = pytest.importorskip("ray", reason=NO_RAY)
    pytest.importorskip("ray.data", reason=NO_RAY)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=80_000_000,
        logging_level="error",
    )
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_ingest_equals_serial_ingest(tmp_path, embedder, ray_runtime):
    from index.distributed import RayExecutor

    sources = [seed_dir(), EXAMPLES]  # the demo corpus brings a syndicated copy
    serial = load_settings(tmp_path / "serial")
    distributed = load_settings(tmp_path / "ray")
    want = ingest(sources, serial, embedder=embedder)
    # Two embedding actors, two files per batch: records come back in any order, embedded in
    # other batches than the serial run's.
    got = ingest(sources, distributed, executor=RayExecutor(embed_actors=2, files_per_batch=2))

    assert got.ok and want.ok, (got.problems, want.problems)
    assert (sorted(got.added), got.duplicates, got.n_chunks_added) == (
        sorted(want.added),
        want.duplicates,
        want.n_chunks_added,
    )
    a, b = _snapshot(serial.data_dir), _snapshot(distributed.data_dir)
    assert len(a["docs"]) == len(want.added) > 5
    assert a["docs"] == b["docs"]  # ids, cleaned text, metadata, duplicate links
    assert a["chunks"] == b["chunks"]  # chunk ids, documents, offsets, text
    assert a["files"] == b["files"]
    groups = {doc: row[12] for doc, row in a["docs"].items() if row[12]}
    assert groups, "the demo corpus has a syndicated copy: a duplicate group was expected"
    ids = sorted(a["vectors"])
    va = np.stack([a["vectors"][i] for i in ids])
    vb = np.stack([b["vectors"][i] for i in ids])
    # int8 activations are quantized per batch (one scale per input tensor), so a chunk embedded
    # beside other chunks moves slightly: measured cosine ≥ 0.990, mean 0.994 here — within
    # the int8 tolerance (int8 vs fp32: cosine > 0.95, mean > 0.98, tests/index/test_embed.py).
    cos = (va * vb).sum(axis=1)
    assert cos.min() > 0.98 and cos.mean() > 0.99, cos
    assert np.allclose(np.linalg.norm(vb, axis=1), 1.0, atol=1e-4)


def test_missing_ray_names_the_extra(monkeypatch):
    from index.distributed import RayNotInstalledError, import_ray
    from index.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(RayNotInstalledError, match=r"pip install 'twosource\[scale\]'") as exc:
        import_ray()
    assert isinstance(exc.value, MissingDependencyError) and exc.value.exit_code == 2


def test_cli_ray_without_ray_fails_before_any_work(monkeypatch, tmp_path, capsys):
    from qa.cli import main

    monkeypatch.setitem(sys.modules, "ray", None)
    data = tmp_path / "data"
    with pytest.raises(SystemExit) as exc:
        main(["--data", str(data), "ingest", "--workers", "2", str(EXAMPLES)])
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert "pip install 'twosource[scale]'" in out + err
    assert "Traceback" not in out + err
    assert not data.exists()  # nothing was planned, locked or written


@pytest.mark.slow  # imports Ray (seconds)
def test_cli_unreachable_cluster_is_a_clear_error(monkeypatch, tmp_path, capsys):
    ray = pytest.importorskip("ray", reason=NO_RAY)
    import socket

    from qa.cli import main

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("TWOSOURCE_INGEST__RAY_ADDRESS", f"127.0.0.1:{port}")
    # As in a fresh `twosource` process (this one may run the module's local runtime).
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    with pytest.raises(SystemExit) as exc:
        main(["--data", str(tmp_path / "data"), "ingest", "--ray", "-q", str(EXAMPLES)])
    out, err = capsys.readouterr()
    assert exc.value.code == 2, out + err
    assert f"cannot reach the Ray cluster at '127.0.0.1:{port}'" in out + err
    assert "ingest.ray_address" in out + err and "Traceback" not in out + err
