"""`autoscope query` and `autoscope queries list|run` through Typer's runner, on the real Neo4j server
and on the embedded store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.embedded import EmbeddedStore
from graph.queries import QUERIES, run_query
from graph.store import GraphStore
from ingest.curated import load_sample
from tests.conftest import use_neo4j
from tests.support.neo4j_server import Neo4jConnection

runner = CliRunner()


@pytest.fixture
def on_neo4j(
    neo4j_conn: Neo4jConnection, neo4j_store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> GraphStore:
    """The CLI pointed at the test server, which holds the sample."""
    load_sample(neo4j_store)
    use_neo4j(monkeypatch, neo4j_conn, tmp_path)
    return neo4j_store


@pytest.fixture
def on_embedded(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "data" / "graph.sqlite")
    try:
        store.init_schema()
        load_sample(store)
    finally:
        store.close()


def test_query_prints_a_table_and_json(on_neo4j: GraphStore) -> None:
    text = "MATCH (b:Benchmark {id: $id}) RETURN b.id AS id, b.name AS name, $n AS n"
    table = runner.invoke(app, ["query", text, "--param", "id=gpqa-diamond", "--param", "n=3"])
    assert table.exit_code == 0, table.output
    assert "gpqa-diamond" in table.output and "1 row" in table.output
    as_json = runner.invoke(app, ["query", text, "-p", "id=gpqa-diamond", "-p", "n=3", "--json"])
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.stdout)
    assert body["columns"] == ["id", "name", "n"] and body["data"][0]["n"] == 3 and body["rows"] == 1
    stdin = runner.invoke(app, ["query", "-", "--json"], input="CALL db.labels() YIELD label RETURN label")
    assert "Claim" in {r["label"] for r in json.loads(stdin.stdout)["data"]}


def test_refused_queries_exit_2_with_the_reason(on_neo4j: GraphStore) -> None:
    before = on_neo4j.counts()
    for text, reason in (
        ("MATCH (c:Claim) // tidy up\nDETACH DELETE c", "write"),
        ("CALL dbms.listConfig()", "procedure"),
        ("LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l", "load_csv"),
    ):
        result = runner.invoke(app, ["query", text])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: refused:") and f"(reason: {reason})" in result.output
    assert on_neo4j.counts() == before
    bad_param = runner.invoke(app, ["query", "RETURN 1", "--param", "novalue"])
    assert bad_param.exit_code == 2 and "KEY=VALUE" in bad_param.output


def test_query_on_the_embedded_backend_exits_1_naming_the_setting(on_embedded: None) -> None:
    result = runner.invoke(app, ["query", "RETURN 1"])
    assert result.exit_code == 1
    assert "AUTOSCOPE_GRAPH_BACKEND=neo4j" in result.output and len(result.output.strip().splitlines()) == 1


def test_queries_list_and_run(on_embedded: None) -> None:
    listed = runner.invoke(app, ["queries", "list", "--json"])
    assert listed.exit_code == 0 and [q["name"] for q in json.loads(listed.stdout)] == list(QUERIES)
    table = runner.invoke(app, ["queries", "list"])
    assert table.exit_code == 0 and "claims-for-model" in table.output
    ran = runner.invoke(app, ["queries", "run", "frontier", "--param", "benchmark=swe-bench-verified", "--json"])
    assert ran.exit_code == 0, ran.output
    steps = json.loads(ran.stdout)["data"]
    assert steps and all(s["claim_id"].startswith("clm_") for s in steps)
    printed = runner.invoke(
        app, ["queries", "run", "claims-for-model", "-p", "model=claude-3-5-sonnet-20241022", "-p", "limit=2"]
    )
    assert printed.exit_code == 0 and "(2 rows)" in printed.output


def test_queries_run_errors(on_embedded: None) -> None:
    unknown = runner.invoke(app, ["queries", "run", "nope"])
    assert unknown.exit_code == 2 and "frontier" in unknown.output
    bad = runner.invoke(app, ["queries", "run", "claims-for-model", "-p", "model=x", "-p", "limit=many"])
    assert bad.exit_code == 2 and "'limit'" in bad.output
    missing = runner.invoke(app, ["queries", "run", "frontier"])
    assert missing.exit_code == 2 and "'benchmark'" in missing.output
    absent = runner.invoke(app, ["queries", "run", "frontier", "-p", "benchmark=no-such-bench"])
    assert absent.exit_code == 1 and "no-such-bench" in absent.output


def test_named_queries_agree_across_backends(on_neo4j: GraphStore, tmp_path: Path) -> None:
    args = ["queries", "run", "models-beating-human-baseline", "--json"]
    neo = json.loads(runner.invoke(app, args).stdout)["data"]
    store = EmbeddedStore(tmp_path / "other.sqlite")
    try:
        store.init_schema()
        load_sample(store)
        embedded = run_query(store, "models-beating-human-baseline")
    finally:
        store.close()
    assert neo and [(r["benchmark"], r["model"], r["claim_ids"]) for r in neo] == [
        (r["benchmark"], r["model"], r["claim_ids"]) for r in embedded
    ]
