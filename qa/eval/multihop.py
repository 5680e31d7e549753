"""MultiHop-RAG (Tang & Yang, COLM 2024; ODC-BY 1.0) as the retrieval and answer suites use it.

The full article corpus is not available offline, so — as ../shared/eval/README.md describes —
each gold article is rebuilt from its evidence facts (one document per URL, title, outlet,
date and URL as sidecar metadata) and all questions share that pool: every question's gold
articles are in it, the other questions' articles are distractors. The data is read from
../shared at run time and written only to a temporary folder, never into the project.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index.embed import Embedder
from index.ingest import ingest
from index.settings import load_settings

from ..api import Assistant


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


__all__ = [
    "Article",
    "MultihopData",
    "Query",
    "load_multihop",
    "multihop_assistant",
    "subset",
    "write_articles",
]
