"""Lab feeds end to end: a real local HTTP server, the real document store, the real runner."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from graph.settings import load_settings
from ingest.docstore import DocStore
from ingest.documents import Table, document_id_for_url
from ingest.errors import InputFileError, SourceError
from ingest.http import PoliteClient
from ingest.labs import BUNDLED_LABS, Lab, lab_for_url, load_labs, select_labs
from ingest.runner import RunSummary, run_source
from ingest.sources.base import Checkpoint
from ingest.sources.feeds import FeedsSource, feeds_source
from ingest.sources.web import canonical_url
from tests.support.http_server import FixtureServer, Reply, fixture

TOKEN = b"https://labs.example"
HTML = "text/html; charset=utf-8"


def served(server: FixtureServer, name: str, content_type: str = HTML) -> Reply:
    """A fixture with its placeholder host replaced by the local server's address."""
    return Reply(body=fixture(f"labs/{name}").replace(TOKEN, server.base_url.encode()), content_type=content_type)


def serve_site(server: FixtureServer) -> None:
    """The invented labs' sites: feeds, sitemaps, an index page and their articles."""
    rss, atom, xml = "application/rss+xml; charset=utf-8", "application/atom+xml", "application/xml"
    server.route("/robots.txt", served(server, "robots.txt", "text/plain"))
    server.route("/cirrus/rss.xml", served(server, "cirrus-rss.xml", rss))
    server.route("/cirrus/news/introducing-nimbus-3", served(server, "nimbus-3.html"))
    server.route("/cirrus/private/system-card-draft", served(server, "haze-lm.html"))
    server.route("/stratus/atom.xml", served(server, "stratus-atom.xml", atom))
    server.route("/stratus/blog/stratus-2", served(server, "stratus-2.html"))
    server.route("/stratus/blog/zurich-office", served(server, "zurich-cp1252.html", "text/html"))
    server.route("/stratus/blog/members-preview", served(server, "cookie-wall.html"))
    server.route("/fog/feed.xml", Reply(302, headers={"Location": "/fog/"}))
    server.route("/fog/", served(server, "fog-home.html"))
    server.route("/altimeter/sitemap.xml", served(server, "altimeter-sitemap-index.xml", xml))
    server.route("/altimeter/sitemap-reports.xml", served(server, "altimeter-sitemap-reports.xml", xml))
    server.route("/altimeter/sitemap-pages.xml", served(server, "altimeter-sitemap-pages.xml", xml))
    server.route("/altimeter/reports/agentic-coding-autumn-2025", served(server, "altimeter-report.html"))
    server.route("/vapor/blog/", served(server, "vapor-index.html"))
    server.route("/vapor/blog/vapor-1-release", served(server, "vapor-1.html"))
    server.route("/haze/rss.xml", served(server, "haze-rss-malformed.xml", rss))
    server.route("/haze/news/haze-lm", served(server, "haze-lm.html"))


def make_client(min_interval: float = 0.0, max_bytes: int = 1_000_000) -> PoliteClient:
    return PoliteClient(
        "autoscope-test/0.1 (mailto:tests@example.org)",
        min_interval=min_interval,
        timeout=5.0,
        max_retries=2,
        backoff=0.01,
        max_retry_wait=2.0,
        max_bytes=max_bytes,
    )


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    with make_client() as c:
        yield c


@pytest.fixture
def site(http_server: FixtureServer, tmp_path: Path) -> Path:
    """Serve the site and write a labs registry pointing at it; returns the registry path."""
    serve_site(http_server)
    labs_file = tmp_path / "labs.yaml"
    labs_file.write_bytes(fixture("labs/labs.yaml").replace(TOKEN, http_server.base_url.encode()))
    return labs_file


def run_feeds(site: Path, client: PoliteClient, docstore: DocStore, **kwargs: object) -> RunSummary:
    settings = load_settings(labs_file=site, feed_min_interval=0.0)
    source = feeds_source(settings, client, **kwargs)  # type: ignore[arg-type]
    return run_source(source, docstore)


