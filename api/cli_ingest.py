"""``autoscope ingest ...`` and ``autoscope docs ...``: sources into the document store, and a look inside."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.console import err, errors, fail, out
from graph.settings import Settings, load_settings
from ingest.docstore import DocStore
from ingest.http import client_from_settings
from ingest.runner import RunSummary, run_source
from ingest.sources.base import Source

ingest_app = typer.Typer(help="Fetch papers and announcements into the document store.", no_args_is_help=True)
docs_app = typer.Typer(help="Inspect the document store.", no_args_is_help=True)


DryRun = Annotated[bool, typer.Option("--dry-run", help="Fetch and classify, but store nothing.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")]
SHOWN_SKIPS = 20


def run_with_progress(source: Source, docstore: DocStore, dry_run: bool, quiet: bool = False) -> RunSummary:
    """Run a source with a live counter (totals are rarely known up front)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task(source.name, counts="starting")

        def update(s: RunSummary) -> None:
            progress.update(
                task,
                counts=f"fetched {s.fetched}  new {s.new}  updated {s.updated}  unchanged {s.unchanged}  "
                f"skipped {len(s.skipped)}",
            )

        return run_source(source, docstore, dry_run=dry_run, on_progress=update)


def print_summary(summary: RunSummary, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(summary.as_dict()) + "\n")
    else:
        label = " (dry run: nothing stored)" if summary.dry_run else ""
        out.print(
            f"{summary.source}{label}: fetched {summary.fetched}, new {summary.new}, updated {summary.updated}, "
            f"unchanged {summary.unchanged}, skipped {len(summary.skipped)}, errors {len(summary.errors)}",
            highlight=False,
        )
        for skip in summary.skipped[:SHOWN_SKIPS]:
            err.print(f"skipped {skip.item}: {skip.reason}", highlight=False, markup=False)
        if len(summary.skipped) > SHOWN_SKIPS:
            err.print(f"... and {len(summary.skipped) - SHOWN_SKIPS} more skipped (see --json)")
    for message in summary.errors:
        err.print(f"[red]error:[/red] {message}", highlight=False)


@contextmanager
def _ingest_context() -> Iterator[tuple[Settings, DocStore]]:
    with errors():
        settings = load_settings()
        with DocStore(settings.docstore_path) as docstore:
            yield settings, docstore


def _run(make: Callable[[Settings], Source], dry_run: bool, as_json: bool) -> None:
    with _ingest_context() as (settings, docstore), errors():
        summary = run_with_progress(make(settings), docstore, dry_run)
    print_summary(summary, as_json)
    if summary.errors:
        raise typer.Exit(1)


@ingest_app.command("arxiv")
def ingest_arxiv(
    query: Annotated[
        str | None, typer.Option("--query", help="arXiv search query (default: AUTOSCOPE_ARXIV_QUERY).")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="Submitted on/after this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Submitted on/before this date (YYYY-MM-DD).")] = None,
    max_results: Annotated[int | None, typer.Option("--max", min=1, help="Most papers to fetch.")] = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
) -> None:
    """Search the arXiv API (one request every 3 s or slower, resumable)."""
    from ingest.sources.arxiv_api import arxiv_source

    start, end = _date(since, "--since"), _date(until, "--until")
    _run(
        lambda s: arxiv_source(s, client_from_settings(s, s.arxiv_min_interval), query, start, end, max_results),
        dry_run,
        as_json,
    )


@ingest_app.command("oai")
def ingest_oai(
    set_spec: Annotated[str | None, typer.Option("--set", help="OAI-PMH set (default: AUTOSCOPE_OAI_SET).")] = None,
    from_date: Annotated[
        str | None, typer.Option("--from", help="Datestamp from (default: the last successful harvest).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Datestamp until (YYYY-MM-DD).")] = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
) -> None:
    """Harvest arXiv over OAI-PMH, checkpointing every page (an interrupted harvest resumes)."""
    from ingest.sources.oai import oai_source

    start, end = _date(from_date, "--from"), _date(until, "--until")
    _run(lambda s: oai_source(s, client_from_settings(s, s.arxiv_min_interval), set_spec, start, end), dry_run, as_json)


