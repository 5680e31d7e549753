"""Who may use the web chat: the users file, password hashing, and the HTTP guard.

Users live in ``<data>/users.toml`` (``twosource users add NAME``): one line per user, the name
and a salted scrypt hash of the password — never the password. The file is written atomically
(a temporary file with mode 0600, fsynced, re-read, then renamed over the old one).

``WebAuth`` describes how the web app lets people in:

- **password** mode: Gradio's login form, checked against the users file (re-read when it
  changes, so ``users add`` / ``users remove`` take effect without a restart);
- **header** mode (``--auth-header X-Forwarded-User``): a reverse proxy in front (the newsroom's
  single sign-on) authenticates people and passes the user name in that header. The header is
  believed only from the proxy's address (``--trusted-proxy``, loopback by default), and the
  proxy must overwrite any copy of the header a client sends.

``guard_middleware`` refuses every request that is not authenticated (except the login page and
its static assets in password mode) and adds security headers to every response.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
import tempfile
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import TwoSourceError

USERS_FILE = "users.toml"
MAX_NAME = 64
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
# scrypt parameters: 2**14 × 8 × 128 bytes = 16 MiB of memory and ~50 ms per check.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32


class AuthError(TwoSourceError):
    """A bad user name or password, or an unreadable users file (exit 2)."""

    exit_code = 2


def users_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / USERS_FILE


def check_name(name: str) -> str:
    """``name`` if it is a usable user name, else ``AuthError`` saying what is wrong."""
    if not name:
        raise AuthError("the user name is empty")
    if len(name) > MAX_NAME:
        raise AuthError(f"the user name is longer than {MAX_NAME} characters")
    if name != name.strip():
        raise AuthError("the user name starts or ends with a space")
    for ch in name:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise AuthError(
                f"the user name contains a control or invisible character (U+{ord(ch):04X})"
            )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"the password is shorter than {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AuthError(f"the password is longer than {MAX_PASSWORD} characters")
    return password


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=2 * 128 * n * r * p + 1024 * 1024,
        dklen=_KEY_BYTES,
    )


def hash_password(password: str) -> str:
    """A salted scrypt hash: ``scrypt$N$r$p$salt$key`` (salt and key in base64)."""
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


_DUMMY_HASH = None


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time compare; an unknown user costs a
    hash too, so timing does not tell which names exist)."""
    global _DUMMY_HASH
    if stored is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password(secrets.token_hex(8))
        stored, known = _DUMMY_HASH, False
    else:
        known = True
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        n_i, r_i, p_i = int(n), int(r), int(p)
        if not (2 <= n_i <= 2**20 and 1 <= r_i <= 32 and 1 <= p_i <= 16):
            return False
        expected = base64.b64decode(key, validate=True)
        got = _scrypt(password, base64.b64decode(salt, validate=True), n_i, r_i, p_i)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected) and known


def load_users(data_dir: str | Path) -> dict[str, str]:
    """name → hash from ``<data>/users.toml`` ({} when the file does not exist)."""
    path = users_path(data_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise AuthError(f"cannot read the users file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AuthError(
            f"the users file {path} is damaged ({exc}); remove it and add the users again "
            "with `twosource users add NAME`"
        ) from exc
    users = data.get("users", {})
    if not isinstance(users, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in users.items()
    ):
        raise AuthError(f"the users file {path} has no valid [users] table")
    return dict(users)


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _write_users(data_dir: str | Path, users: dict[str, str]) -> Path:
    path = users_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# TwoSource web users: name = salted scrypt hash of the password.",
        "# Managed by `twosource users add/remove`; keep this file private (mode 0600).",
        "[users]",
    ]
    lines += [f"{_toml_string(name)} = {_toml_string(h)}" for name, h in sorted(users.items())]
    text = "\n".join(lines) + "\n"
    if tomllib.loads(text).get("users", {}) != users:  # re-read before it replaces the old one
        raise AuthError("internal error: the users file would not read back as written")
    fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return path


