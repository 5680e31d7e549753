"""Answers on MultiHop-RAG with the configured language model: accuracy by the authors'
string rule, refusals on null questions, and every citation checked against the stored text
(``twosource eval answers``)."""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from index.embed import Embedder

from ..api import Assistant
from .multihop import Query, load_multihop, multihop_assistant, subset

_REFUSAL = re.compile(
    r"\b(insufficient|not enough information|cannot (?:be )?(?:determined|answer)|"
    r"does not (?:say|mention|contain)|no information)\b",
    re.IGNORECASE,
)


def gold_found(answer_text: str, gold: str) -> bool:
    """The authors' rule — the gold answer string appears in the answer — on word boundaries,
    so a gold "no" is not found inside "know"."""
    pattern = r"(?<!\w)" + re.escape(gold.strip().lower()) + r"(?!\w)"
    return re.search(pattern, answer_text.lower()) is not None


def score_answer(assistant: Assistant, q: Query, answer) -> dict:
    """Per-question answer metrics; every citation is checked against the stored text."""
    cited_urls: list[str] = []
    cited_outlets: list[str] = []
    exact = total = 0
    for cit in answer.citations():
        doc = assistant.index.document(cit.doc_id)
        total += 1
        exact += bool(doc and doc.cleaned_text[cit.start : cit.end] == cit.quote and cit.quote)
        if doc and doc.meta.url not in cited_urls:
            cited_urls.append(doc.meta.url)
            cited_outlets.append(cit.outlet)
    gold = set(q.gold)
    evidence_urls = set()
    for ev in answer.evidence:
        doc = assistant.index.document(ev.doc_id)
        if doc:
            evidence_urls.add(doc.meta.url)
    refused = answer.status == "abstained" or bool(_REFUSAL.search(answer.text))
    return {
        "id": q.qid,
        "type": q.qtype,
        "status": answer.status + ("/extractive" if answer.extractive else ""),
        "outcome": answer.outcome,
        "verdict": answer.verdict.value if answer.verdict is not None else "",
        "verdict_said": answer.verdict.said if answer.verdict is not None else "",
        "refused": refused,
        "correct": (not q.gold and refused)
        or (bool(q.gold) and not refused and gold_found(answer.text, q.answer)),
        "citations": total,
        "citations_exact": exact,
        "cited_gold": len(gold & set(cited_urls)),
        "cited_docs": len(cited_urls),
        "cited": [
            {"outlet": o, "gold": u in gold} for u, o in zip(cited_urls, cited_outlets, strict=True)
        ],
        "gold_docs": len(gold),
        "sentences": len(answer.sentences),
        "removed_by_checker": len(answer.removed),
        "removed_texts": [s.text for s in answer.removed],
        "off_topic": len(answer.off_topic),
        "gold_in_evidence": len(gold & evidence_urls),
        "verdict_reason": answer.verdict.reason if answer.verdict is not None else "",
        "named": answer.named.name if answer.named is not None else "",
        "named_said": answer.named.said if answer.named is not None else "",
        "named_reason": answer.named.reason if answer.named is not None else "",
        "message": answer.message,
        "flagged_sentences": sum(
            1 for s in answer.sentences if s.corroboration and s.corroboration.flagged
        ),
        "multi_outlet_gold": len(set(q.gold_outlets)) >= 2,
        "uses_all_gold": bool(gold) and gold <= set(cited_urls),
        "corroboration": answer.corroboration,
        "answer": answer.text,
        "gold_answer": q.answer,
    }


def summarise_answers(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["type"] != "null"]
    null = [r for r in rows if r["type"] == "null"]
    types = sorted({r["type"] for r in rows})
    cits = sum(r["citations"] for r in rows)
    cited_docs = sum(r["cited_docs"] for r in answerable)
    multi = [r for r in answerable if r["multi_outlet_gold"] and r["uses_all_gold"]]

    def share(part: list[dict], key: str) -> float | None:
        return sum(bool(r[key]) for r in part) / len(part) if part else None

    return {
        "questions": len(rows),
        "answer_accuracy": share(answerable, "correct"),
        "null_refusal": share(null, "refused"),
        "false_refusal": share(answerable, "refused"),
        "citation_exactness": sum(r["citations_exact"] for r in rows) / cits if cits else None,
        "citation_precision_vs_gold": (
            sum(r["cited_gold"] for r in answerable) / cited_docs if cited_docs else None
        ),
        "citation_recall_vs_gold": (
            sum(r["cited_gold"] for r in answerable)
            / max(1, sum(r["gold_docs"] for r in answerable))
            if answerable
            else None
        ),
        "sentences_removed_by_checker": sum(r["removed_by_checker"] for r in rows)
        / max(1, sum(r["removed_by_checker"] + r["sentences"] for r in rows)),
        "multi_outlet_answers_flagged_single_source": (
            sum(r["corroboration"] == "single-source" for r in multi) / len(multi)
            if multi
            else None
        ),
        **_verdict_figures(answerable),
        "median_seconds": statistics.median(r["seconds"] for r in rows) if rows else None,
        "outcomes": dict(Counter(r.get("outcome", "") for r in rows)),
        "by_type": {t: _type_figures([r for r in rows if r["type"] == t]) for t in types},
    }


