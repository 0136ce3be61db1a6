"""Every Cypher statement autoscope runs, in one place.

Values always travel as parameters. Labels and relationship types are interpolated
only from the :mod:`graph.schema` enums, never from user input. Writes are batched
with ``UNWIND $rows``.
"""

from __future__ import annotations

from graph.schema import DOCUMENT_KIND_LABELS, STORE_MANAGED, TEMPORAL_FIELDS, Label, RelType


def constraint(label: Label) -> str:
    return f"CREATE CONSTRAINT {label.value.lower()}_id IF NOT EXISTS FOR (n:{label.value}) REQUIRE n.id IS UNIQUE"


def index(label: Label, prop: str) -> str:
    return f"CREATE INDEX {label.value.lower()}_{prop} IF NOT EXISTS FOR (n:{label.value}) ON (n.{prop})"


def upsert_nodes(label: Label, kind_label: Label | None = None) -> str:
    """MERGE by id; ``recorded_at`` is set once (record time never moves), the rest replaced.

    Dates arrive as ISO text (cheap to send) and become Neo4j DATE/DATETIME values here.
    """
    extra = ""
    if kind_label is not None:
        others = ":".join(v.value for v in DOCUMENT_KIND_LABELS.values())
        extra = f" REMOVE n:{others} SET n:{kind_label.value}"
    fields = TEMPORAL_FIELDS[label]
    converted = "".join(
        f", n.{name} = {kind}(row.props.{name})"
        for name, kind in fields.items()
        if name != "recorded_at" and name not in STORE_MANAGED.get(label, ())
    )
    created = "datetime(row.recorded_at)" if "recorded_at" in fields else "null"
    return (
        f"UNWIND $rows AS row MERGE (n:{label.value} {{id: row.id}}) "
        f"ON CREATE SET n.recorded_at = {created} "
        f"SET n += row.props{converted}{extra}"
    )


def create_missing_nodes(label: Label) -> str:
    return f"UNWIND $rows AS row MERGE (n:{label.value} {{id: row.id}}) ON CREATE SET n += row.props"


def missing_ids(label: Label) -> str:
    return (
        f"UNWIND $ids AS id OPTIONAL MATCH (n:{label.value} {{id: id}}) "
        "WITH id, n WHERE n IS NULL RETURN collect(id) AS missing"
    )


def delete_owned_edges(label: Label, rel: RelType, outgoing: bool) -> str:
    arrow = f"-[r:{rel.value}]->()" if outgoing else f"<-[r:{rel.value}]-()"
    return f"UNWIND $ids AS id MATCH (n:{label.value} {{id: id}}){arrow} DELETE r"


def merge_edges(src: Label, rel: RelType, dst: Label) -> str:
    return (
        f"UNWIND $rows AS row MATCH (a:{src.value} {{id: row.src}}) MATCH (b:{dst.value} {{id: row.dst}}) "
        f"MERGE (a)-[:{rel.value}]->(b)"
    )


SUPERSEDE = (
    "MATCH (new:Claim {id: $new_id}) UNWIND $old_ids AS oid MATCH (old:Claim {id: oid}) "
    "MERGE (new)-[:SUPERSEDES]->(old) SET old.superseded_at = coalesce(old.superseded_at, new.recorded_at)"
)

REVIEW = (
    "MATCH (c:Claim {id: $id}) SET c.review_status = $status, c.reviewed_by = $reviewer, c.reviewed_at = datetime($at)"
)

GET_NODE = "MATCH (n:{label} {{id: $id}}) RETURN n"


def get_node(label: Label) -> str:
    return GET_NODE.format(label=label.value)


def get_nodes(label: Label) -> str:
    return f"UNWIND $ids AS id MATCH (n:{label.value} {{id: id}}) RETURN n"


def delete_nodes(label: Label) -> str:
    return f"UNWIND $ids AS id MATCH (n:{label.value} {{id: id}}) DETACH DELETE n"


def list_nodes(label: Label) -> str:
    return f"MATCH (n:{label.value}) WHERE n.id > $after RETURN n ORDER BY n.id LIMIT $limit"


