"""Labels, relationship types, owned edges, constraints and indexes: defined once, here.

Both stores are driven by these tables. An *owned edge* is a relationship derived
from a node's own field (a claim's ``model_id`` gives ``(Claim)-[:OF_MODEL]->(Model)``);
upserting the node replaces its owned edges, so the graph always agrees with the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from graph.model import (
    Author,
    Benchmark,
    Capability,
    Claim,
    Document,
    Milestone,
    Model,
    Node,
    Organization,
    Review,
    Signal,
)


class Label(StrEnum):
    DOCUMENT = "Document"
    PAPER = "Paper"
    ANNOUNCEMENT = "Announcement"
    AUTHOR = "Author"
    ORGANIZATION = "Organization"
    MODEL = "Model"
    BENCHMARK = "Benchmark"
    CAPABILITY = "Capability"
    CLAIM = "Claim"
    MILESTONE = "Milestone"
    SIGNAL = "Signal"
    REVIEW = "Review"


class RelType(StrEnum):
    AUTHORED = "AUTHORED"
    PUBLISHED_BY = "PUBLISHED_BY"
    DEVELOPED_BY = "DEVELOPED_BY"
    MEASURES = "MEASURES"
    VARIANT_OF = "VARIANT_OF"
    REPORTS = "REPORTS"
    OF_MODEL = "OF_MODEL"
    ON_BENCHMARK = "ON_BENCHMARK"
    SUPERSEDES = "SUPERSEDES"
    INTRODUCES = "INTRODUCES"
    EVIDENCED_BY = "EVIDENCED_BY"
    BASED_ON = "BASED_ON"
    ABOUT = "ABOUT"
    REVIEWS = "REVIEWS"


NODE_CLASSES: dict[Label, type[Node]] = {
    Label.ORGANIZATION: Organization,
    Label.CAPABILITY: Capability,
    Label.AUTHOR: Author,
    Label.MODEL: Model,
    Label.BENCHMARK: Benchmark,
    Label.DOCUMENT: Document,
    Label.CLAIM: Claim,
    Label.MILESTONE: Milestone,
    Label.SIGNAL: Signal,
    Label.REVIEW: Review,
}
"""Primary labels (each with a uniqueness constraint on ``id``), in dependency order."""

PRIMARY_LABELS: tuple[Label, ...] = tuple(NODE_CLASSES)

DOCUMENT_KIND_LABELS: dict[str, Label] = {"paper": Label.PAPER, "announcement": Label.ANNOUNCEMENT}
"""Secondary labels a Document carries by kind."""

RELATIONSHIP_ENDPOINTS: dict[RelType, tuple[tuple[Label, ...], tuple[Label, ...]]] = {
    RelType.AUTHORED: ((Label.AUTHOR,), (Label.DOCUMENT,)),
    RelType.PUBLISHED_BY: ((Label.DOCUMENT,), (Label.ORGANIZATION,)),
    RelType.DEVELOPED_BY: ((Label.MODEL,), (Label.ORGANIZATION,)),
    RelType.MEASURES: ((Label.BENCHMARK,), (Label.CAPABILITY,)),
    RelType.VARIANT_OF: ((Label.BENCHMARK,), (Label.BENCHMARK,)),
    RelType.REPORTS: ((Label.DOCUMENT,), (Label.CLAIM,)),
    RelType.OF_MODEL: ((Label.CLAIM,), (Label.MODEL,)),
    RelType.ON_BENCHMARK: ((Label.CLAIM,), (Label.BENCHMARK,)),
    RelType.SUPERSEDES: ((Label.CLAIM,), (Label.CLAIM,)),
    RelType.INTRODUCES: ((Label.DOCUMENT,), (Label.BENCHMARK,)),
    RelType.EVIDENCED_BY: ((Label.MILESTONE,), (Label.CLAIM,)),
    RelType.BASED_ON: ((Label.SIGNAL,), (Label.CLAIM, Label.MILESTONE, Label.DOCUMENT)),
    RelType.ABOUT: ((Label.SIGNAL,), (Label.CAPABILITY,)),
    RelType.REVIEWS: ((Label.REVIEW,), (Label.CLAIM,)),
}
"""Which labels each relationship type may connect: (sources, targets)."""


def author_id(name: str) -> str:
    return Author.from_name(name).id


@dataclass(frozen=True)
class OwnedEdge:
    """A relationship derived from a node field.

    ``outgoing`` says whether the node is the source. ``auto_create`` targets
    (authors, capabilities) are created from the field value when missing; other
    targets must exist or the write fails with MissingReferenceError.
    """

    field: str
    rel: RelType
    target: Label | None
    outgoing: bool = True
    many: bool = False
    auto_create: bool = False
    to_id: Callable[[str], str] | None = None


OWNED_EDGES: dict[Label, tuple[OwnedEdge, ...]] = {
    Label.DOCUMENT: (
        OwnedEdge("organization_id", RelType.PUBLISHED_BY, Label.ORGANIZATION),
        OwnedEdge(
            "authors", RelType.AUTHORED, Label.AUTHOR, outgoing=False, many=True, auto_create=True, to_id=author_id
        ),
    ),
    Label.MODEL: (OwnedEdge("organization_id", RelType.DEVELOPED_BY, Label.ORGANIZATION),),
    Label.BENCHMARK: (
        OwnedEdge("variant_of", RelType.VARIANT_OF, Label.BENCHMARK),
        OwnedEdge("capabilities", RelType.MEASURES, Label.CAPABILITY, many=True, auto_create=True),
    ),
    Label.CLAIM: (
        OwnedEdge("document_id", RelType.REPORTS, Label.DOCUMENT, outgoing=False),
        OwnedEdge("model_id", RelType.OF_MODEL, Label.MODEL),
        OwnedEdge("benchmark_id", RelType.ON_BENCHMARK, Label.BENCHMARK),
    ),
    Label.MILESTONE: (OwnedEdge("claim_ids", RelType.EVIDENCED_BY, Label.CLAIM, many=True),),
    Label.SIGNAL: (
        OwnedEdge("capability_id", RelType.ABOUT, Label.CAPABILITY, auto_create=True),
        OwnedEdge("based_on", RelType.BASED_ON, None, many=True),
    ),
    Label.REVIEW: (OwnedEdge("claim_id", RelType.REVIEWS, Label.CLAIM),),
}

STORE_MANAGED: dict[Label, tuple[str, ...]] = {
    Label.CLAIM: ("superseded_at", "review_status", "reviewed_by", "reviewed_at"),
}
"""Properties only the store's own calls set (supersede, review): an upsert never touches them."""

