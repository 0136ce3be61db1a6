"""``autoscope digest``: write the weekly digest (Markdown with chart files, HTML, or JSON)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer

from api.console import EXIT_USAGE, err, errors, fail, out, store_session
from api.digest.week import InvalidWeekError, IsoWeek, check_started, utc_today

Format = Literal["md", "html", "json"]


def resolve_week(text: str | None, on: date) -> IsoWeek:
    """The week asked for (default: the last finished one); refuses weeks that have not started."""
    try:
        return check_started(IsoWeek.parse(text) if text is not None else IsoWeek.containing(on).previous(), on)
    except InvalidWeekError as e:
        raise fail(f"--week: {e}", EXIT_USAGE) from None


def digest(
    week: Annotated[
        str | None, typer.Option("--week", help="ISO week, e.g. 2026-W48 (default: the last finished week).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md (with PNG charts), html (charts inline) or json.")] = "md",
    out_dir: Annotated[
        str | None,
        typer.Option("--out", help="Directory to write into (default: $AUTOSCOPE_DATA_DIR/digests); - for stdout."),
    ] = None,
) -> None:
    """The weekly digest: what changed in the graph during an ISO week, every sentence citing its claims."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from api.digest.build import DigestConfig, build_digest
    from api.digest.deliver import analytics_config, digests_dir, render_text, write_digest

    if fmt not in ("md", "html", "json"):
        raise fail(f"--format {fmt!r} is not one of md, html, json", EXIT_USAGE)
    chosen: Format = "md" if fmt == "md" else "html" if fmt == "html" else "json"
    wk = resolve_week(week, utc_today())
    with store_session() as (settings, store), errors():
        config = analytics_config(settings)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                      transient=True) as progress:  # fmt: skip
            task = progress.add_task(f"{wk.label}: starting")

            def step(message: str) -> None:
                progress.update(task, description=f"{wk.label}: {message}")

            built = build_digest(store, wk, DigestConfig(analytics=config), on_step=step)
            step("rendering" + (" and drawing charts" if built.charts and fmt != "json" else ""))
            if out_dir == "-":
                text = render_text(store, built, chosen, config)
            else:
                target = Path(out_dir) if out_dir else digests_dir(settings)
                try:
                    paths = write_digest(store, built, target, chosen, config)
                except OSError as e:
                    raise fail(f"cannot write the digest into {target}: {e.strerror or e}") from None
    if out_dir == "-":
        sys.stdout.write(text)
        return
    charts = len(paths) - 1
    out.print(
        f"Digest of {wk.label} ({built.new_claims} new claims) written to {paths[0]}"
        + (f" with {charts} chart{'s' if charts != 1 else ''} in {paths[0].with_suffix('')}" if charts else ""),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``digest`` to the root CLI."""
    app.command("digest")(digest)
