"""Conflicting reports and the self-reported vs independent gap.

*Conflicts*: the same model, benchmark and setting reported with different values in different
documents. Two values agree when they differ by no more than half the last digit of the less
precise one (49 and 49.0 agree; 72.5 and 72.52 agree; 96 and 96.5 agree, as 96.5 may be
reported as 96; 72.5 and 72.7 do not).

*Reporting gaps*: for each model and percentage benchmark with both a self-reported figure (the
lab's own headline: its best claim) and an independent one (third-party or leaderboard: their
best), ``gap = self-reported - independent`` in percentage points, signed so that a positive gap
always means the lab's figure is the more favourable one. Gaps are averaged per organisation of
the model. Settings are deliberately not matched: the gap measures how far labs' headline set-ups
(custom scaffolds, parallel compute) sit above standardised independent runs.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from graph.analytics.select import Filters, models_of, select_all
from graph.model import Benchmark, Direction, SourceKind, Unit
from graph.store import ClaimRow, GraphStore

INDEPENDENT = {SourceKind.THIRD_PARTY.value, SourceKind.LEADERBOARD.value}


def _decimals(value: float) -> int:
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def agree(a: float, b: float) -> bool:
    """Equal within the reporting precision of the less precise value (half its last digit)."""
    places = min(_decimals(a), _decimals(b), 6)
    return abs(a - b) <= 0.5 * 10**-places + 1e-9


@dataclass
class Conflict:
    model_id: str
    benchmark_id: str
    setting: str | None
    claims: list[ClaimRow]

    @property
    def spread(self) -> float:
        values = [c.value for c in self.claims]
        return max(values) - min(values)

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.model_id,
            "benchmark": self.benchmark_id,
            "setting": self.setting,
            "spread": round(self.spread, 6),
            "claims": [
                {"id": c.id, "value": c.value, "unit": c.unit, "source_kind": c.source_kind,
                 "document": c.document_id, "source_url": c.source_url, "reported_date": c.reported_date.isoformat()}
                for c in self.claims
            ],
        }  # fmt: skip


def find_conflicts(groups: Iterable[tuple[Benchmark, list[ClaimRow]]]) -> list[Conflict]:
    """Conflicts among already selected claims, largest spread first."""
    found: list[Conflict] = []
    for bench, rows in groups:
        by_key: dict[tuple[str, str | None], list[ClaimRow]] = {}
        for r in rows:
            by_key.setdefault((r.model_id, r.setting), []).append(r)
        for (model_id, setting), claims in by_key.items():
            if len({c.document_id for c in claims}) < 2:
                continue
            if any(not agree(a.value, b.value) for a in claims for b in claims if a.document_id != b.document_id):
                ordered = sorted(claims, key=lambda c: (c.reported_date, c.id))
                found.append(Conflict(model_id, bench.id, setting, ordered))
    return sorted(found, key=lambda c: (-c.spread, c.benchmark_id, c.model_id))


def conflicts(store: GraphStore, filters: Filters | None = None, benchmark_id: str | None = None) -> list[Conflict]:
    """Every conflict in the graph (as believed at ``filters.as_of``), optionally on one benchmark."""
    groups = [(b, rows) for b, rows in select_all(store, filters or Filters()) if benchmark_id in (None, b.id)]
    return find_conflicts(groups)


@dataclass
class GapPair:
    model_id: str
    benchmark_id: str
    self_reported: ClaimRow
    independent: ClaimRow
    gap: float


@dataclass
class OrganizationGap:
    organization_id: str
    pairs: list[GapPair] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return statistics.fmean(p.gap for p in self.pairs)

    @property
    def median(self) -> float:
        return statistics.median(p.gap for p in self.pairs)

    def as_dict(self) -> dict[str, object]:
        return {
            "organization": self.organization_id,
            "pairs": len(self.pairs),
            "mean_gap_points": round(self.mean, 4),
            "median_gap_points": round(self.median, 4),
            "examples": [
                {"model": p.model_id, "benchmark": p.benchmark_id, "self_reported": p.self_reported.value,
                 "independent": p.independent.value, "gap": round(p.gap, 4), "self_claim": p.self_reported.id,
                 "independent_claim": p.independent.id}
                for p in sorted(self.pairs, key=lambda p: -abs(p.gap))
            ],
        }  # fmt: skip


def reporting_gaps(store: GraphStore, filters: Filters | None = None) -> list[OrganizationGap]:
    """Self-reported minus independent, per organisation (see the module doc), largest mean gap first."""
    groups = select_all(store, filters or Filters())
    pairs: list[GapPair] = []
    for bench, rows in groups:
        if bench.unit is not Unit.PERCENT:
            continue
        sign = 1.0 if bench.direction is Direction.HIGHER_IS_BETTER else -1.0
        by_model: dict[str, list[ClaimRow]] = {}
        for r in rows:
            by_model.setdefault(r.model_id, []).append(r)
        for model_id, claims in by_model.items():
            own = [c for c in claims if c.source_kind == SourceKind.SELF_REPORTED.value]
            other = [c for c in claims if c.source_kind in INDEPENDENT]
            if own and other:
                best_own = max(own, key=lambda c: (sign * c.value, c.id))
                best_other = max(other, key=lambda c: (sign * c.value, c.id))
                pairs.append(
                    GapPair(model_id, bench.id, best_own, best_other, sign * (best_own.value - best_other.value))
                )
    models = models_of(store, (p.model_id for p in pairs))
    by_org: dict[str, OrganizationGap] = {}
    for p in pairs:
        model = models.get(p.model_id)
        org = (model.organization_id if model else None) or "unknown"
        by_org.setdefault(org, OrganizationGap(org)).pairs.append(p)
    return sorted(by_org.values(), key=lambda g: (-g.mean, g.organization_id))
