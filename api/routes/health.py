"""Liveness and store reachability."""

from __future__ import annotations

import platform
from importlib.metadata import version

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import StoreDep
from api.schemas import Health, Stats
from graph.errors import GraphError

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(store: StoreDep) -> JSONResponse | Health:
    """Whether the graph store answers (503 when it does not), with the versions of the app, store and extractor."""
    from ingest.nlp.pipeline import EXTRACTOR_VERSION

    try:
        store.counts()
        store_version = store.server_info()
    except GraphError as e:
        body = Health(
            status="unavailable",
            backend=store.backend,
            store_reachable=False,
            version=version("autoscope"),
            detail=str(e),
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(
        status="ok",
        backend=store.backend,
        store_reachable=True,
        version=version("autoscope"),
        store_version=store_version,
        extractor_version=EXTRACTOR_VERSION,
        python=platform.python_version(),
    )


@router.get("/stats", response_model=Stats)
def stats(store: StoreDep) -> Stats:
    """Node counts by label and relationship counts by type."""
    counts = store.counts()
    return Stats(nodes=counts.nodes, relationships=counts.relationships)
