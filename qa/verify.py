"""Does a cited passage support an answer sentence — and does it contradict it?

Three layers, cheapest first:

1. **Meaning checks** (``qa.meaning``, on spaCy's parse): polarity, antonyms, who did what to
   whom, quantities with their bounds and units, dates, names, scope words and hedges. A
   finding either *contradicts* the sentence (the passage says otherwise about the same thing)
   or shows the passage does *not say* it.
2. **Coverage and closeness**: the sentence's content words must be found in the passages —
   as the same lemma or stem, or as a close synonym by the embedder — and the sentence must be
   close in meaning to the passages (embedder cosine).
3. **An entailment judge** (the local LLM or a user's server, JSON-schema verdicts, several
   pairs per call) only for the pairs the first two leave open, and — with ``llm.judge`` — as a
   veto on every accepted pair.

Code decides; a model may only decide what the rules cannot, or veto.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .datelines import anchored
from .meaning import Finding, compare, report_dates, source_label, spelled_alike, telling_words
from .nlp import parse_many
from .text import STOPWORDS, stem

Verdict = Literal["entailed", "contradicted", "not_enough_info"]


class Sources(str):
    """What the cited passages' articles say about themselves. As a string: their outlets and
    titles (a sentence may name them — for names only); as fields: the outlets and the
    publication dates, against which a sentence's "TechCrunch, on 6 November 2023,
    reported …" is checked (the passage's own text does not carry its date)."""

    outlets: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    each: tuple[str, ...] = ()  # the publication date of each cited passage, in order ("" unknown)

    def __new__(cls, text: str, outlets=(), published=()) -> Sources:
        obj = super().__new__(cls, text)
        obj.outlets = tuple(outlets)
        obj.each = tuple(p or "" for p in published)
        obj.published = tuple(p for p in obj.each if p)
        return obj


@dataclass
class Check:
    supported: bool
    score: float
    reasons: list[str] = field(default_factory=list)
    coverage: float = 0.0  # share of the sentence's content words found in the passages
    verdict: Verdict = "not_enough_info"
    findings: list[Finding] = field(default_factory=list)
    judged: str = ""  # the judge's verdict, when it was asked
    uncovered: list[str] = field(default_factory=list)  # content words not found
    terms: int = 0  # content words of the sentence
    # Supported once the passage's attribution is set aside ("according to X" dropped): the
    # corroborator counts such a passage, and records X as its origin.
    attributed: bool = False

    def coverage_without(self, words) -> float:
        """Coverage of the sentence's other words, leaving out ``words`` (a conflict's)."""
        drop = {w.lower() for w in words}
        rest = self.terms - len([w for w in self.uncovered if w.lower() in drop])
        missing = [w for w in self.uncovered if w.lower() not in drop]
        return 1 - len(missing) / rest if rest > 0 else 0.0

    @property
    def contradicted(self) -> bool:
        return self.verdict == "contradicted"


@dataclass(frozen=True)
class CheckerConfig:
    """Thresholds of the checker (``verify`` settings)."""

    threshold: float = 0.5
    min_coverage: float = 0.5
    synonym_cosine: float = 0.72
    paraphrase_cosine: float = 0.8
    paraphrase_coverage: float = 0.35
    judge_band: float = 0.15
    judge_max_pairs: int = 6

    @classmethod
    def from_settings(cls, settings) -> CheckerConfig:
        v = settings.verify
        return cls(
            threshold=settings.answer.support_threshold,
            min_coverage=v.min_coverage,
            synonym_cosine=v.synonym_cosine,
            paraphrase_cosine=v.paraphrase_cosine,
            paraphrase_coverage=v.paraphrase_coverage,
            judge_band=v.judge_band,
            judge_max_pairs=v.judge_max_pairs,
        )


def _content(doc) -> list:
    return [
        t
        for t in doc
        if t.is_alpha
        and len(t.text) > 2
        and t.lower_ not in STOPWORDS
        and t.lemma_.lower() not in STOPWORDS
        and not t.like_num
        and t.pos_ not in ("AUX", "DET", "PRON", "ADP", "CCONJ", "SCONJ", "PART")
    ]


def _distinct(tokens) -> list:
    """``tokens`` without a lemma that came before."""
    seen: set[str] = set()
    out = []
    for t in tokens:
        if t.lemma_.lower() not in seen:
            seen.add(t.lemma_.lower())
            out.append(t)
    return out


