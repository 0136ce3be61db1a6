"""Deliver digests: as text (stdout, HTTP) or as files in the digests directory (CLI, worker).

Files for week ``W`` in ``DIR``: ``W.md`` with its charts as PNG files in ``W/`` (relative links),
``W.html`` (one page, charts inlined as SVG) or ``W.json``. Each file is written to a temporary
name and renamed, so a reader never sees half a digest; a re-run replaces the week's files and
removes charts it no longer draws.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal

from api.digest.build import DigestConfig, build_digest
from api.digest.figures import chart_name, draw_charts
from api.digest.model import Digest
from api.digest.render import render_html, render_json, render_markdown
from api.digest.week import IsoWeek
from graph.analytics.config import AnalyticsConfig, default_config, load_config
from graph.settings import Settings
from graph.store import GraphStore

Format = Literal["md", "html", "json"]
SUFFIX: dict[str, str] = {"md": ".md", "html": ".html", "json": ".json"}


def digests_dir(settings: Settings) -> Path:
    """Where digests are written by default: ``$AUTOSCOPE_DATA_DIR/digests``."""
    return settings.data_dir / "digests"


def analytics_config(settings: Settings) -> AnalyticsConfig:
    """The analysis parameters the digest uses (``AUTOSCOPE_ANALYTICS_FILE`` or the bundled ones)."""
    return load_config(settings.analytics_file) if settings.analytics_file else default_config()


def render_text(store: GraphStore, digest: Digest, fmt: Format, config: AnalyticsConfig | None = None) -> str:
    """The digest as one text: Markdown without charts, HTML with inline SVG charts, or JSON."""
    if fmt == "json":
        return render_json(digest)
    if fmt == "html":
        return render_html(digest, draw_charts(store, digest, "svg", config))
    return render_markdown(digest)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_digest(
    store: GraphStore, digest: Digest, out_dir: Path, fmt: Format = "md", config: AnalyticsConfig | None = None
) -> list[Path]:
    """Write the digest (and, for Markdown, its chart files) into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{digest.week}{SUFFIX[fmt]}"
    if fmt != "md":
        _write(target, render_text(store, digest, fmt, config).encode("utf-8"))
        return [target]
    written: list[Path] = []
    links: dict[str, str] = {}
    chart_dir = out_dir / digest.week
    images = draw_charts(store, digest, "png", config)
    if images:
        chart_dir.mkdir(exist_ok=True)
    for bench_id, data in sorted(images.items()):
        name = chart_name(bench_id, "png")
        _write(chart_dir / name, data)
        written.append(chart_dir / name)
        links[bench_id] = f"{digest.week}/{name}"
    if chart_dir.is_dir():
        for stale in chart_dir.glob("*.png"):
            if stale not in written:
                stale.unlink()
    _write(target, render_markdown(digest, links).encode("utf-8"))
    return [target, *written]


def weekly_digests(
    settings: Settings,
    store: GraphStore,
    today: date,
    formats: tuple[Format, ...] = ("md", "html"),
    on_step: Callable[[str], None] | None = None,
) -> list[Path]:
    """The worker's digests: the week just finished and the week in progress, in each format."""
    config = analytics_config(settings)
    current = IsoWeek.containing(today)
    paths: list[Path] = []
    for week in (current.previous(), current):
        digest = build_digest(store, week, DigestConfig(analytics=config), on_step=on_step)
        for fmt in formats:
            paths += write_digest(store, digest, digests_dir(settings), fmt, config)
    return paths
