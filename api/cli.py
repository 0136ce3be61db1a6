"""The ``autoscope`` command: thin Typer wrappers over plain functions."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from typing import Annotated

import typer
from rich.table import Table

from api.cli_analytics import register as register_analytics
from api.cli_digest import register as register_digest
from api.cli_extract import extract
from api.cli_import import import_app
from api.cli_ingest import docs_app, ingest_app, print_summary, run_with_progress
from api.cli_query import register as register_query
from api.console import err, errors, fail, out, store_session
from api.jobs import (
    BuildSummary,
    DeriveReport,
    DocBuildReport,
    build_graph,
    derive_events,
    extract_documents,
    ingest_configured,
    refresh_search_index,
    run_worker,
)
from graph.settings import Settings
from graph.store import GraphCounts, GraphStore
from ingest.search_index import BuildReport as SearchReport

app = typer.Typer(
    name="autoscope",
    help="Track the evidence of AI R&D automation: benchmark claims, milestones and signals in a knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
graph_app = typer.Typer(help="Graph store administration.", no_args_is_help=True)
app.add_typer(graph_app, name="graph")
app.add_typer(import_app, name="import")
app.add_typer(ingest_app, name="ingest")
app.add_typer(docs_app, name="docs")
app.command("extract")(extract)
register_analytics(app)
register_query(app)
register_digest(app)


HostOpt = Annotated[str | None, typer.Option("--host", help="Bind address (default: AUTOSCOPE_API_HOST).")]
PortOpt = Annotated[int | None, typer.Option("--port", min=1, max=65535, help="Port (default: AUTOSCOPE_API_PORT).")]


def _version(value: bool) -> None:
    if value:
        out.print(f"autoscope {version('autoscope')}")
        raise typer.Exit()


@app.callback()
def main_callback(
    _version_flag: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """autoscope: evidence of AI R&D automation, from papers and lab announcements."""


_store = store_session


def _counts_table(counts: GraphCounts) -> Table:
    table = Table(title="Graph")
    table.add_column("kind")
    table.add_column("type")
    table.add_column("count", justify="right")
    for label, n in counts.nodes.items():
        table.add_row("node", label, str(n))
    for rel, n in counts.relationships.items():
        table.add_row("relationship", rel, str(n))
    return table


def _print_build(summary: BuildSummary) -> None:
    out.print(
        f"Built the graph from the {summary.source}: {summary.imported} claims in {summary.seconds:.2f}s"
        + (f", {len(summary.skipped)} rows skipped" if summary.skipped else "")
    )
    for line in summary.skipped:
        err.print(f"[yellow]skipped[/yellow] {line}", highlight=False)
    out.print(_counts_table(summary.counts))


def _serve(settings: Settings, store: GraphStore, host: str | None, port: int | None) -> None:
    import uvicorn

    from api.app import create_app

    bind_host, bind_port = host or settings.api_host, port or settings.api_port
    workers = settings.api_workers
    out.print(
        f"Serving the API on http://{bind_host}:{bind_port} (docs at /docs) with {workers} worker"
        f"{'s' if workers > 1 else ''}; Ctrl-C to stop."
    )
    level = settings.log_level.lower()
    if workers == 1:
        uvicorn.run(create_app(settings, store), host=bind_host, port=bind_port, log_level=level)
        return
    store.close()  # each worker process opens its own store
    uvicorn.run("api.app:app_from_environment", factory=True, host=bind_host, port=bind_port, workers=workers,
                log_level=level)  # fmt: skip


@app.command()
def up(
    host: HostOpt = None,
    port: PortOpt = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the graph, print a summary, and exit.")] = False,
) -> None:
    """The main job: ingest the configured sources (when online), build the graph, then serve the API."""
    with _store() as (settings, store):
        with errors():
            _main_job(settings, store)
        if not no_serve:
            _serve(settings, store, host, port)


def _main_job(settings: Settings, store: GraphStore) -> None:
    """Ingest (when online), load the sample, extract pending documents, derive events, refresh search."""
    outcome = ingest_configured(settings, lambda src, docs: run_with_progress(src, docs, dry_run=False))
    out.print(f"Sources: {outcome.mode}", highlight=False)
    for summary in outcome.runs:
        print_summary(summary, as_json=False)
    _print_build(build_graph(settings, store))
    _print_extracted(_extract_with_progress(settings, store))
    _print_derived(derive_events(settings, store))
    _print_search(refresh_search_index(settings, store))


def _extract_with_progress(settings: Settings, store: GraphStore) -> DocBuildReport:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True) as progress:  # fmt: skip
        task = progress.add_task("extracting")

        def update(r: DocBuildReport) -> None:
            progress.update(task, description=f"extracted {r.documents} documents, {r.claims} claims")

        return extract_documents(settings, store, update)


def _print_extracted(report: DocBuildReport) -> None:
    out.print(
        f"Extracted {report.documents} documents: {report.claims} claims ({report.needs_review} flagged for review), "
        f"{report.milestones} milestones, {report.signals} signals, {report.superseded} claims superseded",
        highlight=False,
    )


def _print_derived(report: DeriveReport) -> None:
    out.print(
        f"Derived {report.milestones} milestones and {report.signals} signals from the claims"
        + (f" ({report.removed} no longer supported, removed)" if report.removed else ""),
        highlight=False,
    )


def _print_search(report: SearchReport | None) -> None:
    if report is not None:
        out.print(
            f"Search index: {report.items} claims and documents ({report.embedded} newly embedded, "
            f"{report.removed} removed)",
            highlight=False,
        )


@app.command()
def build() -> None:
    """Extract claims, milestones and signals from stored documents into the graph (idempotent, resumable)."""
    with _store() as (settings, store), errors():
        store.init_schema()
        _print_extracted(_extract_with_progress(settings, store))
        _print_derived(derive_events(settings, store))
        _print_search(refresh_search_index(settings, store))


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None) -> None:
    """Serve the HTTP API on the graph as it is."""
    with _store() as (settings, store):
        _serve(settings, store, host, port)


@app.command()
def worker(
    interval_hours: Annotated[
        float, typer.Option("--interval-hours", min=0.01, help="Hours between builds (default: a week).")
    ] = 168.0,
    once: Annotated[bool, typer.Option("--once", help="Run one build and exit.")] = False,
) -> None:
    """Scheduled loop for the compose worker: the main job of `up` (without serving), then the digests."""
    with _store() as (settings, store), errors():
        run_worker(settings, store, interval_hours * 3600, once, lambda: _main_job(settings, store))


@graph_app.command("init")
def graph_init() -> None:
    """Apply the schema: uniqueness constraints and indexes (idempotent)."""
    with _store() as (_, store), errors():
        store.init_schema()
        out.print(f"Schema applied to the {store.backend} store.")


@graph_app.command("stats")
def graph_stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Node counts by label and relationship counts by type."""
    with _store() as (_, store), errors():
        counts = store.counts()
        if as_json:
            sys.stdout.write(json.dumps(counts.model_dump()) + "\n")
        else:
            out.print(_counts_table(counts))


@graph_app.command("reset")
def graph_reset(yes: Annotated[bool, typer.Option("--yes", help="Confirm deleting every node.")] = False) -> None:
    """Delete everything in the configured graph store."""
    if not yes:
        raise fail("refusing to delete the graph without --yes", 2)
    with _store() as (_, store), errors():
        store.clear()
        out.print(f"Deleted everything in the {store.backend} store.")


def main() -> None:
    app()
