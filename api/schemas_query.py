"""Public request and response models of the analyst-query endpoints (``/query``, ``/queries``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Problem

CYPHER_EXAMPLES: dict[str, dict[str, Any]] = {
    "frontier": {
        "summary": "Claims on a benchmark with their models",
        "value": {
            "cypher": "MATCH (c:Claim)-[:ON_BENCHMARK]->(:Benchmark {id: $benchmark}), (c)-[:OF_MODEL]->(m:Model)\n"
            "WHERE c.superseded_at IS NULL\n"
            "RETURN c.reported_date AS date, m.name AS model, c.value AS value, c.source_url AS source\n"
            "ORDER BY date LIMIT 100",
            "params": {"benchmark": "swe-bench-verified"},
        },
    },
    "counts": {
        "summary": "Claims per organisation",
        "value": {
            "cypher": "MATCH (c:Claim)-[:OF_MODEL]->(:Model)-[:DEVELOPED_BY]->(o:Organization)\n"
            "RETURN o.name AS organization, count(c) AS claims ORDER BY claims DESC",
            "params": {},
        },
    },
    "schema": {
        "summary": "The graph's labels (schema introspection is allowed)",
        "value": {"cypher": "CALL db.labels() YIELD label RETURN label ORDER BY label", "params": {}},
    },
}


class QueryRequest(BaseModel):
    """One read-only Cypher query and its parameters."""

    model_config = ConfigDict(extra="forbid")

    cypher: str = Field(
        ...,
        max_length=1_000_000,
        description="One read-only Cypher statement (no writes, LOAD CSV, USE, commands or procedures "
        "other than db.labels/relationshipTypes/propertyKeys/schema.*). Longer than "
        "AUTOSCOPE_QUERY_MAX_LENGTH is refused.",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Query parameters (`$name` in the text) as JSON values."
    )


class QueryResponse(BaseModel):
    """The rows of an analyst query: every row as an object keyed by column."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "columns": ["date", "model", "value"],
                "data": [{"date": "2024-10-22", "model": "Claude 3.5 Sonnet (new)", "value": 49.0}],
                "rows": 1,
            }
        }
    )

    columns: list[str] = Field(description="Column names, in RETURN order.")
    data: list[dict[str, Any]] = Field(
        description="One object per row. Nodes are {id, labels, properties}, relationships {id, type, start, end, "
        "properties} (ids are Neo4j element ids; our key is properties.id), paths {nodes, relationships}, "
        "dates and times ISO-8601 text, points {srid, x, y[, z]}."
    )
    rows: int = Field(description="Number of rows; never more than AUTOSCOPE_QUERY_MAX_ROWS (more is refused).")


class QueryProblem(Problem):
    """A refused or failed query: ``reason`` is a short code (write, procedure, too_many_rows, timeout ...)."""

    reason: str | None = None


class ParameterProblem(Problem):
    """A named query's parameter is wrong: ``parameter`` names it."""

    parameter: str | None = None


class NamedQueryRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"example": {"params": {"benchmark": "swe-bench-verified"}}}
    )

    params: dict[str, Any] = Field(default_factory=dict, description="The query's parameters (see GET /queries).")


class ParamSpec(BaseModel):
    name: str
    type: str = Field(description="str, int, float, bool or date (YYYY-MM-DD).")
    required: bool
    default: Any = None
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: list[str] | None = None


class NamedQueryInfo(BaseModel):
    """A named query: what it answers, its parameters and (for some) a Cypher equivalent for /query."""

    name: str
    description: str
    params: list[ParamSpec]
    cypher: str | None = Field(None, description="A read-only Cypher starting point to copy into /query.")
