"""JSON answers for the hot endpoints, serialised with orjson straight from plain data.

Those endpoints still declare their response models (the OpenAPI schema and /docs show them, and
tests check the payloads validate against them); returning a Response directly only skips
FastAPI's second validation pass over thousands of rows.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response


def fast_json(content: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json")