IMMUTABLE_EDGES: frozenset[Label] = frozenset({Label.CLAIM})
"""Labels whose owned-edge fields are part of the id: their edges never change on re-upsert."""


def label_for_id(node_id: str) -> Label:
    """The label an evidence id points at (for BASED_ON, whose target may be any evidence)."""
    if node_id.startswith("clm_"):
        return Label.CLAIM
    if node_id.startswith("mil_"):
        return Label.MILESTONE
    return Label.DOCUMENT


def auto_node(label: Label, value: str) -> Node:
    """The node created for a missing auto-create target."""
    if label is Label.AUTHOR:
        return Author.from_name(value)
    if label is Label.CAPABILITY:
        return Capability(id=value, name=value.replace("-", " "))
    raise ValueError(f"{label} nodes are never created implicitly")


def _temporal(cls: type[Node]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, info in cls.model_fields.items():
        args = getattr(info.annotation, "__args__", None) or (info.annotation,)
        if datetime in args:
            out[name] = "datetime"
        elif date in args:
            out[name] = "date"
    return out


TEMPORAL_FIELDS: dict[Label, dict[str, str]] = {label: _temporal(cls) for label, cls in NODE_CLASSES.items()}
"""Date and datetime properties per label: sent to Neo4j as ISO text and converted in Cypher (faster to pack)."""

# Indexed properties beyond the ``id`` uniqueness constraints.
PROPERTY_INDEXES: tuple[tuple[Label, str], ...] = (
    (Label.CLAIM, "reported_date"),
    (Label.CLAIM, "recorded_at"),
    (Label.CLAIM, "source_kind"),
    (Label.CLAIM, "benchmark_id"),
    (Label.CLAIM, "model_id"),
    (Label.DOCUMENT, "published"),
    (Label.MODEL, "name"),
    (Label.BENCHMARK, "name"),
    (Label.MILESTONE, "date"),
    (Label.SIGNAL, "date"),
)
