"""Semantic search with the real embedding model: incremental index, ranking, evidence in every hit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.model import Claim, Document, DocumentKind, SourceKind, Unit
from graph.settings import load_settings
from graph.store import GraphStore
from ingest.curated import load_sample
from ingest.search_index import Embed, SearchIndex, embedder


@pytest.fixture(scope="session")
def embed() -> Embed:
    return embedder("all-MiniLM-L6-v2")


@pytest.fixture
def client(store: GraphStore, tmp_path: Path, embed: Embed) -> Iterator[TestClient]:
    store.init_schema()
    load_sample(store)
    settings = load_settings(data_dir=tmp_path / "data")
    report = SearchIndex(settings.data_dir / "search").build(store, lambda: embed)
    assert report.items > 100 and report.embedded == report.items
    app = create_app(settings, store)
    with TestClient(app) as c:
        app.state.embed = embed  # the model is loaded once per test session, not per app
        yield c


def test_search_finds_claims_by_meaning_with_evidence(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "how long a task Claude Opus 4.5 can do autonomously"}).json()["data"]
    top = hits[:5]
    assert any(h["kind"] == "claim" and h["benchmark"] == "metr-time-horizon-50" and h["model"] == "claude-opus-4-5"
               for h in top), top  # fmt: skip
    assert all(h["source_url"] and h["text"] for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    docs = client.get("/search", params={"q": "OpenAI announcement", "kind": "document", "limit": 3}).json()["data"]
    assert len(docs) == 3 and {h["kind"] for h in docs} == {"document"}


def test_index_is_incremental(store: GraphStore, tmp_path: Path, embed: Embed) -> None:
    store.init_schema()
    load_sample(store)
    index = SearchIndex(tmp_path / "search")
    first = index.build(store, lambda: embed)
    loads: list[int] = []

    def counting() -> Embed:
        loads.append(1)
        return embed

    assert index.build(store, counting).embedded == 0 and loads == [], "nothing changed: the model is not loaded"
    store.upsert([Document(id="url:https://example.org/kb", kind=DocumentKind.WEBPAGE, title="Kernel speedups")])
    store.upsert([Claim(document_id="url:https://example.org/kb", model_id="o3", benchmark_id="swe-bench-verified",
                        value=12.5, unit=Unit.PERCENT, source_kind=SourceKind.CURATED, reported_date=date(2026, 1, 1),
                        evidence_sentence="o3 wrote CUDA kernels with a 12.5% speedup.")])  # fmt: skip
    again = index.build(store, counting)
    assert (again.embedded, again.items) == (2, first.items + 2) and loads == [1]
    hits = index.search(embed(["CUDA kernel speedup"])[0], k=3)
    assert hits[0][0] in ("claim", "document") and hits[0][2] > 0.3


def test_search_without_an_index_is_503(store: GraphStore, tmp_path: Path, embed: Embed) -> None:
    store.init_schema()
    app = create_app(load_settings(data_dir=tmp_path / "empty"), store)
    with TestClient(app) as c:
        app.state.embed = embed
        response = c.get("/search", params={"q": "anything"})
        assert response.status_code == 503 and "autoscope build" in response.json()["detail"]
        assert c.get("/search", params={"q": "x"}).status_code == 422
