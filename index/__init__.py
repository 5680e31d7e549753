"""TwoSource ingestion and index: articles → cleaned text → chunks → FAISS on disk.

Typical use::

    from index import load_settings, ingest, Index
    settings = load_settings("my-data")
    report = ingest(["articles/"], settings)
    hits = Index(settings).search("five million mobilization", k=3)

``index`` never imports ``qa``; the answering layer builds on the records defined here.
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
