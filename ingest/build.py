"""Build the graph from the document store: extraction, resolution, batched upserts.

Documents that are new, changed, or extracted by an older extractor version go through the
NLP pipeline; their claims, milestones and signals are written with full provenance in one
store call per batch, and the documents are marked as extracted afterwards, so a killed
build resumes where it stopped and a rerun adds nothing. When a document is re-extracted,
its previous claims that the new extraction restates differently (same model and benchmark)
are superseded, never deleted: as-of reads still see them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from graph.model import (
    Benchmark,
    Claim,
    Document,
    DocumentKind,
    Milestone,
    Model,
    Node,
    Organization,
    Signal,
    SourceKind,
    Unit,
)
from graph.schema import Label
from graph.store import ClaimQuery, GraphStore, iter_claims
from ingest.curated import slug
from ingest.docstore import DocStore
from ingest.documents import SourceDocument
from ingest.nlp.pipeline import EXTRACTOR_VERSION, ExtractedClaim, Extraction, Extractor
from ingest.nlp.registry import Registry

KINDS = {"paper": DocumentKind.PAPER, "announcement": DocumentKind.ANNOUNCEMENT, "webpage": DocumentKind.WEBPAGE}


@dataclass
class BuildReport:
    """What a build did."""

    documents: int = 0
    claims: int = 0
    milestones: int = 0
    signals: int = 0
    superseded: int = 0
    needs_review: int = 0


def registry_nodes(registry: Registry) -> list[Node]:
    """The registries as verified graph entities (organisations, models, benchmarks)."""
    nodes: list[Node] = [Organization(id=o, name=n) for o, n in registry.organizations.items()]
    for m in registry.models.values():
        org = m.organization if m.organization in registry.organizations else None
        nodes.append(
            Model(
                id=m.id,
                name=m.name,
                aliases=list(m.aliases),
                organization_id=org,
                release_date=m.release_date,
                open_weights=m.open_weights,
            )
        )
    for b in registry.benchmarks.values():
        nodes.append(
            Benchmark(
                id=b.id,
                name=b.name,
                aliases=list(b.aliases),
                variant_of=b.variant_of,
                unit=Unit(b.unit),
                ceiling=b.ceiling,
                human_baseline=b.human_baseline,
                item_count=b.item_count,
                capabilities=list(b.capabilities),
            )
        )
    return nodes


def _entities(claim: ExtractedClaim, registry: Registry) -> tuple[str, str, list[Node]]:
    """Graph ids of a claim's model and benchmark, with new unverified entities for unknown names."""
    new: list[Node] = []
    model_id = claim.model_id or f"unverified:{slug(claim.model)}"
    if claim.model_id is None:
        org = claim.organization if claim.organization in registry.organizations else None
        new.append(Model(id=model_id, name=claim.model, organization_id=org, verified=False))
    bench_id = claim.benchmark_id or f"unverified:{slug(claim.benchmark)}"
    if claim.benchmark_id is None:
        parent = claim.benchmark_parent if claim.benchmark_parent in registry.benchmarks else None
        unit = registry.benchmarks[parent].unit if parent else claim.unit
        new.append(Benchmark(id=bench_id, name=claim.benchmark, variant_of=parent, unit=Unit(unit), verified=False))
    return model_id, bench_id, new


