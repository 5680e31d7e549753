"""Records of an answer: evidence, citations, sentences. Offsets are into a document's
cleaned text, and every quote is ``cleaned_text[start:end]``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["answered", "abstained"]
# How an answer came about (``Answer.outcome``):
#   checked          the model's sentences, each passed the check against its cited passages
#   extractive       relevant passages, but no sentence of the model passed (or it wrote none
#                    or unusable output): the best passages are quoted instead
#   nothing_relevant abstained without asking the model: no passage is about the question
#                    (low retrieval scores, or a person or organisation the archive never names)
#   unsupported      abstained: relevant passages, but neither the model's sentences nor a
#                    quotable passage answered it
Outcome = Literal["checked", "extractive", "nothing_relevant", "unsupported"]
# "consistent" / "inconsistent": the choice a "consistent or inconsistent?" question offers
VerdictValue = Literal["yes", "no", "unknown", "consistent", "inconsistent"]


@dataclass(frozen=True)
class Span:
    """A span ``[start, end)`` of a document's cleaned text, with the document's metadata."""

    doc_id: str
    title: str
    outlet: str
    published: str
    start: int
    end: int


@dataclass(frozen=True)
class _Numbered:
    eid: int


@dataclass(frozen=True)
class Evidence(Span, _Numbered):
    """A passage (one or two sentences) offered to the model under a short numeric id.
    Fields in order: eid, doc_id, title, outlet, published, start, end, text, score, chunk_id."""

    text: str
    score: float
    chunk_id: int


@dataclass(frozen=True)
class Quote(Span):
    """A span of a document's cleaned text and its verbatim text ``cleaned_text[start:end]``."""

    quote: str


@dataclass(frozen=True)
class Citation(Quote):
    """Where a sentence's support lives: a document span and its verbatim quote."""

    eid: int = 0
    url: str = ""


@dataclass(frozen=True)
class SourcePassage(Quote):
    """A passage found to support (or contradict) an answer sentence, with who stands behind it."""

    source: str  # the independent-source key: an outlet, or one document when unknown
    origin: str = ""  # who the passage attributes the claim to ("" = the outlet itself)
    origin_key: str = ""  # normalised origin identity used for grouping
    verified: bool = False  # the outlet is marked verified in the source registry
    unverified_phrase: str = ""  # the passage says the claim is unconfirmed ("could not be…")
    line: int = 0  # index of its line of evidence (independent group)
    conflict: str = ""  # for a disputing passage: how it contradicts the sentence


@dataclass
class Corroboration:
    """The two-source rule applied to one sentence."""

    status: str  # corroborated | single-source | disputed | unsupported
    independent: int  # independent lines of evidence (sources/origins) that support it
    flagged: bool
    reason: str
    supporting: list[SourcePassage] = field(default_factory=list)
    disputing: list[SourcePassage] = field(default_factory=list)


@dataclass
class Sentence:
    text: str
    citations: list[Citation] = field(default_factory=list)
    support: float = 0.0  # 0..1 from the checker
    verdict: str = "supported"  # supported | re-cited | extractive
    notes: list[str] = field(default_factory=list)
    corroboration: Corroboration | None = None
    lead: str = ""  # shown before the text: the answer's verdict ("Yes — ") on its first sentence


@dataclass(frozen=True)
class ComparedDate:
    """A publication date a temporal verdict compares: the cited passage's outlet and date."""

    outlet: str
    published: str
    doc_id: str
    title: str = ""


@dataclass
class Verdict:
    """The explicit answer to a yes/no or comparison question.

    ``value`` is "yes" or "no" only when the model said so *and* the sentences it rests on
    passed the check (for "yes" to a question about several outlets: sentences citing each);
    otherwise "unknown", shown as "The archive does not say whether …". A question asking
    whether reports are "consistent or inconsistent" gets one of those two (see
    ``qa.answer.settle_consistency``). ``said`` is the
    model's own verdict, ``reason`` why the shown value is what it is, ``basis`` the indices of
    the answer sentences it rests on and ``citations`` their passages; for a temporal question
    ``dates`` are the publication dates it compares (from the cited passages' metadata).
    """

    value: VerdictValue
    lead: str  # "Yes — ", "No — " or "The archive does not say whether … "
    said: str = ""
    reason: str = ""
    basis: list[int] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    dates: list[ComparedDate] = field(default_factory=list)


@dataclass
class Named:
    """The name a "who …?" or "which company …?" question asks for (see :mod:`qa.named`).

    ``name`` is shown before the answer ("Sam Bankman-Fried — …") only when passages the
    model was given name it — for a question naming outlets, passages of two of them (of the
    one it names) — and it is not a name the question itself gives; "" when withheld, with
    ``reason``. ``said`` is the model's own answer, ``asks_for`` what the question asks for
    ("person", "company", "team" …), ``citations`` the passages that name it (one per outlet
    first) and ``outlets`` theirs.
    """

    name: str
    said: str = ""
    asks_for: str = ""
    reason: str = ""
    citations: list[Citation] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)


@dataclass
class Answer:
    question: str
    status: Status
    sentences: list[Sentence] = field(default_factory=list)
    extractive: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    removed: list[Sentence] = field(default_factory=list)  # sentences that failed the check
    # checked sentences left out as not about the question (when all were, the answer quotes
    # the passages closest to the question instead)
    off_topic: list[Sentence] = field(default_factory=list)
    message: str = ""  # for abstentions and fallbacks: why
    model: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    corroboration: str = ""  # corroborated | single-source | mixed | disputed ("" if abstained)
    rewritten_question: str = ""  # a follow-up's standalone form, used to retrieve ("" = as asked)
    rewritten_by: str = ""  # "rules" or "model" (the rules left a reference unresolved)
    analysis: dict = field(default_factory=dict)  # qa.question.QuestionAnalysis.to_dict()
    outcome: Outcome = "checked"  # how it came about (see Outcome above)
    verdict: Verdict | None = None  # for yes/no and comparison questions
    named: Named | None = None  # for questions asking for a name ("Who …?", "Which team …?")

    @property
    def text(self) -> str:
        return " ".join(s.lead + s.text for s in self.sentences)

    def citations(self) -> list[Citation]:
        seen: dict[tuple[str, int, int], Citation] = {}
        for s in self.sentences:
            for c in s.citations:
                seen.setdefault((c.doc_id, c.start, c.end), c)
        return list(seen.values())

    def to_dict(self) -> dict:
        out = asdict(self)
        out["text"] = self.text
        return out


@dataclass(frozen=True)
class StreamEvent:
    """What :meth:`Assistant.stream` yields: evidence first, then tokens, then the answer."""

    kind: Literal["evidence", "token", "answer"]
    text: str = ""
    evidence: tuple[Evidence, ...] = ()
    answer: Answer | None = None
