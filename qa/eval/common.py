"""The harness every evaluation suite shares: a throwaway assistant over a fresh temporary
index, and a plain metric table."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.embed import Embedder
from index.ingest import ingest
from index.settings import load_settings

from ..api import Assistant


class NoGenerator:
    """Stands in for the language model in suites that only retrieve, check and corroborate."""

    name = "none"

    def stream(self, *args, **kwargs):  # pragma: no cover - never called by the evaluations
        raise RuntimeError("the evaluation does not use a language model")


@contextmanager
def temp_assistant(
    paths: list[Path], embedder: Embedder, verified: list[str] = ()
) -> Iterator[Assistant]:
    """An assistant without a language model over ``paths`` ingested into a temporary folder
    (deleted afterwards), with the ``verified`` outlets marked so in its registry."""
    data = Path(tempfile.mkdtemp(prefix="twosource-eval-"))
    try:
        settings = load_settings(data)
        report = ingest(paths, settings, embedder=embedder)
        if not report.added:
            raise RuntimeError(f"nothing ingested from {paths}: {report.problems}")
        assistant = Assistant(settings=settings, generator=NoGenerator())
        assistant.index._embedder = embedder
        for outlet in verified:
            assistant.registry.set(outlet, "verified")
        yield assistant
    finally:
        shutil.rmtree(data, ignore_errors=True)


def markdown(report: dict) -> str:
    """A two-column metric table of a report's scalar figures (per-row details left out)."""
    lines = ["| metric | value |", "|---|---|"]
    for key, value in report.items():
        if key == "rows":
            continue
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        lines.append(f"| {key} | {shown} |")
    return "\n".join(lines)


__all__ = ["NoGenerator", "markdown", "temp_assistant"]
