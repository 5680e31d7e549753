"""Follow-up questions on our own labelled pairs (``eval/followups.jsonl``) over the demo
corpus: is the follow-up rewritten into a standalone question with the expected words (rewrite
accuracy), and does retrieval with the rewrite find the expected article among the first ``k``
documents (hit@k, beside the same figure for the follow-up searched as asked). Embedder only,
no language model: a previous answer, when a pair needs one (he/she), is given as text."""

from __future__ import annotations

import json
from pathlib import Path

from index.embed import Embedder, load_embedder
from index.settings import load_settings

from ..conversation import rewrite_followup
from ..records import Answer, Citation, Sentence
from .common import temp_assistant


def _documents(assistant, question: str, names: dict[str, str]) -> list[str]:
    """File names of the distinct documents of the evidence for ``question``, best first."""
    _, evidence = assistant.engine.gather(question, assistant.settings.answer.k)
    return list(dict.fromkeys(names[e.doc_id] for e in evidence))


def evaluate_followups(
    labels: Path, corpus: Path, embedder: Embedder | None = None, k: int = 3
) -> dict:
    """Rewrite accuracy and retrieval hit@k of the expected document for each labelled pair."""
    embedder = embedder or load_embedder(load_settings())
    rows = [json.loads(line) for line in labels.read_text().splitlines() if line.strip()]
    results = []
    with temp_assistant([corpus], embedder) as assistant:
        names = {d.doc_id: Path(d.path).name for d in assistant.index.documents()}
        outlets = assistant.engine.known_outlets()
        for row in rows:
            previous = None
            if row.get("previous_answer"):  # its text, and the outlets it cited
                cites = [
                    Citation(f"cited-{i}", "", o, "", 0, 0, "")
                    for i, o in enumerate(row.get("previous_outlets", []))
                ]
                sentence = Sentence(row["previous_answer"], cites)
                previous = Answer(row["previous"], "answered", [sentence])
            rewrite = rewrite_followup(row["followup"], [(row["previous"], previous)], outlets)
            missing = [w for w in row["expect"] if w.lower() not in rewrite.standalone.lower()]
            found = _documents(assistant, rewrite.standalone, names)
            as_asked = _documents(assistant, row["followup"], names)
            expected = set(row["expected_docs"])
            results.append(
                {
                    "id": row["id"],
                    "followup": row["followup"],
                    "rewritten": rewrite.standalone,
                    "rule": rewrite.rule,
                    "rewrite_ok": rewrite.changed and not missing,
                    "missing_words": missing,
                    "hit_at_1": bool(expected & set(found[:1])),
                    "hit": bool(expected & set(found[:k])),
                    "hit_at_1_as_asked": bool(expected & set(as_asked[:1])),
                    "hit_as_asked": bool(expected & set(as_asked[:k])),
                    "documents": found[:k],
                    "expected_docs": row["expected_docs"],
                }
            )
    n = max(1, len(results))
    return {
        "pairs": len(results),
        "k": k,
        "rewrite_accuracy": sum(r["rewrite_ok"] for r in results) / n,
        "hit@1_rewritten": sum(r["hit_at_1"] for r in results) / n,
        "hit@1_as_asked": sum(r["hit_at_1_as_asked"] for r in results) / n,
        f"hit@{k}_rewritten": sum(r["hit"] for r in results) / n,
        f"hit@{k}_as_asked": sum(r["hit_as_asked"] for r in results) / n,
        "rows": results,
    }


__all__ = ["evaluate_followups"]
