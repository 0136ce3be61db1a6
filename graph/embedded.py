"""EmbeddedStore: the default graph store, a SQLite file in WAL mode.

Nodes live in ``nodes`` (label, id, JSON data), claims in their own indexed table
(they are the hot, filtered path), relationships in ``edges``. Every write call is one
``BEGIN IMMEDIATE`` transaction, so a killed process loses only the uncommitted call
and never corrupts the file; WAL lets readers run while a writer commits.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from graph.errors import GraphStoreError, InvalidInputError, StoreUnavailableError
from graph.model import Claim, Document, Node, end_of
from graph.schema import (
    IMMUTABLE_EDGES,
    NODE_CLASSES,
    PRIMARY_LABELS,
    RELATIONSHIP_ENDPOINTS,
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
    StoreConveniences,
    check_limit,
    missing_error,
    node_key,
    plan_write,
)

SCHEMA_VERSION = 2
_CHUNK = 500

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes(
    label TEXT NOT NULL, id TEXT NOT NULL, name TEXT, data TEXT NOT NULL, recorded_at TEXT,
    PRIMARY KEY(label, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims(
    id TEXT PRIMARY KEY, document_id TEXT NOT NULL, model_id TEXT NOT NULL, benchmark_id TEXT NOT NULL,
    reported_date TEXT NOT NULL, recorded_at TEXT NOT NULL, superseded_at TEXT,
    source_kind TEXT NOT NULL, setting TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS claims_benchmark ON claims(benchmark_id, reported_date, id);
CREATE INDEX IF NOT EXISTS claims_model ON claims(model_id, reported_date, id);
CREATE INDEX IF NOT EXISTS claims_document ON claims(document_id);
CREATE INDEX IF NOT EXISTS claims_reported ON claims(reported_date, id);
CREATE TABLE IF NOT EXISTS edges(
    src_label TEXT NOT NULL, src TEXT NOT NULL, rel TEXT NOT NULL, dst_label TEXT NOT NULL, dst TEXT NOT NULL,
    PRIMARY KEY(src_label, src, rel, dst_label, dst)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst_label, dst, rel);
CREATE VIEW IF NOT EXISTS all_edges(src_label, src, rel, dst_label, dst) AS
    SELECT src_label, src, rel, dst_label, dst FROM edges
    UNION ALL SELECT 'Document', document_id, 'REPORTS', 'Claim', id FROM claims
    UNION ALL SELECT 'Claim', id, 'OF_MODEL', 'Model', model_id FROM claims
    UNION ALL SELECT 'Claim', id, 'ON_BENCHMARK', 'Benchmark', benchmark_id FROM claims;
"""
_DERIVED = ("REPORTS", "OF_MODEL", "ON_BENCHMARK")
"""A claim's own edges are read from its columns (the ``all_edges`` view), never stored twice."""

_UPSERT_NODE = """
INSERT INTO nodes(label, id, name, data, recorded_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT(label, id) DO UPDATE SET name = excluded.name,
    data = CASE WHEN nodes.recorded_at IS NULL THEN excluded.data
                ELSE json_set(excluded.data, '$.recorded_at', nodes.recorded_at) END
"""
_INSERT_IMPLICIT = "INSERT OR IGNORE INTO nodes(label, id, name, data, recorded_at) VALUES (?, ?, ?, ?, ?)"
_UPSERT_CLAIM = """
INSERT INTO claims(id, document_id, model_id, benchmark_id, reported_date, recorded_at, superseded_at,
                   source_kind, setting, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET reported_date = excluded.reported_date, source_kind = excluded.source_kind,
    data = json_set(excluded.data, '$.recorded_at', claims.recorded_at, '$.superseded_at', claims.superseded_at,
                    '$.review_status', json_extract(claims.data, '$.review_status'),
                    '$.reviewed_by', json_extract(claims.data, '$.reviewed_by'),
                    '$.reviewed_at', json_extract(claims.data, '$.reviewed_at'))
"""
_ROW_COLUMNS = (
    "id", "document_id", "model_id", "benchmark_id", "reported_date", "setting", "source_kind",
    "json(json_extract(data, '$.value', '$.unit', '$.source_url', '$.needs_review', '$.confidence', '$.value_low', "
    "'$.value_high', '$.review_status'))",
)  # fmt: skip
"""The columns of a :class:`graph.store.ClaimRow`, in order."""
_BUMP = (
    "INSERT INTO meta(key, value) VALUES ('generation', '1') "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)
