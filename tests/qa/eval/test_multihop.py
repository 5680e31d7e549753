"""The evaluation harness on external data (MultiHop-RAG, WiCE from ../shared/eval): metric
arithmetic on hand-made rankings, then a small real subset of each evaluation."""

from __future__ import annotations

import pytest

from qa.eval.answers import evaluate_answers, gold_found, summarise_answers
from qa.eval.multihop import load_multihop, subset
from qa.eval.retrieval import evaluate_retrieval, score_ranking
from qa.eval.support import evaluate_support
from tests.conftest import SHARED
from tests.qa.test_cli import run as _cli

EVAL = SHARED / "eval"
needs_eval = pytest.mark.skipif(
    not (EVAL / "multihop_rag").is_dir(), reason=f"no MultiHop-RAG at {EVAL} (../shared/eval)"
)


def test_score_ranking():
    row = score_ranking(["x", "a", "y", "b", "z"], ("a", "b"))
    assert row["recall@1"] == 0.0 and row["hit@1"] == 0.0
    assert row["recall@2"] == 0.5 and row["hit@2"] == 1.0 and row["all@2"] == 0.0
    assert row["recall@4"] == 1.0 and row["all@4"] == 1.0
    assert row["mrr@10"] == 0.5
    assert score_ranking(["x"] * 10, ("a",))["mrr@10"] == 0.0


def test_gold_answer_matching_respects_word_boundaries():
    assert gold_found("No, the articles disagree.", "no")
    assert not gold_found("I know nothing about it.", "no")
    assert gold_found("It was Tyreek Hill.", "Tyreek Hill")


@needs_eval
def _row(qtype, gold, verdict="", named="", correct=False):
    return {
        "type": qtype,
        "gold_answer": gold,
        "verdict": verdict,
        "named": named,
        "correct": correct,
        "refused": False,
        "citations": 0,
        "citations_exact": 0,
        "cited_docs": 0,
        "cited_gold": 0,
        "gold_docs": 1,
        "removed_by_checker": 0,
        "sentences": 1,
        "multi_outlet_gold": False,
        "uses_all_gold": False,
        "seconds": 1.0,
    }


def test_verdict_and_name_precision_are_measured_against_the_gold():
    rows = [
        _row("comparison", "Yes", "yes"),
        _row("comparison", "no", "yes"),
        _row("temporal", "No", "no"),
        _row("temporal", "Yes", "unknown"),
        _row("inference", "Sam Bankman-Fried", named="Sam Bankman-Fried"),
        _row("inference", "Google", named="Apple"),
        _row("inference", "Amazon"),
    ]
    report = summarise_answers(rows)
    assert report["verdicts_shown"] == 3
    assert report["verdict_precision"] == pytest.approx(2 / 3)
    assert report["gold_yes_share"] == pytest.approx(2 / 4)
    assert report["names_shown"] == 2 and report["name_precision"] == pytest.approx(0.5)


def test_dataset_is_read_as_articles_and_stratified():
    data = load_multihop(EVAL / "multihop_rag")
    assert len(data.queries) == 300
    assert all(q.gold for q in data.queries if q.qtype != "null")
    assert all(not q.gold for q in data.queries if q.qtype == "null")
    assert all(url in data.articles for q in data.queries for url in q.gold)
    picked = subset(data.queries, 8)
    assert sorted({q.qtype for q in picked}) == ["comparison", "inference", "null", "temporal"]
    assert [q.qid for q in picked] == [q.qid for q in subset(data.queries, 8)]  # deterministic


@needs_eval
def test_retrieval_subset(embedder):
    report = evaluate_retrieval(EVAL, limit=32, embedder=embedder)
    assert report["questions"] == 24  # 32 round-robin minus the 8 null questions
    modes = report["modes"]
    assert set(modes) == {"dense", "bm25", "hybrid", "hybrid+rerank"}
    for row in modes.values():
        assert 0.0 <= row["recall@4"] <= row["recall@10"] <= 1.0
    # Each gold article is in a 248-article pool: a working retriever finds most of them.
    assert modes["hybrid"]["recall@10"] > 0.8
    assert modes["hybrid+rerank"]["mrr@10"] > 0.6


@needs_eval
def test_support_checker_subset(embedder):
    report = evaluate_support(EVAL, limit=60, embedder=embedder)
    assert report["pairs"] > 60
    assert report["passed_other_sentences"] < 0.05  # wrong citations are refused
    assert report["passed_supported"] > 0.4


@needs_eval
def test_answers_subset_with_the_real_model(embedder, tmp_path, monkeypatch):
    log = tmp_path / "answers.jsonl"
    report = evaluate_answers(EVAL, limit=4, embedder=embedder, log=log)
    assert report["questions"] == 4
    assert len(log.read_text().splitlines()) == 4  # one line per question, as it finished
    # A continued run reuses the logged questions and asks only the new one.
    from qa.api import Assistant

    asked: list[str] = []
    real_ask = Assistant.ask
    monkeypatch.setattr(
        Assistant, "ask", lambda self, q, **kw: asked.append(q) or real_ask(self, q, **kw)
    )
    again = evaluate_answers(EVAL, limit=5, embedder=embedder, log=log)
    assert len(asked) == 1 and again["questions"] == 5
    assert again["rows"][:4] == report["rows"]
    rows = report["rows"]
    null = [r for r in rows if r["type"] == "null"]
    assert len(null) == 1 and null[0]["refused"]
    assert report["citation_exactness"] in (None, 1.0)  # every quote is its span's text
    for row in rows:
        assert row["citations_exact"] == row["citations"]
        assert row["seconds"] > 0


@needs_eval
@pytest.mark.slow
def test_cli_reports(capsys, tmp_path):
    import json

    code, out, _ = _cli(capsys, "eval", "retrieval", "--limit", "8", "--eval-dir", str(EVAL))
    assert code == 0 and "| hybrid+rerank |" in out and "voyage-02" in out
    code, out, _ = _cli(
        capsys, "eval", "support", "--limit", "10", "--json", "--eval-dir", str(EVAL)
    )
    report = json.loads(out)
    assert code == 0 and report["claims"] == 10 and 0 <= report["accuracy"] <= 1
    code, _, err = _cli(capsys, "eval", "retrieval", "--eval-dir", str(tmp_path))
    assert code == 2 and "multihop_rag not found" in err


def test_answers_log_in_a_missing_folder_is_a_usage_error(capsys, tmp_path):
    # refused before any index is built or model loaded
    log = tmp_path / "missing" / "answers.jsonl"
    code, _, err = _cli(capsys, "eval", "answers", "--log", str(log), "--eval-dir", str(tmp_path))
    assert code == 2 and "not a directory" in err and not log.parent.exists()
