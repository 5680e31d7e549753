"""Helpers for the fault suite: run the real CLI entry point, damage index files on purpose."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest

from qa.cli import main


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run ``twosource ARGS`` in-process; any exception other than SystemExit fails the test
    (that is what a traceback would be)."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return exc.value.code, out, err


@contextmanager
def deadline(seconds: int):
    """Fail instead of hanging for ever (a blocking open() is interrupted by SIGALRM)."""

    def _timeout(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def live_generation(data: Path) -> Path:
    return data / (data / "CURRENT").read_text().strip()


def recompute_manifest(gen: Path) -> None:
    """What a careless copy or repair tool does: make the manifest agree with damaged files."""
    manifest = json.loads((gen / "manifest.json").read_text())
    for name in manifest["files"]:
        raw = (gen / name).read_bytes()
        manifest["files"][name] = {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    (gen / "manifest.json").write_text(json.dumps(manifest, indent=2))


def overwrite_region(path: Path, offset: int, size: int, seed: int = 7) -> None:
    import random

    raw = bytearray(path.read_bytes())
    rng = random.Random(seed)
    raw[offset : offset + size] = bytes(rng.randrange(256) for _ in range(size))
    path.write_bytes(bytes(raw))


@pytest.fixture
def index_copy(seed_index, tmp_path) -> Path:
    """A private copy of the seed index that a test may damage."""
    data = tmp_path / "copy"
    shutil.copytree(seed_index.data_dir, data)
    return data