def add_user(data_dir: str | Path, name: str, password: str) -> bool:
    """Add or replace ``name``; True when it replaced an existing user's password."""
    check_name(name)
    check_password(password)
    users = load_users(data_dir)
    replaced = name in users
    users[name] = hash_password(password)
    _write_users(data_dir, users)
    return replaced


def remove_user(data_dir: str | Path, name: str) -> bool:
    """Remove ``name``; False when there was no such user."""
    users = load_users(data_dir)
    if name not in users:
        return False
    del users[name]
    _write_users(data_dir, users)
    return True


LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` serves only this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass
class WebAuth:
    """How the web app authenticates: ``mode`` is "none", "password" or "header"."""

    mode: str = "none"
    data_dir: Path | None = None
    header: str = ""
    trusted_proxies: list[str] = field(default_factory=lambda: ["127.0.0.1/8", "::1/128"])
    _cache: tuple[tuple | None, dict[str, str]] | None = field(default=None, repr=False)

    @classmethod
    def password(cls, data_dir: str | Path) -> WebAuth:
        return cls("password", Path(data_dir))

    @classmethod
    def proxy_header(cls, header: str, trusted: list[str] | None = None) -> WebAuth:
        auth = cls("header", header=header)
        if trusted:
            auth.trusted_proxies = list(trusted)
        auth.networks()  # validates the addresses now, not at the first request
        return auth

    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        try:
            return [ipaddress.ip_network(a, strict=False) for a in self.trusted_proxies]
        except ValueError as exc:
            raise AuthError(f"--trusted-proxy: {exc}") from exc

    def users(self) -> dict[str, str]:
        """The users file, re-read when its modification time changes."""
        assert self.data_dir is not None
        path = users_path(self.data_dir)
        try:
            st = path.stat()
            version = (st.st_ino, st.st_mtime_ns, st.st_size)  # each write is a new file (rename)
        except FileNotFoundError:
            version = None
        if self._cache is None or self._cache[0] != version:
            self._cache = (version, load_users(self.data_dir))
        return self._cache[1]

    def user_exists(self, name: str) -> bool:
        try:
            return name in self.users()
        except AuthError:
            return False

    async def check(self, username: str, password: str) -> bool:
        """Gradio's ``auth=`` callable (password mode). Async, so Gradio awaits it: the hash
        runs in a worker thread and a wrong password waits half a second (slows guessing)
        without holding up other requests."""
        try:
            stored = self.users().get(username)
        except AuthError:
            stored = None
        ok = await asyncio.to_thread(verify_password, password or "", stored)
        if not ok:
            await asyncio.sleep(0.5)
        return ok

    def header_user(self, headers: dict[str, str], client: str | None) -> str | None:
        """The user a trusted proxy names in the header, else None (header mode)."""
        name = headers.get(self.header.lower(), "").strip()
        if not name or client is None:
            return None
        try:
            addr = ipaddress.ip_address(client)
        except ValueError:
            return None
        if not any(addr in net for net in self.networks()):
            return None
        try:
            return check_name(name)
        except AuthError:
            return None


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def content_security_policy(nonce: str) -> str:
    """The strictest CSP the Gradio front end runs under: scripts only from the app itself or
    with this response's nonce (Gradio's inline config scripts get it); no framing, no plugins,
    no form posts or connections to other origins. Styles stay 'unsafe-inline' (Svelte sets
    style attributes), and 'unsafe-eval' is needed for the app's custom JS, which Gradio runs
    through ``new Function``."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' blob:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# Reachable without logging in (password mode only): the login page and the front end's code.
PUBLIC_EXACT = {"/", "/login", "/login/", "/favicon.ico", "/manifest.json"}
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/")
_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])")
# Gradio's page embeds the whole API description (with, e.g., every outlet name as a choice) even
# on the login page; an anonymous visitor gets none of it.
_API_INFO = re.compile(rb"window\.gradio_api_info = .*?;</script>", re.DOTALL)


def _is_public(path: str, method: str) -> bool:
    if path == "/" and method not in ("GET", "HEAD"):
        return False
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def _launching(scope) -> bool:
    """Gradio's launch() calls its own startup route once, from this machine, before serving."""
    client = scope.get("client")
    started = getattr(scope.get("app"), "startup_events_triggered", True)
    try:
        local = client is not None and ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        local = False
    return local and not started


class Guard:
    """ASGI middleware around the Gradio app: refuses unauthenticated requests (401, no
    content), adds the security headers, gives Gradio's inline scripts the response's CSP
    nonce, and removes local paths (``scrub``) from HTML and JSON it serves."""

    def __init__(self, app, auth: WebAuth, scrub: list[str] | None = None):
        self.app = app
        self.auth = auth
        self.scrub = sorted({s for s in (scrub or []) if s and len(s) > 1}, key=len, reverse=True)

    def _user(self, scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.auth.mode == "header":
            client = scope.get("client")
            return self.auth.header_user(headers, client[0] if client else None)
        if self.auth.mode != "password":
            return "anonymous"
        gradio_app = scope.get("app")
        cookie_id = getattr(gradio_app, "cookie_id", None)
        tokens = getattr(gradio_app, "tokens", {})
        cookies = {}
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            cookies[name] = value
        token = cookies.get(f"access-token-{cookie_id}") or cookies.get(
            f"access-token-unsecure-{cookie_id}"
        )
        user = tokens.get(token) if token else None
        if user is not None and not self.auth.user_exists(user):  # removed since logging in
            tokens.pop(token, None)
            return None
        return user

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        user = self._user(scope)
        if user is None and path == "/gradio_api/startup-events" and _launching(scope):
            user = "launcher"
        if user is None and not (
            self.auth.mode == "password" and _is_public(path, scope.get("method", "GET"))
        ):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            return await self._refuse(send)
        nonce = secrets.token_urlsafe(16)
        state: dict = {"parts": []}

        async def wrapped(message):
            if message["type"] == "http.response.start":
                state["start"] = message
                return  # sent with the first body message, once the headers are final
            if message["type"] != "http.response.body":
                return await send(message)
            if "start" not in state:  # a later chunk of a stream: paths removed chunk by chunk
                if state.get("stream") and self.scrub:
                    message = {**message, "body": self._rewrite(message.get("body", b""), "")}
                return await send(message)
            start = state["start"]
            headers = [
                (k, v) for k, v in start.get("headers", []) if k.lower() not in _REPLACED_HEADERS
            ]
            ctype = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
            if ctype.startswith((b"text/html", b"application/json")):
                state["parts"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(state["parts"])
                body = self._rewrite(body, nonce if b"html" in ctype else "")
                if user is None and b"html" in ctype:
                    body = _API_INFO.sub(b"window.gradio_api_info = null;</script>", body)
                if scope.get("method") != "HEAD":  # a HEAD keeps the length of the GET
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                message = {"type": "http.response.body", "body": body}
            elif ctype.startswith(b"text/event-stream"):
                state["stream"] = True
                message = {**message, "body": self._rewrite(message.get("body", b""), "")}
            del state["start"]
            await send({**start, "headers": headers + _security_headers(nonce)})
            await send(message)

        return await self.app(scope, receive, wrapped if scope["type"] == "http" else send)

    def _rewrite(self, body: bytes, nonce: str) -> bytes:
        """``body`` without the local paths; with ``nonce``, its script tags carry it."""
        for secret in self.scrub:
            for form in {secret, secret.replace("/", "\\/")}:
                body = body.replace(form.encode("utf-8"), b"")
        if nonce:
            body = _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', body)
        return body

    async def _refuse(self, send):
        body = b'{"detail":"Not authenticated"}'
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                    *_security_headers(secrets.token_urlsafe(16)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


_REPLACED_HEADERS = {b"server", b"content-security-policy"} | {k.encode() for k in SECURITY_HEADERS}


def _security_headers(nonce: str) -> list[tuple[bytes, bytes]]:
    out = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    out.append((b"content-security-policy", content_security_policy(nonce).encode()))
    return out
