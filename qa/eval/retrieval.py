"""Retrieval on MultiHop-RAG, scored at article level for four rankers: dense only (FAISS),
BM25 only, hybrid (reciprocal-rank fusion) and hybrid + the sentence-level rerank the product
uses (``twosource eval retrieval``)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from index.embed import Embedder

from ..retrieve import Retriever
from .multihop import load_multihop, multihop_assistant, subset

MODES = ("dense", "bm25", "hybrid", "hybrid+rerank")
KS = (1, 2, 4, 6, 10)
POOL = 100  # chunks each ranker returns before mapping to articles

# Published by the dataset's authors (chunk-level Hits@k on the full 609-article corpus with
# 2,556 queries, their Table 5): best embedding alone (voyage-02) and with bge-reranker-large.
PUBLISHED = {
    "voyage-02 (paper, no reranker)": {"hits@10": 0.7059, "mrr@10": 0.5477},
    "voyage-02 + bge-reranker-large (paper)": {
        "hits@4": 0.6625,
        "hits@10": 0.7467,
        "mrr@10": 0.5860,
    },
}


def _articles_in_order(chunk_ids: list[int], url_of_chunk: Callable[[int], str]) -> list[str]:
    out: list[str] = []
    for cid in chunk_ids:
        url = url_of_chunk(cid)
        if url and url not in out:
            out.append(url)
    return out


def rankings(retriever: Retriever, question: str) -> dict[str, list[str]]:
    """Article URLs in rank order for each retrieval mode."""
    index = retriever.index
    cache: dict[int, str] = {}

    def url_of(cid: int) -> str:
        if cid not in cache:
            chunk = index.chunks([cid]).get(cid)
            doc = index.document(chunk.doc_id) if chunk else None
            cache[cid] = doc.meta.url if doc else ""
        return cache[cid]

    qvec = index.embedder.embed([question])[0]
    dense = index.dense(qvec, POOL)
    lexical = index.lexical(question, POOL)
    hybrid = list(index.fuse((dense, lexical), retriever.config.rrf_k))
    out = {
        "dense": _articles_in_order([c for c, _ in dense], url_of),
        "bm25": _articles_in_order([c for c, _ in lexical], url_of),
        "hybrid": _articles_in_order(hybrid, url_of),
    }
    reranked = [c.document.meta.url for c in retriever.retrieve(question, k=10, per_doc=1)]
    out["hybrid+rerank"] = list(dict.fromkeys(reranked + out["hybrid"]))
    return out


def score_ranking(ranked: list[str], gold: tuple[str, ...]) -> dict[str, float]:
    gold_set = set(gold)
    row: dict[str, float] = {}
    for k in KS:
        found = len(gold_set & set(ranked[:k]))
        row[f"recall@{k}"] = found / len(gold_set)
        row[f"all@{k}"] = float(found == len(gold_set))
        row[f"hit@{k}"] = float(found > 0)
    first = next((i for i, url in enumerate(ranked[:10]) if url in gold_set), None)
    row["mrr@10"] = 0.0 if first is None else 1.0 / (first + 1)
    return row


def _mean_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]}


def evaluate_retrieval(
    eval_dir: Path,
    limit: int = 0,
    embedder: Embedder | None = None,
    work: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    **overrides,
) -> dict:
    """Article-level recall@k, all-gold@k, hit@k and MRR@10 per mode, overall and by type.

    Null questions (no gold evidence) are left out of retrieval scoring."""
    data = load_multihop(eval_dir / "multihop_rag")
    queries = [q for q in subset(data.queries, limit) if q.gold]
    per_mode: dict[str, list[dict]] = {m: [] for m in MODES}
    per_type: dict[str, dict[str, list[dict]]] = defaultdict(lambda: {m: [] for m in MODES})
    started = time.perf_counter()
    with multihop_assistant(data, embedder, work, **overrides) as assistant:
        t_ingest = time.perf_counter() - started
        t0 = time.perf_counter()
        for i, q in enumerate(queries):
            ranked = rankings(assistant.retriever, q.question)
            for mode in MODES:
                row = score_ranking(ranked[mode], q.gold)
                per_mode[mode].append(row)
                per_type[q.qtype][mode].append(row)
            if progress:
                progress(i + 1, len(queries))
        t_queries = time.perf_counter() - t0
        embedder_desc = assistant.index.manifest.get("embedder", {})
    return {
        "dataset": "multihop_rag",
        "questions": len(queries),
        "articles": len(data.articles),
        "embedder": embedder_desc,
        "ingest_s": round(t_ingest, 1),
        "ms_per_question": round(1000 * t_queries / max(1, len(queries)), 1),
        "modes": {m: _mean_rows(per_mode[m]) for m in MODES},
        "by_type": {
            t: {m: _mean_rows(rows[m]) for m in MODES} for t, rows in sorted(per_type.items())
        },
        "published": PUBLISHED,
    }


def retrieval_markdown(report: dict) -> str:
    cols = ["recall@2", "recall@4", "recall@10", "all@4", "all@10", "hit@4", "hit@10", "mrr@10"]
    lines = [
        f"MultiHop-RAG retrieval — {report['questions']} questions with evidence, "
        f"{report['articles']} articles rebuilt from the gold facts (article level)",
        "",
        "| ranker | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for mode, row in report["modes"].items():
        lines.append(f"| {mode} | " + " | ".join(f"{row[c]:.3f}" for c in cols) + " |")
    lines += [
        "",
        "Published by the authors (their Hits@k and MRR@10 over chunks of the full 609-article "
        "corpus with all 2,556 queries — a harder setting, so only a rough reference):",
        "",
    ]
    for name, figures in report["published"].items():
        shown = ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
        lines.append(f"- {name}: {shown}")
    lines += ["", "By question type (recall@4 / mrr@10):", ""]
    lines.append("| type | " + " | ".join(MODES) + " |")
    lines.append("|---|" + "---|" * len(MODES))
    for qtype, modes in report["by_type"].items():
        cells = [f"{modes[m]['recall@4']:.3f} / {modes[m]['mrr@10']:.3f}" for m in MODES]
        lines.append(f"| {qtype} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Ingest {report['ingest_s']} s; {report['ms_per_question']} ms per question for all "
        "four rankers together.",
    ]
    return "\n".join(lines)


__all__ = ["KS", "MODES", "evaluate_retrieval", "rankings", "retrieval_markdown", "score_ranking"]
