"""The answering pipeline: retrieve → evidence → constrained generation → verify → answer.

A weak model cannot produce an unsupported, uncited or misquoted sentence here: it only
chooses evidence ids and phrases sentences; every quote comes from the stored offsets, every
sentence is checked against the passages it cites (re-cited or removed when it fails), and when
nothing usable is left the answer falls back to quoting the best evidence, or abstains.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

from index.errors import TwoSourceError

from .llm import Generator
from .meaning import BODY_WORDS, NAME_SUFFIXES
from .named import decide_name, name_contexts, parse_name
from .premise import Refutation, refute
from .prompting import (
    ABSTAIN_MESSAGE,
    EXTRACTIVE_MESSAGE,
    UNSUPPORTED_MESSAGE,
    answer_messages,
    answer_schema,
    output_field,
    prefix_probe,
    sentences_done,
)
from .question import (
    QuestionAnalysis,
    analyze,
    archive_outlets,
    articles_named,
    evidence_budget,
    premises,
    question_clauses,
    report_order,
    retrieval_plan,
    whether_clause,
)
from .records import Answer, Citation, ComparedDate, Evidence, Sentence, StreamEvent, Verdict
from .retrieve import (
    Filters,
    Retriever,
    by_article,
    select_evidence,
    select_evidence_covering,
)
from .verify import Sources, SupportChecker

# Small words that an organisation's initials leave out ("Department of Justice" → DOJ).
_INITIALS_SKIP = frozenset("of and the for in on at to".split())


class QuestionError(TwoSourceError):
    exit_code = 2


_TEXT_FIELD = re.compile(r'"text"\s*:\s*"((?:[^"\\]|\\.)*)(")?')


def partial_texts(raw: str) -> str:
    """The sentence texts inside a partial JSON answer, joined: what a user may see so far."""
    parts = []
    for m in _TEXT_FIELD.finditer(raw):
        body = m.group(1)
        if not m.group(2):
            body = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", body)  # drop a half escape
        try:
            parts.append(json.loads(f'"{body}"'))
        except json.JSONDecodeError:
            parts.append(body)
    return " ".join(p.strip() for p in parts if p.strip())


def parse_output(raw: str, valid: set[int]) -> tuple[bool, list[tuple[str, list[int]]]] | None:
    """(answerable, [(sentence, evidence ids)]) from the model's JSON, or None if unusable."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sentences", []), list):
        return None
    out = []
    for item in data.get("sentences", []):
        if not isinstance(item, dict):
            continue
        text = " ".join(str(item.get("text", "")).split())
        ids = [int(i) for i in item.get("evidence", []) if isinstance(i, int) and i in valid]
        if text:
            out.append((text, list(dict.fromkeys(ids))))
    # Verified sentences are the answer whatever the model's own flag says.
    return bool(out) or bool(data.get("answerable", False)), out


def parse_verdict(raw: str) -> str:
    """The model's verdict ("yes", "no", "unclear") from its JSON, "" when it gave none."""
    value = output_field(raw, "verdict")
    return value if value in ("yes", "no", "unclear") else ""


def needs_verdict(analysis: QuestionAnalysis) -> bool:
    """A question answered by yes or no (including comparisons and before/after questions put
    as yes/no questions) gets an explicit verdict."""
    return "yes_no" in analysis.kinds


