"""ArxivApiSource end to end: real local HTTP server, real PoliteClient, real DocStore, run_source."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from graph.settings import load_settings
from ingest.docstore import DocStore
from ingest.http import PoliteClient
from ingest.runner import run_source
from ingest.sources.arxiv_api import ArxivApiSource, arxiv_source
from tests.support.http_server import FixtureServer, Reply, Sleeps, fixture

UA = "autoscope-test/1 (mailto:test@example.org)"
ATOM = "application/atom+xml; charset=utf-8"
QUERY = "cat:cs.AI OR cat:cs.LG OR cat:cs.CL"
PATH = "/api/query"


def atom(name: str, status: int = 200, **headers: str) -> Reply:
    return Reply(status, fixture(f"arxiv/{name}"), headers=headers, content_type=ATOM)


def make_client(sleeps: Sleeps | None = None, retries: int = 2) -> PoliteClient:
    return PoliteClient(UA, min_interval=0.0, backoff=0.01, max_retries=retries, sleep=sleeps or Sleeps())


def serve(server: FixtureServer, **pages: Reply | list[Reply]) -> None:
    """Route ``start_<n>=reply`` keyword pairs to the API path by their start offset."""
    for key, replies in pages.items():
        listed = replies if isinstance(replies, list) else [replies]
        server.route(PATH, *listed, query={"start": key.removeprefix("start_")})


def search(server: FixtureServer, client: PoliteClient, **kw: object) -> ArxivApiSource:
    options: dict[str, object] = {
        "query": QUERY,
        "since": date(2024, 5, 1),
        "until": date(2024, 5, 7),
        "page_size": 2,
        "min_interval": 0.0,
    }
    options.update(kw)
    return ArxivApiSource(client, server.url(PATH), **options)  # type: ignore[arg-type]


def three_pages(server: FixtureServer) -> None:
    serve(server, start_0=atom("page1.xml"), start_2=atom("page2.xml"), start_4=atom("page3.xml"))


def test_pages_are_fetched_in_ascending_order_and_mapped(http_server: FixtureServer, docstore: DocStore) -> None:
    three_pages(http_server)
    settings = load_settings(arxiv_api_url=http_server.url(PATH), arxiv_page_size=2, arxiv_min_interval=3.0)
    with make_client() as client:
        source = arxiv_source(settings, client, since=date(2024, 5, 1), until=date(2024, 5, 7))
        source.min_interval = 0.0  # keep the test fast; pacing has its own test
        summary = run_source(source, docstore)

    assert summary.completed and not summary.errors
    assert (summary.fetched, summary.new) == (5, 5)
    assert [r.query["start"][0] for r in http_server.hits(PATH)] == ["0", "2", "4"]
    first = http_server.hits(PATH)[0].query
    assert first["sortBy"] == ["submittedDate"] and first["sortOrder"] == ["ascending"]
    assert first["max_results"] == ["2"]
    assert "submittedDate:[202405010000 TO 202405072359]" in first["search_query"][0]

    stored = docstore.get("arxiv:2405.01017")
    assert stored is not None
    doc = stored.document
    assert doc.source == "arxiv" and doc.kind == "paper"
    assert doc.url == "https://arxiv.org/abs/2405.01017"
    assert doc.title == "Long-Horizon Web Navigation with Hierarchical Planners"
    assert doc.text.startswith("Web agents still fail") and "  " not in doc.text and "\n" not in doc.text
    assert doc.authors == ["Lucía Ferreira", "Kwame Mensah", "Hannah Osei-Bonsu"]
    assert (doc.published, doc.updated, doc.version) == (date(2024, 5, 1), date(2024, 5, 6), "v2")
    assert doc.categories == ["cs.LG", "cs.AI"]
    assert doc.extra == {
        "doi": "10.5555/agenteval.2024.017",
        "journal_ref": "Proc. Workshop on Agent Evaluation (2024) 117-129",
        "comment": "Accepted at the Workshop on Agent Evaluation",
        "primary_category": "cs.LG",
        "pdf_url": "https://arxiv.org/pdf/2405.01017v2",
    }
    state = docstore.state(source.name)
    assert state is not None and state.cursor is not None
    assert json.loads(state.cursor)["done"] is True


def test_user_agent_from_settings_is_sent(http_server: FixtureServer, docstore: DocStore) -> None:
    serve(http_server, start_0=atom("page3.xml"))
    settings = load_settings(contact_email="ops@example.org")
    with PoliteClient(settings.user_agent, sleep=Sleeps()) as client:
        run_source(search(http_server, client, page_size=200), docstore)
    agent = http_server.hits(PATH)[0].headers["User-Agent"]
    assert agent == settings.user_agent and "mailto:ops@example.org" in agent


def test_requests_are_paced_by_min_interval(http_server: FixtureServer, docstore: DocStore) -> None:
    three_pages(http_server)
    with PoliteClient(UA, min_interval=0.0, sleep=Sleeps(real=True)) as client:
        summary = run_source(search(http_server, client, min_interval=0.25), docstore)
    times = [r.at for r in http_server.hits(PATH)]
    assert summary.new == 5 and len(times) == 3
    assert all(b - a >= 0.22 for a, b in pairwise(times))


def test_default_pacing_follows_arxiv_terms() -> None:
    settings = load_settings()
    assert settings.arxiv_min_interval >= 3.0
    with PoliteClient(UA) as client:
        assert arxiv_source(settings, client).min_interval >= 3.0


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_is_waited_out_honouring_retry_after(
    http_server: FixtureServer, docstore: DocStore, status: int
) -> None:
    serve(
        http_server,
        start_0=[atom("page1.xml", status=status, **{"Retry-After": "2"}), atom("page1.xml")],
        start_2=atom("page2.xml"),
        start_4=atom("page3.xml"),
    )
    sleeps = Sleeps()
    with make_client(sleeps) as client:
        summary = run_source(search(http_server, client), docstore)
    assert summary.completed and summary.new == 5
    assert max(sleeps.waits) >= 2.0
    assert len(http_server.hits(PATH)) == 4


def test_persistent_throttling_is_an_error_not_an_empty_result(http_server: FixtureServer, docstore: DocStore) -> None:
    serve(http_server, start_0=Reply(503, "busy", headers={"Retry-After": "1"}))
    with make_client(retries=1) as client:
        source = search(http_server, client)
        summary = run_source(source, docstore)
    assert not summary.completed
    assert summary.errors and "HTTP 503" in summary.errors[0] and PATH in summary.errors[0]
    assert docstore.count() == 0
    state = docstore.state(source.name)
    assert state is not None and state.last_success is None


def test_empty_page_mid_run_is_retried(http_server: FixtureServer, docstore: DocStore) -> None:
    serve(
        http_server,
        start_0=atom("page1.xml"),
        start_2=[atom("empty_page.xml"), atom("page2.xml")],
        start_4=atom("page3.xml"),
    )
    with make_client() as client:
        summary = run_source(search(http_server, client), docstore)
    assert summary.completed and summary.new == 5
    assert len([r for r in http_server.hits(PATH) if r.query["start"] == ["2"]]) == 2


def test_empty_page_that_persists_ends_the_run_and_a_rerun_resumes(
    http_server: FixtureServer, docstore: DocStore
) -> None:
    serve(
        http_server,
        start_0=atom("page1.xml"),
        start_2=[atom("empty_page.xml")] * 3 + [atom("page2.xml")],
        start_4=atom("page3.xml"),
    )
    with make_client(retries=2) as client:
        first = run_source(search(http_server, client), docstore)
        assert not first.completed and "empty" in first.errors[0] and PATH in first.errors[0]
        assert docstore.count() == 2
        before = len(http_server.requests)
        second = run_source(search(http_server, client), docstore)
    assert second.completed
    assert http_server.requests[before].query["start"] == ["2"]
    assert first.new + second.new == 5 and docstore.count() == 5


def test_malformed_page_is_reported_with_its_url_and_earlier_pages_kept(
    http_server: FixtureServer, docstore: DocStore
) -> None:
    serve(http_server, start_0=atom("page1.xml"), start_2=atom("malformed.xml"))
    with make_client() as client:
        source = search(http_server, client)
        summary = run_source(source, docstore)
    assert not summary.completed
    assert "malformed Atom" in summary.errors[0] and "start=2" in summary.errors[0]
    assert docstore.count() == 2
    state = docstore.state(source.name)
    assert state is not None and state.cursor is not None and json.loads(state.cursor)["start"] == 2


def test_bad_entries_are_skipped_by_name_and_the_run_continues(http_server: FixtureServer, docstore: DocStore) -> None:
    serve(http_server, start_0=atom("bad_entries.xml"))
    with make_client() as client:
        summary = run_source(search(http_server, client, page_size=10), docstore)
    assert summary.completed and summary.new == 1 and docstore.get("arxiv:2405.05005") is not None
    reasons = {s.item: s.reason for s in summary.skipped}
    assert len(reasons) == 3
    assert any(item.startswith("entry without <id>") for item in reasons)
    assert "out of range" in reasons["arxiv:2405.04002"]
    assert "implausible date" in reasons["arxiv:2405.04003"]


def test_duplicate_entry_within_a_page_is_skipped(http_server: FixtureServer, docstore: DocStore) -> None:
    serve(http_server, start_0=atom("duplicate.xml"))
    with make_client() as client:
        summary = run_source(search(http_server, client, page_size=10), docstore)
    assert summary.completed and summary.new == 2 and docstore.count() == 2
    assert [s.item for s in summary.skipped] == ["arxiv:2405.01001"]
    assert "duplicate" in summary.skipped[0].reason


def test_a_new_version_updates_the_paper_and_keeps_history(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, atom("paper_v1.xml"), atom("paper_v2.xml"))
    with make_client() as client:
        source = ArxivApiSource(client, http_server.url(PATH), ids=["2405.01001"], min_interval=0.0)
        first = run_source(source, docstore)
        second = run_source(source, docstore)
    assert http_server.hits(PATH)[0].query["id_list"] == ["2405.01001"]
    assert (first.new, second.updated) == (1, 1)
    stored = docstore.get("arxiv:2405.01001")
    assert stored is not None and stored.document.version == "v2" and stored.versions == 2
    assert stored.document.updated == date(2024, 5, 20)
    assert [h["version"] for h in docstore.history("arxiv:2405.01001")] == ["v1"]


def test_an_api_error_feed_is_a_source_error(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, atom("error_bad_id.xml", status=400))
    with make_client() as client:
        summary = run_source(ArxivApiSource(client, http_server.url(PATH), ids=["2405.0100"]), docstore)
    assert not summary.completed
    assert "incorrect id format for 2405.0100" in summary.errors[0]


def test_no_results_is_a_clean_empty_run(http_server: FixtureServer, docstore: DocStore) -> None:
    serve(http_server, start_0=atom("no_results.xml"))
    with make_client() as client:
        summary = run_source(search(http_server, client), docstore)
    assert summary.completed and not summary.errors and summary.fetched == 0
    assert len(http_server.hits(PATH)) == 1


def cursor_of(docstore: DocStore, name: str) -> dict[str, object]:
    state = docstore.state(name)
    assert state is not None and state.cursor is not None
    loaded: dict[str, object] = json.loads(state.cursor)
    return loaded


def test_run_budget_keeps_the_window_and_the_next_window_overlaps(
    http_server: FixtureServer, docstore: DocStore
) -> None:
    three_pages(http_server)
    clock = [datetime(2024, 5, 7, 23, 59, tzinfo=UTC)]
    with make_client() as client:

        def make() -> ArxivApiSource:
            return search(http_server, client, since=None, until=None, max_results=2, now=lambda: clock[0])

        name = make().name
        first = run_source(make(), docstore)
        cursor1 = cursor_of(docstore, name)
        assert first.completed and first.new == 2 and cursor1["start"] == 2 and not cursor1["done"]
        assert (cursor1["since"], cursor1["until"]) == ("202404302359", "202405072359")

        clock[0] = datetime(2024, 5, 8, 12, 0, tzinfo=UTC)
        before = len(http_server.requests)
        run_source(make(), docstore)
        assert http_server.requests[before].query["start"] == ["2"]
        cursor2 = cursor_of(docstore, name)
        assert (cursor2["since"], cursor2["until"], cursor2["start"]) == (cursor1["since"], cursor1["until"], 4)

        run_source(make(), docstore)
        assert cursor_of(docstore, name)["done"] is True and docstore.count() == 5

        before = len(http_server.requests)
        run_source(make(), docstore)
        cursor4 = cursor_of(docstore, name)
    assert http_server.requests[before].query["start"] == ["0"]
    assert (cursor4["since"], cursor4["until"]) == ("202405042359", "202405081200")


def test_each_query_keeps_its_own_cursor() -> None:
    with PoliteClient(UA) as client:
        a = ArxivApiSource(client, "http://x", query="cat:cs.AI")
        b = ArxivApiSource(client, "http://x", query="cat:cs.CL")
        c = ArxivApiSource(client, "http://x", query="cat:cs.AI", since=date(2024, 1, 1))
        ids = ArxivApiSource(client, "http://x", ids=["2405.01001"])
    assert a.name.startswith("arxiv:") and a.name != b.name and a.name == c.name
    assert ids.name != a.name


def test_a_non_feed_error_page_reports_the_status(http_server: FixtureServer, docstore: DocStore) -> None:
    serve(http_server, start_0=Reply(404, "<html><body>Not here</body></html>", content_type="text/html"))
    with make_client() as client:
        summary = run_source(search(http_server, client), docstore)
    assert not summary.completed and "HTTP 404" in summary.errors[0] and PATH in summary.errors[0]
