"""Trend fits on synthetic data with known parameters: the estimates and intervals must find them."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from graph.analytics.fits import FitError, fit_trend, wilson_interval

START = date(2023, 1, 1)


def _log_linear(doubling: float, n: int, noise: float, seed: int) -> tuple[list[date], list[float]]:
    rng = np.random.default_rng(seed)
    days = np.sort(rng.uniform(0, 1000, n))
    values = 5.0 * 2 ** (days / doubling) * np.exp2(rng.normal(0, noise, n))
    return [START + timedelta(days=float(d)) for d in days], list(values)


def test_noise_free_doubling_time_is_exact() -> None:
    dates, values = _log_linear(150.0, 12, 0.0, seed=1)
    fit = fit_trend(dates, values)
    # dates are rounded to whole days, so the slope is exact only up to that rounding
    assert fit.doubling_days == pytest.approx(150.0, rel=2e-3)
    assert fit.r2 == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("doubling", [90.0, 210.0])
def test_noisy_doubling_time_is_recovered_and_covered(doubling: float) -> None:
    covered = 0
    for seed in range(20):
        dates, values = _log_linear(doubling, 25, 0.4, seed)
        fit = fit_trend(dates, values, n_boot=1000, seed=seed)
        low, high = fit.doubling_interval
        assert low is not None and high is not None and low < fit.doubling_days < high  # type: ignore[operator]
        covered += low <= doubling <= high
    assert covered >= 16, f"95% interval covered the true doubling time in only {covered}/20 runs"


def test_logistic_forecast_finds_the_true_crossing_date() -> None:
    k, t0 = 0.01, 600.0  # logit slope per day and midpoint (50%) day
    days = np.linspace(0, 700, 15)
    values = 100 / (1 + np.exp(-k * (days - t0)))
    dates = [START + timedelta(days=float(d)) for d in days]
    fit = fit_trend(dates, list(values), ceiling=100.0)
    truth = START + timedelta(days=t0 + math.log(0.9 / 0.1) / k)
    forecast = fit.forecast(90.0)
    assert forecast.date is not None and abs((forecast.date - truth).days) <= 1
    assert fit.predict(truth)[0] == pytest.approx(90.0, abs=0.2)
    with pytest.raises(FitError, match="out of reach"):
        fit.forecast(100.0)


def test_noisy_logistic_interval_contains_the_truth() -> None:
    rng = np.random.default_rng(7)
    k, t0 = 0.008, 500.0
    days = np.sort(rng.uniform(0, 600, 30))
    values = 100 / (1 + np.exp(-(k * (days - t0) + rng.normal(0, 0.3, days.size))))
    fit = fit_trend([START + timedelta(days=float(d)) for d in days], list(values), ceiling=100.0)
    truth = START + timedelta(days=t0 + math.log(9) / k)
    forecast = fit.forecast(90.0)
    assert forecast.low is not None and forecast.high is not None
    assert forecast.low <= truth <= forecast.high


def test_fits_are_deterministic_and_bands_bracket_the_line() -> None:
    dates, values = _log_linear(120.0, 20, 0.3, seed=3)
    a, b = fit_trend(dates, values), fit_trend(dates, values)
    assert a.doubling_interval == b.doubling_interval and a.forecast(1e4) == b.forecast(1e4)
    grid = [START + timedelta(days=d) for d in range(0, 1000, 100)]
    low, high = a.band(grid)
    line = a.predict(grid)
    assert (low <= line).all() and (line <= high).all()


def test_bad_inputs_are_refused_with_reasons() -> None:
    with pytest.raises(FitError, match="at least 3"):
        fit_trend([START, START + timedelta(days=1)], [1.0, 2.0])
    with pytest.raises(FitError, match="one date"):
        fit_trend([START] * 4, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(FitError, match="positive"):
        fit_trend([START + timedelta(days=i) for i in range(3)], [1.0, 0.0, 2.0])


def test_flat_trend_has_no_doubling_time_and_an_open_forecast() -> None:
    dates = [START + timedelta(days=30 * i) for i in range(6)]
    fit = fit_trend(dates, [10.0, 9.0, 11.0, 10.0, 9.5, 10.2])
    forecast = fit.forecast(1000.0)
    assert fit.doubling_interval[1] is None or fit.slope_low <= 0
    assert forecast.high is None


def test_wilson_interval_matches_the_formula() -> None:
    low, high = wilson_interval(50.0, 100)
    assert round(low, 2) == 40.38 and round(high, 2) == 59.62
    assert wilson_interval(100.0, 500)[1] == pytest.approx(100.0)
