"""The bundled sample: valid, complete provenance, and the series analysts expect."""

from __future__ import annotations

import csv

from graph.embedded import EmbeddedStore
from graph.model import Claim, Model
from graph.schema import Label
from graph.store import ClaimQuery, iter_claims
from ingest.curated import CSV_COLUMNS, SAMPLE_DIR, load_entities, load_sample


def test_sample_loads_without_skips_or_unknown_entities(embedded_store: EmbeddedStore) -> None:
    report = load_sample(embedded_store)
    assert report.skipped == []
    assert report.new_models == set() and report.new_benchmarks == set()
    assert report.rows >= 60 + 25 and report.imported == report.rows + 25  # METR's 25 entries give two claims each
    again = load_sample(embedded_store)
    assert again.imported == report.imported
    assert embedded_store.counts().nodes["Claim"] == report.imported


def test_every_sample_claim_traces_to_a_source(embedded_store: EmbeddedStore) -> None:
    load_sample(embedded_store)
    claims = list(iter_claims(embedded_store, ClaimQuery()))
    assert all(isinstance(c, Claim) and c.source_url and c.source_url.startswith("https://") for c in claims)
    assert all(
        c.evidence_sentence and (c.evidence_end or 0) - (c.evidence_start or 0) == len(c.evidence_sentence)
        for c in claims
    )
    docs = {c.document_id for c in claims}
    assert all(embedded_store.get(Label.DOCUMENT, d) is not None for d in docs)


def test_sample_holds_the_headline_series(embedded_store: EmbeddedStore) -> None:
    load_sample(embedded_store)
    swe = embedded_store.benchmark_claims("swe-bench-verified")
    metr = embedded_store.benchmark_claims("metr-time-horizon-50")
    assert len(swe) >= 10 and len(metr) >= 10
    assert {c.unit.value for c in metr} == {"minutes"}
    assert swe[0].reported_date.year == 2024 and swe[-1].reported_date.year >= 2025
    entities = load_entities(SAMPLE_DIR / "entities.yaml")
    orgs = {o.id for o in entities.organizations}
    assert all(isinstance(m, Model) and m.organization_id in orgs for m in entities.models)


def test_sample_csv_has_the_import_header() -> None:
    with (SAMPLE_DIR / "claims.csv").open(encoding="utf-8") as f:
        assert tuple(next(csv.reader(f))) == CSV_COLUMNS
