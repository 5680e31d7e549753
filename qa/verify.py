"""Does a cited passage support an answer sentence?

A sentence is supported when every number it states and every name it uses appear in the cited
passages, and its content words are covered by them (or it is close in meaning and mostly
covered). With a capable model configured, an LLM judge adds an entailment verdict. The
small default model is never trusted to decide alone: code decides, the model may only veto.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .text import content_words, entities, numbers, stem

# Words that make a statement uncertain. Attribution ("said", "according to") is not here: who
# stands behind a claim is tracked separately, as its origin.
_HEDGE = re.compile(
    r"\b(may|might|could|possibly|reportedly|allegedly|likely|unlikely|unclear|apparently|"
    r"unconfirmed|unverified|perhaps)\b",
    re.IGNORECASE,
)


@dataclass
class Check:
    supported: bool
    score: float
    reasons: list[str] = field(default_factory=list)
    coverage: float = 0.0  # share of the sentence's content words found in the passages


def _entity_found(name: str, passage_words: set[str], passage_lower: str) -> bool:
    low = name.lower()
    if low in passage_lower:
        return True
    s = stem(name)
    return len(s) >= 4 and any(w.startswith(s[:5]) for w in passage_words)


class SupportChecker:
    """Scores sentence–passage support; ``embed`` maps texts to normalised vectors."""

    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray],
        threshold: float = 0.5,
        judge: Callable[[str, str], str] | None = None,
    ):
        self.embed = embed
        self.threshold = threshold
        self.judge = judge

    def check(self, sentence: str, passages: list[str], sources: str = "") -> Check:
        return self.check_many([(sentence, passages)], [sources])[0]

    def check_many(
        self, pairs: list[tuple[str, list[str]]], sources: list[str] | None = None
    ) -> list[Check]:
        """Check several (sentence, cited passages) pairs with one embedding batch.

        ``sources`` (one string per pair: the cited passages' outlets and titles) lets a
        sentence name who reported something ("The Guardian reported …") without that name
        having to appear inside the quoted passage; it counts for names only."""
        texts = []
        for sentence, passages in pairs:
            texts.append(sentence)
            texts.append(" ".join(passages))
        vecs = self.embed(texts) if texts else np.zeros((0, 1))
        out = []
        for i, (sentence, passages) in enumerate(pairs):
            cos = float(vecs[2 * i] @ vecs[2 * i + 1]) if passages else 0.0
            extra = sources[i] if sources else ""
            out.append(self._score(sentence, passages, cos, extra))
        return out

    def _score(self, sentence: str, passages: list[str], cos: float, sources: str = "") -> Check:
        reasons: list[str] = []
        if not passages:
            return Check(False, 0.0, ["no passage cited"], 0.0)
        joined = " ".join(passages)
        lower = joined.lower()
        words = set(content_words(joined))
        missing_numbers = numbers(sentence) - numbers(joined)
        if missing_numbers:
            shown = ", ".join(f"{n:g}" for n in sorted(missing_numbers))
            reasons.append(f"number not in the cited passages: {shown}")
        named = words | set(content_words(sources))
        missing_names = [
            e
            for e in entities(sentence)
            if not _entity_found(e, named, f"{lower} {sources.lower()}")
        ]
        if missing_names:
            reasons.append(f"name not in the cited passages: {', '.join(missing_names[:3])}")
        if all(_HEDGE.search(p) for p in passages) and not _HEDGE.search(sentence):
            hedge = _HEDGE.search(passages[0]).group(0)
            reasons.append(f"states as fact what the passage hedges ('{hedge}')")
        terms = content_words(sentence)
        coverage = sum(t in words for t in terms) / len(terms) if terms else 0.0
        score = 0.5 * coverage + 0.5 * max(cos, 0.0)
        if coverage < 0.5 and not (coverage >= 0.35 and cos >= 0.7):
            reasons.append(f"only {coverage:.0%} of its content words are in the cited passages")
        supported = not reasons and score >= self.threshold
        coverage = round(coverage, 4)
        if supported and self.judge is not None:
            verdict = self.judge(sentence, joined)
            if verdict != "entailed":
                reasons.append(f"the model judged it {verdict.replace('_', ' ')}")
                supported = False
        if not supported and not reasons:
            reasons.append(f"support score {score:.2f} below {self.threshold:.2f}")
        return Check(supported, round(score, 4), reasons, coverage)


def llm_judge(generator, max_tokens: int = 24) -> Callable[[str, str], str]:
    """A judge that asks the model for a schema-constrained entailment verdict."""
    from .prompting import JUDGE_SCHEMA, judge_messages

    def judge(claim: str, passage: str) -> str:
        text = "".join(
            generator.stream(judge_messages(claim, passage), JUDGE_SCHEMA, max_tokens, 0.0)
        )
        try:
            return str(json.loads(text).get("verdict", "not_enough_info"))
        except (json.JSONDecodeError, AttributeError):
            return "not_enough_info"

    return judge
