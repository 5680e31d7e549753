"""Prompt-lookup decoding: drafted tokens are checked by the model, so the greedy answer is the
same as plain decoding — in fewer decoding steps when the answer copies the passages."""

from __future__ import annotations

import json

import pytest

from qa import llm
from qa.llm import LlamaCppGenerator
from qa.models import smollm2_path
from qa.prompting import answer_messages, answer_schema
from qa.records import Evidence

PASSAGE = (
    "The Alder River Bridge will close for 14 weeks from 3 March 2025 while engineers replace "
    "the deck, the county council said on Tuesday."
)
EVIDENCE = [
    Evidence(1, "d1", "Bridge", "Harbour Gazette", "2025-01-02", 0, len(PASSAGE), PASSAGE, 0.9, 1),
]


def _run(
    lookup: int, schema: bool, grammar_last: bool = True, min_sentences: int = 0
) -> tuple[str, int]:
    """The answer, and how many times llama.cpp was asked to evaluate tokens."""
    llm._LOADED.clear()
    gen = LlamaCppGenerator(
        smollm2_path(), n_ctx=2048, threads=1, prompt_lookup=lookup, grammar_last=grammar_last
    )
    llama = gen.llama
    calls = []
    evaluate = llama.eval

    def counted(tokens):
        calls.append(len(tokens))
        return evaluate(tokens)

    llama.eval = counted
    messages = answer_messages("What will happen to the Alder River Bridge?", EVIDENCE, 2)
    shape = answer_schema([1], 2)
    shape["properties"]["sentences"]["minItems"] = min_sentences
    text = "".join(gen.stream(messages, shape if schema else None, 80, 0.0))
    llm._LOADED.clear()
    return text, len(calls)


@pytest.mark.slow  # loads the packaged language model
@pytest.mark.parametrize("schema", [True, False], ids=["json-schema", "free-text"])
def test_prompt_lookup_gives_the_same_greedy_output_in_fewer_steps(schema):
    plain, plain_steps = _run(0, schema)
    drafted, drafted_steps = _run(10, schema)
    assert len(plain) > 20
    assert drafted == plain
    # one evaluation per token without drafts; with them, accepted drafts save steps
    assert drafted_steps < plain_steps


@pytest.mark.slow  # loads the packaged language model
def test_grammar_last_sampling_gives_the_same_greedy_answer_checking_fewer_candidates(
    monkeypatch,
):
    """Checking the picked token against the JSON grammar, and every candidate only when it is
    rejected, writes token for token what checking the whole vocabulary at each step writes —
    with most steps checking a single candidate."""
    stock, _ = _run(0, True, grammar_last=False, min_sentences=1)
    checks = {"one": 0, "all": 0}
    pick, allowed = llm._GrammarLastSampler._pick, llm._GrammarLastSampler._allowed

    def counted_pick(self, logits, grammar_first):
        checks["all"] += grammar_first
        return pick(self, logits, grammar_first)

    def counted_allowed(self, token):
        checks["one"] += 1
        return allowed(self, token)

    monkeypatch.setattr(llm._GrammarLastSampler, "_pick", counted_pick)
    monkeypatch.setattr(llm._GrammarLastSampler, "_allowed", counted_allowed)
    last, _ = _run(0, True, grammar_last=True, min_sentences=1)
    assert len(stock) > 20 and last == stock
    assert json.loads(last)["sentences"][0]["text"]  # the schema's JSON, one sentence at least
    assert checks["one"] > 10  # every generated token was checked alone first …
    assert 0 < checks["all"] < checks["one"] / 2  # … and the whole vocabulary only when rejected


def test_prompt_lookup_is_a_setting(tmp_path):
    from index.settings import load_settings

    settings = load_settings(tmp_path, llm={"model": "smollm2", "prompt_lookup": 6, "batch": 256})
    gen = llm.make_generator(settings)
    assert (gen.prompt_lookup, gen.n_batch) == (6, 256)
    assert load_settings(tmp_path).llm.prompt_lookup == 0  # off by default: slower on 2 cores
    assert (
        gen.grammar_last
        and not llm.make_generator(
            load_settings(tmp_path, llm={"model": "smollm2", "grammar_last": False})
        ).grammar_last
    )


def _cmake_args(tmp_path, flags: str) -> list[str]:
    """What scripts/setup.sh builds llama.cpp with on a CPU with these /proc/cpuinfo flags."""
    import re
    import subprocess
    from pathlib import Path

    script = (Path(__file__).parents[2] / "scripts" / "setup.sh").read_text()
    function = re.search(r"^llama_cmake_args\(\) \{.*?^\}", script, re.M | re.S).group(0)
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    out = subprocess.run(
        ["bash", "-c", f'set -euo pipefail\n{function}\nllama_cmake_args "$1"', "_", cpuinfo],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_llama_build_uses_the_cpus_vector_extensions_and_never_native(tmp_path):
    avx2 = "fpu sse4_2 avx avx2 fma f16c bmi2"
    assert _cmake_args(tmp_path, avx2) == ["-DGGML_NATIVE=OFF"]
    zen4 = avx2 + " avx512f avx512dq avx512cd avx512bw avx512vl avx512vbmi avx512_vnni avx512_bf16"
    assert _cmake_args(tmp_path, zen4) == [
        "-DGGML_NATIVE=OFF",
        "-DGGML_AVX512=ON",
        "-DGGML_AVX512_VBMI=ON",
        "-DGGML_AVX512_VNNI=ON",
        "-DGGML_AVX512_BF16=ON",
    ]
    # AVX-512 foundation without BW/VL (e.g. Xeon Phi): not enough for ggml's AVX-512 build
    assert _cmake_args(tmp_path, avx2 + " avx512f avx512cd avx_vnni") == [
        "-DGGML_NATIVE=OFF",
        "-DGGML_AVX_VNNI=ON",
    ]


def test_a_whole_json_object_is_complete_and_a_partial_one_is_not():
    assert llm._complete_json('{"sentences": [{"evidence": [1], "text": "A }"}]}\n')
    assert not llm._complete_json('{"sentences": [{"evidence": [1], "text": "A }')
    assert not llm._complete_json('{"sentences": [{"evidence": [1], "text": "A"}]')
    assert not llm._complete_json("[1]")


@pytest.mark.slow  # loads the packaged language model
def test_schema_answer_stops_when_the_json_is_complete(monkeypatch):
    """The grammar allows only the end token after the closing brace: the stream stops there
    instead of paying more decoding steps (a trailing space the grammar allows, the end
    token) — the same answer, in fewer evaluations."""
    early, early_steps = _run(0, True)
    monkeypatch.setattr(llm, "_complete_json", lambda text: False)
    full, full_steps = _run(0, True)
    assert early.endswith("}") and early == full.rstrip()
    assert early_steps < full_steps
