"""Run a source into the document store: pages committed with their cursor, a summary at the end."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ingest.docstore import DocStore
from ingest.documents import SourceDocument
from ingest.errors import IngestError
from ingest.sources.base import Checkpoint, Skip, Source

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """What a run did: fetched / new / updated / unchanged / skipped (with reasons) / errors."""

    source: str
    dry_run: bool = False
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    completed: bool = False

    def totals(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
            "errors": len(self.errors),
        }

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "completed": self.completed,
            **self.totals(),
            "skip_reasons": [f"{s.item}: {s.reason}" for s in self.skipped],
            "error_messages": self.errors,
        }


def run_source(
    source: Source,
    docstore: DocStore,
    dry_run: bool = False,
    page_size: int = 1000,
    on_progress: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Drain ``source`` into ``docstore``.

    Documents are buffered and committed together with each Checkpoint's cursor (or every
    ``page_size`` documents, without moving the cursor), so an interrupted run resumes from
    the last checkpoint. Duplicates within one page are reported as skips. A fatal source
    error ends the run with what was committed kept; the next run resumes.
    """
    summary = RunSummary(source=source.name, dry_run=dry_run)
    started = datetime.now(UTC)
    buffer: dict[str, SourceDocument] = {}

    def flush(checkpoint: Checkpoint | None = None) -> None:
        docs = list(buffer.values())
        buffer.clear()
        if dry_run:
            outcome, _ = docstore.classify(docs)
        else:
            outcome = docstore.commit(source.name, docs, checkpoint)
        summary.new += len(outcome.new)
        summary.updated += len(outcome.updated)
        summary.unchanged += len(outcome.unchanged)
        if on_progress:
            on_progress(summary)

    try:
        for event in source.fetch(docstore.state(source.name)):
            if isinstance(event, SourceDocument):
                summary.fetched += 1
                if event.doc_id in buffer:
                    summary.skipped.append(Skip(event.doc_id, "duplicate entry within one page; kept the first"))
                    continue
                buffer[event.doc_id] = event
                if len(buffer) >= page_size:
                    flush()
            elif isinstance(event, Skip):
                summary.skipped.append(event)
                log.info("%s: skipped %s: %s", source.name, event.item, event.reason)
            elif isinstance(event, Checkpoint):
                flush(event)
        flush()
        summary.completed = True
    except IngestError as e:
        flush()
        summary.errors.append(str(e))
        log.error("%s: %s", source.name, e)
    if not dry_run:
        docstore.finish_run(source.name, summary.totals(), summary.completed, started)
    return summary
