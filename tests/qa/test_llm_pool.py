"""The pool of LLM servers (qa/llm_pool.py): which server a request goes to, what happens when
one fails, and that the user gets a clear error instead of a hang.

The selection logic runs against tiny HTTP stubs in this process (each answers with its own
name, or fails in a chosen way); the last test runs two real ``python -m llama_cpp.server``
processes with the small test model and kills them one after the other."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from index.errors import ConfigError
from index.settings import load_settings
from qa.llm import LLMError, make_generator
from qa.llm_pool import ServerPool
from tests.llama_server import free_port, start_llama_server, stop, wait_until_up

HI = [{"role": "user", "content": "hi"}]


class Stub:
    """An OpenAI-compatible stub on a free port. ``mode``: 'ok' (streams its name, then
    waits for ``release`` if ``hold``), '503', '400', 'silent' (accepts, never answers), 'cut'
    (one delta, then closes the connection). ``total_slots``: reported at /props."""

    def __init__(self, name: str, mode: str = "ok", hold: bool = False, total_slots: int = 0):
        self.name, self.mode, self.hold = name, mode, hold
        self.hits = 0
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/props" and total_slots:  # as llama.cpp's llama-server
                    body = json.dumps({"total_slots": total_slots}).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(404)
                self.end_headers()

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                stub.hits += 1
                if stub.mode in ("503", "400"):
                    self.send_response(int(stub.mode))
                    self.end_headers()
                    self.wfile.write(b"loading model" if stub.mode == "503" else b"bad schema")
                    return
                if stub.mode == "silent":
                    stub.release.wait(10)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self._event({"choices": [{"delta": {"content": stub.name}}]})
                if stub.mode == "cut":
                    self.close_connection = True
                    return
                if stub.hold:
                    stub.release.wait(10)
                self._event({"choices": [{"delta": {}, "finish_reason": "stop"}]})
                self.wfile.write(b"data: [DONE]\n\n")

            def _event(self, data):
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stubs():
    made: list[Stub] = []

    def make(*args, **kwargs) -> Stub:
        made.append(Stub(*args, **kwargs))
        return made[-1]

    yield make
    for s in made:
        s.close()


def _pool(urls, slots=None, cooldown=30.0, timeout=5.0) -> ServerPool:
    llm = {"url": urls, "cooldown": cooldown, "timeout": timeout, "connect_timeout": 1.0}
    if slots is not None:
        llm["slots"] = slots
    settings = load_settings("/nonexistent-data", llm=llm)
    pool = make_generator(settings)
    assert isinstance(pool, ServerPool)
    return pool


def _ask(pool) -> str:
    return "".join(pool.stream(HI, None, 8, 0.0))


def test_settings_take_a_list_or_commas_and_slots_per_server(stubs, monkeypatch):
    a, b = stubs("A"), stubs("B")
    monkeypatch.setenv("TWOSOURCE_LLM__URL", f"{a.url}, {b.url}")
    monkeypatch.setenv("TWOSOURCE_LLM__SLOTS", "3,2")
    pool = make_generator(load_settings("/nonexistent-data"))
    assert [e.url for e in pool.endpoints] == [a.url, b.url]
    assert pool.slots == 5 and a.url in pool.name and b.url in pool.name
    monkeypatch.delenv("TWOSOURCE_LLM__URL")
    monkeypatch.delenv("TWOSOURCE_LLM__SLOTS")
    # no slots given: asked of each server (llama-server's /props); none said: one each
    assert _pool([a.url, b.url]).slots == 2
    c = stubs("C", total_slots=4)
    assert [e.slots for e in _pool([a.url, c.url]).endpoints] == [1, 4]
    assert _pool([a.url, b.url], slots=4).slots == 8
    with pytest.raises(ConfigError, match="2 servers"):
        _pool([a.url, b.url], slots=[1, 2, 3])


def test_requests_alternate_and_go_to_the_least_busy(stubs):
    a, b = stubs("A", hold=True), stubs("B", hold=True)
    pool = _pool([a.url, b.url], slots=[2, 1])
    # A has two slots and B one: the first goes to A (ties in turn), the second to B (idle),
    # the third to A again (1 of 2 taken beats 1 of 1)
    streams = [pool.stream(HI, None, 8, 0.0) for _ in range(3)]
    firsts = [next(s) for s in streams]
    assert firsts == ["A", "B", "A"]
    assert [e.in_flight for e in pool.endpoints] == [2, 1]
    # every slot taken: a fourth request waits until one frees up, then takes it
    got = []
    waiter = threading.Thread(target=lambda: got.append(_ask(pool)))
    waiter.start()
    time.sleep(0.3)
    assert not got and a.hits + b.hits == 3
    b.release.set()
    assert "".join(streams[1]) == ""  # B finishes its answer
    waiter.join(5)
    assert got == ["B"]
    a.release.set()
    for s in (streams[0], streams[2]):
        list(s)
    assert [e.in_flight for e in pool.endpoints] == [0, 0]
    # idle again: requests alternate
    assert [_ask(pool) for _ in range(4)] == ["A", "B", "A", "B"]


def test_a_failing_server_is_skipped_with_one_log_line_then_retried(stubs, caplog):
    bad, good = stubs("X", mode="503"), stubs("G")
    pool = _pool([bad.url, good.url], cooldown=0.5)
    caplog.set_level(logging.WARNING, logger="twosource.llm")
    assert _ask(pool) == "G"  # the 503 server was tried first, the answer came from the other
    assert bad.hits == 1
    downs = [r.getMessage() for r in caplog.records if "is down" in r.getMessage()]
    assert len(downs) == 1 and bad.url in downs[0] and "HTTP 503" in downs[0]
    assert [_ask(pool) for _ in range(3)] == ["G"] * 3
    assert bad.hits == 1  # skipped during the cool-down
    time.sleep(0.6)
    bad.mode = "ok"
    assert {_ask(pool), _ask(pool)} == {"X", "G"}  # tried again after it, and back in turn
    assert bad.hits == 2
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_a_silent_server_times_out_and_the_next_one_answers(stubs):
    silent, good = stubs("S", mode="silent"), stubs("G")
    pool = _pool([silent.url, good.url], timeout=0.5)
    start = time.monotonic()
    assert _ask(pool) == "G"
    assert time.monotonic() - start < 3
    status = pool.status()[0]
    assert not status["up"] and status["last_error"] == "timed out"


def test_an_answer_cut_short_is_an_error_not_a_truncated_answer(stubs):
    cut, good = stubs("C", mode="cut"), stubs("G")
    pool = _pool([cut.url, good.url])
    with pytest.raises(LLMError, match="stopped in the middle of the answer"):
        _ask(pool)
    assert _ask(pool) == "G"  # the next request goes to the other server


def test_all_servers_down_is_a_clear_fast_error():
    urls = [f"http://127.0.0.1:{free_port()}/v1" for _ in range(2)]
    pool = _pool(urls)
    for _ in range(2):  # also once both are in their cool-down: each is tried once more
        start = time.monotonic()
        with pytest.raises(LLMError) as err:
            _ask(pool)
        assert time.monotonic() - start < 3
        message = str(err.value)
        assert "no LLM server answered" in message
        assert all(u in message for u in urls) and "refused" in message


def test_a_refused_request_is_reported_not_taken_for_a_dead_server(stubs):
    bad, good = stubs("X", mode="400"), stubs("G")
    pool = _pool([bad.url, good.url])
    with pytest.raises(LLMError, match="answered 400: bad schema"):
        _ask(pool)
    assert good.hits == 0 and pool.status()[0]["up"]  # no other server is tried for it
    with pytest.raises(LLMError, match="must start with http"):
        _pool(["ftp://x"])


# -- the real thing: two llama.cpp servers with the small test model


@pytest.mark.slow
def test_two_real_llama_cpp_servers_one_killed_then_both(tmp_path, caplog):
    procs, urls = [], []
    try:
        for i in range(2):
            proc, url = start_llama_server(
                tmp_path / f"server{i}.log", n_ctx=512, threads=1, interrupt=False
            )
            procs.append(proc)
            urls.append(url)
        for proc, url, i in zip(procs, urls, range(2), strict=True):
            wait_until_up(proc, url, tmp_path / f"server{i}.log")
        pool = _pool(urls, timeout=60)
        assert pool.slots == 2  # llama-cpp-python's server has no /props: one slot each
        messages = [{"role": "user", "content": "Name a colour."}]
        answers: list[str] = []

        def ask():
            answers.append("".join(pool.stream(messages, None, 6, 0.0)))

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(answers) == 4 and all(a.strip() for a in answers)
        assert all(s["answered"] >= 1 for s in pool.status())  # both servers answered

        caplog.set_level(logging.WARNING, logger="twosource.llm")
        procs[0].kill()
        procs[0].wait(10)
        after = ["".join(pool.stream(messages, None, 6, 0.0)) for _ in range(3)]
        assert len(after) == 3 and all(a.strip() for a in after)  # still answered, by server 2
        downs = [r.getMessage() for r in caplog.records if "is down" in r.getMessage()]
        assert len(downs) == 1 and urls[0] in downs[0]
        assert pool.status()[1]["answered"] >= 3

        procs[1].kill()
        procs[1].wait(10)
        start = time.monotonic()
        with pytest.raises(LLMError, match="no LLM server answered") as err:
            "".join(pool.stream(messages, None, 6, 0.0))
        assert time.monotonic() - start < 5
        assert all(u in str(err.value) for u in urls)
    finally:
        for proc in procs:
            stop(proc)


# -- the web app answers as many questions at once as the backend can


def _model_limits(demo) -> set:
    return {fn.concurrency_limit for fn in demo.fns.values() if fn.concurrency_id == "model"}


@pytest.mark.slow  # ingests the demo corpus and builds the Gradio app three times
def test_web_concurrency_follows_the_backend(stubs, tmp_path, fake_embedder):
    from index.ingest import ingest
    from qa.api import Assistant
    from qa.ui.web import create_app, model_concurrency
    from tests.conftest import EXAMPLES, FakeGenerator

    settings = load_settings(tmp_path / "data")
    assert ingest([EXAMPLES], settings, embedder=fake_embedder).ok
    a, b = stubs("A", total_slots=3), stubs("B")
    served = settings.model_copy(
        update={"llm": settings.llm.model_copy(update={"url": f"{a.url},{b.url}"})}
    )
    for assistant, expected in (
        (Assistant(settings=settings), 1),  # the in-process model: one at a time (not loaded)
        (Assistant(settings=settings, generator=FakeGenerator(lambda m: "{}")), 1),
        (Assistant(settings=served), 4),  # a pool: 3 slots reported by A, 1 assumed for B
    ):
        assert model_concurrency(assistant) == expected
        assert _model_limits(create_app(assistant)) == {expected}


def test_cli_takes_several_llm_urls_and_reports_them_all_down(tmp_path, embedder, capsys):
    from index.ingest import ingest
    from qa.cli import main
    from tests.conftest import EXAMPLES

    data = tmp_path / "data"
    assert ingest([EXAMPLES], load_settings(data), embedder=embedder).ok
    urls = [f"http://127.0.0.1:{free_port()}/v1" for _ in range(3)]
    question = "How long will the Alder River Bridge be closed?"
    args = ["--data", str(data), "ask", "--no-stream", question, "--llm-url", urls[0]]
    args += ["--llm-url", f"{urls[1]},{urls[2]}"]
    start = time.monotonic()
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 5, err
    assert "no LLM server answered" in err and all(u in err for u in urls)
    assert time.monotonic() - start < 60
