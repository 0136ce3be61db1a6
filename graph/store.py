"""The GraphStore interface: the only way code touches the graph.

Two implementations honour it: :class:`graph.embedded.EmbeddedStore` (SQLite) and
:class:`graph.neo4j_store.Neo4jStore`. One contract test suite runs on both.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, Literal, Protocol, TypeVar, runtime_checkable

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from graph.errors import (
    GraphError,
    GraphStoreError,
    InvalidInputError,
    MissingReferenceError,
    NotFoundError,
    StoreAuthError,
    StoreUnavailableError,
)
from graph.model import (
    Benchmark,
    Capability,
    Claim,
    Document,
    Milestone,
    Model,
    Node,
    Organization,
    Signal,
    SourceKind,
    end_of,
)
from graph.schema import OWNED_EDGES, PRIMARY_LABELS, Label, OwnedEdge, RelType, auto_node, label_for_id

LABEL_OF_CLASS = {label.value for label in PRIMARY_LABELS}

__all__ = [
    "ClaimQuery",
    "ClaimRow",
    "CypherRunner",
    "DocumentClaims",
    "GraphCounts",
    "GraphError",
    "GraphStore",
    "GraphStoreError",
    "InvalidInputError",
    "MissingReferenceError",
    "Neighbour",
    "NotFoundError",
    "Page",
    "PlanInfo",
    "ReadResult",
    "StoreAuthError",
    "StoreUnavailableError",
    "iter_claims",
    "iter_nodes",
]

T = TypeVar("T")
MAX_PAGE = 10_000


class ClaimQuery(BaseModel):
    """Filters for claim reads. ``as_of`` is record time: what the graph believed then."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    benchmark_id: str | None = None
    include_variants: bool = False
    model_id: str | None = None
    organization_id: str | None = None
    document_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    source_kind: SourceKind | None = None
    setting: str | None = None
    needs_review: bool | None = None
    reviewed: bool | None = None
    as_of: date | datetime | None = None
    include_superseded: bool = False
    descending: bool = False

    def as_of_bound(self) -> datetime | None:
        return None if self.as_of is None else end_of(self.as_of)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated read; pass ``next_cursor`` back for the next."""

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class Neighbour:
    rel: RelType
    direction: Literal["out", "in"]
    label: Label
    id: str
    name: str | None


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A claim without its evidence text: the light projection analytics read in bulk."""

    id: str
    document_id: str
    model_id: str
    benchmark_id: str
    value: float
    unit: str
    reported_date: date
    setting: str | None
    source_kind: str
    source_url: str | None
    needs_review: bool
    confidence: float
    value_low: float | None
    value_high: float | None
    review_status: str | None = None


CLAIM_ROW_FIELDS: tuple[str, ...] = tuple(ClaimRow.__dataclass_fields__)


@dataclass(frozen=True)
class DocumentClaims:
    document: Document
    claims: list[Claim]


