"""Milestones, signals, the automation index, conflicts and reporting gaps."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.cache import cached_json
from api.deps import StoreDep
from api.pages import page_of
from api.schemas import ListResponse, MilestoneOut, Problem, SignalOut
from api.schemas_analytics import ConflictOut, GapOut, IndexOut
from graph.analytics.conflicts import conflicts, reporting_gaps
from graph.analytics.events import list_events
from graph.analytics.index import automation_index
from graph.analytics.select import Filters
from graph.model import Milestone, Signal
from graph.schema import Label
from graph.store import GraphStore

router = APIRouter(tags=["analysis"])
ERRORS: dict[int | str, dict[str, object]] = {400: {"model": Problem}, 422: {"model": Problem}}
AsOf = Annotated[
    date | None, Query(description="Record time: what the graph believed at the end of this day (recomputed)")
]
Limit = Annotated[int, Query(ge=1, le=1000)]
CursorQ = Annotated[str | None, Query(max_length=500)]
Since = Annotated[date | None, Query(description="Dated on or after")]
Until = Annotated[date | None, Query(description="Dated on or before")]
KindQ = Annotated[str | None, Query(max_length=100, description="Only this kind")]


@router.get("/milestones", response_model=ListResponse[MilestoneOut], responses=ERRORS)
def get_milestones(
    request: Request,
    store: StoreDep,
    since: Since = None,
    until: Until = None,
    kind: KindQ = None,
    benchmark: Annotated[str | None, Query(max_length=200)] = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: CursorQ = None,
) -> Response:
    """Milestones (new records, thresholds, human baselines, horizons), newest first, with their evidence."""
    return cached_json(request, store, lambda: _events_page(store, Label.MILESTONE, limit, cursor, since=since,
                                                            until=until, kind=kind, benchmark_id=benchmark,
                                                            as_of=as_of))  # fmt: skip


@router.get("/signals", response_model=ListResponse[SignalOut], responses=ERRORS)
def get_signals(
    request: Request,
    store: StoreDep,
    since: Since = None,
    until: Until = None,
    kind: KindQ = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: CursorQ = None,
) -> Response:
    """Automation signals, extracted from text and computed from the claims, newest first."""
    return cached_json(request, store, lambda: _events_page(store, Label.SIGNAL, limit, cursor, since=since,
                                                            until=until, kind=kind, as_of=as_of))  # fmt: skip


def _events_page(store: GraphStore, label: Label, limit: int, cursor: str | None, **filters: Any) -> dict[str, object]:
    """One page of milestones or signals (newest first) in their public shape."""
    found: list[Milestone | Signal] = list(list_events(store, label, **filters))
    page, nxt = page_of(found, lambda n: (n.date.isoformat(), n.id), limit, cursor, descending=True)
    data = [MilestoneOut.of(n) if isinstance(n, Milestone) else SignalOut.of(n) for n in page]
    return {"data": [d.model_dump(mode="json") for d in data], "next_cursor": nxt}


@router.get("/index", response_model=IndexOut, responses=ERRORS)
def get_index(
    request: Request,
    store: StoreDep,
    as_of: AsOf = None,
    at: Annotated[date | None, Query(description="Valid time: only results reported by this day")] = None,
) -> Response:
    """The AI R&D automation index: per-area progress to automation-ready thresholds, forecasts, composite."""
    return cached_json(request, store, lambda: automation_index(store, as_of=as_of, at=at).as_dict())


@router.get("/conflicts", response_model=ListResponse[ConflictOut], responses=ERRORS)
def get_conflicts(
    request: Request,
    store: StoreDep,
    benchmark: Annotated[str | None, Query(max_length=200)] = None,
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: CursorQ = None,
) -> Response:
    """The same model, benchmark and setting reported with different values in different documents."""

    def compute() -> dict[str, object]:
        found = conflicts(store, Filters(as_of=as_of), benchmark)
        keyed = [(f"{i:08d}", c) for i, c in enumerate(found)]
        page, nxt = page_of(keyed, lambda pair: (pair[0], pair[1].benchmark_id), limit, cursor)
        return {"data": [c.as_dict() for _, c in page], "next_cursor": nxt}

    return cached_json(request, store, compute)


@router.get("/conflicts/gaps", response_model=ListResponse[GapOut], responses=ERRORS)
def get_gaps(request: Request, store: StoreDep, as_of: AsOf = None) -> Response:
    """Self-reported minus independent results per organisation, in percentage points."""
    return cached_json(request, store, lambda: {
        "data": [g.as_dict() for g in reporting_gaps(store, Filters(as_of=as_of))], "next_cursor": None,
    })  # fmt: skip
