"""Trend fits from the store, on both backends: the METR check, known synthetic trends, windows, as-of."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.analytics.select import Filters
from graph.analytics.trends import trend
from graph.model import Claim, Model, SourceKind, Unit
from graph.store import ClaimQuery, GraphStore, NotFoundError
from ingest.curated import load_sample
from tests.analytics.world import EPOCH, claim, doc, horizon_world, percent_world

# METR, Time Horizon 1.1 (May 2026 release, https://metr.org/assets/benchmark_results_1_1.yaml):
# frontier doubling time since 2023, points above 16 hours excluded: 128.744 days.
METR_DOUBLING_DAYS = 128.744
METR_SUITE = "METR-Horizon-v1.1"
METR_FILE_URL = "https://metr.org/assets/benchmark_results_1_1.yaml"


def test_metr_doubling_time_is_reproduced(store: GraphStore) -> None:
    store.init_schema()
    load_sample(store)
    result = trend(store, "metr-time-horizon-50", since=date(2023, 1, 1), filters=Filters(setting=METR_SUITE))
    assert result.kind == "log-linear" and result.fit is not None
    assert result.fit.doubling_days == pytest.approx(METR_DOUBLING_DAYS, abs=1.0)
    low, high = result.fit.doubling_interval
    assert low is not None and high is not None and low < METR_DOUBLING_DAYS < high
    assert len(result.points) == 14 and result.settings == [METR_SUITE]
    rows = {r.id: r for r in store.claim_rows(ClaimQuery(benchmark_id="metr-time-horizon-50"))}
    assert {rows[p.claim_id].source_url for p in result.points} == {METR_FILE_URL}, "the May release revises January's"
    assert [p.model_id for p in result.points][:2] == ["gpt-4-0314", "gpt-4-1106-preview"]
    assert result.points[-1].model_id == "claude-opus-4-6"


def test_metr_excludes_points_above_16_hours_but_lists_them(store: GraphStore) -> None:
    store.init_schema()
    load_sample(store)
    store.upsert([Model(id="fiction-9", name="Fiction 9", release_date=date(2026, 4, 1)), doc("fiction")])
    store.upsert([claim("fiction-9", "metr-time-horizon-50", 1500.0, date(2026, 5, 6), document="fiction",
                        unit=Unit.MINUTES, setting=METR_SUITE)])  # fmt: skip
    result = trend(store, "metr-time-horizon-50", since=date(2023, 1, 1), filters=Filters(setting=METR_SUITE))
    assert result.fit is not None and result.fit.doubling_days == pytest.approx(METR_DOUBLING_DAYS, abs=1.0)
    [(point, reason)] = result.excluded
    assert point.model_id == "fiction-9" and "960" in reason


def test_metr_check_through_the_cli() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["up", "--no-serve"], env={"AUTOSCOPE_OFFLINE": "true"}).exit_code == 0
    result = runner.invoke(
        app, ["trends", "metr-time-horizon-50", "--since", "2023-01-01", "--setting", METR_SUITE, "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert abs(body["doubling_time_days"] - METR_DOUBLING_DAYS) < 1.0
    assert len(body["doubling_time_interval_days"]) == 2 and body["n_points"] == len(body["points"]) == 14
    assert body["forecast"]["threshold"] == 2400 and body["forecast"]["date"] > "2026-02-05"


def test_known_doubling_time_by_release_date(store: GraphStore) -> None:
    horizon_world(store, doubling_days=100.0)
    result = trend(store, "horizon")
    assert result.fit is not None and result.fit.doubling_days == pytest.approx(100.0, rel=0.01)
    assert all(p.model_id.startswith("m") for p in result.points), "weaker models are not on the frontier"
    by_report = trend(store, "horizon", date_basis="reported")
    assert by_report.fit is None and any("at least" in w for w in by_report.warnings)


def test_window_and_all_points(store: GraphStore) -> None:
    horizon_world(store, doubling_days=100.0)
    windowed = trend(store, "horizon", since=EPOCH + timedelta(days=300), until=EPOCH + timedelta(days=600))
    assert windowed.points and all(EPOCH + timedelta(days=300) <= p.date <= EPOCH + timedelta(days=600)
                                   for p in windowed.points)  # fmt: skip
    everything = trend(store, "horizon", frontier_only=False)
    assert len(everything.points) > len(trend(store, "horizon").points)


def test_as_of_sees_only_claims_recorded_by_then(store: GraphStore) -> None:
    horizon_world(store, doubling_days=100.0, months=12)
    later = [
        Model(id="late", name="Late", release_date=EPOCH + timedelta(days=400)),
    ]
    store.upsert(later)
    store.upsert([claim("late", "horizon", 9000.0, date(2026, 8, 1), unit=Unit.MINUTES,
                        recorded=datetime(2026, 8, 2, tzinfo=UTC))])  # fmt: skip
    now = trend(store, "horizon")
    before = trend(store, "horizon", filters=Filters(as_of=date(2026, 7, 1)))
    assert now.points[-1].model_id == "late"
    assert "late" not in {p.model_id for p in before.points}


def test_bounded_forecasts_threshold_and_human_baseline(store: GraphStore) -> None:
    percent_world(store)
    result = trend(store, "codebench")
    assert result.kind == "logistic" and result.fit is not None
    targets = {f.threshold: f for f in result.forecasts}
    assert set(targets) == {90.0, 70.0}
    assert targets[70.0].reached and targets[70.0].date == date(2025, 1, 5)
    assert not targets[90.0].reached and targets[90.0].date is not None and targets[90.0].date > date(2025, 1, 5)
    custom = trend(store, "codebench", threshold=99.0)
    assert custom.forecasts[0].threshold == 99.0 and custom.forecasts[0].date > targets[90.0].date  # type: ignore[operator]


def test_acceleration_detected_on_a_kinked_series(store: GraphStore) -> None:
    store.init_schema()
    horizon_world(store, doubling_days=200.0, months=24)
    fast = []
    for i in range(1, 13):
        released = EPOCH + timedelta(days=30 * 23 + 30 * i)
        fast.append(Model(id=f"f{i:02d}", name=f"Fast {i}", release_date=released))
    store.upsert(fast)
    base = 2.0 * 2 ** ((30 * 23) / 200.0)
    store.upsert([claim(m.id, "horizon", round(base * 2 ** (30 * i / 60.0), 4), date(2026, 6, 1), unit=Unit.MINUTES)
                  for i, m in enumerate(fast, 1)])  # fmt: skip
    kinked = trend(store, "horizon")
    assert kinked.acceleration is not None and kinked.acceleration.significant
    assert kinked.acceleration.recent_doubling_days == pytest.approx(60.0, rel=0.15)


def test_straight_series_is_not_accelerating(store: GraphStore) -> None:
    horizon_world(store, doubling_days=100.0, months=30)
    acc = trend(store, "horizon").acceleration
    assert acc is not None and not acc.significant


def test_unknown_benchmark_and_flagged_claims(store: GraphStore) -> None:
    percent_world(store)
    with pytest.raises(NotFoundError):
        trend(store, "nope")
    plain = trend(store, "quizbench", frontier_only=False)
    flagged = trend(store, "quizbench", frontier_only=False, filters=Filters(include_flagged=True))
    assert 99.0 not in [p.value for p in plain.points] and 99.0 in [p.value for p in flagged.points]


def test_hours_are_converted_to_the_benchmarks_minutes(store: GraphStore) -> None:
    horizon_world(store, months=6)
    store.upsert([Model(id="h", name="H", release_date=EPOCH + timedelta(days=400))])
    hours = Claim(
        document_id=doc(0).id, model_id="h", benchmark_id="horizon", value=2.0, unit=Unit.HOURS,
        source_kind=SourceKind.CURATED, reported_date=date(2026, 6, 1),
    )  # fmt: skip
    store.upsert([hours])
    points = {p.model_id: p.value for p in trend(store, "horizon", frontier_only=False).points}
    assert points["h"] == pytest.approx(120.0)
