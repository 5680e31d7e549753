"""Real ``python -m llama_cpp.server`` processes for the tests of the HTTP backend and the
server pool: start one on a free loopback port, wait until it answers, stop it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_llama_server(
    log: Path, *, n_ctx: int = 4096, threads: int = 2, interrupt: bool = True
) -> tuple[subprocess.Popen, str]:
    """A server with the small test model, its output in ``log``; returns the process and its
    base URL once it answers (the test fails with the server's log if it does not within 90 s).
    ``interrupt=False`` keeps a running answer from being cut short by the next request."""
    from qa.models import smollm2_path

    port = free_port()
    args = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_path())]
    args += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx)]
    args += ["--n_threads", str(threads)]
    if not interrupt:
        args += ["--interrupt_requests", "False"]
    with log.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}/v1"


def wait_until_up(proc: subprocess.Popen, url: str, log: Path, limit: float = 90) -> None:
    deadline = time.time() + limit
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the llama.cpp server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/models", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    stop(proc)
    pytest.fail(f"the llama.cpp server did not start within {limit:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
