"""Semantic search over claims and documents; every hit carries its evidence and source."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Request

from api.deps import SettingsDep, StoreDep
from api.schemas import ListResponse, Problem
from api.schemas_analytics import SearchHit
from graph.model import Claim, Document
from graph.schema import Label
from graph.settings import Settings
from ingest.search_index import Embed, SearchIndex, SearchIndexError, embedder

router = APIRouter(tags=["search"])
_lock = threading.Lock()
QUERY_CACHE = 1024


def _resources(request: Request, settings: Settings) -> tuple[SearchIndex, Embed]:
    """The index and the embedding model, loaded once per app (the model on first use: it takes seconds)."""
    state = request.app.state
    with _lock:
        if getattr(state, "search_index", None) is None:
            state.search_index = SearchIndex(settings.data_dir / "search")
        if getattr(state, "embed", None) is None:
            threads = max(1, (os.cpu_count() or 1) // settings.api_workers)
            state.embed = embedder(settings.embedding_model, threads)
        if getattr(state, "query_vectors", None) is None:
            state.query_vectors = OrderedDict()
    return state.search_index, state.embed


def _vector(request: Request, embed: Embed, q: str) -> np.ndarray:
    """The query's embedding, remembered for the most recent questions (dashboards repeat them)."""
    cache: OrderedDict[str, np.ndarray] = request.app.state.query_vectors
    with _lock:
        hit = cache.get(q)
        if hit is not None:
            cache.move_to_end(q)
            return hit
    vector = np.asarray(embed([q])[0])
    with _lock:
        cache[q] = vector
        while len(cache) > QUERY_CACHE:
            cache.popitem(last=False)
    return vector


@router.get(
    "/search",
    response_model=ListResponse[SearchHit],
    responses={422: {"model": Problem}, 503: {"model": Problem}},
)
def search(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=2, max_length=500, description="What to look for, in plain words")],
    kind: Annotated[Literal["claim", "document"] | None, Query(description="Only claims or only documents")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> ListResponse[SearchHit]:
    """Claims and documents nearest in meaning to `q` (embedding cosine similarity, re-ranked by the query's
    words and version numbers found in the text), each with its evidence and source."""
    index, embed = _resources(request, settings)
    try:
        found = index.search(_vector(request, embed, q), k=limit, kind=kind, query_text=q)
    except SearchIndexError as e:
        raise HTTPException(503, str(e)) from e
    claims = store.get_many(Label.CLAIM, [i for k, i, _ in found if k == "claim"])
    docs = store.get_many(Label.DOCUMENT, [i for k, i, _ in found if k == "document"])
    hits: list[SearchHit] = []
    for _, item_id, score in found:
        c, d = claims.get(item_id), docs.get(item_id)
        if isinstance(c, Claim):
            hits.append(SearchHit(kind="claim", id=c.id, score=round(score, 4), text=c.evidence_sentence,
                                  source_url=c.source_url, document=c.document_id, model=c.model_id,
                                  benchmark=c.benchmark_id, value=c.value, unit=c.unit.value,
                                  evidence_start=c.evidence_start, evidence_end=c.evidence_end))  # fmt: skip
        elif isinstance(d, Document):
            hits.append(SearchHit(kind="document", id=d.id, score=round(score, 4), text=d.title or d.id,
                                  source_url=d.url, document=d.id))  # fmt: skip
    return ListResponse[SearchHit](data=hits, next_cursor=None)
