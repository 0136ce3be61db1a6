"""Saturation, conflicts, reporting gaps, graph measures and the automation index on both stores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.analytics.config import load_config
from graph.analytics.conflicts import agree, conflicts, reporting_gaps
from graph.analytics.index import automation_index
from graph.analytics.network import network_report
from graph.analytics.saturation import saturation, saturation_report
from graph.analytics.select import Filters
from graph.analytics.timeline import timeline
from graph.errors import SettingsError
from graph.model import Benchmark, Document, DocumentKind, Unit
from graph.schema import RelType
from graph.store import GraphStore
from tests.analytics.world import claim, doc, percent_world


def test_timeline_ties_and_intervals(store: GraphStore) -> None:
    percent_world(store)
    result = timeline(store, "codebench")
    assert [(s.value, s.tied) for s in result.frontier] == [(30.0, False), (31.0, True), (55.0, False), (82.5, False)]
    body = result.as_dict()
    low, high = body["claims"][0]["interval"]  # type: ignore[index]
    assert low < 30.0 < high and high - low < 10


def test_saturation_states_and_forecast(store: GraphStore) -> None:
    percent_world(store)
    quiz = saturation(store, "quizbench")
    code = saturation(store, "codebench")
    assert quiz is not None and quiz.status == "saturated" and quiz.headroom == pytest.approx(3.5)
    assert code is not None and code.status == "open" and code.beats_human is True
    assert code.forecast is not None and code.forecast.threshold == 95.0
    report = saturation_report(store)
    assert [s.benchmark.id for s in report] == ["quizbench", "codebench"]
    assert saturation(store, "quizbench", Filters(as_of=date(2025, 12, 31))) is None  # recorded on 2026-01-01


def test_conflicts_respect_precision_and_documents(store: GraphStore) -> None:
    assert agree(49, 49.0) and agree(72.5, 72.52) and agree(96, 96.5) and not agree(72.5, 72.7)
    percent_world(store)
    before = {(c.model_id, c.benchmark_id): c for c in conflicts(store)}
    assert set(before) == {("b2", "codebench"), ("a2", "codebench")}  # quizbench 96.5 vs 96: within precision
    assert before["b2", "codebench"].spread == pytest.approx(8.0)
    store.upsert([doc(9)])
    store.upsert([claim("a2", "codebench", 57.0, date(2024, 6, 3), document=9), claim("a2", "codebench", 55.0,
                  date(2024, 6, 4), document=9, setting="pass@1")])  # fmt: skip
    found = {(c.model_id, c.setting): c for c in conflicts(store, benchmark_id="codebench")}
    assert ("a2", "pass@1") not in found, "one document, one setting: nothing to conflict with"
    assert {c.value for c in found["a2", None].claims} == {55.0, 57.0, 50.0}
    assert found["a2", None].spread == pytest.approx(7.0)


def test_reporting_gap_is_self_minus_independent(store: GraphStore) -> None:
    percent_world(store)
    gaps = {g.organization_id: g for g in reporting_gaps(store)}
    assert gaps["lab-b"].mean == pytest.approx((8.0 + 0.5) / 2)
    assert gaps["lab-a"].mean == pytest.approx((5.0 + 0.0) / 2)
    assert list(gaps) == ["lab-b", "lab-a"]


def test_network_measures(store: GraphStore) -> None:
    percent_world(store)
    store.upsert([Benchmark(id="lonely", name="Lonely"), doc(7)])
    store.upsert([claim("a1", "lonely", 10.0, date(2024, 2, 1), document=7)])
    paper = Document(id="arxiv:2401.00001", kind=DocumentKind.PAPER, title="CodeBench: a benchmark")
    store.upsert([paper])
    store.upsert_relationships(RelType.INTRODUCES, [(paper.id, "codebench")])
    report = network_report(store)
    assert ["codebench", "quizbench"] in report.communities and ["lonely"] in report.communities
    assert report.central["Benchmark"][0].id == "codebench"
    assert {r.id for r in report.central["Organization"]} == {"lab-a", "lab-b"}
    assert report.introducing[0].document_id == paper.id and report.introducing[0].claims == 6


def test_automation_index_by_hand(store: GraphStore, tmp_path: Path) -> None:
    percent_world(store)
    store.upsert([Benchmark(id="horizon", name="Horizon", unit=Unit.MINUTES), doc(8)])
    store.upsert([claim("b2", "horizon", 100.0, date(2025, 1, 5), document=8, unit=Unit.MINUTES)])
    config = tmp_path / "analytics.yaml"
    config.write_text(
        "index:\n  areas:\n"
        "    - {id: coding, name: Coding, weight: 0.5, benchmarks: [{id: codebench, threshold: 90, weight: 1}]}\n"
        "    - {id: autonomy, name: Autonomy, weight: 0.3, benchmarks: [{id: horizon, threshold: 10000, floor: 1}]}\n"
        "    - {id: empty, name: Empty, weight: 0.2, benchmarks: [{id: nothing-here, threshold: 50}]}\n"
    )
    result = automation_index(store, config=load_config(config))
    coding, autonomy, empty = result.areas
    assert coding.progress == pytest.approx(82.5 / 90)
    assert autonomy.progress == pytest.approx(0.5)  # log(100)/log(10000)
    assert empty.progress is None and result.missing == ["empty"]
    assert result.coverage == pytest.approx(0.8)
    assert result.value == pytest.approx(100 * (0.5 * 82.5 / 90 + 0.3 * 0.5) / 0.8)
    assert result.interval is not None and result.interval[0] < result.value < result.interval[1]  # type: ignore[operator]
    earlier = automation_index(store, at=date(2024, 12, 31), config=load_config(config))
    assert earlier.areas[0].progress == pytest.approx(55.0 / 90) and earlier.areas[1].progress is None


def test_bundled_index_config_and_bad_files(tmp_path: Path) -> None:
    config = load_config()
    assert {a.id for a in config.index.areas} >= {"coding", "long-horizon-autonomy", "research-replication",
                                                   "ml-engineering", "kernel-optimisation", "post-training",
                                                   "agent-orchestration"}  # fmt: skip
    bad = tmp_path / "bad.yaml"
    bad.write_text("index:\n  areas:\n    - {id: x, name: X, weight: -1, benchmarks: [{id: b, threshold: 1}]}\n")
    with pytest.raises(SettingsError, match=r"bad.yaml.*index.areas.0.weight"):
        load_config(bad)