def decide_verdict(answer: Answer, analysis: QuestionAnalysis, said: str) -> Verdict:
    """The verdict shown for a yes/no question: the model's "yes" or "no" only when sentences
    that passed the check stand behind it — for "yes" to a question about several outlets,
    checked sentences citing each of them (a "no" needs one: one part that is not so makes the
    whole "no"); a question about two articles of one outlet ("… while another article from
    the Herald …") needs both cited. Otherwise "unknown", shown as "The archive does not say
    whether …"."""
    kept = [
        i
        for i, s in enumerate(answer.sentences)
        if s.verdict in ("supported", "re-cited") and s.citations
    ]
    value, reason = "unknown", ""
    if answer.status == "abstained":
        reason = "no answer was found in the archive"
    elif answer.extractive or not kept:
        reason = "no sentence of the model's answer passed the check"
    elif said not in ("yes", "no"):
        reason = "the model did not find a yes or a no in the passages"
    else:
        cited: dict[str, set[str]] = {}  # outlet → the articles checked sentences cite
        for i in kept:
            for c in answer.sentences[i].citations:
                cited.setdefault((c.outlet or "").lower(), set()).add(c.doc_id)
        named = articles_named(analysis)
        missing = [
            o if n == 1 else f"a second article of {o}"
            for o, n in named.items()
            if len(cited.get(o.lower(), ())) < n
        ]
        if said == "yes" and sum(named.values()) >= 2 and missing:
            reason = "no checked sentence rests on " + " or ".join(missing)
        else:
            value = said
            reason = f"the model said {said}, and the sentences it rests on passed the check"
            order = report_order(analysis)
            if order is not None:
                value, reason = _order_verdict(order, answer, kept, said, value, reason)
    basis = kept if value != "unknown" else []
    cites: dict[tuple[str, int, int], Citation] = {}
    for i in basis:
        for c in answer.sentences[i].citations:
            cites.setdefault((c.doc_id, c.start, c.end), c)
    dates: list[ComparedDate] = []
    if value != "unknown" and "temporal" in analysis.kinds:
        seen = set()
        for c in sorted(cites.values(), key=lambda c: c.published or "9999"):
            key = (c.outlet, c.published)
            if c.published and key not in seen:
                seen.add(key)
                dates.append(ComparedDate(c.outlet, c.published, c.doc_id, c.title))
    return Verdict(
        value=value,
        lead=verdict_lead(value, analysis.question, dates),
        said=said,
        reason=reason,
        basis=basis,
        citations=list(cites.values()),
        dates=dates,
    )


def _order_verdict(
    order: tuple[str, str, str], answer: Answer, kept: list[int], said: str, value: str, reason: str
) -> tuple[str, str]:
    """The verdict of "Did A report X before B reported Y?" comes from the publication dates of
    the articles of A and of B that checked sentences cite, not from the model: "yes" when they
    are in the order asked, "no" when in the other, "unknown" when the dates overlap or tie.
    With no checked sentence citing one of the two, the verdict stays as it was."""
    first, link, second = order
    dates: dict[str, list[str]] = {first.lower(): [], second.lower(): []}
    for i in kept:
        for c in answer.sentences[i].citations:
            if (c.outlet or "").lower() in dates and c.published:
                dates[(c.outlet or "").lower()].append(c.published)
    a, b = dates[first.lower()], dates[second.lower()]
    if not a or not b:
        return value, reason
    if not all("T" in d for d in a + b):  # a day against a time: compare days
        a, b = [d[:10] for d in a], [d[:10] for d in b]
    shown = f"{first} of {max(a)}" if len(set(a)) == 1 else f"{first} of {min(a)}–{max(a)}"
    shown += f", {second} of {max(b)}" if len(set(b)) == 1 else f", {second} of {min(b)}–{max(b)}"
    if max(a) < min(b):
        found = "before"
    elif min(a) > max(b):
        found = "after"
    else:
        return "unknown", f"the cited articles' dates do not settle which came first ({shown})"
    value = "yes" if found == link else "no"
    note = "" if value == said else f"; the model said {said}"
    return value, f"the cited articles' publication dates decide ({shown}){note}"


# A question asking whether reports conflict: its "yes" claims a contradiction.
_CONFLICT = re.compile(
    r"\b(?:inconsisten\w*|contradict\w*|disagree\w*|conflicting|at odds)\b", re.IGNORECASE
)


# … and one that asks which of the two it is ("consistent or inconsistent?"): no yes/no
_EITHER_WAY = re.compile(
    r"\b(?:(?:in)?consisten\w*|(?:dis)?agree\w*|contradict\w*|conflicting|differ\w*|the same)"
    r"\s+or\s+(?:not|(?:in)?consisten\w*|(?:dis)?agree\w*|contradict\w*|conflicting|differ\w*"
    r"|the same)\b",
    re.IGNORECASE,
)


def confirm_conflict(answer: Answer, analysis: QuestionAnalysis) -> None:
    """A "yes" to a question asking whether reports are inconsistent, contradict or disagree
    claims a contradiction between them, so it stands only on one the checks found: a
    sentence of the answer that another archive passage disputes (corroboration). The model
    alone says "yes" to nearly every such question. Without a found contradiction, where the
    checked sentences rest on two articles or more (the reports compared, each checked), the
    answer is "No —" on them; otherwise "The archive does not say whether …"."""
    v = answer.verdict
    if v is None or v.value != "yes" or not _CONFLICT.search(analysis.question):
        return
    if any(s.corroboration and s.corroboration.status == "disputed" for s in answer.sentences):
        return
    reason = "the model said yes, but the checks found no passage contradicting another"
    articles = {c.doc_id for c in v.citations}
    if len(articles) >= 2 and not _EITHER_WAY.search(analysis.question):
        # the reports compared were each checked, and none contradicts another: "no"
        answer.verdict = Verdict(
            value="no",
            lead=verdict_lead("no", analysis.question, v.dates),
            said=v.said,
            reason=f"{reason} among the {len(articles)} cited articles, whose sentences passed "
            "the check",
            basis=v.basis,
            citations=v.citations,
            dates=v.dates,
        )
    else:
        answer.verdict = Verdict(
            value="unknown",
            lead=verdict_lead("unknown", analysis.question),
            said=v.said,
            reason=reason,
        )
    if answer.sentences:
        answer.sentences[0].lead = answer.verdict.lead