def _verdict_figures(answerable: list[dict]) -> dict:
    """How often a shown "Yes —"/"No —" matches a yes/no gold answer, beside the share of
    "yes" among those gold answers (a verdict that is right only as often as "always yes"
    would be carries no information); and how often a shown name is the gold answer."""
    yes_no = [r for r in answerable if r["gold_answer"].strip().lower() in ("yes", "no")]
    shown = [r for r in yes_no if r.get("verdict") in ("yes", "no")]
    named = [r for r in answerable if r.get("named")]
    return {
        "verdicts_shown": len(shown),
        "verdict_precision": (
            sum(r["verdict"] == r["gold_answer"].strip().lower() for r in shown) / len(shown)
            if shown
            else None
        ),
        "gold_yes_share": (
            sum(r["gold_answer"].strip().lower() == "yes" for r in yes_no) / len(yes_no)
            if yes_no
            else None
        ),
        "names_shown": len(named),
        "name_precision": (
            sum(gold_found(r["named"], r["gold_answer"]) for r in named) / len(named)
            if named
            else None
        ),
    }


def _type_figures(part: list[dict]) -> dict:
    """The headline figures for one question type (null questions: the refusal rate)."""
    null = bool(part) and part[0]["type"] == "null"
    cits = sum(r["citations"] for r in part)
    cited = sum(r["cited_docs"] for r in part)
    n = len(part)
    return {
        "questions": n,
        "accuracy": None if null else sum(r["correct"] for r in part) / n,
        "abstained_although_answerable": None if null else sum(r["refused"] for r in part) / n,
        "null_refused": sum(r["refused"] for r in part) / n if null else None,
        "citation_exactness": sum(r["citations_exact"] for r in part) / cits if cits else None,
        "cited_gold_precision": (
            None if null or not cited else sum(r["cited_gold"] for r in part) / cited
        ),
        "verdicts_shown": sum(r.get("verdict") in ("yes", "no") for r in part),
    }


def evaluate_answers(
    eval_dir: Path,
    limit: int = 8,
    embedder: Embedder | None = None,
    work: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    log: Path | None = None,
    types: tuple[str, ...] = (),
    **overrides,
) -> dict:
    """Ask ``limit`` questions (round-robin over types, null included) with the configured
    language model and score answers, refusals and citations.

    With ``log``, every scored question is appended to that JSON-lines file as soon as it is
    done, and questions already in it (asked with the same model) are not asked again — so a
    long run (all 300 take hours on 2 cores) can be interrupted and continued. ``types``:
    only questions of these types ("inference", "comparison", "temporal", "null")."""
    data = load_multihop(eval_dir / "multihop_rag")
    pool = [q for q in data.queries if not types or q.qtype in types]
    queries = subset(pool, limit)
    with multihop_assistant(data, embedder, work, **overrides) as assistant:
        model = assistant.model_info()
        done = _logged_rows(log, model) if log else {}
        rows = []
        for i, q in enumerate(queries):
            row = done.get(q.qid)
            if row is None:
                t0 = time.perf_counter()
                answer = assistant.ask(q.question)
                row = score_answer(assistant, q, answer)
                row["seconds"] = round(time.perf_counter() - t0, 2)
                if log:
                    with log.open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps({"model": model, **row}) + "\n")
            rows.append(row)
            if progress:
                progress(i + 1, len(queries))
    return {"dataset": "multihop_rag", "model": model, **summarise_answers(rows), "rows": rows}


def _logged_rows(log: Path, model: str) -> dict[str, dict]:
    """Rows of an earlier run with the same model, by question id (a torn last line — the run
    was killed while writing it — is skipped)."""
    rows: dict[str, dict] = {}
    if not log.exists():
        return rows
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if row.pop("model", None) == model:
            rows[row["id"]] = row
    return rows


def answers_markdown(report: dict) -> str:
    lines = [
        f"MultiHop-RAG answers — {report['questions']} questions, model {report['model']}",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    for key, value in report.items():
        if key in ("rows", "dataset", "model", "questions", "by_type", "outcomes"):
            continue
        lines.append(f"| {key.replace('_', ' ')} | {_shown(value)} |")
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.get("outcomes", {}).items()))
    lines.append(f"| outcomes | {outcomes} |")
    by_type = report.get("by_type", {})
    if by_type:
        keys = list(next(iter(by_type.values())))
        lines += [
            "",
            "| type | " + " | ".join(k.replace("_", " ") for k in keys) + " |",
            "|---" * (len(keys) + 1) + "|",
        ]
        for t, figures in by_type.items():
            lines.append(f"| {t} | " + " | ".join(_shown(figures[k]) for k in keys) + " |")
    return "\n".join(lines)


def _shown(value) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


__all__ = [
    "answers_markdown",
    "evaluate_answers",
    "gold_found",
    "score_answer",
    "summarise_answers",
]
