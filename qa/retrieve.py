"""Hybrid retrieval: dense (FAISS) + lexical (BM25) fused by reciprocal rank, reranked at
sentence level, diversified across documents, then cut into sentence-level evidence.

There is no cross-encoder that ships offline, so the reranker scores each retrieved chunk by
its best sentence: cosine similarity to the question (the packaged embedder) blended with the
IDF-weighted share of the question's content words that the sentence contains. Every weight,
pool size and cut-off is a field of ``settings.retrieval`` (index/settings.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from index.records import Chunk, Document
from index.search import Index, SearchFilters
from index.settings import RetrievalSettings

from .records import Evidence
from .text import content_words, sentence_spans, tokens_for_bm25

# Text in an article that addresses an AI system rather than a reader: never used as evidence.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules|above|previous)\b|"
    r"\b(system prompt|you are now|as an ai|language model|assistant must|respond only|"
    r"reply only|answer only with|output only)\b",
    re.IGNORECASE,
)


# What a caller may restrict retrieval to (outlet, since, until, …): the index's own filters,
# applied inside the dense search and again to every fused candidate.
Filters = SearchFilters


# What a question's own outlet and date mentions (qa/question.py) add to a chunk's ranking
# score. The evidence scores themselves (and so abstention) are not raised.
OUTLET_BOOST = 0.1
DATE_BOOST = 0.05


@dataclass(frozen=True)
class Boost:
    """Outlets and a published-date range that a question names: documents that match rank
    higher, others stay eligible (unlike :class:`Filters`)."""

    outlets: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    outlet_weight: float = OUTLET_BOOST
    date_weight: float = DATE_BOOST

    def __bool__(self) -> bool:
        return bool(self.outlets or self.since or self.until)

    def of(self, doc: Document) -> float:
        extra = 0.0
        outlet = (doc.meta.outlet or "").lower()
        if outlet and any(o.lower() in outlet for o in self.outlets):
            extra += self.outlet_weight
        published = doc.meta.published
        if (
            (self.since or self.until)
            and published
            and (not self.since or published >= self.since)
            and (not self.until or published[: len(self.until)] <= self.until)
        ):
            extra += self.date_weight
        return extra


@dataclass
class Candidate:
    chunk: Chunk
    document: Document
    dense: float = 0.0
    rrf: float = 0.0
    score: float = 0.0
    sentences: list[tuple[int, int, float]] = field(default_factory=list)
    boost: float = 0.0  # from the question's own outlet/date mentions (ranking only)


def looks_like_instruction(text: str) -> bool:
    return _INSTRUCTION.search(text) is not None


class Retriever:
    """The query-time scoring over one opened :class:`Index` (which holds the dense and
    keyword search; the retriever hands it the tokenizer of qa/text.py).

    Args:
        index: the opened index.
        config: weights, pool sizes and cut-offs (default: ``RetrievalSettings()``).
    """

    def __init__(self, index: Index, config: RetrievalSettings | None = None):
        self.index = index
        self.config = config or RetrievalSettings()
        self._cache: dict[str, np.ndarray] = {}
        index.use_tokenizer(tokens_for_bm25)

    def idf(self, token: str) -> float:
        return self.index.idf(token)

    # -- the whole retrieval
    def retrieve(
        self,
        question: str,
        k: int = 6,
        filters: Filters | None = None,
        per_doc: int | None = None,
        boost: Boost | None = None,
    ) -> list[Candidate]:
        """The ``k`` best chunks for ``question``, at most ``per_doc`` (default
        ``config.per_doc``) from one document; near-duplicate copies give way to their original.
        ``boost`` ranks documents of the outlets/dates the question names higher."""
        cfg = self.config
        filters = filters or Filters()
        qvec = self.index.embedder.embed([question])[0]
        pool = max(cfg.pool_min, cfg.pool_per_k * k)
        if filters.outlet or filters.since or filters.until or boost:
            pool *= cfg.filtered_pool_factor
        dense = self.index.dense(qvec, pool, filters)
        lexical = self.index.lexical(question, pool)
        fused = self.index.fuse((dense, lexical), cfg.rrf_k)
        top = list(fused)[: max(cfg.rerank_min, cfg.rerank_per_k * k)]
        chunks = self.index.chunks(top)
        vectors = self.index.vectors(top)
        cands: list[Candidate] = []
        for cid in top:
            chunk = chunks.get(cid)
            doc = self.index.document(chunk.doc_id) if chunk else None
            if chunk is None or doc is None or not filters.allows(doc):
                continue
            cands.append(Candidate(chunk, doc, dense=float(vectors[cid] @ qvec), rrf=fused[cid]))
        self._rerank(question, qvec, cands)
        for cand in cands if boost else ():
            cand.boost = boost.of(cand.document)
        return self._diversify(cands, k, cfg.per_doc if per_doc is None else per_doc)

    def _rerank(self, question: str, qvec: np.ndarray, cands: list[Candidate]) -> None:
        """Score every sentence of every candidate (one embedding batch); a chunk scores by its
        best sentence, blended with its own similarity."""
        items = [(cand, s, e) for cand in cands for s, e in self.sentences(cand)]
        texts = [cand.document.cleaned_text[s:e] for cand, s, e in items]
        scores = self.score_texts(question, qvec, texts)
        for cand in cands:
            cand.sentences = []
        for (cand, s, e), text, score in zip(items, texts, scores, strict=True):
            if looks_like_instruction(text):
                continue  # article text that talks to the model is data, never evidence
            cand.sentences.append((s, e, score))
        cfg = self.config
        for cand in cands:
            best = max((sc for _, _, sc in cand.sentences), default=0.0)
            cand.score = cfg.chunk_sentence_weight * best + cfg.chunk_dense_weight * cand.dense

    def _diversify(self, cands: list[Candidate], k: int, per_doc: int) -> list[Candidate]:
        chosen: list[Candidate] = []
        per: Counter[str] = Counter()
        ids = {c.document.doc_id for c in cands}
        for cand in sorted(cands, key=lambda c: c.score + c.boost, reverse=True):
            doc = cand.document
            if doc.duplicate_of and doc.duplicate_of in ids:
                continue  # the original is among the candidates: the copy adds nothing
            if per[doc.doc_id] >= per_doc:
                continue
            chosen.append(cand)
            per[doc.doc_id] += 1
            if len(chosen) == k:
                break
        return chosen

    # -- sentence-level scoring and evidence
    @staticmethod
    def sentences(cand: Candidate) -> list[tuple[int, int]]:
        return sentence_spans(cand.document.cleaned_text, cand.chunk.start, cand.chunk.end)

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        """Embeddings with a per-process cache (sentences recur across questions)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vec in zip(missing, self.index.embedder.embed(missing), strict=True):
                self._cache[text] = vec
            limit = self.config.embedding_cache
            if len(self._cache) > limit:  # drop the oldest entries, down to four fifths
                for key in list(self._cache)[: len(self._cache) - limit * 4 // 5]:
                    del self._cache[key]
        dim = self.index.embedder.dim
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, dim))

    def coverage(self, question: str, text: str) -> float:
        """IDF-weighted share of the question's content words found in ``text``."""
        terms = set(content_words(question))
        if not terms:
            return 0.0
        have = set(content_words(text))
        total = sum(self.idf(t) for t in terms)
        return sum(self.idf(t) for t in terms if t in have) / total if total else 0.0

    def score_texts(self, question: str, qvec: np.ndarray, texts: list[str]) -> list[float]:
        if not texts:
            return []
        cos = self.embed_cached(texts) @ qvec
        w_cos, w_cover = self.config.sentence_cosine_weight, self.config.sentence_coverage_weight
        return [
            w_cos * float(c) + w_cover * self.coverage(question, t)
            for c, t in zip(cos, texts, strict=True)
        ]