def to_nodes(doc: SourceDocument, result: Extraction, registry: Registry) -> tuple[Document, list[Node], list[Claim]]:
    """The graph nodes for one document's extraction."""
    org = doc.organization_id if doc.organization_id in registry.organizations else None
    document = Document(
        id=doc.doc_id, kind=KINDS.get(doc.kind, DocumentKind.WEBPAGE), title=doc.title[:2000], url=doc.url,
        source=doc.source, published=doc.published, organization_id=org, authors=doc.authors[:50],
    )  # fmt: skip
    reported = doc.published or doc.updated or doc.fetched_at.date()
    nodes: list[Node] = []
    claims: list[Claim] = []
    for c in result.claims:
        model_id, bench_id, new = _entities(c, registry)
        nodes += new
        kind = SourceKind.SELF_REPORTED if c.self_reported else SourceKind.THIRD_PARTY
        claims.append(
            Claim(document_id=doc.doc_id, model_id=model_id, benchmark_id=bench_id, value=c.value, unit=Unit(c.unit),
                  metric=c.metric, setting=c.setting, source_kind=kind, source_url=doc.url, reported_date=reported,
                  evidence_sentence=c.sentence, evidence_start=c.start, evidence_end=c.end,
                  extractor_version=EXTRACTOR_VERSION, confidence=c.confidence, needs_review=c.needs_review)
        )  # fmt: skip
    for m in result.milestones:
        nodes.append(
            Milestone(
                kind=m.kind,
                date=reported,
                description=m.sentence[:500],
                benchmark_id=_ref(claims, m.claims, "b"),
                model_id=_ref(claims, m.claims, "m"),
                threshold=m.threshold,
                claim_ids=[claims[i].id for i in m.claims],
            )
        )
    for s in result.signals:
        nodes.append(Signal(kind=s.kind, date=reported, score=min(s.score, 1.0), text=s.sentence[:1000],
                            based_on=[doc.doc_id]))  # fmt: skip
    return document, nodes, claims


def _ref(claims: list[Claim], refs: list[int], what: str) -> str | None:
    if not refs:
        return None
    first = claims[refs[0]]
    return first.benchmark_id if what == "b" else first.model_id


def _batches(docs: Iterable[SourceDocument], size: int) -> Iterator[list[SourceDocument]]:
    batch: list[SourceDocument] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build(
    store: GraphStore,
    docstore: DocStore,
    extractor: Extractor,
    registry: Registry,
    batch_size: int = 200,
    on_progress: Callable[[BuildReport], None] | None = None,
) -> BuildReport:
    """Extract every pending document into the graph (idempotent, resumable)."""
    report = BuildReport()
    store.upsert(registry_nodes(registry))
    for batch in _batches(docstore.pending(EXTRACTOR_VERSION), batch_size):
        items = [
            (d.text, {"publisher": d.organization_id, "published": d.published, "tables": d.tables}) for d in batch
        ]
        written: list[Node] = []
        claims_by_doc: dict[str, list[Claim]] = {}
        for doc, result in zip(batch, extractor.pipe(items), strict=True):
            document, nodes, claims = to_nodes(doc, result, registry)
            written += [document, *nodes]
            claims_by_doc[doc.doc_id] = claims
            report.milestones += sum(isinstance(n, Milestone) for n in nodes)
            report.signals += sum(isinstance(n, Signal) for n in nodes)
        previous = {d: _current_claims(store, d) for d in claims_by_doc}
        store.upsert([n for n in written if not isinstance(n, Milestone | Signal)])
        store.upsert([c for claims in claims_by_doc.values() for c in claims])
        store.upsert([n for n in written if isinstance(n, Milestone | Signal)])
        for doc_id, claims in claims_by_doc.items():
            report.superseded += _supersede(store, previous[doc_id], claims)
            report.claims += len(claims)
            report.needs_review += sum(c.needs_review for c in claims)
        docstore.mark_extracted([d.doc_id for d in batch], EXTRACTOR_VERSION)
        report.documents += len(batch)
        if on_progress:
            on_progress(report)
    return report


def _current_claims(store: GraphStore, doc_id: str) -> list[Claim]:
    if store.get(Label.DOCUMENT, doc_id) is None:
        return []
    return list(iter_claims(store, ClaimQuery(document_id=doc_id)))


def _supersede(store: GraphStore, old: list[Claim], new: list[Claim]) -> int:
    """Old claims of a re-extracted document are superseded by the new claim on the same model and benchmark."""
    new_ids = {c.id for c in new}
    count = 0
    for claim in old:
        if claim.id in new_ids:
            continue
        successor = next((c for c in new if (c.model_id, c.benchmark_id) == (claim.model_id, claim.benchmark_id)), None)
        if successor is not None:
            count += store.supersede([claim.id], successor.id)
    return count
