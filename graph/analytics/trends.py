"""How fast a benchmark is moving: frontier trend fits, forecasts and the acceleration test.

Points are dated by the model's **release date** when the graph knows it (METR's convention: a
model re-measured years later still counts at its release) and by the claim's report date
otherwise (``date_basis="reported"`` uses report dates throughout). By default only the
frontier is fitted: the running best over all history (as believed at ``as_of``), then the fit
window (``since``/``until``) is applied, and points above the benchmark's ``exclude_above``
(METR's 16-hour cap) are left out of the fit but listed. Unbounded metrics get a log-linear fit
and a doubling time; bounded ones a logistic fit and the date a threshold is reached. Both carry
bootstrap intervals (see :mod:`graph.analytics.fits`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np

from graph.analytics.config import AnalyticsConfig, default_config
from graph.analytics.fits import Fit, FitError, Forecast, fit_trend
from graph.analytics.select import Filters, get_benchmark, models_of, select_claims
from graph.model import Benchmark, Direction, Unit
from graph.store import ClaimRow, GraphStore

DateBasis = Literal["release", "reported"]


@dataclass(frozen=True)
class Point:
    """One claim as a point of a series: dated by the chosen basis."""

    date: dt.date
    value: float
    model_id: str
    claim_id: str
    reported_date: dt.date
    setting: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "value": self.value,
            "model": self.model_id,
            "claim_id": self.claim_id,
            "reported_date": self.reported_date.isoformat(),
            "setting": self.setting,
        }


@dataclass(frozen=True)
class Acceleration:
    """Whether the recent rate of progress is significantly faster than the long-run rate."""

    window_days: int
    recent_points: int
    recent_doubling_days: float | None
    recent_interval: tuple[float | None, float | None]
    long_run_doubling_days: float | None
    probability_faster: float
    significant: bool
    recent_slope: float
    long_run_slope: float

    def as_dict(self) -> dict[str, object]:
        return {
            "window_days": self.window_days,
            "recent_points": self.recent_points,
            "recent_doubling_time_days": self.recent_doubling_days,
            "recent_doubling_time_interval_days": list(self.recent_interval),
            "long_run_doubling_time_days": self.long_run_doubling_days,
            "recent_slope_per_year": self.recent_slope * 365.25,
            "long_run_slope_per_year": self.long_run_slope * 365.25,
            "probability_faster": round(self.probability_faster, 4),
            "significant": self.significant,
        }


@dataclass
class Trend:
    """A fitted trend with everything needed to check it: the points used and the ones left out."""

    benchmark: Benchmark
    kind: str
    date_basis: DateBasis
    frontier_only: bool
    since: date | None
    until: date | None
    as_of: date | datetime | None
    points: list[Point] = field(default_factory=list)
    excluded: list[tuple[Point, str]] = field(default_factory=list)
    fit: Fit | None = None
    forecasts: list[Forecast] = field(default_factory=list)
    acceleration: Acceleration | None = None
    warnings: list[str] = field(default_factory=list)
    candidates: list[Point] = field(default_factory=list)
    """Every selected point before the frontier and window were applied (for charts)."""

    @property
    def settings(self) -> list[str | None]:
        return sorted({p.setting for p in self.points}, key=lambda s: (s is not None, s or ""))

    def as_dict(self) -> dict[str, object]:
        """The ``autoscope trends --json`` shape."""
        fit = self.fit
        doubling = fit.doubling_days if fit else None
        body: dict[str, object] = {
            "benchmark": self.benchmark.id,
            "unit": self.benchmark.unit.value,
            "kind": self.kind,
            "date_basis": self.date_basis,
            "frontier_only": self.frontier_only,
            "since": _iso(self.since),
            "until": _iso(self.until),
            "as_of": _iso(self.as_of),
            "n_points": len(self.points),
            "doubling_time_days": doubling,
            "doubling_time_interval_days": list(fit.doubling_interval) if fit else [None, None],
            "slope_per_year": fit.slope * 365.25 if fit else None,
            "slope_interval_per_year": [fit.slope_low * 365.25, fit.slope_high * 365.25] if fit else [None, None],
            "r2": fit.r2 if fit else None,
            "forecast": self.forecasts[0].as_dict() if self.forecasts else None,
            "forecasts": [f.as_dict() for f in self.forecasts],
            "acceleration": self.acceleration.as_dict() if self.acceleration else None,
            "points": [p.as_dict() for p in self.points],
            "excluded": [{**p.as_dict(), "reason": why} for p, why in self.excluded],
            "settings": self.settings,
            "warnings": self.warnings,
        }
        return body


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ceiling_of(bench: Benchmark) -> float | None:
    """The bound of a bounded metric: the benchmark's ceiling, or 100 for percentages."""
    if bench.ceiling is not None:
        return bench.ceiling
    return 100.0 if bench.unit is Unit.PERCENT else None


