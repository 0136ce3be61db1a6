"""A polite HTTP client for every source: one identity, per-host pacing, retries, size caps.

- a descriptive User-Agent with a contact address;
- at least ``min_interval`` seconds between requests to the same host (arXiv asks for 3 s);
- retries with exponential backoff on timeouts, connection errors, 5xx and 429, honouring
  ``Retry-After`` (seconds or an HTTP date), capped by ``max_retry_wait``;
- responses larger than ``max_bytes`` are refused without reading them whole;
- optional robots.txt checks for pages (not for official APIs).
"""

from __future__ import annotations

import logging
import socket
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from graph.settings import Settings
from ingest.errors import FetchError, ResponseTooLarge

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        """Decode with the declared charset, falling back to UTF-8 with replacement."""
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"'")
        try:
            return self.content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return self.content.decode("utf-8", errors="replace")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (delta seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteClient:
    """Synchronous, one request at a time; safe to share across sources in one process."""

    def __init__(
        self,
        user_agent: str,
        min_interval: float = 1.0,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff: float = 2.0,
        max_retry_wait: float = 300.0,
        max_bytes: int = 20 * 1024 * 1024,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.min_interval = min_interval
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.user_agent = user_agent
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=timeout,
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pace(self, host: str, interval: float) -> None:
        last = self._last.get(host)
        if last is not None:
            wait = interval - (time.monotonic() - last)
            if wait > 0:
                self._sleep(wait)
        self._last[host] = time.monotonic()

    def allowed(self, url: str, min_interval: float | None = None) -> bool:
        """Whether robots.txt lets our User-Agent fetch ``url`` (unreachable robots.txt allows)."""
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            parser: urllib.robotparser.RobotFileParser | None = None
            try:
                got = self._request("GET", root + "/robots.txt", retries=1, interval=min_interval)
                if got.status == 200:
                    parser = urllib.robotparser.RobotFileParser()
                    parser.parse(got.text().splitlines())
            except FetchError:
                parser = None
            self._robots[root] = parser
        robots = self._robots[root]
        return robots is None or robots.can_fetch(self.user_agent, url)

    def get(
        self,
        url: str,
        params: dict[str, str] | None = None,
        check_robots: bool = False,
        min_interval: float | None = None,
        retry_empty: Callable[[Fetched], bool] | None = None,
    ) -> Fetched:
        """GET with pacing and retries; raises FetchError naming the URL on final failure.

        ``retry_empty`` lets a caller treat a 200 with an unusable body (arXiv's
        occasional empty page) as transient.
        """
        if check_robots and not self.allowed(url, min_interval):
            raise FetchError(f"{url}: disallowed by robots.txt for {self.user_agent!r}")
        return self._request("GET", url, params=params, interval=min_interval, retry_empty=retry_empty)

    def _request(
        self,
        method: str,
        url: str,
        params: dict[str, str] | None = None,
        retries: int | None = None,
        interval: float | None = None,
        retry_empty: Callable[[Fetched], bool] | None = None,
    ) -> Fetched:
        host = urlsplit(url).netloc
        attempts = (self.max_retries if retries is None else retries) + 1
        problem = "no attempt made"
        for attempt in range(attempts):
            self._pace(host, self.min_interval if interval is None else interval)
            wait = min(self.backoff * (2**attempt), self.max_retry_wait)
            try:
                fetched = self._once(method, url, params)
            except httpx.TimeoutException:
                problem = "timed out"
            except httpx.TransportError as e:
                problem = f"connection failed ({e.__class__.__name__})"
            else:
                if fetched.status in RETRY_STATUSES:
                    problem = f"HTTP {fetched.status}"
                    hinted = retry_after_seconds(fetched.headers.get("retry-after"))
                    if hinted is not None:
                        wait = min(max(hinted, 0.0), self.max_retry_wait)
                elif retry_empty is not None and fetched.status == 200 and retry_empty(fetched):
                    problem = "empty or unusable response"
                else:
                    return fetched
            if attempt + 1 < attempts:
                log.warning("%s %s: %s; retry %d/%d in %.1fs", method, url, problem, attempt + 1, attempts - 1, wait)
                self._sleep(wait)
        raise FetchError(f"{url}: {problem} after {attempts} attempt(s)")

    def _once(self, method: str, url: str, params: dict[str, str] | None) -> Fetched:
        with self._client.stream(method, url, params=params) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise ResponseTooLarge(
                    f"{url}: response of {int(declared):,} bytes exceeds the {self.max_bytes:,}-byte limit",
                    self.max_bytes,
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise ResponseTooLarge(f"{url}: response exceeds the {self.max_bytes:,}-byte limit", self.max_bytes)
                chunks.append(chunk)
            return Fetched(str(response.url), response.status_code, response.headers, b"".join(chunks))


def client_from_settings(settings: Settings, min_interval: float | None = None) -> PoliteClient:
    """The client every source uses, configured from settings (``min_interval`` per host)."""
    return PoliteClient(
        settings.user_agent,
        min_interval=settings.feed_min_interval if min_interval is None else min_interval,
        timeout=settings.http_timeout,
        max_retries=settings.http_max_retries,
        max_bytes=settings.http_max_bytes,
    )


def network_reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to ``url``'s host opens (the online/offline check of ``up``)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False
