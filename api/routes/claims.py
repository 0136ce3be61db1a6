"""Benchmark claims with their provenance, and the review queue."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from api.auth import KeyDep, ReadDep
from api.deps import StoreDep
from api.fast import fast_json
from api.review import ReviewConflictError, review_claim
from api.schemas import (
    ClaimDetail,
    ClaimOut,
    ListResponse,
    Problem,
    ReviewOut,
    ReviewRequest,
    ReviewResult,
    claim_json,
)
from graph.model import Claim, Document, Review, SourceKind
from graph.schema import Label, RelType
from graph.store import ClaimQuery

router = APIRouter(tags=["claims"])
ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": Problem}, 404: {"model": Problem}, 422: {"model": Problem}
}  # fmt: skip


@router.get("/claims", response_model=ListResponse[ClaimOut], responses=ERRORS, dependencies=[ReadDep])
def list_claims(
    store: StoreDep,
    benchmark: Annotated[str | None, Query(max_length=200, description="Benchmark id")] = None,
    include_variants: bool = False,
    model: Annotated[str | None, Query(max_length=200, description="Model id")] = None,
    organization: Annotated[str | None, Query(max_length=200, description="Organization id")] = None,
    document: Annotated[str | None, Query(max_length=2000, description="Document id")] = None,
    source_kind: SourceKind | None = None,
    setting: Annotated[str | None, Query(max_length=500, description="Exactly this setting")] = None,
    needs_review: Annotated[bool | None, Query(description="Only flagged (true) or unflagged (false) claims")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="Reported on or after")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Reported on or before")] = None,
    as_of: Annotated[
        date | None, Query(description="Record time: what the graph believed at the end of this day")
    ] = None,
    include_superseded: Annotated[bool, Query(description="Also claims later superseded")] = False,
    order: Annotated[str, Query(pattern="^(asc|desc)$", description="By report date")] = "asc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Claims filtered and sorted by report date, with cursor pagination."""
    query = ClaimQuery(
        benchmark_id=benchmark, include_variants=include_variants, model_id=model, organization_id=organization,
        document_id=document, source_kind=source_kind, setting=setting, needs_review=needs_review,
        date_from=date_from, date_to=date_to, as_of=as_of, include_superseded=include_superseded,
        descending=order == "desc",
    )  # fmt: skip
    page = store.list_claims(query, limit=limit, cursor=cursor)
    return fast_json({"data": [claim_json(c) for c in page.items], "next_cursor": page.next_cursor})


@router.get("/claims/{claim_id}", response_model=ClaimDetail, responses=ERRORS, dependencies=[ReadDep])
def get_claim(claim_id: str, store: StoreDep) -> ClaimDetail:
    """One claim with full provenance: document, evidence sentence with offsets, extractor version,
    the claims it supersedes and is superseded by, and its reviews."""
    claim = store.get(Label.CLAIM, claim_id)
    if not isinstance(claim, Claim):
        raise HTTPException(404, f"no claim with id {claim_id!r}")
    links = store.neighbours(Label.CLAIM, claim_id, limit=1000)
    doc = store.get(Label.DOCUMENT, claim.document_id)
    review_ids = [n.id for n in links if n.rel is RelType.REVIEWS]
    reviews = sorted((r for r in store.get_many(Label.REVIEW, review_ids).values() if isinstance(r, Review)),
                     key=lambda r: r.recorded_at)  # fmt: skip
    return ClaimDetail(
        **ClaimOut.of(claim).model_dump(),
        document_title=doc.title if isinstance(doc, Document) else None,
        document_kind=doc.kind.value if isinstance(doc, Document) else None,
        supersedes=[n.id for n in links if n.rel is RelType.SUPERSEDES and n.direction == "out"],
        superseded_by=[n.id for n in links if n.rel is RelType.SUPERSEDES and n.direction == "in"],
        reviews=[ReviewOut.of(r) for r in reviews],
    )


@router.get("/review", response_model=ListResponse[ClaimOut], responses=ERRORS, dependencies=[ReadDep], tags=["review"])
def review_queue(
    store: StoreDep,
    benchmark: Annotated[str | None, Query(max_length=200, description="Benchmark id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ListResponse[ClaimOut]:
    """Current claims flagged needs_review (low extraction confidence) and not yet reviewed, newest first."""
    query = ClaimQuery(benchmark_id=benchmark, needs_review=True, reviewed=False, descending=True)
    page = store.list_claims(query, limit=limit, cursor=cursor)
    return ListResponse[ClaimOut](data=[ClaimOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.post(
    "/claims/{claim_id}/review",
    response_model=ReviewResult,
    responses={**ERRORS, 401: {"model": Problem}, 403: {"model": Problem}, 409: {"model": Problem}},
    tags=["review"],
)
def post_review(claim_id: str, body: ReviewRequest, store: StoreDep, _key: KeyDep) -> ReviewResult:
    """Accept, reject or correct a claim (API key required). A correction supersedes the claim with a corrected
    copy; nothing is overwritten. The decision is recorded with the reviewer and the time."""
    try:
        outcome = review_claim(store, claim_id, body.action, body.reviewer, body.note,
                               body.correction.model_dump() if body.correction else None)  # fmt: skip
    except ReviewConflictError as e:
        raise HTTPException(409, str(e)) from e
    return ReviewResult(
        claim=ClaimOut.of(outcome.claim),
        review=ReviewOut.of(outcome.review),
        corrected_claim=ClaimOut.of(outcome.corrected) if outcome.corrected else None,
    )
