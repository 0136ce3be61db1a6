"""API keys: required on write endpoints and /query, and on reads when AUTOSCOPE_API_READ_AUTH is set.

A key is sent as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>`` and compared in
constant time with the configured ``AUTOSCOPE_API_KEYS``. A missing key answers 401 and a wrong
one 403, both as problem+json; with no keys configured, protected endpoints always refuse.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.deps import SettingsDep

_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from AUTOSCOPE_API_KEYS.")
_bearer = HTTPBearer(auto_error=False, description="An API key from AUTOSCOPE_API_KEYS, as a bearer token.")


def _presented(header: str | None, bearer: HTTPAuthorizationCredentials | None) -> str | None:
    if header:
        return header
    return bearer.credentials if bearer is not None else None


def check_key(settings_keys: frozenset[str], presented: str | None) -> str:
    """The caller's key, or an HTTP 401/403 saying what is missing."""
    if not settings_keys:
        raise HTTPException(403, "this endpoint needs an API key and none is configured (set AUTOSCOPE_API_KEYS)")
    if not presented:
        raise HTTPException(401, "an API key is required: send it as X-API-Key or Authorization: Bearer",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    if not any(hmac.compare_digest(presented.encode(), key.encode()) for key in settings_keys):
        raise HTTPException(403, "the API key is not valid")
    return presented


def require_key(
    settings: SettingsDep,
    header: Annotated[str | None, Security(_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> str:
    """Dependency for write endpoints and /query."""
    return check_key(settings.api_key_set, _presented(header, bearer))


def read_access(
    request: Request,
    settings: SettingsDep,
    header: Annotated[str | None, Security(_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """Dependency for read endpoints: open unless AUTOSCOPE_API_READ_AUTH is set."""
    if settings.api_read_auth:
        check_key(settings.api_key_set, _presented(header, bearer))


KeyDep = Annotated[str, Depends(require_key)]
ReadDep = Depends(read_access)
