"""Split cleaned text into overlapping chunks with exact ``[start, end)`` offsets.

Uses langchain-text-splitters' RecursiveCharacterTextSplitter with sentence-aware separators
(paragraph → line → sentence end → clause → word). The splitter reports a start index; we
re-check every chunk against the text, so an offset is never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ": ", ", ", " ", ""]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def split_text(text: str, size: int, overlap: int) -> list[Span]:
    """Chunk ``text``; each span satisfies ``text[start:end] == span.text``.

    Raises:
        ValueError: the overlap is not smaller than the chunk size.
    """
    if overlap >= size:
        raise ValueError(f"chunk overlap ({overlap}) must be smaller than chunk size ({size})")
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        separators=SEPARATORS,
        keep_separator="end",  # a sentence keeps its full stop
        add_start_index=True,
        strip_whitespace=True,
    )
    spans: list[Span] = []
    search_from = 0
    for doc in splitter.create_documents([text]):
        chunk = doc.page_content
        start = doc.metadata.get("start_index", -1)
        if start < 0 or text[start : start + len(chunk)] != chunk:
            start = text.find(chunk, search_from)
        if start < 0:  # cannot happen with strip_whitespace splitting, but never store a lie
            raise AssertionError("chunk text not found in the document")
        spans.append(Span(start, start + len(chunk), chunk))
        search_from = start + 1
    return spans
