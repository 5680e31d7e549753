"""Exceptions with messages a user can act on. Every TwoSource error derives from TwoSourceError."""

from __future__ import annotations


class TwoSourceError(Exception):
    """Base class; the CLI prints the message and exits with ``exit_code``."""

    exit_code = 1


class ConfigError(TwoSourceError):
    exit_code = 2


class MissingDependencyError(TwoSourceError):
    """An optional heavy package is not installed."""

    exit_code = 2

    def __init__(self, package: str, purpose: str):
        super().__init__(
            f"the package '{package}' is needed for {purpose} but is not installed — "
            f"run scripts/setup.sh or `pip install {package}`"
        )
        self.package = package


class ModelNotFoundError(TwoSourceError):
    exit_code = 4


class IndexError_(TwoSourceError):
    """Problems with the on-disk index (named with a trailing _ to not shadow the builtin)."""

    exit_code = 3


class IndexNotFoundError(IndexError_):
    pass


class NotAnIndexError(IndexError_):
    pass


class IndexCorruptError(IndexError_):
    pass


class IndexMismatchError(IndexError_):
    """The index was built with other settings (embedder, chunking) than the current ones."""


class IndexBusyError(IndexError_):
    pass


class DocumentError(TwoSourceError):
    """One input file cannot be ingested; ingestion of the other files goes on."""

    exit_code = 1
