"""Analysis commands: timeline, trends, saturation, conflicts, milestones, signals, index, network.

Each prints a table by default and JSON with ``--json``; timeline and trends draw a chart with
``--plot FILE.png`` (or .svg). Dates are ISO ``YYYY-MM-DD``; ``--as-of`` means "as the graph
believed at the end of that day" (record time).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import typer
from rich.table import Table

from api.console import EXIT_USAGE, err, errors, fail, out, parse_date, store_session
from graph.analytics.select import Filters
from graph.model import SourceKind

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="What the graph believed at the end of this day.")]
Plot = Annotated[Path | None, typer.Option("--plot", help="Also draw a chart into this .png or .svg file.")]
SettingOpt = Annotated[str | None, typer.Option("--setting", help="Only claims with exactly this setting.")]
KindOpt = Annotated[SourceKind | None, typer.Option("--source-kind", help="Only claims from this kind of source.")]
FlaggedOpt = Annotated[
    bool, typer.Option("--include-flagged", help="Also use claims flagged needs_review (low extraction confidence).")
]


def _emit(body: Any) -> None:
    sys.stdout.write(json.dumps(body, default=str) + "\n")


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _plot(path: Path | None, timeline: Any, trend: Any) -> None:
    if path is None:
        return
    from api.charts import save

    try:
        save(path, timeline, trend)
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE) from None
    err.print(f"Chart written to {path}", highlight=False)


def timeline(
    benchmark: Annotated[str, typer.Argument(help="Benchmark id, e.g. swe-bench-verified.")],
    as_json: AsJson = False,
    variants: Annotated[bool, typer.Option("--variants", help="Include the benchmark's variants.")] = False,
    as_of: AsOf = None,
    source_kind: KindOpt = None,
    setting: SettingOpt = None,
    organization: Annotated[
        str | None, typer.Option("--organization", help="Only models of this organisation.")
    ] = None,
    open_weights: Annotated[
        bool | None, typer.Option("--open-weights/--closed-weights", help="Only open- (or closed-) weights models.")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Claims reported on or after this day.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Claims reported on or before this day.")] = None,
    include_flagged: FlaggedOpt = False,
    plot: Plot = None,
) -> None:
    """The state-of-the-art frontier of a benchmark over time, with the claims behind it."""
    from graph.analytics.timeline import timeline as build_timeline

    when, start, end = parse_date(as_of, "--as-of"), parse_date(date_from, "--from"), parse_date(date_to, "--to")
    with store_session() as (_, store), errors():
        result = build_timeline(
            store,
            benchmark,
            include_variants=variants,
            source_kind=source_kind,
            setting=setting,
            organization_id=organization,
            open_weights=open_weights,
            date_from=start,
            date_to=end,
            as_of=when,
            include_flagged=include_flagged,
        )
        _plot(plot, result, None)
        if as_json:
            _emit(result.as_dict())
            return
        table = Table(title=f"{result.benchmark.name}: frontier ({len(result.claims)} claims)")
        for column in ("date", "value", "model", "tied", "claim"):
            table.add_column(column)
        for step in result.frontier:
            table.add_row(
                step.date.isoformat(),
                f"{step.value:g} {step.unit}",
                step.model_id,
                "tie" if step.tied else "",
                step.claim_id,
            )
        out.print(table)


def trends(
    benchmark: Annotated[str, typer.Argument(help="Benchmark id, e.g. metr-time-horizon-50.")],
    since: Annotated[str | None, typer.Option("--since", help="Fit points dated on or after this day.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Fit points dated on or before this day.")] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Forecast the date this value is reached (default: 90% of "
            "the ceiling on bounded metrics, the configured target on others).",
        ),
    ] = None,
    as_of: AsOf = None,
    setting: SettingOpt = None,
    source_kind: KindOpt = None,
    all_points: Annotated[bool, typer.Option("--all-points", help="Fit every claim, not only the frontier.")] = False,
    date_basis: Annotated[
        str, typer.Option("--date-basis", help="Date points by model `release` date (when known) or `reported` date.")
    ] = "release",
    include_flagged: FlaggedOpt = False,
    as_json: AsJson = False,
    plot: Plot = None,
) -> None:
    """Trend fit with uncertainty: doubling time or threshold forecast, points used, and the acceleration test."""
    from graph.analytics.trends import trend

    if date_basis not in ("release", "reported"):
        raise fail(f"--date-basis {date_basis!r} is invalid: expected 'release' or 'reported'", EXIT_USAGE)
    start, end, when = parse_date(since, "--since"), parse_date(until, "--until"), parse_date(as_of, "--as-of")
    filters = Filters(setting=setting, source_kind=source_kind, as_of=when, include_flagged=include_flagged)
    with store_session() as (_, store), errors():
        result = trend(
            store,
            benchmark,
            since=start,
            until=end,
            threshold=threshold,
            filters=filters,
            frontier_only=not all_points,
            date_basis=cast(Literal["release", "reported"], date_basis),
        )
        _plot(plot, None, result)
        if as_json:
            _emit(result.as_dict())
            return
        _print_trend(result)


def _print_trend(result: Any) -> None:
    body = result.as_dict()
    out.print(
        f"[bold]{result.benchmark.name}[/bold]: {body['kind']} fit on {body['n_points']} "
        f"{'frontier ' if result.frontier_only else ''}points ({result.date_basis} dates)"
    )
    if body["doubling_time_days"] is not None:
        low, high = body["doubling_time_interval_days"]
        out.print(
            f"Doubling time: {_fmt(body['doubling_time_days'])} days (95% interval {_fmt(low)}–"
            f"{_fmt(high) if high is not None else 'open'})"
        )
    elif body["slope_per_year"] is not None:
        out.print(f"Slope: {body['slope_per_year']:.3f} logit units per year")
    for f in body["forecasts"]:
        low, high = f["interval"]
        state = "reached on" if f["reached"] else "forecast"
        out.print(
            f"{f['threshold']:g} {result.benchmark.unit.value}: {state} {f['date'] or 'not within reach'}"
            + ("" if f["reached"] else f" (95% interval {low or 'open'} – {high or 'open'})")
        )
    acc = body["acceleration"]
    if acc:
        verdict = "significantly faster" if acc["significant"] else "not significantly faster"
        out.print(
            f"Last {acc['window_days']} days: {verdict} than the long run "
            f"(P(faster) = {acc['probability_faster']:.2f}, {acc['recent_points']} points)"
        )
    table = Table(title="Points used")
    for column in ("date", "value", "model", "reported", "claim"):
        table.add_column(column)
    for p in body["points"]:
        table.add_row(p["date"], f"{p['value']:g}", p["model"], p["reported_date"], p["claim_id"])
    out.print(table)
    for p in body["excluded"]:
        out.print(f"left out: {p['model']} {p['value']:g} ({p['reason']})", highlight=False)
    for warning in body["warnings"]:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def saturation(
    as_of: AsOf = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only benchmarks in this state: saturated, near or open.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Headroom to the ceiling of every bounded benchmark, near-saturation flags and saturation forecasts."""
    from graph.analytics.saturation import saturation_report

    if status not in (None, "saturated", "near", "open"):
        raise fail(f"--status {status!r} is invalid: expected saturated, near or open", EXIT_USAGE)
    with store_session() as (_, store), errors():
        rows = saturation_report(store, Filters(as_of=parse_date(as_of, "--as-of")))
        rows = [r for r in rows if status in (None, r.status)]
        if as_json:
            _emit([r.as_dict() for r in rows])
            return
        table = Table(title="Saturation")
        for column in ("benchmark", "best", "ceiling", "headroom", "status", "saturation forecast"):
            table.add_column(column)
        for r in rows:
            f = r.forecast
            when = "reached" if f and f.reached else (f.date.isoformat() if f and f.date else "—")
            table.add_row(
                r.benchmark.id,
                f"{r.best.value:g} ({r.best.model_id})",
                f"{r.ceiling:g}",
                f"{r.headroom:.1f}",
                r.status,
                when,
            )
        out.print(table)


