"""The ingest package's exception hierarchy: one root, specific subclasses."""

from __future__ import annotations


class IngestError(Exception):
    """Root of every error raised by the ingest package."""


class InputFileError(IngestError):
    """An input file is unreadable or malformed; the message names the file and the problem."""


class EmbeddingModelError(IngestError):
    """The configured embedding model cannot be found or loaded."""


class FetchError(IngestError):
    """A request failed for good (after retries) or was refused; the message names the URL."""


class ResponseTooLarge(FetchError):
    """A response is larger than the configured cap; it was not read whole."""

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class SourceError(IngestError):
    """A source cannot run as configured (bad query, unreadable file, protocol error)."""


class DocStoreError(IngestError):
    """The document store cannot be opened or written."""
