"""Fixtures shared by the qa tests."""

from __future__ import annotations

import pytest

from qa.verify import SupportChecker


@pytest.fixture(scope="session")
def checker(embedder):
    """The citation checker with the real embedder and the default threshold."""
    return SupportChecker(embedder.embed, threshold=0.5)
