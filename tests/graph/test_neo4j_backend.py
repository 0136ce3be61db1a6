"""Neo4j-specific behaviour: schema objects, connection failures named clearly."""

from __future__ import annotations

import socket
from pathlib import Path

import neo4j
import pytest

from graph.errors import StoreAuthError, StoreUnavailableError
from graph.factory import open_store
from graph.schema import PRIMARY_LABELS, PROPERTY_INDEXES
from graph.settings import load_settings
from graph.store import GraphStore
from tests.support.neo4j_server import Neo4jConnection


def test_init_schema_creates_constraints_and_indexes(neo4j_store: GraphStore, neo4j_conn: Neo4jConnection) -> None:
    neo4j_store.init_schema()
    with neo4j.GraphDatabase.driver(neo4j_conn.uri, auth=(neo4j_conn.user, neo4j_conn.password)) as driver:
        constraints, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type")
        indexes, _, _ = driver.execute_query("SHOW INDEXES YIELD labelsOrTypes, properties")
    unique = {(r["labelsOrTypes"][0], tuple(r["properties"])) for r in constraints if r["type"] == "UNIQUENESS"}
    assert unique >= {(label.value, ("id",)) for label in PRIMARY_LABELS}
    indexed = {(r["labelsOrTypes"][0], tuple(r["properties"])) for r in indexes if r["labelsOrTypes"]}
    assert indexed >= {(label.value, (prop,)) for label, prop in PROPERTY_INDEXES}


def test_wrong_password_is_one_clear_error(neo4j_conn: Neo4jConnection, tmp_path: Path) -> None:
    settings = load_settings(
        graph_backend="neo4j",
        neo4j_uri=neo4j_conn.uri,
        neo4j_user=neo4j_conn.user,
        neo4j_password="definitely-wrong",
        data_dir=tmp_path,
    )
    with pytest.raises(StoreAuthError) as info:
        open_store(settings)
    assert neo4j_conn.uri in str(info.value) and "AUTOSCOPE_NEO4J_PASSWORD" in str(info.value)


def test_unreachable_server_names_the_uri(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"bolt://127.0.0.1:{port}"
    settings = load_settings(graph_backend="neo4j", neo4j_uri=uri, neo4j_connect_timeout=2, data_dir=tmp_path)
    with pytest.raises(StoreUnavailableError, match=f"Neo4j at {uri} is unreachable"):
        open_store(settings)
