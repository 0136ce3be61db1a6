"""The AI R&D automation index: how close the frontier is to "automation-ready" in each capability area.

Method (parameters in ``analytics.yaml``, section ``index``):

1. For every benchmark of an area, the current best frontier value (report-date frontier, current
   claims, as believed at ``as_of`` and reported by ``at``) is turned into *progress* towards the
   benchmark's automation-ready threshold: ``value / threshold`` for bounded metrics, and
   ``log(value/floor) / log(threshold/floor)`` for unbounded ones (time horizons), both clipped to
   [0, 1]. The value's 95% interval (as reported, or binomial on the item count) gives a progress
   interval the same way.
2. An area's progress is the weighted mean over its benchmarks that have data; its forecast is the
   date the frontier trend of its highest-weight benchmark with a fit reaches that benchmark's
   threshold (bootstrap interval), or the date it was reached.
3. The composite index is the weighted mean of area progress over the areas with data, times 100.
   ``coverage`` is the share of area weight that had data: areas without data are left out, never
   counted as zero, and are listed as missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from graph.analytics.config import AnalyticsConfig, IndexBenchmark, default_config
from graph.analytics.fits import Forecast
from graph.analytics.select import Filters, select_claims
from graph.analytics.timeline import FrontierStep, frontier, score_interval
from graph.analytics.trends import as_points, ceiling_of, fit_points
from graph.model import Benchmark
from graph.schema import Label
from graph.store import ClaimRow, GraphStore

METHOD = (
    "progress = best frontier value / automation-ready threshold (log-scaled from a floor for unbounded metrics), "
    "clipped to [0, 1]; area = weighted mean over its benchmarks with data; index = 100 x weighted mean over areas "
    "with data; coverage = share of area weight with data"
)


def progress(value: float, spec: IndexBenchmark, bounded: bool) -> float:
    """Progress towards the threshold in [0, 1] (see the module doc)."""
    if bounded or spec.floor is None:
        return min(max(value / spec.threshold, 0.0), 1.0)
    if value <= spec.floor:
        return 0.0
    return min(math.log(value / spec.floor) / math.log(spec.threshold / spec.floor), 1.0)


@dataclass
class BenchmarkComponent:
    benchmark_id: str
    name: str
    unit: str
    threshold: float
    weight: float
    best: FrontierStep | None = None
    progress: float | None = None
    interval: tuple[float, float] | None = None
    forecast: Forecast | None = None
    doubling_days: float | None = None

    def as_dict(self) -> dict[str, object]:
        best = self.best
        return {
            "benchmark": self.benchmark_id,
            "name": self.name,
            "unit": self.unit,
            "threshold": self.threshold,
            "weight": self.weight,
            "best": None if best is None else {"value": best.value, "model": best.model_id,
                                               "date": best.date.isoformat(), "claim_id": best.claim_id},
            "progress": _round(self.progress),
            "progress_interval": None if self.interval is None else [_round(v) for v in self.interval],
            "forecast": self.forecast.as_dict() if self.forecast else None,
            "doubling_time_days": self.doubling_days,
        }  # fmt: skip


@dataclass
class AreaComponent:
    id: str
    name: str
    weight: float
    benchmarks: list[BenchmarkComponent] = field(default_factory=list)
    progress: float | None = None
    interval: tuple[float, float] | None = None
    forecast: Forecast | None = None
    forecast_benchmark: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "weight": self.weight,
            "progress": _round(self.progress),
            "progress_interval": None if self.interval is None else [_round(v) for v in self.interval],
            "forecast": self.forecast.as_dict() if self.forecast else None,
            "forecast_benchmark": self.forecast_benchmark,
            "benchmarks": [b.as_dict() for b in self.benchmarks],
        }


@dataclass
class AutomationIndex:
    as_of: date | datetime | None
    at: date | None
    value: float | None
    interval: tuple[float, float] | None
    coverage: float
    areas: list[AreaComponent]

    @property
    def missing(self) -> list[str]:
        return [a.id for a in self.areas if a.progress is None]

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "at": self.at.isoformat() if self.at else None,
            "index": _round(self.value, 2),
            "interval": None if self.interval is None else [_round(v, 2) for v in self.interval],
            "coverage": _round(self.coverage),
            "missing_areas": self.missing,
            "method": METHOD,
            "components": [a.as_dict() for a in self.areas],
        }


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _weighted(items: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in items)
    return sum(v * w for v, w in items) / total if total else None


def _component(
    store: GraphStore, bench: Benchmark, rows: list[ClaimRow], spec: IndexBenchmark, config: AnalyticsConfig
) -> BenchmarkComponent:
    comp = BenchmarkComponent(spec.id, bench.name, bench.unit.value, spec.threshold, spec.weight)
    steps = frontier(rows, bench)
    if not steps:
        return comp
    bounded = ceiling_of(bench) is not None
    comp.best = steps[-1]
    comp.progress = progress(comp.best.value, spec, bounded)
    best_row = next(r for r in rows if r.id == comp.best.claim_id)
    iv = score_interval(best_row, bench)
    comp.interval = (progress(iv[0], spec, bounded), progress(iv[1], spec, bounded)) if iv else None
    trend = fit_points(bench, as_points(store, rows, "release"), threshold=spec.threshold, config=config)
    comp.forecast = next((f for f in trend.forecasts if f.threshold == spec.threshold), None)
    comp.doubling_days = trend.fit.doubling_days if trend.fit else None
    return comp


def automation_index(
    store: GraphStore,
    *,
    as_of: date | datetime | None = None,
    at: date | None = None,
    config: AnalyticsConfig | None = None,
) -> AutomationIndex:
    """The index as believed at ``as_of`` (record time), from results reported by ``at`` (valid time)."""
    cfg = config or default_config()
    filters = Filters(as_of=as_of, date_to=at)
    wanted = sorted({b.id for area in cfg.index.areas for b in area.benchmarks})
    benches = {k: v for k, v in store.get_many(Label.BENCHMARK, wanted).items() if isinstance(v, Benchmark)}
    areas: list[AreaComponent] = []
    for area_spec in cfg.index.areas:
        area = AreaComponent(area_spec.id, area_spec.name, area_spec.weight)
        for spec in area_spec.benchmarks:
            bench = benches.get(spec.id)
            if bench is None:
                area.benchmarks.append(BenchmarkComponent(spec.id, spec.id, "", spec.threshold, spec.weight))
                continue
            area.benchmarks.append(_component(store, bench, select_claims(store, bench, filters), spec, cfg))
        with_data = [b for b in area.benchmarks if b.progress is not None]
        area.progress = _weighted([(b.progress or 0.0, b.weight) for b in with_data])
        if with_data:
            lows = [(b.interval[0] if b.interval else b.progress or 0.0, b.weight) for b in with_data]
            highs = [(b.interval[1] if b.interval else b.progress or 0.0, b.weight) for b in with_data]
            low, high = _weighted(lows), _weighted(highs)
            area.interval = (low, high) if low is not None and high is not None else None
        for b in sorted(with_data, key=lambda b: -b.weight):
            if b.forecast is not None:
                area.forecast, area.forecast_benchmark = b.forecast, b.benchmark_id
                break
        areas.append(area)
    scored = [a for a in areas if a.progress is not None]
    total = sum(a.weight for a in areas)
    value = _weighted([(a.progress or 0.0, a.weight) for a in scored])
    interval = None
    if scored:
        low = _weighted([(a.interval[0] if a.interval else a.progress or 0.0, a.weight) for a in scored])
        high = _weighted([(a.interval[1] if a.interval else a.progress or 0.0, a.weight) for a in scored])
        interval = (100 * (low or 0.0), 100 * (high or 0.0))
    coverage = sum(a.weight for a in scored) / total if total else 0.0
    return AutomationIndex(as_of, at, None if value is None else 100 * value, interval, coverage, areas)


def index_history(
    store: GraphStore, dates: list[date], as_of: date | datetime | None = None, config: AnalyticsConfig | None = None
) -> list[tuple[date, float | None]]:
    """The composite index from results reported by each date (valid time), for charts and the digest."""
    return [(d, automation_index(store, as_of=as_of, at=d, config=config).value) for d in dates]