def _matches(term, tokens) -> bool:
    """Is ``term`` among ``tokens``: same lemma or stem, or the same first five letters of a
    long word (mobilize / mobilization); a name also spelt with a single or doubled letter
    (Paterson / Patterson) or glued to the end of a scraped page's word ("OPINIONApril")?"""
    lem = term.lemma_.lower()
    st = stem(term.text)
    name = term.pos_ == "PROPN" and term.text[:1].isupper() and len(term.text) >= 4
    for t in tokens:
        other = t.lemma_.lower()
        if other == lem or stem(t.text) == st:
            return True
        if len(term.text) >= 6 and len(t.text) >= 6 and other[:5] == lem[:5]:
            return True
        if name and (
            spelled_alike(t.lower_, term.lower_)
            or (
                t.text.endswith(term.text)
                and t.text[-len(term.text) - 1 : -len(term.text)].isalpha()
            )
        ):
            return True
    return False


def _content_head(token):
    """The nearest content word above ``token`` (through prepositions, auxiliaries, copulas)."""
    node = token.head
    for _ in range(4):
        if node is node.head or node.pos_ in ("NOUN", "PROPN", "VERB", "ADJ"):
            break
        node = node.head
    return node if node is not token and node.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") else None


def _near(a, b) -> bool:
    """Are two tokens of one parse related: at most three edges apart, or one content word
    between them however many prepositions the path takes ("married … in a secret ceremony in
    New York" relates 'married' and 'York' as "married in New York" does)? Never across
    sentences."""
    if a.doc is not b.doc:
        return False
    up_a, up_b = [a, *a.ancestors], [b, *b.ancestors]
    where_b = {y.i: j for j, y in enumerate(up_b)}
    for i, x in enumerate(up_a):
        if x.i in where_b:
            if i + where_b[x.i] <= 3:
                return True
            between = [t for t in up_a[1 : i + 1] + up_b[1 : where_b[x.i]] if t not in (a, b)]
            return sum(t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") for t in between) <= 1
    return False  # another sentence of the passage


def _unrelated(claim_doc, pdocs, uncovered: set[str]) -> tuple[str, str] | None:
    """The sentence links words (a verb and its subject, a noun and its "of …") that each occur
    in the passages but nowhere near each other — a sentence assembled from the passages' words,
    not said by them ("Putin is the president of Russia" from "Putin dismissed …" and
    "Russia needs …"). Returns the first such pair when most of the links are missing."""
    terms = [t for t in _content(claim_doc) if t.text not in uncovered]
    links = []
    for t in terms:
        h = _content_head(t)
        if h is None and t.head.pos_ == "AUX":  # "X is the president": subject and attribute
            h = next((c for c in t.head.children if c is not t and c in terms), None)
        if h is not None and h in terms and h.i != t.i:
            links.append((h, t))
    if len(links) < 2:
        return None
    p_tokens = [x for d in pdocs for x in _content(d)]
    judged, missing = 0, []
    for h, t in links:
        hs = [x for x in p_tokens if _matches(h, [x])]
        ts = [x for x in p_tokens if _matches(t, [x])]
        together = [(x, y) for x in hs for y in ts if x.doc is y.doc and x.sent == y.sent]
        if not together:
            continue  # a synonym found it, or another sentence does ("… He did Z"): unknown
        judged += 1
        if not any(_near(x, y) for x, y in together):
            missing.append((h.text, t.text))
    return missing[0] if missing and len(missing) * 2 > judged else None


def _only_names_shared(claim_doc, uncovered: set[str]) -> list[str]:
    """The words the sentence says about the people, places and bodies it names, when none of
    them is in the passages — only the names (and numbers) are ("Chernyak acknowledged Russia's
    failed mobilization in 2023" against "As Chernyak warned, the Russian state might still
    have enough resources to wage a war in 2023"): a sentence about the same names that says
    something else. Empty when any of those words is found or there are fewer than two."""
    said = [t for t in _content(claim_doc) if t.pos_ != "PROPN"]
    if len(said) < 2 or any(t.text not in uncovered for t in said):
        return []
    return [t.text for t in said]


class SupportChecker:
    """Judges sentence–passage support; ``embed`` maps texts to normalised vectors."""

    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray],
        threshold: float = 0.5,
        judge: Callable[[str, str], str] | None = None,
        config: CheckerConfig | None = None,
        judge_many: Callable[[list[tuple[str, str]]], list[str]] | None = None,
        judge_open: bool = False,
    ):
        self.embed = embed
        self._words: dict[str, np.ndarray] = {}
        self.config = config or CheckerConfig(threshold=threshold)
        self.threshold = self.config.threshold if config else threshold
        self.judge = judge  # veto on every accepted pair (llm.judge = true)
        self.judge_many = judge_many  # batched verdicts for pairs the rules leave open
        self.judge_open = judge_open
        # qa.substitution.SubstitutionJudge: a model's word on an aligned sentence's one
        # changed phrase (verify.substitution_judge); None = skipped
        self.substitution = None

    def check(self, sentence: str, passages: list[str], sources: str = "") -> Check:
        return self.check_many([(sentence, passages)], [sources])[0]

    def check_many(
        self,
        pairs: list[tuple[str, list[str]]],
        sources: list[str] | None = None,
        use_judge: bool = True,
    ) -> list[Check]:
        """Check several (sentence, cited passages) pairs with one embedding and parse batch.

        ``sources`` (one string per pair: the cited passages' outlets and titles) lets a
        sentence name who reported something ("The Guardian reported …") without that name
        having to appear inside the quoted passage; it counts for names only."""
        texts = list(dict.fromkeys(t for s, ps in pairs for t in (s, " ".join(ps))))
        vec = dict(zip(texts, self._embed_batched(texts), strict=True))
        parse_many(list(dict.fromkeys([t for s, ps in pairs for t in (s, *ps)])))
        out: list[Check] = []
        undecided: list[bool] = []
        for i, (sentence, passages) in enumerate(pairs):
            cos = float(vec[sentence] @ vec[" ".join(passages)]) if passages else 0.0
            check, is_open = self._score(sentence, passages, cos, sources[i] if sources else "")
            out.append(check)
            undecided.append(is_open)
        # A sentence one of several passages tells is as close to that passage as to one that
        # says nothing else, but the others' words dilute the joint vector: where no rule
        # rejected such a pair, closeness is also taken to each passage alone (embedded only
        # then, so a supported answer pays nothing more) — for the score, not to excuse
        # missing words.
        retry = [
            i
            for i, ((_, passages), c) in enumerate(zip(pairs, out, strict=True))
            if len(passages) > 1 and not c.supported and not c.findings
        ]
        alone = list(dict.fromkeys(p for i in retry for p in pairs[i][1] if p not in vec))
        vec.update(zip(alone, self._embed_batched(alone), strict=True))
        for i in retry:
            sentence, passages = pairs[i]
            cos = max(float(vec[sentence] @ vec[p]) for p in [" ".join(passages), *passages])
            joint = float(vec[sentence] @ vec[" ".join(passages)])
            out[i], undecided[i] = self._score(
                sentence, passages, cos, sources[i] if sources else "", joint
            )
        open_items = [i for i, is_open in enumerate(undecided) if is_open]
        self._substitutions(pairs, out)
        if use_judge:
            self._judge_open(pairs, out, open_items)
            self._veto(pairs, out)
        return out

    # -- layer 1 + 2
    def _score(
        self,
        sentence: str,
        passages: list[str],
        cos: float,
        sources: str = "",
        joint: float | None = None,
    ) -> tuple[Check, bool]:
        """The check and whether it is open (no rule decided, the score is near the line).
        ``joint``: closeness to the passages together, when ``cos`` is to one of them alone —
        only the joint one may excuse low word coverage as a paraphrase (a heading that names
        the sentence's topic is close to it without saying it)."""
        cfg = self.config
        if not passages:
            return Check(False, 0.0, ["no passage cited"], 0.0), False
        outlets = sources.outlets if isinstance(sources, Sources) else ()
        published = sources.published if isinstance(sources, Sources) else ()
        each = sources.each if isinstance(sources, Sources) else ()
        passages = anchored(passages, published, each)  # "Wednesday" → its date, for checking
        if isinstance(sources, Sources) and outlets:
            sentence = source_label(sentence, list(outlets), list(sources.published))
        if isinstance(sources, Sources) and sources.published:
            named = " | ".join(outlets).lower()
            sentence = report_dates(sentence, list(sources.published), named)
        sources = str(sources)  # the text, for names (spaCy takes exact strings)
        findings = compare(sentence, passages, sources, outlets)
        reasons = [f.reason for f in findings]
        contradicted = any(f.contradiction for f in findings)
        claim_doc, *pdocs = parse_many([sentence, *passages])
        told = telling_words(claim_doc, outlets)
        coverage, uncovered, n_terms, headline = self._coverage(claim_doc, pdocs, sources, told)
        if sentence.rstrip(" '\"”’)").endswith("?"):
            reasons.append("it asks a question; only a statement can be supported")
        elif n_terms < 2:
            reasons.append("it says too little to be checked (fewer than two content words)")
        said = _only_names_shared(claim_doc, set(uncovered) | set(headline))
        if said:
            reasons.append(
                "it shares only names and numbers with the passages, none of what it says of "
                f"them ({', '.join(said[:4])})"
            )
        loose = _unrelated(claim_doc, pdocs, set(uncovered))
        if loose:
            a, b = loose
            reasons.append(
                f"its words are in the passages but not related as it relates them ('{a}' … '{b}')"
            )
        score = 0.5 * coverage + 0.5 * max(cos, 0.0)
        close = (cos if joint is None else joint) >= cfg.paraphrase_cosine
        close = close and coverage >= cfg.paraphrase_coverage
        if coverage < cfg.min_coverage and not close:
            shown = ", ".join(uncovered[:4])
            reasons.append(
                f"only {coverage:.0%} of its content words are in the cited passages"
                + (f" (not found: {shown})" if shown else "")
            )
        supported = not reasons and score >= self.threshold
        attributed = score >= self.threshold and all(
            r in [f.reason for f in findings if f.kind == "attribution"] for r in reasons
        )
        if not supported and not reasons:
            reasons.append(f"support score {score:.2f} below {self.threshold:.2f}")
        verdict: Verdict = (
            "entailed" if supported else "contradicted" if contradicted else "not_enough_info"
        )
        check = Check(
            supported,
            round(score, 4),
            reasons,
            round(coverage, 4),
            verdict,
            findings,
            uncovered=uncovered,
            terms=n_terms,
            attributed=attributed,
        )
        # Open: nothing but the score decided it, and the score is near the line.
        hard = bool(findings)
        near = abs(score - self.threshold) <= cfg.judge_band or (
            not supported and coverage >= cfg.paraphrase_coverage and cos >= 0.6
        )
        return check, (not hard and near)

    def _coverage(
        self, claim_doc, pdocs, sources: str = "", told: set[int] = frozenset()
    ) -> tuple[float, list[str], int, list[str]]:
        """Share of the sentence's content words found in the passages: same lemma or stem,
        same first five letters of a long word (mobilize / mobilization), or a close synonym
        by the embedder (regained / took back). A noun or name may also come from ``sources``
        (the article's outlet and headline say what a passage is about: "Construction will
        start …" in an article on the Kestrel dam) — never what happened, so verbs and
        adjectives must be in the passage itself. Returns the coverage, the words not found,
        the number of content words and the words found only in ``sources``. A word the
        sentence repeats counts once ("The mobilized personnel … supplied mobilized
        personnel" is not better covered for saying its subject twice). Words at the indices
        ``told`` (who told it: "the Verge article reports") are not counted."""
        terms = _distinct([t for t in _content(claim_doc) if t.i not in told])
        if not terms:
            return 0.0, [], 0, []
        p_tokens = [t for d in pdocs for t in _content(d)]
        found, unknown, named = [], [], []
        for t in terms:
            (found if _matches(t, p_tokens) else unknown).append(t)
        if unknown and sources:
            about = _content(parse_many([sources])[0])
            named = [t for t in unknown if t.pos_ in ("NOUN", "PROPN") and _matches(t, about)]
            found += named
            unknown = [t for t in unknown if t not in named]
        if unknown and p_tokens:
            words = [t.lemma_.lower() for t in unknown]
            cands = sorted({t.lemma_.lower() for t in p_tokens})
            vecs = self._word_vectors(words + cands)
            sims = vecs[: len(words)] @ vecs[len(words) :].T
            best = sims.max(axis=1)
            still = [
                t for t, b in zip(unknown, best, strict=True) if b < self.config.synonym_cosine
            ]
            found += [t for t in unknown if t not in still]
            unknown = still
        return (
            len(found) / len(terms),
            [t.text for t in unknown],
            len(terms),
            [t.text for t in named],
        )

    def _embed_batched(self, texts: list[str], size: int = 32) -> list[np.ndarray]:
        """Vectors of ``texts`` in batches of similar length (a long answer's many passages in
        one batch would pad every text to the longest)."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[np.ndarray] = [np.zeros(0)] * len(texts)
        for at in range(0, len(order), size):
            idx = order[at : at + size]
            for i, v in zip(idx, self.embed([texts[i] for i in idx]), strict=True):
                out[i] = v
        return out

    def _word_vectors(self, words: list[str]) -> np.ndarray:
        """Vectors of single words, each embedded once per checker (the same passage words
        come back for every sentence checked against them)."""
        todo = [w for w in dict.fromkeys(words) if w not in self._words]
        if todo:
            if len(self._words) > 50_000:
                self._words.clear()
            self._words.update(zip(todo, self.embed(todo), strict=True))
        return np.stack([self._words[w] for w in words])

    # -- layer 3
    def _substitutions(self, pairs, out: list[Check]) -> None:
        """The aligned-substitution judge on the pairs the rules accepted: a phrase the model
        does not judge the same as the passage's in that slot rejects the pair (an opposite
        one contradicts it)."""
        if self.substitution is None:
            return
        todo = [i for i, c in enumerate(out) if c.supported or c.attributed]
        found = self.substitution.findings_many([pairs[i] for i in todo]) if todo else []
        for i, findings in zip(todo, found, strict=True):
            if not findings:
                continue
            c = out[i]
            c.findings = [*c.findings, *findings]
            c.reasons = [*c.reasons, *(f.reason for f in findings)]
            c.supported = c.attributed = False
            clash = any(f.contradiction for f in findings)
            c.verdict = "contradicted" if clash else "not_enough_info"

    def _judge_open(self, pairs, out: list[Check], open_items: list[int]) -> None:
        if not (self.judge_open and self.judge_many and open_items):
            return
        chosen = open_items[: self.config.judge_max_pairs]
        verdicts = self.judge_many([(pairs[i][0], " ".join(pairs[i][1])) for i in chosen])
        for i, verdict in zip(chosen, verdicts, strict=True):
            c = out[i]
            c.judged = verdict
            if verdict == "entailed" and not c.supported:
                c.supported, c.verdict = True, "entailed"
                c.reasons = []
            elif verdict != "entailed" and c.supported:
                c.supported = False
                c.verdict = "contradicted" if verdict == "contradicted" else "not_enough_info"
                c.reasons.append(f"the model judged it {verdict.replace('_', ' ')}")
            elif verdict == "contradicted":
                c.verdict = "contradicted"

    def _veto(self, pairs, out: list[Check]) -> None:
        if self.judge is None:
            return
        for (sentence, passages), c in zip(pairs, out, strict=True):
            if not c.supported or c.judged:
                continue
            verdict = self.judge(sentence, " ".join(passages))
            c.judged = verdict
            if verdict != "entailed":
                c.reasons.append(f"the model judged it {verdict.replace('_', ' ')}")
                c.supported = False
                c.verdict = "contradicted" if verdict == "contradicted" else "not_enough_info"


def llm_judge(generator, max_tokens: int = 24) -> Callable[[str, str], str]:
    """A judge that asks the model for a schema-constrained entailment verdict on one pair."""
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


def llm_judge_many(generator) -> Callable[[list[tuple[str, str]]], list[str]]:
    """A judge that asks the model for verdicts on several pairs in one call (one pair alone
    goes through the single-pair prompt)."""
    from .prompting import judge_many_messages, judge_many_schema

    single = llm_judge(generator)

    def judge(items: list[tuple[str, str]]) -> list[str]:
        if len(items) <= 1:
            return [single(c, p) for c, p in items]
        messages = judge_many_messages(items)
        text = "".join(
            generator.stream(messages, judge_many_schema(len(items)), 24 * len(items) + 16, 0.0)
        )
        try:
            data = json.loads(text)
            verdicts = [str(v.get("verdict", "not_enough_info")) for v in data["verdicts"]]
        except (json.JSONDecodeError, AttributeError, KeyError, TypeError):
            verdicts = []
        verdicts += ["not_enough_info"] * (len(items) - len(verdicts))
        return verdicts[: len(items)]

    return judge