def select_evidence(
    cands: list[Candidate], n: int = 6, config: RetrievalSettings | None = None
) -> list[Evidence]:
    """The ``n`` best sentences across candidates (at most ``config.evidence_per_doc`` per
    document), numbered 1..n. A sentence shorter than ``config.evidence_min_chars`` takes the
    next one along, so a quote is never a fragment without context. Sentences scoring under
    ``max(evidence_floor, evidence_relative_cut × the best score)`` are left out to keep the
    prompt short."""
    cfg = config or RetrievalSettings()
    scored = []
    for cand in cands:
        for s, e, score in cand.sentences:
            scored.append((score, cand, s, e))
    scored.sort(key=lambda x: -(x[0] + x[1].boost))  # a boost orders; the score stays raw
    if scored:  # keep the prompt short: drop sentences far below the best one
        top = scored[0][0] + scored[0][1].boost
        cut = max(cfg.evidence_floor, cfg.evidence_relative_cut * top)
        scored = [x for x in scored if x[0] + x[1].boost >= cut] or scored[:1]
    picked: list[tuple[float, Candidate, int, int]] = []
    per: Counter[str] = Counter()
    seen: set[tuple[str, int]] = set()
    for score, cand, s, e in scored:
        key = (cand.document.doc_id, s)
        if key in seen or per[cand.document.doc_id] >= cfg.evidence_per_doc:
            continue
        if e - s < cfg.evidence_min_chars:  # extend to the next sentence of the same paragraph
            nxt = [x for x in cand.sentences if x[0] >= e]
            if nxt and "\n" not in cand.document.cleaned_text[e : nxt[0][0]]:
                e = nxt[0][1]
        seen.add(key)
        per[cand.document.doc_id] += 1
        picked.append((score, cand, s, e))
        if len(picked) == n:
            break
    out = []
    for eid, (score, cand, s, e) in enumerate(picked, start=1):
        d = cand.document
        out.append(
            Evidence(
                eid=eid,
                doc_id=d.doc_id,
                title=d.meta.title,
                outlet=d.meta.outlet,
                published=d.meta.published,
                start=s,
                end=e,
                text=d.cleaned_text[s:e],
                score=round(score, 4),
                chunk_id=cand.chunk.chunk_id,
            )
        )
    return out


