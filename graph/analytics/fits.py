"""Trend fits with bootstrap uncertainty: log-linear (doubling times) and logistic (bounded scores).

Both fits are ordinary least squares on a transformed value against the date (days):

* **log-linear** for unbounded metrics (time horizons, ratings): ``log2(value) = a + b·t``; the
  doubling time is ``1/b`` days.
* **logistic** for bounded metrics (percentages with a ceiling): ``logit(value/ceiling) = a + b·t``,
  so the fitted curve is an S-curve that never crosses the ceiling; the date a threshold is reached
  is ``(logit(threshold/ceiling) - a)/b``.

Uncertainty comes from a case bootstrap: the points are resampled with replacement ``n_boot``
times (vectorised with numpy, so 1,000 resamples take milliseconds), the fit is repeated on each
resample, and the 2.5th and 97.5th percentiles give a 95% interval. Intervals of derived
quantities (doubling time, crossing date) are read off the slope's and crossing-date resamples;
when a resample's slope is not positive the quantity is unbounded there, and an interval end
that falls on such resamples is reported as ``None`` (open). A fixed seed makes results
reproducible for a given set of points.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

Z95 = 1.959964
DEFAULT_BOOT = 1000
DEFAULT_SEED = 20260101


class FitError(ValueError):
    """The points cannot support the requested fit (too few, or all on one date)."""


@dataclass(frozen=True)
class Forecast:
    """When the fitted trend reaches ``threshold``: a date with a 95% interval (``None`` = open end)."""

    threshold: float
    date: dt.date | None
    low: dt.date | None
    high: dt.date | None
    reached: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "date": _iso(self.date),
            "interval": [_iso(self.low), _iso(self.high)],
            "reached": self.reached,
        }


@dataclass(frozen=True)
class Fit:
    """A fitted line on transformed values against days since ``origin``."""

    kind: str  # "log-linear" | "logistic"
    origin: date
    intercept: float
    slope: float  # transformed units per day
    slope_low: float
    slope_high: float
    r2: float
    n: int
    ceiling: float | None
    boot_intercepts: np.ndarray
    boot_slopes: np.ndarray

    @property
    def doubling_days(self) -> float | None:
        """Days per doubling (log-linear fits with a positive slope)."""
        return 1.0 / self.slope if self.kind == "log-linear" and self.slope > 0 else None

    @property
    def doubling_interval(self) -> tuple[float | None, float | None]:
        """95% interval of the doubling time; an end is ``None`` where the slope's interval reaches zero."""
        if self.kind != "log-linear":
            return None, None
        low = 1.0 / self.slope_high if self.slope_high > 0 else None
        high = 1.0 / self.slope_low if self.slope_low > 0 else None
        return low, high

    def predict(self, when: date | Sequence[date]) -> np.ndarray:
        """Fitted values (in the metric's own unit) at the given dates."""
        days = np.atleast_1d(np.asarray(_days(when, self.origin), dtype=float))
        return self._inverse(self.intercept + self.slope * days)

    def band(self, when: Sequence[date]) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise 95% band of the fitted curve across bootstrap resamples."""
        days = np.asarray(_days(when, self.origin), dtype=float)
        lines = self.boot_intercepts[:, None] + self.boot_slopes[:, None] * days[None, :]
        low, high = np.nanpercentile(lines, [2.5, 97.5], axis=0)
        return self._inverse(low), self._inverse(high)

    def forecast(self, threshold: float) -> Forecast:
        """The date the fitted curve reaches ``threshold``, with a bootstrap interval."""
        target = self._transform(np.array([threshold], dtype=float))[0]
        if not math.isfinite(target):
            bound = f"between 0 and the ceiling {self.ceiling:g}" if self.ceiling is not None else "positive"
            raise FitError(f"threshold {threshold:g} is out of reach: it must be {bound}")
        point = (target - self.intercept) / self.slope if self.slope > 0 else math.inf
        with np.errstate(divide="ignore", invalid="ignore"):
            crossings = np.where(self.boot_slopes > 0, (target - self.boot_intercepts) / self.boot_slopes, np.inf)
        crossings = crossings[~np.isnan(crossings)]
        low, high = np.percentile(crossings, [2.5, 97.5], method="nearest") if crossings.size else (math.inf, math.inf)
        return Forecast(threshold, _date(self.origin, point), _date(self.origin, low), _date(self.origin, high))

    def _transform(self, values: np.ndarray) -> np.ndarray:
        if self.kind == "log-linear":
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(values > 0, np.log2(values), -np.inf)
        assert self.ceiling is not None
        p = values / self.ceiling
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((p > 0) & (p < 1), np.log(p / (1 - p)), np.nan)

    def _inverse(self, z: np.ndarray) -> np.ndarray:
        if self.kind == "log-linear":
            return np.asarray(np.exp2(z))
        assert self.ceiling is not None
        return np.asarray(self.ceiling / (1.0 + np.exp(-z)))


def _days(when: date | Sequence[date], origin: date) -> float | list[float]:
    if isinstance(when, date):
        return float((when - origin).days)
    return [float((d - origin).days) for d in when]


def _date(origin: date, days: float) -> date | None:
    if not math.isfinite(days) or abs(days) > 365 * 200:
        return None
    return origin + timedelta(days=round(days))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    xm, ym = x.mean(), y.mean()
    sxx = float(((x - xm) ** 2).sum())
    if sxx == 0:
        raise FitError("all points fall on one date: a trend needs points on at least two dates")
    slope = float(((x - xm) * (y - ym)).sum() / sxx)
    intercept = float(ym - slope * xm)
    resid = y - (intercept + slope * x)
    total = float(((y - ym) ** 2).sum())
    r2 = 1.0 - float((resid**2).sum()) / total if total > 0 else 1.0
    return intercept, slope, r2


def bootstrap_lines(x: np.ndarray, y: np.ndarray, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Intercepts and slopes of OLS fits on ``n_boot`` case resamples (NaN where a resample is degenerate)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    bx, by = x[idx], y[idx]
    xm, ym = bx.mean(axis=1, keepdims=True), by.mean(axis=1, keepdims=True)
    sxx = ((bx - xm) ** 2).sum(axis=1)
    sxy = ((bx - xm) * (by - ym)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes = np.where(sxx > 0, sxy / sxx, np.nan)
    intercepts = ym[:, 0] - slopes * xm[:, 0]
    return intercepts, slopes


def fit_trend(
    dates: Sequence[date],
    values: Sequence[float],
    *,
    ceiling: float | None = None,
    floor_fraction: float = 0.001,
    n_boot: int = DEFAULT_BOOT,
    seed: int = DEFAULT_SEED,
) -> Fit:
    """Fit a log-linear trend (``ceiling`` None) or a logistic one (values bounded by ``ceiling``).

    For logistic fits, values at 0 or at the ceiling are pulled in by ``floor_fraction`` of the
    ceiling so their logit is finite.
    """
    if len(dates) != len(values):
        raise FitError("dates and values differ in length")
    if len(dates) < 3:
        raise FitError(f"a trend needs at least 3 points, got {len(dates)}")
    origin = min(dates)
    x = np.array([(d - origin).days for d in dates], dtype=float)
    v = np.array(values, dtype=float)
    if ceiling is None:
        if (v <= 0).any():
            raise FitError("a log-linear trend needs positive values")
        y = np.log2(v)
        kind = "log-linear"
    else:
        if ceiling <= 0:
            raise FitError(f"ceiling must be positive, got {ceiling:g}")
        p = np.clip(v / ceiling, floor_fraction, 1 - floor_fraction)
        y = np.log(p / (1 - p))
        kind = "logistic"
    intercept, slope, r2 = _ols(x, y)
    boot_a, boot_b = bootstrap_lines(x, y, n_boot, seed)
    keep = ~np.isnan(boot_b)
    boot_a, boot_b = boot_a[keep], boot_b[keep]
    low, high = np.percentile(boot_b, [2.5, 97.5]) if boot_b.size else (slope, slope)
    return Fit(kind, origin, intercept, slope, float(low), float(high), r2, int(x.size), ceiling, boot_a, boot_b)


@lru_cache(maxsize=65536)
def wilson_interval(percent: float, n: int) -> tuple[float, float]:
    """95% Wilson score interval, in percent, for a score of ``percent`` on ``n`` items."""
    p = min(max(percent / 100.0, 0.0), 1.0)
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return 100 * (centre - half), 100 * (centre + half)
