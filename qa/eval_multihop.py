"""Retrieval and answer evaluation on MultiHop-RAG (Tang & Yang, COLM 2024; ODC-BY 1.0).

The full article corpus is not available offline, so — as ../shared/eval/README.md describes —
each gold article is rebuilt from its evidence facts (one document per URL, title, outlet,
date and URL as sidecar metadata) and all questions share that pool: every question's gold
articles are in it, the other questions' articles are distractors. The data is read from
../shared at run time and written only to a temporary folder, never into the project.

Retrieval is scored at article level for four rankers: dense only (FAISS), BM25 only, hybrid
(reciprocal-rank fusion) and hybrid + the sentence-level rerank the product uses.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index.embed import Embedder
from index.ingest import ingest
from index.settings import load_settings

from .api import Assistant
from .retrieve import RRF_K, Retriever

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


@dataclass(frozen=True)
class Article:
    url: str
    title: str
    outlet: str
    published: str
    author: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    qid: str
    question: str
    qtype: str
    answer: str
    gold: tuple[str, ...]  # gold article URLs, in evidence order, deduplicated
    gold_outlets: tuple[str, ...]


@dataclass
class MultihopData:
    queries: list[Query]
    articles: dict[str, Article] = field(default_factory=dict)


def load_multihop(folder: Path) -> MultihopData:
    """Read queries and ground truth; group the evidence facts into articles by URL."""
    qpath, gpath = folder / "queries.json", folder / "ground_truth.json"
    for path in (qpath, gpath):
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found — MultiHop-RAG lives in ../shared/eval/multihop_rag; "
                "pass --eval-dir to point elsewhere"
            )
    raw_queries = json.loads(qpath.read_text(encoding="utf-8"))["queries"]
    truth = json.loads(gpath.read_text(encoding="utf-8"))
    facts: dict[str, list[str]] = defaultdict(list)
    meta: dict[str, dict] = {}
    queries = []
    for q in raw_queries:
        gt = truth[str(q["id"])]
        gold, outlets = [], []
        for ev in gt["evidence_list"]:
            url = ev["url"]
            meta.setdefault(url, ev)
            if ev["fact"] not in facts[url]:
                facts[url].append(ev["fact"])
            if url not in gold:
                gold.append(url)
                outlets.append(ev["source"])
        queries.append(
            Query(
                qid=str(q["id"]),
                question=q["question"],
                qtype=q["question_type"].removesuffix("_query"),
                answer=str(gt["answer"]),
                gold=tuple(gold),
                gold_outlets=tuple(outlets),
            )
        )
    articles = {
        url: Article(
            url=url,
            title=m.get("title", ""),
            outlet=m.get("source", ""),
            published=str(m.get("published_at", ""))[:10],
            author=m.get("author", ""),
            facts=tuple(facts[url]),
        )
        for url, m in meta.items()
    }
    return MultihopData(queries=queries, articles=articles)


def write_articles(articles: dict[str, Article], folder: Path) -> None:
    """One text file per article (facts as paragraphs) with a JSON metadata sidecar."""
    folder.mkdir(parents=True, exist_ok=True)
    for url, art in articles.items():
        name = hashlib.sha1(url.encode()).hexdigest()[:12]
        (folder / f"{name}.txt").write_text("\n\n".join(art.facts) + "\n", encoding="utf-8")
        sidecar = {
            "title": art.title,
            "outlet": art.outlet,
            "published": art.published,
            "author": art.author,
            "url": url,
        }
        (folder / f"{name}.txt.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")


def subset(queries: list[Query], limit: int) -> list[Query]:
    """The first ``limit`` queries taken round-robin across question types (deterministic)."""
    if limit <= 0 or limit >= len(queries):
        return list(queries)
    by_type: dict[str, list[Query]] = defaultdict(list)
    for q in queries:
        by_type[q.qtype].append(q)
    out: list[Query] = []
    while len(out) < limit:
        for qtype in sorted(by_type):
            if by_type[qtype] and len(out) < limit:
                out.append(by_type[qtype].pop(0))
    return out


@contextmanager
def multihop_assistant(
    data: MultihopData, embedder: Embedder | None = None, work: Path | None = None, **overrides
) -> Iterator[Assistant]:
    """An assistant over the rebuilt article pool, in ``work`` (kept) or a temporary folder."""
    root = Path(work) if work else Path(tempfile.mkdtemp(prefix="twosource-multihop-"))
    try:
        docs, index_dir = root / "articles", root / "index"
        write_articles(data.articles, docs)
        settings = load_settings(index_dir, **overrides)
        report = ingest([docs], settings, embedder=embedder)
        if report.problems:
            raise RuntimeError(f"articles not ingested: {report.problems[:3]}")
        assistant = Assistant(settings=settings)
        if embedder is not None:
            assistant.index._embedder = embedder
        yield assistant
    finally:
        if not work:
            shutil.rmtree(root, ignore_errors=True)


# --- retrieval --------------------------------------------------------------------------------


def _articles_in_order(chunk_ids: list[int], url_of_chunk: Callable[[int], str]) -> list[str]:
    out: list[str] = []
    for cid in chunk_ids:
        url = url_of_chunk(cid)
        if url and url not in out:
            out.append(url)
    return out


def rankings(retriever: Retriever, question: str) -> dict[str, list[str]]:
    """Article URLs in rank order for each retrieval mode."""
    reader = retriever.index.reader
    cache: dict[int, str] = {}

    def url_of(cid: int) -> str:
        if cid not in cache:
            chunk = reader.chunks([cid]).get(cid)
            doc = reader.document(chunk.doc_id) if chunk else None
            cache[cid] = doc.meta.url if doc else ""
        return cache[cid]

    qvec = retriever.index.embedder.embed([question])[0]
    dense = reader.search_vector(qvec, POOL)
    lexical = retriever.lexical(question, POOL)
    fused: dict[int, float] = {}
    for ranking in (dense, lexical):
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
    hybrid = sorted(fused, key=fused.get, reverse=True)
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


# --- answers ----------------------------------------------------------------------------------

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
    exact = total = 0
    for cit in answer.citations():
        doc = assistant.index.document(cit.doc_id)
        total += 1
        exact += bool(doc and doc.cleaned_text[cit.start : cit.end] == cit.quote and cit.quote)
        if doc and doc.meta.url not in cited_urls:
            cited_urls.append(doc.meta.url)
    gold = set(q.gold)
    refused = answer.status == "abstained" or bool(_REFUSAL.search(answer.text))
    return {
        "id": q.qid,
        "type": q.qtype,
        "status": answer.status + ("/extractive" if answer.extractive else ""),
        "refused": refused,
        "correct": (not q.gold and refused)
        or (bool(q.gold) and not refused and gold_found(answer.text, q.answer)),
        "citations": total,
        "citations_exact": exact,
        "cited_gold": len(gold & set(cited_urls)),
        "cited_docs": len(cited_urls),
        "gold_docs": len(gold),
        "sentences": len(answer.sentences),
        "removed_by_checker": len(answer.removed),
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
        "median_seconds": statistics.median(r["seconds"] for r in rows) if rows else None,
    }


def evaluate_answers(
    eval_dir: Path,
    limit: int = 8,
    embedder: Embedder | None = None,
    work: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    **overrides,
) -> dict:
    """Ask ``limit`` questions (round-robin over types, null included) with the configured
    language model and score answers, refusals and citations."""
    data = load_multihop(eval_dir / "multihop_rag")
    queries = subset(data.queries, limit)
    rows = []
    with multihop_assistant(data, embedder, work, **overrides) as assistant:
        model = assistant.model_info()
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            answer = assistant.ask(q.question)
            row = score_answer(assistant, q, answer)
            row["seconds"] = round(time.perf_counter() - t0, 2)
            rows.append(row)
            if progress:
                progress(i + 1, len(queries))
    return {"dataset": "multihop_rag", "model": model, **summarise_answers(rows), "rows": rows}


def answers_markdown(report: dict) -> str:
    lines = [
        f"MultiHop-RAG answers — {report['questions']} questions, model {report['model']}",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    for key, value in report.items():
        if key in ("rows", "dataset", "model", "questions"):
            continue
        shown = "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else value
        lines.append(f"| {key.replace('_', ' ')} | {shown} |")
    return "\n".join(lines)


__all__ = [
    "MODES",
    "answers_markdown",
    "evaluate_answers",
    "evaluate_retrieval",
    "load_multihop",
    "rankings",
    "retrieval_markdown",
    "score_ranking",
    "subset",
]
