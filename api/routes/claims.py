"""Benchmark claims with their provenance."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import StoreDep
from api.schemas import ClaimOut, ListResponse, Problem
from graph.model import Claim, SourceKind
from graph.schema import Label
from graph.store import ClaimQuery

router = APIRouter(tags=["claims"])


@router.get(
    "/claims", response_model=ListResponse[ClaimOut], responses={400: {"model": Problem}, 422: {"model": Problem}}
)
def list_claims(
    store: StoreDep,
    benchmark: Annotated[str | None, Query(max_length=200, description="Benchmark id")] = None,
    include_variants: bool = False,
    model: Annotated[str | None, Query(max_length=200, description="Model id")] = None,
    organization: Annotated[str | None, Query(max_length=200, description="Organization id")] = None,
    source_kind: SourceKind | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    as_of: Annotated[
        date | None, Query(description="Record time: what the graph believed at the end of this day")
    ] = None,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ListResponse[ClaimOut]:
    """Claims filtered and sorted by report date, with cursor pagination."""
    query = ClaimQuery(
        benchmark_id=benchmark,
        include_variants=include_variants,
        model_id=model,
        organization_id=organization,
        source_kind=source_kind,
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        descending=order == "desc",
    )
    page = store.list_claims(query, limit=limit, cursor=cursor)
    return ListResponse[ClaimOut](data=[ClaimOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/claims/{claim_id}", response_model=ClaimOut, responses={404: {"model": Problem}})
def get_claim(claim_id: str, store: StoreDep) -> ClaimOut:
    """One claim with its evidence sentence, offsets and extractor version."""
    claim = store.get(Label.CLAIM, claim_id)
    if not isinstance(claim, Claim):
        raise HTTPException(404, f"no claim with id {claim_id!r}")
    return ClaimOut.of(claim)
