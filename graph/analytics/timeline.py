"""State-of-the-art timelines: the running best on a benchmark by report date.

One frontier step per report date at most, each pointing at the claim (and so the document
and evidence) that set it. For percentages on benchmarks with a known item count, a new best
that lies inside the previous best's 95% Wilson interval is marked ``tied``: a statistical
tie, not a new record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from graph.model import Benchmark, Claim, Direction, Model, SourceKind, Unit
from graph.schema import Label
from graph.store import ClaimQuery, GraphStore, NotFoundError, iter_claims

Z95 = 1.959964


@dataclass(frozen=True)
class FrontierStep:
    date: date
    value: float
    unit: str
    model_id: str
    claim_id: str
    document_id: str
    tied: bool


@dataclass
class Timeline:
    benchmark: Benchmark
    frontier: list[FrontierStep] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The `autoscope timeline --json` shape."""
        return {
            "benchmark": self.benchmark.id,
            "frontier": [
                {
                    "date": s.date.isoformat(),
                    "value": s.value,
                    "unit": s.unit,
                    "model": s.model_id,
                    "claim_id": s.claim_id,
                    "tied": s.tied,
                }
                for s in self.frontier
            ],
            "claims": [
                {
                    "id": c.id,
                    "date": c.reported_date.isoformat(),
                    "model": c.model_id,
                    "value": c.value,
                    "unit": c.unit.value,
                    "setting": c.setting,
                    "source_kind": c.source_kind.value,
                    "source_url": c.source_url,
                }
                for c in self.claims
            ],
        }


def wilson_interval(percent: float, n: int) -> tuple[float, float]:
    """95% Wilson score interval, in percent, for a score of ``percent`` on ``n`` items."""
    p = min(max(percent / 100.0, 0.0), 1.0)
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return 100 * (centre - half), 100 * (centre + half)


def timeline(
    store: GraphStore,
    benchmark_id: str,
    *,
    include_variants: bool = False,
    source_kind: SourceKind | None = None,
    setting: str | None = None,
    organization_id: str | None = None,
    open_weights: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: date | datetime | None = None,
) -> Timeline:
    """The frontier and all claims for a benchmark, filtered as asked, as believed at ``as_of``."""
    bench = store.get(Label.BENCHMARK, benchmark_id)
    if not isinstance(bench, Benchmark):
        raise NotFoundError(f"no benchmark with id {benchmark_id!r}")
    query = ClaimQuery(
        benchmark_id=benchmark_id, include_variants=include_variants, source_kind=source_kind, setting=setting,
        organization_id=organization_id, date_from=date_from, date_to=date_to, as_of=as_of,
    )  # fmt: skip
    claims = [c for c in iter_claims(store, query) if c.unit == bench.unit]
    if open_weights is not None:
        weights = {m: _open_weights(store, m) for m in {c.model_id for c in claims}}
        claims = [c for c in claims if weights[c.model_id] is open_weights]
    return Timeline(bench, frontier(claims, bench), claims)


def _open_weights(store: GraphStore, model_id: str) -> bool | None:
    model = store.get(Label.MODEL, model_id)
    return model.open_weights if isinstance(model, Model) else None


def frontier(claims: list[Claim], bench: Benchmark) -> list[FrontierStep]:
    """Running best by report date (one step per date), with ties marked when the item count is known."""
    better = (lambda a, b: a > b) if bench.direction is Direction.HIGHER_IS_BETTER else (lambda a, b: a < b)
    by_date: dict[date, Claim] = {}
    for c in sorted(claims, key=lambda c: (c.reported_date, c.id)):
        best = by_date.get(c.reported_date)
        if best is None or better(c.value, best.value):
            by_date[c.reported_date] = c
    steps: list[FrontierStep] = []
    for day in sorted(by_date):
        c = by_date[day]
        if steps and not better(c.value, steps[-1].value):
            continue
        tied = False
        if steps and bench.item_count and bench.unit is Unit.PERCENT:
            low, high = wilson_interval(steps[-1].value, bench.item_count)
            tied = low <= c.value <= high
        steps.append(FrontierStep(day, c.value, c.unit.value, c.model_id, c.id, c.document_id, tied))
    return steps
