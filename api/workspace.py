"""An analyst's workspace for notebooks: the configured store, ready to explore, and simple displays.

The notebooks in ``notebooks/`` hold no logic of their own: they call the analytics and these
few helpers. ``open_workspace()`` opens the store the environment configures (``AUTOSCOPE_*``);
an empty store gets the bundled sample, its derived milestones and signals, so a fresh checkout
runs every notebook offline.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from graph.analytics.config import use_file as use_analytics_file
from graph.analytics.events import derive
from graph.factory import open_store
from graph.settings import Settings, load_settings
from graph.store import GraphStore
from ingest.curated import load_sample


def open_workspace(settings: Settings | None = None) -> GraphStore:
    """The configured store; when it holds no claims yet, the bundled sample is loaded into it."""
    settings = settings or load_settings()
    use_analytics_file(settings.analytics_file)
    store = open_store(settings)
    store.init_schema()
    if not store.counts().nodes.get("Claim"):
        load_sample(store, batch_size=settings.write_batch_size)
        derive(store)
    return store


class Table:
    """Rows shown as an HTML table in a notebook (and as plain text elsewhere)."""

    def __init__(self, rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None, limit: int = 50):
        self.rows = list(rows)
        self.columns = list(columns or (self.rows[0].keys() if self.rows else []))
        self.limit = limit

    def _cells(self, row: Mapping[str, Any]) -> list[str]:
        return [_text(row.get(c)) for c in self.columns]

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in self._cells(row)) + "</tr>"
            for row in self.rows[: self.limit]
        )
        more = f"<p>… and {len(self.rows) - self.limit} more rows</p>" if len(self.rows) > self.limit else ""
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"

    def __repr__(self) -> str:
        lines = [" | ".join(self.columns)]
        lines += [" | ".join(self._cells(row)) for row in self.rows[: self.limit]]
        if len(self.rows) > self.limit:
            lines.append(f"… and {len(self.rows) - self.limit} more rows")
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def quarter_ends(start: date, end: date) -> list[date]:
    """The last day of every quarter from ``start`` to ``end`` (for index histories)."""
    out: list[date] = []
    year, quarter = start.year, (start.month - 1) // 3
    while True:
        month = 3 * quarter + 3
        last = date(year + (month == 12), 1 if month == 12 else month + 1, 1).toordinal() - 1
        day = date.fromordinal(last)
        if day > end:
            return out
        if day >= start:
            out.append(day)
        quarter = (quarter + 1) % 4
        year += quarter == 0
