"""Property-based API testing from the OpenAPI schema (schemathesis): no input may cause a 5xx.

Every operation of the schema gets generated requests (hypothesis, derandomised so runs repeat),
on both stores with the bundled sample loaded. Documented 5xx answers are the only exceptions:
501 for analyst Cypher on the embedded store and 503 while the search index is missing.
Hypothesis is driven directly (schemathesis' pytest plugin does not support this pytest yet).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from graph.analytics.events import derive
from graph.settings import load_settings
from graph.store import GraphStore
from ingest.curated import load_sample

KEY = "schemathesis-key"
ALLOWED_5XX = {("POST", "/query"): {501}, ("GET", "/search"): {503}}
SLOW = {("GET", "/digest/{iso_week}")}
"""HTML digests draw charts (seconds each): fewer examples there."""


@pytest.fixture
def api_schema(store: GraphStore, tmp_path: Path) -> Any:
    store.init_schema()
    load_sample(store)
    derive(store)
    app = create_app(load_settings(data_dir=tmp_path / "data", api_keys=KEY, query_timeout=2), store)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _check(operation: Any, failures: list[str]) -> Any:
    """A hypothesis test of one operation, recording server errors in ``failures``."""
    key = (operation.method.upper(), operation.path)
    allowed = ALLOWED_5XX.get(key, set())

    @given(case=operation.as_strategy())
    @settings(max_examples=8 if key in SLOW else 30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: Any) -> None:
        headers = {"X-API-Key": KEY} if case.method.upper() == "POST" else None
        response = case.call(headers=headers)
        if response.status_code >= 500 and response.status_code not in allowed:
            failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: "
                            f"{response.text[:300]}")  # fmt: skip
        elif response.status_code >= 400:
            content_type = response.headers.get("content-type") or [""]
            assert content_type[0].startswith("application/problem+json"), (
                f"{case.method} {case.formatted_path} -> {response.status_code} is not problem+json"
            )

    return check


def test_no_input_causes_a_server_error(api_schema: Any) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        _check(operation, failures)()
    assert failures == []
