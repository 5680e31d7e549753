"""The two-source rule: count the independent sources behind each answer sentence.

For every sentence, TwoSource searches the whole index (not only the answer's citations) for
passages that support it, with the same checker as citation verification at a stricter
threshold. Supporting passages are grouped into independent lines of evidence:

- one **source** per outlet; near-duplicate documents belong to their original's source; an
  unknown outlet is a source of its own per document;
- passages that attribute the claim to the same **origin** ("according to ISW", "Hromov
  stated") are one line, and an origin that is itself an outlet joins that outlet's line
  (a relay of the Harbour Ledger is not a second source next to the Ledger).

A sentence is corroborated with two or more lines; otherwise it rests on a single source and is
flagged unless that source is marked verified in the registry. A passage that says of itself that
the claim is unconfirmed counts for nothing and flags the sentence whatever its outlet. Passages
with the same wording around different names or numbers are reported as disputing it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from index.records import Document

from .meaning import same_matter
from .origins import known_outlets, passage_origin, relay_origin, self_unverified
from .records import Answer, Corroboration, Sentence, SourcePassage
from .retrieve import Retriever, looks_like_instruction
from .sources import SourceRegistry
from .text import content_words, entities, numbers, sentence_spans, stem
from .verify import SupportChecker


class _Groups:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


_REPEATS = "repeats a supporting passage around other names or numbers"


def _short(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _label(p: SourcePassage) -> str:
    name = p.outlet or f"an article of unknown outlet (“{p.title[:60]}”)"
    return f"{name}" + (f" ({p.published})" if p.published else "")


class Corroborator:
    def __init__(
        self,
        retriever: Retriever,
        checker: SupportChecker,
        registry: SourceRegistry,
        threshold: float = 0.6,
        pool: int = 12,
        min_coverage: float = 0.6,
        *,
        prefilter: float = 0.34,
        frame_overlap: float = 0.5,
        relay_head_chars: int = 600,
        disclaimer_reach_chars: int = 300,
    ):
        self.retriever = retriever
        self.index = retriever.index
        self.checker = checker
        self.registry = registry
        self.threshold = threshold
        self.pool = pool
        self.min_coverage = min_coverage
        self.prefilter = prefilter
        self.frame_overlap = frame_overlap
        self.relay_head_chars = relay_head_chars
        self.disclaimer_reach_chars = disclaimer_reach_chars
        self._known: dict[str, str] | None = None
        self._relays: dict[str, object] = {}

    # -- document facts, cached per process
    @property
    def known(self) -> dict[str, str]:
        if self._known is None:
            self._known = known_outlets([d.meta.outlet for d in self.index.documents()])
        return self._known

    def source_key(self, doc: Document) -> tuple[str, str]:
        root = self.index.document(doc.duplicate_of) if doc.duplicate_of else doc
        root = root or doc
        outlet = root.meta.outlet or doc.meta.outlet
        if outlet:
            return f"outlet:{outlet.lower()}", outlet
        return f"doc:{root.doc_id}", ""

    def relay(self, doc: Document):
        if doc.doc_id not in self._relays:
            removed = self.index.removed_lines(doc.doc_id)
            self._relays[doc.doc_id] = relay_origin(
                doc, removed, self.known, head_chars=self.relay_head_chars
            )
        return self._relays[doc.doc_id]

    def passage(self, doc: Document, start: int, end: int) -> SourcePassage:
        source, outlet = self.source_key(doc)
        origin = passage_origin(doc, start, end, self.known, self.relay(doc))
        return SourcePassage(
            doc_id=doc.doc_id,
            title=doc.meta.title,
            outlet=outlet,
            published=doc.meta.published,
            start=start,
            end=end,
            quote=doc.cleaned_text[start:end],
            source=source,
            origin=origin.label if origin else "",
            origin_key=origin.key if origin else "",
            # A relay of a verified outlet stands on that outlet's word.
            verified=self.registry.is_verified(outlet)
            or bool(
                origin
                and origin.key.startswith("outlet:")
                and self.registry.is_verified(origin.label)
            ),
            unverified_phrase=self_unverified(
                doc, start, end, reach_chars=self.disclaimer_reach_chars
            ),
        )

    # -- search
    def _candidates(self, claim: str) -> list[tuple[Document, int, int]]:
        vec = self.retriever.embed_cached([claim])[0]
        ids = [cid for cid, _ in self.index.dense(vec, self.pool)]
        ids += [cid for cid, _ in self.index.lexical(claim, self.pool) if cid not in ids]
        chunks = self.index.chunks(ids)
        terms = set(content_words(claim))
        out: list[tuple[Document, int, int]] = []
        seen: set[tuple[str, int]] = set()
        for chunk in chunks.values():
            doc = self.index.document(chunk.doc_id)
            if doc is None:
                continue
            for s, e in sentence_spans(doc.cleaned_text, chunk.start, chunk.end):
                text = doc.cleaned_text[s:e]
                if (doc.doc_id, s) in seen or looks_like_instruction(text):
                    continue
                # the headline says what a sentence is about ("Construction will start …")
                have = set(content_words(text)) | set(content_words(doc.meta.title))
                if terms and len(terms & have) / len(terms) < self.prefilter:
                    continue
                seen.add((doc.doc_id, s))
                out.append((doc, s, e))
        return out

    def assess_claim(self, claim: str, cited: list[tuple[str, int, int]] = ()) -> Corroboration:
        """Corroboration of one claim; ``cited`` spans (doc_id, start, end) already passed the
        citation check and always count as support."""
        cands = self._candidates(claim)
        for doc_id, s, e in cited:
            doc = self.index.document(doc_id)
            if doc is not None and all((d.doc_id, a) != (doc_id, s) for d, a, _ in cands):
                cands.append((doc, s, e))
        cited_keys = {(d, s) for d, s, _ in cited}
        checks = self.checker.check_many(
            [(claim, [doc.cleaned_text[s:e]]) for doc, s, e in cands],
            [f"{doc.meta.outlet}. {doc.meta.title}." for doc, _, _ in cands],
            use_judge=False,
        )
        supporting, others = [], []
        contradicting: list[SourcePassage] = []
        for (doc, s, e), check in zip(cands, checks, strict=True):
            strong = (
                (check.supported or check.attributed)
                and check.score >= self.threshold
                and check.coverage >= self.min_coverage
            )
            if (doc.doc_id, s) in cited_keys or strong:
                supporting.append(self.passage(doc, s, e))
            elif self._contradicts(claim, doc.cleaned_text[s:e], check):
                why = next((f.reason for f in check.findings if f.contradiction), "")
                contradicting.append(replace(self.passage(doc, s, e), conflict=why))
            else:
                others.append((doc, s, e))
        quotes = [p.quote for p in supporting] or [claim]
        disputing = contradicting + [
            replace(
                self.passage(doc, s, e),
                conflict=_REPEATS,
            )
            for doc, s, e in others
            if conflicts(doc.cleaned_text[s:e], quotes, self.frame_overlap)
        ]
        return self._decide(supporting, disputing)

    def _contradicts(self, claim: str, text: str, check) -> bool:
        """A passage contradicts a claim when it speaks of the same event and a meaning check
        found it saying otherwise. An explicit flip (negation, opposite word, swapped roles) is
        enough; another number, date or name must also come with the rest of the claim (the
        passage covers it), or every report of another incident would dispute it."""
        if not check.contradicted or not same_matter(claim, text):
            return False
        flips = [f for f in check.findings if f.contradiction]
        if {f.kind for f in flips} & {"negation", "antonym", "role"}:
            return True
        words = [w for f in flips for w in f.words]
        return check.coverage_without(words) >= self.min_coverage

    def _decide(
        self, supporting: list[SourcePassage], disputing: list[SourcePassage]
    ) -> Corroboration:
        groups = _Groups()
        for i, p in enumerate(supporting):
            node = f"p{i}"
            groups.union(node, p.source)
            if p.origin_key:
                groups.union(node, p.origin_key)
        roots: dict[str, int] = {}
        lines = []
        for i, p in enumerate(supporting):
            line = roots.setdefault(groups.find(f"p{i}"), len(roots))
            lines.append(replace(p, line=line))
        counted = {p.line for p in lines if not p.unverified_phrase}
        independent = len(counted)
        # Drop disputing passages of a supporting line (same source/origin) that merely repeat
        # its wording; a passage found to contradict the sentence stays, whatever its source,
        # if it is another document: a copy that changes its original's facts is a dispute.
        support_sources = {p.source for p in lines}
        support_docs = {p.doc_id for p in lines}
        disputing = [
            d
            for d in disputing
            if d.source not in support_sources
            or (d.conflict and d.conflict != _REPEATS and d.doc_id not in support_docs)
        ]
        unverified = [p for p in lines if p.unverified_phrase]

        if disputing:
            first = disputing[0]
            others = ", ".join(sorted({_label(d) for d in disputing}))
            detail = (
                f": the sentence {first.conflict} (“{_short(first.quote)}”)"
                if first.conflict
                else ""
            )
            return Corroboration(
                "disputed",
                independent,
                True,
                f"Disputed: {others} report something different{detail}",
                lines,
                disputing,
            )
        if not lines:
            return Corroboration("unsupported", 0, True, "No passage in the archive supports this")
        if independent >= 2:
            names = sorted({_label(p) for p in lines if p.line in counted})
            return Corroboration(
                "corroborated",
                independent,
                False,
                f"Supported by {independent} independent sources: " + "; ".join(names),
                lines,
            )
        reason = self._single_reason(lines, counted)
        if unverified:
            p = unverified[0]
            who = p.outlet or "the article"
            reason += f", and {who} says “{p.unverified_phrase}”"
            return Corroboration("single-source", independent, True, reason, lines)
        line_passages = [p for p in lines if p.line in counted]
        if line_passages and any(p.verified for p in line_passages):
            return Corroboration(
                "single-source", independent, False, reason + " (a source marked verified)", lines
            )
        return Corroboration("single-source", independent, True, reason, lines)

    @staticmethod
    def _single_reason(lines: list[SourcePassage], counted: set[int]) -> str:
        main = [p for p in lines if p.line in counted] or lines
        outlets = sorted({_label(p) for p in main})
        origins = sorted({p.origin for p in main if p.origin})
        if len(outlets) > 1 and origins:
            return (
                f"Only one line of evidence supports this: {', '.join(outlets)} all relay "
                f"{origins[0]}"
            )
        if len(outlets) > 1:
            return f"Only one source supports this: {', '.join(outlets)} are copies of one report"
        return f"Only {outlets[0]} supports this"

    def assess(self, answer: Answer) -> Answer:
        """Fill in ``sentence.corroboration`` and the answer's overall status."""
        if answer.status != "answered":
            return answer
        for sentence in answer.sentences:
            cited = [(c.doc_id, c.start, c.end) for c in sentence.citations]
            sentence.corroboration = self.assess_claim(sentence.text, cited)
        answer.corroboration = overall([s for s in answer.sentences])
        return answer


def overall(sentences: list[Sentence]) -> str:
    statuses = {s.corroboration.status for s in sentences if s.corroboration}
    if "disputed" in statuses:
        return "disputed"
    if statuses == {"corroborated"}:
        return "corroborated"
    if statuses <= {"single-source", "unsupported"}:
        return "single-source"
    return "mixed"


_FILLER = re.compile(r"\d")


def _words(text: str) -> set[str]:
    return {w for w in content_words(text) if not _FILLER.search(w)}


def conflicts(passage: str, supporting: list[str], overlap: float = 0.5) -> bool:
    """Same frame, different fillers: the passage repeats a supporting passage's wording
    (word-set Jaccard ≥ 0.5) around other names or numbers (another city, another figure)."""
    words = _words(passage)
    if len(words) < 4:
        return False
    for other in supporting:
        words_o = _words(other)
        if not words_o or len(words & words_o) / len(words | words_o) < overlap:
            continue
        nums, nums_o = numbers(passage), numbers(other)
        if nums - nums_o and nums_o - nums:
            return True
        ents = {stem(e) for e in entities(passage)}
        ents_o = {stem(e) for e in entities(other)}
        if ents - ents_o and ents_o - ents:
            return True
    return False
