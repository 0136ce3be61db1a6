"""Keyset pagination over lists computed in memory (milestones, signals, benchmarks, review queue)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from graph.store import Cursor

T = TypeVar("T")


def page_of(
    items: Sequence[T], key: Callable[[T], tuple[str, str]], limit: int, cursor: str | None, descending: bool = False
) -> tuple[list[T], str | None]:
    """One page of ``items`` (already sorted by ``key``, descending if said) after ``cursor``."""
    if cursor:
        pos = Cursor.decode(cursor)
        mark = (pos.key, pos.id)
        items = [i for i in items if (key(i) < mark if descending else key(i) > mark)]
    page = list(items[:limit])
    if len(items) > limit and page:
        last = key(page[-1])
        return page, Cursor(last[0], last[1]).encode()
    return page, None
