"""The ``autoscope`` command: thin Typer wrappers over plain functions."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli_extract import extract
from api.cli_ingest import docs_app, ingest_app, print_summary, run_with_progress
from api.console import err, errors, fail, out
from api.jobs import BuildSummary, DocBuildReport, build_graph, extract_documents, ingest_configured, run_worker
from graph.factory import open_store
from graph.settings import Settings, load_settings
from graph.store import GraphCounts, GraphStore
from ingest.curated import format_skips, import_claims_file, load_entities, summarise

app = typer.Typer(
    name="autoscope",
    help="Track the evidence of AI R&D automation: benchmark claims, milestones and signals in a knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
graph_app = typer.Typer(help="Graph store administration.", no_args_is_help=True)
import_app = typer.Typer(help="Import structured results (curated CSVs).", no_args_is_help=True)
app.add_typer(graph_app, name="graph")
app.add_typer(import_app, name="import")
app.add_typer(ingest_app, name="ingest")
app.add_typer(docs_app, name="docs")
app.command("extract")(extract)


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


@contextmanager
def _store() -> Iterator[tuple[Settings, GraphStore]]:
    with errors():
        settings = load_settings()
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        store = open_store(settings)
        try:
            yield settings, store
        finally:
            store.close()


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
    out.print(f"Serving the API on http://{bind_host}:{bind_port} (docs at /docs); Ctrl-C to stop.")
    uvicorn.run(create_app(settings, store), host=bind_host, port=bind_port, log_level=settings.log_level.lower())


@app.command()
def up(
    host: HostOpt = None,
    port: PortOpt = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the graph, print a summary, and exit.")] = False,
) -> None:
    """The main job: ingest the configured sources (when online), build the graph, then serve the API."""
    with _store() as (settings, store):
        with errors():
            outcome = ingest_configured(settings, lambda src, docs: run_with_progress(src, docs, dry_run=False))
            out.print(f"Sources: {outcome.mode}", highlight=False)
            for summary in outcome.runs:
                print_summary(summary, as_json=False)
            _print_build(build_graph(settings, store))
            _print_extracted(_extract_with_progress(settings, store))
        if not no_serve:
            _serve(settings, store, host, port)


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


@app.command()
def build() -> None:
    """Extract claims, milestones and signals from stored documents into the graph (idempotent, resumable)."""
    with _store() as (settings, store), errors():
        store.init_schema()
        _print_extracted(_extract_with_progress(settings, store))


@app.command()
def timeline(
    benchmark: Annotated[str, typer.Argument(help="Benchmark id, e.g. swe-bench-verified.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    variants: Annotated[bool, typer.Option("--variants", help="Include the benchmark's variants.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="What the graph believed at the end of this day.")
    ] = None,
) -> None:
    """The state-of-the-art frontier of a benchmark over time, with the claims behind it."""
    from datetime import date

    from graph.analytics.timeline import timeline as build_timeline

    try:
        when = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)", 2) from None
    with _store() as (_, store), errors():
        result = build_timeline(store, benchmark, include_variants=variants, as_of=when)
        if as_json:
            sys.stdout.write(json.dumps(result.as_dict()) + "\n")
            return
        table = Table(title=f"{result.benchmark.name}: frontier ({len(result.claims)} claims)")
        for column in ("date", "value", "model", "tied", "claim"):
            table.add_column(column)
        for step in result.frontier:
            table.add_row(step.date.isoformat(), f"{step.value:g} {step.unit}", step.model_id,
                          "tie" if step.tied else "", step.claim_id)  # fmt: skip
        out.print(table)


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
    """Scheduled loop for the compose worker: rebuild the graph every interval."""
    with _store() as (settings, store), errors():
        run_worker(settings, store, interval_hours * 3600, once, _print_build)


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


@import_app.command("claims")
def import_claims(
    file: Annotated[
        Path, typer.Argument(help="CSV with columns model,benchmark,value,unit,date,source_url,source_kind,setting")
    ],
    entities: Annotated[
        Path | None, typer.Option("--entities", help="YAML of organizations/models/benchmarks to load first.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import curated claims; unknown models/benchmarks become unverified entities, bad rows are skipped."""
    with _store() as (settings, store), errors():
        known = None
        if entities is not None:
            known = load_entities(entities)
            store.upsert(known.nodes())
        with out.status(f"Importing {file} ..."):
            report = import_claims_file(store, file, known, settings.write_batch_size)
        for line in format_skips(report.skipped, str(file)):
            err.print(line, highlight=False, markup=False)
        summary = summarise(report)
        if as_json:
            sys.stdout.write(json.dumps(summary) + "\n")
        else:
            out.print(
                f"{summary['imported']} claims imported from {summary['rows']} rows "
                f"({summary['skipped']} skipped, {summary['documents']} documents, "
                f"{len(summary['new_models'])} new models, {len(summary['new_benchmarks'])} new benchmarks)"
            )


def main() -> None:
    app()