def reasons(summary: RunSummary) -> list[str]:
    return [f"{s.item}: {s.reason}" for s in summary.skipped]


def test_feeds_end_to_end_store_documents_with_structured_tables(
    site: Path, http_server: FixtureServer, client: PoliteClient, docstore: DocStore
) -> None:
    summary = run_feeds(site, client, docstore)
    base = http_server.base_url

    assert summary.completed and not summary.errors
    assert (summary.new, summary.updated, summary.unchanged) == (6, 0, 0)
    assert docstore.count() == 6

    nimbus = docstore.get(f"url:{base}/cirrus/news/introducing-nimbus-3")
    assert nimbus is not None
    doc = nimbus.document
    assert (doc.source, doc.kind, doc.organization_id) == ("feed:cirrus", "announcement", "cirrus")
    assert doc.url == f"{base}/cirrus/news/introducing-nimbus-3"  # utm_* parameters dropped
    assert (doc.title, doc.published, doc.authors) == ("Introducing Nimbus-3", date(2025, 3, 4), ["Ada Okafor"])
    assert doc.tables == [
        Table(
            caption="Table 1: Nimbus-3 compared with earlier models",
            header=["Benchmark", "Nimbus-3", "Nimbus-2.5", "Open baseline"],
            rows=[
                ["SWE-bench Verified", "71.2%", "58.4%", "49.0%"],
                ["GPQA Diamond", "81.3%", "74.9%", "65.2%"],
                ["Terminal-Bench", "43.5%", "30.1%", "—"],
                ["AIME 2025", "88.0%", "79.3%", "70.7%"],
            ],
        )
    ]
    lines = doc.text.splitlines()
    assert "## Highlights" in lines and "### How we evaluated" in lines
    assert "- Tool calls run in parallel, cutting agent latency roughly in half." in lines
    assert "1. Each task was attempted once with a 64,000-token thinking budget." in lines
    assert "[Table 1: Nimbus-3 compared with earlier models]" in lines
    assert "58.4%" not in doc.text and "Careers" not in doc.text and "Privacy" not in doc.text
    assert [r.query for r in http_server.hits("/cirrus/news/introducing-nimbus-3")] == [{}]

    stratus = docstore.get(f"url:{base}/stratus/blog/stratus-2")
    assert stratus is not None
    assert stratus.document.source == "feed:stratus"
    assert stratus.document.tables[0].header == ["Model", "MMLU-Pro", "GPQA Diamond", "LiveCodeBench"]
    assert stratus.document.tables[0].rows[0] == ["Stratus-2", "78.6", "69.5", "61.0"]

    zurich = docstore.get(f"url:{base}/stratus/blog/zurich-office")
    assert zurich is not None
    assert "€2 million" in zurich.document.text and "Dr. Renée Brändli leads the office." in zurich.document.text
    assert zurich.document.authors == ["Renée Brändli"]

    report = docstore.get(f"url:{base}/altimeter/reports/agentic-coding-autumn-2025")
    assert report is not None
    assert report.document.source == "feed:altimeter" and report.document.published == date(2025, 10, 2)
    assert report.document.tables[0].header[1] == "Nimbus-3 / pass@1"

    vapor = docstore.get(f"url:{base}/vapor/blog/vapor-1-release")
    assert vapor is not None
    assert vapor.document.authors == ["Tomás Ferreira", "Priya Natarajan"]
    assert vapor.document.tables == [
        Table(
            header=["Model", "RULER 128k", "LongBench v2"],
            rows=[["Vapor-1", "88.4", "41.0"], ["Vapor-1 (4-bit)", "87.9", "40.2"]],
        )
    ]
    assert len(http_server.hits("/vapor/blog/vapor-1-release")) == 1  # linked twice on the index page
    assert docstore.get(f"url:{base}/haze/news/haze-lm") is not None


