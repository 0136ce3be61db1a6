"""The weekly digest over HTTP: JSON, Markdown or HTML, chosen by ``format=`` or the Accept header."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import SettingsDep, StoreDep
from api.digest.build import DigestConfig, build_digest
from api.digest.deliver import analytics_config, render_text
from api.digest.model import Digest
from api.digest.week import InvalidWeekError, IsoWeek, check_started, utc_today
from api.schemas import Problem

router = APIRouter(tags=["digest"])

Format = Literal["json", "md", "html"]
MEDIA: dict[str, str] = {"json": "application/json", "md": "text/markdown", "html": "text/html"}
PREFERENCE: tuple[Format, ...] = ("json", "md", "html")


def _ranges(accept: str) -> list[tuple[str, float]]:
    """(media range, q) pairs of an Accept header; malformed entries are skipped."""
    out: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, raw = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(raw), 0.0), 1.0)
                except ValueError:
                    q = -1.0
        if q >= 0:
            out.append((media.lower(), q))
    return out


def negotiate(accept: str | None) -> Format | None:
    """The format an Accept header prefers (the most specific matching range gives each format its q);
    ties go to JSON, then Markdown, then HTML. No header means JSON; None means nothing we serve is acceptable."""
    if not accept or not accept.strip():
        return "json"
    ranges = _ranges(accept)
    best: tuple[float, int, Format] | None = None
    for rank, fmt in enumerate(PREFERENCE):
        kind = MEDIA[fmt].split("/")[0]
        matches = [(3 if r == MEDIA[fmt] else 2 if r == f"{kind}/*" else 1, q) for r, q in ranges
                   if r in (MEDIA[fmt], f"{kind}/*", "*/*")]  # fmt: skip
        if not matches:
            continue
        q = max(matches)[1]
        if q > 0 and (best is None or (q, -rank) > (best[0], best[1])):
            best = (q, -rank, fmt)
    return best[2] if best else None


OPENAPI_CONTENT = {
    "text/markdown": {"schema": {"type": "string"}, "example": "# AI R&D automation digest: 2026-W48\n..."},
    "text/html": {"schema": {"type": "string"}, "example": "<!DOCTYPE html>..."},
}


@router.get(
    "/digest/{iso_week}",
    response_model=Digest,
    responses={
        200: {
            "description": "The digest as JSON, Markdown or HTML (charts inlined as SVG).",
            "content": OPENAPI_CONTENT,
        },
        406: {"model": Problem, "description": "The Accept header allows none of the three media types."},
        422: {"model": Problem, "description": "Not an ISO week, a week that does not exist, or one not yet begun."},
    },
)
def get_digest(
    iso_week: Annotated[str, Path(max_length=20, description="ISO week: 2026-W48 (or 2026W48).")],
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    fmt: Annotated[
        Format | None, Query(alias="format", description="json, md or html; wins over the Accept header.")
    ] = None,
) -> Response:
    """What changed in the graph during an ISO week (claims recorded Monday 00:00 to Sunday 24:00 UTC),
    compared with the week before; every statement cites the claim ids and source URLs it rests on."""
    try:
        week = check_started(IsoWeek.parse(iso_week), utc_today())
    except InvalidWeekError as e:
        raise HTTPException(422, f"iso_week: {e}") from None
    accept = request.headers.get("accept")
    chosen = fmt or negotiate(accept)
    if chosen is None:
        raise HTTPException(406, f"cannot answer Accept: {accept}; this endpoint serves application/json, "
                                 "text/markdown and text/html (or pass format=json|md|html)")  # fmt: skip
    config = analytics_config(settings)
    digest = build_digest(store, week, DigestConfig(analytics=config))
    headers = {"Vary": "Accept"}
    if chosen == "json":
        return JSONResponse(digest.model_dump(mode="json"), headers=headers)
    body = render_text(store, digest, chosen, config)
    return Response(body, media_type=f"{MEDIA[chosen]}; charset=utf-8", headers=headers)