# Claim filters: fixed fragments, combined by ``list_claims``; all values are parameters.
CLAIM_FILTERS: dict[str, str] = {
    "benchmark_ids": "c.benchmark_id IN $benchmark_ids",
    "model_id": "c.model_id = $model_id",
    "document_id": "c.document_id = $document_id",
    "setting": "c.setting = $setting",
    "source_kind": "c.source_kind = $source_kind",
    "organization_id": (
        "EXISTS { MATCH (c)-[:OF_MODEL]->(:Model)-[:DEVELOPED_BY]->(:Organization {id: $organization_id}) }"
    ),
    "needs_review": "coalesce(c.needs_review, false) = $needs_review",
    "reviewed": "c.review_status IS NOT NULL",
    "unreviewed": "c.review_status IS NULL",
    "date_from": "c.reported_date >= $date_from",
    "date_to": "c.reported_date <= $date_to",
    "as_of": "c.recorded_at <= $as_of",
    "current_as_of": "(c.superseded_at IS NULL OR c.superseded_at > $as_of)",
    "current": "c.superseded_at IS NULL",
    "after": "(c.reported_date > $cursor_date OR (c.reported_date = $cursor_date AND c.id > $cursor_id))",
    "before": "(c.reported_date < $cursor_date OR (c.reported_date = $cursor_date AND c.id < $cursor_id))",
}


def list_claims(filters: list[str], descending: bool) -> str:
    """One page of claims as property maps in a single record; temporal values as ISO text (cheap to decode)."""
    where = " AND ".join(CLAIM_FILTERS[f] for f in filters) or "true"
    order = "DESC" if descending else "ASC"
    return (
        f"MATCH (c:Claim) WHERE {where} WITH c ORDER BY c.reported_date {order}, c.id {order} LIMIT $limit "
        "RETURN collect(c {.*, reported_date: toString(c.reported_date), recorded_at: toString(c.recorded_at), "
        "superseded_at: toString(c.superseded_at), reviewed_at: toString(c.reviewed_at)}) AS rows"
    )


def claim_rows(filters: list[str], descending: bool) -> str:
    """The light projection of :class:`graph.store.ClaimRow` as one list of lists (one record: far less
    per-record driver overhead than hundreds of records), dates as ISO text."""
    where = " AND ".join(CLAIM_FILTERS[f] for f in filters) or "true"
    order = "DESC" if descending else "ASC"
    return (
        f"MATCH (c:Claim) WHERE {where} WITH c ORDER BY c.reported_date {order}, c.id {order} "
        "RETURN collect([c.id, c.document_id, c.model_id, c.benchmark_id, c.value, c.unit, toString(c.reported_date), "
        "c.setting, c.source_kind, c.source_url, coalesce(c.needs_review, false), coalesce(c.confidence, 1.0), "
        "c.value_low, c.value_high, c.review_status]) AS rows"
    )


NEIGHBOURS = (
    "MATCH (n:{label} {{id: $id}})-[r]-(m) WHERE $rel IS NULL OR type(r) = $rel "
    "RETURN type(r) AS rel, CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS direction, "
    "[l IN labels(m) WHERE l IN $primary][0] AS label, m.id AS id, m.name AS name "
    "ORDER BY rel, direction, label, id LIMIT $limit"
)


def neighbours(label: Label) -> str:
    return NEIGHBOURS.format(label=label.value)


VARIANTS = "OPTIONAL MATCH (v:Benchmark)-[:VARIANT_OF*1..]->(:Benchmark {id: $id}) RETURN collect(DISTINCT v.id) AS ids"


def count_nodes(label: Label) -> str:
    return f"MATCH (n:{label.value}) RETURN count(n) AS n"


def relationships(rel: RelType) -> str:
    return f"MATCH (a)-[:{rel.value}]->(b) RETURN a.id AS src, b.id AS dst ORDER BY src, dst"


def count_relationships(rel: RelType) -> str:
    return f"MATCH ()-[r:{rel.value}]->() RETURN count(r) AS n"


ALL_NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
ALL_EDGES = (
    "MATCH (a)-[r]->(b) RETURN [l IN labels(a) WHERE l IN $primary][0] AS src_label, a.id AS src, "
    "type(r) AS rel, [l IN labels(b) WHERE l IN $primary][0] AS dst_label, b.id AS dst"
)

