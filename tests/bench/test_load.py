"""bench/load.py end to end at a small size: simulated users asking at once through
``twosource serve`` backed by a pool of two real llama.cpp servers, then one server. The
figures are the benchmark's; this checks that every user is answered, none errors, and the pool
spreads the requests over both servers."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_load_bench_answers_every_user_through_the_pool():
    users = 4
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "load.py"),
            "--users",
            str(users),
            "--max-tokens",
            "32",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = run.stdout
    assert run.returncode == 0, out[-2000:] + run.stderr[-2000:]
    results = re.findall(r"^(pool of 2 servers|1 server): answered (\d+), errored (\d+)", out, re.M)
    assert [label for label, _, _ in results] == ["pool of 2 servers", "1 server"], out
    for label, answered, errored in results:
        assert (int(answered), int(errored)) == (users, 0), f"{label}: {out}"
    per_server = re.findall(r"requests per llama\.cpp server: \[(\d+), (\d+)\]", out)
    assert len(per_server) == 2, out
    pool, single = ([int(n) for n in pair] for pair in per_server)
    assert min(pool) >= 1, f"the pool left a server idle: {pool}"
    assert single[1] == 0 and single[0] >= users, f"one-server run used the other: {single}"
    assert re.search(r"throughput ratio, 2 servers / 1 server: [\d.]+×", out), out
