"""create_app(settings): the FastAPI application; the lifespan opens the store once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import problems
from api.auth import ReadDep
from api.cache import ResponseCache
from api.routes import analysis, benchmarks, claims, entities, health, query, search
from api.routes import digest as digest_routes
from graph.analytics.config import use_file as use_analytics_file
from graph.factory import open_store
from graph.settings import Settings, load_settings
from graph.store import GraphStore

DESCRIPTION = """
Evidence of AI R&D automation from a knowledge graph of benchmark claims, each traceable to
its source sentence. Read endpoints are open unless `AUTOSCOPE_API_READ_AUTH` is set; write
endpoints and `/query` need an API key (`X-API-Key` header or `Authorization: Bearer`). Lists
answer `{"data": [...], "next_cursor": ...}`; errors are RFC 7807 `application/problem+json`.
"""


def create_app(settings: Settings, store: GraphStore | None = None) -> FastAPI:
    """Build the app. Pass ``store`` to share an already open store (tests, ``autoscope up``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # Request handlers run in this pool: a few threads per process keep a CPU-bound Python
        # server from thrashing the GIL, while still overlapping waits on Neo4j.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
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
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    use_analytics_file(settings.analytics_file)
    app.state.response_cache = ResponseCache(settings.api_cache_entries)
    problems.install(app)
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type", "Accept"],
        )
    app.include_router(health.router)
    app.include_router(claims.router)
    for router in (benchmarks.router, entities.router, analysis.router, search.router):
        app.include_router(router, dependencies=[ReadDep])
    app.include_router(digest_routes.router, dependencies=[ReadDep])
    app.include_router(query.router)
    return app


def app_from_environment() -> FastAPI:
    """The app as configured by the environment (the factory each ``AUTOSCOPE_API_WORKERS`` process calls)."""
    return create_app(load_settings())
