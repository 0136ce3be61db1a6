"""The review queue on both stores: accept, reject and correct, with keys, history and supersession."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.analytics.timeline import timeline
from graph.settings import load_settings
from graph.store import GraphStore
from tests.analytics.world import claim, doc, percent_world

KEY = {"X-API-Key": "secret-1"}


@pytest.fixture
def client(store: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    percent_world(store)
    store.upsert([doc(30)])
    store.upsert([
        claim("a1", "codebench", 88.0, date(2025, 3, 1), document=30, needs_review=True),
        claim("b1", "codebench", 12.0, date(2025, 3, 2), document=30, needs_review=True),
        claim("a2", "codebench", 61.0, date(2025, 3, 3), document=30, needs_review=True),
    ])  # fmt: skip
    settings = load_settings(data_dir=tmp_path / "data", api_keys="secret-1, secret-2")
    with TestClient(create_app(settings, store)) as c:
        yield c


def _queue(client: TestClient) -> dict[str, dict[str, object]]:
    return {c["model"]: c for c in client.get("/review", params={"benchmark": "codebench"}).json()["data"]}


def test_queue_lists_unreviewed_flagged_claims(client: TestClient) -> None:
    queue = _queue(client)
    assert set(queue) == {"a1", "b1", "a2"}
    assert all(c["needs_review"] for c in queue.values())
    everything = client.get("/review").json()["data"]
    assert len(everything) == 4 and everything[-1]["benchmark"] == "quizbench", "newest first"


def test_keys_are_required_and_checked(client: TestClient) -> None:
    target = _queue(client)["a1"]["id"]
    body = {"action": "accept", "reviewer": "ana"}
    missing = client.post(f"/claims/{target}/review", json=body)
    assert missing.status_code == 401 and missing.headers["content-type"] == "application/problem+json"
    wrong = client.post(f"/claims/{target}/review", json=body, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 403
    bearer = client.post(f"/claims/{target}/review", json=body, headers={"Authorization": "Bearer secret-2"})
    assert bearer.status_code == 200, bearer.text


def test_accept_makes_a_flagged_claim_count(client: TestClient, store: GraphStore) -> None:
    target = _queue(client)["a1"]["id"]
    assert timeline(store, "codebench").frontier[-1].value == 82.5
    result = client.post(f"/claims/{target}/review", json={"action": "accept", "reviewer": "ana"}, headers=KEY)
    assert result.status_code == 200
    body = result.json()
    assert body["claim"]["review_status"] == "accepted" and body["claim"]["reviewed_by"] == "ana"
    assert body["review"]["action"] == "accepted" and body["review"]["recorded_at"]
    assert timeline(store, "codebench").frontier[-1].value == 88.0
    assert "a1" not in _queue(client)
    detail = client.get(f"/claims/{target}").json()
    assert [r["reviewer"] for r in detail["reviews"]] == ["ana"]


def test_reject_keeps_the_claim_out_even_when_flags_are_included(client: TestClient, store: GraphStore) -> None:
    target = _queue(client)["b1"]["id"]
    assert client.post(f"/claims/{target}/review", json={"action": "reject", "reviewer": "bo", "note": "misread"},
                       headers=KEY).status_code == 200  # fmt: skip
    assert target not in {c.id for c in timeline(store, "codebench", include_flagged=True).claims}
    assert client.get(f"/claims/{target}").json()["review_status"] == "rejected"


def test_correction_supersedes_never_overwrites(client: TestClient, store: GraphStore) -> None:
    target = _queue(client)["a2"]
    result = client.post(
        f"/claims/{target['id']}/review",
        json={"action": "correct", "reviewer": "cy", "note": "table says 66.0", "correction": {"value": 66.0}},
        headers=KEY,
    )
    assert result.status_code == 200, result.text
    body = result.json()
    new = body["corrected_claim"]
    assert new["value"] == 66.0 and new["evidence"] == target["evidence"] and new["review_status"] == "accepted"
    assert new["extractor_version"] == "review/1" and not new["needs_review"]
    old = client.get(f"/claims/{target['id']}").json()
    assert old["value"] == 61.0 and old["superseded_by"] == [new["id"]] and old["review_status"] == "corrected"
    again = client.post(f"/claims/{target['id']}/review", json={"action": "accept", "reviewer": "cy"}, headers=KEY)
    assert again.status_code == 409 and "superseded" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"action": "correct", "reviewer": "x"}, 400, "at least one corrected field"),
        ({"action": "correct", "reviewer": "x", "correction": {"model": "ghost"}}, 400, "ghost"),
        ({"action": "accept", "reviewer": "x", "correction": {"value": 1}}, 400, "only allowed"),
        ({"action": "approve", "reviewer": "x"}, 422, "action"),
        ({"action": "accept"}, 422, "reviewer"),
    ],
)
def test_bad_reviews_are_refused(client: TestClient, body: dict[str, object], status: int, words: str) -> None:
    target = _queue(client)["a2"]["id"]
    response = client.post(f"/claims/{target}/review", json=body, headers=KEY)
    assert response.status_code == status and words in response.json()["detail"]
    assert client.post("/claims/clm_missing/review", json={"action": "accept", "reviewer": "x"},
                       headers=KEY).status_code == 404  # fmt: skip


def test_no_keys_configured_refuses_writes(store: GraphStore, tmp_path: Path) -> None:
    percent_world(store)
    with TestClient(create_app(load_settings(data_dir=tmp_path / "d"), store)) as c:
        response = c.post("/claims/clm_x/review", json={"action": "accept", "reviewer": "x"}, headers=KEY)
        assert response.status_code == 403 and "AUTOSCOPE_API_KEYS" in response.json()["detail"]


def test_read_auth_and_cors(store: GraphStore, tmp_path: Path) -> None:
    percent_world(store)
    settings = load_settings(
        data_dir=tmp_path / "d", api_keys="k", api_read_auth=True, cors_origins="https://a.example"
    )
    with TestClient(create_app(settings, store)) as c:
        assert c.get("/claims").status_code == 401
        assert c.get("/claims", headers={"X-API-Key": "k"}).status_code == 200
        assert c.get("/health").status_code == 200
        preflight = c.options(
            "/claims", headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"}
        )
        assert preflight.headers["access-control-allow-origin"] == "https://a.example"