"""Every write transaction bumps the generation, so readers in any process can tell the graph changed."""
_INSERT_EDGE = "INSERT OR IGNORE INTO edges(src_label, src, rel, dst_label, dst) VALUES (?, ?, ?, ?, ?)"


def _ts(value: datetime) -> str:
    """Fixed-width UTC timestamps, so text order is time order."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _node_row(node: Node) -> tuple[str, str, str | None, str, str | None]:
    recorded = getattr(node, "recorded_at", None)
    data = node.model_dump_json()
    if recorded is not None:
        data = json.dumps({**json.loads(data), "recorded_at": _ts(recorded)})
    return (node.label, node.id, getattr(node, "name", None), data, _ts(recorded) if recorded else None)


def _claim_row(claim: Claim) -> tuple[Any, ...]:
    data = claim.model_dump(mode="json")
    data["recorded_at"] = _ts(claim.recorded_at)
    data["superseded_at"] = _ts(claim.superseded_at) if claim.superseded_at else None
    return (
        claim.id,
        claim.document_id,
        claim.model_id,
        claim.benchmark_id,
        claim.reported_date.isoformat(),
        data["recorded_at"],
        data["superseded_at"],
        claim.source_kind.value,
        claim.setting,
        json.dumps(data, ensure_ascii=False),
    )


class EmbeddedStore(StoreConveniences):
    """Graph store in one SQLite file; safe for one writer and many concurrent readers."""

    backend = "embedded"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreUnavailableError(f"cannot create the data directory {self.path.parent}: {e}") from e
        self.init_schema()

    # -- connections -------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise GraphStoreError(f"the embedded store {self.path} is closed")
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA cache_size=-262144")
            conn.execute("PRAGMA wal_autocheckpoint=20000")
        except sqlite3.Error as e:
            raise StoreUnavailableError(f"cannot open the embedded graph store {self.path}: {e}") from e
        self._local.conn = conn
        with self._lock:
            self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise GraphStoreError(f"cannot start a write on {self.path}: {e}") from e
        try:
            yield conn
            conn.execute(_BUMP)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _read_many(self, columns: Sequence[str], rest: str, params: Sequence[Any] = ()) -> list[list[Any]]:
        """``SELECT columns rest`` fetched as one JSON array in a single step.

        sqlite3 releases the GIL around every row it steps; with many threads reading at once
        (the API's thread pool) re-acquiring it per row serialises them into a convoy that cut a
        busy server's throughput several-fold. One aggregate row per query avoids it. Columns
        must be JSON-representable (``json(data)`` for stored JSON); row order is kept.
        """
        inner = ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns))
        # JSON-ness does not survive a subquery: columns written as json(...) are re-marked outside.
        outer = ", ".join(f"json(c{i})" if c.startswith("json(") else f"c{i}" for i, c in enumerate(columns))
        sql = f"SELECT json_group_array(json_array({outer})) FROM (SELECT {inner} {rest})"
        (text,) = self._read(sql, params)[0]
        rows: list[list[Any]] = orjson.loads(text)
        return rows

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise GraphStoreError(f"read from {self.path} failed: {e}") from e

    # -- schema ------------------------------------------------------------------------------
    def init_schema(self) -> None:
        try:
            with self._write() as conn:
                for statement in filter(str.strip, _DDL.split(";")):
                    conn.execute(statement)
                row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if row is None:
                    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                elif int(row[0]) == 1:
                    conn.execute(f"DELETE FROM edges WHERE rel IN {_DERIVED}")
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StoreUnavailableError(
                        f"{self.path} was written by a newer autoscope (schema {row[0]} > {SCHEMA_VERSION})"
                    )
        except sqlite3.DatabaseError as e:
            raise StoreUnavailableError(f"{self.path} is not a usable autoscope graph store: {e}") from e

    # -- writes ------------------------------------------------------------------------------
    def upsert(self, nodes: Sequence[Node]) -> int:
        plan = plan_write(nodes)
        with self._write() as conn:
            missing = self._missing(conn, plan.required)
            if missing:
                raise missing_error(missing)
            for implicit in plan.implicit.values():
                conn.executemany(_INSERT_IMPLICIT, [_node_row(n) for n in implicit.values()])
            for label, group in plan.nodes.items():
                if label is Label.CLAIM:
                    conn.executemany(_UPSERT_CLAIM, [_claim_row(c) for c in group if isinstance(c, Claim)])
                else:
                    conn.executemany(_UPSERT_NODE, [_node_row(n) for n in group])
            for batch in plan.edges:
                spec = batch.spec
                if batch.owner is Label.CLAIM:
                    continue
                if batch.owner not in IMMUTABLE_EDGES:
                    end = "src" if spec.outgoing else "dst"
                    conn.executemany(
                        f"DELETE FROM edges WHERE {end}_label = ? AND {end} = ? AND rel = ?",
                        [(batch.owner.value, owner, spec.rel.value) for owner in batch.owner_ids],
                    )
                conn.executemany(
                    _INSERT_EDGE,
                    [
                        (batch.owner.value, owner, spec.rel.value, target.value, tid)
                        if spec.outgoing
                        else (target.value, tid, spec.rel.value, batch.owner.value, owner)
                        for owner, tid, target in batch.rows
                    ],
                )
        return sum(len(g) for g in plan.nodes.values())

    def _missing(self, conn: sqlite3.Connection, required: dict[Label, set[str]]) -> dict[Label, list[str]]:
        missing: dict[Label, list[str]] = {}
        for label, ids in required.items():
            wanted = sorted(ids)
            found: set[str] = set()
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                if label is Label.CLAIM:
                    rows = conn.execute(f"SELECT id FROM claims WHERE id IN ({marks})", chunk)
                else:
                    rows = conn.execute(f"SELECT id FROM nodes WHERE label = ? AND id IN ({marks})", [label, *chunk])
                found.update(r[0] for r in rows)
            if lost := [i for i in wanted if i not in found]:
                missing[label] = lost
        return missing

    def upsert_relationships(self, rel: RelType, pairs: Sequence[tuple[str, str]]) -> int:
        sources, targets = RELATIONSHIP_ENDPOINTS[rel]
        rows = [(sources[0], s, label_for_id(d) if len(targets) > 1 else targets[0], d) for s, d in pairs]
        required: dict[Label, set[str]] = {}
        for src_label, src, dst_label, dst in rows:
            required.setdefault(src_label, set()).add(src)
            required.setdefault(dst_label, set()).add(dst)
        with self._write() as conn:
            if missing := self._missing(conn, required):
                raise missing_error(missing)
            conn.executemany(_INSERT_EDGE, [(sl.value, s, rel.value, dl.value, d) for sl, s, dl, d in rows])
        return len(rows)

    def supersede(self, old_ids: Sequence[str], new_id: str) -> int:
        if new_id in old_ids:
            raise InvalidInputError(f"claim {new_id} cannot supersede itself")
        with self._write() as conn:
            if missing := self._missing(conn, {Label.CLAIM: {new_id, *old_ids}}):
                raise missing_error(missing)
            (when,) = conn.execute("SELECT recorded_at FROM claims WHERE id = ?", (new_id,)).fetchone()
            conn.executemany(
                "UPDATE claims SET superseded_at = ?, data = json_set(data, '$.superseded_at', ?) "
                "WHERE id = ? AND superseded_at IS NULL",
                [(when, when, old) for old in old_ids],
            )
            conn.executemany(_INSERT_EDGE, [("Claim", new_id, "SUPERSEDES", "Claim", old) for old in old_ids])
        return len(old_ids)

    def delete(self, label: Label, ids: Sequence[str]) -> int:
        if label not in (Label.MILESTONE, Label.SIGNAL):
            raise InvalidInputError(f"{label} nodes are facts and are never deleted (only derived milestones/signals)")
        wanted = sorted(set(ids))
        with self._write() as conn:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                conn.execute(f"DELETE FROM nodes WHERE label = ? AND id IN ({marks})", [label.value, *chunk])
                conn.execute(f"DELETE FROM edges WHERE src_label = ? AND src IN ({marks})", [label.value, *chunk])
                conn.execute(f"DELETE FROM edges WHERE dst_label = ? AND dst IN ({marks})", [label.value, *chunk])
        return len(wanted)

    def review(self, claim_id: str, status: str, reviewer: str, at: datetime) -> None:
        with self._write() as conn:
            if missing := self._missing(conn, {Label.CLAIM: {claim_id}}):
                raise missing_error(missing)
            conn.execute(
                "UPDATE claims SET data = json_set(data, '$.review_status', ?, '$.reviewed_by', ?, '$.reviewed_at', ?) "
                "WHERE id = ?",
                (status, reviewer, _ts(at), claim_id),
            )

    def clear(self) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM nodes")
            conn.execute("DELETE FROM claims")
            conn.execute("DELETE FROM edges")

    # -- reads -------------------------------------------------------------------------------
    def get(self, label: Label, node_id: str) -> Node | None:
        if label in (Label.PAPER, Label.ANNOUNCEMENT):
            label = Label.DOCUMENT
        if label is Label.CLAIM:
            rows = self._read("SELECT data FROM claims WHERE id = ?", (node_id,))
        else:
            rows = self._read("SELECT data FROM nodes WHERE label = ? AND id = ?", (label.value, node_id))
        return NODE_CLASSES[label].model_validate_json(rows[0][0]) if rows else None

    def get_many(self, label: Label, ids: Sequence[str]) -> dict[str, Node]:
        if label in (Label.PAPER, Label.ANNOUNCEMENT):
            label = Label.DOCUMENT
        cls = NODE_CLASSES[label]
        wanted = sorted(set(ids))
        out: dict[str, Node] = {}
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            if label is Label.CLAIM:
                rows = self._read(f"SELECT id, data FROM claims WHERE id IN ({marks})", chunk)
            else:
                rows = self._read(
                    f"SELECT id, data FROM nodes WHERE label = ? AND id IN ({marks})", [label.value, *chunk]
                )
            out.update((r[0], cls.model_validate_json(r[1])) for r in rows)
        return out

    def list_nodes(self, label: Label, limit: int = 100, cursor: str | None = None) -> Page[Node]:
        check_limit(limit)
        after = Cursor.decode(cursor).id if cursor else ""
        if label is Label.CLAIM:
            rows = self._read("SELECT id, data FROM claims WHERE id > ? ORDER BY id LIMIT ?", (after, limit + 1))
        else:
            rows = self._read(
                "SELECT id, data FROM nodes WHERE label = ? AND id > ? ORDER BY id LIMIT ?",
                (label.value, after, limit + 1),
            )
        cls = NODE_CLASSES[label]
        items: list[Node] = [cls.model_validate_json(r[1]) for r in rows[:limit]]
        nxt = Cursor("", rows[limit - 1][0]).encode() if len(rows) > limit else None
        return Page(items, nxt)

    def list_claims(self, query: ClaimQuery, limit: int = 100, cursor: str | None = None) -> Page[Claim]:
        check_limit(limit)
        where, params = self._claim_filter(query)
        op, order = ("<", "DESC") if query.descending else (">", "ASC")
        if cursor:
            pos = Cursor.decode(cursor)
            where.append(f"(reported_date, id) {op} (?, ?)")
            params += [pos.key, pos.id]
        rest = f"FROM claims WHERE {' AND '.join(where) or '1'} ORDER BY reported_date {order}, id {order} LIMIT ?"
        rows = self._read_many(("reported_date", "id", "json(data)"), rest, [*params, limit + 1])
        items = [Claim.model_validate(r[2]) for r in rows[:limit]]
        nxt = Cursor(rows[limit - 1][0], rows[limit - 1][1]).encode() if len(rows) > limit else None
        return Page(items, nxt)

    def claim_rows(self, query: ClaimQuery) -> list[ClaimRow]:
        where, params = self._claim_filter(query)
        order = "DESC" if query.descending else "ASC"
        rows = self._read_many(
            _ROW_COLUMNS,
            f"FROM claims WHERE {' AND '.join(where) or '1'} ORDER BY reported_date {order}, id {order}",
            params,
        )
        out = []
        for r in rows:
            value, unit, url, flagged, confidence, low, high, review = r[7]
            out.append(ClaimRow(r[0], r[1], r[2], r[3], float(value), unit, date.fromisoformat(r[4]), r[5], r[6], url,
                                bool(flagged), float(confidence), low, high, review))  # fmt: skip
        return out

    def _claim_filter(self, q: ClaimQuery) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if q.benchmark_id is not None:
            ids = self.variants(q.benchmark_id) if q.include_variants else [q.benchmark_id]
            where.append(f"benchmark_id IN ({','.join('?' * len(ids))})")
            params += ids
        for column, value in (("model_id", q.model_id), ("document_id", q.document_id), ("setting", q.setting)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if q.source_kind is not None:
            where.append("source_kind = ?")
            params.append(q.source_kind.value)
        if q.needs_review is not None:
            where.append("coalesce(json_extract(data, '$.needs_review'), 0) = ?")
            params.append(int(q.needs_review))
        if q.reviewed is not None:
            where.append(f"json_extract(data, '$.review_status') IS {'NOT ' if q.reviewed else ''}NULL")
        if q.organization_id is not None:
            where.append(
                "model_id IN (SELECT id FROM nodes WHERE label = 'Model' "
                "AND json_extract(data, '$.organization_id') = ?)"
            )
            params.append(q.organization_id)
        if q.date_from is not None:
            where.append("reported_date >= ?")
            params.append(q.date_from.isoformat())
        if q.date_to is not None:
            where.append("reported_date <= ?")
            params.append(q.date_to.isoformat())
        bound = q.as_of_bound()
        if bound is not None:
            where.append("recorded_at <= ?")
            params.append(_ts(bound))
        if not q.include_superseded:
            if bound is None:
                where.append("superseded_at IS NULL")
            else:
                where.append("(superseded_at IS NULL OR superseded_at > ?)")
                params.append(_ts(bound))
        return where, params

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
        rel_sql = " AND rel = ?" if rel else ""
        rel_param = [rel.value] if rel else []
        rows = self._read(
            f"SELECT rel, 'out', dst_label, dst FROM all_edges WHERE src_label = ? AND src = ?{rel_sql} "
            f"UNION ALL SELECT rel, 'in', src_label, src FROM all_edges WHERE dst_label = ? AND dst = ?{rel_sql} "
            "ORDER BY 1, 2, 3, 4 LIMIT ?",
            [label.value, node_id, *rel_param, label.value, node_id, *rel_param, limit],
        )
        names = self._names([(r[2], r[3]) for r in rows])
        return [Neighbour(RelType(r[0]), r[1], Label(r[2]), r[3], names.get((r[2], r[3]))) for r in rows]

    def _names(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        out: dict[tuple[str, str], str | None] = {}
        for label, node_id in set(keys):
            if label != Label.CLAIM.value:
                rows = self._read("SELECT name FROM nodes WHERE label = ? AND id = ?", (label, node_id))
                out[(label, node_id)] = rows[0][0] if rows else None
        return out

    def variants(self, benchmark_id: str) -> list[str]:
        rows = self._read(
            "WITH RECURSIVE fam(id) AS (SELECT ? UNION SELECT e.src FROM edges e JOIN fam ON e.dst = fam.id "
            "WHERE e.rel = 'VARIANT_OF' AND e.dst_label = 'Benchmark') SELECT id FROM fam",
            (benchmark_id,),
        )
        return [benchmark_id, *sorted(r[0] for r in rows if r[0] != benchmark_id)]

    def relationships(self, rel: RelType) -> list[tuple[str, str]]:
        rows = self._read("SELECT src, dst FROM all_edges WHERE rel = ? ORDER BY src, dst", (rel.value,))
        return [(r[0], r[1]) for r in rows]

    def server_info(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def generation(self) -> str:
        rows = self._read("SELECT value FROM meta WHERE key = 'generation'")
        return f"{self.path.stat().st_ino}-{rows[0][0] if rows else 0}"

    def counts(self) -> GraphCounts:
        nodes = {label: n for label, n in self._read("SELECT label, count(*) FROM nodes GROUP BY label")}
        (claims,) = self._read("SELECT count(*) FROM claims")[0]
        if claims:
            nodes[Label.CLAIM.value] = claims
        rels = {rel: n for rel, n in self._read("SELECT rel, count(*) FROM edges GROUP BY rel")}
        for rel in _DERIVED:
            if claims:
                rels[rel] = claims
        ordered = {label.value: nodes[label.value] for label in PRIMARY_LABELS if label.value in nodes}
        return GraphCounts(nodes=ordered, relationships=dict(sorted(rels.items())))

    def to_networkx(self) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        for label, node_id, data in self._read("SELECT label, id, data FROM nodes"):
            graph.add_node(node_key(label, node_id), label=label, **json.loads(data))
        for node_id, data in self._read("SELECT id, data FROM claims"):
            graph.add_node(node_key("Claim", node_id), label="Claim", **json.loads(data))
        for src_label, src, rel, dst_label, dst in self._read(
            "SELECT src_label, src, rel, dst_label, dst FROM all_edges"
        ):
            graph.add_edge(node_key(src_label, src), node_key(dst_label, dst), key=rel, rel=rel)
        return graph

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
