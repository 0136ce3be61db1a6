"""Analyst queries: read-only Cypher (``POST /query``, Neo4j only) and named queries (both backends)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.auth import KeyDep, ReadDep
from api.deps import SettingsDep, StoreDep
from api.query_guard import guarded_query
from api.schemas import ListResponse, Problem
from api.schemas_query import (
    CYPHER_EXAMPLES,
    NamedQueryInfo,
    NamedQueryRequest,
    ParameterProblem,
    QueryProblem,
    QueryRequest,
    QueryResponse,
)
from graph.queries import QUERIES, get_query

router = APIRouter(tags=["query"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": QueryProblem, "description": "Refused: not read-only, too long, too many rows ..."},
    401: {"model": Problem, "description": "No API key"},
    403: {"model": Problem, "description": "Wrong API key, or none configured"},
    501: {"model": Problem, "description": "The embedded backend cannot run Cypher"},
    504: {"model": QueryProblem, "description": "Ran longer than AUTOSCOPE_QUERY_TIMEOUT"},
}


@router.post(
    "/query",
    response_model=QueryResponse,
    responses=_RESPONSES,
)
def run_cypher(
    body: Annotated[QueryRequest, Body(openapi_examples=CYPHER_EXAMPLES)],
    store: StoreDep,
    settings: SettingsDep,
    _key: KeyDep,
) -> QueryResponse:
    """Run one read-only Cypher query (needs an API key and the Neo4j backend).

    The text is checked, then EXPLAINed: only a plan that reads is run, in a read-only session,
    with a timeout and caps on rows and bytes. More rows than `AUTOSCOPE_QUERY_MAX_ROWS` is
    refused (add `LIMIT`), never silently cut. Refusals are 400 with a `reason`.
    """
    result = guarded_query(store, body.cypher, body.params, settings)
    return QueryResponse(columns=result.columns, data=result.data, rows=result.rows)


@router.get("/queries", response_model=ListResponse[NamedQueryInfo], dependencies=[ReadDep])
def list_named_queries() -> ListResponse[NamedQueryInfo]:
    """The named queries, with their parameters; they run on both backends."""
    infos = [NamedQueryInfo.model_validate(q.as_dict()) for q in QUERIES.values()]
    return ListResponse[NamedQueryInfo](data=infos, next_cursor=None)


@router.post(
    "/queries/{name}",
    response_model=ListResponse[dict[str, Any]],
    dependencies=[ReadDep],
    responses={404: {"model": Problem}, 422: {"model": ParameterProblem}},
)
def run_named_query(
    name: str, store: StoreDep, body: Annotated[NamedQueryRequest | None, Body()] = None
) -> ListResponse[dict[str, Any]]:
    """Run a named query; a wrong parameter answers 422 naming it, an unknown name 404."""
    rows = get_query(name).execute(store, body.params if body else None)
    return ListResponse[dict[str, Any]](data=rows, next_cursor=None)
