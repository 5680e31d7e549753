"""TwoSource ingestion and index: articles → cleaned text → chunks → FAISS + SQLite on disk.
Imports only the standard library and third-party packages — never ``qa``.

Typical use::

    from index import load_settings, ingest, Index
    settings = load_settings("my-data")
    report = ingest(["articles/"], settings)
    hits = Index(settings).search("five million mobilization", k=3)

The answering layer builds on the records defined here; ``index.search.Index`` is its seam.
"""

from .errors import (
    ConfigError,
    DocumentError,
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    MissingDependencyError,
    ModelNotFoundError,
    NotAnIndexError,
    TwoSourceError,
)
from .ingest import ingest
from .records import Chunk, Document, DocumentMeta, FileProblem, Hit, IngestReport
from .search import Index
from .settings import Settings, load_settings

__all__ = [
    "Chunk",
    "ConfigError",
    "Document",
    "DocumentError",
    "DocumentMeta",
    "FileProblem",
    "Hit",
    "Index",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "IngestReport",
    "MissingDependencyError",
    "ModelNotFoundError",
    "NotAnIndexError",
    "Settings",
    "TwoSourceError",
    "ingest",
    "load_settings",
]
