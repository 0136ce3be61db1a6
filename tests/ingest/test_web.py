"""Article fetching and extraction through a real local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ingest.documents import Table
from ingest.http import PoliteClient
from ingest.sources.base import Skip
from ingest.sources.tables import pipe_tables
from ingest.sources.web import Article, Page, decode_html, extract_article, fetch_article, parse_html
from tests.support.http_server import FixtureServer, Reply, fixture

HTML = "text/html; charset=utf-8"


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    with PoliteClient(
        "autoscope-test/0.1 (mailto:tests@example.org)",
        min_interval=0.0,
        timeout=5.0,
        max_retries=2,
        backoff=0.01,
        max_retry_wait=3.0,
        max_bytes=1_000_000,
    ) as c:
        yield c


def get(server: FixtureServer, client: PoliteClient, name: str, content_type: str = HTML) -> Article:
    server.route(f"/{name}", Reply(body=fixture(f"labs/{name}"), content_type=content_type))
    got = fetch_article(client, server.url(f"/{name}"))
    assert isinstance(got, Article), got
    return got


def from_html(html: str) -> Article:
    return extract_article(Page("https://labs.example/post", html, parse_html(html)))


def article_html(body: str) -> str:
    filler = " ".join(["Context sentence about the evaluation setup and its limits."] * 6)
    article = f"<article><h1>T</h1><p>{filler}</p>{body}<p>{filler}</p></article>"
    return f"<html><head><title>T</title></head><body>{article}</body></html>"


def test_headings_list_items_title_date_and_authors(http_server: FixtureServer, client: PoliteClient) -> None:
    article = get(http_server, client, "nimbus-3.html")
    lines = article.text.splitlines()
    assert lines[0] == "# Introducing Nimbus-3"
    assert article.title == "Introducing Nimbus-3"
    assert article.published == date(2025, 3, 4)
    assert article.authors == ["Ada Okafor", "Lin Zhao"]  # JSON-LD
    assert (
        lines[lines.index("## Highlights") + 2]
        == "- State-of-the-art results on SWE-bench Verified and Terminal-Bench."
    )
    assert "2. Graders were blind to which model produced a patch." in lines
    # no Markdown escaping or emphasis markers, and the footnote marker does not glue onto the number
    assert "resolves 71.2% of SWE-bench Verified tasks and is available today" in article.text
    assert "*" not in article.text and "\\" not in article.text


def test_models_as_rows_with_figure_caption(http_server: FixtureServer, client: PoliteClient) -> None:
    article = get(http_server, client, "stratus-2.html")
    assert article.tables == [
        Table(
            caption="Evaluation results for Stratus-2 and comparable models.",
            header=["Model", "MMLU-Pro", "GPQA Diamond", "LiveCodeBench"],
            rows=[
                ["Stratus-2", "78.6", "69.5", "61.0"],
                ["Stratus-1", "71.2", "58.8", "47.3"],
                ["Nimbus-2.5", "76.0", "74.9", "55.2"],
            ],
        )
    ]
    assert "[Table 1: Evaluation results for Stratus-2 and comparable models.]" in article.text.splitlines()
    assert article.published == date(2025, 5, 20)  # from <time datetime>
    assert article.authors == ["Stratus AI research team"]


def test_spans_multirow_headers_footnotes_and_layout_tables(http_server: FixtureServer, client: PoliteClient) -> None:
    article = get(http_server, client, "altimeter-report.html")
    assert article.tables == [
        Table(
            caption="Table 2. Success rates by task family (%)",
            header=[
                "Task family",
                "Nimbus-3 / pass@1",
                "Nimbus-3 / pass@5",
                "Stratus-2 / pass@1",
                "Stratus-2 / pass@5",
            ],
            rows=[
                ["Bug fixing", "62.0", "78.5", "51.3", "70.2"],
                ["Bug fixing", "64.1", "80.0", "50.9", "69.8"],
                ["Feature work", "41.7", "58.3", "not run", "not run"],
                ["Refactoring", "55.0", "71.4", "48.6", "66.0"],
            ],
        )
    ]
    lines = article.text.splitlines()
    marker = lines.index("[Table 1: Table 2. Success rates by task family (%)]")
    assert lines[marker + 2] == "a: median of three seeds. b: budget exhausted before the run finished."
    assert "We ran three frontier models" in article.text  # prose inside the layout table kept
    assert "Share this report" in lines  # single-cell table unwrapped, not a results table
    assert article.published == date(2025, 10, 2) and article.authors == ["Altimeter Evaluations"]


def test_table_details() -> None:
    html = article_html(
        "<table><tr><th>Model</th><th>Score</th></tr>"
        "<tr><td>A<br>(large)</td><td>1.5 &times; 10<sup>6</sup></td></tr>"
        "<tr><td colspan='2'>Open models</td></tr>"
        "<tr><td><span aria-hidden='true'>icon</span>\u00a0B\u200b </td><td><b>71.2</b><sup>[3]</sup></td></tr>"
        "</table>"
        "<table role='presentation'><tr><td>left column prose</td><td>right</td></tr>"
        "<tr><td>x</td><td>y</td></tr></table>"
        "<table><tr><td>only one row</td><td>two cells</td></tr></table>"
    )
    article = from_html(html)
    assert article.tables == [
        Table(header=["Model", "Score"], rows=[["A (large)", "1.5 × 10^6"], ["Open models", ""], ["B", "71.2"]])
    ]
    assert "left column prose" in article.text and "only one row" in article.text


def test_cookie_wall_and_empty_pages_are_skipped(http_server: FixtureServer, client: PoliteClient) -> None:
    http_server.route("/wall", Reply(body=fixture("labs/cookie-wall.html"), content_type=HTML))
    http_server.route("/empty", Reply(body="<html><body><div id='app'></div></body></html>", content_type=HTML))
    http_server.route("/blank", Reply(body="", content_type=HTML))
    http_server.route("/pdf", Reply(body=b"%PDF-1.7 ...", content_type="application/pdf"))
    wall = fetch_article(client, http_server.url("/wall"))
    assert isinstance(wall, Skip) and wall.item == http_server.url("/wall")
    assert wall.reason.startswith("no article: looks like a cookie or consent wall")
    assert fetch_article(client, http_server.url("/empty")) == Skip(
        http_server.url("/empty"), "no article text found (0 words)"
    )
    blank = fetch_article(client, http_server.url("/blank"))
    assert isinstance(blank, Skip) and blank.reason.startswith("empty or unparseable HTML")
    assert fetch_article(client, http_server.url("/pdf")) == Skip(
        http_server.url("/pdf"), "not an HTML page (application/pdf)"
    )


def test_windows_1252_page_with_meta_charset(http_server: FixtureServer, client: PoliteClient) -> None:
    for path, content_type in (("/plain", "text/html"), ("/mislabelled", "text/html; charset=utf-8")):
        http_server.route(path, Reply(body=fixture("labs/zurich-cp1252.html"), content_type=content_type))
        article = fetch_article(client, http_server.url(path))
        assert isinstance(article, Article)
        assert article.title == "Stratus AI opens a research office in Zürich"
        assert "evaluation science – the “boring” but essential work" in article.text
        assert "roughly €2 million" in article.text and "\ufffd" not in article.text


def test_decoding_rules() -> None:
    text = "naïve café — “quoted”"
    assert decode_html(text.encode("utf-8"), "text/html; charset=iso-8859-1") == text  # valid UTF-8 wins
    assert decode_html(text.encode("cp1252"), "text/html; charset=ISO-8859-1") == text  # Latin-1 means cp1252
    assert decode_html(b'<meta charset="windows-1252">' + text.encode("cp1252")).endswith(text)
    assert decode_html(b"\xef\xbb\xbf" + text.encode("utf-8"), "text/html; charset=cp1252") == text  # BOM first
    assert decode_html(text.encode("utf-16"), None) == text
    assert decode_html(b"caf\xe9 \xff", None) == "caf\ufffd \ufffd"  # nothing declared: replacement
    assert decode_html(b"caf\xe9", "text/html; charset=no-such-charset") == "caf\ufffd"


def test_robots_txt_disallows_a_path(http_server: FixtureServer, client: PoliteClient) -> None:
    http_server.route("/robots.txt", Reply(body=fixture("labs/robots.txt")))
    http_server.route("/cirrus/private/draft", Reply(body=fixture("labs/nimbus-3.html"), content_type=HTML))
    got = fetch_article(client, http_server.url("/cirrus/private/draft"))
    assert isinstance(got, Skip) and got.reason.startswith("disallowed by robots.txt")
    assert http_server.hits("/cirrus/private/draft") == []


def test_503_with_retry_after_is_retried(http_server: FixtureServer, client: PoliteClient) -> None:
    page = Reply(body=fixture("labs/haze-lm.html"), content_type=HTML)
    http_server.route("/busy", Reply(503, "busy", headers={"Retry-After": "1"}), page)
    got = fetch_article(client, http_server.url("/busy"))
    assert isinstance(got, Article) and got.title == "Haze-LM ships with a 2x faster decoder"
    hits = http_server.hits("/busy")
    assert len(hits) == 2 and hits[1].at - hits[0].at >= 0.95


def test_oversized_page_is_skipped_without_reading_it(http_server: FixtureServer, client: PoliteClient) -> None:
    http_server.route("/huge", Reply(body=b"<html><body>" + b"a" * (50 * 1024 * 1024), content_type=HTML))
    assert fetch_article(client, http_server.url("/huge")) == Skip(
        http_server.url("/huge"), "larger than 1000000 bytes"
    )


def test_http_errors_become_skips(http_server: FixtureServer, client: PoliteClient) -> None:
    http_server.route("/gone", Reply(404, "not here", content_type=HTML))
    assert fetch_article(client, http_server.url("/gone")) == Skip(http_server.url("/gone"), "HTTP 404")


def test_html_parsing_is_hardened(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-7f3a", encoding="utf-8")
    doctype = f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    article = from_html(doctype + article_html("<p>Entity &xxe; and &amp; stay text.</p>"))
    assert "Entity" in article.text and "TOKEN-7f3a" not in article.text


def test_markdown_pipe_tables() -> None:
    text, tables = pipe_tables(fixture("labs/analyst-notes.md").decode("utf-8"))
    assert tables == [
        Table(
            caption="Table 3: Slide numbers",
            header=["Benchmark", "Nimbus-3", "Nimbus-2.5"],
            rows=[
                ["SWE-bench Verified", "71.2%", "58.4%"],
                ["Terminal-Bench", "43.5%", "30.1%"],
                ["Pipe | test", "a", "b"],
            ],
        )
    ]
    assert "[Table 1: Table 3: Slide numbers]" in text.splitlines()
    assert "| not | a table |" in text  # inside a code fence
    assert "**Table 3" not in text and "SWE-bench Verified | **71.2%**" not in text
