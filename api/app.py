"""create_app(settings): the FastAPI application; the lifespan opens the store once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI

from api import problems
from api.routes import claims, health
from graph.factory import open_store
from graph.settings import Settings
from graph.store import GraphStore


def create_app(settings: Settings, store: GraphStore | None = None) -> FastAPI:
    """Build the app. Pass ``store`` to share an already open store (tests, ``autoscope up``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else open_store(settings)
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="autoscope",
        version=version("autoscope"),
        summary="Evidence of AI R&D automation: benchmark claims with provenance, from a knowledge graph.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    problems.install(app)
    app.include_router(health.router)
    app.include_router(claims.router)
    return app
