"""Graph measures with networkx: benchmark communities, central entities, influential papers.

* **Co-reporting graph**: benchmarks are nodes; two benchmarks are linked when one document
  reports results on both, weighted by the number of such documents. Communities are found
  with the Louvain method (fixed seed) and show which benchmarks are reported together.
* **Centrality**: PageRank on the weighted graph of claims linking models and benchmarks, plus
  models linked to their organisations; ranks models, benchmarks and organisations on one scale.
* **Introducing papers**: documents with an ``INTRODUCES`` edge, ranked by how many current
  claims (since ``since``) use the benchmarks they introduced.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import combinations

import networkx as nx

from graph.analytics.select import Filters, counts, models_of
from graph.model import Benchmark, Document
from graph.schema import Label, RelType
from graph.store import ClaimQuery, ClaimRow, GraphStore


def _rows(store: GraphStore, filters: Filters) -> list[ClaimRow]:
    query = ClaimQuery(date_from=filters.date_from, date_to=filters.date_to, as_of=filters.as_of)
    return [r for r in store.claim_rows(query) if counts(r, filters)]


def co_reporting_graph(rows: list[ClaimRow]) -> nx.Graph:
    """Benchmarks linked by the documents that report on both (edge ``weight`` = documents)."""
    per_doc: dict[str, set[str]] = {}
    for r in rows:
        per_doc.setdefault(r.document_id, set()).add(r.benchmark_id)
    graph = nx.Graph()
    for benches in per_doc.values():
        graph.add_nodes_from(benches)
        for a, b in combinations(sorted(benches), 2):
            weight = graph.get_edge_data(a, b, {}).get("weight", 0)
            graph.add_edge(a, b, weight=weight + 1)
    return graph


def communities(graph: nx.Graph) -> list[list[str]]:
    """Louvain communities of a weighted graph, largest first (seeded, so stable)."""
    if graph.number_of_edges() == 0:
        return [[n] for n in sorted(graph.nodes)]
    found = nx.community.louvain_communities(graph, weight="weight", seed=0)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


@dataclass(frozen=True)
class Ranked:
    label: str
    id: str
    name: str | None
    score: float

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "id": self.id, "name": self.name, "score": round(self.score, 6)}


def centrality(store: GraphStore, rows: list[ClaimRow], top: int = 10) -> dict[str, list[Ranked]]:
    """The most central models, benchmarks and organisations by PageRank (see the module doc)."""
    graph = nx.Graph()
    for r in rows:
        a, b = ("Model", r.model_id), ("Benchmark", r.benchmark_id)
        weight = graph.get_edge_data(a, b, {}).get("weight", 0)
        graph.add_edge(a, b, weight=weight + 1)
    models = models_of(store, {r.model_id for r in rows})
    for model in models.values():
        if model.organization_id:
            graph.add_edge(("Model", model.id), ("Organization", model.organization_id), weight=1)
    if graph.number_of_nodes() == 0:
        return {"Model": [], "Benchmark": [], "Organization": []}
    scores = nx.pagerank(graph, weight="weight")
    names: dict[tuple[str, str], str | None] = {("Model", m.id): m.name for m in models.values()}
    benches = store.get_many(Label.BENCHMARK, sorted({r.benchmark_id for r in rows}))
    names.update({("Benchmark", k): getattr(v, "name", None) for k, v in benches.items()})
    orgs = store.get_many(Label.ORGANIZATION, sorted({n[1] for n in graph if n[0] == "Organization"}))
    names.update({("Organization", k): getattr(v, "name", None) for k, v in orgs.items()})
    out: dict[str, list[Ranked]] = {}
    for label in ("Model", "Benchmark", "Organization"):
        ranked = sorted(((s, n) for n, s in scores.items() if n[0] == label), key=lambda x: (-x[0], x[1][1]))
        out[label] = [Ranked(label, n[1], names.get(n), s) for s, n in ranked[:top]]
    return out


@dataclass(frozen=True)
class IntroducingPaper:
    document_id: str
    title: str
    url: str | None
    benchmarks: list[str]
    claims: int

    def as_dict(self) -> dict[str, object]:
        return {"document": self.document_id, "title": self.title, "url": self.url,
                "benchmarks": self.benchmarks, "claims": self.claims}  # fmt: skip


def introducing_papers(
    store: GraphStore, rows: list[ClaimRow], since: date | None = None, top: int = 10
) -> list[IntroducingPaper]:
    """Documents that introduced benchmarks, ranked by the claims now made on those benchmarks."""
    usage = Counter(r.benchmark_id for r in rows if since is None or r.reported_date >= since)
    introduced: dict[str, list[str]] = {}
    for doc_id, bench_id in store.relationships(RelType.INTRODUCES):
        introduced.setdefault(doc_id, []).append(bench_id)
    docs = store.get_many(Label.DOCUMENT, sorted(introduced))
    papers = []
    for doc_id, benches in introduced.items():
        doc = docs.get(doc_id)
        title = doc.title if isinstance(doc, Document) else ""
        url = doc.url if isinstance(doc, Document) else None
        papers.append(IntroducingPaper(doc_id, title, url, sorted(benches), sum(usage[b] for b in benches)))
    return sorted(papers, key=lambda p: (-p.claims, p.document_id))[:top]


@dataclass
class NetworkReport:
    communities: list[list[str]]
    central: dict[str, list[Ranked]]
    introducing: list[IntroducingPaper]
    benchmark_names: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        return {
            "communities": [
                [{"id": b, "name": self.benchmark_names.get(b, b)} for b in community] for community in self.communities
            ],
            "central": {label: [r.as_dict() for r in ranked] for label, ranked in self.central.items()},
            "introducing_papers": [p.as_dict() for p in self.introducing],
        }


def network_report(
    store: GraphStore, filters: Filters | None = None, top: int = 10, since: date | None = None
) -> NetworkReport:
    """All three measures in one pass over the claims."""
    rows = _rows(store, filters or Filters())
    graph = co_reporting_graph(rows)
    benches = store.get_many(Label.BENCHMARK, sorted(graph.nodes))
    names = {k: v.name for k, v in benches.items() if isinstance(v, Benchmark)}
    return NetworkReport(
        communities(graph), centrality(store, rows, top), introducing_papers(store, rows, since, top), names
    )
