"""The analytics parameters file (thresholds, weights, defaults), validated once when loaded."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.errors import SettingsError

BUNDLED = Path(__file__).with_name("analytics.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BenchmarkTrend(_Strict):
    exclude_above: float | None = Field(None, gt=0)
    threshold: float | None = Field(None, gt=0)


class TrendConfig(_Strict):
    bootstrap_resamples: int = Field(1000, ge=100, le=100_000)
    seed: int = 20260101
    bounded_threshold_fraction: float = Field(0.9, gt=0, lt=1)
    recent_window_days: int = Field(365, ge=30)
    min_points: int = Field(3, ge=3)
    benchmarks: dict[str, BenchmarkTrend] = Field(default_factory=dict)


class SaturationConfig(_Strict):
    near_fraction: float = Field(0.9, gt=0, le=1)
    saturated_fraction: float = Field(0.95, gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> SaturationConfig:
        if self.near_fraction > self.saturated_fraction:
            raise ValueError("saturation.near_fraction must not exceed saturation.saturated_fraction")
        return self


class MilestoneConfig(_Strict):
    percent_thresholds: list[float] = Field(default_factory=lambda: [50.0, 80.0, 90.0])
    horizon_benchmarks: list[str] = Field(default_factory=lambda: ["metr-time-horizon-50"])
    horizon_thresholds_minutes: list[float] = Field(default_factory=lambda: [60.0, 240.0, 480.0, 2400.0])


class SignalConfig(_Strict):
    large_jump_points: float = Field(10.0, gt=0)
    large_jump_ratio: float = Field(2.0, gt=1)
    rd_capabilities: list[str] = Field(default_factory=list)


class IndexBenchmark(_Strict):
    id: str
    threshold: float = Field(gt=0)
    weight: float = Field(1.0, gt=0)
    floor: float | None = Field(None, gt=0)


class IndexArea(_Strict):
    id: str
    name: str
    weight: float = Field(gt=0)
    benchmarks: list[IndexBenchmark] = Field(min_length=1)


class IndexConfig(_Strict):
    areas: list[IndexArea] = Field(min_length=1)


class AnalyticsConfig(_Strict):
    trends: TrendConfig = Field(default_factory=TrendConfig)
    saturation: SaturationConfig = Field(default_factory=SaturationConfig)
    milestones: MilestoneConfig = Field(default_factory=MilestoneConfig)
    signals: SignalConfig = Field(default_factory=SignalConfig)
    index: IndexConfig

    def benchmark_trend(self, benchmark_id: str) -> BenchmarkTrend:
        return self.trends.benchmarks.get(benchmark_id, BenchmarkTrend())


def load_config(path: Path | None = None) -> AnalyticsConfig:
    """Read and validate an analytics file (the bundled one by default); errors name the file and key."""
    where = path or BUNDLED
    try:
        raw = yaml.safe_load(where.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise SettingsError(f"AUTOSCOPE_ANALYTICS_FILE={str(where)!r} cannot be read: {e}") from e
    try:
        return AnalyticsConfig.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise SettingsError(f"AUTOSCOPE_ANALYTICS_FILE={str(where)!r} is invalid at {key}: {first['msg']}") from e


_active_file: Path | None = None


def use_file(path: Path | None) -> None:
    """Make ``path`` (AUTOSCOPE_ANALYTICS_FILE; None: the bundled file) the parameters every analysis uses.

    Called once by each entry point that has the settings (CLI commands, ``create_app``, notebooks),
    so analyses called without an explicit ``config`` honour the setting too.
    """
    global _active_file
    _active_file = path


def default_config() -> AnalyticsConfig:
    """The parameters in use: the configured file (see :func:`use_file`), else the bundled one; read once."""
    return _cached(_active_file)


@cache
def _cached(path: Path | None) -> AnalyticsConfig:
    return load_config(path)
