"""Errors become RFC 7807 problem+json responses, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from graph.errors import (
    GraphError,
    InvalidInputError,
    NotFoundError,
    ParameterError,
    QueryRejectedError,
    QueryTimeoutError,
    StoreUnavailableError,
    UnsupportedError,
)

MEDIA_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, **extensions: str) -> JSONResponse:
    """A problem+json response; ``extensions`` are extra members (``reason``, ``parameter``)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extensions}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
            parts.append(f"{where}: {err.get('msg')}")
        return problem(422, "Invalid request", "; ".join(parts))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, "HTTP error", str(exc.detail))

    @app.exception_handler(GraphError)
    async def _graph(_: Request, exc: GraphError) -> JSONResponse:
        if isinstance(exc, QueryRejectedError):
            return problem(400, "Query refused", str(exc), reason=exc.reason)
        if isinstance(exc, ParameterError):
            return problem(422, "Invalid parameter", str(exc), parameter=exc.parameter)
        if isinstance(exc, QueryTimeoutError):
            return problem(504, "Query timed out", str(exc), reason=exc.reason)
        if isinstance(exc, UnsupportedError):
            return problem(501, "Not supported by this backend", str(exc))
        if isinstance(exc, InvalidInputError):
            return problem(400, "Invalid input", str(exc))
        if isinstance(exc, NotFoundError):
            return problem(404, "Not found", str(exc))
        if isinstance(exc, StoreUnavailableError):
            return problem(503, "Graph store unavailable", str(exc))
        return problem(500, "Graph store error", str(exc))
