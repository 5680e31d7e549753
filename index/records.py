"""Typed records that cross stage boundaries (ingest → store → search → qa).

Offsets are the truth: every ``start``/``end`` is a character offset into the document's
``cleaned_text``, and any quote shown to a user is ``cleaned_text[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentMeta:
    """Bibliographic metadata of one article.

    ``inferred`` names the fields that were guessed from the text rather than read from a
    sidecar, front matter or HTML metadata.
    """

    title: str = ""
    outlet: str = ""
    author: str = ""
    published: str = ""  # ISO date (YYYY-MM-DD) when known
    url: str = ""
    language: str = ""
    inferred: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One ingested article: cleaned text plus metadata.

    ``doc_id`` is a content hash of the source file, so the same bytes always give the same id.
    """

    doc_id: str
    path: str
    format: str
    cleaned_text: str
    meta: DocumentMeta
    duplicate_of: str | None = None
    n_chunks: int = 0

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def outlet(self) -> str:
        return self.meta.outlet


@dataclass(frozen=True)
class Chunk:
    """A span ``[start, end)`` of a document's cleaned text."""

    chunk_id: int
    doc_id: str
    seq: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its document and score (higher is better)."""

    chunk: Chunk
    document: Document
    score: float
    rank: int = 0

    @property
    def quote(self) -> str:
        return self.document.cleaned_text[self.chunk.start : self.chunk.end]


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be ingested, with a reason a user can act on."""

    path: str
    reason: str


@dataclass
class IngestReport:
    """What an ingest run did, file by file."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, original doc_id)
    problems: list[FileProblem] = field(default_factory=list)
    n_chunks_added: int = 0
    generation: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems
