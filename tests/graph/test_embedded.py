"""Embedded-store durability: reopen, concurrent readers, a process killed mid-write, bad files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailableError
from graph.model import Benchmark, Claim, Document, DocumentKind, Model, SourceKind, Unit
from graph.schema import Label, RelType
from graph.store import ClaimQuery

ROOT = Path(__file__).resolve().parents[2]


def base_nodes() -> list[object]:
    return [
        Model(id="m", name="M"),
        Benchmark(id="b", name="B"),
        Document(id="url:https://example.org/d", kind=DocumentKind.WEBPAGE),
    ]


def batch(start: int, size: int) -> list[Claim]:
    return [
        Claim(
            document_id="url:https://example.org/d",
            model_id="m",
            benchmark_id="b",
            value=float(i),
            unit=Unit.PERCENT,
            source_kind=SourceKind.CURATED,
            reported_date=date(2025, 1, 1),
        )
        for i in range(start, start + size)
    ]


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    store = EmbeddedStore(path)
    store.upsert(base_nodes())  # type: ignore[arg-type]
    store.upsert(batch(0, 10))
    before = store.counts()
    store.close()
    again = EmbeddedStore(path)
    assert again.counts() == before
    assert {c.value for c in again.list_claims(ClaimQuery(), limit=100).items} == {float(i) for i in range(10)}
    again.close()


def test_a_reader_never_sees_half_a_write(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.sqlite")
    store.upsert(base_nodes())  # type: ignore[arg-type]
    seen: set[int] = set()
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                seen.add(store.counts().nodes.get("Claim", 0))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(5):
        store.upsert(batch(i * 4000, 4000))
    stop.set()
    reader.join()
    store.close()
    assert not errors
    assert seen <= {0, 4000, 8000, 12000, 16000, 20000}
    assert len(seen) >= 2


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from graph.embedded import EmbeddedStore
    from graph.model import Benchmark, Claim, Document, Model, SourceKind, Unit
    store = EmbeddedStore(sys.argv[1])
    store.upsert([Model(id="m", name="M"), Benchmark(id="b", name="B"),
                  Document(id="url:https://example.org/d", kind="webpage")])
    i = 0
    while True:
        store.upsert([Claim(document_id="url:https://example.org/d", model_id="m", benchmark_id="b",
                            value=float(n), unit=Unit.PERCENT, source_kind=SourceKind.CURATED,
                            reported_date=date(2025, 1, 1)) for n in range(i, i + 500)])
        i += 500
        print(i, flush=True)
    """
)


def test_a_process_killed_mid_write_leaves_a_consistent_store(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    committed = 0
    deadline = time.monotonic() + 60
    while committed < 3000 and time.monotonic() < deadline:
        committed = int(proc.stdout.readline() or 0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert committed >= 3000
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = EmbeddedStore(path)
    count = store.counts().nodes["Claim"]
    assert count >= committed and count % 500 == 0
    edges = store.counts().relationships
    assert edges["OF_MODEL"] == edges["ON_BENCHMARK"] == edges["REPORTS"] == count
    store.upsert(batch(0, 10))  # the store is writable again
    store.close()


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreUnavailableError, match=r"notes\.sqlite"):
        EmbeddedStore(path)
    assert path.read_text().startswith("these are my notes")


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    EmbeddedStore(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreUnavailableError, match="newer autoscope"):
        EmbeddedStore(path)


def test_a_version_1_store_is_migrated_without_double_counting(tmp_path: Path) -> None:
    path = tmp_path / "g.sqlite"
    store = EmbeddedStore(path)
    store.upsert(base_nodes())  # type: ignore[arg-type]
    store.upsert(batch(0, 3))
    store.close()
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT id, model_id FROM claims").fetchall()
        raw.executemany("INSERT INTO edges VALUES ('Claim', ?, 'OF_MODEL', 'Model', ?)", rows)
        raw.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    again = EmbeddedStore(path)
    assert again.counts().relationships["OF_MODEL"] == 3
    assert len([n for n in again.neighbours(Label.MODEL, "m") if n.rel is RelType.OF_MODEL]) == 3
    again.close()
