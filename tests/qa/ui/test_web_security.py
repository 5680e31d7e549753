"""The web app lets in only its users (issue #14): the users file and its CLI, the refusal to
serve beyond loopback without authentication, and — on the real app on a free local port, in
Debian's Chromium — logins, every route refused anonymously, no local paths in responses, the
security headers, and the reverse-proxy header mode."""

from __future__ import annotations

import io
import stat
import sys

import pytest

from qa.cli import main
from qa.ui import auth as web_auth
from qa.ui.auth import WebAuth, is_loopback, load_users, verify_password

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
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
