"""The raw document store: SQLite under the data directory.

One row per document (the current version) plus the history of replaced versions, and
per-source state (cursor, last success, counts). A page of documents and the cursor that
follows it are written in one transaction, so a run killed at any moment resumes from the
last committed page and nothing is stored twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.documents import SourceDocument, Table
from ingest.errors import DocStoreError
from ingest.sources.base import Checkpoint, SourceState

_CHUNK = 500

_DDL = """
CREATE TABLE IF NOT EXISTS documents(
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, kind TEXT NOT NULL, url TEXT, title TEXT NOT NULL,
    text TEXT NOT NULL, tables TEXT NOT NULL, published TEXT, updated TEXT, authors TEXT NOT NULL,
    organization_id TEXT, categories TEXT NOT NULL, version TEXT, extra TEXT NOT NULL,
    content_hash TEXT NOT NULL, first_seen TEXT NOT NULL, fetched_at TEXT NOT NULL, changed_at TEXT NOT NULL,
    needs_extraction INTEGER NOT NULL DEFAULT 1, extracted_with TEXT);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source, doc_id);
CREATE INDEX IF NOT EXISTS documents_pending ON documents(needs_extraction) WHERE needs_extraction = 1;
CREATE TABLE IF NOT EXISTS document_versions(
    doc_id TEXT NOT NULL, content_hash TEXT NOT NULL, version TEXT, replaced_at TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY(doc_id, content_hash));
CREATE TABLE IF NOT EXISTS source_state(
    source TEXT PRIMARY KEY, cursor TEXT, last_success TEXT, last_run TEXT, runs INTEGER NOT NULL DEFAULT 0,
    totals TEXT NOT NULL DEFAULT '{}');
"""
_COLUMNS = (
    "doc_id, source, kind, url, title, text, tables, published, updated, authors, organization_id, categories, "
    "version, extra, content_hash, first_seen, fetched_at, changed_at, needs_extraction, extracted_with"
)
_INSERT = f"INSERT INTO documents({_COLUMNS}) VALUES ({','.join('?' * 20)})"
_UPDATE = """
UPDATE documents SET source=?, kind=?, url=?, title=?, text=?, tables=?, published=?, updated=?, authors=?,
    organization_id=?, categories=?, version=?, extra=?, content_hash=?, fetched_at=?, changed_at=?,
    needs_extraction=1 WHERE doc_id=?
"""
_ARCHIVE = """
INSERT OR IGNORE INTO document_versions(doc_id, content_hash, version, replaced_at, data)
SELECT doc_id, content_hash, version, ?, json_object('title', title, 'text', text, 'tables', json(tables),
    'published', published, 'updated', updated, 'authors', json(authors), 'categories', json(categories),
    'version', version, 'url', url, 'fetched_at', fetched_at)
FROM documents WHERE doc_id = ?
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_STR = json.encoder.encode_basestring  # the C escaper json.dumps(ensure_ascii=False) uses for strings
_PAIR = "{}:{}".format


def _dumps(value: Any) -> str:
    """Compact JSON, byte-identical to ``json.dumps(ensure_ascii=False)``; lists and dicts of strings
    (authors, categories, extra) take a C-only path, as this runs for every stored document."""
    try:
        if type(value) is list:
            return "[" + ",".join(map(_STR, value)) + "]"
        if type(value) is dict:
            return "{" + ",".join(map(_PAIR, map(_STR, value), map(_STR, value.values()))) + "}"
    except TypeError:  # not all strings
        pass
    return _ENCODE(value)


@dataclass
class PageOutcome:
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoredDocument:
    """A stored document with its bookkeeping."""

    document: SourceDocument
    content_hash: str
    first_seen: datetime
    changed_at: datetime
    needs_extraction: bool
    extracted_with: str | None
    versions: int


