"""Domain types of the knowledge graph.

Every node type is a flat pydantic model (Neo4j properties cannot nest), keyed by
``id``. Ids of derived facts (claims, milestones, signals, authors) are hashes of
their content, so re-running any step upserts instead of duplicating.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NonEmpty = Annotated[str, Field(min_length=1)]
Origin = Literal["extracted", "computed"]
ReviewAction = Literal["accepted", "rejected", "corrected"]
"""A reviewer's decision on a claim; a correction supersedes the claim with a corrected one."""
"""Milestones and signals are either extracted from a document or computed from the claims."""


def content_id(prefix: str, *parts: object) -> str:
    """A stable id from content: ``prefix_`` + the first 20 hex digits of a SHA-256."""
    raw = "\x1f".join("" if p is None else _canonical(p) for p in parts)
    return f"{prefix}_{hashlib.sha256(raw.encode('utf-8')).hexdigest()[:20]}"


def _canonical(value: object) -> str:
    if isinstance(value, float):
        return format(value, ".12g")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def utc_now() -> datetime:
    """The current record time (UTC, microseconds)."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Normalise a datetime to UTC; naive values are taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def end_of(value: date | datetime) -> datetime:
    """An ``as_of`` bound: a date means the end of that day (UTC)."""
    if isinstance(value, datetime):
        return as_utc(value)
    return datetime.combine(value, time.max, tzinfo=UTC)


class SourceKind(StrEnum):
    """Who stands behind a number."""

    SELF_REPORTED = "self_reported"
    THIRD_PARTY = "third_party"
    LEADERBOARD = "leaderboard"
    CURATED = "curated"


class Unit(StrEnum):
    """Units a claim's value can carry (the extraction contract's list)."""

    PERCENT = "%"
    POINTS = "points"
    ELO = "elo"
    HOURS = "hours"
    MINUTES = "minutes"
    SCORE = "score"
    TIMES = "x"
    TASKS = "tasks"
    DOLLARS = "$"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class DocumentKind(StrEnum):
    PAPER = "paper"
    ANNOUNCEMENT = "announcement"
    WEBPAGE = "webpage"
    DATASET = "dataset"


class Node(BaseModel):
    """Base of every node: flat, validated, keyed by ``id``."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    label: ClassVar[str] = "Node"

    id: NonEmpty

    def props(self) -> dict[str, Any]:
        """Properties as stored (enums as values, dates as date objects)."""
        return self.model_dump(mode="python")


class Organization(Node):
    label: ClassVar[str] = "Organization"
    name: NonEmpty
    url: str | None = None
    verified: bool = True


class Capability(Node):
    label: ClassVar[str] = "Capability"
    name: NonEmpty
    description: str | None = None


class Author(Node):
    label: ClassVar[str] = "Author"
    name: NonEmpty

    @classmethod
    def from_name(cls, name: str) -> Author:
        return cls(id=content_id("aut", " ".join(name.lower().split())), name=name)


class Model(Node):
    label: ClassVar[str] = "Model"
    name: NonEmpty
    aliases: list[str] = Field(default_factory=list)
    organization_id: str | None = None
    release_date: date | None = None
    open_weights: bool | None = None
    verified: bool = True


class Benchmark(Node):
    label: ClassVar[str] = "Benchmark"
    name: NonEmpty
    aliases: list[str] = Field(default_factory=list)
    variant_of: str | None = None
    unit: Unit = Unit.PERCENT
    direction: Direction = Direction.HIGHER_IS_BETTER
    ceiling: float | None = None
    human_baseline: float | None = None
    human_baseline_source: str | None = None
    item_count: int | None = Field(None, ge=1)
    capabilities: list[str] = Field(default_factory=list)
    year_introduced: int | None = Field(None, ge=1950, le=2100)
    url: str | None = None
    verified: bool = True

    @model_validator(mode="after")
    def _not_own_parent(self) -> Benchmark:
        if self.variant_of == self.id:
            raise ValueError(f"benchmark {self.id!r} cannot be a variant of itself")
        return self


