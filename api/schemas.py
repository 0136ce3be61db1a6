"""Public response models: what the API promises, kept apart from graph internals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Benchmark, Claim, Document, Milestone, Review, Signal, Unit

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
    review_status: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None

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
            review_status=c.review_status,
            reviewed_by=c.reviewed_by,
            reviewed_at=c.reviewed_at,
        )


def claim_json(c: Claim) -> dict[str, object]:
    """The :class:`ClaimOut` shape as plain JSON values, without a model round trip (hot list endpoints)."""
    return {
        "id": c.id, "model": c.model_id, "benchmark": c.benchmark_id, "value": c.value, "unit": c.unit.value,
        "metric": c.metric, "setting": c.setting, "source_kind": c.source_kind.value,
        "reported_date": c.reported_date.isoformat(), "recorded_at": _iso_z(c.recorded_at), "document": c.document_id,
        "source_url": c.source_url,
        "evidence": {"sentence": c.evidence_sentence, "start": c.evidence_start, "end": c.evidence_end},
        "extractor_version": c.extractor_version, "confidence": c.confidence, "needs_review": c.needs_review,
        "superseded_at": _iso_z(c.superseded_at), "review_status": c.review_status, "reviewed_by": c.reviewed_by,
        "reviewed_at": _iso_z(c.reviewed_at),
    }  # fmt: skip


def _iso_z(value: datetime | None) -> str | None:
    """Datetimes as pydantic writes them in JSON (UTC as ``Z``)."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class ListResponse(BaseModel, Generic[T]):
    """Every list endpoint answers ``{"data": [...], "next_cursor": ...}``."""

    data: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` to get the next page; null on the last page.")


class Health(BaseModel):
    status: str
    backend: str
    store_reachable: bool
    version: str
    store_version: str | None = None
    extractor_version: str | None = None
    python: str | None = None
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


class BenchmarkSummary(BaseModel):
    id: str
    name: str
    aliases: list[str]
    unit: str
    direction: str
    variant_of: str | None
    capabilities: list[str]
    verified: bool

    @classmethod
    def of(cls, b: Benchmark) -> BenchmarkSummary:
        return cls(id=b.id, name=b.name, aliases=b.aliases, unit=b.unit.value, direction=b.direction.value,
                   variant_of=b.variant_of, capabilities=b.capabilities, verified=b.verified)  # fmt: skip


class Ref(BaseModel):
    """A pointer to another node: id and display name."""

    id: str
    name: str | None = None


class SaturationOut(BaseModel):
    ceiling: float
    best_value: float
    best_model: str
    best_claim_id: str
    best_date: date
    headroom: float
    fraction_of_ceiling: float
    status: str = Field(description="saturated, near or open")
    beats_human_baseline: bool | None
    forecast_date: date | None = Field(description="When the frontier trend reaches the saturated level")
    forecast_interval: list[date | None]


class BenchmarkDetail(BenchmarkSummary):
    """A benchmark with its family, baselines, saturation state and the documents that introduced it."""

    ceiling: float | None
    human_baseline: float | None
    human_baseline_source: str | None
    item_count: int | None
    year_introduced: int | None
    url: str | None
    variants: list[Ref]
    claims: int
    introduced_by: list[Ref]
    saturation: SaturationOut | None


class FrontierStepOut(BaseModel):
    date: date
    value: float
    unit: str
    model: str
    claim_id: str
    document: str
    tied: bool = Field(description="Inside the previous record's 95% binomial interval: a statistical tie")
    interval: list[float] | None


class TimelineClaimOut(BaseModel):
    id: str
    date: date
    model: str
    value: float
    unit: str
    interval: list[float] | None
    setting: str | None
    source_kind: str
    source_url: str | None
    document: str


class TimelineOut(BaseModel):
    benchmark: str
    frontier: list[FrontierStepOut]
    claims: list[TimelineClaimOut]


class ModelDetail(BaseModel):
    id: str
    name: str
    aliases: list[str]
    organization: Ref | None
    release_date: date | None
    open_weights: bool | None
    verified: bool
    claims: list[ClaimOut]
    milestones: list[MilestoneOut]


class DocumentOut(BaseModel):
    id: str
    kind: str
    title: str
    url: str | None
    source: str
    published: date | None
    organization: str | None
    authors: list[str]
    recorded_at: datetime
    claims: list[ClaimOut]
    signals: list[Ref]

    @classmethod
    def of(cls, d: Document, claims: list[Claim], signals: list[Ref]) -> DocumentOut:
        return cls(id=d.id, kind=d.kind.value, title=d.title, url=d.url, source=d.source, published=d.published,
                   organization=d.organization_id, authors=d.authors, recorded_at=d.recorded_at,
                   claims=[ClaimOut.of(c) for c in claims], signals=signals)  # fmt: skip


class MilestoneOut(BaseModel):
    id: str
    kind: str
    date: date
    description: str
    benchmark: str | None
    model: str | None
    threshold: float | None
    evidence: list[str] = Field(description="Ids of the claims the milestone rests on (EVIDENCED_BY)")
    origin: str
    recorded_at: datetime

    @classmethod
    def of(cls, m: Milestone) -> MilestoneOut:
        return cls(id=m.id, kind=m.kind, date=m.date, description=m.description, benchmark=m.benchmark_id,
                   model=m.model_id, threshold=m.threshold, evidence=m.claim_ids, origin=m.origin,
                   recorded_at=m.recorded_at)  # fmt: skip


class SignalOut(BaseModel):
    id: str
    kind: str
    date: date
    score: float
    text: str
    capability: str | None
    based_on: list[str] = Field(description="Ids of the claims, milestones or documents it rests on (BASED_ON)")
    origin: str
    recorded_at: datetime

    @classmethod
    def of(cls, s: Signal) -> SignalOut:
        return cls(id=s.id, kind=s.kind, date=s.date, score=s.score, text=s.text, capability=s.capability_id,
                   based_on=s.based_on, origin=s.origin, recorded_at=s.recorded_at)  # fmt: skip


class ReviewOut(BaseModel):
    id: str
    claim_id: str
    action: str
    reviewer: str
    note: str
    corrected_claim_id: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, r: Review) -> ReviewOut:
        return cls(id=r.id, claim_id=r.claim_id, action=r.action, reviewer=r.reviewer, note=r.note,
                   corrected_claim_id=r.corrected_claim_id, recorded_at=r.recorded_at)  # fmt: skip


class ClaimDetail(ClaimOut):
    """A claim with its full provenance: document, supersession chain and reviews."""

    document_title: str | None
    document_kind: str | None
    supersedes: list[str]
    superseded_by: list[str]
    reviews: list[ReviewOut]


class Correction(BaseModel):
    """The corrected fields of a claim; unspecified ones are kept."""

    model_config = ConfigDict(extra="forbid")

    value: float | None = None
    unit: Unit | None = None
    setting: str | None = Field(None, max_length=500)
    model: str | None = Field(None, max_length=200, description="Corrected model id")
    benchmark: str | None = Field(None, max_length=200, description="Corrected benchmark id")


class ReviewRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"example": {"action": "correct", "reviewer": "ana@example.org", "note": "table says 71.2",
                                       "correction": {"value": 71.2}}},
    )  # fmt: skip

    action: Literal["accept", "reject", "correct"]
    reviewer: str = Field(min_length=1, max_length=200, description="Who decided (recorded with the time)")
    note: str = Field("", max_length=2000)
    correction: Correction | None = None


class ReviewResult(BaseModel):
    claim: ClaimOut
    review: ReviewOut
    corrected_claim: ClaimOut | None = None
