"""State-of-the-art timelines: the running best on a benchmark by report date.

One frontier step per report date at most, each pointing at the claim (and so the document
and evidence) that set it. On a benchmark with a known item count every percentage carries a 95%
binomial (Wilson) interval, and a new best that lies inside the previous best's interval is
marked ``tied``: a statistical tie, not a new record. Intervals the source reported itself
(METR's bootstrap intervals, Epoch's standard errors) are shown with the claims but do not
decide ties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from graph.analytics.fits import wilson_interval
from graph.analytics.select import Filters, get_benchmark, select_claims
from graph.model import Benchmark, Direction, SourceKind, Unit
from graph.store import ClaimRow, GraphStore

__all__ = ["FrontierStep", "Timeline", "binomial_interval", "frontier", "score_interval", "timeline", "wilson_interval"]


@dataclass(frozen=True)
class FrontierStep:
    date: date
    value: float
    unit: str
    model_id: str
    claim_id: str
    document_id: str
    tied: bool
    interval: tuple[float, float] | None = None


@dataclass
class Timeline:
    benchmark: Benchmark
    frontier: list[FrontierStep] = field(default_factory=list)
    claims: list[ClaimRow] = field(default_factory=list)

    def as_dict(self, full: bool = False) -> dict[str, object]:
        """The `autoscope timeline --json` shape; ``full`` adds each step's document and interval (the API)."""
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
                    **(
                        {"document": s.document_id, "interval": list(s.interval) if s.interval else None}
                        if full
                        else {}
                    ),
                }
                for s in self.frontier
            ],
            "claims": [
                {
                    "id": c.id,
                    "date": c.reported_date.isoformat(),
                    "model": c.model_id,
                    "value": c.value,
                    "unit": c.unit,
                    "interval": list(iv) if (iv := score_interval(c, self.benchmark)) else None,
                    "setting": c.setting,
                    "source_kind": c.source_kind,
                    "source_url": c.source_url,
                    "document": c.document_id,
                }
                for c in self.claims
            ],
        }


def binomial_interval(value: float, bench: Benchmark) -> tuple[float, float] | None:
    """95% Wilson interval of a percentage on a benchmark with a known item count."""
    if bench.item_count and bench.unit is Unit.PERCENT and 0 <= value <= 100:
        return wilson_interval(value, bench.item_count)
    return None


def score_interval(claim: ClaimRow, bench: Benchmark) -> tuple[float, float] | None:
    """The claim's 95% interval: as reported by its source, else binomial on the item count."""
    if claim.value_low is not None and claim.value_high is not None:
        return claim.value_low, claim.value_high
    return binomial_interval(claim.value, bench)


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
    include_flagged: bool = False,
) -> Timeline:
    """The frontier and all claims for a benchmark, filtered as asked, as believed at ``as_of``."""
    bench = get_benchmark(store, benchmark_id)
    filters = Filters(
        include_variants=include_variants, source_kind=source_kind, setting=setting, organization_id=organization_id,
        open_weights=open_weights, date_from=date_from, date_to=date_to, as_of=as_of, include_flagged=include_flagged,
    )  # fmt: skip
    claims = select_claims(store, bench, filters)
    return Timeline(bench, frontier(claims, bench), claims)


def frontier(claims: list[ClaimRow], bench: Benchmark) -> list[FrontierStep]:
    """Running best by report date (one step per date), with ties marked inside the previous best's interval."""
    higher = bench.direction is Direction.HIGHER_IS_BETTER

    def better(a: float, b: float) -> bool:
        return a > b if higher else a < b

    by_date: dict[date, ClaimRow] = {}
    for c in sorted(claims, key=lambda c: (c.reported_date, c.id)):
        best = by_date.get(c.reported_date)
        if best is None or better(c.value, best.value):
            by_date[c.reported_date] = c
    steps: list[FrontierStep] = []
    for day in sorted(by_date):
        c = by_date[day]
        if steps and not better(c.value, steps[-1].value):
            continue
        interval = binomial_interval(c.value, bench)
        tied = False
        if steps and steps[-1].interval is not None:
            low, high = steps[-1].interval
            tied = low <= c.value <= high
        steps.append(FrontierStep(day, c.value, c.unit, c.model_id, c.id, c.document_id, tied, interval))
    return steps
