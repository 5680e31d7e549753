"""The web chat end to end: the real app on a free local port, driven by Playwright in Debian's
Chromium, with the real packaged model over the demo corpus."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from index.ingest import ingest
from index.settings import load_settings
from qa.api import Assistant
from qa.records import Answer, Citation, Sentence
from qa.ui.html import answer_html
from tests.conftest import EXAMPLES, seed_file

SHOTS = (
    Path(os.environ.get("TWOSOURCE_SCREENSHOTS", ""))
    if os.environ.get("TWOSOURCE_SCREENSHOTS")
    else None
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from qa.ui import web

    data = tmp_path_factory.mktemp("web-data")
    settings = load_settings(data, ingest={"max_file_mb": 1})
    assert ingest([EXAMPLES], settings, embedder=embedder).ok
    assistant = Assistant(settings=settings)
    assistant.index._embedder = embedder
    port = _free_port()
    web.launch(assistant, "127.0.0.1", port, block=False)
    yield f"http://127.0.0.1:{port}/", assistant
    import gradio as gr

    gr.close_all()


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server[0])
    page.wait_for_selector("#ts-question textarea", timeout=60_000)
    yield page
    page.close()


def _shot(page, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


def _ask(page, question: str, n: int) -> None:
    page.fill("#ts-question textarea", question)
    page.click("#ts-ask")
    page.wait_for_selector(".ts-a.ts-pending", timeout=30_000)  # the streaming state shows first
    page.wait_for_function(
        f"document.querySelectorAll('.ts-a:not(.ts-pending)').length >= {n}", timeout=300_000
    )


def test_streamed_cited_flagged_answer_and_citation_panel(page):
    _ask(page, "Will household water rates in Port Alder rise this year?", 1)
    assert page.locator(".ts-sentence .ts-cite").first.is_visible()
    flag = page.locator(".ts-badge.ts-flag").first
    assert flag.is_visible()
    assert "single source" in flag.inner_text()
    assert "verified" in flag.get_attribute("title")  # the reason, on hover
    _shot(page, "answer.png")

    cite = page.locator(".ts-sentence .ts-cite").first
    quote = cite.get_attribute("data-quote")
    cite.click()
    mark = page.locator("#ts-source-panel mark.ts-hl")
    mark.wait_for(timeout=10_000)
    assert mark.inner_text() == quote
    assert "Alder Civic Notes" in page.inner_text("#ts-source-panel")
    _shot(page, "citation.png")

    # A follow-up in the same chat; this one is not in the archive and is answered as such.
    _ask(page, "Who won the football World Cup in 2022?", 2)
    assert page.locator(".ts-q").count() == 2
    assert "does not contain an answer" in page.locator(".ts-abstain").last.inner_text()


def test_upload_is_ingested_and_listed_in_sources(page, tmp_path):
    article = tmp_path / "harbour-lights.txt"
    article.write_text(
        "Harbour lights to be replaced with LED lamps\n\nBy Ana Reyes\n\n"
        "All 240 lamps along the Old Harbour promenade will be replaced with LED fittings in "
        "April, the Port Alder parks department said on Friday.\n",
        encoding="utf-8",
    )
    bad = tmp_path / "photo.txt"
    bad.write_bytes(bytes(range(256)) * 40)
    big = tmp_path / "huge.txt"
    big.write_text("The council met again. " * 70_000, encoding="utf-8")  # ~1.6 MB > 1 MB
    page.click("button[role=tab]:has-text('Sources')")
    page.set_input_files("#ts-upload input[type=file]", [str(article), str(bad), str(big)])
    page.wait_for_timeout(1500)
    page.click("#ts-ingest")
    log = page.locator("#ts-ingest-log")
    log.locator("text=harbour-lights.txt added").wait_for(timeout=120_000)
    text = log.inner_text()
    assert "photo.txt: binary data" in text
    assert "huge.txt: 1.6 MB, over the 1 MB limit" in text
    page.locator("#ts-sources").locator("text=Harbour lights to be replaced").wait_for(
        timeout=10_000
    )
    _shot(page, "sources.png")


def test_outlet_status_is_saved_to_the_registry(page, server):
    page.click("button[role=tab]:has-text('Sources')")
    page.click("#ts-sources")  # make sure the tab is rendered
    page.get_by_label("Outlet").click()
    page.get_by_role("option", name="Valley Courier").click()
    page.get_by_label("verified", exact=True).check()
    page.click("#ts-save-status")
    page.locator("#ts-status-msg").locator("text=Valley Courier is now").wait_for(timeout=10_000)
    assert server[1].registry.status("Valley Courier") == "verified"


def test_article_text_is_rendered_as_text_not_markup():
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    cite = Citation("d1", evil, evil, "2025-01-01", 0, len(evil), evil)
    answer = Answer("q", "answered", [Sentence(evil, [cite])])
    html = answer_html(answer, 1, {"d1": evil}, {"d1": "javascript:alert(3)"})
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_a_named_answer_lead_is_rendered_as_text():
    evil = "<b onclick=alert(1)>Acme</b>"
    cite = Citation("d1", "t", "o", "2025-01-01", 0, 4, "Acme")
    answer = Answer("Who?", "answered", [Sentence("Acme said so.", [cite], lead=f"{evil} — ")])
    html = answer_html(answer, 1, {"d1": "Acme"}, {})
    assert '<strong class="ts-named">&lt;b onclick=alert(1)&gt;Acme&lt;/b&gt; — </strong>' in html
    assert "<b " not in html


def test_serves_no_files_outside_its_data(server):
    import urllib.error
    import urllib.request

    base = server[0]
    secret = seed_file("000")
    for path in (
        f"file={secret}",
        f"gradio_api/file={secret}",
        "file=/etc/passwd",
        "gradio_api/file=/etc/passwd",
        "gradio_api/file=../../../../etc/passwd",
    ):
        try:
            with urllib.request.urlopen(base + path, timeout=10) as r:
                body = r.read()
                assert b"root:" not in body and b"Chernyak" not in body, path
        except urllib.error.HTTPError as exc:
            assert exc.code in (403, 404, 400), (path, exc.code)
    shutil.rmtree(Path("/nonexistent"), ignore_errors=True)
