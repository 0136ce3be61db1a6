"""Charts of a benchmark: every claim, the frontier, and the fitted trend with its 95% band.

matplotlib is imported when a chart is drawn (never at import time) and always with the
non-interactive Agg backend, so charts render on servers without a display.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from graph.analytics.timeline import Timeline
from graph.analytics.trends import Trend

FORMATS = {".png": "png", ".svg": "svg"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def render(timeline: Timeline | None, trend: Trend | None, fmt: str = "png", title: str | None = None) -> bytes:
    """The chart as PNG or SVG bytes (either argument may be None)."""
    if fmt not in FORMATS.values():
        raise ValueError(f"chart format must be png or svg, got {fmt!r}")
    plt = _pyplot()
    source = timeline if timeline is not None else trend
    bench = source.benchmark if source is not None else None
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    try:
        if trend is not None:
            shown = [p for p in trend.candidates if trend.since is None or p.date >= trend.since]
            ax.scatter([p.date for p in shown], [p.value for p in shown], s=12, color="#b8b8c8",
                       label=f"claims ({trend.date_basis} date)", zorder=1)  # fmt: skip
            timeline = None
        if timeline is not None and timeline.claims:
            ax.scatter([c.reported_date for c in timeline.claims], [c.value for c in timeline.claims], s=12,
                       color="#b8b8c8", label="claims (report date)", zorder=1)  # fmt: skip
        if timeline is not None and timeline.frontier:
            steps = timeline.frontier
            ax.step([s.date for s in steps], [s.value for s in steps], where="post", color="#3050c0",
                    label="frontier (report date)", zorder=2)  # fmt: skip
            tied = [s for s in steps if s.tied]
            if tied:
                ax.scatter([s.date for s in tied], [s.value for s in tied], marker="o", facecolors="none",
                           edgecolors="#c05030", label="statistical tie", zorder=3)  # fmt: skip
        if trend is not None and trend.points:
            ax.scatter([p.date for p in trend.points], [p.value for p in trend.points], s=22, color="#208050",
                       label=f"fitted points ({trend.date_basis} date)", zorder=3)  # fmt: skip
        if trend is not None and trend.fit is not None:
            _draw_fit(ax, trend)
        if trend is not None and trend.kind == "log-linear":
            ax.set_yscale("log")
        unit = bench.unit.value if bench else ""
        ax.set_ylabel(unit)
        ax.set_title(title or (bench.name if bench else ""))
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        return _encode(fig, fmt)
    finally:
        plt.close(fig)


def _encode(fig: Any, fmt: str) -> bytes:
    fig.autofmt_xdate()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def _draw_fit(ax: Any, trend: Trend) -> None:
    fit = trend.fit
    assert fit is not None
    start = min(p.date for p in trend.points)
    end = max(p.date for p in trend.points)
    horizon = [f.high or f.date for f in trend.forecasts if not f.reached and (f.high or f.date)]
    stop = max([end + timedelta(days=90), *[d for d in horizon if d and d < end + timedelta(days=3 * 365)]])
    span = (stop - start).days
    days = [start + timedelta(days=round(i * span / 120)) for i in range(121)]
    ax.plot(days, fit.predict(days), color="#208050", linestyle="--", label="fit")
    low, high = fit.band(days)
    ax.fill_between(days, low, high, color="#208050", alpha=0.15, label="95% band")
    for f in trend.forecasts:
        if f.date is not None and not f.reached and f.date <= stop:
            ax.axhline(f.threshold, color="#806020", linewidth=0.8, linestyle=":")
            ax.annotate(f"{f.threshold:g} by {f.date.isoformat()}", (_clamp(f.date, start, stop), f.threshold),
                        fontsize=7, color="#806020")  # fmt: skip


def _clamp(value: date, low: date, high: date) -> date:
    return min(max(value, low), high)


def save(path: Path, timeline: Timeline | None, trend: Trend | None) -> Path:
    """Write the chart to ``path`` (.png or .svg, by suffix)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: a chart file must end in .png or .svg")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(timeline, trend, fmt))
    return path


def render_series(points: list[tuple[date, float | None]], title: str, ylabel: str = "", fmt: str = "png") -> bytes:
    """A simple line chart of dated values (the automation index over time); gaps where a value is None."""
    if fmt not in FORMATS.values():
        raise ValueError(f"chart format must be png or svg, got {fmt!r}")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.5), dpi=110)
    try:
        shown = [(d, v) for d, v in points if v is not None]
        ax.plot([d for d, _ in shown], [v for _, v in shown], marker="o", color="#3050c0")
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        return _encode(fig, fmt)
    finally:
        plt.close(fig)
