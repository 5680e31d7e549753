"""The web app lets in only its users (issue #14): the users file and its CLI, the refusal to
serve beyond loopback without authentication, and — on the real app on a free local port, in
Debian's Chromium — logins, every route refused anonymously, no local paths in responses, the
security headers, and the reverse-proxy header mode."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import stat
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from qa.cli import main
from qa.ui import auth as web_auth
from qa.ui.auth import WebAuth, add_user, is_loopback, load_users, verify_password
from tests.conftest import EXAMPLES, FakeGenerator, passages_in

PASSWORD = "correct horse battery"


def run(capsys, *args, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


# --- users file and CLI (fast) ---------------------------------------------------------------


def test_users_add_writes_a_salted_hash_not_the_password(capsys, monkeypatch, tmp_path):
    data = tmp_path / "data"
    for name in ("alice", "bob"):
        code, out, _ = run(
            capsys,
            "--data",
            str(data),
            "users",
            "add",
            name,
            "--password-stdin",
            stdin=PASSWORD + "\n",
            monkeypatch=monkeypatch,
        )
        assert code == 0 and f"added {name}" in out
    path = data / "users.toml"
    raw = path.read_text(encoding="utf-8")
    assert PASSWORD not in raw and "horse" not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    users = load_users(data)
    assert set(users) == {"alice", "bob"}
    assert users["alice"].startswith("scrypt$") and users["alice"] != users["bob"]  # own salt
    assert verify_password(PASSWORD, users["alice"])
    assert not verify_password(PASSWORD + "!", users["alice"])
    assert not verify_password(PASSWORD, None)  # unknown user
    assert not [p for p in data.iterdir() if p.name.startswith(".users-")]  # no temp file left

    code, out, err = run(capsys, "--data", str(data), "users", "list")
    assert code == 0 and out.split() == ["alice", "bob"]
    code, out, _ = run(capsys, "--data", str(data), "users", "remove", "bob")
    assert code == 0 and set(load_users(data)) == {"alice"}
    code, _, err = run(capsys, "--data", str(data), "users", "remove", "bob")
    assert code == 1 and "no user named 'bob'" in err


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("Evil\x01Wire", PASSWORD, "control or invisible character (U+0001)"),
        ("new\nline", PASSWORD, "control or invisible character (U+000A)"),
        ("zero\u200bwidth", PASSWORD, "control or invisible character (U+200B)"),
        (" alice", PASSWORD, "starts or ends with a space"),
        ("x" * 65, PASSWORD, "longer than 64 characters"),
        ("carol", "short", "shorter than 8 characters"),
    ],
)
def test_bad_names_and_passwords_are_refused(
    capsys, monkeypatch, tmp_path, name, password, message
):
    code, _, err = run(
        capsys,
        "--data",
        str(tmp_path),
        "users",
        "add",
        name,
        "--password-stdin",
        stdin=password + "\n",
        monkeypatch=monkeypatch,
    )
    assert code == 2 and message in err
    assert not (tmp_path / "users.toml").exists()


def test_users_add_prompts_twice_for_the_password(tmp_path):
    from click.testing import CliRunner

    from qa.cli import cli

    result = CliRunner().invoke(
        cli, ["--data", str(tmp_path), "users", "add", "dana"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden prompt
    assert verify_password(PASSWORD, load_users(tmp_path)["dana"])


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.4.5", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("newsroom.example", False),
    ],
)
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_serving_beyond_loopback_without_users_exits_2(capsys, tmp_path, host):
    code, _, err = run(capsys, "--data", str(tmp_path), "serve", "--host", host)
    assert code == 2
    assert "refusing to serve" in err and "twosource --data" in err and "users add NAME" in err


@pytest.mark.parametrize("how", ["user", "header"])
def test_serving_beyond_loopback_with_authentication_gets_past_the_check(
    capsys, monkeypatch, tmp_path, how
):
    args = ["--data", str(tmp_path), "serve", "--host", "0.0.0.0"]
    if how == "user":
        add_user(tmp_path, "alice", PASSWORD)
    else:
        args += ["--auth-header", "X-Forwarded-User"]
    code, _, err = run(capsys, *args)
    assert code == 3 and "refusing" not in err  # next it opens the index, which is not there


def test_login_on_loopback_without_users_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "--data", str(tmp_path), "serve", "--auth")
    assert code == 2 and "--auth was given" in err and "users add NAME" in err


def test_launch_itself_refuses_an_open_app_beyond_loopback(tmp_path):
    from qa.ui.web import launch

    with pytest.raises(web_auth.AuthError, match="without authentication"):
        launch(object(), "0.0.0.0", 1)  # refused before the app is built or a port is bound
    with pytest.raises(web_auth.AuthError, match="no users"):
        launch(object(), "0.0.0.0", 1, auth=WebAuth.password(tmp_path))


def test_proxy_header_is_believed_only_from_the_trusted_proxy():
    auth = WebAuth.proxy_header("X-Forwarded-User")
    assert auth.header_user({"x-forwarded-user": "alice"}, "127.0.0.1") == "alice"
    assert auth.header_user({"x-forwarded-user": "alice"}, "10.0.0.9") is None
    assert auth.header_user({}, "127.0.0.1") is None
    assert auth.header_user({"x-forwarded-user": "a\x01b"}, "127.0.0.1") is None
    lan = WebAuth.proxy_header("X-Forwarded-User", ["10.0.0.0/24"])
    assert lan.header_user({"x-forwarded-user": "alice"}, "10.0.0.9") == "alice"
    with pytest.raises(web_auth.AuthError, match="trusted-proxy"):
        WebAuth.proxy_header("X-Forwarded-User", ["not-an-address"])


# --- the real app (slow) ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cite_first_passage(messages) -> str:
    eid, text = next(iter(passages_in(messages).items()))
    return json.dumps({"answerable": True, "sentences": [{"evidence": [eid], "text": text}]})


def _launch(tmp_path_factory, embedder, auth_for):
    from index.ingest import ingest
    from index.settings import load_settings
    from qa.api import Assistant
    from qa.ui import web

    data = tmp_path_factory.mktemp("web-security-data")
    settings = load_settings(data, ingest={"max_file_mb": 1})
    assert ingest([EXAMPLES], settings, embedder=embedder).ok
    assistant = Assistant(settings=settings, generator=FakeGenerator(_cite_first_passage))
    assistant.index._embedder = embedder
    port = _free_port()
    app, _, _ = web.launch(assistant, "127.0.0.1", port, block=False, auth=auth_for(data))
    return f"http://127.0.0.1:{port}", app, data


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    def password_auth(data):
        add_user(data, "alice", PASSWORD)
        return WebAuth.password(data)

    base, app, data = _launch(tmp_path_factory, embedder, password_auth)
    yield base, app, data
    import gradio as gr

    gr.close_all()


def _request(url, method="GET", data=None, headers=None):
    req = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _login_cookie(base, name: str = "alice") -> str:
    form = urllib.parse.urlencode({"username": name, "password": PASSWORD}).encode()
    req = urllib.request.Request(
        base + "/login",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return "; ".join(c.split(";")[0] for c in r.headers.get_all("set-cookie"))


def all_routes(routes, prefix=""):
    """(path, method) of every route of the FastAPI app, included routers flattened."""
    out = []
    for r in routes:
        if hasattr(r, "original_router"):  # FastAPI's lazily included router (gradio_api/…)
            out += all_routes(r.original_router.routes, prefix + (r.include_context.prefix or ""))
        elif hasattr(r, "routes"):  # a mounted sub-application
            out += all_routes(r.routes, prefix + getattr(r, "path", ""))
        elif hasattr(r, "path"):
            for method in sorted(getattr(r, "methods", None) or ["GET"]):
                out.append((prefix + r.path, method))
    return out


# The login page and the front end's code are public; nothing else is.
PUBLIC = {"/", "/login", "/login/", "/favicon.ico", "/manifest.json"}
PUBLIC_PREFIXES = ("/svelte/", "/static/", "/assets/")


@pytest.mark.slow
def test_anonymous_requests_to_every_route_are_refused(server):
    base, app, _ = server
    routes = all_routes(app.routes)
    paths = {p for p, _ in routes}
    assert {"/config", "/gradio_api/queue/join", "/gradio_api/upload", "/gradio_api/info"} <= paths
    assert any(p.startswith("/gradio_api/file=") for p in paths)
    answered = []
    for path, method in routes:
        url = base + re.sub(r"\{[^}]*\}", "x", path)
        body = b"{}" if method in ("POST", "PUT", "PATCH") else None
        status, _, content = _request(url, method, body, {"Content-Type": "application/json"})
        public = path in PUBLIC or path.startswith(PUBLIC_PREFIXES)
        if public:
            assert b"Alder" not in content and b"ts-question" not in content, path
            continue
        if status not in (401, 403) or content not in (b"", b'{"detail":"Not authenticated"}'):
            answered.append((method, path, status, content[:80]))
    assert answered == [], answered
    assert len(routes) > 60  # the whole Gradio API was checked, not a handful

    # The login page carries no component of the app, only the login form's config.
    status, _, page = _request(base + "/")
    assert status == 200 and b'"auth_required":true' in page and b"ts-question" not in page
    # Files outside the data stay unreachable too, even with a traversal.
    for path in ("/gradio_api/file=/etc/passwd", "/file=/etc/passwd", "/gradio_api/file=../x"):
        assert _request(base + path)[0] in (401, 403, 404), path


@pytest.mark.slow
def test_wrong_password_gets_no_session(server):
    base = server[0]
    form = urllib.parse.urlencode({"username": "alice", "password": "wrong password"}).encode()
    status, headers, _ = _request(
        base + "/login", "POST", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 400 and not headers.get_all("set-cookie")
    form = urllib.parse.urlencode({"username": "mallory", "password": PASSWORD}).encode()
    status, _, _ = _request(
        base + "/login", "POST", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 400


@pytest.mark.slow
def test_config_and_error_pages_carry_no_local_paths(server):
    base, _, data = server
    cookie = _login_cookie(base)
    secrets_ = {str(data), str(data.resolve()), sys.prefix, str(Path.home()), os.getcwd()}
    for path in ("/config", "/", "/gradio_api/info", "/no-such-page", "/gradio_api/file=x.txt"):
        status, _, body = _request(base + path, headers={"Cookie": cookie})
        text = body.decode("utf-8", "replace")
        if path == "/config":
            assert status == 200 and "ts-question" in text  # logged in: the real config
        for secret in secrets_:
            assert secret not in text and secret.replace("/", "\\/") not in text, (path, secret)


@pytest.mark.slow
def test_security_headers_on_every_kind_of_response(server):
    base = server[0]
    cookie = _login_cookie(base)
    for path, cookie_ in (("/", None), ("/config", None), ("/config", cookie), ("/nope", cookie)):
        _, headers, _ = _request(base + path, headers={"Cookie": cookie_} if cookie_ else {})
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "'unsafe-inline'" not in script_src, path
    # Gradio's inline config scripts run by the page's nonce, not by 'unsafe-inline'.
    _, headers, page = _request(base + "/", headers={"Cookie": cookie})
    nonce = re.search(r"'nonce-([^']+)'", headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(rb"<script[^>]*>", page)
    assert scripts and all(f'nonce="{nonce}"'.encode() in s for s in scripts)


@pytest.mark.slow
def test_proxy_header_mode_lets_in_only_named_users(tmp_path_factory, embedder):
    base, app, _ = _launch(
        tmp_path_factory, embedder, lambda data: WebAuth.proxy_header("X-Forwarded-User")
    )
    try:
        assert _request(base + "/config")[0] == 401
        assert _request(base + "/")[0] == 401  # no login page: the proxy does the login
        assert _request(base + "/gradio_api/info")[0] == 401
        status, _, body = _request(base + "/config", headers={"X-Forwarded-User": "alice"})
        assert status == 200 and b"ts-question" in body
    finally:
        app.get_blocks().close()  # only this server: the module's server stays up


@pytest.mark.slow
def test_a_removed_user_is_let_in_no_more(server):
    from qa.ui.auth import remove_user

    base, _, data = server
    add_user(data, "bob", PASSWORD)  # no restart: the users file is re-read when it changes
    cookie = _login_cookie(base, "bob")
    assert _request(base + "/config", headers={"Cookie": cookie})[0] == 200
    assert remove_user(data, "bob")
    assert _request(base + "/config", headers={"Cookie": cookie})[0] == 401


@pytest.mark.slow
def test_loopback_without_auth_stays_open_with_the_headers(tmp_path_factory, embedder):
    base, app, _ = _launch(tmp_path_factory, embedder, lambda data: None)
    try:
        status, headers, body = _request(base + "/config")
        assert status == 200 and b"ts-question" in body
        assert (
            headers["X-Frame-Options"] == "DENY" and "nonce-" in headers["Content-Security-Policy"]
        )
    finally:
        app.get_blocks().close()


# --- in the browser (slow) -------------------------------------------------------------------


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.csp_errors = []
    page.on(
        "console",
        lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(server[0] + "/")
    yield page
    page.close()


def _log_in(page, password: str) -> None:
    page.get_by_label("username").fill("alice")
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()


@pytest.mark.slow
def test_wrong_password_is_refused_in_the_browser(page):
    _log_in(page, "not the password")
    page.get_by_text("Incorrect Credentials").wait_for(timeout=20_000)
    assert page.locator("#ts-question").count() == 0
    assert page.csp_errors == []


@pytest.mark.slow
def test_logged_in_user_can_ask_and_upload(page, tmp_path):
    _log_in(page, PASSWORD)
    page.wait_for_selector("#ts-question textarea", timeout=60_000)
    page.fill("#ts-question textarea", "Will household water rates in Port Alder rise?")
    page.click("#ts-ask")
    page.locator(".ts-a:not(.ts-pending)").first.wait_for(timeout=120_000)  # no eval: CSP
    cite = page.locator(".ts-sentence .ts-cite").first
    assert cite.is_visible()
    cite.click()  # the app's own script (Gradio's js=) runs under the CSP: the panel fills
    page.locator("#ts-source-panel mark.ts-hl").wait_for(timeout=10_000)

    article = tmp_path / "harbour-lights.txt"
    article.write_text(
        "Harbour lights to be replaced with LED lamps\n\nBy Ana Reyes\n\n"
        "All 240 lamps along the Old Harbour promenade will be replaced with LED fittings in "
        "April, the Port Alder parks department said on Friday.\n",
        encoding="utf-8",
    )
    big = tmp_path / "huge.txt"
    big.write_text("The council met again. " * 70_000, encoding="utf-8")  # ~1.6 MB > 1 MB
    page.click("button[role=tab]:has-text('Sources')")
    page.set_input_files("#ts-upload input[type=file]", [str(article), str(big)])
    page.wait_for_timeout(1500)
    page.click("#ts-ingest")
    log = page.locator("#ts-ingest-log")
    log.locator("text=harbour-lights.txt added").wait_for(timeout=120_000)
    assert "huge.txt: 1.6 MB, over the 1 MB limit" in log.inner_text()
    assert page.csp_errors == []
