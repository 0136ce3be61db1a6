"""SOTA timelines on both stores: running best by report date, ties, filters, as-of."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.analytics.timeline import timeline, wilson_interval
from graph.model import Benchmark, Claim, Document, DocumentKind, Model, SourceKind, Unit
from graph.store import GraphStore, NotFoundError
from ingest.curated import load_sample


def test_wilson_interval_matches_the_formula() -> None:
    low, high = wilson_interval(50.0, 100)
    assert round(low, 2) == 40.38 and round(high, 2) == 59.62
    assert wilson_interval(100.0, 500)[1] == pytest.approx(100.0)


def test_sample_frontier_is_monotonic_one_step_per_date(store: GraphStore) -> None:
    store.init_schema()
    load_sample(store)
    result = timeline(store, "swe-bench-verified")
    values = [s.value for s in result.frontier]
    dates = [s.date for s in result.frontier]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert len(result.claims) >= len(result.frontier) >= 5
    best = max(c.value for c in result.claims)
    assert result.frontier[-1].value == best
    assert {s.claim_id for s in result.frontier} <= {c.id for c in result.claims}


def _world(store: GraphStore, item_count: int | None) -> None:
    store.init_schema()
    store.upsert([
        Model(id="a", name="A", open_weights=True), Model(id="b", name="B", open_weights=False),
        Benchmark(id="bench", name="Bench", item_count=item_count),
        Document(id="url:https://example.org/d", kind=DocumentKind.WEBPAGE),
    ])  # fmt: skip
    rows = [("a", 40.0, date(2025, 1, 1)), ("b", 41.0, date(2025, 2, 1)), ("a", 39.0, date(2025, 2, 1)),
            ("b", 60.0, date(2025, 3, 1)), ("a", 55.0, date(2025, 4, 1))]  # fmt: skip
    store.upsert([
        Claim(document_id="url:https://example.org/d", model_id=m, benchmark_id="bench", value=v, unit=Unit.PERCENT,
              source_kind=SourceKind.CURATED, reported_date=d)
        for m, v, d in rows
    ])  # fmt: skip


def test_ties_and_filters(store: GraphStore) -> None:
    _world(store, item_count=100)
    steps = timeline(store, "bench").frontier
    assert [(s.value, s.tied) for s in steps] == [(40.0, False), (41.0, True), (60.0, False)]
    open_only = timeline(store, "bench", open_weights=True).frontier
    assert [s.value for s in open_only] == [40.0, 55.0]
    early = timeline(store, "bench", date_to=date(2025, 2, 15)).frontier
    assert [s.value for s in early] == [40.0, 41.0]
    with pytest.raises(NotFoundError):
        timeline(store, "no-such-bench")


def test_timeline_cli_json() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["up", "--no-serve"]).exit_code == 0
    out = runner.invoke(app, ["timeline", "metr-time-horizon-50", "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["benchmark"] == "metr-time-horizon-50"
    assert {"date", "value", "unit", "model", "claim_id", "tied"} == set(body["frontier"][0])
    assert all(step["unit"] == "minutes" for step in body["frontier"])
    missing = runner.invoke(app, ["timeline", "nope"])
    assert missing.exit_code == 1 and "no benchmark" in missing.stderr