class Document(Node):
    """A paper, announcement or web page; the anchor of provenance."""

    label: ClassVar[str] = "Document"
    kind: DocumentKind
    title: str = ""
    url: str | None = None
    source: str = "manual"
    published: date | None = None
    organization_id: str | None = None
    authors: list[str] = Field(default_factory=list)
    recorded_at: datetime = Field(default_factory=utc_now)

    @field_validator("recorded_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class Claim(Node):
    """One reported result, with full provenance and both dates.

    ``reported_date`` is valid time (when the source reported it); ``recorded_at`` is
    record time (when autoscope first stored it). ``superseded_at`` is set when a later
    claim replaces this one; the old claim stays for as-of reads.
    """

    label: ClassVar[str] = "Claim"
    id: str = ""
    document_id: NonEmpty
    model_id: NonEmpty
    benchmark_id: NonEmpty
    value: float
    unit: Unit
    value_low: float | None = None
    value_high: float | None = None
    metric: str | None = None
    setting: str | None = None
    source_kind: SourceKind
    source_url: str | None = None
    reported_date: date
    evidence_sentence: str = ""
    evidence_start: int | None = Field(None, ge=0)
    evidence_end: int | None = Field(None, ge=0)
    extractor_version: str = "curated"
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    needs_review: bool = False
    recorded_at: datetime = Field(default_factory=utc_now)
    superseded_at: datetime | None = None
    review_status: ReviewAction | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None

    @field_validator("value", "value_low", "value_high")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("claim values must be finite numbers")
        return value

    @field_validator("recorded_at", "superseded_at", "reviewed_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)

    @field_validator("setting", "metric")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _derive(self) -> Claim:
        if self.value_low is not None and self.value_high is not None and self.value_low > self.value_high:
            raise ValueError("value_low must not be above value_high")
        if (self.evidence_start is None) != (self.evidence_end is None):
            raise ValueError("evidence_start and evidence_end must be given together")
        if (
            self.evidence_start is not None
            and self.evidence_end is not None
            and self.evidence_end < self.evidence_start
        ):
            raise ValueError("evidence_end must not be before evidence_start")
        expected = self.identity()
        if not self.id:
            object.__setattr__(self, "id", expected)
        elif self.id != expected:
            raise ValueError(f"claim id {self.id!r} does not match its content (expected {expected!r})")
        return self

    def identity(self) -> str:
        return content_id(
            "clm", self.document_id, self.model_id, self.benchmark_id, float(self.value), self.unit.value, self.setting
        )


class Milestone(Node):
    label: ClassVar[str] = "Milestone"
    id: str = ""
    kind: NonEmpty
    date: date
    description: str = ""
    benchmark_id: str | None = None
    model_id: str | None = None
    threshold: float | None = None
    claim_ids: list[str] = Field(default_factory=list)
    origin: Origin = "extracted"
    recorded_at: datetime = Field(default_factory=utc_now)

    @model_validator(mode="after")
    def _derive(self) -> Milestone:
        if not self.id:
            object.__setattr__(
                self, "id", content_id("mil", self.kind, self.benchmark_id, self.model_id, self.threshold, self.date)
            )
        return self


class Signal(Node):
    label: ClassVar[str] = "Signal"
    id: str = ""
    kind: NonEmpty
    date: date
    score: float = Field(ge=0.0, le=1.0)
    text: str = ""
    capability_id: str | None = None
    based_on: list[str] = Field(default_factory=list)
    origin: Origin = "extracted"
    recorded_at: datetime = Field(default_factory=utc_now)

    @model_validator(mode="after")
    def _derive(self) -> Signal:
        if not self.id:
            object.__setattr__(self, "id", content_id("sig", self.kind, self.date, self.text, *sorted(self.based_on)))
        return self


class Review(Node):
    """One human review of a claim: who decided what, when; never changed afterwards."""

    label: ClassVar[str] = "Review"
    id: str = ""
    claim_id: NonEmpty
    action: ReviewAction
    reviewer: NonEmpty
    note: str = ""
    corrected_claim_id: str | None = None
    recorded_at: datetime = Field(default_factory=utc_now)

    @field_validator("recorded_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)

    @model_validator(mode="after")
    def _derive(self) -> Review:
        if not self.id:
            object.__setattr__(
                self, "id", content_id("rev", self.claim_id, self.action, self.reviewer, self.recorded_at)
            )
        return self


NODE_TYPES: tuple[type[Node], ...] = (
    Organization,
    Capability,
    Author,
    Model,
    Benchmark,
    Document,
    Claim,
    Milestone,
    Signal,
    Review,
)
