"""Every ingest source through the real `autoscope` CLI, against the local fixture server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.ingest.test_feeds import TOKEN, serve_site
from tests.support.http_server import FIXTURES, FixtureServer, Reply, fixture

runner = CliRunner()
ATOM = "application/atom+xml; charset=utf-8"


def summary(output: str) -> dict[str, object]:
    result: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return result


def docs(*args: str) -> list[dict[str, object]]:
    out = runner.invoke(app, ["docs", "list", "--json", *args])
    assert out.exit_code == 0, out.output
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def test_ingest_arxiv_then_docs_list_and_show(http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch) -> None:
    http_server.route("/api/query", Reply(body=fixture("arxiv/paper_v1.xml"), content_type=ATOM))
    monkeypatch.setenv("AUTOSCOPE_ARXIV_API_URL", http_server.url("/api/query"))
    monkeypatch.setenv("AUTOSCOPE_CONTACT_EMAIL", "analyst@example.org")
    out = runner.invoke(app, ["ingest", "arxiv", "--query", "cat:cs.AI", "--since", "2024-01-01", "--json"])
    assert out.exit_code == 0, out.output
    assert summary(out.stdout)["new"] == 1 and summary(out.stdout)["completed"] is True
    [request] = http_server.hits("/api/query")
    assert "analyst@example.org" in request.headers["User-Agent"]
    [doc] = docs("--source", "arxiv")
    shown = runner.invoke(app, ["docs", "show", str(doc["doc_id"]), "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["doc_id"] == doc["doc_id"]
    again = runner.invoke(app, ["ingest", "arxiv", "--query", "cat:cs.AI", "--since", "2024-01-01", "--json"])
    assert summary(again.stdout)["unchanged"] == 1


def test_ingest_oai(http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch) -> None:
    http_server.route("/oai", Reply(body=fixture("oai/raw_v1.xml"), content_type="text/xml"))
    monkeypatch.setenv("AUTOSCOPE_OAI_URL", http_server.url("/oai"))
    out = runner.invoke(app, ["ingest", "oai", "--set", "cs", "--from", "2024-01-01", "--json"])
    assert out.exit_code == 0, out.output
    assert summary(out.stdout)["new"] == 1
    assert http_server.hits("/oai")[0].query["set"] == ["cs"]


def test_ingest_snapshot_with_filters_and_dry_run() -> None:
    path = str(FIXTURES / "snapshot" / "small.jsonl")
    dry = runner.invoke(app, ["ingest", "snapshot", path, "--categories", "cs.AI,cs.LG,cs.CL", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert summary(dry.stdout)["new"] >= 1 and docs() == []
    real = runner.invoke(app, ["ingest", "snapshot", path, "--categories", "cs.AI,cs.LG,cs.CL", "--json"])
    stored = docs()
    assert len(stored) == summary(real.stdout)["new"] == summary(dry.stdout)["new"]
    assert all(str(d["doc_id"]).startswith("arxiv:") for d in stored)


def test_ingest_feeds_url_and_file(http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    serve_site(http_server)
    labs = tmp_path / "labs.yaml"
    labs.write_bytes(fixture("labs/labs.yaml").replace(TOKEN, http_server.base_url.encode()))
    monkeypatch.setenv("AUTOSCOPE_LABS_FILE", str(labs))
    monkeypatch.setenv("AUTOSCOPE_FEED_MIN_INTERVAL", "0")
    feeds = runner.invoke(app, ["ingest", "feeds", "--lab", "cirrus", "--json"])
    assert feeds.exit_code == 0, feeds.output
    assert summary(feeds.stdout)["new"] >= 1
    page = runner.invoke(app, ["ingest", "url", http_server.url("/stratus/blog/stratus-2"), "--json"])
    assert page.exit_code == 0, page.output
    assert summary(page.stdout)["new"] == 1
    local = runner.invoke(app, ["ingest", "file", str(FIXTURES / "labs" / "analyst-notes.md"), "--json"])
    assert local.exit_code == 0 and summary(local.stdout)["new"] == 1
    sources = {str(d["source"]) for d in docs()}
    assert {"feed:cirrus", "file"} <= sources, sources


def test_bad_arguments_are_one_line_errors() -> None:
    bad_date = runner.invoke(app, ["ingest", "snapshot", "x.jsonl", "--since", "2024-13-01"])
    assert bad_date.exit_code == 2 and "--since '2024-13-01' is not a date" in bad_date.stderr
    bad_url = runner.invoke(app, ["ingest", "url", "ftp://example.org/x"])
    assert bad_url.exit_code == 2 and "not an http(s) URL" in bad_url.stderr
    missing = runner.invoke(app, ["docs", "show", "arxiv:0000.00000"])
    assert missing.exit_code == 1 and "no document" in missing.stderr


def test_up_ingests_when_online_and_says_so_offline(
    http_server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server.route("/api/query", Reply(body=fixture("arxiv/paper_v1.xml"), content_type=ATOM))
    monkeypatch.setenv("AUTOSCOPE_ARXIV_API_URL", http_server.url("/api/query"))
    monkeypatch.setenv("AUTOSCOPE_SOURCES", "arxiv")
    online = runner.invoke(app, ["up", "--no-serve"])
    assert online.exit_code == 0, online.output
    assert "online: ingested arxiv" in online.output and "bundled sample" in online.output
    assert len(docs()) == 1
    monkeypatch.setenv("AUTOSCOPE_OFFLINE", "true")
    offline = runner.invoke(app, ["up", "--no-serve"])
    assert "offline (AUTOSCOPE_OFFLINE is set)" in offline.output


def test_ingest_file_then_build_puts_claims_in_the_graph(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Orion-2 results\n\nOrion-2 scores 77.2% on SWE-bench Verified.\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", "file", str(note)]).exit_code == 0
    built = runner.invoke(app, ["build"])
    assert built.exit_code == 0, built.output
    assert "Extracted 1 documents: 1 claims" in built.output
    again = runner.invoke(app, ["build"])
    assert "Extracted 0 documents: 0 claims" in again.output
    stats = json.loads(runner.invoke(app, ["graph", "stats", "--json"]).stdout)
    assert stats["nodes"]["Claim"] == 1 and stats["relationships"]["REPORTS"] == 1
