"""The OpenAI-compatible HTTP backend against a real llama.cpp server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from qa.api import Assistant
from qa.llm import LLMError, OpenAIServerGenerator
from qa.prompting import answer_schema
from tests.conftest import assert_quotes_exact
from tests.llama_server import free_port, start_llama_server, stop, wait_until_up

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    log = tmp_path_factory.mktemp("server") / "server.log"
    proc, url = start_llama_server(log)
    wait_until_up(proc, url, log)
    yield url
    stop(proc)


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
    gen = OpenAIServerGenerator(f"http://127.0.0.1:{free_port()}/v1", timeout=5)
    with pytest.raises(LLMError, match="cannot reach the LLM server"):
        list(gen.stream([{"role": "user", "content": "hi"}], None, 5, 0.0))


def test_bad_url():
    with pytest.raises(LLMError, match="must start with http"):
        OpenAIServerGenerator("ftp://example")