def test_problems_are_reported_per_item_and_other_labs_continue(
    site: Path, http_server: FixtureServer, client: PoliteClient, docstore: DocStore
) -> None:
    summary = run_feeds(site, client, docstore)
    base = http_server.base_url
    found = reasons(summary)

    assert len(found) == 4, found
    assert any(r.startswith(f"{base}/cirrus/private/system-card-draft: disallowed by robots.txt") for r in found), found
    assert http_server.hits("/cirrus/private/system-card-draft") == []
    assert any(r.startswith(f"{base}/stratus/blog/members-preview: no article: looks like a cookie") for r in found)
    assert f"fog: {base}/fog/feed.xml: feed URL returned HTML, not RSS/Atom" in found
    haze = next(r for r in found if r.startswith(f"haze: {base}/haze/rss.xml: malformed feed ("))
    assert haze.endswith("; used 1 recovered entry")
    assert docstore.get(f"url:{base}/haze/news/haze-lm") is not None  # recovered entry still used
    assert docstore.count("feed:altimeter") == 1  # the sitemap's /about page filtered out by path


def test_rerun_fetches_nothing_unchanged_and_refresh_finds_everything_unchanged(
    site: Path, http_server: FixtureServer, client: PoliteClient, docstore: DocStore
) -> None:
    run_feeds(site, client, docstore)
    article = "/cirrus/news/introducing-nimbus-3"
    assert len(http_server.hits(article)) == 1

    again = run_feeds(site, client, docstore)
    assert (again.fetched, again.new, again.updated) == (0, 0, 0)
    assert len(http_server.hits(article)) == 1  # listing unchanged: not fetched again
    assert len(http_server.hits("/vapor/blog/vapor-1-release")) == 1  # undated index entry: fetched once

    source = feeds_source(load_settings(labs_file=site, feed_min_interval=0.0), client)
    source.refresh = True
    refreshed = run_source(source, docstore)
    assert (refreshed.new, refreshed.updated, refreshed.unchanged) == (0, 0, 6)
    assert len(http_server.hits(article)) == 2


def test_known_callback_refetches_a_listed_post_missing_from_the_store(
    site: Path, http_server: FixtureServer, client: PoliteClient, docstore: DocStore
) -> None:
    run_feeds(site, client, docstore, labs=["cirrus"])
    run_feeds(site, client, docstore, labs=["cirrus"], known=lambda doc_id: False)
    assert len(http_server.hits("/cirrus/news/introducing-nimbus-3")) == 2


def test_edited_post_is_updated_with_history(
    site: Path, http_server: FixtureServer, client: PoliteClient, docstore: DocStore
) -> None:
    base = http_server.base_url.encode()
    atom = fixture("labs/stratus-atom.xml").replace(TOKEN, base)
    edited_atom = atom.replace(b"<updated>2025-05-20T12:30:00Z</updated>", b"<updated>2025-05-27T09:00:00Z</updated>")
    page = fixture("labs/stratus-2.html")
    edited_page = page.replace(b"<td>78.6</td>", b"<td>79.1</td>")
    assert edited_atom != atom and edited_page != page
    http_server.routes.clear()
    atom_type = "application/atom+xml"
    http_server.route(
        "/stratus/atom.xml", Reply(body=atom, content_type=atom_type), Reply(body=edited_atom, content_type=atom_type)
    )
    http_server.route(
        "/stratus/blog/stratus-2", Reply(body=page, content_type=HTML), Reply(body=edited_page, content_type=HTML)
    )
    serve_site(http_server)

    first = run_feeds(site, client, docstore, labs=["stratus"])
    second = run_feeds(site, client, docstore, labs=["stratus"])

    doc_id = f"url:{http_server.base_url}/stratus/blog/stratus-2"
    assert (first.new, second.new, second.updated) == (2, 0, 1)
    stored = docstore.get(doc_id)
    assert stored is not None and stored.versions == 2
    assert stored.document.tables[0].rows[0] == ["Stratus-2", "79.1", "69.5", "61.0"]
    assert stored.document.updated == date(2025, 5, 27)
    history = docstore.history(doc_id)
    assert [h["tables"][0]["rows"][0][1] for h in history] == ["78.6"]
    assert len(http_server.hits("/stratus/blog/zurich-office")) == 1  # its listing did not change