# A question asking which of the two reports are: "consistent or inconsistent?"
_CONSISTENCY = re.compile(
    r"\bconsistent\s+or\s+(?:in|not\s+)consistent\b|\bconsistent\s+or\s+not\b", re.IGNORECASE
)


def settle_consistency(answer: Answer, analysis: QuestionAnalysis) -> None:
    """ "Were the reports consistent or inconsistent?" answered from the checks: with checked
    (or quoted) sentences resting on two articles or more — each article the question names —
    "Inconsistent" when a passage of one of those articles contradicts a sentence resting on
    another (corroboration found the dispute), "Consistent" when none does. Otherwise the
    answer is left as it is (no choice shown)."""
    if answer.status != "answered" or not _CONSISTENCY.search(analysis.question):
        return
    kept = [
        i
        for i, s in enumerate(answer.sentences)
        if s.verdict in ("supported", "re-cited", "extractive") and s.citations
    ]
    articles: dict[str, set[str]] = {}  # outlet → cited articles
    for i in kept:
        for c in answer.sentences[i].citations:
            articles.setdefault((c.outlet or "").lower(), set()).add(c.doc_id)
    docs = set().union(*articles.values()) if articles else set()
    named = articles_named(analysis)
    if len(docs) < 2 or any(len(articles.get(o.lower(), ())) < n for o, n in named.items()):
        return
    clash = [
        i
        for i in kept
        if (co := answer.sentences[i].corroboration) is not None
        and any(
            d.doc_id in docs and d.doc_id not in {c.doc_id for c in answer.sentences[i].citations}
            for d in co.disputing
        )
    ]
    basis = clash[:1] or kept
    cites = {(c.doc_id, c.start, c.end): c for i in basis for c in answer.sentences[i].citations}
    if clash:
        value, lead = "inconsistent", "Inconsistent — "
        reason = "a passage of one of the cited articles contradicts a checked sentence of another"
    else:
        value, lead = "consistent", "Consistent — "
        reason = (
            f"the checked sentences rest on {len(docs)} articles, and the checks found no "
            "passage of one contradicting another"
        )
    said = answer.verdict.said if answer.verdict else ""
    answer.verdict = Verdict(value, lead, said, reason, basis, list(cites.values()))
    for s in answer.sentences:
        s.lead = ""
    first = answer.sentences.pop(basis[0])
    first.lead = lead
    answer.sentences.insert(0, first)
    answer.verdict.basis = [0, *basis[1:]]  # the others come after basis[0]: unmoved


def answer_no(answer: Answer, analysis: QuestionAnalysis, refuted: Refutation) -> None:
    """A question whose premise a passage of the named outlet contradicts is answered "No"
    on that passage: its sentence, quoted exactly, comes first with the verdict, the model's
    checked sentences (if any) follow."""
    p, c = refuted.premise, refuted.citation
    said = answer.verdict.said if answer.verdict else ""
    for s in answer.sentences:
        s.lead = ""
    first = Sentence(c.quote, [c], 1.0, "extractive")
    answer.verdict = Verdict(
        value="no",
        lead=verdict_lead("no", analysis.question),
        said=said,
        reason=f"the question has {p.outlet} report “{p.claim.rstrip('.')}”, but its passage "
        f"says otherwise ({refuted.reason})",
        basis=[0],
        citations=[c],
    )
    first.lead = answer.verdict.lead
    # a quoted passage holding that sentence is not quoted a second time
    answer.sentences = [first] + [
        s
        for s in answer.sentences
        if not (
            s.verdict == "extractive"
            and any(x.doc_id == c.doc_id and x.start <= c.start < x.end for x in s.citations)
        )
    ]
    if answer.status == "abstained":
        answer.status, answer.outcome, answer.extractive = "answered", "extractive", True
        answer.message = (
            "No sentence of the model's answer passed the check; the passage quoted says "
            f"otherwise than the question says {p.outlet} reported."
        )


