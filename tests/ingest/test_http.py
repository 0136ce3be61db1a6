"""PoliteClient against a real local server: identity, pacing, retries, Retry-After, size caps, robots."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from graph.settings import load_settings
from ingest.errors import FetchError
from ingest.http import PoliteClient, retry_after_seconds
from tests.support.http_server import FixtureServer, Reply, Sleeps


def client(sleep: Sleeps | None = None, **kw: float) -> PoliteClient:
    return PoliteClient("autoscope-test/1 (mailto:test@example.org)", sleep=sleep or Sleeps(), **kw)  # type: ignore[arg-type]


def test_sends_user_agent_and_decodes_charset(http_server: FixtureServer) -> None:
    http_server.route("/p", Reply(200, "café".encode("latin-1"), content_type="text/html; charset=iso-8859-1"))
    with client() as c:
        got = c.get(http_server.url("/p"))
    assert got.text() == "café"
    assert http_server.hits("/p")[0].headers["User-Agent"].startswith("autoscope-test/1")


def test_requests_to_one_host_are_paced(http_server: FixtureServer) -> None:
    http_server.route("/a", Reply(200, "ok"))
    with PoliteClient("autoscope-test/1", min_interval=0.3) as c:
        for _ in range(3):
            c.get(http_server.url("/a"))
    times = [r.at for r in http_server.hits("/a")]
    assert len(times) == 3
    assert all(b - a >= 0.28 for a, b in itertools.pairwise(times))


def test_pacing_asks_to_wait_the_min_interval() -> None:
    sleeps = Sleeps()
    c = client(sleeps, min_interval=3.0)
    c._pace("export.arxiv.org", 3.0)
    c._pace("export.arxiv.org", 3.0)
    c._pace("other.host", 3.0)
    assert len(sleeps.waits) == 1 and 2.9 <= sleeps.waits[0] <= 3.0


def test_default_arxiv_interval_obeys_the_terms() -> None:
    assert load_settings().arxiv_min_interval >= 3.0


def test_503_with_retry_after_is_retried_after_the_hinted_wait(http_server: FixtureServer) -> None:
    http_server.route("/r", Reply(503, "busy", headers={"Retry-After": "7"}), Reply(200, "fine"))
    sleeps = Sleeps()
    with client(sleeps, min_interval=0.0) as c:
        assert c.get(http_server.url("/r")).text() == "fine"
    assert len(http_server.hits("/r")) == 2
    assert 7.0 in sleeps.waits


def test_429_with_http_date_retry_after(http_server: FixtureServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    http_server.route("/r", Reply(429, "slow down", headers={"Retry-After": later}), Reply(200, "ok"))
    sleeps = Sleeps()
    with client(sleeps, min_interval=0.0) as c:
        assert c.get(http_server.url("/r")).status == 200
    assert any(15 <= w <= 21 for w in sleeps.waits)


def test_persistent_failure_names_the_url(http_server: FixtureServer) -> None:
    http_server.route("/down", Reply(502, "bad gateway"))
    with client(min_interval=0.0, max_retries=2) as c, pytest.raises(FetchError) as info:
        c.get(http_server.url("/down"))
    assert http_server.url("/down") in str(info.value) and "HTTP 502 after 3 attempt(s)" in str(info.value)
    assert len(http_server.hits("/down")) == 3


def test_timeouts_are_retried(http_server: FixtureServer) -> None:
    http_server.route("/slow", Reply(200, "late", delay=1.0), Reply(200, "quick"))
    with client(min_interval=0.0, timeout=0.3) as c:
        assert c.get(http_server.url("/slow")).text() == "quick"


def test_empty_pages_can_be_treated_as_transient(http_server: FixtureServer) -> None:
    http_server.route("/feed", Reply(200, ""), Reply(200, "<entries/>"))
    with client(min_interval=0.0) as c:
        got = c.get(http_server.url("/feed"), retry_empty=lambda f: not f.content)
    assert got.text() == "<entries/>" and len(http_server.hits("/feed")) == 2


def test_oversized_responses_are_refused(http_server: FixtureServer) -> None:
    http_server.route("/big", Reply(200, b"x" * 2_000_000))
    with client(min_interval=0.0, max_bytes=1_000_000) as c, pytest.raises(FetchError, match="exceeds"):
        c.get(http_server.url("/big"))


def test_robots_txt_is_honoured_for_pages(http_server: FixtureServer) -> None:
    http_server.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private/\n"))
    http_server.route("/private/x", Reply(200, "secret"))
    http_server.route("/public/x", Reply(200, "hello"))
    with client(min_interval=0.0) as c:
        assert c.get(http_server.url("/public/x"), check_robots=True).text() == "hello"
        with pytest.raises(FetchError, match=r"robots\.txt"):
            c.get(http_server.url("/private/x"), check_robots=True)
    assert http_server.hits("/private/x") == []
    assert len(http_server.hits("/robots.txt")) == 1


def test_retry_after_parsing() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Thu, 01 Jan 2026 00:01:00 GMT", now=now) == 60.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
