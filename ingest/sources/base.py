"""What a source is: a generator of documents, skips and checkpoints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ingest.documents import SourceDocument


@dataclass(frozen=True)
class Skip:
    """An item the source could not turn into a document, with the reason (the run goes on)."""

    item: str
    reason: str


@dataclass(frozen=True)
class Checkpoint:
    """Everything yielded so far is complete: store it with this cursor, atomically.

    ``cursor`` is the source's own resume state (JSON text); ``None`` means the run is
    complete and the next run starts fresh.
    """

    cursor: str | None


@dataclass(frozen=True)
class SourceState:
    """What the document store remembers of a source between runs."""

    source: str
    cursor: str | None
    last_success: datetime | None
    last_run: datetime | None


Event = SourceDocument | Skip | Checkpoint


class Source(Protocol):
    """A source of documents. ``name`` keys its state (e.g. ``oai:cs``, ``feeds``)."""

    name: str

    def fetch(self, state: SourceState | None) -> Iterator[Event]:
        """Yield documents and skips, and a Checkpoint after each durable unit (a page)."""
        ...
