"""The aligned-substitution judge: a sentence that repeats its passage but for one phrase.

Word lists of opposites never end: "made progress" / "broke down", "pushed up" / "lowered",
"overtaking" / "falling behind". When a sentence and a sentence of its passage line up word
for word around one slot (the same words before and after it) and the slot holds other content
words that no rule decided (not the same lemma, not a known synonym or opposite, not a number,
date or name — those have their own checks in ``qa.meaning``), this module asks the language
model one short question about the two phrases in that context: do they say the *same*, the
*opposite*, or something *different*? Only "same" keeps the sentence supported.

The question is tiny (a schema-constrained one-word verdict after a fixed instruction, so
llama.cpp reuses the cached prefix), asked only for sentences every other check accepted, and
its verdicts are cached in-process and on disk in the data directory, keyed by the phrase pair,
the slot's head words and the model. A stronger model or server (``llm.url``) answers the same
question better with no code change.
"""

from __future__ import annotations

import difflib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .meaning import Finding, _opposites, _senses, _word
from .nlp import parse_many
from .text import STOPWORDS

Relation = Literal["same", "opposite", "different", "unknown"]
RELATIONS = ("same", "opposite", "different")
SCHEMA = {
    "type": "object",
    "properties": {"relation": {"enum": list(RELATIONS)}},
    "required": ["relation"],
}
_CONTENT_POS = {"NOUN", "VERB", "ADJ", "ADV", "PROPN"}
_RULED_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"}
_NAME_ENTS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"}


@dataclass(frozen=True)
class Substitution:
    """One slot where an aligned sentence and passage sentence hold different phrases."""

    claim: str  # the sentence's phrase
    passage: str  # the passage's phrase in the same slot
    context: str  # the sentence with the slot shown as ___
    heads: tuple[str, ...]  # lemmas of the content words the slot hangs on / governs

    def key(self, model: str = "") -> str:
        a, b = self.claim.lower(), self.passage.lower()
        return json.dumps([model, a, b, list(self.heads)], ensure_ascii=False)


@dataclass(frozen=True)
class AlignConfig:
    min_overlap: float = 0.6  # share of the sentence's words the passage sentence repeats, in order
    max_words: int = 4  # longest phrase on either side of a slot
    min_context: int = 2  # equal words next to the slot (before or after)


def _keys(tokens) -> list[str]:
    return [t.lemma_.lower() if t.is_alpha else t.lower_ for t in tokens]


def _content(tok) -> bool:
    return (
        tok.is_alpha
        and tok.pos_ in _CONTENT_POS
        and tok.lower_ not in STOPWORDS
        and tok.lemma_.lower() not in STOPWORDS
    )


def _ruled(span) -> bool:
    """Phrases the rules of ``qa.meaning`` compare: numbers, dates, amounts and names."""
    return all(
        not _content(t) or t.like_num or t.ent_type_ in _RULED_ENTS | _NAME_ENTS for t in span
    )


def _known(a_span, b_span) -> bool:
    """A rule already knows how the two phrases relate: one meaning group, or listed opposites
    (``qa.meaning`` has then decided the pair)."""
    for a in a_span:
        for b in b_span:
            if not (_content(a) and _content(b)):
                continue
            if set(_senses(a)) & set(_senses(b)):
                return True
            if _word(b) in _opposites(a) or _word(a) in _opposites(b):
                return True
    return False


def _heads(span) -> tuple[str, ...]:
    """Content lemmas the slot is attached to: heads outside it and its outside dependents."""
    inside = {t.i for t in span}
    near = []
    for t in span:
        near.append(t.head)
        near += list(t.children)
    words = {_word(t) for t in near if t.i not in inside and t.is_alpha and t.pos_ in _CONTENT_POS}
    return tuple(sorted(words))[:4]


def _context(span) -> str:
    """The sentence with ``span`` shown as ___."""
    text = span.doc.text
    start, end = span[0].idx, span[-1].idx + len(span[-1].text)
    return " ".join((text[:start] + "___" + text[end:]).split())