def conflicts(
    benchmark: Annotated[str | None, typer.Option("--benchmark", help="Only this benchmark.")] = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Same model, benchmark and setting reported with different values; and the self-reported minus independent gap."""
    from graph.analytics.conflicts import conflicts as find
    from graph.analytics.conflicts import reporting_gaps

    with store_session() as (_, store), errors():
        filters = Filters(as_of=parse_date(as_of, "--as-of"))
        found = find(store, filters, benchmark)
        gaps = reporting_gaps(store, filters)
        if as_json:
            _emit({"conflicts": [c.as_dict() for c in found], "gaps": [g.as_dict() for g in gaps]})
            return
        table = Table(title=f"Conflicting reports ({len(found)})")
        for column in ("benchmark", "model", "setting", "values (source kind, date)"):
            table.add_column(column)
        for c in found:
            values = "; ".join(f"{x.value:g} ({x.source_kind}, {x.reported_date})" for x in c.claims)
            table.add_row(c.benchmark_id, c.model_id, c.setting or "", values)
        out.print(table)
        gap_table = Table(title="Self-reported minus independent (percentage points)")
        for column in ("organisation", "pairs", "mean gap", "median gap"):
            gap_table.add_column(column)
        for g in gaps:
            gap_table.add_row(g.organization_id, str(len(g.pairs)), f"{g.mean:+.1f}", f"{g.median:+.1f}")
        out.print(gap_table)


def _events(
    kind_label: str, since: str | None, as_of: str | None, kind: str | None, benchmark: str | None
) -> list[Any]:
    from graph.analytics.events import list_events
    from graph.schema import Label

    label = Label.SIGNAL if kind_label == "signals" else Label.MILESTONE
    start, when = parse_date(since, "--since"), parse_date(as_of, "--as-of")
    with store_session() as (_, store), errors():
        return list(list_events(store, label, since=start, as_of=when, kind=kind, benchmark_id=benchmark))


def signals(
    since: Annotated[str | None, typer.Option("--since", help="Signals dated on or after this day.")] = None,
    as_of: AsOf = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind of signal.")] = None,
    as_json: AsJson = False,
) -> None:
    """Automation signals, extracted from text and computed from the claims, newest first."""
    found = _events("signals", since, as_of, kind, None)
    if as_json:
        _emit([s.model_dump(mode="json") for s in found])
        return
    table = Table(title=f"Signals ({len(found)})")
    for column in ("date", "kind", "score", "origin", "signal", "based on"):
        table.add_column(column)
    for s in found:
        table.add_row(s.date.isoformat(), s.kind, f"{s.score:.2f}", s.origin, s.text[:160], ", ".join(s.based_on[:3]))
    out.print(table)


def milestones(
    since: Annotated[str | None, typer.Option("--since", help="Milestones dated on or after this day.")] = None,
    benchmark: Annotated[str | None, typer.Option("--benchmark", help="Only this benchmark.")] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="new_sota, threshold_crossed, first_above_human, horizon_crossed.")
    ] = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Capability milestones (new records, thresholds, human baselines, time horizons), newest first."""
    found = _events("milestones", since, as_of, kind, benchmark)
    if as_json:
        _emit([m.model_dump(mode="json") for m in found])
        return
    table = Table(title=f"Milestones ({len(found)})")
    for column in ("date", "kind", "benchmark", "model", "milestone", "evidence"):
        table.add_column(column)
    for m in found:
        table.add_row(
            m.date.isoformat(),
            m.kind,
            m.benchmark_id or "",
            m.model_id or "",
            m.description[:140],
            ", ".join(m.claim_ids[:2]),
        )
    out.print(table)


def index(
    as_of: AsOf = None,
    at: Annotated[str | None, typer.Option("--at", help="Use only results reported by this day (valid time).")] = None,
    as_json: AsJson = False,
) -> None:
    """The AI R&D automation index: per-area progress to automation-ready thresholds, forecasts and the composite."""
    from graph.analytics.index import automation_index

    with store_session() as (_, store), errors():
        result = automation_index(store, as_of=parse_date(as_of, "--as-of"), at=parse_date(at, "--at"))
        if as_json:
            _emit(result.as_dict())
            return
        low, high = result.interval or (None, None)
        out.print(
            f"[bold]AI R&D automation index: {_fmt(result.value)}[/bold] / 100 "
            f"(interval {_fmt(low)}–{_fmt(high)}; coverage {100 * result.coverage:.0f}% of the weight)"
        )
        table = Table()
        for column in ("area", "weight", "progress", "benchmark: best / threshold", "forecast (threshold)"):
            table.add_column(column)
        for area in result.areas:
            parts = [f"{b.benchmark_id}: {b.best.value:g}/{b.threshold:g}" for b in area.benchmarks if b.best]
            f = area.forecast
            when = (
                "—" if f is None else "reached" if f.reached else (f.date.isoformat() if f.date else "not within reach")
            )
            table.add_row(
                area.name,
                f"{area.weight:.2f}",
                "no data" if area.progress is None else f"{100 * area.progress:.0f}%",
                "; ".join(parts) or "—",
                when,
            )
        out.print(table)


def network(
    top: Annotated[int, typer.Option("--top", min=1, max=100, help="How many to list per ranking.")] = 10,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Graph measures: benchmark communities by co-reporting, central models/benchmarks/organisations, key papers."""
    from graph.analytics.network import network_report

    with store_session() as (_, store), errors():
        report = network_report(store, Filters(as_of=parse_date(as_of, "--as-of")), top=top)
        if as_json:
            _emit(report.as_dict())
            return
        for i, community in enumerate(report.communities, 1):
            out.print(f"Community {i}: " + ", ".join(community), highlight=False)
        for label, ranked in report.central.items():
            out.print(
                f"Most central {label.lower()}s: " + ", ".join(f"{r.name or r.id} ({r.score:.3f})" for r in ranked)
            )
        for p in report.introducing:
            out.print(f"{p.document_id} introduced {', '.join(p.benchmarks)}: {p.claims} claims", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the root CLI."""
    for command in (timeline, trends, saturation, conflicts, milestones, signals, index, network):
        app.command(command.__name__)(command)
