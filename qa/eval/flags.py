"""Corroboration flags on our own labelled claims (``eval/labels.jsonl``) over the demo corpus
and the seed articles: flag precision/recall, status accuracy, recall of the expected
supporting documents. Embedder only (no language model), so deterministic and fast."""

from __future__ import annotations

import json
from pathlib import Path

from index.embed import Embedder, load_embedder
from index.settings import load_settings

from .common import temp_assistant


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


__all__ = ["evaluate_flags"]
