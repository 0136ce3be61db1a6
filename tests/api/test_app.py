"""HTTP API on both stores: health, claims with provenance, problem+json errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings
from graph.store import GraphStore
from ingest.curated import load_sample


@pytest.fixture
def client(store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    store.init_schema()
    load_sample(store)
    with TestClient(create_app(settings, store)) as c:
        yield c


def test_health_and_stats(client: TestClient, store: GraphStore) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["store_reachable"] and body["backend"] == store.backend
    assert client.get("/stats").json()["nodes"]["Claim"] == store.counts().nodes["Claim"]


def test_claims_filter_paginate_and_carry_provenance(client: TestClient) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"benchmark": "swe-bench-verified", "limit": 5, **({"cursor": cursor} if cursor else {})}
        page = client.get("/claims", params=params).json()
        seen += [c["id"] for c in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 10
    one = client.get(f"/claims/{seen[0]}").json()
    assert one["benchmark"] == "swe-bench-verified"
    assert one["evidence"]["sentence"] and one["evidence"]["end"] == len(one["evidence"]["sentence"])
    assert one["source_url"].startswith("https://")


def test_errors_are_problem_json(client: TestClient) -> None:
    missing = client.get("/claims/clm_doesnotexist")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "clm_doesnotexist" in missing.json()["detail"]
    bad_cursor = client.get("/claims", params={"cursor": "garbage!"})
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()["detail"]
    bad_date = client.get("/claims", params={"from": "2025-13-45"})
    assert bad_date.status_code == 422 and "from" in bad_date.json()["detail"]
    too_many = client.get("/claims", params={"limit": 5000})
    assert too_many.status_code == 422 and "limit" in too_many.json()["detail"]
