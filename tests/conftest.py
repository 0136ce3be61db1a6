"""Session-wide fixtures: settings in a temp dir, both graph stores, the real Neo4j server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.analytics.config import use_file as use_analytics_file
from graph.embedded import EmbeddedStore
from graph.factory import open_store
from graph.settings import Settings, load_settings
from graph.store import GraphStore
from tests.support.fixtures import http_server, neo4j_conn
from tests.support.neo4j_server import Neo4jConnection

__all__ = ["http_server", "neo4j_conn"]

ISOLATED_ENV = (
    "AUTOSCOPE_GRAPH_BACKEND",
    "AUTOSCOPE_DATA_DIR",
    "AUTOSCOPE_NEO4J_URI",
    "AUTOSCOPE_NEO4J_USER",
    "AUTOSCOPE_NEO4J_PASSWORD",
    "AUTOSCOPE_NEO4J_DATABASE",
    "AUTOSCOPE_API_HOST",
    "AUTOSCOPE_API_PORT",
    "AUTOSCOPE_EMBEDDING_MODEL",
    "AUTOSCOPE_WRITE_BATCH_SIZE",
    "AUTOSCOPE_LOG_LEVEL",
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read a developer's AUTOSCOPE_* variables or .env, and write only under tmp."""
    for name in ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUTOSCOPE_DATA_DIR", str(tmp_path / "data"))
    # Building the search index loads the embedding model (seconds): only the search tests turn it on.
    monkeypatch.setenv("AUTOSCOPE_SEARCH_INDEX", "false")
    use_analytics_file(None)  # an earlier test's CLI run may have pointed analyses at its own file


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data")


def neo4j_settings(conn: Neo4jConnection, data_dir: Path) -> Settings:
    return load_settings(
        graph_backend="neo4j",
        data_dir=data_dir,
        neo4j_uri=conn.uri,
        neo4j_user=conn.user,
        neo4j_password=conn.password,
        neo4j_database=conn.database,
    )


def use_neo4j(monkeypatch: pytest.MonkeyPatch, conn: Neo4jConnection, data_dir: Path) -> Settings:
    """Point AUTOSCOPE_* (and so the CLI, workers and notebook kernels) at the test Neo4j server."""
    s = neo4j_settings(conn, data_dir)
    for key, value in {
        "GRAPH_BACKEND": "neo4j",
        "NEO4J_URI": s.neo4j_uri,
        "NEO4J_USER": s.neo4j_user,
        "NEO4J_PASSWORD": s.neo4j_password.get_secret_value(),
        "NEO4J_DATABASE": s.neo4j_database,
    }.items():
        monkeypatch.setenv(f"AUTOSCOPE_{key}", value)
    return s


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path / "graph.sqlite")
    yield store
    store.close()


@pytest.fixture
def neo4j_store(neo4j_conn: Neo4jConnection, tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(neo4j_settings(neo4j_conn, tmp_path / "data"))
    store.clear()
    store.init_schema()
    yield store
    store.close()


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """The contract suite runs once per backend."""
    fixture = "embedded_store" if request.param == "embedded" else "neo4j_store"
    result: GraphStore = request.getfixturevalue(fixture)
    return result
