"""Building the graph from stored documents: provenance, idempotence, supersession on re-extraction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from graph.model import Claim, SourceKind
from graph.schema import Label, RelType
from graph.store import ClaimQuery, GraphStore
from ingest.build import build
from ingest.docstore import DocStore
from ingest.documents import SourceDocument, Table
from ingest.nlp.pipeline import Extractor
from ingest.nlp.registry import default_registry

TEXT = (
    "Introducing Nimbus-3\n\n"
    "Nimbus-3 scores 71.2% on SWE-bench Verified, the first model to break 70% on it, ahead of GPT-4o (33.2%)."
)


def announcement(text: str = TEXT) -> SourceDocument:
    return SourceDocument(
        doc_id="url:https://nimbus.example/blog/nimbus-3", source="feed:nimbus", kind="announcement",
        url="https://nimbus.example/blog/nimbus-3", title="Introducing Nimbus-3", text=text,
        published=date(2026, 3, 2),
        tables=[Table(caption="More results", header=["Model", "GPQA Diamond"], rows=[["Nimbus-3", "81.5%"]])],
    )  # fmt: skip


@pytest.fixture
def extractor() -> Iterator[Extractor]:
    from ingest.nlp.pipeline import load_pipeline

    yield Extractor(load_pipeline(use_embeddings=False))


def run(store: GraphStore, docstore: DocStore, extractor: Extractor) -> int:
    return build(store, docstore, extractor, default_registry()).claims


def test_claims_land_in_the_graph_with_provenance(store: GraphStore, docstore: DocStore, extractor: Extractor) -> None:
    store.init_schema()
    docstore.commit("feed:nimbus", [announcement()])
    assert run(store, docstore, extractor) == 3
    claims = {c.value: c for c in store.list_claims(ClaimQuery(), limit=100).items}
    nimbus = claims[71.2]
    assert isinstance(nimbus, Claim) and nimbus.benchmark_id == "swe-bench-verified"
    assert nimbus.evidence_sentence.startswith("Nimbus-3 scores 71.2%")
    assert TEXT[nimbus.evidence_start : nimbus.evidence_end] == nimbus.evidence_sentence  # type: ignore[misc]
    assert nimbus.reported_date == date(2026, 3, 2) and nimbus.source_url.endswith("nimbus-3")  # type: ignore[union-attr]
    assert claims[33.2].model_id == "gpt-4o-2024-05-13" and claims[33.2].source_kind is SourceKind.THIRD_PARTY
    model = store.get(Label.MODEL, nimbus.model_id)
    assert model is not None and model.verified is False  # type: ignore[attr-defined]
    assert 81.5 in claims  # from the structured table
    milestones = store.list_nodes(Label.MILESTONE).items
    assert [m.kind for m in milestones] == ["threshold_crossed"]  # type: ignore[attr-defined]
    assert any(n.rel is RelType.EVIDENCED_BY for n in store.neighbours(Label.MILESTONE, milestones[0].id))


def test_rebuild_adds_nothing_and_edits_supersede(
    store: GraphStore, docstore: DocStore, extractor: Extractor, tmp_path: Path
) -> None:
    store.init_schema()
    docstore.commit("feed:nimbus", [announcement()])
    run(store, docstore, extractor)
    before = store.counts()
    assert run(store, docstore, extractor) == 0 and store.counts() == before
    docstore.commit("feed:nimbus", [announcement(TEXT.replace("71.2%", "72.0%"))])
    run(store, docstore, extractor)
    current = {c.value for c in store.list_claims(ClaimQuery(), limit=100).items}
    assert 72.0 in current and 71.2 not in current
    every = store.list_claims(ClaimQuery(include_superseded=True), limit=100).items
    assert 71.2 in {c.value for c in every}