def aligned_substitutions(
    claim_doc, pdocs, config: AlignConfig | None = None
) -> list[Substitution]:
    """The slots where ``claim_doc`` and its best-aligned passage sentence hold different
    content words that no rule compares. Empty when no passage sentence lines up with the
    sentence (most answer sentences paraphrase more freely — the other checks judge those)."""
    cfg = config or AlignConfig()
    a_toks = [t for t in claim_doc if not t.is_punct and not t.is_space]
    if len(a_toks) < 4:
        return []
    a_keys = _keys(a_toks)
    best = None
    for pdoc in pdocs:
        for sent in pdoc.sents:
            b_toks = [t for t in sent if not t.is_punct and not t.is_space]
            m = difflib.SequenceMatcher(None, a_keys, _keys(b_toks), autojunk=False)
            same = sum(block.size for block in m.get_matching_blocks())
            if best is None or same > best[0]:
                best = (same, b_toks, m)
    if best is None or best[0] < cfg.min_overlap * len(a_toks):
        return []
    _, b_toks, matcher = best
    b_lemmas = {t.lemma_.lower() for t in b_toks}
    a_lemmas = set(a_keys)
    ops = matcher.get_opcodes()
    out = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "replace" or i2 - i1 > cfg.max_words or j2 - j1 > cfg.max_words:
            continue
        before = ops[n - 1][2] - ops[n - 1][1] if n and ops[n - 1][0] == "equal" else 0
        after = (
            ops[n + 1][2] - ops[n + 1][1] if n + 1 < len(ops) and ops[n + 1][0] == "equal" else 0
        )
        if max(before, after) < cfg.min_context:
            continue
        a_span, b_span = a_toks[i1:i2], b_toks[j1:j2]
        a_new = [t for t in a_span if _content(t) and t.lemma_.lower() not in b_lemmas]
        b_new = [t for t in b_span if _content(t) and t.lemma_.lower() not in a_lemmas]
        if not a_new or not b_new:
            continue  # a word moved, or only function words differ
        if _ruled(a_span) and _ruled(b_span):
            continue
        if _known(a_span, b_span):
            continue
        out.append(
            Substitution(
                claim=" ".join(t.text for t in a_span),
                passage=" ".join(t.text for t in b_span),
                context=_context(claim_doc[a_span[0].i : a_span[-1].i + 1]),
                heads=_heads(a_span),
            )
        )
    return out


