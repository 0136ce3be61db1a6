"""Computed milestones and signals: what they say, the evidence edges, idempotence, stale removal, as-of."""

from __future__ import annotations

from datetime import UTC, date, datetime

from graph.analytics.events import compute, derive, list_events
from graph.model import Milestone, Signal
from graph.schema import Label, RelType
from graph.store import GraphStore, iter_nodes
from ingest.curated import load_sample
from tests.analytics.world import claim, doc, percent_world


def _computed(store: GraphStore, label: Label) -> list[Milestone | Signal]:
    return [n for n in iter_nodes(store, label) if getattr(n, "origin", "") == "computed"]  # type: ignore[misc]


def test_milestones_from_the_frontier(store: GraphStore) -> None:
    percent_world(store)
    milestones, _ = compute(store)
    code = {(m.kind, m.threshold): m for m in milestones if m.benchmark_id == "codebench"}
    sota = [m for m in milestones if m.kind == "new_sota" and m.benchmark_id == "codebench"]
    assert [m.model_id for m in sota] == ["a2", "b2"], "the tied step (31 vs 30 on 500 items) is not a record"
    assert code[("threshold_crossed", 50.0)].model_id == "a2" and code[("threshold_crossed", 80.0)].model_id == "b2"
    assert code[("first_above_human", 70.0)].date == date(2025, 1, 5)
    assert (
        "Lab" not in code[("first_above_human", 70.0)].description
        and "B2" in code[("first_above_human", 70.0)].description
    )


def test_signals_large_jump_and_rd_saturation(store: GraphStore) -> None:
    percent_world(store)
    _, signals = compute(store)
    jumps = [s for s in signals if s.kind == "large_sota_jump"]
    assert {tuple(s.based_on) for s in jumps} and all(len(s.based_on) == 2 for s in jumps)
    assert {s.date for s in jumps} == {date(2024, 6, 1), date(2025, 1, 5)}
    assert all(0 <= s.score <= 1 and s.capability_id == "coding" for s in jumps)
    assert not [s for s in signals if s.kind == "rd_benchmark_saturation"], "quizbench is not an R&D benchmark"


def test_derive_writes_evidence_edges_and_is_idempotent(store: GraphStore) -> None:
    store.init_schema()
    load_sample(store)
    first = derive(store)
    assert first.milestones > 10 and first.signals > 3
    counts = store.counts()
    again = derive(store)
    assert (again.milestones, again.signals, again.removed) == (first.milestones, first.signals, 0)
    assert store.counts() == counts
    horizon = [m for m in _computed(store, Label.MILESTONE) if m.kind == "horizon_crossed"]
    assert {m.threshold for m in horizon} >= {60.0, 240.0}
    edges = store.neighbours(Label.MILESTONE, horizon[0].id, RelType.EVIDENCED_BY)
    assert [e.id for e in edges] == horizon[0].claim_ids  # type: ignore[union-attr]
    signal = next(s for s in _computed(store, Label.SIGNAL) if s.kind == "horizon_milestone")
    assert [n.id for n in store.neighbours(Label.SIGNAL, signal.id, RelType.BASED_ON)] == signal.based_on  # type: ignore[union-attr]


def test_stale_computed_events_are_removed(store: GraphStore) -> None:
    percent_world(store)
    derive(store)
    record = next(m for m in _computed(store, Label.MILESTONE) if m.kind == "new_sota" and m.model_id == "b2")
    store.upsert([doc(20)])
    fix = claim("b2", "codebench", 58.0, date(2025, 1, 5), document=20, recorded=datetime(2026, 2, 1, tzinfo=UTC))
    store.upsert([fix])
    store.supersede(record.claim_ids, fix.id)
    report = derive(store)
    assert report.removed >= 1
    assert record.id not in {m.id for m in _computed(store, Label.MILESTONE)}


def test_list_events_today_and_as_of(store: GraphStore) -> None:
    percent_world(store)
    derive(store)
    today = list_events(store, Label.MILESTONE, benchmark_id="codebench")
    assert today and [m.date for m in today] == sorted((m.date for m in today), reverse=True)
    assert list_events(store, Label.MILESTONE, as_of=date(2025, 12, 31)) == []
    since = list_events(store, Label.SIGNAL, since=date(2025, 1, 1))
    assert since and all(s.date >= date(2025, 1, 1) for s in since)