def test_duplicate_entries_in_one_feed_are_reported_once_and_fetched_once(
    http_server: FixtureServer, client: PoliteClient, docstore: DocStore
) -> None:
    http_server.route("/cirrus/rss.xml", served(http_server, "cirrus-rss-duplicate.xml", "application/rss+xml"))
    http_server.route("/cirrus/news/introducing-nimbus-3", served(http_server, "nimbus-3.html"))
    lab = Lab(
        id="cirrus",
        name="Cirrus Labs",
        kind="lab",
        homepage=http_server.url("/"),
        feed=http_server.url("/cirrus/rss.xml"),
    )

    summary = run_source(FeedsSource([lab], client), docstore)

    doc_id = f"url:{http_server.base_url}/cirrus/news/introducing-nimbus-3"
    assert summary.new == 1
    assert reasons(summary) == [f"{doc_id}: duplicate entry within one page; kept the first"]
    assert len(http_server.hits("/cirrus/news/introducing-nimbus-3")) == 1
    assert run_source(FeedsSource([lab], client), docstore).skipped == []  # the re-run is quiet


def test_one_checkpoint_per_lab_after_its_documents(site: Path, client: PoliteClient) -> None:
    labs = select_labs(load_labs(site), ["cirrus", "fog", "vapor"])
    events = list(FeedsSource(labs, client).fetch(None))

    kinds = [type(e).__name__ for e in events]
    assert kinds == ["SourceDocument", "Skip", "Checkpoint", "Skip", "Checkpoint", "SourceDocument", "Checkpoint"]
    last = events[-1]
    assert isinstance(last, Checkpoint) and last.cursor is not None
    seen = json.loads(last.cursor)["seen"]
    assert sorted(seen) == ["cirrus", "fog", "vapor"] and seen["fog"] == {}
    assert list(seen["cirrus"]) == [canonical_url(events[0].url or "")]  # type: ignore[union-attr]


def test_pacing_between_requests_to_one_host(site: Path, http_server: FixtureServer, docstore: DocStore) -> None:
    interval = 0.25
    with make_client(min_interval=interval) as paced:
        settings = load_settings(labs_file=site, feed_min_interval=interval)
        run_source(feeds_source(settings, paced, labs=["cirrus", "stratus"]), docstore)
    times = [r.at for r in http_server.requests]
    assert len(times) >= 6
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= interval * 0.9, gaps


def test_oversized_article_is_skipped_and_the_run_continues(http_server: FixtureServer, docstore: DocStore) -> None:
    b = http_server.base_url
    rss = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>{b}/</link>'
        "<description>d</description>"
        f"<item><title>Huge</title><link>{b}/big/huge</link><pubDate>Mon, 01 Sep 2025 10:00:00 GMT</pubDate></item>"
        f"<item><title>Fine</title><link>{b}/big/fine</link><pubDate>Tue, 02 Sep 2025 10:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    )
    http_server.route("/big/rss.xml", Reply(body=rss, content_type="application/rss+xml"))
    http_server.route("/big/huge", Reply(body=b"<html><body><p>" + b"x" * (50 * 1024 * 1024), content_type=HTML))
    http_server.route("/big/fine", served(http_server, "haze-lm.html"))
    lab = Lab(id="big", name="Big", kind="lab", homepage=http_server.url("/"), feed=http_server.url("/big/rss.xml"))

    with make_client(max_bytes=1_000_000) as small:
        summary = run_source(FeedsSource([lab], small), docstore)

    assert reasons(summary) == [f"{http_server.base_url}/big/huge: larger than 1000000 bytes"]
    assert summary.new == 1 and summary.completed