class GraphCounts(BaseModel):
    nodes: dict[str, int] = Field(default_factory=dict)
    relationships: dict[str, int] = Field(default_factory=dict)


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the sort key of the last item of the previous page."""

    key: str
    id: str

    def encode(self) -> str:
        return base64.urlsafe_b64encode(json.dumps([self.key, self.id]).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            key, node_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(key, str) or not isinstance(node_id, str):
                raise ValueError("cursor fields must be strings")
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as e:
            raise InvalidInputError(f"invalid cursor {token[:40]!r}: not a cursor returned by this API") from e
        return cls(key, node_id)


def node_key(label: str, node_id: str) -> str:
    """Key of a node in the networkx view: ids are unique per label, not across labels."""
    return f"{label}:{node_id}"


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
    return limit


@runtime_checkable
class GraphStore(Protocol):
    """Idempotent batched writes and the reads later features need."""

    backend: str

    def init_schema(self) -> None:
        """Create constraints and indexes (idempotent)."""

    def upsert(self, nodes: Sequence[Node]) -> int:
        """Upsert nodes of one or more types with their owned edges, atomically per call."""

    def upsert_relationships(self, rel: RelType, pairs: Sequence[tuple[str, str]]) -> int:
        """Create free-standing relationships (e.g. INTRODUCES) between existing nodes."""

    def supersede(self, old_ids: Sequence[str], new_id: str) -> int:
        """Mark claims as superseded by ``new_id`` (SUPERSEDES edges + ``superseded_at``)."""

    def review(self, claim_id: str, status: str, reviewer: str, at: datetime) -> None:
        """Record a review decision on a claim (``review_status``, ``reviewed_by``, ``reviewed_at``)."""

    def get(self, label: Label, node_id: str) -> Node | None: ...

    def get_many(self, label: Label, ids: Sequence[str]) -> dict[str, Node]:
        """The nodes of ``label`` among ``ids`` (missing ids are absent from the result)."""

    def delete(self, label: Label, ids: Sequence[str]) -> int:
        """Delete nodes and their relationships (derived nodes only: computed milestones and signals)."""

    def list_nodes(self, label: Label, limit: int = 100, cursor: str | None = None) -> Page[Node]: ...

    def list_claims(self, query: ClaimQuery, limit: int = 100, cursor: str | None = None) -> Page[Claim]: ...

    def claim_rows(self, query: ClaimQuery) -> list[ClaimRow]:
        """Every claim matching ``query`` as light rows, in report-date order (for analytics)."""

    def document_with_claims(self, document_id: str, as_of: date | datetime | None = None) -> DocumentClaims | None: ...

    def neighbours(
        self, label: Label, node_id: str, rel: RelType | None = None, limit: int = 100
    ) -> list[Neighbour]: ...

    def variants(self, benchmark_id: str) -> list[str]:
        """The benchmark id followed by all its variants' ids (transitively)."""

    def relationships(self, rel: RelType) -> list[tuple[str, str]]:
        """Every (source id, target id) pair of one relationship type."""

    def counts(self) -> GraphCounts: ...

    def server_info(self) -> str:
        """What the store runs on (``SQLite 3.45.1``, ``Neo4j/5.26.30``), for /health."""

    def generation(self) -> str:
        """A token that changes with every committed write, by any process (cache keys, ETags)."""

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph as a networkx MultiDiGraph (node attrs include ``label``)."""

    def clear(self) -> None:
        """Delete everything (tests and ``graph reset``)."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class PlanInfo:
    """What Neo4j's EXPLAIN says about a query: its type and what its plan would do.

    ``query_type`` is the server's ``r`` (read), ``rw``, ``w`` (write) or ``s`` (schema/system);
    ``operators`` are plan operator names (``AllNodesScan``, ``Create`` ...), ``procedures`` the
    procedures it calls and ``functions`` the namespaced functions (``date.truncate``) it uses.
    """

    query_type: str
    operators: frozenset[str]
    procedures: frozenset[str]
    functions: frozenset[str]


@dataclass(frozen=True)
class ReadResult:
    """Rows of a read query as JSON-safe values, fetched up to a row and byte cap.

    ``more_rows``: the query had more than the cap (only ``max_rows`` are kept);
    ``too_large``: the rows kept already exceeded the byte cap (fetching stopped there).
    """

    columns: list[str]
    rows: list[dict[str, object]]
    more_rows: bool
    too_large: bool
    size: int


@runtime_checkable
class CypherRunner(Protocol):
    """Optional capability of a store: run analysts' own read-only Cypher (only the Neo4j store has it).

    Callers never use these directly: :func:`api.query_guard.guarded_query` checks the text and
    the plan first.
    """

    def explain(self, text: str, params: dict[str, object]) -> PlanInfo:
        """EXPLAIN the query in a read-access session (nothing runs)."""

    def run_read(
        self, text: str, params: dict[str, object], timeout_s: float, max_rows: int, max_bytes: int
    ) -> ReadResult:
        """Run the query in a read-access session with a server-side timeout and the caps."""


