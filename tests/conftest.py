"""Shared fixtures. Every test gets its own data, cache and model directories under tmp_path;
the real embedder is loaded once per session; the seed articles are read from ../shared.

Without ../shared (or TWOSOURCE_SEED_DIR / TWOSOURCE_SHARED_DIR) the tests that need the seed
articles skip with the reason; collection never fails. A test that uses the real embedder (the
``embedder`` or ``seed_index`` fixture) is marked ``slow`` automatically, so
``pytest -m "not slow"`` is the fast tier of logic tests (``fake_embedder`` stands in there).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "articles"


# The shared read-only folder beside the repository: seed articles and evaluation data.
SHARED = Path(os.environ.get("TWOSOURCE_SHARED_DIR") or REPO.parent / "shared")
NO_SEED = (
    "seed articles not found: expected ../shared/corpus/seed-articles beside the repository "
    "(or set TWOSOURCE_SEED_DIR, or TWOSOURCE_SHARED_DIR for the shared folder)"
)


def _seed_dir() -> Path | None:
    env = os.environ.get("TWOSOURCE_SEED_DIR")
    path = Path(env) if env else SHARED / "corpus" / "seed-articles"
    return path if path.is_dir() else None


SEED = _seed_dir()  # None when the seed articles are absent


def seed_dir() -> Path:
    """The seed articles folder; skips the calling test when it is absent."""
    if SEED is None:
        pytest.skip(NO_SEED)
    return SEED


def seed_paths() -> list[Path]:
    """The seed articles (empty when absent: a test parametrized over them is skipped)."""
    return sorted(SEED.glob("*.txt")) if SEED is not None else []


def seed_file(prefix: str) -> Path:
    return next(seed_dir().glob(f"{prefix}_*.txt"))


def eval_dir() -> Path:
    """The external evaluation data (../shared/eval); skips the calling test when absent."""
    path = SHARED / "eval"
    if not path.is_dir():
        pytest.skip(f"evaluation data not found at {path} (set TWOSOURCE_SHARED_DIR)")
    return path


# Fixtures that load a real model: a test using one is in the slow tier.
_REAL_MODEL_FIXTURES = {"embedder", "seed_index"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _shared_models_dir(tmp_path_factory):
    """One models dir for the whole session, set before any session fixture builds settings.

    The joined default model is 1.1 GB: settings built by a session fixture (seed_index,
    demo_settings) must not fall back to a per-test cache dir and join it once per test.
    """
    models = tmp_path_factory.getbasetemp() / "models"
    saved = os.environ.get("TWOSOURCE_MODELS_DIR")
    os.environ["TWOSOURCE_MODELS_DIR"] = str(models)
    yield models
    if saved is None:
        os.environ.pop("TWOSOURCE_MODELS_DIR", None)
    else:
        os.environ["TWOSOURCE_MODELS_DIR"] = saved


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch, tmp_path_factory):
    """No test touches the user's real data, cache or settings."""
    for var in list(os.environ):
        if var.startswith("TWOSOURCE_") and var not in (
            "TWOSOURCE_SEED_DIR",
            "TWOSOURCE_SHARED_DIR",
            "TWOSOURCE_MODELS_DIR",
        ):
            monkeypatch.delenv(var)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    # Joined model files are large: share one models dir across the session.
    models = tmp_path_factory.getbasetemp() / "models"
    monkeypatch.setenv("TWOSOURCE_MODELS_DIR", str(models))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder(tmp_path_factory):
    """The product's default embedder (ONNX Runtime, int8), exported once per session."""
    from index.embed import load_embedder
    from index.settings import load_settings

    settings = load_settings(
        tmp_path_factory.mktemp("embedder-settings"),
        models_dir=tmp_path_factory.getbasetemp() / "models",
    )
    return load_embedder(settings)


@pytest.fixture
def fake_embedder():
    """A deterministic hashing bag-of-words embedder (tests/fakes.py): no model is loaded."""
    from tests.fakes import FakeEmbedder

    return FakeEmbedder()


@pytest.fixture
def settings(tmp_path):
    from index.settings import load_settings

    return load_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, embedder):
    """A read-only index of the five seed articles, built once per session."""
    from index.ingest import ingest
    from index.settings import load_settings

    seed = seed_dir()
    data = tmp_path_factory.mktemp("seed-index")
    settings = load_settings(data)
    report = ingest([seed], settings, embedder=embedder)
    assert report.ok and len(report.added) == 5
    return settings


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A private copy of the demo corpus that a test may edit."""
    dst = tmp_path / "articles"
    shutil.copytree(EXAMPLES, dst)
    return dst


class FakeGenerator:
    """A generator fed by a function of the prompt; records every call in ``history``."""

    name = "fake"

    def __init__(self, respond):
        self.respond = respond
        self.history: list[list[dict]] = []

    def stream(self, messages, schema, max_tokens, temperature):
        self.history.append(messages)
        text = self.respond(messages)
        for i in range(0, len(text), 7):  # stream in small pieces, as a model does
            yield text[i : i + 7]


def passages_in(messages) -> dict[int, str]:
    """The evidence passages as the model saw them: id → text."""
    import re

    user = messages[-1]["content"]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"\[(\d+)\][^\n]*?<<(.*?)>>", user)}


def assert_quotes_exact(answer, index) -> None:
    """Every citation's quote is exactly the cleaned text at its offsets."""
    cites = [c for s in answer.sentences + answer.removed for c in s.citations]
    for c in cites:
        doc = index.document(c.doc_id)
        assert doc is not None, c
        assert doc.cleaned_text[c.start : c.end] == c.quote, c
    for ev in answer.evidence:
        assert index.document(ev.doc_id).cleaned_text[ev.start : ev.end] == ev.text


# -- the real browser for web tests: Debian's Chromium driven by Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium per test module (``scripts/setup-browser.sh`` installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
