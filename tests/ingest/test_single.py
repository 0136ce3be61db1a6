"""Single URLs (an announcement page, an arXiv abstract page) and local files, into a real store."""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from ingest.docstore import DocStore
from ingest.documents import SourceDocument, Table
from ingest.errors import InputFileError
from ingest.http import PoliteClient
from ingest.labs import Lab
from ingest.runner import run_source
from ingest.sources.base import Checkpoint, Skip
from ingest.sources.single import file_source, url_document, url_source
from tests.support.http_server import FixtureServer, Reply, fixture

HTML = "text/html; charset=utf-8"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"


def make_client(transport: httpx.BaseTransport | None = None) -> PoliteClient:
    return PoliteClient(
        "autoscope-test/0.1 (mailto:tests@example.org)",
        min_interval=0.0,
        timeout=5.0,
        max_retries=1,
        backoff=0.01,
        max_bytes=1_000_000,
        transport=transport,
        sleep=lambda seconds: None,
    )


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    with make_client() as c:
        yield c


def only_document(events: list[object]) -> SourceDocument:
    assert len(events) == 2 and events[1] == Checkpoint(None), events
    assert isinstance(events[0], SourceDocument), events[0]
    return events[0]


# -- URLs ---------------------------------------------------------------------------------------
def test_url_announcement_page(http_server: FixtureServer, client: PoliteClient, docstore: DocStore) -> None:
    http_server.route("/cirrus/news/introducing-nimbus-3", Reply(body=fixture("labs/nimbus-3.html"), content_type=HTML))
    url = http_server.url("/cirrus/news/introducing-nimbus-3?utm_source=newsletter")
    lab = Lab(id="cirrus", name="Cirrus Labs", kind="lab", homepage=http_server.url("/"), feed=http_server.url("/f"))

    summary = run_source(url_source(url, client, labs=[lab]), docstore)

    assert (summary.new, summary.skipped) == (1, [])
    stored = docstore.get(f"url:{http_server.base_url}/cirrus/news/introducing-nimbus-3")
    assert stored is not None
    doc = stored.document
    assert (doc.source, doc.kind, doc.organization_id) == ("url", "announcement", "cirrus")
    assert (doc.title, doc.published) == ("Introducing Nimbus-3", date(2025, 3, 4))
    assert doc.tables[0].rows[1] == ["GPQA Diamond", "81.3%", "74.9%", "65.2%"]
    assert "## Benchmark results" in doc.text.splitlines()


def test_url_of_an_unknown_publisher_is_a_webpage(http_server: FixtureServer, client: PoliteClient) -> None:
    http_server.route("/post", Reply(body=fixture("labs/haze-lm.html"), content_type=HTML))
    doc = only_document(list(url_source(http_server.url("/post"), client, labs=[]).fetch(None)))
    assert (doc.kind, doc.organization_id) == ("webpage", None)


def test_url_problems_are_skips(http_server: FixtureServer, client: PoliteClient) -> None:
    http_server.route("/wall", Reply(body=fixture("labs/cookie-wall.html"), content_type=HTML))
    events = list(url_source(http_server.url("/wall"), client, labs=[]).fetch(None))
    assert isinstance(events[0], Skip) and events[0].reason.startswith("no article: looks like a cookie")
    missing = url_document(http_server.url("/missing"), client, labs=[])
    assert missing == Skip(http_server.url("/missing"), "HTTP 404")


def test_arxiv_abstract_page_becomes_the_paper(
    http_server: FixtureServer, client: PoliteClient, docstore: DocStore
) -> None:
    http_server.route("/abs/2502.01234", Reply(body=fixture("labs/arxiv-abs.html"), content_type=HTML))

    summary = run_source(url_source(http_server.url("/abs/2502.01234"), client, labs=[]), docstore)

    assert summary.new == 1
    stored = docstore.get("arxiv:2502.01234")
    assert stored is not None
    doc = stored.document
    assert (doc.kind, doc.source, doc.url) == ("paper", "url", "https://arxiv.org/abs/2502.01234")
    assert doc.title == "Measuring Agentic Horizon Growth in Code Models"
    assert doc.authors == ["Ada Okafor", "Lin Zhao", "Renée Brändli"]
    assert (doc.published, doc.updated, doc.version) == (date(2025, 2, 3), date(2025, 2, 17), "v2")
    assert doc.categories == ["cs.SE", "cs.LG", "cs.AI"]
    assert doc.text.startswith("We measure how long a task, in human working time, code models can complete")
    assert doc.text.endswith("on our suite of 170 software tasks.") and "Abstract:" not in doc.text


