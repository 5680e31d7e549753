"""The evaluation commands run and their figures stay at the level measured when they were built."""

from __future__ import annotations

import json

import pytest

from qa.cli import main
from tests.conftest import eval_dir, seed_dir


def _run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, _ = capsys.readouterr()
    assert exc.value.code == 0
    return json.loads(out)


@pytest.mark.slow
def test_flag_evaluation_on_labelled_claims(capsys):
    report = _run(capsys, "eval", "flags", "--seed-dir", str(seed_dir()), "--json")
    assert report["claims"] >= 20
    assert report["flag_precision"] >= 0.9 and report["flag_recall"] >= 0.9
    assert report["status_accuracy"] >= 0.9


@pytest.mark.slow
def test_rgb_conflicts_surface_as_disputed(capsys):
    report = _run(
        capsys,
        "eval",
        "conflicts",
        "--dataset",
        "rgb",
        "--limit",
        "6",
        "--eval-dir",
        str(eval_dir()),
        "--json",
    )
    assert report["questions"] >= 4
    assert report["false_claim_disputed"] >= 0.5
    assert report["false_claim_stated_as_fact"] <= 0.2