class DocStore:
    """SQLite document store (WAL); one writer, concurrent readers."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            with self._tx() as conn:
                for statement in filter(str.strip, _DDL.split(";")):
                    conn.execute(statement)
        except sqlite3.DatabaseError as e:
            raise DocStoreError(f"{self.path} is not a usable document store: {e}") from e
        except OSError as e:
            raise DocStoreError(f"cannot create the document store {self.path}: {e}") from e

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> DocStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    class _Tx:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> sqlite3.Connection:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, exc_type: object, *rest: object) -> None:
            if exc_type is None:
                self.conn.execute("COMMIT")
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def _tx(self) -> DocStore._Tx:
        return DocStore._Tx(self._conn)

    # -- writes ------------------------------------------------------------------------------
    def classify(self, docs: Sequence[SourceDocument]) -> tuple[PageOutcome, dict[str, str]]:
        """Which documents are new, changed or unchanged (read-only; used by --dry-run too)."""
        hashes = {d.doc_id: d.content_hash() for d in docs}
        known = self._hashes(list(hashes))
        outcome = PageOutcome()
        for doc_id, digest in hashes.items():
            if doc_id not in known:
                outcome.new.append(doc_id)
            elif known[doc_id] != digest:
                outcome.updated.append(doc_id)
            else:
                outcome.unchanged.append(doc_id)
        return outcome, hashes

    def _hashes(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            sql = f"SELECT doc_id, content_hash FROM documents WHERE doc_id IN ({','.join('?' * len(chunk))})"
            found.update(self._conn.execute(sql, chunk).fetchall())
        return found

    def commit(self, source: str, docs: Sequence[SourceDocument], checkpoint: Checkpoint | None = None) -> PageOutcome:
        """Store a page of documents, and the source's cursor when a checkpoint is given, in one transaction."""
        by_id = {d.doc_id: d for d in docs}
        now = _now()
        try:
            with self._tx() as conn:
                outcome, hashes = self.classify(list(by_id.values()))
                conn.executemany(
                    _INSERT,
                    [self._insert_row(by_id[i], hashes[i], now) for i in outcome.new],
                )
                for doc_id in outcome.updated:
                    conn.execute(_ARCHIVE, (now, doc_id))
                conn.executemany(_UPDATE, [self._update_row(by_id[i], hashes[i], now) for i in outcome.updated])
                if checkpoint is not None:
                    conn.execute(
                        "INSERT INTO source_state(source, cursor, last_run) VALUES (?, ?, ?) "
                        "ON CONFLICT(source) DO UPDATE SET cursor = excluded.cursor, last_run = excluded.last_run",
                        (source, checkpoint.cursor, now),
                    )
        except sqlite3.Error as e:
            raise DocStoreError(f"writing {len(by_id)} documents from {source} to {self.path} failed: {e}") from e
        return outcome

    @staticmethod
    def _fields(d: SourceDocument) -> list[Any]:
        return [
            d.source,
            d.kind,
            d.url,
            d.title,
            d.text,
            _dumps([t.model_dump() for t in d.tables]) if d.tables else "[]",
            d.published.isoformat() if d.published else None,
            d.updated.isoformat() if d.updated else None,
            _dumps(d.authors),
            d.organization_id,
            _dumps(d.categories),
            d.version,
            _dumps(d.extra),
        ]

    def _insert_row(self, d: SourceDocument, digest: str, now: str) -> list[Any]:
        fetched = d.fetched_at.isoformat(timespec="seconds")
        return [d.doc_id, *self._fields(d), digest, now, fetched, now, 1, None]

    def _update_row(self, d: SourceDocument, digest: str, now: str) -> list[Any]:
        return [*self._fields(d), digest, d.fetched_at.isoformat(timespec="seconds"), now, d.doc_id]

    def finish_run(self, source: str, totals: dict[str, int], success: bool, started: datetime) -> None:
        """Record a run's totals; a successful run sets ``last_success`` to when it started."""
        with self._tx() as conn:
            row = conn.execute("SELECT totals FROM source_state WHERE source = ?", (source,)).fetchone()
            merged = json.loads(row[0]) if row else {}
            for key, value in totals.items():
                merged[key] = merged.get(key, 0) + value
            conn.execute(
                "INSERT INTO source_state(source, last_run, runs, totals, last_success) VALUES (?, ?, 1, ?, ?) "
                "ON CONFLICT(source) DO UPDATE SET last_run = excluded.last_run, runs = runs + 1, "
                "totals = excluded.totals, last_success = coalesce(excluded.last_success, last_success)",
                (source, _now(), _dumps(merged), started.isoformat(timespec="seconds") if success else None),
            )

    def mark_extracted(self, doc_ids: Sequence[str], extractor_version: str) -> None:
        with self._tx() as conn:
            conn.executemany(
                "UPDATE documents SET needs_extraction = 0, extracted_with = ? WHERE doc_id = ?",
                [(extractor_version, i) for i in doc_ids],
            )

    # -- reads -------------------------------------------------------------------------------
    def state(self, source: str) -> SourceState | None:
        row = self._conn.execute(
            "SELECT cursor, last_success, last_run FROM source_state WHERE source = ?", (source,)
        ).fetchone()
        if row is None:
            return None
        parse = lambda v: datetime.fromisoformat(v) if v else None  # noqa: E731
        return SourceState(source, row[0], parse(row[1]), parse(row[2]))

    def states(self) -> list[tuple[SourceState, int, dict[str, int]]]:
        rows = self._conn.execute("SELECT source FROM source_state ORDER BY source").fetchall()
        out = []
        for (source,) in rows:
            runs, totals = self._conn.execute(
                "SELECT runs, totals FROM source_state WHERE source = ?", (source,)
            ).fetchone()
            state = self.state(source)
            assert state is not None
            out.append((state, runs, json.loads(totals)))
        return out

    def get(self, doc_id: str) -> StoredDocument | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return self._stored(row, with_versions=True) if row else None

    def _stored(self, row: Sequence[Any], with_versions: bool = False) -> StoredDocument:
        (doc_id, source, kind, url, title, text, tables, published, updated, authors, org, categories, version,
         extra, digest, first_seen, fetched_at, changed_at, needs, extracted_with) = row  # fmt: skip
        doc = SourceDocument(
            doc_id=doc_id,
            source=source,
            kind=kind,
            url=url,
            title=title,
            text=text,
            tables=[Table.model_validate(t) for t in json.loads(tables)],
            published=published,
            updated=updated,
            authors=json.loads(authors),
            organization_id=org,
            categories=json.loads(categories),
            version=version,
            extra=json.loads(extra),
            fetched_at=fetched_at,
        )
        versions = 0
        if with_versions:
            (versions,) = self._conn.execute(
                "SELECT count(*) FROM document_versions WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return StoredDocument(
            doc,
            digest,
            datetime.fromisoformat(first_seen),
            datetime.fromisoformat(changed_at),
            bool(needs),
            extracted_with,
            versions + 1,
        )

    def history(self, doc_id: str) -> list[dict[str, Any]]:
        """Replaced versions, oldest first."""
        rows = self._conn.execute(
            "SELECT content_hash, version, replaced_at, data FROM document_versions WHERE doc_id = ? "
            "ORDER BY replaced_at, rowid",
            (doc_id,),
        ).fetchall()
        return [{"content_hash": h, "version": v, "replaced_at": at, **json.loads(d)} for h, v, at, d in rows]

    def list(self, source: str | None = None, limit: int = 50, after: str = "") -> list[StoredDocument]:
        if source:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM documents WHERE source = ? AND doc_id > ? ORDER BY doc_id LIMIT ?",
                (source, after, limit),
            ).fetchall()
        else:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM documents WHERE doc_id > ? ORDER BY doc_id LIMIT ?", (after, limit)
            ).fetchall()
        return [self._stored(r, with_versions=True) for r in rows]

    def pending(self, extractor_version: str, batch: int = 500) -> Iterator[SourceDocument]:
        """Documents new, changed, or extracted by another extractor version, streamed."""
        after = ""
        while True:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM documents WHERE doc_id > ? AND "
                "(needs_extraction = 1 OR extracted_with IS NULL OR extracted_with != ?) ORDER BY doc_id LIMIT ?",
                (after, extractor_version, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._stored(row).document
            after = rows[-1][0]

    def count(self, source: str | None = None) -> int:
        if source:
            (n,) = self._conn.execute("SELECT count(*) FROM documents WHERE source = ?", (source,)).fetchone()
        else:
            (n,) = self._conn.execute("SELECT count(*) FROM documents").fetchone()
        return int(n)
