"""spaCy's pipeline, shared by the question analysis and the meaning checks."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a fresh interpreter loads spaCy
def test_loading_spacy_does_not_import_torch_and_leaves_it_importable():
    """thinc imports PyTorch when it is installed (~0.9 s of every cold `ask`); the pipeline is
    loaded without it, parses as before, and torch can still be imported afterwards."""
    code = (
        "import sys\n"
        "from qa.nlp import parse\n"
        "doc = parse('Ukraine has regained 9,000 square kilometres from Russia.')\n"
        "print([t.dep_ for t in doc if t.text in ('Ukraine', 'regained')])\n"
        "print('torch' in sys.modules)\n"
        "import importlib.util\n"
        "print(importlib.util.find_spec('torch') is not None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "['nsubj', 'ROOT']"
    assert out[1] == "False"  # not imported by spaCy
    if importlib.util.find_spec("torch") is not None:
        assert out[2] == "True"  # and still there for whatever needs it