class VerdictCache:
    """Verdicts on phrase pairs: in memory, and as JSON lines in ``path`` (kept to ``limit``
    lines; an unreadable or unwritable file only means no disk cache)."""

    def __init__(self, path: Path | None = None, limit: int = 20_000):
        self.path = Path(path) if path else None
        self.limit = limit
        self._mem: dict[str, str] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        if self._mem is None:
            self._mem = {}
            if self.path is not None and self.path.is_file():
                try:
                    for line in self.path.read_text(encoding="utf-8").splitlines():
                        try:
                            rec = json.loads(line)
                            self._mem[rec["key"]] = rec["relation"]
                        except (json.JSONDecodeError, KeyError, TypeError):
                            continue
                except OSError:
                    pass
        return self._mem

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._load().get(key)

    def put(self, key: str, relation: str) -> None:
        with self._lock:
            mem = self._load()
            mem[key] = relation
            if self.path is None:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if len(mem) > self.limit:
                    keep = list(mem.items())[-(self.limit // 2) :]
                    mem.clear()
                    mem.update(keep)
                    tmp = self.path.with_name(f"{self.path.name}.tmp{os.getpid()}")
                    lines = (json.dumps({"key": k, "relation": v}) for k, v in keep)
                    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
                    os.replace(tmp, self.path)
                else:
                    with self.path.open("a", encoding="utf-8") as f:
                        f.write(json.dumps({"key": key, "relation": relation}) + "\n")
            except OSError:
                self.path = None


class SubstitutionJudge:
    """Finds aligned substitutions and asks ``ask`` (a substitution → "same" / "opposite" /
    "different" / "unknown") about each, through the cache; ``model`` names the model in the
    cache key, so another model's verdicts are not reused."""

    def __init__(
        self,
        ask: Callable[[Substitution], str],
        cache: VerdictCache | None = None,
        model: str = "",
        config: AlignConfig | None = None,
        max_calls: int = 8,
    ):
        self.ask = ask
        self.cache = cache or VerdictCache()
        self.model = model
        self.config = config or AlignConfig()
        self.max_calls = max_calls  # model calls per findings_many batch; the rest stay unjudged
        self.calls = 0  # model calls made (for the benchmarks)
        self.seconds = 0.0
        self.times: list[float] = []  # seconds of each call (the first loads the model)
        self.hits = 0  # verdicts found in the cache
        self.slots = 0  # aligned substitutions seen

    def relation(self, sub: Substitution) -> str:
        key = sub.key(self.model)
        known = self.cache.get(key)
        if known is not None:
            return known
        import time

        t0 = time.perf_counter()
        try:
            rel = self.ask(sub)
        finally:
            self.calls += 1
            self.times.append(time.perf_counter() - t0)
            self.seconds += self.times[-1]
        rel = rel if rel in RELATIONS else "unknown"
        if rel != "unknown":
            self.cache.put(key, rel)
        return rel

    def stats(self) -> dict:
        """Calls, seconds and cache hits so far (for the evaluation reports)."""
        import statistics

        return {
            "model": self.model,
            "slots": self.slots,
            "calls": self.calls,
            "cache_hits": self.hits,
            "seconds": round(self.seconds, 2),
            "median_seconds_per_call": round(statistics.median(self.times), 3)
            if self.times
            else 0.0,
        }

    def findings(self, sentence: str, passages: list[str]) -> list[Finding]:
        return self.findings_many([(sentence, passages)])[0]

    def findings_many(self, pairs: list[tuple[str, list[str]]]) -> list[list[Finding]]:
        """For each (sentence, passages): a finding per substituted phrase the model did not
        judge the same (opposite = contradiction, different = not said)."""
        out: list[list[Finding]] = []
        budget = self.max_calls
        for sentence, passages in pairs:
            found: list[Finding] = []
            if passages:
                claim, *pdocs = parse_many([sentence, *passages])
                for sub in aligned_substitutions(claim, pdocs, self.config):
                    self.slots += 1
                    cached = self.cache.get(sub.key(self.model))
                    if cached is None:
                        if budget <= 0:
                            continue
                        budget -= 1
                    else:
                        self.hits += 1
                    rel = cached or self.relation(sub)
                    if rel == "opposite":
                        why = f"says '{sub.claim}' where the passage says '{sub.passage}'"
                        found.append(Finding("antonym", why, True, (sub.claim,)))
                    elif rel == "different":
                        why = f"says '{sub.claim}' where the passage says '{sub.passage}'"
                        found.append(Finding("substitution", why, False, (sub.claim,)))
            out.append(found)
        return out


def llm_relation(generator, max_tokens: int = 16) -> Callable[[Substitution], str]:
    """``ask`` for a ``SubstitutionJudge``: one schema-constrained question to ``generator``
    (anything with ``stream(messages, schema, max_tokens, temperature)``)."""
    from .prompting import load_prompt, quote_safe, render

    system = load_prompt("system.txt").strip()  # the answer prompt's prefix: cached already

    def ask(sub: Substitution) -> str:
        user = render(
            "substitution.j2",
            context=quote_safe(sub.context),
            a=quote_safe(sub.claim),
            b=quote_safe(sub.passage),
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        text = "".join(generator.stream(messages, SCHEMA, max_tokens, 0.0))
        try:
            return str(json.loads(text).get("relation", "unknown"))
        except (json.JSONDecodeError, AttributeError):
            return "unknown"

    return ask


def model_id(settings) -> str:
    """Names the model whose verdicts a cache entry holds (a server URL and model, or the file)."""
    llm = settings.llm
    return f"{llm.url}|{llm.server_model}" if llm.url else str(llm.model)


def judge_from_settings(settings, generator) -> SubstitutionJudge:
    """The judge the ``verify`` settings describe, asking ``generator``."""
    v = settings.verify
    cache = VerdictCache(
        Path(settings.data_dir) / "substitution-verdicts.jsonl" if v.substitution_cache else None,
        v.substitution_cache_size,
    )
    return SubstitutionJudge(
        llm_relation(generator),
        cache,
        model_id(settings),
        AlignConfig(v.substitution_min_overlap, v.substitution_max_words),
        v.substitution_max_calls,
    )


__all__ = [
    "RELATIONS",
    "AlignConfig",
    "Substitution",
    "SubstitutionJudge",
    "VerdictCache",
    "aligned_substitutions",
    "judge_from_settings",
    "llm_relation",
    "model_id",
]
