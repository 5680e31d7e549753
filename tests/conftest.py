"""Shared fixtures. Every test gets its own data, cache and model directories under tmp_path;
the real embedder is loaded once per session; the seed articles are read from ../shared."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "articles"


def _seed_dir() -> Path:
    env = os.environ.get("TWOSOURCE_SEED_DIR")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "corpus" / "seed-articles"]
    for c in candidates:
        if c.is_dir():
            return c
    raise RuntimeError(
        "seed articles not found: expected ../shared/corpus/seed-articles beside the repository "
        "(or set TWOSOURCE_SEED_DIR)"
    )


SEED = _seed_dir()


def seed_file(prefix: str) -> Path:
    return next(SEED.glob(f"{prefix}_*.txt"))


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch, tmp_path_factory):
    """No test touches the user's real data, cache or settings."""
    for var in list(os.environ):
        if var.startswith("TWOSOURCE_") and var not in ("TWOSOURCE_SEED_DIR",):
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
def settings(tmp_path):
    from index.settings import load_settings

    return load_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, embedder):
    """A read-only index of the five seed articles, built once per session."""
    from index.ingest import ingest
    from index.settings import load_settings

    data = tmp_path_factory.mktemp("seed-index")
    settings = load_settings(data)
    report = ingest([SEED], settings, embedder=embedder)
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
