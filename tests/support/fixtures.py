"""Shared pytest fixtures: `from tests.support.fixtures import neo4j_conn` in tests/conftest.py.

PYTEST_DONT_REWRITE (no asserts here; avoids a warning when conftest imports this before the
`pytest_plugins` in tests/test_neo4j_server.py registers it)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from tests.support.http_server import FixtureServer
from tests.support.neo4j_server import Neo4jConnection, Neo4jUnavailable, server_from_env_or_start


@pytest.fixture(scope="session")
def neo4j_conn() -> Iterator[Neo4jConnection]:
    """One real Neo4j for the whole session (``AUTOSCOPE_TEST_NEO4J_URI`` or a throwaway server).

    Skips when none can be had, or fails if ``AUTOSCOPE_REQUIRE_NEO4J=1`` (CI).
    """
    with contextlib.ExitStack() as stack:
        try:
            conn = stack.enter_context(server_from_env_or_start())
        except Neo4jUnavailable as exc:
            reason = f"Neo4j unavailable: {exc}"
        else:
            yield conn
            return
    if os.environ.get("AUTOSCOPE_REQUIRE_NEO4J") == "1":
        pytest.fail(f"{reason} (AUTOSCOPE_REQUIRE_NEO4J=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def http_server() -> Iterator[FixtureServer]:
    """A real HTTP server on 127.0.0.1 serving scripted fixture replies."""
    with FixtureServer().running() as server:
        yield server