class StoreConveniences:
    """Typed wrappers shared by both stores, built on the protocol's primitives."""

    def upsert(self, nodes: Sequence[Node]) -> int:  # pragma: no cover - implemented by stores
        raise NotImplementedError

    def list_claims(self, query: ClaimQuery, limit: int = 100, cursor: str | None = None) -> Page[Claim]:
        raise NotImplementedError  # pragma: no cover

    def upsert_organizations(self, items: Sequence[Organization]) -> int:
        return self.upsert(items)

    def upsert_capabilities(self, items: Sequence[Capability]) -> int:
        return self.upsert(items)

    def upsert_models(self, items: Sequence[Model]) -> int:
        return self.upsert(items)

    def upsert_benchmarks(self, items: Sequence[Benchmark]) -> int:
        return self.upsert(items)

    def upsert_documents(self, items: Sequence[Document]) -> int:
        return self.upsert(items)

    def upsert_claims(self, items: Sequence[Claim]) -> int:
        return self.upsert(items)

    def upsert_milestones(self, items: Sequence[Milestone]) -> int:
        return self.upsert(items)

    def upsert_signals(self, items: Sequence[Signal]) -> int:
        return self.upsert(items)

    def benchmark_claims(
        self, benchmark_id: str, as_of: date | datetime | None = None, include_variants: bool = False
    ) -> list[Claim]:
        """A benchmark's current claims in report-date order (as believed at ``as_of``)."""
        query = ClaimQuery(benchmark_id=benchmark_id, include_variants=include_variants, as_of=as_of)
        return list(iter_claims(self, query))


class _ClaimLister(Protocol):
    def list_claims(self, query: ClaimQuery, limit: int = 100, cursor: str | None = None) -> Page[Claim]: ...


def iter_claims(store: _ClaimLister, query: ClaimQuery, page_size: int = 5000) -> Iterator[Claim]:
    """Every claim matching ``query``, streamed page by page."""
    return _paged(lambda cursor: store.list_claims(query, limit=page_size, cursor=cursor))


def iter_nodes(store: GraphStore, label: Label, page_size: int = 5000) -> Iterator[Node]:
    """Every node of one label, streamed page by page (id order)."""
    return _paged(lambda cursor: store.list_nodes(label, limit=page_size, cursor=cursor))


def _paged(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


@dataclass(frozen=True)
class EdgeBatch:
    """Owned edges of one (label, spec): rows of (owner id, target id, target label)."""

    owner: Label
    spec: OwnedEdge
    owner_ids: list[str]
    rows: list[tuple[str, str, Label]]


@dataclass
class WritePlan:
    """A batch of nodes resolved into node rows, owned edges, implicit nodes and references to check."""

    nodes: dict[Label, list[Node]] = field(default_factory=dict)
    implicit: dict[Label, dict[str, Node]] = field(default_factory=dict)
    edges: list[EdgeBatch] = field(default_factory=list)
    required: dict[Label, set[str]] = field(default_factory=dict)


def plan_write(nodes: Sequence[Node]) -> WritePlan:
    """Group a batch by label (last duplicate wins) and derive its owned edges."""
    plan = WritePlan()
    by_label: dict[Label, dict[str, Node]] = {}
    for node in nodes:
        if not isinstance(node, Node) or node.label not in LABEL_OF_CLASS:
            raise InvalidInputError(f"cannot store {type(node).__name__!r}: not a graph node type")
        by_label.setdefault(Label(node.label), {})[node.id] = node
    for label in PRIMARY_LABELS:
        group = by_label.get(label)
        if not group:
            continue
        plan.nodes[label] = list(group.values())
        for spec in OWNED_EDGES.get(label, ()):
            rows: list[tuple[str, str, Label]] = []
            for node in group.values():
                raw = getattr(node, spec.field)
                values = [v for v in (raw if spec.many else [raw]) if v]
                for value in values:
                    target = spec.target or label_for_id(value)
                    target_id = spec.to_id(value) if spec.to_id else value
                    rows.append((node.id, target_id, target))
                    if spec.auto_create:
                        plan.implicit.setdefault(target, {}).setdefault(target_id, auto_node(target, value))
                    else:
                        plan.required.setdefault(target, set()).add(target_id)
            plan.edges.append(EdgeBatch(label, spec, list(group), rows))
    for label, batch in by_label.items():
        for node_id in batch:
            plan.required.get(label, set()).discard(node_id)
    return plan


def missing_error(missing: dict[Label, list[str]]) -> MissingReferenceError:
    parts = [
        f"{label} {', '.join(sorted(ids)[:10])}" + (" ..." if len(ids) > 10 else "") for label, ids in missing.items()
    ]
    return MissingReferenceError(
        "references to nodes that do not exist: " + "; ".join(parts) + " (nothing was written)"
    )
