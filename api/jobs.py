"""The jobs behind the CLI commands, as plain functions tests call directly."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from graph.settings import Settings
from graph.store import GraphCounts, GraphStore
from ingest.curated import ImportReport, load_sample


@dataclass
class BuildSummary:
    """What one build did, for the CLI summary and the worker log."""

    source: str
    imported: int
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: GraphCounts = field(default_factory=GraphCounts)


def build_graph(settings: Settings, store: GraphStore) -> BuildSummary:
    """Build the graph from what is configured: at this stage, the bundled sample (idempotent)."""
    started = time.perf_counter()
    store.init_schema()
    report: ImportReport = load_sample(store, batch_size=settings.write_batch_size)
    return BuildSummary(
        source="bundled sample",
        imported=report.imported,
        skipped=[f"line {line}: {reason}" for line, reason in report.skipped],
        seconds=time.perf_counter() - started,
        counts=store.counts(),
    )


def run_worker(
    settings: Settings,
    store: GraphStore,
    interval_seconds: float,
    once: bool,
    on_build: Callable[[BuildSummary], None],
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Rebuild on a fixed interval (the compose ``worker`` service); returns the number of runs."""
    runs = 0
    while True:
        on_build(build_graph(settings, store))
        runs += 1
        if once:
            return runs
        sleep(interval_seconds)
