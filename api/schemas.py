"""Public response models: what the API promises, kept apart from graph internals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Claim

T = TypeVar("T")


class Evidence(BaseModel):
    sentence: str
    start: int | None
    end: int | None


class ClaimOut(BaseModel):
    """One benchmark result with its provenance."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "clm_3f2a9c0d1e4b5a6c7d8e",
                "model": "claude-3-5-sonnet-20241022",
                "benchmark": "swe-bench-verified",
                "value": 49.0,
                "unit": "%",
                "metric": None,
                "setting": None,
                "source_kind": "self_reported",
                "reported_date": "2024-10-22",
                "recorded_at": "2026-11-26T15:00:00Z",
                "document": "url:https://www.anthropic.com/news/3-5-models-and-computer-use",
                "source_url": "https://www.anthropic.com/news/3-5-models-and-computer-use",
                "evidence": {"sentence": "…", "start": 0, "end": 120},
                "extractor_version": "csv-import/1",
                "confidence": 1.0,
                "needs_review": False,
                "superseded_at": None,
            }
        }
    )

    id: str
    model: str
    benchmark: str
    value: float
    unit: str
    metric: str | None
    setting: str | None
    source_kind: str
    reported_date: date
    recorded_at: datetime
    document: str
    source_url: str | None
    evidence: Evidence
    extractor_version: str
    confidence: float
    needs_review: bool
    superseded_at: datetime | None

    @classmethod
    def of(cls, c: Claim) -> ClaimOut:
        return cls(
            id=c.id,
            model=c.model_id,
            benchmark=c.benchmark_id,
            value=c.value,
            unit=c.unit.value,
            metric=c.metric,
            setting=c.setting,
            source_kind=c.source_kind.value,
            reported_date=c.reported_date,
            recorded_at=c.recorded_at,
            document=c.document_id,
            source_url=c.source_url,
            evidence=Evidence(sentence=c.evidence_sentence, start=c.evidence_start, end=c.evidence_end),
            extractor_version=c.extractor_version,
            confidence=c.confidence,
            needs_review=c.needs_review,
            superseded_at=c.superseded_at,
        )


class ListResponse(BaseModel, Generic[T]):
    """Every list endpoint answers ``{"data": [...], "next_cursor": ...}``."""

    data: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page; null on the last page.")


class Health(BaseModel):
    status: str
    backend: str
    store_reachable: bool
    version: str
    detail: str | None = None


class Stats(BaseModel):
    nodes: dict[str, int]
    relationships: dict[str, int]


class Problem(BaseModel):
    """RFC 7807 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