def test_sitemap_entities_are_not_expanded(http_server: FixtureServer, client: PoliteClient, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("leaked-report", encoding="utf-8")
    sitemap = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{http_server.base_url}/reports/&xxe;</loc></url></urlset>"
    )
    http_server.route("/sitemap.xml", Reply(body=sitemap, content_type="application/xml"))
    lab = Lab.model_validate(
        {"id": "x", "name": "X", "kind": "evaluator", "homepage": http_server.url("/"),
         "sitemap": {"url": http_server.url("/sitemap.xml"), "path": "^/reports/.+"}}
    )  # fmt: skip
    events = list(FeedsSource([lab], client).fetch(None))
    assert [e for e in events if not isinstance(e, Checkpoint)] == []
    assert not any("leaked" in r.path for r in http_server.requests)


# -- the registry -----------------------------------------------------------------------------
def test_bundled_registry_covers_the_labs_and_evaluators_with_graph_ids() -> None:
    labs = {lab.id: lab for lab in load_labs()}
    for wanted in ("openai", "anthropic", "google-deepmind", "meta-ai", "xai", "mistral", "deepseek", "qwen",
                   "moonshot", "zhipu", "metr", "epoch-ai"):  # fmt: skip
        assert wanted in labs
    assert labs["metr"].kind == labs["epoch-ai"].kind == "evaluator" and labs["openai"].kind == "lab"
    assert labs["anthropic"].sitemap is not None and labs["openai"].feed
    sample = (BUNDLED_LABS.parent / "sample" / "entities.yaml").read_text(encoding="utf-8")
    for org in ("openai", "anthropic", "google-deepmind", "deepseek"):
        assert f"- id: {org}\n" in sample  # the same organisation ids as the sample entities
    assert lab_for_url(labs.values(), "https://www.anthropic.com/news/some-post") == labs["anthropic"]
    assert lab_for_url(labs.values(), "https://example.org/post") is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {id: bad, name: Bad, kind: lab, homepage: https://b.example}",
         "invalid entry labs[1] (id 'bad'): Value error, needs at least one of feed, sitemap or index"),
        ("  - {id: bad, name: Bad, kind: lab, homepage: https://b.example, index: {url: https://b.example, link: '(['}}"
         "",
         "invalid entry labs[1] (id 'bad') at index.link: Value error, invalid regular expression"),
        ("  - {id: bad, name: Bad, kind: company, homepage: https://b.example, feed: https://b.example/f}",
         "invalid entry labs[1] (id 'bad') at kind: Input should be 'lab' or 'evaluator'"),
        ("  - {id: ok, name: Again, kind: lab, homepage: https://b.example, feed: ftp://b.example/f}",
         "invalid entry labs[1] (id 'ok') at feed: Value error, expected an http(s) URL"),
        ("  - {id: ok, name: Again, kind: lab, homepage: https://b.example, feed: https://b.example/f}",
         "invalid entry labs[1] (id 'ok'): duplicate id"),
    ],
)  # fmt: skip
def test_bad_registry_names_the_file_and_the_entry(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "labs.yaml"
    path.write_text(
        f"labs:\n  - {{id: ok, name: OK, kind: lab, homepage: https://a.example, feed: https://a.example/f}}\n{entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        load_labs(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_unreadable_registry_and_unknown_lab_ids(tmp_path: Path) -> None:
    path = tmp_path / "labs.yaml"
    path.write_text("labs: [unclosed", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"labs\.yaml: cannot read labs registry"):
        load_labs(path)
    with pytest.raises(InputFileError, match=r"no-such\.yaml: cannot read labs registry"):
        load_labs(tmp_path / "no-such.yaml")
    with pytest.raises(SourceError, match="unknown lab id\\(s\\) nope; known: "):
        select_labs(load_labs(), ["openai", "nope"])


def test_skip_and_document_ids_use_the_canonical_url() -> None:
    assert canonical_url("https://a.example/p?utm_source=x&id=3#top") == "https://a.example/p?id=3"
    assert document_id_for_url(canonical_url("https://A.example/p/?utm_medium=rss")) == "url:https://a.example/p"
