"""Named queries on both stores, their HTTP endpoints, and POST /query over HTTP (keys, 501, 400, 504)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.query_guard import guarded_query
from graph.analytics.events import derive
from graph.analytics.timeline import timeline
from graph.errors import NotFoundError, ParameterError
from graph.model import Document, DocumentKind
from graph.queries import QUERIES, run_query
from graph.schema import RelType
from graph.settings import Settings, load_settings
from graph.store import ClaimQuery, GraphStore
from ingest.curated import load_sample

KEY = {"X-API-Key": "k2"}
GPQA_HUMAN = 69.7


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.init_schema()
    load_sample(store)
    derive(store)
    return store


@pytest.fixture
def keyed(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", api_keys="k1,k2")


@pytest.fixture
def client(loaded: GraphStore, keyed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(keyed, loaded)) as c:
        yield c


def _introduce(store: GraphStore) -> None:
    papers = [
        Document(id="arxiv:2501.00001", kind=DocumentKind.PAPER, title="Two hard exams", published=date(2025, 1, 2)),
        Document(id="arxiv:2501.00002", kind=DocumentKind.PAPER, title="Real repositories"),
    ]
    store.upsert(papers)
    store.upsert_relationships(
        RelType.INTRODUCES,
        [(papers[0].id, "aime-2025"), (papers[0].id, "gpqa-diamond"), (papers[1].id, "swe-bench-verified")],
    )


# -- the registry on both stores ------------------------------------------------------------------
def test_models_beating_human_baseline(loaded: GraphStore) -> None:
    rows = run_query(loaded, "models-beating-human-baseline", {"benchmark": "gpqa-diamond"})
    assert rows and {r["benchmark"] for r in rows} == {"gpqa-diamond"}
    for row in rows:
        assert row["human_baseline"] == GPQA_HUMAN and row["best_value"] > GPQA_HUMAN
        assert row["claim_ids"] == [c["id"] for c in row["claims"]]
        for claim in row["claims"]:
            assert claim["value"] > GPQA_HUMAN and claim["evidence"] and claim["source_url"].startswith("https://")
    everywhere = run_query(loaded, "models-beating-human-baseline")
    assert {"gpqa-diamond", "arc-agi-2"} <= {r["benchmark"] for r in everywhere}
    assert all(r["human_baseline"] is not None for r in everywhere)
    assert run_query(loaded, "models-beating-human-baseline", {"as_of": "2000-01-01"}) == []


def test_papers_introducing_saturated_benchmarks(loaded: GraphStore) -> None:
    _introduce(loaded)
    rows = run_query(loaded, "papers-introducing-saturated-benchmarks")
    assert [r["document"] for r in rows] == ["arxiv:2501.00001"]
    assert rows[0]["published"] == "2025-01-02" and rows[0]["title"] == "Two hard exams"
    states = {b["benchmark"]: b["status"] for b in rows[0]["benchmarks"]}
    assert states == {"aime-2025": "saturated", "gpqa-diamond": "near"}
    only = run_query(loaded, "papers-introducing-saturated-benchmarks", {"status": "saturated"})
    assert [b["benchmark"] for b in only[0]["benchmarks"]] == ["aime-2025"]


def test_claims_for_model(loaded: GraphStore) -> None:
    model = "claude-3-5-sonnet-20241022"
    rows = run_query(loaded, "claims-for-model", {"model": model})
    expected = loaded.list_claims(ClaimQuery(model_id=model), limit=1000).items
    assert sorted(r["id"] for r in rows) == sorted(c.id for c in expected) and rows
    assert [r["reported_date"] for r in rows] == sorted((r["reported_date"] for r in rows), reverse=True)
    assert all(r["evidence"]["sentence"] and r["source_url"] for r in rows)
    assert len(run_query(loaded, "claims-for-model", {"model": model, "limit": 1})) == 1
    with pytest.raises(NotFoundError, match="no-such-model"):
        run_query(loaded, "claims-for-model", {"model": "no-such-model"})


def test_frontier_and_conflicts(loaded: GraphStore) -> None:
    steps = run_query(loaded, "frontier", {"benchmark": "swe-bench-verified"})
    assert [s["claim_id"] for s in steps] == [s.claim_id for s in timeline(loaded, "swe-bench-verified").frontier]
    values = [s["value"] for s in steps]
    assert values == sorted(values) and len(steps) >= 3
    assert run_query(loaded, "conflicts-for-benchmark", {"benchmark": "swe-bench-verified"}) == []
    with pytest.raises(NotFoundError):
        run_query(loaded, "conflicts-for-benchmark", {"benchmark": "no-such-bench"})


def test_latest_signals(loaded: GraphStore) -> None:
    rows = run_query(loaded, "latest-signals", {"limit": 3})
    assert len(rows) == 3
    assert [r["date"] for r in rows] == sorted((r["date"] for r in rows), reverse=True)
    kind = rows[0]["kind"]
    assert {r["kind"] for r in run_query(loaded, "latest-signals", {"kind": kind})} == {kind}
    assert run_query(loaded, "latest-signals", {"since": "2100-01-01"}) == []


@pytest.mark.parametrize(
    ("name", "params", "parameter"),
    [
        ("frontier", {}, "benchmark"),
        ("frontier", {"bench": "x"}, "bench"),
        ("frontier", {"benchmark": "swe-bench-verified", "include_variants": "maybe"}, "include_variants"),
        ("claims-for-model", {"model": "x", "limit": 0}, "limit"),
        ("claims-for-model", {"model": "x", "limit": 1.5}, "limit"),
        ("claims-for-model", {"model": "x", "as_of": "2025-13-01"}, "as_of"),
        ("latest-signals", {"limit": True}, "limit"),
        ("papers-introducing-saturated-benchmarks", {"status": "open"}, "status"),
    ],
)
def test_bad_parameters_name_the_parameter(
    embedded_store: GraphStore, name: str, params: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(ParameterError) as bad:
        run_query(embedded_store, name, params)
    assert bad.value.parameter == parameter and repr(parameter) in str(bad.value)


def test_unknown_query(embedded_store: GraphStore) -> None:
    with pytest.raises(NotFoundError, match="frontier"):
        run_query(embedded_store, "no-such-query")


def test_cypher_equivalents_pass_the_guard_and_agree(neo4j_store: GraphStore, settings: Settings) -> None:
    load_sample(neo4j_store)
    derive(neo4j_store)
    _introduce(neo4j_store)
    params: dict[str, dict[str, Any]] = {
        "models-beating-human-baseline": {"benchmark": "gpqa-diamond"},
        "papers-introducing-saturated-benchmarks": {"near_fraction": 0.9},
        "claims-for-model": {"model": "claude-3-5-sonnet-20241022", "benchmark": None, "limit": 200},
        "latest-signals": {"kind": None, "since": None, "limit": 5},
    }
    with_cypher = {name for name, q in QUERIES.items() if q.cypher}
    assert with_cypher == set(params)
    for name, values in params.items():
        text = QUERIES[name].cypher
        assert text is not None
        result = guarded_query(neo4j_store, text, values, settings)
        assert result.rows > 0, name
    python = run_query(neo4j_store, "claims-for-model", {"model": "claude-3-5-sonnet-20241022"})
    text = QUERIES["claims-for-model"].cypher or ""
    cypher = guarded_query(neo4j_store, text, params["claims-for-model"], settings)
    assert sorted(r["id"] for r in cypher.data) == sorted(r["id"] for r in python)
    gpqa = guarded_query(
        neo4j_store,
        QUERIES["models-beating-human-baseline"].cypher or "",
        params["models-beating-human-baseline"],
        settings,
    )
    python_gpqa = run_query(neo4j_store, "models-beating-human-baseline", {"benchmark": "gpqa-diamond"})
    assert {r["model"] for r in gpqa.data} == {r["model"] for r in python_gpqa}
    papers = guarded_query(
        neo4j_store, QUERIES["papers-introducing-saturated-benchmarks"].cypher or "", {"near_fraction": 0.9}, settings
    )
    assert [r["document"] for r in papers.data] == ["arxiv:2501.00001"]


# -- HTTP -----------------------------------------------------------------------------------------
def test_named_queries_over_http(client: TestClient) -> None:
    listed = client.get("/queries").json()
    assert [q["name"] for q in listed["data"]] == list(QUERIES) and listed["next_cursor"] is None
    frontier = next(q for q in listed["data"] if q["name"] == "frontier")
    assert {"name": "benchmark", "type": "str", "required": True}.items() <= frontier["params"][0].items()
    ran = client.post("/queries/frontier", json={"params": {"benchmark": "swe-bench-verified"}})
    assert ran.status_code == 200 and ran.json()["next_cursor"] is None
    assert ran.json()["data"][0]["claim_id"].startswith("clm_")
    assert client.post("/queries/latest-signals").json()["data"]


def test_named_query_errors_over_http(client: TestClient) -> None:
    unknown = client.post("/queries/nope", json={"params": {}})
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert "frontier" in unknown.json()["detail"]
    bad = client.post("/queries/claims-for-model", json={"params": {"model": "x", "limit": 5000}})
    assert bad.status_code == 422 and bad.json()["parameter"] == "limit" and "'limit'" in bad.json()["detail"]
    missing = client.post("/queries/frontier", json={"params": {"benchmark": "no-such-bench"}})
    assert missing.status_code == 404 and "no-such-bench" in missing.json()["detail"]


def test_named_queries_need_a_key_when_reads_do(loaded: GraphStore, tmp_path: Path) -> None:
    locked = load_settings(data_dir=tmp_path / "data", api_keys="k1", api_read_auth=True)
    with TestClient(create_app(locked, loaded)) as c:
        assert c.get("/queries").status_code == 401
        assert c.post("/queries/frontier", json={"params": {"benchmark": "aime-2025"}}).status_code == 401
        assert c.get("/queries", headers={"X-API-Key": "k1"}).status_code == 200


def test_query_needs_a_valid_key(client: TestClient, loaded: GraphStore, tmp_path: Path) -> None:
    body = {"cypher": "MATCH (c:Claim) RETURN count(c) AS n"}
    none = client.post("/query", json=body)
    assert none.status_code == 401 and none.headers["content-type"] == "application/problem+json"
    assert client.post("/query", json=body, headers={"X-API-Key": "wrong"}).status_code == 403
    unconfigured = load_settings(data_dir=tmp_path / "other")
    with TestClient(create_app(unconfigured, loaded)) as c:
        refused = c.post("/query", json=body, headers=KEY)
        assert refused.status_code == 403 and "AUTOSCOPE_API_KEYS" in refused.json()["detail"]


def test_query_on_the_embedded_backend_is_501(embedded_store: GraphStore, keyed: Settings) -> None:
    with TestClient(create_app(keyed, embedded_store)) as c:
        answer = c.post("/query", json={"cypher": "RETURN 1 AS one"}, headers=KEY)
    assert answer.status_code == 501 and answer.headers["content-type"] == "application/problem+json"
    assert "AUTOSCOPE_GRAPH_BACKEND=neo4j" in answer.json()["detail"]


def test_query_over_http_on_neo4j(neo4j_store: GraphStore, tmp_path: Path) -> None:
    load_sample(neo4j_store)
    settings = load_settings(data_dir=tmp_path / "data", api_keys="k1,k2", query_timeout=1, query_max_rows=50)
    with TestClient(create_app(settings, neo4j_store)) as c:
        ok = c.post(
            "/query",
            json={
                "cypher": "MATCH (c:Claim {benchmark_id: $b}) RETURN c.id AS id, c.value AS value ORDER BY id",
                "params": {"b": "swe-bench-verified"},
            },
            headers={"Authorization": "Bearer k1"},
        )
        assert ok.status_code == 200, ok.text
        body = ok.json()
        assert body["columns"] == ["id", "value"] and body["rows"] == len(body["data"]) > 3
        write = c.post("/query", json={"cypher": "MATCH (c:Claim) DETACH DELETE c"}, headers=KEY)
        assert write.status_code == 400 and write.json()["reason"] == "write"
        assert write.headers["content-type"] == "application/problem+json" and "DETACH" in write.json()["detail"]
        rows = c.post("/query", json={"cypher": "MATCH (c:Claim) RETURN c.id"}, headers=KEY)
        assert rows.status_code == 400 and rows.json()["reason"] == "too_many_rows"
        assert "more than 50 rows" in rows.json()["detail"]
        slow = c.post(
            "/query",
            json={"cypher": "UNWIND range(1, 100000000) AS a UNWIND range(1, 100000000) AS b RETURN count(*)"},
            headers=KEY,
        )
        assert slow.status_code == 504 and slow.json()["reason"] == "timeout"
        assert c.post("/query", json={"cypher": "RETURN 1", "extra": 1}, headers=KEY).status_code == 422
        docs = c.get("/openapi.json").json()["paths"]
        assert "examples" in str(docs["/query"]["post"]["requestBody"]) and "/queries/{name}" in docs
    assert neo4j_store.counts().nodes["Claim"] > 0
