"""The read-only guard for analysts' Cypher, against the real Neo4j server: every smuggling attempt
is refused with a reason and leaves the graph exactly as it was; reads, parameters and schema
introspection work; row, size, length and time limits hold."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.query_guard import check_params, check_plan, check_text, guarded_query, tokenize
from graph.embedded import EmbeddedStore
from graph.errors import QueryRejectedError, QueryTimeoutError, UnsupportedError
from graph.factory import open_store
from graph.settings import Settings, load_settings
from graph.store import CypherRunner, GraphStore
from ingest.curated import load_sample
from tests.conftest import neo4j_settings
from tests.support.neo4j_server import Neo4jConnection


@pytest.fixture(scope="module")
def graph(neo4j_conn: Neo4jConnection, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """The sample in Neo4j, loaded once for the module (every test here only reads)."""
    store = open_store(neo4j_settings(neo4j_conn, tmp_path_factory.mktemp("guard")))
    store.clear()
    store.init_schema()
    load_sample(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def before(graph: GraphStore) -> str:
    return fingerprint(graph)


@pytest.fixture
def limits(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data")


def fingerprint(store: GraphStore) -> str:
    """Every node and relationship with labels, type and properties, hashed (any write changes it)."""
    assert isinstance(store, CypherRunner)
    nodes = "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props ORDER BY id"
    rels = "MATCH ()-[r]->() RETURN elementId(r) AS id, type(r) AS type, properties(r) AS props ORDER BY id"
    dump = [store.run_read(q, {}, 60, 1_000_000, 10**9).rows for q in (nodes, rels)]
    assert dump[0] and dump[1]
    return hashlib.sha256(json.dumps(dump, sort_keys=True).encode()).hexdigest()


WRITE_ATTEMPTS = {
    "create": ("CREATE (:Injected {x: 1})", "write", "CREATE"),
    "merge": ("MERGE (:Injected {x: 1})", "write", "MERGE"),
    "set": ("MATCH (c:Claim) SET c.value = -1", "write", "SET"),
    "delete": ("MATCH (c:Claim) DELETE c", "write", "DELETE"),
    "detach-delete": ("MATCH (n) DETACH DELETE n", "write", "DETACH"),
    "remove": ("MATCH (c:Claim) REMOVE c.value", "write", "REMOVE"),
    "insert": ("INSERT (:Injected)", "write", "INSERT"),
    "lowercase": ("match (c:Claim) set c.value = -1", "write", "SET"),
    "after-line-comment": ("MATCH (n) // harmless\nCREATE (:Injected)", "write", "CREATE"),
    "after-cr-comment": ("MATCH (n) RETURN n // harmless\rCREATE (:Injected)", "write", "CREATE"),
    "between-block-comments": ("MATCH (n) /* harmless */ CREATE /* x */ (:Injected)", "write", "CREATE"),
    "in-subquery": ("MATCH (n) CALL { CREATE (:Injected) } RETURN count(n)", "write", "CREATE"),
    "in-subquery-returning": ("CALL { CREATE (x:Injected) RETURN x } RETURN x", "write", "CREATE"),
    "in-foreach": ("FOREACH (x IN [1] | CREATE (:Injected))", "write", "FOREACH"),
    "in-transactions": (
        "UNWIND [1] AS i CALL { MATCH (c:Claim) RETURN c } IN TRANSACTIONS OF 10 ROWS RETURN count(*)",
        "write",
        "IN TRANSACTIONS",
    ),
    "fullwidth": ("ＣＲＥＡＴＥ (:Injected)", "write", "normalising"),
    "zero-width": ("CRE\u200bATE (:Injected)", "write", "normalising"),
    "fullwidth-in-subquery": ("MATCH (n) CALL { ＭＥＲＧＥ (:Injected) } RETURN 1", "write", "MERGE"),
    "two-statements": ("MATCH (n) RETURN n; CREATE (:Injected)", "multiple_statements", "more than one statement"),
    "two-statements-after-string": ("RETURN 'a;'; CREATE (:Injected)", "multiple_statements", "statement"),
    "load-csv": ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "load_csv", "LOAD CSV"),
    "load-csv-url": ("LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:1/x.csv' AS r RETURN r", "load_csv", "LOAD CSV"),
    "dbms-config": ("CALL dbms.listConfig()", "procedure", "dbms.listConfig"),
    "dbms-config-backticks": ("CALL `dbms`.`listConfig`() YIELD name RETURN name", "procedure", "dbms.listConfig"),
    "dbms-security": ("CALL dbms.security.createUser('eve', 'secret-password', false)", "procedure", "dbms.security"),
    "db-side-effects": ("CALL db.clearQueryCaches()", "procedure", "db.clearQueryCaches"),
    "db-stats": ("CALL db.stats.collect('QUERIES')", "procedure", "db.stats.collect"),
    "apoc-run-write": ("CALL apoc.cypher.runWrite('CREATE (:Injected)', {})", "apoc", "APOC"),
    "apoc-load-json": ("CALL apoc.load.json('file:///etc/passwd') YIELD value RETURN value", "apoc", "APOC"),
    "apoc-function": ("RETURN apoc.text.join(['a', 'b'], ',') AS x", "apoc", "APOC"),
    "unknown-function": ("RETURN custom.fn(1) AS x", "function", "custom.fn"),
    "use": ("USE system MATCH (n) RETURN n", "use", "USE"),
    "show": ("SHOW INDEXES", "admin", "SHOW"),
    "show-users": ("SHOW USERS", "admin", "SHOW"),
    "create-database": ("CREATE DATABASE evil", "admin", "CREATE DATABASE"),
    "create-index": ("CREATE INDEX evil IF NOT EXISTS FOR (n:Claim) ON (n.value)", "admin", "CREATE INDEX"),
    "drop-constraint": ("DROP CONSTRAINT claim_id", "admin", "DROP"),
    "grant": ("GRANT ROLE admin TO eve", "admin", "GRANT"),
    "alter-user": ("ALTER CURRENT USER SET PASSWORD FROM 'a' TO 'b'", "admin", "ALTER"),
    "stop-database": ("STOP DATABASE neo4j", "admin", "STOP"),
    "terminate": ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "admin", "TERMINATE"),
    "explain-prefix": ("EXPLAIN MATCH (n) RETURN n", "explain", "EXPLAIN"),
    "profile-write": ("PROFILE CREATE (:Injected)", "explain", "PROFILE"),
    "cypher-options": ("CYPHER runtime=slotted MATCH (n) RETURN count(n)", "options", "CYPHER"),
}


@pytest.mark.parametrize("name", WRITE_ATTEMPTS)
def test_smuggled_writes_and_commands_are_refused_and_nothing_changes(
    name: str, graph: GraphStore, before: str, limits: Settings
) -> None:
    text, reason, named = WRITE_ATTEMPTS[name]
    with pytest.raises(QueryRejectedError) as refused:
        guarded_query(graph, text, {}, limits)
    assert refused.value.reason == reason
    assert named in str(refused.value)
    assert str(refused.value).startswith("refused: ")
    assert fingerprint(graph) == before


PLANNED_WRITES = [
    "CREATE (:Injected)",
    "MERGE (:Injected {x: 1})",
    "MATCH (c:Claim) SET c.value = -1",
    "MATCH (c:Claim) REMOVE c.value",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n) CALL { CREATE (:Injected) } RETURN count(n)",
    "FOREACH (x IN [1] | CREATE (:Injected))",
    "UNWIND [1] AS i CALL { CREATE (:Injected) } IN TRANSACTIONS RETURN i",
]


@pytest.mark.parametrize("text", PLANNED_WRITES)
def test_each_later_layer_refuses_writes_on_its_own(text: str, graph: GraphStore, before: str) -> None:
    """Even if the text checks missed one: the plan check refuses, and so does the read-only session."""
    assert isinstance(graph, CypherRunner)
    with pytest.raises(QueryRejectedError) as by_plan:
        check_plan(graph.explain(text, {}))
    assert by_plan.value.reason == "write"
    with pytest.raises(QueryRejectedError) as by_session:
        graph.run_read(text, {}, 10, 10, 100_000)
    assert by_session.value.reason == "write" and "read access mode" in str(by_session.value)
    assert fingerprint(graph) == before


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "load_csv"),
        ("CALL dbms.listConfig()", "procedure"),
        ("CALL db.clearQueryCaches()", "procedure"),
        ("SHOW TRANSACTIONS", "admin"),
    ],
)
def test_plan_check_refuses_reads_a_read_only_session_would_allow(text: str, reason: str, graph: GraphStore) -> None:
    """A read-access session does not stop these (they are not writes): the plan check does."""
    assert isinstance(graph, CypherRunner)
    with pytest.raises(QueryRejectedError) as refused:
        check_plan(graph.explain(text, {}))
    assert refused.value.reason == reason


@pytest.mark.parametrize("text", ["ＣＲＥＡＴＥ (:Injected)", "CRE\u200bATE (:Injected)", "MATCH (n) RETURN n ；"])
def test_neo4j_itself_rejects_lookalikes_as_syntax_errors(text: str, graph: GraphStore, before: str) -> None:
    assert isinstance(graph, CypherRunner)
    with pytest.raises(QueryRejectedError) as refused:
        graph.explain(text, {})
    assert refused.value.reason == "syntax"
    assert fingerprint(graph) == before


def test_reads_parameters_and_schema_introspection_work(graph: GraphStore, limits: Settings) -> None:
    labels = guarded_query(graph, "CALL db.labels() YIELD label RETURN label ORDER BY label", None, limits)
    assert {"Claim", "Benchmark", "Model"} <= {row["label"] for row in labels.data}
    assert guarded_query(graph, "CALL db.schema.visualization()", None, limits).rows == 1
    found = guarded_query(
        graph,
        "MATCH (c:Claim)-[:ON_BENCHMARK]->(:Benchmark {id: $benchmark}) // the frontier's raw material\n"
        "WHERE c.superseded_at IS NULL /* current only */ AND c.value >= $floor\n"
        "RETURN c.id AS id, c.value AS value, c.reported_date AS date ORDER BY date;",
        {"benchmark": "swe-bench-verified", "floor": 50},
        limits,
    )
    assert found.columns == ["id", "value", "date"]
    assert found.rows >= 3 and all(row["value"] >= 50 for row in found.data)
    assert all(len(str(row["date"])) == 10 and str(row["date"])[4] == "-" for row in found.data)
    literal = guarded_query(graph, "RETURN 'a;' AS x, \"CREATE // not a comment\" AS y", None, limits)
    assert literal.data == [{"x": "a;", "y": "CREATE // not a comment"}]


def test_string_literals_with_keywords_and_semicolons_stay_allowed(graph: GraphStore, limits: Settings) -> None:
    result = guarded_query(
        graph, "WITH {set: 'CREATE (x); DELETE'} AS m RETURN 'a;' AS a, m.set AS b, 'it\\'s' AS c", None, limits
    )
    assert result.data == [{"a": "a;", "b": "CREATE (x); DELETE", "c": "it's"}]


def test_graph_values_become_json(graph: GraphStore, limits: Settings) -> None:
    result = guarded_query(
        graph,
        "MATCH p = (c:Claim)-[r:ON_BENCHMARK]->(b:Benchmark {id: 'swe-bench-verified'}) "
        "RETURN c, r, b, p, c.reported_date AS day, c.recorded_at AS at, duration('P1DT2H') AS d, "
        "point({x: 1.5, y: 2}) AS pt LIMIT 1",
        None,
        limits,
    )
    row = result.data[0]
    assert row["c"]["labels"] == ["Claim"] and row["c"]["properties"]["benchmark_id"] == "swe-bench-verified"
    assert row["r"]["type"] == "ON_BENCHMARK"
    assert (row["r"]["start"], row["r"]["end"]) == (row["c"]["id"], row["b"]["id"])
    assert [n["id"] for n in row["p"]["nodes"]] == [row["c"]["id"], row["b"]["id"]]
    assert row["p"]["relationships"][0]["type"] == "ON_BENCHMARK"
    assert row["day"] == row["c"]["properties"]["reported_date"] and len(row["day"]) == 10
    assert row["at"].startswith("20") and "T" in row["at"]
    assert row["d"] == "P1DT2H" and row["pt"] == {"srid": 7203, "x": 1.5, "y": 2.0}
    json.dumps(result.data, allow_nan=False)


def test_too_many_rows_is_refused_not_cut(graph: GraphStore, tmp_path: Path) -> None:
    limits = load_settings(data_dir=tmp_path, query_max_rows=5)
    with pytest.raises(QueryRejectedError) as refused:
        guarded_query(graph, "MATCH (c:Claim) RETURN c.id", None, limits)
    assert refused.value.reason == "too_many_rows"
    assert "more than 5 rows" in str(refused.value) and "LIMIT" in str(refused.value)
    assert guarded_query(graph, "MATCH (c:Claim) RETURN c.id LIMIT 5", None, limits).rows == 5


def test_too_large_an_answer_is_refused(graph: GraphStore, tmp_path: Path) -> None:
    limits = load_settings(data_dir=tmp_path, query_max_bytes=2048)
    with pytest.raises(QueryRejectedError) as refused:
        guarded_query(graph, "MATCH (c:Claim) RETURN c LIMIT 100", None, limits)
    assert refused.value.reason == "too_large" and "2048 bytes" in str(refused.value)
    assert guarded_query(graph, "MATCH (c:Claim) RETURN count(c) AS n", None, limits).rows == 1


def test_oversized_query_and_parameters_are_refused_before_sending(graph: GraphStore, tmp_path: Path) -> None:
    limits = load_settings(data_dir=tmp_path, query_max_length=100)
    long_query = "MATCH (n) WHERE n.id IN [" + ", ".join(f"'{i}'" for i in range(40)) + "] RETURN n"
    with pytest.raises(QueryRejectedError) as refused:
        guarded_query(graph, long_query, None, limits)
    assert refused.value.reason == "too_long" and "AUTOSCOPE_QUERY_MAX_LENGTH" in str(refused.value)
    with pytest.raises(QueryRejectedError) as big_params:
        guarded_query(graph, "RETURN $ids AS ids", {"ids": ["x" * 50] * 40}, limits)
    assert big_params.value.reason == "params_too_long"
    for bad in ({"not an identifier": 1}, {"x": float("nan")}):
        with pytest.raises(QueryRejectedError) as refused_params:
            guarded_query(graph, "RETURN 1 AS one", bad, limits)
        assert refused_params.value.reason == "params"
    for empty in ("", "   ", "// only a comment", "/* nothing */"):
        with pytest.raises(QueryRejectedError) as nothing:
            guarded_query(graph, empty, None, limits)
        assert nothing.value.reason == "empty"


def test_a_query_that_runs_too_long_is_stopped(graph: GraphStore, tmp_path: Path) -> None:
    limits = load_settings(data_dir=tmp_path, query_timeout=1)
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError) as stopped:
        guarded_query(
            graph,
            "UNWIND range(1, 100000000) AS a UNWIND range(1, 100000000) AS b RETURN count(*) AS n",
            None,
            limits,
        )
    assert time.monotonic() - started < 30
    assert "AUTOSCOPE_QUERY_TIMEOUT" in str(stopped.value) and stopped.value.reason == "timeout"


def test_neo4j_errors_become_query_errors(graph: GraphStore, limits: Settings) -> None:
    with pytest.raises(QueryRejectedError) as syntax:
        guarded_query(graph, "MATCH (n RETURN n", None, limits)
    assert syntax.value.reason == "syntax" and "column 10" in str(syntax.value)  # not shifted by EXPLAIN
    with pytest.raises(QueryRejectedError) as runtime:
        guarded_query(graph, "RETURN 1 / 0 AS x", None, limits)
    assert runtime.value.reason == "invalid" and "by zero" in str(runtime.value)
    with pytest.raises(QueryRejectedError) as missing:
        guarded_query(graph, "RETURN $x AS x", None, limits)
    assert missing.value.reason == "params"


def test_embedded_store_cannot_run_cypher(embedded_store: EmbeddedStore, limits: Settings) -> None:
    with pytest.raises(UnsupportedError, match="AUTOSCOPE_GRAPH_BACKEND=neo4j"):
        guarded_query(embedded_store, "MATCH (n) RETURN n", None, limits)


# -- the text layer alone (no server) ------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "RETURN '// not a comment' AS a, 'it\\'s' AS b",
        'RETURN "a /* b */ c" AS s',
        "MATCH (n:`CREATE`) RETURN n.set, n.`delete`, $merge",
        "MATCH (n) WHERE n.name STARTS WITH 'SET' RETURN n {.id, create: 1}",
        "RETURN date.truncate('month', date()) AS m, point.distance(point({x: 0, y: 0}), point({x: 1, y: 1})) AS d",
        "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey",
        "MATCH (n) RETURN n;  // one statement, a trailing semicolon",
        "WITH 1 AS use RETURN use",
    ],
)
def test_text_checks_allow_keywords_that_are_not_clauses(text: str) -> None:
    check_text(text, 10_000)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("RETURN 'unterminated", "syntax"),
        ("MATCH (n) /* unterminated", "syntax"),
        ("MATCH (`unterminated) RETURN 1", "syntax"),
        ("RETURN 1 ; RETURN 2", "multiple_statements"),
        ("MATCH (n) RETURN n UNION USE system MATCH (m) RETURN m", "use"),
        ("CALL db.index.fulltext.queryNodes('x', 'y')", "procedure"),
        ("CALL custom.proc", "procedure"),
    ],
)
def test_text_checks_refuse(text: str, reason: str) -> None:
    with pytest.raises(QueryRejectedError) as refused:
        check_text(text, 10_000)
    assert refused.value.reason == reason


def test_tokenizer_keeps_strings_and_quoted_names_apart() -> None:
    kinds = [(t.kind, t.text) for t in tokenize("MATCH (`a``b`) // x\nRETURN 'c\\'d' /* e */ AS f")]
    assert kinds == [
        ("word", "MATCH"),
        ("punct", "("),
        ("quoted", "a`b"),
        ("punct", ")"),
        ("word", "RETURN"),
        ("string", "'c\\'d'"),
        ("word", "AS"),
        ("word", "f"),
    ]
    assert check_params(None, 100) == {}
