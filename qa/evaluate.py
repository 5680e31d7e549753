"""Evaluation of the two-source rule and of the support checker.

- ``flags``: our own labelled claims (``eval/labels.jsonl``) over the demo corpus and the seed
  articles: flag precision/recall, status accuracy, recall of the expected supporting documents.
- ``conflicts``: RGB counterfactual (en_fact) and RAMDocs from ../shared/eval: each question's
  documents go into a fresh index as separate outlets; the claim carrying the true answer and
  the claim carrying the false one must both come out *disputed* (never corroborated fact).

- ``support``: the citation support checker against WiCE's human entailment labels.

All run offline with the embedder only (no LLM), so they are deterministic and fast.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.embed import Embedder, load_embedder
from index.ingest import ingest
from index.settings import load_settings

from .api import Assistant
from .text import sentence_spans


class _NoGenerator:
    name = "none"

    def stream(self, *args, **kwargs):  # pragma: no cover - never called by the evaluations
        raise RuntimeError("the evaluation does not use a language model")


@contextmanager
def temp_assistant(
    paths: list[Path], embedder: Embedder, verified: list[str] = ()
) -> Iterator[Assistant]:
    data = Path(tempfile.mkdtemp(prefix="twosource-eval-"))
    try:
        settings = load_settings(data)
        report = ingest(paths, settings, embedder=embedder)
        if not report.added:
            raise RuntimeError(f"nothing ingested from {paths}: {report.problems}")
        assistant = Assistant(settings=settings, generator=_NoGenerator())
        assistant.index._embedder = embedder
        for outlet in verified:
            assistant.registry.set(outlet, "verified")
        yield assistant
    finally:
        shutil.rmtree(data, ignore_errors=True)


def evaluate_flags(
    labels: Path, corpora: dict[str, Path], embedder: Embedder | None = None
) -> dict:
    """Score corroboration flags against labelled claims."""
    embedder = embedder or load_embedder(load_settings())
    rows = [json.loads(line) for line in labels.read_text().splitlines() if line.strip()]
    results = []
    by_setup: dict[tuple[str, tuple[str, ...]], list[dict]] = {}
    for row in rows:
        by_setup.setdefault((row["corpus"], tuple(row.get("verified", []))), []).append(row)
    for (corpus, verified), group in by_setup.items():
        with temp_assistant([corpora[corpus]], embedder, verified) as assistant:
            names = {d.doc_id: Path(d.path).name for d in assistant.index.documents()}
            for row in group:
                c = assistant.corroborator.assess_claim(row["claim"])
                found = {names[p.doc_id] for p in c.supporting}
                results.append(
                    {
                        "id": row["id"],
                        "expected_flag": row["expected_flag"],
                        "flagged": c.flagged,
                        "expected_status": row["expected_status"],
                        "status": c.status,
                        "docs_found": sorted(set(row["expected_docs"]) & found),
                        "docs_expected": row["expected_docs"],
                        "reason": c.reason,
                    }
                )
    tp = sum(r["flagged"] and r["expected_flag"] for r in results)
    fp = sum(r["flagged"] and not r["expected_flag"] for r in results)
    fn = sum(not r["flagged"] and r["expected_flag"] for r in results)
    n = len(results)
    return {
        "claims": n,
        "flag_precision": tp / (tp + fp) if tp + fp else 1.0,
        "flag_recall": tp / (tp + fn) if tp + fn else 1.0,
        "status_accuracy": sum(r["status"] == r["expected_status"] for r in results) / n,
        "supporting_doc_recall": sum(len(r["docs_found"]) for r in results)
        / max(1, sum(len(r["docs_expected"]) for r in results)),
        "rows": results,
    }


def _answer_sentence(snippet: str, answer: str) -> str:
    """The sentence of a snippet that carries the answer (or the whole snippet)."""
    for s, e in sentence_spans(snippet):
        if answer.lower() in snippet[s:e].lower():
            return snippet[s:e].strip(" .…")
    return snippet.strip(" .…")


def _write_docs(folder: Path, docs: list[tuple[str, str]]) -> None:
    for i, (outlet, text) in enumerate(docs):
        path = folder / f"doc{i:02d}.txt"
        path.write_text(text.strip() + "\n", encoding="utf-8")
        (folder / f"doc{i:02d}.txt.meta.json").write_text(
            json.dumps({"outlet": outlet, "title": f"{outlet} item {i}"}), encoding="utf-8"
        )


def _rgb_cases(path: Path, limit: int) -> Iterator[dict]:
    for line in path.read_text().splitlines()[:limit]:
        rec = json.loads(line)
        answer = rec["answer"][0] if isinstance(rec["answer"], list) else rec["answer"]
        answer = answer[0] if isinstance(answer, list) else answer
        fake = rec["fakeanswer"]
        pos = [p for p in rec["positive"] if str(answer).lower() in p.lower()][:3]
        wrong = [p for p in rec["positive_wrong"] if str(fake).lower() in p.lower()][:3]
        if not pos or not wrong:
            continue
        docs = [(f"True Outlet {i}", p) for i, p in enumerate(pos)]
        docs += [(f"Fake Outlet {i}", p) for i, p in enumerate(wrong)]
        yield {
            "id": f"rgb-{rec['id']}",
            "docs": docs,
            "true_claim": _answer_sentence(pos[0], str(answer)),
            "false_claim": _answer_sentence(wrong[0], str(fake)),
        }


def _ramdocs_cases(path: Path, limit: int) -> Iterator[dict]:
    count = 0
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        correct = [d for d in rec["documents"] if d["type"] == "correct"]
        misinfo = [d for d in rec["documents"] if d["type"] == "misinfo"]
        if not correct or not misinfo:
            continue
        docs = [(f"Outlet {i}", d["text"]) for i, d in enumerate(rec["documents"])]
        true_doc, false_doc = correct[0], misinfo[0]
        yield {
            "id": f"ramdocs-{count}",
            "docs": docs,
            "true_claim": _answer_sentence(true_doc["text"], str(true_doc["answer"])),
            "false_claim": _answer_sentence(false_doc["text"], str(false_doc["answer"])),
        }
        count += 1
        if count >= limit:
            break


def evaluate_conflicts(
    dataset: str, eval_dir: Path, limit: int = 20, embedder: Embedder | None = None
) -> dict:
    """Rate at which contradicting documents surface as *disputed*."""
    embedder = embedder or load_embedder(load_settings())
    if dataset == "rgb":
        cases = _rgb_cases(eval_dir / "rgb_en_fact" / "en_fact.jsonl", limit)
    elif dataset == "ramdocs":
        cases = _ramdocs_cases(eval_dir / "ramdocs" / "ramdocs_dev.jsonl", limit)
    else:
        raise ValueError(f"unknown dataset '{dataset}' (use rgb or ramdocs)")
    rows = []
    for case in cases:
        folder = Path(tempfile.mkdtemp(prefix="twosource-conflict-"))
        try:
            _write_docs(folder, case["docs"])
            with temp_assistant([folder], embedder) as assistant:
                t = assistant.corroborator.assess_claim(case["true_claim"])
                f = assistant.corroborator.assess_claim(case["false_claim"])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        rows.append(
            {
                "id": case["id"],
                "true_status": t.status,
                "false_status": f.status,
                "false_stated_as_fact": f.status == "corroborated" or not f.flagged,
            }
        )
    n = max(1, len(rows))
    return {
        "dataset": dataset,
        "questions": len(rows),
        "true_claim_disputed": sum(r["true_status"] == "disputed" for r in rows) / n,
        "false_claim_disputed": sum(r["false_status"] == "disputed" for r in rows) / n,
        "false_claim_stated_as_fact": sum(r["false_stated_as_fact"] for r in rows) / n,
        "rows": rows,
    }


def evaluate_support(eval_dir: Path, limit: int = 0, embedder: Embedder | None = None) -> dict:
    """The citation support checker against WiCE's human labels (Kamoi et al., EMNLP 2023).

    Two pair sets per claim: the claim with its gold supporting sentences (gold: supported iff
    the claim is labelled ``supported``; ``partially_supported`` means some part is not in the
    evidence, which our checker must not pass), and the claim with up to five sentences of the
    same page outside every supporting set (gold: not supported) — the hard negatives a wrong
    citation would produce.
    """
    from .verify import SupportChecker

    embedder = embedder or load_embedder(load_settings())
    lines = (eval_dir / "wice" / "claim_dev.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    if limit:
        records = records[:limit]
    pairs: list[tuple[str, list[str]]] = []
    gold: list[bool] = []
    kinds: list[str] = []
    for rec in records:
        evidence = rec["evidence"]
        support = sorted({i for group in rec["supporting_sentences"] for i in group})
        if support:
            pairs.append((rec["claim"], [evidence[i] for i in support if i < len(evidence)]))
            gold.append(rec["label"] == "supported")
            kinds.append(rec["label"])
        others = [
            s
            for i, s in enumerate(evidence)
            if i not in support and not s.startswith("(meta data)") and len(s) > 40
        ][:5]
        if others:
            pairs.append((rec["claim"], others))
            gold.append(False)
            kinds.append("other sentences")
    checker = SupportChecker(embedder.embed)
    predicted = [c.supported for c in checker.check_many(pairs)]
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    fp = sum(p and not g for p, g in zip(predicted, gold, strict=True))
    fn = sum(g and not p for p, g in zip(predicted, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    by_kind = {}
    for kind in sorted(set(kinds)):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        by_kind[f"passed_{kind.replace(' ', '_')}"] = sum(predicted[i] for i in idx) / len(idx)
    return {
        "dataset": "wice",
        "claims": len(records),
        "pairs": len(pairs),
        "accuracy": sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(pairs),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        **by_kind,
    }


def markdown(report: dict) -> str:
    lines = ["| metric | value |", "|---|---|"]
    for key, value in report.items():
        if key == "rows":
            continue
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        lines.append(f"| {key} | {shown} |")
    return "\n".join(lines)


def default_eval_dir() -> Path:
    here = Path(__file__).resolve().parents[1]
    for candidate in (here.parent / "shared" / "eval", Path.cwd().parent / "shared" / "eval"):
        if candidate.is_dir():
            return candidate
    return here.parent / "shared" / "eval"


__all__ = ["evaluate_conflicts", "evaluate_flags", "evaluate_support", "markdown"]