def as_points(store: GraphStore, rows: list[ClaimRow], date_basis: DateBasis) -> list[Point]:
    """Claims as points dated by release date (when known) or report date."""
    released: dict[str, date] = {}
    if date_basis == "release":
        released = {m.id: m.release_date for m in models_of(store, (r.model_id for r in rows)).values()
                    if m.release_date is not None}  # fmt: skip
    return [
        Point(released.get(r.model_id, r.reported_date), r.value, r.model_id, r.id, r.reported_date, r.setting)
        for r in rows
    ]


def frontier_points(points: list[Point], direction: Direction = Direction.HIGHER_IS_BETTER) -> list[Point]:
    """The running best by date: one point per date, each strictly better than all before it."""
    sign = 1.0 if direction is Direction.HIGHER_IS_BETTER else -1.0
    best_per_day: dict[date, Point] = {}
    for p in points:
        current = best_per_day.get(p.date)
        if (
            current is None
            or sign * p.value > sign * current.value
            or (p.value == current.value and p.claim_id < current.claim_id)
        ):
            best_per_day[p.date] = p
    out: list[Point] = []
    for day in sorted(best_per_day):
        p = best_per_day[day]
        if not out or sign * p.value > sign * out[-1].value:
            out.append(p)
    return out


def trend(
    store: GraphStore,
    benchmark_id: str,
    *,
    since: date | None = None,
    until: date | None = None,
    threshold: float | None = None,
    filters: Filters | None = None,
    frontier_only: bool = True,
    date_basis: DateBasis = "release",
    exclude_above: float | None = None,
    config: AnalyticsConfig | None = None,
) -> Trend:
    """Fit the benchmark's trend (see the module doc); raises NotFoundError for an unknown benchmark."""
    cfg = config or default_config()
    filters = filters or Filters()
    bench = get_benchmark(store, benchmark_id)
    rows = select_claims(store, bench, filters)
    return fit_points(
        bench, as_points(store, rows, date_basis), since=since, until=until, threshold=threshold,
        frontier_only=frontier_only, date_basis=date_basis, exclude_above=exclude_above, as_of=filters.as_of,
        config=cfg,
    )  # fmt: skip


def fit_points(
    bench: Benchmark,
    points: list[Point],
    *,
    since: date | None = None,
    until: date | None = None,
    threshold: float | None = None,
    frontier_only: bool = True,
    date_basis: DateBasis = "release",
    exclude_above: float | None = None,
    as_of: date | datetime | None = None,
    config: AnalyticsConfig | None = None,
) -> Trend:
    """The trend of already selected points (the store-free half of :func:`trend`)."""
    cfg = config or default_config()
    per_bench = cfg.benchmark_trend(bench.id)
    cap = exclude_above if exclude_above is not None else per_bench.exclude_above
    ceiling = ceiling_of(bench)
    result = Trend(bench, "logistic" if ceiling is not None else "log-linear", date_basis, frontier_only,
                   since, until, as_of)  # fmt: skip
    candidates = [p for p in points if until is None or p.date <= until]
    result.candidates = sorted(candidates, key=_order)
    series = frontier_points(candidates, bench.direction) if frontier_only else result.candidates
    for p in series:
        if since is not None and p.date < since:
            continue
        if cap is not None and p.value > cap:
            result.excluded.append((p, f"above {cap:g} {bench.unit.value} (left out of fits)"))
        elif ceiling is None and p.value <= 0:
            result.excluded.append((p, "not positive: no logarithm"))
        else:
            result.points.append(p)
    if len(result.settings) > 1:
        shown = ", ".join(repr(s) for s in result.settings)
        result.warnings.append(f"the points mix {len(result.settings)} settings ({shown}); pass a setting to compare "
                               "like with like")  # fmt: skip
    if len(result.points) < cfg.trends.min_points:
        result.warnings.append(
            f"only {len(result.points)} point(s) in the window: a trend needs at least {cfg.trends.min_points}"
        )
        return result
    try:
        result.fit = fit_trend(
            [p.date for p in result.points], [p.value for p in result.points], ceiling=ceiling,
            n_boot=cfg.trends.bootstrap_resamples, seed=cfg.trends.seed,
        )  # fmt: skip
    except FitError as e:
        result.warnings.append(str(e))
        return result
    if result.fit.slope <= 0:
        result.warnings.append("the fitted trend is flat or falling: no doubling time or forecast")
    result.forecasts = _forecasts(result, threshold, per_bench.threshold, ceiling, cfg)
    result.acceleration = acceleration(result.points, ceiling, cfg)
    return result


