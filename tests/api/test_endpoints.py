"""The read API on both stores: benchmarks, timelines, trends, entities, events, index, conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.analytics.events import derive
from graph.model import Claim, Document, DocumentKind
from graph.schema import RelType
from graph.settings import Settings
from graph.store import GraphStore
from ingest.curated import load_sample


@pytest.fixture
def client(store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    store.init_schema()
    load_sample(store)
    derive(store)
    with TestClient(create_app(settings, store)) as c:
        yield c


def _all(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        body = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_health_reports_versions(client: TestClient, store: GraphStore) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["extractor_version"] and body["python"].startswith("3.")
    assert body["store_version"].startswith("Neo4j/5.26" if store.backend == "neo4j" else "SQLite")


def test_benchmark_search_and_detail(client: TestClient) -> None:
    hits = client.get("/benchmarks", params={"q": "SWE bench verified"}).json()["data"]
    assert hits[0]["id"] == "swe-bench-verified"
    coding = _all(client, "/benchmarks", capability="coding", limit=2)
    assert len(coding) == len({b["id"] for b in coding}) >= 3 and all("coding" in b["capabilities"] for b in coding)
    detail = client.get("/benchmarks/gpqa-diamond").json()
    assert detail["claims"] > 0 and detail["saturation"]["status"] in ("near", "saturated", "open")
    assert detail["saturation"]["best_claim_id"].startswith("clm_")
    metr = client.get("/benchmarks/metr-time-horizon-50").json()
    assert metr["unit"] == "minutes" and metr["saturation"] is None
    assert any(v["id"] == "metr-time-horizon-80" for v in metr["variants"])
    missing = client.get("/benchmarks/nope")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_timeline_filters_and_as_of(client: TestClient) -> None:
    body = client.get("/benchmarks/swe-bench-verified/timeline").json()
    assert body["frontier"] and {"date", "value", "model", "claim_id", "tied", "document", "interval"} <= set(
        body["frontier"][0]
    )
    independent = client.get("/benchmarks/swe-bench-verified/timeline", params={"source_kind": "third_party"}).json()
    assert {c["source_kind"] for c in independent["claims"]} == {"third_party"}
    early = client.get("/benchmarks/swe-bench-verified/timeline", params={"to": "2024-12-31"}).json()
    assert early["claims"] and all(c["date"] <= "2024-12-31" for c in early["claims"])
    assert client.get("/benchmarks/swe-bench-verified/timeline", params={"as_of": "2020-01-01"}).json()["claims"] == []
    bad = client.get("/benchmarks/swe-bench-verified/timeline", params={"from": "yesterday"})
    assert bad.status_code == 422 and "from" in bad.json()["detail"]


def test_trend_endpoint_reproduces_metr(client: TestClient) -> None:
    body = client.get(
        "/benchmarks/metr-time-horizon-50/trend", params={"since": "2023-01-01", "setting": "METR-Horizon-v1.1"}
    ).json()
    assert abs(body["doubling_time_days"] - 128.744) < 1 and len(body["points"]) == 14
    bounded = client.get("/benchmarks/swe-bench-verified/trend", params={"threshold": 85}).json()
    assert bounded["kind"] == "logistic" and bounded["forecast"]["threshold"] == 85


def test_model_and_document(client: TestClient) -> None:
    model = client.get("/models/claude-opus-4-5").json()
    assert model["organization"]["id"] == "anthropic" and model["claims"]
    assert all(c["model"] == "claude-opus-4-5" for c in model["claims"])
    assert {m["kind"] for m in model["milestones"]} & {"new_sota", "horizon_crossed"}
    doc_id = model["claims"][0]["document"]
    doc = client.get(f"/documents/{doc_id}").json()
    assert doc["id"] == doc_id and any(c["model"] == "claude-opus-4-5" for c in doc["claims"])
    assert client.get("/documents/url:https://nowhere.example/x").status_code == 404
    assert client.get("/models/nope").status_code == 404


def test_claims_provenance_and_supersession(client: TestClient, store: GraphStore) -> None:
    claims = _all(client, "/claims", benchmark="gpqa-diamond", limit=3)
    assert len(claims) == len({c["id"] for c in claims}) >= 3
    old = claims[0]
    store.upsert([Document(id="url:https://example.org/erratum", kind=DocumentKind.WEBPAGE)])
    new = Claim(document_id="url:https://example.org/erratum", model_id=old["model"], benchmark_id="gpqa-diamond",
                value=old["value"] + 0.5, unit="%", source_kind="curated", reported_date=date(2026, 3, 1))  # fmt: skip
    store.upsert([new])
    store.supersede([old["id"]], new.id)
    detail = client.get(f"/claims/{old['id']}").json()
    assert detail["superseded_by"] == [new.id] and detail["superseded_at"] is not None
    assert detail["document_title"] is not None and detail["evidence"]["sentence"]
    assert client.get(f"/claims/{new.id}").json()["supersedes"] == [old["id"]]
    current = {c["id"] for c in _all(client, "/claims", benchmark="gpqa-diamond")}
    assert old["id"] not in current and new.id in current
    history = {c["id"] for c in _all(client, "/claims", benchmark="gpqa-diamond", include_superseded="true")}
    assert old["id"] in history


def test_milestones_and_signals_paginate(client: TestClient) -> None:
    milestones = _all(client, "/milestones", limit=4)
    assert len(milestones) == len({m["id"] for m in milestones}) > 8
    dates = [m["date"] for m in milestones]
    assert dates == sorted(dates, reverse=True) and all(m["evidence"] for m in milestones)
    horizons = client.get("/milestones", params={"kind": "horizon_crossed"}).json()["data"]
    assert {m["threshold"] for m in horizons} >= {60.0, 240.0}
    signals = _all(client, "/signals", limit=3, since="2025-01-01")
    assert signals and all(s["date"] >= "2025-01-01" and s["based_on"] for s in signals)
    assert client.get("/milestones", params={"as_of": "2020-01-01"}).json()["data"] == []


def test_index_conflicts_and_gaps(client: TestClient) -> None:
    index = client.get("/index").json()
    assert 0 < index["index"] <= 100 and index["coverage"] > 0 and index["method"]
    assert {c["id"] for c in index["components"]} >= {"coding", "long-horizon-autonomy"}
    earlier = client.get("/index", params={"at": "2025-06-30"}).json()
    assert earlier["index"] < index["index"]
    conflicts = client.get("/conflicts").json()
    assert set(conflicts) == {"data", "next_cursor"}
    gaps = client.get("/conflicts/gaps").json()["data"]
    assert gaps and {"organization", "pairs", "mean_gap_points"} <= set(gaps[0])


def test_introducing_documents_are_listed(client: TestClient, store: GraphStore) -> None:
    paper = Document(id="arxiv:2311.12022", kind=DocumentKind.PAPER, title="GPQA")
    store.upsert([paper])
    store.upsert_relationships(RelType.INTRODUCES, [(paper.id, "gpqa-diamond")])
    detail = client.get("/benchmarks/gpqa-diamond").json()
    assert detail["introduced_by"] == [{"id": paper.id, "name": None}]


def test_input_limits_are_4xx(client: TestClient) -> None:
    for path, params in (
        ("/claims", {"limit": 0}),
        ("/milestones", {"limit": 5000}),
        ("/benchmarks", {"q": "x" * 300}),
        ("/signals", {"since": "2025-02-30"}),
        ("/milestones", {"cursor": "!!!"}),
    ):
        response = client.get(path, params=params)
        assert 400 <= response.status_code < 500, (path, params, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"


def test_fast_payloads_match_their_documented_models(client: TestClient, store: GraphStore) -> None:
    from api.schemas import ClaimOut, TimelineOut, claim_json
    from api.schemas_analytics import TrendOut
    from graph.store import ClaimQuery

    for c in store.list_claims(ClaimQuery(), limit=50).items:
        assert ClaimOut.model_validate(claim_json(c)) == ClaimOut.of(c)
        assert claim_json(c) == ClaimOut.of(c).model_dump(mode="json")
    TimelineOut.model_validate(client.get("/benchmarks/swe-bench-verified/timeline").json())
    TrendOut.model_validate(client.get("/benchmarks/metr-time-horizon-50/trend").json())
    for c in client.get("/claims", params={"limit": 20}).json()["data"]:
        ClaimOut.model_validate(c)


def test_cached_answers_follow_every_write(client: TestClient, store: GraphStore) -> None:
    first = client.get("/benchmarks/gpqa-diamond/timeline")
    etag = first.headers["etag"]
    assert client.get("/benchmarks/gpqa-diamond/timeline", headers={"If-None-Match": etag}).status_code == 304
    before = store.generation()
    store.upsert([Document(id="url:https://example.org/late", kind=DocumentKind.WEBPAGE)])
    store.upsert([Claim(document_id="url:https://example.org/late", model_id="o3", benchmark_id="gpqa-diamond",
                        value=99.9, unit="%", source_kind="curated", reported_date=date(2026, 6, 1))])  # fmt: skip
    assert store.generation() != before
    fresh = client.get("/benchmarks/gpqa-diamond/timeline", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert fresh.json()["frontier"][-1]["value"] == 99.9
    index = client.get("/index")
    assert client.get("/index", headers={"If-None-Match": index.headers["etag"]}).status_code == 304
