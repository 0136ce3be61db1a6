"""Models and documents, each with the claims (and milestones or signals) attached to them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.deps import StoreDep
from api.schemas import ClaimOut, DocumentOut, MilestoneOut, ModelDetail, Problem, Ref
from graph.analytics.events import list_events
from graph.model import Milestone, Model, Organization
from graph.schema import Label, RelType
from graph.store import ClaimQuery

router = APIRouter(tags=["entities"])
ERRORS: dict[int | str, dict[str, object]] = {404: {"model": Problem}, 422: {"model": Problem}}
AsOf = Annotated[date | None, Query(description="Record time: what the graph believed at the end of this day")]
MAX_CLAIMS = 1000


@router.get("/models/{model_id}", response_model=ModelDetail, responses=ERRORS)
def get_model(model_id: str, store: StoreDep, as_of: AsOf = None) -> ModelDetail:
    """A model with its organisation, its current claims (newest first, up to 1,000) and its milestones."""
    model = store.get(Label.MODEL, model_id)
    if not isinstance(model, Model):
        raise HTTPException(404, f"no model with id {model_id!r}")
    org = store.get(Label.ORGANIZATION, model.organization_id) if model.organization_id else None
    claims = store.list_claims(ClaimQuery(model_id=model_id, as_of=as_of, descending=True), limit=MAX_CLAIMS).items
    milestones = [m for m in list_events(store, Label.MILESTONE, as_of=as_of) if isinstance(m, Milestone)
                  and m.model_id == model_id]  # fmt: skip
    return ModelDetail(
        id=model.id, name=model.name, aliases=model.aliases,
        organization=Ref(id=org.id, name=org.name) if isinstance(org, Organization) else None,
        release_date=model.release_date, open_weights=model.open_weights, verified=model.verified,
        claims=[ClaimOut.of(c) for c in claims], milestones=[MilestoneOut.of(m) for m in milestones],
    )  # fmt: skip


@router.get("/documents/{document_id:path}", response_model=DocumentOut, responses=ERRORS)
def get_document(document_id: str, store: StoreDep, as_of: AsOf = None) -> DocumentOut:
    """A paper, announcement or page with the claims it reports and the signals that rest on it.

    Document ids contain colons and slashes (``arxiv:2410.07095``, ``url:https://...``): send them as they are.
    """
    found = store.document_with_claims(document_id, as_of=as_of)
    if found is None:
        raise HTTPException(404, f"no document with id {document_id!r}")
    signals = [n for n in store.neighbours(Label.DOCUMENT, document_id, RelType.BASED_ON) if n.direction == "in"]
    return DocumentOut.of(found.document, found.claims, [Ref(id=n.id, name=n.name) for n in signals])