def _order(p: Point) -> tuple[date, str]:
    return p.date, p.claim_id


def _forecasts(
    result: Trend, threshold: float | None, configured: float | None, ceiling: float | None, cfg: AnalyticsConfig
) -> list[Forecast]:
    assert result.fit is not None
    targets: list[float] = []
    if threshold is not None:
        targets.append(threshold)
    elif configured is not None:
        targets.append(configured)
    elif ceiling is not None:
        targets.append(round(ceiling * cfg.trends.bounded_threshold_fraction, 6))
    human = result.benchmark.human_baseline
    if human is not None and human not in targets and (ceiling is None or human < ceiling):
        targets.append(human)
    out: list[Forecast] = []
    for target in targets:
        reached = next((p for p in result.points if p.value >= target), None)
        if reached is not None:
            out.append(Forecast(target, reached.date, reached.date, reached.date, reached=True))
            continue
        try:
            out.append(result.fit.forecast(target))
        except FitError as e:
            result.warnings.append(str(e))
    return out


def acceleration(points: list[Point], ceiling: float | None, cfg: AnalyticsConfig) -> Acceleration | None:
    """Recent (last ``recent_window_days``) slope against the long-run slope, by bootstrap.

    ``probability_faster`` is the share of paired resamples whose recent slope exceeds the
    long-run one; the difference is called significant when that share is at least 97.5%
    (a one-sided test at the 2.5% level). None when the window holds fewer than 3 points on
    2 dates, or the window covers all points (no long run to compare with).
    """
    if not points:
        return None
    window = cfg.trends.recent_window_days
    end = max(p.date for p in points)
    recent = [p for p in points if p.date > end - timedelta(days=window)]
    if len(recent) < 3 or len(recent) == len(points) or len({p.date for p in recent}) < 2:
        return None
    n_boot, seed = cfg.trends.bootstrap_resamples, cfg.trends.seed
    try:
        long_fit = fit_trend([p.date for p in points], [p.value for p in points], ceiling=ceiling,
                             n_boot=n_boot, seed=seed)  # fmt: skip
        recent_fit = fit_trend([p.date for p in recent], [p.value for p in recent], ceiling=ceiling,
                               n_boot=n_boot, seed=seed + 1)  # fmt: skip
    except FitError:
        return None
    size = min(long_fit.boot_slopes.size, recent_fit.boot_slopes.size)
    faster = float(np.mean(recent_fit.boot_slopes[:size] > long_fit.boot_slopes[:size])) if size else 0.0
    return Acceleration(
        window_days=window,
        recent_points=len(recent),
        recent_doubling_days=recent_fit.doubling_days,
        recent_interval=recent_fit.doubling_interval,
        long_run_doubling_days=long_fit.doubling_days,
        probability_faster=faster,
        significant=faster >= 0.975 and recent_fit.slope > long_fit.slope,
        recent_slope=recent_fit.slope,
        long_run_slope=long_fit.slope,
    )
