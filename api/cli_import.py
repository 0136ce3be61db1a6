"""``autoscope import ...``: structured results into the graph (curated CSVs, METR and Epoch AI result files).

Thin wrappers over ``ingest.curated`` and ``ingest.evaluators``: a summary on stdout (JSON with
``--json``), every skipped row on stderr as ``FILE:LINE: skipped: reason``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.console import err, errors, fail, out, parse_date, store_session
from ingest.curated import format_skips, import_claims_file, load_entities, summarise

if TYPE_CHECKING:
    from ingest.evaluators.common import FileReport

import_app = typer.Typer(
    help="Import structured results: curated CSVs, METR's time-horizon file, Epoch AI's benchmark CSVs.",
    no_args_is_help=True,
)

AsJson = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="The day the file was published (YYYY-MM-DD): the claims' report date.")
]


@import_app.command("claims")
def import_claims(
    file: Annotated[
        Path, typer.Argument(help="CSV with columns model,benchmark,value,unit,date,source_url,source_kind,setting")
    ],
    entities: Annotated[
        Path | None, typer.Option("--entities", help="YAML of organizations/models/benchmarks to load first.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Import curated claims; unknown models/benchmarks become unverified entities, bad rows are skipped."""
    with store_session() as (settings, store), errors():
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


@import_app.command("metr")
def import_metr(
    file: Annotated[Path, typer.Argument(help="METR's results YAML, e.g. benchmark_results_1_1.yaml.")],
    date: DateOpt = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Where the file is published (default: https://metr.org/assets/FILE).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Import METR's 50% and 80% time horizons (minutes, with 95% intervals); bad entries are skipped."""
    from ingest.evaluators.metr import import_metr_file

    reported = parse_date(date, "--date")
    with store_session() as (_, store), errors():
        with out.status(f"Importing {file} ..."):
            report = import_metr_file(store, file, reported=reported, url=url)
        _print_skips(report)
        if as_json:
            sys.stdout.write(json.dumps(report.as_dict()) + "\n")
        else:
            out.print(_line(report, "entries"), highlight=False, soft_wrap=True)


@import_app.command("epoch")
def import_epoch(
    file: Annotated[Path, typer.Argument(help="One Epoch AI benchmark CSV, or benchmark_data.zip.")],
    benchmark: Annotated[
        str | None, typer.Option("--benchmark", help="Benchmark id for a single CSV (default: from the file name).")
    ] = None,
    score_column: Annotated[
        str | None, typer.Option("--score-column", help="Score column for a single CSV (default: by layout).")
    ] = None,
    date: DateOpt = None,
    as_json: AsJson = False,
) -> None:
    """Import Epoch AI Benchmarking Hub results; a zip is imported file by file, bad rows are skipped."""
    from ingest.evaluators.epoch import import_epoch_file
    from ingest.evaluators.epoch import summarise as summarise_epoch

    reported = parse_date(date, "--date")
    with store_session() as (_, store), errors():
        with out.status(f"Importing {file} ..."):
            reports = import_epoch_file(store, file, benchmark, score_column, reported)
        for report in reports:
            _print_skips(report)
        if as_json:
            sys.stdout.write(json.dumps(summarise_epoch(reports, str(file))) + "\n")
        else:
            for report in reports:
                if report.error is None:
                    out.print(_line(report, "rows"), highlight=False, soft_wrap=True)
            if len(reports) > 1:
                out.print(
                    f"{sum(r.imported for r in reports)} claims imported from {len(reports)} files "
                    f"({sum(len(r.skipped) for r in reports)} rows skipped)",
                    highlight=False,
                )
        failed = [r.error for r in reports if r.error]
        for message in failed:
            err.print(f"[red]error:[/red] {message}", highlight=False)
        if failed:
            raise fail(f"{len(failed)} of {len(reports)} files in {file} could not be imported")


def _print_skips(report: FileReport) -> None:
    for line in report.skip_lines():
        err.print(line, highlight=False, markup=False)
    for note in report.notes:
        err.print(f"note: {report.source}: {note}", highlight=False, markup=False)


def _line(report: FileReport, rows: str) -> str:
    dates = ", ".join(f"{n} by {basis}" for basis, n in report.dates.items())
    return (
        f"{report.source}: {report.imported} claims imported from {report.rows} {rows} "
        f"({len(report.skipped)} skipped, {report.superseded} superseded, {len(report.documents)} documents, "
        f"{len(report.new_models)} new models, {len(report.new_benchmarks)} new benchmarks)"
        + (f"; report dates: {dates}" if dates else "")
    )