def select_evidence_covering(
    groups: list[list[Candidate]],
    n: int = 6,
    config: RetrievalSettings | None = None,
    one_article: list[bool] | None = None,
) -> list[Evidence]:
    """Evidence for a question in parts (e.g. one per outlet it names): each part's best
    sentences get an equal share of the ``n`` places, so every part is covered; renumbered.
    A part about one article (``one_article``: "the Verge article suggests …") takes its
    sentences from the article that matches it best, and from another only when that one
    matches about as well (``config.one_article_margin``): the others are other articles."""
    from dataclasses import replace

    cfg = config or RetrievalSettings()
    flags = one_article or [False] * len(groups)
    groups = [
        _best_articles(g, cfg.one_article_margin) if one else g
        for g, one in zip(groups, flags, strict=True)
    ]
    if len(groups) == 1:
        return select_evidence(groups[0], n, cfg)
    share = max(1, n // max(1, len(groups)))
    picked: list[Evidence] = []
    seen: set[tuple[str, int]] = set()
    for group in groups:
        for ev in select_evidence(group, share, cfg):
            if (ev.doc_id, ev.start) not in seen:
                seen.add((ev.doc_id, ev.start))
                picked.append(ev)
    picked.sort(key=lambda e: -e.score)
    return [replace(ev, eid=i) for i, ev in enumerate(picked[:n], start=1)]


def _best_articles(cands: list[Candidate], margin: float) -> list[Candidate]:
    """The candidates of the best-matching article and of any other whose best sentence
    (with its boost) scores within ``margin`` of that article's."""
    best: dict[str, float] = {}
    for c in cands:
        top = max((score for _, _, score in c.sentences), default=0.0) + c.boost
        best[c.document.doc_id] = max(best.get(c.document.doc_id, top), top)
    if not best:
        return cands
    line = max(best.values()) - margin
    return [c for c in cands if best[c.document.doc_id] >= line]


def by_article(evidence: list[Evidence]) -> list[Evidence]:
    """The evidence with the passages of one article together (articles in the order of their
    best passage, each article's passages in score order), renumbered 1..n. The prompt lists
    an article's outlet and date once above its passages: a heading is ~20 tokens, so this
    shortens the prompt the model reads before its first word."""
    from dataclasses import replace

    order: dict[str, int] = {}
    for ev in evidence:
        order.setdefault(ev.doc_id, len(order))
    grouped = sorted(evidence, key=lambda ev: order[ev.doc_id])  # stable: score order kept
    return [replace(ev, eid=i) for i, ev in enumerate(grouped, start=1)]
