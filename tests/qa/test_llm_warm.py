"""Cold start: the model and its fixed prompt prefix load in the background, the prefix state is
saved and reused by the next process — and none of it changes what the model writes."""

from __future__ import annotations

import pytest

from qa import llm
from qa.llm import LlamaCppGenerator
from qa.models import smollm2_path
from qa.prompting import answer_messages, answer_schema, prefix_probe
from qa.records import Evidence

pytestmark = pytest.mark.slow  # loads the packaged language model

EVIDENCE = [
    Evidence(
        1,
        "d1",
        "Bridge",
        "Harbour Gazette",
        "2025-01-02",
        0,
        80,
        "The Alder River Bridge will close for 14 weeks from 3 March 2025.",
        0.9,
        1,
    ),
    Evidence(
        2,
        "d2",
        "Ferry",
        "Valley Courier",
        "2025-01-03",
        0,
        60,
        "Extra ferries will run while the bridge is closed.",
        0.8,
        2,
    ),
]


def _answer(gen: LlamaCppGenerator) -> str:
    messages = answer_messages("How long will the bridge close?", EVIDENCE, 3)
    return "".join(gen.stream(messages, answer_schema([1, 2], 3), 60, 0.0))


def _fresh(cache, lookup: int = 0) -> LlamaCppGenerator:
    llm._LOADED.clear()  # as in a new process
    return LlamaCppGenerator(
        smollm2_path(), n_ctx=2048, threads=2, prompt_cache=cache, prompt_lookup=lookup
    )


@pytest.mark.parametrize("lookup", [0, 10], ids=["plain", "prompt-lookup"])
def test_prefix_state_is_saved_reused_and_changes_nothing(tmp_path, lookup):
    cache = tmp_path / "prompt-cache"
    cold = _fresh(None)
    want = _answer(cold)  # no warm-up at all, plain decoding
    assert want.startswith("{")
    usage = cold.last_usage
    assert usage["prompt_tokens_evaluated"] == usage["prompt_tokens"] > 100

    first = _fresh(cache, lookup)
    first.prepare(prefix_probe(3))
    first._warm.join(timeout=300)
    saved = list(cache.glob("prefix-*.npz"))
    assert len(saved) == 1 and saved[0].stat().st_size > 10_000
    assert first.llama.n_tokens > 20  # the prefix is in the KV cache
    assert _answer(first) == want

    second = _fresh(cache, lookup)
    inode = saved[0].stat().st_ino  # a recomputed state would be a new file (os.replace)
    second.prepare(prefix_probe(3))
    second._warm.join(timeout=300)
    prefix = second.llama.n_tokens
    assert prefix > 20
    assert saved[0].stat().st_ino == inode  # loaded, not recomputed
    assert _answer(second) == want
    # the part of the probe the answer prompt shares (system prompt, up to its passages) is
    # not evaluated again; the probe's own passage and question are not reused
    assert second.last_usage["prompt_tokens"] == usage["prompt_tokens"]
    reused = usage["prompt_tokens"] - second.last_usage["prompt_tokens_evaluated"]
    assert prefix // 2 < reused < prefix


def test_a_damaged_state_file_is_replaced(tmp_path):
    cache = tmp_path / "prompt-cache"
    gen = _fresh(cache)
    path = gen._state_path(prefix_probe(3))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a state file")
    gen.prepare(prefix_probe(3))
    gen._warm.join(timeout=300)
    assert path.stat().st_size > 10_000
    assert gen.llama.n_tokens > 20
    llm._LOADED.clear()


def test_plain_prompt_after_a_yes_no_prompt_gets_the_kept_prefix_back(tmp_path):
    # The yes/no prompt begins with its passages, the plain prompt with its instructions:
    # without the kept prefix state the plain prompt after a yes/no one was evaluated whole.
    cold = _fresh(None)
    want = _answer(cold)
    full = cold.last_usage["prompt_tokens_evaluated"]

    gen = _fresh(tmp_path / "prompt-cache")
    gen.prepare(prefix_probe(3))
    gen._warm.join(timeout=300)
    assert _answer(gen) == want
    after_warm_up = gen.last_usage["prompt_tokens_evaluated"]
    assert after_warm_up < full - 20
    assert gen.llama.prefix_restores == 0  # the KV cache itself held the prefix

    yes_no = answer_messages("Will the bridge close?", EVIDENCE, 3, verdict=True)
    "".join(gen.stream(yes_no, answer_schema([1, 2], 3, verdict=True), 40, 0.0))
    assert _answer(gen) == want
    assert gen.llama.prefix_restores == 1
    assert gen.last_usage["prompt_tokens_evaluated"] == after_warm_up
    llm._LOADED.clear()


def test_old_prefix_states_are_pruned(tmp_path):
    import os

    for i in range(9):
        path = tmp_path / f"prefix-{i}.npz"
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "other.txt").write_text("not a state")
    gone = llm.prune_prompt_cache(tmp_path, keep=6)
    assert sorted(p.name for p in gone) == ["prefix-0.npz", "prefix-1.npz", "prefix-2.npz"]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["other.txt"] + [f"prefix-{i}.npz" for i in range(3, 9)]