def test_arxiv_pdf_link_is_read_from_the_abstract_page() -> None:
    """arxiv.org is not reachable here, so this one test routes it to the fixture with a mock transport."""
    requested: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, content=fixture("labs/arxiv-abs.html"), headers={"content-type": HTML})

    with make_client(httpx.MockTransport(reply)) as mocked:
        doc = url_document("https://arxiv.org/pdf/2502.01234v2", mocked, labs=[])
    assert isinstance(doc, SourceDocument) and doc.doc_id == "arxiv:2502.01234"
    assert requested[-1] == "https://arxiv.org/abs/2502.01234v2"


# -- files --------------------------------------------------------------------------------------
def test_markdown_file_with_a_pipe_table(tmp_path: Path, docstore: DocStore) -> None:
    path = tmp_path / "notes.md"
    shutil.copy(FIXTURES / "analyst-notes.md", path)

    summary = run_source(file_source(path), docstore)

    assert summary.new == 1
    doc_id = "file:" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()
    stored = docstore.get(doc_id)
    assert stored is not None
    doc = stored.document
    assert (doc.source, doc.kind, doc.title, doc.url) == ("file", "webpage", "Nimbus-3 launch notes", path.as_uri())
    assert doc.tables[0] == Table(
        caption="Table 3: Slide numbers",
        header=["Benchmark", "Nimbus-3", "Nimbus-2.5"],
        rows=[
            ["SWE-bench Verified", "71.2%", "58.4%"],
            ["Terminal-Bench", "43.5%", "30.1%"],
            ["Pipe | test", "a", "b"],
        ],
    )
    assert "- SWE-bench Verified: 71.2% (single attempt)." in doc.text.splitlines()


def test_edited_file_updates_the_same_document(tmp_path: Path, docstore: DocStore) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Draft\n\nNimbus-3 scores 70.0% on SWE-bench Verified.\n", encoding="utf-8")
    run_source(file_source(path), docstore)
    path.write_text("# Draft\n\nNimbus-3 scores 71.2% on SWE-bench Verified.\n", encoding="utf-8")
    summary = run_source(file_source(str(tmp_path / "." / "notes.md")), docstore)

    assert (summary.new, summary.updated) == (0, 1)
    assert docstore.count("file") == 1
    (stored,) = docstore.list("file")
    assert "71.2%" in stored.document.text and stored.versions == 2
    assert "70.0%" in docstore.history(stored.document.doc_id)[0]["text"]


def test_html_file_goes_through_the_article_extractor(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    shutil.copy(FIXTURES / "zurich-cp1252.html", path)
    doc = only_document(list(file_source(path, kind="announcement", organization_id="stratus").fetch(None)))
    assert doc.title == "Stratus AI opens a research office in Zürich"
    assert "roughly €2 million" in doc.text and doc.published == date(2025, 6, 11)
    assert (doc.kind, doc.organization_id) == ("announcement", "stratus")


def test_text_file_as_is_with_the_filename_as_title(tmp_path: Path) -> None:
    path = tmp_path / "talk-transcript.txt"
    path.write_text("Nimbus-3 reaches 71.2% on SWE-bench Verified.\n| a | b |\n|---|---|\n", encoding="utf-8")
    doc = only_document(list(file_source(path).fetch(None)))
    assert doc.title == "talk-transcript"
    assert doc.text == "Nimbus-3 reaches 71.2% on SWE-bench Verified.\n| a | b |\n|---|---|" and doc.tables == []


def test_non_utf8_text_file_is_decoded_with_replacement_and_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Zürich office: 71.2% on GPQA".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="ingest.sources.single"):
        doc = only_document(list(file_source(path).fetch(None)))
    assert doc.text == "Z\ufffdrich office: 71.2% on GPQA"
    assert doc.extra["decoding"] == "invalid UTF-8 replaced"
    assert any(str(path) in r.getMessage() and "not valid UTF-8" in r.getMessage() for r in caplog.records)


def test_missing_or_unsupported_files_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nowhere\.md: no such file"):
        file_source(tmp_path / "nowhere.md")
    with pytest.raises(InputFileError, match="not a regular file"):
        file_source(tmp_path)
    (tmp_path / "slides.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputFileError, match=r"slides\.pdf: unsupported file type '\.pdf'"):
        file_source(tmp_path / "slides.pdf")


def test_file_deleted_before_the_run_is_a_run_error(tmp_path: Path, docstore: DocStore) -> None:
    path = tmp_path / "gone.txt"
    path.write_text("soon gone", encoding="utf-8")
    source = file_source(path)
    path.unlink()
    summary = run_source(source, docstore)
    assert not summary.completed and summary.errors and str(path) in summary.errors[0]
