"""The OpenAI-compatible HTTP backend against a real llama.cpp server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from qa.api import Assistant
from qa.llm import LLMError, OpenAIServerGenerator
from qa.models import smollm2_path
from qa.prompting import answer_schema
from tests.conftest import assert_quotes_exact

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(smollm2_path()),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "4096",
                "--n_threads",
                "2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the llama.cpp server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/models", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the llama.cpp server did not start within 90 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_streams_schema_constrained_json(server_url):
    gen = OpenAIServerGenerator(server_url)
    messages = [
        {"role": "system", "content": "Answer in JSON."},
        {"role": "user", "content": "Passage [1]: <<The bridge closes for 14 weeks.>> How long?"},
    ]
    schema = answer_schema([1], 1)
    schema["properties"]["sentences"]["items"]["properties"]["text"]["maxLength"] = 80
    deltas = list(gen.stream(messages, schema, 300, 0.0))
    assert len(deltas) > 3
    data = json.loads("".join(deltas))
    assert isinstance(data["sentences"], list) and isinstance(data["answerable"], bool)
    for sentence in data["sentences"]:
        assert sentence["evidence"] and set(sentence["evidence"]) <= {1}


def test_assistant_through_the_server(server_url, seed_index, embedder):
    settings = seed_index.model_copy(
        update={"llm": seed_index.llm.model_copy(update={"url": server_url})}
    )
    assistant = Assistant(settings=settings)
    assistant.index._embedder = embedder
    answer = assistant.ask("Does Russia need to mobilize five million people to win the war?")
    # The 135M test model writes poor answers; whatever it wrote, the pipeline returns only
    # verified or quoted sentences with exact citations.
    assert answer.status == "answered"
    assert server_url in answer.model
    assert all(s.citations for s in answer.sentences)
    assert_quotes_exact(answer, assistant.index)


def test_unreachable_server_is_a_clear_error():
    gen = OpenAIServerGenerator(f"http://127.0.0.1:{_free_port()}/v1", timeout=5)
    with pytest.raises(LLMError, match="cannot reach the LLM server"):
        list(gen.stream([{"role": "user", "content": "hi"}], None, 5, 0.0))


def test_bad_url():
    with pytest.raises(LLMError, match="must start with http"):
        OpenAIServerGenerator("ftp://example")