CLEAR = (
    "MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS OF 10000 ROWS",
)
"""Relationships first, so no single inner transaction holds a node with all its edges."""

PING = "RETURN 1 AS ok"

BUMP_GENERATION = (
    "MERGE (m:AutoscopeMeta {id: 'graph'}) ON CREATE SET m.epoch = randomUUID(), m.generation = 0 "
    "SET m.generation = m.generation + 1"
)
"""Run in every write transaction: readers compare (epoch, generation) to know the graph changed."""
GENERATION = "MATCH (m:AutoscopeMeta {id: 'graph'}) RETURN m.epoch AS epoch, m.generation AS generation"

AWAIT_INDEXES = "CALL db.awaitIndexes(300)"

# Analysts' own Cypher (checked by api/query_guard.py) is only ever prefixed, never edited.
EXPLAIN = "EXPLAIN "


def explain(text: str) -> str:
    """The analyst's query, planned but not run."""
    return EXPLAIN + text


# Read-only Cypher equivalents of some named queries (graph/queries.py), shown to analysts to copy
# into /query or `autoscope query`. The named queries themselves run in Python on both stores and
# also convert units (hours <-> minutes) and apply as-of; these are starting points.
NAMED_QUERY_CYPHER: dict[str, str] = {
    "models-beating-human-baseline": (
        "MATCH (c:Claim)-[:ON_BENCHMARK]->(b:Benchmark), (c)-[:OF_MODEL]->(m:Model)\n"
        "WHERE b.human_baseline IS NOT NULL AND ($benchmark IS NULL OR b.id = $benchmark)\n"
        "  AND c.superseded_at IS NULL AND NOT coalesce(c.needs_review, false) AND c.unit = b.unit\n"
        "  AND CASE b.direction WHEN 'lower_is_better' THEN c.value < b.human_baseline\n"
        "      ELSE c.value > b.human_baseline END\n"
        "RETURN b.id AS benchmark, b.human_baseline AS human_baseline, m.id AS model,\n"
        "       collect({claim: c.id, value: c.value, source_url: c.source_url,\n"
        "                evidence: c.evidence_sentence}) AS claims\n"
        "ORDER BY benchmark, model"
    ),
    "papers-introducing-saturated-benchmarks": (
        "MATCH (d:Document)-[:INTRODUCES]->(b:Benchmark)<-[:ON_BENCHMARK]-(c:Claim)\n"
        "WHERE b.direction = 'higher_is_better' AND c.superseded_at IS NULL\n"
        "  AND NOT coalesce(c.needs_review, false) AND c.unit = b.unit\n"
        "WITH d, b, max(c.value) AS best, coalesce(b.ceiling, CASE b.unit WHEN '%' THEN 100.0 END) AS ceiling\n"
        "WHERE ceiling IS NOT NULL AND best >= $near_fraction * ceiling\n"
        "RETURN d.id AS document, d.title AS title, d.url AS url,\n"
        "       collect({benchmark: b.id, best: best, ceiling: ceiling}) AS benchmarks\n"
        "ORDER BY size(benchmarks) DESC, document"
    ),
    "claims-for-model": (
        "MATCH (c:Claim)-[:OF_MODEL]->(:Model {id: $model})\n"
        "WHERE c.superseded_at IS NULL AND ($benchmark IS NULL OR c.benchmark_id = $benchmark)\n"
        "RETURN c.id AS id, c.benchmark_id AS benchmark, c.value AS value, c.unit AS unit, c.setting AS setting,\n"
        "       c.reported_date AS reported_date, c.source_kind AS source_kind, c.source_url AS source_url,\n"
        "       c.document_id AS document, c.evidence_sentence AS evidence\n"
        "ORDER BY c.reported_date DESC, c.id DESC LIMIT $limit"
    ),
    "latest-signals": (
        "MATCH (s:Signal)\n"
        "WHERE ($kind IS NULL OR s.kind = $kind) AND ($since IS NULL OR s.date >= date($since))\n"
        "RETURN s.id AS id, s.date AS date, s.kind AS kind, s.score AS score, s.text AS text, s.origin AS origin\n"
        "ORDER BY s.date DESC, s.id DESC LIMIT $limit"
    ),
}
