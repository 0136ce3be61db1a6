"""OaiPmhSource end to end: real local HTTP server, real PoliteClient, real DocStore, run_source."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from graph.settings import load_settings
from ingest.docstore import DocStore
from ingest.http import PoliteClient
from ingest.runner import run_source
from ingest.sources.base import Checkpoint
from ingest.sources.oai import OaiPmhSource, oai_source, split_authors
from tests.support.http_server import FixtureServer, Reply, Sleeps, fixture

UA = "autoscope-test/1 (mailto:test@example.org)"
XML = "text/xml; charset=utf-8"
PATH = "/oai"
TOKEN_2, TOKEN_3 = "6960524|1001", "6960524|2001"
ALL_IDS = [f"arxiv:2405.0400{n}" for n in range(1, 8)]


def oai(name: str, status: int = 200, **headers: str) -> Reply:
    return Reply(status, fixture(f"oai/{name}"), headers=headers, content_type=XML)


def make_client(sleeps: Sleeps | None = None, retries: int = 2) -> PoliteClient:
    return PoliteClient(UA, min_interval=0.0, backoff=0.01, max_retries=retries, sleep=sleeps or Sleeps())


def harvest(server: FixtureServer, client: PoliteClient, **kw: object) -> OaiPmhSource:
    options: dict[str, object] = {"set_spec": "cs", "min_interval": 0.0, "today": lambda: date(2024, 5, 8)}
    options.update(kw)
    return OaiPmhSource(client, server.url(PATH), **options)  # type: ignore[arg-type]


def three_pages(
    server: FixtureServer, page2: Reply | list[Reply] | None = None, page3: list[Reply] | None = None
) -> None:
    """Specific token routes first: the generic first-page route matches any ListRecords."""
    server.route(PATH, *(page3 or [oai("raw_page3.xml")]), query={"resumptionToken": TOKEN_3})
    second = page2 if isinstance(page2, list) else [page2 or oai("raw_page2.xml")]
    server.route(PATH, *second, query={"resumptionToken": TOKEN_2})
    server.route(PATH, oai("raw_page1.xml"), query={"metadataPrefix": "arXivRaw"})


def tokens_requested(server: FixtureServer) -> list[str | None]:
    return [r.query.get("resumptionToken", [None])[0] for r in server.hits(PATH)]


def test_three_pages_are_harvested_and_mapped(http_server: FixtureServer, docstore: DocStore) -> None:
    three_pages(http_server)
    settings = load_settings(oai_url=http_server.url(PATH), oai_set="cs", contact_email="ops@example.org")
    with PoliteClient(settings.user_agent, min_interval=0.0, sleep=Sleeps()) as client:
        source = oai_source(settings, client, from_date=date(2024, 5, 1))
        source.min_interval = 0.0  # keep the test fast; pacing has its own test
        summary = run_source(source, docstore)

    assert summary.completed and not summary.errors
    assert summary.new == 7 and sorted(d.document.doc_id for d in docstore.list()) == ALL_IDS
    first, *rest = http_server.hits(PATH)
    assert first.headers["User-Agent"] == settings.user_agent
    assert {k: v[0] for k, v in first.query.items()} == {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "set": "cs",
        "from": "2024-05-01",
    }
    assert [{k: v[0] for k, v in r.query.items()} for r in rest] == [
        {"verb": "ListRecords", "resumptionToken": TOKEN_2},
        {"verb": "ListRecords", "resumptionToken": TOKEN_3},
    ]
    stored = docstore.get("arxiv:2405.04002")
    assert stored is not None
    doc = stored.document
    assert doc.title == "Curriculum Self-Play for Theorem-Proving Agents"
    assert doc.authors == ["Lucía Ferreira", "Kwame Mensah Jr.", "Hannah Osei-Bonsu"]
    assert doc.categories == ["cs.LG", "cs.AI", "cs.LO"]
    assert (doc.version, doc.published, doc.updated) == ("v2", date(2024, 5, 2), date(2024, 5, 6))
    assert doc.url == "https://arxiv.org/abs/2405.04002" and doc.source == "arxiv"
    assert doc.text.startswith("An agent that writes its own conjectures") and "\n" not in doc.text
    assert doc.extra == {
        "primary_category": "cs.LG",
        "doi": "10.5555/csp.2024.002",
        "journal_ref": "Journal of Illustrative Results 12 (2024) 1-19",
        "comment": "Code and data released",
        "license": "http://creativecommons.org/licenses/by/4.0/",
    }
    state = docstore.state(source.name)
    assert state is not None and state.cursor is not None and state.last_success is not None
    assert json.loads(state.cursor) == {
        "set": "cs",
        "prefix": "arXivRaw",
        "next_from": datetime.now(UTC).date().isoformat(),
    }


def test_deleted_and_unreadable_records_are_skipped(http_server: FixtureServer, docstore: DocStore) -> None:
    three_pages(http_server)
    with make_client() as client:
        summary = run_source(harvest(http_server, client), docstore)
    reasons = {s.item: s.reason for s in summary.skipped}
    assert reasons["oai:arXiv.org:2405.04999"] == "deleted record"
    assert "out of range" in reasons["arxiv:2405.04008"]
    assert docstore.get("arxiv:2405.04999") is None and docstore.get("arxiv:2405.04008") is None


def test_interrupted_harvest_resumes_from_the_stored_token(http_server: FixtureServer, docstore: DocStore) -> None:
    three_pages(http_server, page3=[Reply(500, "boom"), Reply(500, "boom"), oai("raw_page3.xml")])
    day = [date(2024, 5, 8)]
    with make_client(retries=1) as client:
        first = run_source(harvest(http_server, client, today=lambda: day[0]), docstore)
        assert not first.completed and "HTTP 500" in first.errors[0]
        assert docstore.count() == 5
        state = docstore.state("oai:cs")
        assert state is not None and state.cursor is not None
        assert json.loads(state.cursor)["token"] == TOKEN_3

        day[0] = date(2024, 5, 10)
        before = len(http_server.requests)
        second = run_source(harvest(http_server, client, today=lambda: day[0]), docstore)
        assert second.completed
        assert tokens_requested(http_server)[before:] == [TOKEN_3]
        assert tokens_requested(http_server).count(None) == 1  # page 1 was fetched once, in the first run
        assert first.new + second.new == 7 and second.updated == second.unchanged == 0
        assert sorted(d.document.doc_id for d in docstore.list()) == ALL_IDS
        assert all(docstore.history(i) == [] for i in ALL_IDS)

        before = len(http_server.requests)
        run_source(harvest(http_server, client, today=lambda: day[0]), docstore)
    # the next harvest starts on the day the interrupted one began, not the day it finished
    assert http_server.requests[before].query["from"] == ["2024-05-08"]


def test_bad_resumption_token_restarts_the_window(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, oai("bad_resumption_token.xml"), query={"resumptionToken": "6960524|9001"})
    three_pages(http_server)
    stale = {"set": "cs", "prefix": "arXivRaw", "from": "2024-05-02", "until": None, "token": "6960524|9001"}
    docstore.commit("oai:cs", [], Checkpoint(json.dumps(stale)))
    with make_client() as client:
        summary = run_source(harvest(http_server, client), docstore)
    assert summary.completed and not summary.errors and summary.new == 7
    assert tokens_requested(http_server) == ["6960524|9001", None, TOKEN_2, TOKEN_3]
    assert http_server.hits(PATH)[1].query["from"] == ["2024-05-02"]
    assert any("badResumptionToken" in s.reason and "2024-05-02" in s.reason for s in summary.skipped)


def test_a_second_bad_token_ends_the_run_instead_of_looping(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, oai("bad_resumption_token.xml"), query={"resumptionToken": TOKEN_2})
    http_server.route(PATH, oai("raw_page1.xml"), query={"metadataPrefix": "arXivRaw"})
    stored = {"set": "cs", "prefix": "arXivRaw", "from": "2024-05-01", "until": None, "token": TOKEN_2}
    docstore.commit("oai:cs", [], Checkpoint(json.dumps(stored)))
    with make_client() as client:
        summary = run_source(harvest(http_server, client), docstore)
    assert not summary.completed and "badResumptionToken" in summary.errors[0]
    assert len(http_server.hits(PATH)) == 3


def test_no_records_match_is_a_clean_empty_run(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, oai("no_records_match.xml"))
    with make_client() as client:
        source = harvest(http_server, client)
        summary = run_source(source, docstore)
    assert summary.completed and not summary.errors and not summary.skipped and summary.fetched == 0
    state = docstore.state(source.name)
    assert state is not None and state.last_success is not None
    assert json.loads(state.cursor or "{}").get("token") is None


def test_other_oai_errors_name_code_and_message(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, oai("bad_argument.xml", status=400))
    with make_client() as client:
        summary = run_source(harvest(http_server, client, until=date(2024, 4, 1)), docstore)
    assert not summary.completed
    assert "badArgument" in summary.errors[0] and "from date is after until date" in summary.errors[0]


def test_malformed_page_is_reported_and_earlier_pages_kept(http_server: FixtureServer, docstore: DocStore) -> None:
    three_pages(http_server, page2=oai("malformed.xml"))
    with make_client() as client:
        summary = run_source(harvest(http_server, client), docstore)
    assert not summary.completed
    assert "malformed OAI-PMH XML" in summary.errors[0] and PATH in summary.errors[0]
    assert docstore.count() == 3


@pytest.mark.parametrize("status", [429, 503])
def test_flow_control_is_honoured(http_server: FixtureServer, docstore: DocStore, status: int) -> None:
    three_pages(http_server, page2=[Reply(status, "", headers={"Retry-After": "3"}), oai("raw_page2.xml")])
    sleeps = Sleeps()
    with make_client(sleeps) as client:
        summary = run_source(harvest(http_server, client), docstore)
    assert summary.completed and summary.new == 7
    assert max(sleeps.waits) >= 3.0


def test_requests_are_paced(http_server: FixtureServer, docstore: DocStore) -> None:
    three_pages(http_server)
    with PoliteClient(UA, min_interval=0.0, sleep=Sleeps(real=True)) as client:
        run_source(harvest(http_server, client, min_interval=0.25), docstore)
    times = [r.at for r in http_server.hits(PATH)]
    assert len(times) == 3 and all(b - a >= 0.22 for a, b in pairwise(times))
    with PoliteClient(UA) as client:
        assert oai_source(load_settings(), client).min_interval >= 3.0


def test_from_defaults_to_last_success_else_a_week_back(http_server: FixtureServer, tmp_path: Path) -> None:
    http_server.route(PATH, oai("no_records_match.xml"))
    with make_client() as client, DocStore(tmp_path / "a.sqlite") as fresh, DocStore(tmp_path / "b.sqlite") as seen:
        seen.finish_run("oai:cs", {}, True, datetime(2024, 5, 6, 23, 30, tzinfo=UTC))
        run_source(harvest(http_server, client), fresh)
        run_source(harvest(http_server, client), seen)
    assert [r.query["from"] for r in http_server.hits(PATH)] == [["2024-05-01"], ["2024-05-06"]]


def test_a_new_version_updates_the_paper_and_keeps_history(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, oai("raw_v1.xml"), oai("raw_v2.xml"))
    with make_client() as client:
        first = run_source(harvest(http_server, client), docstore)
        second = run_source(harvest(http_server, client), docstore)
    assert (first.new, second.updated) == (1, 1)
    stored = docstore.get("arxiv:2405.04001")
    assert stored is not None and stored.document.version == "v2"
    assert (stored.document.published, stored.document.updated) == (date(2024, 5, 1), date(2024, 5, 20))
    assert [h["version"] for h in docstore.history("arxiv:2405.04001")] == ["v1"]


def test_arxiv_metadata_format_is_mapped(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, oai("arxiv_format.xml"), query={"metadataPrefix": "arXiv"})
    with make_client() as client:
        summary = run_source(harvest(http_server, client, metadata_prefix="arXiv"), docstore)
    stored = docstore.get("arxiv:2405.04010")
    assert summary.completed and stored is not None
    doc = stored.document
    assert doc.authors == ["Priya Raman", "Oliver Brandt Jr"]
    assert (doc.published, doc.updated, doc.version) == (date(2024, 5, 2), date(2024, 5, 6), None)
    assert doc.categories == ["cs.RO", "cs.AI"] and doc.extra["comment"] == "9 pages"


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Alice Smith, Bob Jones and Carol White", ["Alice Smith", "Bob Jones", "Carol White"]),
        ("A. Smith (MIT and CMU), B. Jones, Jr., and C. Li", ["A. Smith", "B. Jones Jr.", "C. Li"]),
        ("Mia Anderson and Brandon Lee", ["Mia Anderson", "Brandon Lee"]),
        ("Aiko Nakamura; Rafael\n  Duarte", ["Aiko Nakamura", "Rafael Duarte"]),
        ("The Agent Evaluation Collaboration", ["The Agent Evaluation Collaboration"]),
    ],
)
def test_author_strings_are_split_sensibly(raw: str, names: list[str]) -> None:
    assert split_authors(raw) == names


def test_entities_are_never_expanded(http_server: FixtureServer, docstore: DocStore) -> None:
    http_server.route(PATH, oai("entity_expansion.xml"))
    with make_client() as client:
        summary = run_source(harvest(http_server, client), docstore)
    stored = docstore.get("arxiv:2405.04020")
    assert summary.completed and stored is not None
    assert stored.document.text.startswith("Host:")
    assert "lollol" not in stored.document.text
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in stored.document.text.removeprefix("Host:")
