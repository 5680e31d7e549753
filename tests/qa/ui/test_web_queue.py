"""Several people asking at once: one model answers one question at a time, and everyone else
sees where they stand in the queue (issue #14: "no sign of where one stands in the queue").
The real app on a free local port, three pages in Debian's Chromium, a deliberately slow
scripted model."""

from __future__ import annotations

import json
import re
import socket
import time

import pytest

from index.ingest import ingest
from index.settings import load_settings
from qa.api import Assistant
from tests.conftest import EXAMPLES, FakeGenerator

pytestmark = pytest.mark.slow

QUESTION = "How long will the Alder River Bridge be closed?"


def _slow_model(messages):
    time.sleep(8)  # long enough for the others to queue behind it
    return json.dumps({"answerable": False, "sentences": []})


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from qa.ui import web

    data = tmp_path_factory.mktemp("queue-data")
    settings = load_settings(data)
    assert ingest([EXAMPLES], settings, embedder=embedder).ok
    assistant = Assistant(settings=settings, generator=FakeGenerator(_slow_model))
    assistant.index._embedder = embedder
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    web.launch(assistant, "127.0.0.1", port, block=False)
    yield f"http://127.0.0.1:{port}/"
    import gradio as gr

    gr.close_all()


def test_waiting_users_see_their_place_in_the_queue(server, browser):
    pages = [browser.new_page() for _ in range(3)]
    try:
        for page in pages:
            page.goto(server)
            page.wait_for_selector("#ts-question textarea", timeout=60_000)
        for page in pages:
            page.fill("#ts-question textarea", QUESTION)
            page.click("#ts-ask")
        # the first is being answered; the second and third wait, and are told where
        for place, page in ((1, pages[1]), (2, pages[2])):
            page.wait_for_function(
                f"() => /queue: {place}\\/\\d/.test(document.body.innerText)", timeout=30_000
            )
        assert not re.search(r"queue: \d", pages[0].inner_text("body"))
        # and every one of them is answered in turn (the model declines, so the answer
        # quotes the best evidence or abstains: either way the turn is no longer pending)
        for page in pages:
            page.wait_for_selector(".ts-a:not(.ts-pending)", timeout=120_000)
            assert not re.search(r"queue: \d", page.inner_text("body"))
    finally:
        for page in pages:
            page.close()
