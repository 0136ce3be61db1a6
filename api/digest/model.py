"""The digest as data: what changed in one ISO week, every item carrying the citations it rests on.

The JSON form of :class:`Digest` is what ``GET /digest/{iso_week}`` answers with
``Accept: application/json``; the Markdown and HTML forms are rendered from it.
"""

from __future__ import annotations

from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Frozen):
    """What a statement rests on: a claim id (or, for document-level signals, a document id) and its source URL."""

    id: str
    url: str | None = None


class Listing(_Frozen, Generic[T]):
    """A capped list: ``items`` shown, ``total`` found (``total - len(items)`` more were left out)."""

    items: list[T] = Field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


class ClaimItem(_Frozen):
    """A claim recorded during the week."""

    id: str
    model_id: str
    model: str
    benchmark_id: str
    benchmark: str
    value: float
    unit: str
    setting: str | None
    source_kind: str
    reported_date: date
    needs_review: bool
    document_id: str
    url: str | None


class AreaClaims(_Frozen):
    """The week's claims on the benchmarks of one capability area."""

    id: str
    name: str
    claims: Listing[ClaimItem]


class RecordItem(_Frozen):
    """A new state of the art (a non-tied frontier step) that the previous week's graph did not show."""

    milestone_id: str
    benchmark_id: str
    benchmark: str
    model_id: str
    model: str
    value: float
    unit: str
    reported_date: date
    previous_value: float | None
    previous_model: str | None
    citations: list[Citation]


class MilestoneItem(_Frozen):
    """Any other milestone new in the week: thresholds, human baselines, time horizons, extracted ones."""

    id: str
    kind: str
    date: date
    origin: str
    benchmark_id: str | None
    model_id: str | None
    description: str
    citations: list[Citation]


class SignalItem(_Frozen):
    """An automation signal new in the week."""

    id: str
    kind: str
    date: date
    origin: str
    score: float
    capability_id: str | None
    text: str
    citations: list[Citation]


class AreaMove(_Frozen):
    """One index area's progress (0–1) at the end of the previous week and of this week."""

    id: str
    name: str
    before: float | None
    after: float | None
    citations: list[Citation]


class IndexMove(_Frozen):
    """The composite automation index (0–100) at both ends of the week; ``citations`` are the best
    claims the current value rests on."""

    before: float | None
    after: float | None
    interval: tuple[float, float] | None
    coverage: float
    areas: list[AreaMove]
    citations: list[Citation]

    @property
    def moved(self) -> bool:
        return _rounded(self.before, 1) != _rounded(self.after, 1)


class TrendMove(_Frozen):
    """A frontier trend that changed: the doubling time (unbounded metrics) or the forecast date of the target."""

    benchmark_id: str
    benchmark: str
    kind: str
    points: int
    doubling_before: float | None
    doubling_after: float | None
    doubling_interval: tuple[float | None, float | None] | None
    target: float | None
    unit: str
    forecast_before: date | None
    forecast_after: date | None
    forecast_interval: tuple[date | None, date | None] | None
    reached: bool
    citations: list[Citation]


class SaturationItem(_Frozen):
    """A benchmark that became saturated or near saturation during the week."""

    benchmark_id: str
    benchmark: str
    status_before: str | None
    status_after: str
    value: float
    unit: str
    ceiling: float
    fraction: float
    model: str
    citations: list[Citation]


class ConflictValue(_Frozen):
    claim_id: str
    value: float
    source_kind: str
    document_id: str
    url: str | None
    new: bool


class ConflictItem(_Frozen):
    """Sources disagreeing on the same model, benchmark and setting, at least one of them new this week."""

    benchmark_id: str
    benchmark: str
    model_id: str
    model: str
    setting: str | None
    unit: str
    spread: float
    values: list[ConflictValue]
    citations: list[Citation]


class DocumentItem(_Frozen):
    """A paper or announcement of the week, ranked by the new milestones and signals that rest on it."""

    id: str
    title: str
    url: str | None
    kind: str
    organization: str | None
    published: date | None
    new_claims: int
    milestones: int
    signals: int
    signal_score: float
    citations: list[Citation]


class ChartRef(_Frozen):
    """A benchmark whose frontier moved during the week: it gets a chart (frontier and trend with its band)."""

    benchmark_id: str
    benchmark: str


class Digest(_Frozen):
    """What changed in the graph during one ISO week (record time), compared with the week before."""

    week: str
    start: date = Field(description="Monday (00:00 UTC, inclusive)")
    end: date = Field(description="Sunday (24:00 UTC, inclusive)")
    previous_week: str
    new_claims: int
    new_documents: int
    areas: list[AreaClaims]
    records: Listing[RecordItem]
    milestones: Listing[MilestoneItem]
    signals: Listing[SignalItem]
    index: IndexMove
    trends: Listing[TrendMove]
    saturation: Listing[SaturationItem]
    conflicts: Listing[ConflictItem]
    documents: Listing[DocumentItem]
    charts: list[ChartRef]

    @property
    def empty(self) -> bool:
        """Nothing new was recorded: no claims and no events."""
        return self.new_claims == 0 and not self.milestones.total and not self.signals.total and not self.records.total


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)
