"""A response cache for the computed read endpoints, invalidated by the graph's generation.

Timelines, trends, the index and the other analyses are pure functions of the graph, which
changes a few times a week; recomputing them for every request wastes the CPU that serves the
next one. Each answer is kept with the store's generation (a token every committed write bumps,
by any process) and reused only while the generation is unchanged, so a cached answer is never
staler than the graph. Answers also carry an ETag built from the generation: a client that sends
``If-None-Match`` gets 304 without a body while nothing changed.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import Request, Response

from graph.store import GraphStore


class ResponseCache:
    """A thread-safe LRU of encoded JSON answers keyed by URL (and the caller's key, when reads need one)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._items: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str, generation: str) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != generation:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: str, generation: str, body: bytes) -> None:
        if self.entries <= 0:
            return
        with self._lock:
            self._items[key] = (generation, body)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


def cached_json(request: Request, store: GraphStore, compute: Callable[[], Any]) -> Response:
    """The JSON of ``compute()`` for this request, from the cache while the graph is unchanged."""
    cache: ResponseCache | None = getattr(request.app.state, "response_cache", None)
    generation = store.generation()
    etag = '"' + hashlib.sha1(f"{generation}|{request.url}".encode()).hexdigest()[:20] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    key = str(request.url)
    body = cache.get(key, generation) if cache is not None else None
    if body is None:
        body = orjson.dumps(compute())
        if cache is not None:
            cache.put(key, generation, body)
    return Response(body, media_type="application/json", headers=headers)
