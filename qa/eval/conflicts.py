"""Conflicting sources: RGB counterfactual (en_fact) and RAMDocs from ../shared/eval. Each
question's documents go into a fresh index as separate outlets; the claim carrying the true
answer and the claim carrying the false one should come out *disputed*, and the false one never
stated as corroborated fact. Embedder only (no language model), so deterministic and fast."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from index.embed import Embedder, load_embedder
from index.settings import load_settings

from ..text import sentence_spans
from .common import temp_assistant


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


__all__ = ["evaluate_conflicts"]
