"""The on-disk index: atomic generations, checksums, clear errors for missing or broken ones."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.errors import (
    IndexBusyError,
    IndexCorruptError,
    IndexNotFoundError,
    NotAnIndexError,
)
from index.ingest import ingest
from index.search import Index
from index.settings import load_settings
from index.store import StoreReader, writer_lock
from tests.conftest import EXAMPLES, REPO, seed_dir


def _snapshot(data: Path) -> tuple[int, int, list[str]]:
    reader = StoreReader(data)  # verifies every checksum
    try:
        assert reader.faiss_index.ntotal == reader.count("chunks")
        titles = sorted(d.meta.title for d in reader.documents())
        return reader.count("documents"), reader.count("chunks"), titles
    finally:
        reader.close()


def test_missing_index_says_how_to_ingest(tmp_path):
    with pytest.raises(IndexNotFoundError, match="twosource ingest"):
        Index(load_settings(tmp_path / "nothing-here"))


def test_folder_that_is_not_an_index(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NotAnIndexError, match="not a TwoSource index"):
        Index(load_settings(tmp_path))


def test_damaged_vectors_file_is_detected(seed_index, tmp_path):
    data = tmp_path / "copy"
    shutil.copytree(seed_index.data_dir, data)
    gen = data / (data / "CURRENT").read_text().strip()
    faiss_file = gen / "vectors.faiss"
    raw = bytearray(faiss_file.read_bytes())
    raw[100] ^= 0xFF
    faiss_file.write_bytes(bytes(raw))
    with pytest.raises(IndexCorruptError, match="checksum"):
        Index(load_settings(data))


def test_crash_before_the_switch_keeps_the_previous_index(
    seed_index, tmp_path, monkeypatch, embedder
):
    data = tmp_path / "copy"
    shutil.copytree(seed_index.data_dir, data)
    before = _snapshot(data)
    real_replace = os.replace

    def crash_on_pointer(src, dst, *args, **kwargs):
        if str(dst).endswith("CURRENT"):
            raise KeyboardInterrupt("simulated crash")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", crash_on_pointer)
    with pytest.raises(KeyboardInterrupt):
        ingest([EXAMPLES], load_settings(data), embedder=embedder)
    monkeypatch.setattr(os, "replace", real_replace)
    assert _snapshot(data) == before
    # The next ingest sweeps the leftovers and succeeds.
    report = ingest([EXAMPLES], load_settings(data), embedder=embedder)
    assert len(report.added) == 8
    assert _snapshot(data)[0] == 13
    assert not list(data.glob("*.tmp"))


def test_one_writer_at_a_time(tmp_path):
    data = tmp_path / "d"
    with writer_lock(data), pytest.raises(IndexBusyError), writer_lock(data):
        pass


@pytest.mark.slow
def test_killing_an_ingest_never_corrupts_the_index(seed_index, tmp_path):
    """Kill a real `twosource ingest` subprocess at several moments; the index always loads,
    passes its checksums, and is either the old or the new state."""
    data = tmp_path / "copy"
    shutil.copytree(seed_index.data_dir, data)
    old = _snapshot(data)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed_mid_way = 0
    for delay in (1.0, 3.0, 5.0, 7.0, 9.0):
        proc = subprocess.Popen(
            [sys.executable, "-m", "qa", "--data", str(data), "ingest", "-q", str(EXAMPLES)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_mid_way += 1
        proc.wait()
        state = _snapshot(data)
        assert state == old or state[0] == old[0] + 8, state
        if state != old:
            break
    assert killed_mid_way >= 1, "the ingest finished before any kill: nothing was tested"
    # Whatever happened, a clean run completes the job.
    ingest([EXAMPLES], load_settings(data))
    assert _snapshot(data)[0] == old[0] + 8


def test_approximate_index_uses_the_configured_nprobe(tmp_path, embedder):
    import faiss

    data = tmp_path / "ivf"
    ingest([seed_dir()], load_settings(data, index={"exact_max_vectors": 10}), embedder=embedder)
    reader = StoreReader(data)
    assert reader.manifest["faiss"] == "ivf-sq8"
    assert faiss.extract_index_ivf(reader.faiss_index).nprobe == 16  # as built
    index = Index(load_settings(data, index={"nprobe": 3}), embedder=embedder)
    assert faiss.extract_index_ivf(index.reader.faiss_index).nprobe == 3
    hit = index.search("five million mobilization", k=1)[0]
    assert "mobiliz" in hit.chunk.text
