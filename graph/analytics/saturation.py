"""Saturation: how much headroom a bounded benchmark has left, and when it will run out.

For each benchmark with a ceiling (percentages default to 100), the current best frontier value
is compared with the ceiling: ``headroom = ceiling - best``. A benchmark is *near saturation*
when the best is at least ``near_fraction`` of the ceiling and *saturated* at
``saturated_fraction``; the forecast is the date the logistic frontier trend reaches
``saturated_fraction`` of the ceiling, with its bootstrap interval.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.analytics.config import AnalyticsConfig, default_config
from graph.analytics.fits import Forecast
from graph.analytics.select import Filters, get_benchmark, select_all, select_claims
from graph.analytics.timeline import FrontierStep, frontier
from graph.analytics.trends import as_points, ceiling_of, fit_points
from graph.model import Benchmark, Direction
from graph.store import ClaimRow, GraphStore


@dataclass
class Saturation:
    benchmark: Benchmark
    ceiling: float
    best: FrontierStep
    headroom: float
    fraction: float
    status: str  # saturated | near | open
    beats_human: bool | None
    forecast: Forecast | None

    def as_dict(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark.id,
            "name": self.benchmark.name,
            "unit": self.benchmark.unit.value,
            "ceiling": self.ceiling,
            "best": {
                "value": self.best.value,
                "model": self.best.model_id,
                "date": self.best.date.isoformat(),
                "claim_id": self.best.claim_id,
            },
            "headroom": round(self.headroom, 6),
            "fraction_of_ceiling": round(self.fraction, 6),
            "status": self.status,
            "human_baseline": self.benchmark.human_baseline,
            "beats_human_baseline": self.beats_human,
            "saturation_forecast": self.forecast.as_dict() if self.forecast else None,
        }


def assess(bench: Benchmark, rows: list[ClaimRow], store: GraphStore, config: AnalyticsConfig) -> Saturation | None:
    """The saturation state of one benchmark's selected claims (None: unbounded, lower-is-better or no data)."""
    ceiling = ceiling_of(bench)
    if ceiling is None or bench.direction is not Direction.HIGHER_IS_BETTER or not rows:
        return None
    steps = frontier(rows, bench)
    if not steps:
        return None
    best = steps[-1]
    fraction = best.value / ceiling
    cfg = config.saturation
    status = "saturated" if fraction >= cfg.saturated_fraction else "near" if fraction >= cfg.near_fraction else "open"
    human = bench.human_baseline
    target = round(ceiling * cfg.saturated_fraction, 6)
    trend = fit_points(bench, as_points(store, rows, "release"), threshold=target, config=config)
    forecast = next((f for f in trend.forecasts if f.threshold == target), None)
    return Saturation(bench, ceiling, best, ceiling - best.value, fraction, status,
                      None if human is None else best.value > human, forecast)  # fmt: skip


def saturation(
    store: GraphStore, benchmark_id: str, filters: Filters | None = None, config: AnalyticsConfig | None = None
) -> Saturation | None:
    """One benchmark's saturation state (None when it is unbounded or has no claims)."""
    bench = get_benchmark(store, benchmark_id)
    return assess(bench, select_claims(store, bench, filters or Filters()), store, config or default_config())


def saturation_report(
    store: GraphStore,
    filters: Filters | None = None,
    config: AnalyticsConfig | None = None,
    statuses: tuple[str, ...] = ("saturated", "near", "open"),
) -> list[Saturation]:
    """Every bounded benchmark with claims, most saturated first."""
    cfg = config or default_config()
    out = [
        s
        for bench, rows in select_all(store, filters or Filters())
        if (s := assess(bench, rows, store, cfg)) is not None and s.status in statuses
    ]
    return sorted(out, key=lambda s: (-s.fraction, s.benchmark.id))
