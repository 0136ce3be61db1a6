"""Neo4jStore: the production graph store on a Neo4j 5 server.

It is handed a driver (never creates one: :mod:`graph.factory` does), creates the
uniqueness constraints before any MERGE, and writes each call in one transaction
with ``UNWIND $rows`` batches. All Cypher comes from :mod:`graph.cypher`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import networkx as nx
from neo4j import READ_ACCESS, Driver, ManagedTransaction, Query, Session
from neo4j import exceptions as neo4j_errors

from graph import cypher
from graph.errors import GraphStoreError, InvalidInputError, StoreAuthError, StoreUnavailableError
from graph.model import Claim, Document, Node, end_of
from graph.neo4j_values import plan_info, query_error, to_json
from graph.schema import (
    DOCUMENT_KIND_LABELS,
    IMMUTABLE_EDGES,
    NODE_CLASSES,
    PRIMARY_LABELS,
    PROPERTY_INDEXES,
    RELATIONSHIP_ENDPOINTS,
    STORE_MANAGED,
    Label,
    RelType,
    label_for_id,
)
from graph.store import (
    ClaimQuery,
    ClaimRow,
    Cursor,
    DocumentClaims,
    GraphCounts,
    Neighbour,
    Page,
    PlanInfo,
    ReadResult,
    StoreConveniences,
    check_limit,
    missing_error,
    node_key,
    plan_write,
)

R = TypeVar("R")
_TIME_FIELDS = ("recorded_at", "superseded_at")
_PRIMARY = [label.value for label in PRIMARY_LABELS]


def _value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _row(node: Node) -> dict[str, Any]:
    """Parameters for one node: dates as ISO text (Cypher converts them), enums as values.

    Store-managed properties (superseded_at, review fields) are left out: only their own calls set them.
    """
    managed = STORE_MANAGED.get(Label(node.label), ())
    props = {k: _value(v) for k, v in node.props().items() if k not in _TIME_FIELDS and k not in managed}
    recorded = getattr(node, "recorded_at", None)
    return {"id": node.id, "recorded_at": recorded.isoformat() if recorded else None, "props": props}


def _native(value: Any) -> Any:
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def _node(label: Label, props: dict[str, Any]) -> Node:
    cls = NODE_CLASSES[label]
    return cls.model_validate({k: _native(v) for k, v in props.items() if k in cls.model_fields})


def _chunks(rows: list[R], size: int) -> Iterator[list[R]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _unwind(tx: ManagedTransaction, query: str, rows: Sequence[Any], size: int, key: str = "rows") -> None:
    """Run an ``UNWIND $rows`` statement in batches of ``size``."""
    for start in range(0, len(rows), size):
        tx.run(query, {key: list(rows[start : start + size])}).consume()


class Neo4jStore(StoreConveniences):
    """Graph store on a Neo4j server reached through an injected driver."""

    backend = "neo4j"

    def __init__(self, driver: Driver, database: str = "neo4j", batch_size: int = 2000, uri: str = "") -> None:
        self._driver = driver
        self._database = database
        self._batch = batch_size
        self._where = uri or "the Neo4j server"

    # -- plumbing ----------------------------------------------------------------------------
    @contextmanager
    def _session(self, shift: int | None = None, **config: Any) -> Iterator[Session]:
        """A session; with ``shift`` set (analyst queries), server errors become query errors."""
        try:
            with self._driver.session(database=self._database, **config) as session:
                yield session
        except neo4j_errors.AuthError as e:
            raise StoreAuthError(f"Neo4j at {self._where} rejected the credentials: {e.message}") from e
        except neo4j_errors.ConstraintError as e:
            raise InvalidInputError(f"Neo4j rejected the write: {e.message}") from e
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as e:
            raise StoreUnavailableError(f"Neo4j at {self._where} is unreachable: {e}") from e
        except neo4j_errors.Neo4jError as e:
            if shift is not None:
                raise query_error(e, shift) from e
            raise GraphStoreError(f"Neo4j error {e.code}: {e.message}") from e
        except neo4j_errors.DriverError as e:
            raise GraphStoreError(f"Neo4j driver error: {e}") from e

    def _write(self, work: Callable[[ManagedTransaction], R]) -> R:
        def bumped(tx: ManagedTransaction) -> R:
            result = work(tx)
            tx.run(cypher.BUMP_GENERATION).consume()
            return result

        with self._session() as session:
            return session.execute_write(bumped)

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(query, params)]

        with self._session() as session:
            return session.execute_read(work)

    def _raw_nodes(self, query: str, **params: Any) -> list[dict[str, Any]]:
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [dict(record["n"]) for record in tx.run(query, params)]

        with self._session() as session:
            return session.execute_read(work)

    # -- schema ------------------------------------------------------------------------------
    def init_schema(self) -> None:
        with self._session() as session:
            for label in PRIMARY_LABELS:
                session.run(cypher.constraint(label)).consume()
            for label, prop in PROPERTY_INDEXES:
                session.run(cypher.index(label, prop)).consume()
            session.run(cypher.AWAIT_INDEXES).consume()

    # -- writes ------------------------------------------------------------------------------
    def upsert(self, nodes: Sequence[Node]) -> int:
        plan = plan_write(nodes)
        size = self._batch

        def work(tx: ManagedTransaction) -> None:
            missing: dict[Label, list[str]] = {}
            for label, ids in plan.required.items():
                for chunk in _chunks(sorted(ids), size):
                    lost = tx.run(cypher.missing_ids(label), ids=chunk).single(strict=True)["missing"]
                    missing.setdefault(label, []).extend(lost)
            missing = {k: v for k, v in missing.items() if v}
            if missing:
                raise missing_error(missing)
            for label, implicit in plan.implicit.items():
                _unwind(tx, cypher.create_missing_nodes(label), [_row(n) for n in implicit.values()], size)
            for label, group in plan.nodes.items():
                if label is not Label.DOCUMENT:
                    _unwind(tx, cypher.upsert_nodes(label), [_row(n) for n in group], size)
                    continue
                docs = [d for d in group if isinstance(d, Document)]
                for kind in sorted({d.kind.value for d in docs}):
                    query = cypher.upsert_nodes(label, DOCUMENT_KIND_LABELS.get(kind))
                    _unwind(tx, query, [_row(d) for d in docs if d.kind.value == kind], size)
            for batch in plan.edges:
                spec = batch.spec
                if batch.owner not in IMMUTABLE_EDGES:
                    query = cypher.delete_owned_edges(batch.owner, spec.rel, spec.outgoing)
                    _unwind(tx, query, batch.owner_ids, size, key="ids")
                by_target: dict[Label, list[dict[str, str]]] = {}
                for owner, target_id, target in batch.rows:
                    pair = {"src": owner, "dst": target_id} if spec.outgoing else {"src": target_id, "dst": owner}
                    by_target.setdefault(target, []).append(pair)
                for target, pairs in by_target.items():
                    src, dst = (batch.owner, target) if spec.outgoing else (target, batch.owner)
                    _unwind(tx, cypher.merge_edges(src, spec.rel, dst), pairs, size)

        self._write(work)
        return sum(len(g) for g in plan.nodes.values())

    def upsert_relationships(self, rel: RelType, pairs: Sequence[tuple[str, str]]) -> int:
        sources, targets = RELATIONSHIP_ENDPOINTS[rel]
        groups: dict[Label, list[dict[str, str]]] = {}
        required: dict[Label, set[str]] = {}
        for s, d in pairs:
            dst = label_for_id(d) if len(targets) > 1 else targets[0]
            groups.setdefault(dst, []).append({"src": s, "dst": d})
            required.setdefault(sources[0], set()).add(s)
            required.setdefault(dst, set()).add(d)

        def work(tx: ManagedTransaction) -> None:
            missing = {}
            for label, ids in required.items():
                lost = tx.run(cypher.missing_ids(label), ids=sorted(ids)).single(strict=True)["missing"]
                if lost:
                    missing[label] = lost
            if missing:
                raise missing_error(missing)
            for dst, rows in groups.items():
                _unwind(tx, cypher.merge_edges(sources[0], rel, dst), rows, self._batch)

        self._write(work)
        return len(pairs)

    def supersede(self, old_ids: Sequence[str], new_id: str) -> int:
        if new_id in old_ids:
            raise InvalidInputError(f"claim {new_id} cannot supersede itself")

        def work(tx: ManagedTransaction) -> None:
            lost = tx.run(cypher.missing_ids(Label.CLAIM), ids=[new_id, *old_ids]).single(strict=True)["missing"]
            if lost:
                raise missing_error({Label.CLAIM: lost})
            tx.run(cypher.SUPERSEDE, new_id=new_id, old_ids=list(old_ids)).consume()

        self._write(work)
        return len(old_ids)

    def delete(self, label: Label, ids: Sequence[str]) -> int:
        if label not in (Label.MILESTONE, Label.SIGNAL):
            raise InvalidInputError(f"{label} nodes are facts and are never deleted (only derived milestones/signals)")
        wanted = sorted(set(ids))

        def work(tx: ManagedTransaction) -> None:
            _unwind(tx, cypher.delete_nodes(label), wanted, self._batch, key="ids")

        self._write(work)
        return len(wanted)

    def review(self, claim_id: str, status: str, reviewer: str, at: datetime) -> None:
        def work(tx: ManagedTransaction) -> None:
            lost = tx.run(cypher.missing_ids(Label.CLAIM), ids=[claim_id]).single(strict=True)["missing"]
            if lost:
                raise missing_error({Label.CLAIM: lost})
            tx.run(cypher.REVIEW, id=claim_id, status=status, reviewer=reviewer, at=at.isoformat()).consume()

        self._write(work)

    def clear(self) -> None:
        with self._session() as session:
            for statement in cypher.CLEAR:
                session.run(statement).consume()
            session.run(cypher.BUMP_GENERATION).consume()

    # -- reads -------------------------------------------------------------------------------
    def get(self, label: Label, node_id: str) -> Node | None:
        rows = self._raw_nodes(cypher.get_node(label), id=node_id)
        base = Label.DOCUMENT if label in (Label.PAPER, Label.ANNOUNCEMENT) else label
        return _node(base, rows[0]) if rows else None

    def get_many(self, label: Label, ids: Sequence[str]) -> dict[str, Node]:
        base = Label.DOCUMENT if label in (Label.PAPER, Label.ANNOUNCEMENT) else label
        out: dict[str, Node] = {}
        for chunk in _chunks(sorted(set(ids)), self._batch):
            for row in self._raw_nodes(cypher.get_nodes(label), ids=chunk):
                node = _node(base, row)
                out[node.id] = node
        return out

    def list_nodes(self, label: Label, limit: int = 100, cursor: str | None = None) -> Page[Node]:
        check_limit(limit)
        after = Cursor.decode(cursor).id if cursor else ""
        rows = self._raw_nodes(cypher.list_nodes(label), after=after, limit=limit + 1)
        items = [_node(label, r) for r in rows[:limit]]
        nxt = Cursor("", items[-1].id).encode() if len(rows) > limit else None
        return Page(items, nxt)

    def list_claims(self, query: ClaimQuery, limit: int = 100, cursor: str | None = None) -> Page[Claim]:
        check_limit(limit)
        filters, params = self._claim_filter(query)
        if cursor:
            pos = Cursor.decode(cursor)
            try:
                params["cursor_date"] = date.fromisoformat(pos.key)
            except ValueError as e:
                raise InvalidInputError(f"invalid cursor {cursor[:40]!r}: not a claims cursor") from e
            params["cursor_id"] = pos.id
            filters.append("before" if query.descending else "after")
        [record] = self._read(cypher.list_claims(filters, query.descending), limit=limit + 1, **params)
        rows = record["rows"]
        fields = Claim.model_fields
        items = [Claim.model_validate({k: v for k, v in r.items() if k in fields}) for r in rows[:limit]]
        last = items[-1] if items else None
        nxt = Cursor(last.reported_date.isoformat(), last.id).encode() if last and len(rows) > limit else None
        return Page(items, nxt)

    def claim_rows(self, query: ClaimQuery) -> list[ClaimRow]:
        filters, params = self._claim_filter(query)
        [record] = self._read(cypher.claim_rows(filters, query.descending), **params)
        return [
            ClaimRow(
                r[0],
                r[1],
                r[2],
                r[3],
                float(r[4]),
                r[5],
                date.fromisoformat(r[6]),
                r[7],
                r[8],
                r[9],
                bool(r[10]),
                float(r[11]),
                r[12],
                r[13],
                r[14],
            )
            for r in record["rows"]
        ]

    def _claim_filter(self, q: ClaimQuery) -> tuple[list[str], dict[str, Any]]:
        filters: list[str] = []
        params: dict[str, Any] = {}
        if q.benchmark_id is not None:
            filters.append("benchmark_ids")
            params["benchmark_ids"] = self.variants(q.benchmark_id) if q.include_variants else [q.benchmark_id]
        simple = {
            "model_id": q.model_id,
            "document_id": q.document_id,
            "setting": q.setting,
            "organization_id": q.organization_id,
            "date_from": q.date_from,
            "date_to": q.date_to,
            "source_kind": q.source_kind.value if q.source_kind else None,
        }
        for name, value in simple.items():
            if value is not None:
                filters.append(name)
                params[name] = value
        if q.needs_review is not None:
            filters.append("needs_review")
            params["needs_review"] = q.needs_review
        if q.reviewed is not None:
            filters.append("reviewed" if q.reviewed else "unreviewed")
        bound = q.as_of_bound()
        if bound is not None:
            filters.append("as_of")
            params["as_of"] = bound
        if not q.include_superseded:
            filters.append("current" if bound is None else "current_as_of")
        return filters, params

    def document_with_claims(self, document_id: str, as_of: date | datetime | None = None) -> DocumentClaims | None:
        doc = self.get(Label.DOCUMENT, document_id)
        if not isinstance(doc, Document):
            return None
        if as_of is not None and doc.recorded_at > end_of(as_of):
            return None
        claims = self.list_claims(ClaimQuery(document_id=document_id, as_of=as_of), limit=10_000).items
        return DocumentClaims(doc, claims)

    def neighbours(self, label: Label, node_id: str, rel: RelType | None = None, limit: int = 100) -> list[Neighbour]:
        check_limit(limit)
        rows = self._read(
            cypher.neighbours(label), id=node_id, rel=rel.value if rel else None, primary=_PRIMARY, limit=limit
        )
        return [Neighbour(RelType(r["rel"]), r["direction"], Label(r["label"]), r["id"], r["name"]) for r in rows]

    def variants(self, benchmark_id: str) -> list[str]:
        rows = self._read(cypher.VARIANTS, id=benchmark_id)
        return [benchmark_id, *sorted(i for i in rows[0]["ids"] if i != benchmark_id)]

    def relationships(self, rel: RelType) -> list[tuple[str, str]]:
        return [(r["src"], r["dst"]) for r in self._read(cypher.relationships(rel))]

    def generation(self) -> str:
        rows = self._read(cypher.GENERATION)
        return f"{rows[0]['epoch']}-{rows[0]['generation']}" if rows else "0"

    def server_info(self) -> str:
        try:
            return str(self._driver.get_server_info().agent)
        except neo4j_errors.DriverError as e:
            raise StoreUnavailableError(f"Neo4j at {self._where} is unreachable: {e}") from e

    def counts(self) -> GraphCounts:
        nodes = {label.value: self._read(cypher.count_nodes(label))[0]["n"] for label in PRIMARY_LABELS}
        rels = {rel.value: self._read(cypher.count_relationships(rel))[0]["n"] for rel in RelType}
        return GraphCounts(
            nodes={k: v for k, v in nodes.items() if v},
            relationships={k: v for k, v in sorted(rels.items()) if v},
        )

    def to_networkx(self) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        for row in self._read(cypher.ALL_NODES):
            label = next((lab for lab in row["labels"] if lab in _PRIMARY), None)
            if label is not None:
                props = {k: _native(v) for k, v in row["props"].items()}
                graph.add_node(node_key(label, props["id"]), label=label, **props)
        for row in self._read(cypher.ALL_EDGES, primary=_PRIMARY):
            graph.add_edge(
                node_key(row["src_label"], row["src"]),
                node_key(row["dst_label"], row["dst"]),
                key=row["rel"],
                rel=row["rel"],
            )
        return graph

    # -- analysts' own read-only Cypher (graph.store.CypherRunner) ---------------------------
    def explain(self, text: str, params: dict[str, object]) -> PlanInfo:
        """EXPLAIN in a read-access session: the query is planned, never run."""
        with self._session(shift=len(cypher.EXPLAIN), default_access_mode=READ_ACCESS) as session:
            summary = session.run(cypher.explain(text), params).consume()
        return plan_info(summary.query_type or "", summary.plan)

    def run_read(
        self, text: str, params: dict[str, object], timeout_s: float, max_rows: int, max_bytes: int
    ) -> ReadResult:
        """Run in a read-access session with a server-side timeout; stop fetching past the caps.

        Leaving the session discards whatever was not fetched (the server stops the query).
        """
        rows: list[dict[str, object]] = []
        size, more, too_large = 2, False, False
        config: dict[str, Any] = {"default_access_mode": READ_ACCESS, "fetch_size": min(max_rows + 1, 1000)}
        with self._session(shift=0, **config) as session:
            result = session.run(Query(text, timeout=timeout_s), params)
            columns = list(result.keys())
            for record in result:
                if len(rows) >= max_rows:
                    more = True
                    break
                row = {key: to_json(value) for key, value in zip(columns, record.values(), strict=True)}
                size += len(json.dumps(row, ensure_ascii=False).encode()) + 1
                rows.append(row)
                if size > max_bytes:
                    too_large = True
                    break
        return ReadResult(columns, rows, more, too_large, size)

    def ping(self) -> None:
        """Raise StoreUnavailableError/StoreAuthError unless the server answers."""
        self._read(cypher.PING)

    def close(self) -> None:
        self._driver.close()