@ingest_app.command("snapshot")
def ingest_snapshot(
    file: Annotated[Path, typer.Argument(help="arXiv metadata snapshot (JSON lines, plain or gzip).")],
    categories: Annotated[
        str | None, typer.Option("--categories", help="Comma-separated categories to keep, e.g. cs.AI,cs.LG,cs.CL.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="Keep records updated on/after this date.")] = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
) -> None:
    """Stream the bulk arXiv metadata snapshot, filtered by category and date (resumable)."""
    from ingest.sources.snapshot import snapshot_source

    cats = [c.strip() for c in categories.split(",") if c.strip()] if categories else None
    start = _date(since, "--since")
    _run(lambda s: snapshot_source(file, cats, start), dry_run, as_json)


@ingest_app.command("feeds")
def ingest_feeds(
    lab: Annotated[list[str] | None, typer.Option("--lab", help="Only this lab id (repeatable).")] = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
) -> None:
    """Fetch new posts of the labs and evaluators in the registry (feeds, sitemaps, index pages)."""
    from ingest.sources.feeds import feeds_source

    _run(lambda s: feeds_source(s, client_from_settings(s), lab or None), dry_run, as_json)


@ingest_app.command("url")
def ingest_url(
    url: Annotated[str, typer.Argument(help="An announcement page or an arXiv abs page.")],
    dry_run: DryRun = False,
    as_json: AsJson = False,
) -> None:
    """Add one page by hand."""
    from ingest.sources.single import url_source

    if not url.startswith(("http://", "https://")):
        raise fail(f"{url!r} is not an http(s) URL", 2)
    _run(lambda s: url_source(url, client_from_settings(s)), dry_run, as_json)


@ingest_app.command("file")
def ingest_file(
    path: Annotated[Path, typer.Argument(help="A local .txt, .md or .html file.")],
    dry_run: DryRun = False,
    as_json: AsJson = False,
) -> None:
    """Add one local file by hand."""
    from ingest.sources.single import file_source

    _run(lambda s: file_source(path), dry_run, as_json)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date (YYYY-MM-DD)", 2) from None


@docs_app.command("list")
def docs_list(
    source: Annotated[str | None, typer.Option("--source", help="Only documents from this source.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many.")] = 50,
    after: Annotated[str, typer.Option("--after", help="Start after this doc id (paging).")] = "",
    as_json: AsJson = False,
) -> None:
    """List stored documents (id order), with per-source state."""
    with _ingest_context() as (_, docstore):
        rows = docstore.list(source, limit, after)
        if as_json:
            for r in rows:
                sys.stdout.write(
                    json.dumps(
                        {
                            "doc_id": r.document.doc_id,
                            "source": r.document.source,
                            "title": r.document.title,
                            "published": r.document.published.isoformat() if r.document.published else None,
                            "versions": r.versions,
                            "needs_extraction": r.needs_extraction,
                        }
                    )
                    + "\n"
                )
            return
        table = Table(title=f"{docstore.count(source)} documents" + (f" from {source}" if source else ""))
        for column in ("doc id", "source", "published", "versions", "title"):
            table.add_column(column)
        for r in rows:
            d = r.document
            table.add_row(d.doc_id, d.source, str(d.published or ""), str(r.versions), d.title[:80])
        out.print(table)
        states = Table(title="Sources")
        for column in ("source", "runs", "last success", "cursor", "totals"):
            states.add_column(column)
        for state, runs, totals in docstore.states():
            cursor = (state.cursor or "")[:40]
            states.add_row(state.source, str(runs), str(state.last_success or "never"), cursor, json.dumps(totals))
        out.print(states)


@docs_app.command("show")
def docs_show(
    doc_id: Annotated[str, typer.Argument(help="A document id, e.g. arxiv:2410.07095.")],
    as_json: AsJson = False,
) -> None:
    """Show one stored document: metadata, text, tables and version history."""
    with _ingest_context() as (_, docstore):
        stored = docstore.get(doc_id)
        if stored is None:
            raise fail(f"no document {doc_id!r} in {docstore.path}")
        d = stored.document
        if as_json:
            body = d.model_dump(mode="json") | {
                "content_hash": stored.content_hash,
                "versions": stored.versions,
                "history": docstore.history(doc_id),
            }
            sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
            return
        out.print(f"[bold]{d.title or d.doc_id}[/bold]", highlight=False)
        out.print(
            f"{d.doc_id} · {d.source} · {d.kind} · published {d.published} · version {d.version} · "
            f"{stored.versions} version(s) stored",
            highlight=False,
        )
        if d.url:
            out.print(d.url, highlight=False)
        if d.authors:
            out.print(", ".join(d.authors), highlight=False)
        out.print()
        out.print(d.text, highlight=False, markup=False)
        for t in d.tables:
            table = Table(title=t.caption)
            for h in t.header or [""] * max((len(r) for r in t.rows), default=0):
                table.add_column(h)
            for row in t.rows:
                table.add_row(*row)
            out.print(table)