def verdict_lead(value: str, question: str, dates: list[ComparedDate] = ()) -> str:
    """The words before the answer's first sentence: "Yes — ", "No — " (with the publication
    dates a temporal question compares), or "The archive does not say whether … "."""
    if value in ("yes", "no"):
        lead = "Yes — " if value == "yes" else "No — "
        if len(dates) >= 2:
            shown = [f"{d.outlet or 'an unknown outlet'} of {d.published}" for d in dates]
            lead += "comparing " + ", ".join(shown[:-1]) + " with " + shown[-1] + ": "
        elif len(dates) == 1:
            lead += f"(from {dates[0].outlet or 'an unknown outlet'} of {dates[0].published}) "
        return lead
    clause = whether_clause(question)
    if clause:
        return f"The archive does not say {clause}. "
    return "The archive does not say whether the answer is yes or no. "


def citation_for(ev: Evidence, url: str = "") -> Citation:
    return Citation(
        doc_id=ev.doc_id,
        title=ev.title,
        outlet=ev.outlet,
        published=ev.published,
        start=ev.start,
        end=ev.end,
        quote=ev.text,
        eid=ev.eid,
        url=url,
    )


class AnswerEngine:
    def __init__(
        self, retriever: Retriever, generator_factory, settings, checker=None, corroborator=None
    ):
        self.retriever = retriever
        self._generator_factory = generator_factory
        self._generator: Generator | None = None
        self.settings = settings
        self.checker = checker or SupportChecker(
            retriever.embed_cached, settings.answer.support_threshold
        )
        self.corroborator = corroborator
        self._outlets: list[str] | None = None
        self._meta_words: dict[str, set[int]] | None = None  # title/outlet word → documents

    def known_outlets(self) -> list[str]:
        """The archive's outlets (documents' metadata), read once per opened index."""
        if self._outlets is None:
            self._outlets = archive_outlets(self.retriever.index.documents())
        return self._outlets

    def analyze(self, question: str) -> QuestionAnalysis:
        return analyze(question, self.known_outlets())

    def gather(
        self, q: str, k: int, filters: Filters | None = None
    ) -> tuple[QuestionAnalysis, list[Evidence]]:
        """Analyse the question and retrieve its evidence: named outlets and dates boost, a
        question naming several outlets retrieves per outlet (explicit filters win)."""
        analysis = self.analyze(q)
        boost, parts = retrieval_plan(analysis, filters)
        a, cfg = self.settings.answer, self.settings.retrieval
        n = evidence_budget(analysis, len(parts), a.evidence, a.evidence_per_part, a.evidence_max)
        if parts:
            groups = [
                self.retriever.retrieve(p.query, k=k, filters=p.filters, boost=p.boost or boost)
                for p in parts
            ]
            ones = [p.one_article for p in parts]
            picked = select_evidence_covering(groups, n=n, config=cfg, one_article=ones)
            return analysis, by_article(picked)
        cands = self.retriever.retrieve(q, k=k, filters=filters, boost=boost)
        return analysis, by_article(select_evidence(cands, n=n, config=cfg))

    def relevance(self, q: str, evidence: list[Evidence]) -> float:
        """How relevant the evidence is to the question: its best sentence score, or — for a
        question of several clauses, whose words no single sentence can cover — the best
        score of a sentence against any one of its clauses, judged as a one-clause question
        is (the same scoring and the same ``answer.abstain_below``)."""
        best = max((e.score for e in evidence), default=0.0)
        clauses = question_clauses(q)
        a = self.settings.answer
        if len(clauses) < 2 or not evidence or best >= max(a.abstain_below, a.off_topic_below):
            return best
        return max(best, *self._clause_scores(clauses, [e.text for e in evidence]))

    def _clause_scores(self, clauses: list[str], texts: list[str]) -> list[float]:
        """Each text's best score against any one of the clauses (the retrieval score, as
        ``answer.abstain_below`` uses it)."""
        scores = [0.0] * len(texts)
        for clause, vec in zip(clauses, self.retriever.embed_cached(clauses), strict=True):
            for i, score in enumerate(self.retriever.score_texts(clause, vec, texts)):
                scores[i] = max(scores[i], float(score))
        return scores

    def unknown_names(self, analysis: QuestionAnalysis) -> list[str]:
        """People and organisations the question names that the archive never mentions: not
        in a passage (every word of the name in one chunk, or — for a name of several words —
        its last word, capitalised, as news text calls a person or a team after the first
        mention: "Kane", "the Seahawks"), nor in a document's title or outlet. The archive
        cannot answer a question about them."""
        missing = []
        orgs = set(analysis.organisations)
        for name in (*analysis.people, *analysis.organisations):
            is_org = name in orgs
            name = re.sub(r"['’]s?$", "", name).strip()
            words = [w.lower() for w in re.findall(r"\w+", name) if len(w) > 1]
            if not words or self._mentioned(words) or self._in_metadata(words):
                continue
            if is_org and self._initials_mentioned(name):
                continue
            # the last word that is not a suffix ("Jr.", "III", "Inc.") nor, in an
            # organisation's name, a word for its kind of body ("Communications"): a surname
            # of three letters counts as well ("Lee", "Cue"), the suffix itself never does
            skip = NAME_SUFFIXES | (BODY_WORDS if is_org else frozenset())
            core = [w for w in re.findall(r"\w+", name) if w.lower() not in skip]
            last = core[-1] if core else ""
            if (
                len(words) > 1
                and (len(core) > 1 or is_org)
                and len(last) >= 3
                and last[:1].isupper()
                and not last.isupper()
                and self._mentioned([last], case_sensitive=True)
            ):
                continue
            missing.append(name)
        return list(dict.fromkeys(missing))

    def _initials_mentioned(self, name: str) -> bool:
        """An organisation of three or more capitalised words is also named by their initials
        ("National Music Publishers Association" → NMPA), in a passage (in capitals) or in a
        document's title or outlet."""
        words = [w for w in re.findall(r"\w+", name) if w.lower() not in _INITIALS_SKIP]
        if len(words) < 3 or not all(w[:1].isupper() for w in words):
            return False
        initials = "".join(w[0] for w in words).upper()
        return self._mentioned([initials], case_sensitive=True) or self._in_metadata(
            [initials.lower()]
        )

    def _mentioned(self, words: list[str], case_sensitive: bool = False) -> bool:
        index = self.retriever.index
        hits = index.lexical(" ".join(words), self.settings.retrieval.pool_min)
        chunks = index.chunks([cid for cid, _ in hits])
        flags = 0 if case_sensitive else re.IGNORECASE
        patterns = [re.compile(rf"(?<!\w){re.escape(w)}(?!\w)", flags) for w in words]
        return any(all(p.search(c.text) for p in patterns) for c in chunks.values())

    def _in_metadata(self, words: list[str]) -> bool:
        """Every word of a name in one document's title or outlet name."""
        if self._meta_words is None:
            self._meta_words = {}
            for i, d in enumerate(self.retriever.index.documents()):
                text = f"{d.meta.title or ''} {d.meta.outlet or ''}".lower()
                for w in set(re.findall(r"\w+", text)):
                    self._meta_words.setdefault(w, set()).add(i)
        docs = None
        for w in words:
            have = self._meta_words.get(w, set())
            docs = have if docs is None else docs & have
            if not docs:
                return False
        return bool(docs)

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = self._generator_factory()
        return self._generator

    def validate(self, question: str) -> str:
        q = " ".join((question or "").split())
        if not q:
            raise QuestionError("the question is empty — ask something about your archive")
        limit = self.settings.answer.max_question_chars
        if len(q) > limit:
            raise QuestionError(
                f"the question is {len(q)} characters long; the limit is {limit} "
                "(answer.max_question_chars) — ask a shorter question"
            )
        if not re.search(r"\w", q):
            raise QuestionError("the question has no words in it")
        return q

    def stream(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        rewritten: str = "",
    ) -> Iterator[StreamEvent]:
        """Evidence first, then the answer text as it is written, then the checked answer.
        ``rewritten``: the standalone form of a follow-up question, used in its place."""
        t0 = time.perf_counter()
        asked = self.validate(question)
        q = self.validate(rewritten) if rewritten else asked
        cfg = self.settings.answer
        self.warm_up()  # the model loads while retrieval runs
        analysis, evidence = self.gather(q, k or cfg.k, filters)
        timings = {"retrieval_s": time.perf_counter() - t0}
        yield StreamEvent("evidence", evidence=tuple(evidence))
        best = self.relevance(q, evidence)
        unknown = self.unknown_names(analysis) if best >= cfg.abstain_below else []
        if best < cfg.abstain_below or unknown:
            answer = self._abstain(q, evidence, timings)
            answer.outcome = "nothing_relevant"
            if unknown:
                answer.message += f" It never mentions {_join(unknown)}."
            asked_of = [p.outlet for p in retrieval_plan(analysis, filters)[1]]
            if len(set(asked_of)) == 1 and best < cfg.abstain_below:
                answer.message += (
                    f" Only the articles of {asked_of[0]}, which the question names, were searched."
                )
            _label(answer, asked, q, analysis)
            if needs_verdict(analysis):
                answer.verdict = decide_verdict(answer, analysis, "")
            yield StreamEvent("answer", answer=answer)
            return

        verdict = needs_verdict(analysis)
        messages = answer_messages(
            q,
            evidence,
            cfg.max_sentences,
            verdict=verdict,
            outlets=analysis.outlets if len(analysis.outlets) >= 2 else (),
            temporal="temporal" in analysis.kinds,
            asks_for=analysis.asks_for,
            names_asked=analysis.names_asked,
        )
        name = bool(analysis.asks_for) and not verdict
        schema = answer_schema(
            [e.eid for e in evidence], cfg.max_sentences, verdict=verdict, name=name
        )
        raw, shown = "", ""
        t_gen = time.perf_counter()
        n_deltas = 0
        for delta in self.generator.stream(
            messages, schema, self.settings.llm.max_tokens, self.settings.llm.temperature
        ):
            if n_deltas == 0:
                t_first = time.perf_counter()
                timings["first_token_s"] = t_first - t0
            n_deltas += 1
            raw += delta
            text = partial_texts(raw)
            if text != shown and text.startswith(shown):
                yield StreamEvent("token", text=text[len(shown) :])
                shown = text
            done = sentences_done(raw) if not (verdict or name) and "," in delta else None
            if done is not None:  # what follows the sentences ("answerable") changes nothing
                raw = done
                break
        timings["generation_s"] = time.perf_counter() - t_gen
        timings["tokens"] = float(n_deltas)
        if n_deltas > 1:  # decoding speed, after the prompt was processed
            timings["tokens_per_s"] = (n_deltas - 1) / max(time.perf_counter() - t_first, 1e-9)
        t_v = time.perf_counter()
        # passages only related to the question (under answer.off_topic_below) are not
        # quoted in place of the model's answer: only its checked sentences can answer
        quote = best >= cfg.off_topic_below
        answer = self._finish(q, evidence, raw, timings, analysis, quote)
        if verdict:
            answer.verdict = decide_verdict(answer, analysis, parse_verdict(raw))
            refuted = refute(premises(analysis), evidence, self.checker)
            if refuted is not None:
                answer_no(answer, analysis, refuted)
            elif answer.sentences:
                answer.sentences[0].lead = answer.verdict.lead
        elif name:
            self._name(answer, analysis, evidence, parse_name(raw))
        timings["verification_s"] = time.perf_counter() - t_v
        if self.corroborator is not None:
            t_c = time.perf_counter()
            self.corroborator.assess(answer)
            timings["corroboration_s"] = time.perf_counter() - t_c
        if verdict:
            confirm_conflict(answer, analysis)
        settle_consistency(answer, analysis)
        timings["total_s"] = time.perf_counter() - t0
        _label(answer, asked, q, analysis)
        yield StreamEvent("answer", answer=answer)

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None) -> Answer:
        answer = None
        for event in self.stream(question, k, filters):
            if event.kind == "answer":
                answer = event.answer
        assert answer is not None
        return answer

    def warm_up(self) -> None:
        """Let a local model load itself and its fixed prompt prefix in the background."""
        try:
            prepare = getattr(self.generator, "prepare", None)
        except TwoSourceError:
            return  # reported when the model is needed (an abstention does not need it)
        if prepare is not None:
            prepare(prefix_probe(self.settings.answer.max_sentences))

    # -- the checked answer
    def _finish(
        self,
        q: str,
        evidence: list[Evidence],
        raw: str,
        timings: dict,
        analysis: QuestionAnalysis | None = None,
        quote: bool = True,
    ) -> Answer:
        """The model's output checked sentence by sentence; without one that passed (and is
        about the question), the passages are quoted instead — unless ``quote`` is false."""
        by_id = {e.eid: e for e in evidence}
        parsed = parse_output(raw, set(by_id))
        model = getattr(self.generator, "name", "")
        outlets = analysis.outlets if analysis is not None else ()
        if parsed is None:
            return self._fallback(
                q,
                evidence,
                timings,
                "the model's output was not valid JSON",
                outlets=outlets,
                quote=quote,
            )
        answerable, items = parsed
        if not answerable or not items:
            return self._fallback(
                q, evidence, timings, "the model found no answer", outlets=outlets, quote=quote
            )
        pairs = [(text, [by_id[i].text for i in ids]) for text, ids in items]
        checks = self.checker.check_many(
            pairs, [_sources(by_id[i] for i in ids) for _, ids in items]
        )
        kept: list[Sentence] = []
        removed: list[Sentence] = []
        seen: set[str] = set()
        for (text, ids), check in zip(items, checks, strict=True):
            key = " ".join(text.lower().split())
            if key in seen:  # small models repeat themselves
                continue
            seen.add(key)
            cites = [citation_for(by_id[i]) for i in ids]
            if check.supported:
                ids = self._minimal_support(text, ids, by_id)
                cites = [citation_for(by_id[i]) for i in ids]
                kept.append(Sentence(text, cites, check.score, "supported"))
                continue
            better = self._recite(text, evidence)
            if better is not None:
                ev, score = better
                kept.append(
                    Sentence(
                        text,
                        [citation_for(ev)],
                        score,
                        "re-cited",
                        [f"re-cited: {'; '.join(check.reasons)}"],
                    )
                )
            else:
                removed.append(Sentence(text, cites, check.score, "removed", check.reasons))
        if not kept:
            return self._fallback(
                q,
                evidence,
                timings,
                "no sentence of the model's answer was supported",
                removed,
                outlets=outlets,
                quote=quote,
            )
        kept, off_topic = self._about_question(q, kept)
        if not kept:
            # every checked sentence is about something else: the model missed the question,
            # so the passages closest to it are quoted instead (or the answer abstains)
            answer = self._fallback(
                q,
                evidence,
                timings,
                "no checked sentence of the model's answer was about the question",
                removed,
                outlets=outlets,
                quote=quote,
            )
        else:
            answer = Answer(
                q, "answered", kept, False, evidence, removed, model=model, timings=timings
            )
        answer.off_topic = off_topic
        return answer

    def _about_question(
        self, q: str, sentences: list[Sentence]
    ) -> tuple[list[Sentence], list[Sentence]]:
        """Split checked sentences into those about the question and those not: a sentence
        true of its passage but about something else ("Philadelphia rolled to a 31-17 win over
        Miami" for a question on the Commanders game) scores under ``answer.off_topic_below``
        against the question and each of its clauses. When none is about the question the
        first list is empty: the model answered something else (the caller quotes the passages
        closest to the question instead)."""
        line = self.settings.answer.off_topic_below
        if line <= 0 or not sentences:
            return sentences, []
        clauses = list(dict.fromkeys([q, *question_clauses(q)]))
        scores = self._clause_scores(clauses, [s.text for s in sentences])
        about, off = [], []
        for s, score in zip(sentences, scores, strict=True):
            if score >= line:
                about.append(s)
            else:
                s.notes = [*s.notes, f"not about the question (relevance {score:.2f} < {line:.2f})"]
                off.append(s)
        return about, off

    def _name(
        self, answer: Answer, analysis: QuestionAnalysis, evidence: list[Evidence], said: str
    ) -> None:
        """Lead the answer with the name the question asks for, when the passages name it
        (:func:`qa.named.decide_name`); a passage that names it is quoted first unless a
        checked sentence already cites one, so what the name rests on is on the page."""
        named = decide_name(
            said, analysis, evidence, citation_for, self._document_text, self._archive_texts
        )
        answer.named = named
        if not named.name:
            return
        keys = {(c.doc_id, c.start, c.end) for c in named.citations}
        by_key = {(e.doc_id, e.start, e.end): e for e in evidence}
        shown = {(c.doc_id, c.start, c.end) for s in answer.sentences for c in s.citations}
        if answer.extractive or not answer.sentences:
            quotes = [
                Sentence(c.quote, [c], by_key[k].score, "extractive")
                for c in named.citations
                for k in [(c.doc_id, c.start, c.end)]
            ]
            rest = [
                s
                for s in answer.sentences
                if not keys & {(c.doc_id, c.start, c.end) for c in s.citations}
            ]
            limit = max(self.settings.answer.extractive_sentences, len(quotes))
            answer.sentences = (quotes + rest)[:limit]
            if answer.status == "abstained":
                answer.status, answer.extractive, answer.outcome = "answered", True, "extractive"
                answer.message = f"{EXTRACTIVE_MESSAGE} ({named.reason})"
        elif not keys & shown:
            c = named.citations[0]
            score = by_key[(c.doc_id, c.start, c.end)].score
            answer.sentences.insert(0, Sentence(c.quote, [c], score, "extractive"))
        answer.sentences[0].lead = f"{named.name} — "

    def _document_text(self, doc_id: str) -> str:
        doc = self.retriever.index.document(doc_id)
        return doc.cleaned_text if doc is not None else ""

    def _archive_texts(self, name: str, k: int = 20) -> list[str]:
        """Windows around ``name`` in the archive's chunks that mention it most (BM25)."""
        index = self.retriever.index
        chunks = index.chunks([cid for cid, _ in index.lexical(name, k)])
        return [w for c in chunks.values() for w in name_contexts(name, c.text, most=2)]

    def _minimal_support(self, text: str, ids: list[int], by_id: dict[int, Evidence]) -> list[int]:
        """Drop cited passages the sentence does not need: a citation stays only if the
        sentence is no longer supported without it."""
        ids = list(ids)
        if len(ids) < 2:
            return ids
        alone = self.checker.check_many(
            [(text, [by_id[i].text]) for i in ids],
            [_sources([by_id[i]]) for i in ids],
            use_judge=False,
        )
        for i, _ in sorted(zip(ids, alone, strict=True), key=lambda x: x[1].score):
            rest = [j for j in ids if j != i]
            passages = [by_id[j].text for j in rest]
            if (
                rest
                and self.checker.check_many(
                    [(text, passages)], [_sources(by_id[j] for j in rest)], use_judge=False
                )[0].supported
            ):
                ids = rest
        return ids

    def _recite(self, text: str, evidence: list[Evidence]) -> tuple[Evidence, float] | None:
        checks = self.checker.check_many(
            [(text, [e.text]) for e in evidence], [_sources([e]) for e in evidence], use_judge=False
        )
        best = max(
            ((e, c.score) for e, c in zip(evidence, checks, strict=True) if c.supported),
            key=lambda x: x[1],
            default=None,
        )
        return best

    def _fallback(
        self,
        q: str,
        evidence: list[Evidence],
        timings: dict,
        why: str,
        removed: list[Sentence] | None = None,
        outlets: tuple[str, ...] = (),
        quote: bool = True,
    ) -> Answer:
        """Relevant passages, but no checked sentence of the model: quote the best passages
        (for a question about several outlets, the best of each outlet first), or abstain when
        none is strong enough to stand as an answer. A passage the model cited for a sentence
        the checker removed stands too: the model found the answer in it but worded it
        unsupportedly, and the passage's own words are exact."""
        best = sorted(evidence, key=lambda e: -e.score)
        cfg = self.settings.answer
        pointed = {c.eid for s in removed or [] for c in s.citations}
        strong = [e for e in best if e.eid in pointed]
        strong += [e for e in best if e.eid not in pointed and e.score >= cfg.extractive_above]
        if not quote:  # only related to the question: no passage stands as its answer
            strong = []
            why += "; the passages are only related to the question, so none is quoted"
        if len(outlets) >= 2:  # one quote per outlet the question names, then the rest
            firsts = [next((e for e in strong if e.outlet == o), None) for o in outlets]
            firsts = [e for e in dict.fromkeys(firsts) if e is not None]
            strong = firsts + [e for e in strong if e not in firsts]
            strong = strong[: max(cfg.extractive_sentences, len(firsts))]
        else:
            strong = strong[: cfg.extractive_sentences]
        model = getattr(self._generator, "name", "") if self._generator else ""
        if not strong:
            answer = self._abstain(q, evidence, timings)
            answer.outcome = "unsupported"
            answer.message = f"{UNSUPPORTED_MESSAGE} ({why})"
            answer.removed = removed or []
            answer.model = model
            return answer
        sentences = [Sentence(e.text, [citation_for(e)], e.score, "extractive") for e in strong]
        return Answer(
            q,
            "answered",
            sentences,
            True,
            evidence,
            removed or [],
            message=f"{EXTRACTIVE_MESSAGE} ({why})",
            model=model,
            timings=timings,
            outcome="extractive",
        )

    def _abstain(self, q: str, evidence: list[Evidence], timings: dict) -> Answer:
        return Answer(q, "abstained", [], False, evidence, message=ABSTAIN_MESSAGE, timings=timings)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _label(answer: Answer, asked: str, used: str, analysis: QuestionAnalysis) -> None:
    """Record what was asked, the standalone form used (if it differs) and its analysis."""
    answer.question = asked
    answer.rewritten_question = used if used != asked else ""
    answer.analysis = analysis.to_dict()


def _sources(evidence) -> Sources:
    """Outlets and titles of cited passages (names a sentence may use to attribute a claim),
    with their outlets and publication dates as fields (dates a sentence gives for when an
    article reported are checked against them)."""
    evidence = list(evidence)
    return Sources(
        " ".join(f"{e.outlet}. {e.title}." for e in evidence),
        [e.outlet for e in evidence],
        [e.published for e in evidence],
    )
