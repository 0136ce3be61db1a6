"""Public response models of the analyses (trend fits, the index, conflicts, saturation, search)."""

from __future__ import annotations

import datetime as dt
from datetime import date

from pydantic import BaseModel, Field


class ForecastOut(BaseModel):
    threshold: float
    date: dt.date | None = Field(description="When the fitted trend reaches the threshold (null: not within reach)")
    interval: list[dt.date | None] = Field(description="95% bootstrap interval; null ends are open")
    reached: bool


class TrendPointOut(BaseModel):
    date: dt.date = Field(description="Model release date (date_basis=release, when known) or report date")
    value: float
    model: str
    claim_id: str
    reported_date: dt.date
    setting: str | None


class ExcludedPointOut(TrendPointOut):
    reason: str


class AccelerationOut(BaseModel):
    window_days: int
    recent_points: int
    recent_doubling_time_days: float | None
    recent_doubling_time_interval_days: list[float | None]
    long_run_doubling_time_days: float | None
    recent_slope_per_year: float
    long_run_slope_per_year: float
    probability_faster: float
    significant: bool


class TrendOut(BaseModel):
    """A trend fit: log-linear (doubling time) for unbounded metrics, logistic (forecast) for bounded ones."""

    benchmark: str
    unit: str
    kind: str
    date_basis: str
    frontier_only: bool
    since: date | None
    until: date | None
    as_of: date | None
    n_points: int
    doubling_time_days: float | None
    doubling_time_interval_days: list[float | None]
    slope_per_year: float | None
    slope_interval_per_year: list[float | None]
    r2: float | None
    forecast: ForecastOut | None
    forecasts: list[ForecastOut]
    acceleration: AccelerationOut | None
    points: list[TrendPointOut]
    excluded: list[ExcludedPointOut]
    settings: list[str | None]
    warnings: list[str]


class BestOut(BaseModel):
    value: float
    model: str
    date: date
    claim_id: str


class IndexBenchmarkOut(BaseModel):
    benchmark: str
    name: str
    unit: str
    threshold: float
    weight: float
    best: BestOut | None
    progress: float | None
    progress_interval: list[float | None] | None
    forecast: ForecastOut | None
    doubling_time_days: float | None


class IndexAreaOut(BaseModel):
    id: str
    name: str
    weight: float
    progress: float | None
    progress_interval: list[float | None] | None
    forecast: ForecastOut | None
    forecast_benchmark: str | None
    benchmarks: list[IndexBenchmarkOut]


class IndexOut(BaseModel):
    """The AI R&D automation index with its components and method."""

    as_of: date | None
    at: date | None
    index: float | None = Field(description="0-100: weighted progress to automation-ready thresholds")
    interval: list[float | None] | None
    coverage: float = Field(description="Share of the area weight that had data")
    missing_areas: list[str]
    method: str
    components: list[IndexAreaOut]


class ConflictClaimOut(BaseModel):
    id: str
    value: float
    unit: str
    source_kind: str
    document: str
    source_url: str | None
    reported_date: date


class ConflictOut(BaseModel):
    model: str
    benchmark: str
    setting: str | None
    spread: float
    claims: list[ConflictClaimOut]


class GapExampleOut(BaseModel):
    model: str
    benchmark: str
    self_reported: float
    independent: float
    gap: float
    self_claim: str
    independent_claim: str


class GapOut(BaseModel):
    organization: str
    pairs: int
    mean_gap_points: float
    median_gap_points: float
    examples: list[GapExampleOut]


class SearchHit(BaseModel):
    kind: str = Field(description="claim or document")
    id: str
    score: float = Field(description="Cosine similarity with the query (embedding model)")
    text: str = Field(description="The evidence sentence (claims) or title (documents)")
    source_url: str | None
    document: str | None
    model: str | None = None
    benchmark: str | None = None
    value: float | None = None
    unit: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
