"""Writers: a second writer waits for the first (or fails fast with --no-wait), and a writer
killed with SIGKILL at any moment — including during the commit — leaves an index that loads
and that a re-run brings to exactly the uninterrupted result."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.errors import IndexBusyError
from index.ingest import ingest
from index.settings import load_settings
from index.store import StoreReader, writer_lock
from tests.conftest import EXAMPLES, REPO, seed_file


def _state(data: Path) -> tuple[list[str], list[tuple]]:
    """Documents and chunks by content (ids aside); loading verifies every check on open."""
    reader = StoreReader(data)
    try:
        assert reader.faiss_index.ntotal == reader.count("chunks")
        docs = sorted(
            (d.doc_id, d.duplicate_of or "", d.meta.title, d.n_chunks) for d in reader.documents()
        )
        chunks = sorted((c.doc_id, c.seq, c.start, c.end, c.text) for c in reader.all_chunks())
        return docs, chunks
    finally:
        reader.close()


def test_a_second_writer_waits_for_the_first(tmp_path, embedder):
    data = tmp_path / "d"
    waited: list[int | None] = []
    started = threading.Event()
    result: dict = {}

    def second_writer():
        try:
            result["report"] = ingest(
                [seed_file("000")],
                load_settings(data),
                embedder=embedder,
                on_wait=lambda pid: (waited.append(pid), started.set()),
            )
        except BaseException as exc:  # surfaced below
            result["error"] = exc
            started.set()

    with writer_lock(data):
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert started.wait(30), "the second writer neither waited nor failed"
        time.sleep(0.5)
        assert thread.is_alive() and "error" not in result
    thread.join(120)
    assert "error" not in result, result.get("error")
    assert waited == [os.getpid()]
    assert len(result["report"].added) == 1


def test_no_wait_fails_fast_naming_the_other_writer(tmp_path, embedder):
    data = tmp_path / "d"
    with writer_lock(data):
        started = time.monotonic()
        with pytest.raises(IndexBusyError, match=f"pid {os.getpid()}"):
            ingest([seed_file("000")], load_settings(data), embedder=embedder, wait=False)
        assert time.monotonic() - started < 5


def _cli(data: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "qa", "--data", str(data), "ingest", "-q", *args],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_cli_writer_says_it_is_waiting_and_no_wait_fails(tmp_path):
    data = tmp_path / "d"
    with writer_lock(data):
        fast = _cli(data, "--no-wait", str(seed_file("000")))
        _, err = fast.communicate(timeout=120)
        assert fast.returncode == 3
        assert "another TwoSource process" in err and f"pid {os.getpid()}" in err

        slow = _cli(data, str(seed_file("000")))
        line = slow.stderr.readline()
        assert f"waiting for the other ingest (pid {os.getpid()})" in line
        assert slow.poll() is None
    out, err = slow.communicate(timeout=300)
    assert slow.returncode == 0, err
    assert "1 added" in out


def _wait_for(predicate, proc: subprocess.Popen, limit: float) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if predicate():
            return True
        time.sleep(0.002)
    return False


# Runs the real CLI with every os.replace slowed down by half a second, which opens a window in
# the commit (before the generation folder is renamed, and before CURRENT is switched) for a kill
# to land in. Nothing else is changed.
_SLOW_COMMIT = """
import os, sys, time
real = os.replace
def slow(src, dst, *a, **k):
    time.sleep(0.5)
    return real(src, dst, *a, **k)
os.replace = slow
from qa.cli import main
main(sys.argv[1:])
"""


def _ingest_process(data: Path, slow_commit: bool) -> subprocess.Popen:
    args = ["--data", str(data), "ingest", "-q", str(EXAMPLES)]
    cmd = [sys.executable, "-c", _SLOW_COMMIT, *args] if slow_commit else [
        sys.executable, "-m", "qa", *args
    ]  # fmt: skip
    return subprocess.Popen(
        cmd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_kill_9_at_random_points_recovers_to_the_uninterrupted_result(
    seed_index, tmp_path, embedder
):
    """SIGKILL a real `twosource ingest` at random moments and inside the commit (new FAISS
    file written, generation folder renamed, CURRENT.tmp written); after each kill the index
    loads and is the old or the new state, and a re-run gives exactly the state of an
    uninterrupted ingest (same documents and chunks)."""
    reference = tmp_path / "reference"
    shutil.copytree(seed_index.data_dir, reference)
    old = _state(reference)
    started = time.monotonic()
    proc = _ingest_process(reference, slow_commit=False)
    assert proc.wait(300) == 0
    duration = time.monotonic() - started
    expected = _state(reference)
    assert expected != old

    rng = random.Random(14)
    random_trials = 17  # with the three commit points: the 20 trials
    trials: list[tuple[str, object]] = [
        ("random time", rng.uniform(0.3, 0.95 * duration)) for _ in range(random_trials)
    ]
    trials += [
        ("FAISS file written", lambda d: any(d.glob("gen-*.tmp/vectors.faiss"))),
        ("folder renamed, CURRENT not switched", lambda d: (d / "gen-000002").is_dir()),
        ("CURRENT.tmp written", lambda d: (d / "CURRENT.tmp").exists()),
    ]
    outcomes = []
    for n, (moment, when) in enumerate(trials):
        data = tmp_path / f"trial-{n}"
        shutil.copytree(seed_index.data_dir, data)
        proc = _ingest_process(data, slow_commit=callable(when))
        if callable(when):
            _wait_for(lambda d=data, w=when: w(d), proc, 300)
        else:
            time.sleep(when)
        killed = proc.poll() is None
        if killed:
            proc.kill()
        proc.wait()
        state = _state(data)
        assert state in (old, expected), f"trial {n} ({moment}): neither the old nor new state"
        outcomes.append((moment, killed))
        ingest([EXAMPLES], load_settings(data), embedder=embedder)
        assert _state(data) == expected, f"trial {n} ({moment}) did not recover"
        assert not list(data.glob("*.tmp")) and not list(data.glob("gen-*.tmp"))
    commit_kills = [m for m, killed in outcomes[random_trials:] if killed]
    assert len(commit_kills) == 3, outcomes
    assert sum(killed for _, killed in outcomes) >= 4, outcomes


@pytest.mark.slow
def test_kill_9_during_the_first_ingest_is_explained_and_a_rerun_completes(
    tmp_path, capsys, embedder
):
    from tests.reliability.conftest import run_cli

    data = tmp_path / "first"
    proc = _ingest_process(data, slow_commit=True)
    assert _wait_for(lambda: any(data.glob("gen-*.tmp/vectors.faiss")), proc, 300)
    proc.kill()
    proc.wait()
    for command in (["search", "bridge"], ["sources"]):
        code, _, err = run_cli(capsys, "--data", data, *command)
        assert code == 3
        assert "first ingest into" in err and "was interrupted" in err and "again" in err
    report = ingest([EXAMPLES], load_settings(data), embedder=embedder)
    assert len(report.added) == 8
    assert not list(data.glob("gen-*.tmp"))
