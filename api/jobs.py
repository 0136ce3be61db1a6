"""The jobs behind the CLI commands, as plain functions tests call directly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from graph.analytics.events import DeriveReport
from graph.settings import Settings
from graph.store import GraphCounts, GraphStore
from ingest.build import BuildReport as DocBuildReport
from ingest.curated import ImportReport, load_sample
from ingest.docstore import DocStore
from ingest.http import client_from_settings, network_reachable
from ingest.runner import RunSummary
from ingest.search_index import BuildReport as SearchReport
from ingest.sources.base import Source


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


@dataclass
class IngestOutcome:
    """Which sources ``up`` used, and why."""

    mode: str
    runs: list[RunSummary] = field(default_factory=list)


def configured_sources(settings: Settings) -> list[Source]:
    """The sources named in AUTOSCOPE_SOURCES, built from settings."""
    from ingest.sources.arxiv_api import arxiv_source
    from ingest.sources.feeds import feeds_source
    from ingest.sources.oai import oai_source

    arxiv_client = client_from_settings(settings, settings.arxiv_min_interval)
    builders: dict[str, Callable[[], Source]] = {
        "arxiv": lambda: arxiv_source(settings, arxiv_client),
        "oai": lambda: oai_source(settings, arxiv_client),
        "feeds": lambda: feeds_source(settings, client_from_settings(settings)),
    }
    return [builders[name]() for name in settings.source_list]


def ingest_configured(
    settings: Settings,
    run: Callable[[Source, DocStore], RunSummary],
    reachable: Callable[[str], bool] = network_reachable,
) -> IngestOutcome:
    """Ingest the configured sources when the network is reachable; otherwise say so and do nothing."""
    if settings.offline:
        return IngestOutcome("offline (AUTOSCOPE_OFFLINE is set): building from the bundled sample only")
    if not settings.source_list:
        return IngestOutcome("no sources configured (AUTOSCOPE_SOURCES is empty): bundled sample only")
    if not reachable(settings.arxiv_api_url):
        return IngestOutcome(
            f"offline ({settings.arxiv_api_url} is unreachable): building from the bundled sample only"
        )
    outcome = IngestOutcome("online: ingested " + ", ".join(settings.source_list))
    with DocStore(settings.docstore_path) as docstore:
        for source in configured_sources(settings):
            outcome.runs.append(run(source, docstore))
    return outcome


def extract_documents(
    settings: Settings, store: GraphStore, on_progress: Callable[[DocBuildReport], None] | None = None
) -> DocBuildReport:
    """Extract every pending stored document into the graph (``autoscope build``)."""
    from ingest.build import build
    from ingest.nlp.pipeline import EXTRACTOR_VERSION, Extractor, load_pipeline
    from ingest.nlp.registry import default_registry

    if not settings.docstore_path.exists():
        return DocBuildReport()
    with DocStore(settings.docstore_path) as docstore:
        if next(docstore.pending(EXTRACTOR_VERSION, batch=1), None) is None:
            return DocBuildReport()  # nothing to do: don't load the models
    extractor = Extractor(
        load_pipeline(
            use_embeddings=settings.extract_embeddings,
            embedding_model=settings.embedding_model,
            review_threshold=settings.review_threshold,
        )
    )
    with DocStore(settings.docstore_path) as docstore:
        return build(store, docstore, extractor, default_registry(), on_progress=on_progress)


def derive_events(settings: Settings, store: GraphStore) -> DeriveReport:
    """Recompute the milestones and signals that follow from the claims and write them (idempotent)."""
    from graph.analytics.config import load_config
    from graph.analytics.events import derive

    return derive(store, load_config(settings.analytics_file))


def refresh_search_index(settings: Settings, store: GraphStore) -> SearchReport | None:
    """Bring the semantic search index up to date (None when AUTOSCOPE_SEARCH_INDEX is off)."""
    if not settings.search_index:
        return None
    from ingest.search_index import SearchIndex, embedder

    return SearchIndex(settings.data_dir / "search").build(store, lambda: embedder(settings.embedding_model))


def run_worker(
    settings: Settings,
    store: GraphStore,
    interval_seconds: float,
    once: bool,
    job: Callable[[], None],
    sleep: Callable[[float], None] = time.sleep,
    today: Callable[[], date] | None = None,
) -> int:
    """Run ``job`` (the main build) on a fixed interval (the compose ``worker`` service), then write the digests
    of the week just finished and of the week in progress into ``$AUTOSCOPE_DATA_DIR/digests``; returns the
    number of runs."""
    from api.digest.deliver import weekly_digests
    from api.digest.week import utc_today

    runs = 0
    while True:
        job()
        paths = weekly_digests(settings, store, (today or utc_today)())
        logging.getLogger(__name__).info("wrote %d digest files: %s", len(paths), ", ".join(p.name for p in paths))
        runs += 1
        if once:
            return runs
        sleep(interval_seconds)
