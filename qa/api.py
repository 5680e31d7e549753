"""The Python API: ``Assistant(data_dir).ask(question) -> Answer``.

The CLI and the web app are thin layers over this class.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from index.errors import TwoSourceError
from index.ingest import ingest
from index.records import Document, IngestReport
from index.search import Index
from index.settings import Settings, load_settings

from .answer import AnswerEngine
from .conversation import Conversation, Rewrite, rewrite_followup, rewrite_with_model
from .corroborate import Corroborator
from .llm import Generator, make_generator
from .records import Answer, StreamEvent
from .retrieve import Filters, Retriever
from .sources import SourceRegistry
from .verify import CheckerConfig, SupportChecker, llm_judge, llm_judge_many


class Assistant:
    """Question answering over one TwoSource index.

    Args:
        data_dir: the index directory (default: settings / ``TWOSOURCE_DATA_DIR``).
        settings: a full settings object (overrides ``data_dir`` and ``overrides``).
        generator: a ready backend (tests, custom servers); default from the settings.
        overrides: setting overrides, e.g. ``llm={"model": "/models/x.gguf"}``.

    Raises:
        IndexNotFoundError: no index yet (run ``twosource ingest``).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        settings: Settings | None = None,
        generator: Generator | None = None,
        progress: bool = False,
        **overrides,
    ):
        self.settings = settings or load_settings(data_dir, **overrides)
        self._generator = generator
        self._progress = progress
        self._open()

    def reload(self) -> None:
        """Re-open the index after an ingest (the loaded model is kept)."""
        embedder = self.index._embedder
        self.index.close()
        self._open()
        self.index._embedder = embedder

    def _open(self) -> None:
        self.index = Index(self.settings)
        self.retriever = Retriever(self.index, self.settings.retrieval)
        checker = SupportChecker(
            self.retriever.embed_cached, config=CheckerConfig.from_settings(self.settings)
        )
        self.registry = SourceRegistry(self.settings.data_dir)
        self.corroborator = Corroborator(
            self.retriever,
            checker,
            self.registry,
            self.settings.answer.corroboration_threshold,
            self.settings.verify.corroboration_pool,
            self.settings.verify.corroboration_min_coverage,
            prefilter=self.settings.verify.corroboration_prefilter,
            frame_overlap=self.settings.verify.frame_overlap,
            relay_head_chars=self.settings.verify.relay_head_chars,
            disclaimer_reach_chars=self.settings.verify.disclaimer_reach_chars,
        )
        self.engine = AnswerEngine(
            self.retriever, self._make_generator, self.settings, checker, self.corroborator
        )
        if self.settings.llm.judge:
            checker.judge = llm_judge(_Lazy(self.engine))
        if self.settings.verify.judge_open:
            checker.judge_many = llm_judge_many(_Lazy(self.engine))
            checker.judge_open = True
        if self.settings.verify.substitution_judge:
            from .substitution import judge_from_settings

            checker.substitution = judge_from_settings(self.settings, _Lazy(self.engine))

    def ingest(self, paths: list[str | Path], progress: bool = False) -> IngestReport:
        """Ingest files into this assistant's index and start using the new version."""
        report = ingest(paths, self.settings, progress=progress, embedder=self.index.embedder)
        self.reload()
        return report

    def documents(self) -> list[Document]:
        return self.index.documents()

    def model_info(self) -> str:
        from .models import describe_llm

        info = describe_llm(self.settings)
        where = str(info.path) if info.path else info.detail
        return f"{info.name} ({info.source}) — {where}"

    def _make_generator(self) -> Generator:
        if self._generator is None:
            self._generator = make_generator(self.settings, progress=self._progress)
        return self._generator

    @staticmethod
    def filters(outlet: str = "", since: str = "", until: str = "") -> Filters:
        return Filters(outlet=outlet, since=since, until=until)

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        history=None,
    ) -> Answer:
        """Answer ``question`` with verified citations, or abstain. ``history``: the previous
        turns — ``(question, Answer)`` pairs or a :class:`qa.conversation.Conversation` — so a
        follow-up ("Who said it would close?") is rewritten into a standalone question first
        (``Answer.rewritten_question``)."""
        answer = None
        for event in self.stream(question, k, filters, history=history):
            if event.kind == "answer":
                answer = event.answer
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        k: int | None = None,
        filters: Filters | None = None,
        history=None,
    ) -> Iterator[StreamEvent]:
        """Like :meth:`ask`, as events: evidence, answer-text tokens, then the final answer."""
        rewrite = self.rewrite(question, history)
        rewritten = rewrite.standalone if rewrite is not None and rewrite.changed else ""
        for event in self.engine.stream(question, k, filters, rewritten=rewritten):
            if event.kind == "answer" and event.answer is not None and rewritten:
                event.answer.rewritten_by = "model" if rewrite.rule == "model" else "rules"
            yield event

    def standalone(self, question: str, history=None) -> str:
        """The standalone form of a follow-up given ``history`` ("" when it needs none)."""
        rewrite = self.rewrite(question, history)
        return rewrite.standalone if rewrite is not None and rewrite.changed else ""

    def rewrite(self, question: str, history=None) -> Rewrite | None:
        """How a follow-up is understood: by the rules of :mod:`qa.conversation` first; when
        they leave a word that refers back unresolved, the language model rewrites it
        (prompts/rewrite.j2). None without history."""
        if not history:
            return None
        history = list(history.turns if isinstance(history, Conversation) else history)
        rewrite = rewrite_followup(question, history, self.engine.known_outlets())
        if rewrite.unresolved and self.settings.answer.model_rewrites:
            try:
                by_model = rewrite_with_model(question, history, self.engine.generator, rewrite)
            except TwoSourceError:
                return rewrite  # no model: the rules' form stands
            if by_model.changed:
                return by_model
        return rewrite


class _Lazy:
    """Defers building the generator until the judge first needs it."""

    def __init__(self, engine: AnswerEngine):
        self.engine = engine

    def stream(self, *args, **kwargs):
        return self.engine.generator.stream(*args, **kwargs)
