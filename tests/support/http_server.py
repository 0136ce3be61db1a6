"""A real local HTTP server for source fixtures, with scripted responses.

Routes map a path (and optionally query parameters) to a list of responses served in
order, the last one repeating; every request is recorded so tests can check pacing,
headers and resumption.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "text/plain; charset=utf-8"
    delay: float = 0.0

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


class Sleeps:
    """A ``sleep`` for PoliteClient that records every wait; sleeps for real only when told to."""

    def __init__(self, real: bool = False) -> None:
        self.waits: list[float] = []
        self.real = real

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.real:
            time.sleep(seconds)


def fixture(name: str) -> bytes:
    """Bytes of a file under tests/fixtures/."""
    return (FIXTURES / name).read_bytes()


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float


@dataclass
class _Route:
    path: str
    query: dict[str, str]
    replies: list[Reply]
    served: int = 0

    def matches(self, path: str, query: dict[str, list[str]]) -> bool:
        return path == self.path and all(query.get(k, [None])[0] == v for k, v in self.query.items())

    def next(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


class FixtureServer:
    """Serve scripted replies on 127.0.0.1; use :func:`serve` to run one for a test."""

    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    def route(self, path: str, *replies: Reply, query: Mapping[str, str] | None = None) -> None:
        """Add a route; more specific (query) routes should be added before generic ones."""
        with self._lock:
            self.routes.append(_Route(path, dict(query or {}), list(replies) or [Reply(404)]))

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def hits(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if handler.command == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            for k, v in parse_qs(handler.rfile.read(length).decode("utf-8", "replace")).items():
                query.setdefault(k, v)
        with self._lock:
            self.requests.append(Recorded(handler.command, parts.path, query, dict(handler.headers), time.monotonic()))
            route = next((r for r in self.routes if r.matches(parts.path, query)), None)
            reply = route.next() if route else Reply(404, "not found")
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.payload()
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command != "HEAD":
            with suppress(BrokenPipeError, ConnectionResetError):
                handler.wfile.write(body)

    @contextmanager
    def running(self) -> Iterator[FixtureServer]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._handle(self)

            do_POST = do_GET
            do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join(timeout=5)
