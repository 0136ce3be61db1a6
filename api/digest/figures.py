"""The digest's charts: frontier and trend (with its 95% band) of each benchmark that moved, as of the week's end.

Drawn with :func:`api.charts.render`. SVG output is made byte-stable: matplotlib's ``svg.hashsalt``
is fixed per benchmark (stable element ids, unique across charts inlined in one page) and
``api.charts`` writes no date metadata. Drawing is serialised: pyplot is not thread-safe and the
API serves requests from a thread pool.
"""

from __future__ import annotations

import re
import threading

from api.digest.model import Digest
from graph.analytics.config import AnalyticsConfig
from graph.analytics.select import Filters
from graph.analytics.timeline import timeline
from graph.analytics.trends import trend
from graph.store import GraphStore

_LOCK = threading.Lock()


def chart_name(benchmark_id: str, fmt: str) -> str:
    """A file name for a benchmark's chart (ids are slugs; anything else becomes ``-``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", benchmark_id).strip(".") + "." + fmt


def draw_charts(
    store: GraphStore, digest: Digest, fmt: str = "png", config: AnalyticsConfig | None = None
) -> dict[str, bytes]:
    """Chart bytes (``png`` or ``svg``) per benchmark id listed in ``digest.charts``."""
    import matplotlib

    from api.charts import render

    week_end = digest.end
    out: dict[str, bytes] = {}
    for ref in digest.charts:
        line = timeline(store, ref.benchmark_id, as_of=week_end)
        fitted = trend(store, ref.benchmark_id, filters=Filters(as_of=week_end), config=config)
        title = f"{ref.benchmark}: frontier and trend, as of {digest.week}"
        with _LOCK, matplotlib.rc_context({"svg.hashsalt": f"autoscope-{ref.benchmark_id}"}):
            out[ref.benchmark_id] = render(line, fitted, fmt, title=title)
    return out
