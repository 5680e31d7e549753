"""`twosource eval followups` on our labelled follow-up pairs over the demo corpus (real
embedder, no language model)."""

from __future__ import annotations

from qa.eval.followups import evaluate_followups
from tests.conftest import EXAMPLES, REPO


def test_followups_are_rewritten_and_find_their_article(embedder):
    report = evaluate_followups(REPO / "eval" / "followups.jsonl", EXAMPLES, embedder, k=3)
    assert report["pairs"] >= 10
    assert report["rewrite_accuracy"] >= 0.9, [r for r in report["rows"] if not r["rewrite_ok"]]
    assert report["hit@3_rewritten"] >= 0.9
    # the rewrite is what makes the difference: the follow-ups searched as asked do worse
    assert report["hit@1_rewritten"] > report["hit@1_as_asked"]
