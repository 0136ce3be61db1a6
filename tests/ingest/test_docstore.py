"""Document store and runner: idempotent upserts, version history, checkpoints, crash safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ingest.docstore import DocStore
from ingest.documents import SourceDocument, Table
from ingest.errors import DocStoreError, FetchError
from ingest.runner import run_source
from ingest.sources.base import Checkpoint, Event, Skip, SourceState

ROOT = Path(__file__).resolve().parents[2]


def doc(i: int, text: str = "abstract", version: str = "v1") -> SourceDocument:
    return SourceDocument(
        doc_id=f"arxiv:2501.{i:05d}",
        source="test",
        title=f"Paper {i}",
        text=text,
        version=version,
        published=date(2025, 1, 2),
        authors=["Ada Lovelace"],
        categories=["cs.AI"],
        tables=[Table(caption="Results", header=["Model", "SWE-bench Verified"], rows=[["X", "70.1"]])],
    )


class ListSource:
    """A scripted source: yields the given events, optionally failing at the end."""

    name = "scripted"

    def __init__(self, events: list[Event], fail: str | None = None) -> None:
        self.events = events
        self.fail = fail
        self.seen_state: SourceState | None = None

    def fetch(self, state: SourceState | None) -> Iterator[Event]:
        self.seen_state = state
        yield from self.events
        if self.fail:
            raise FetchError(self.fail)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DocStore]:
    with DocStore(tmp_path / "documents.sqlite") as s:
        yield s


def test_new_unchanged_and_updated_with_history(store: DocStore) -> None:
    first = run_source(ListSource([doc(1), doc(2), Checkpoint(None)]), store)
    assert (first.new, first.updated, first.unchanged, first.completed) == (2, 0, 0, True)
    again = run_source(ListSource([doc(1), doc(2)]), store)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    store.mark_extracted(["arxiv:2501.00001", "arxiv:2501.00002"], "x1")
    v2 = run_source(ListSource([doc(1, "revised abstract", "v2"), doc(2)]), store)
    assert (v2.new, v2.updated, v2.unchanged) == (0, 1, 1)
    stored = store.get("arxiv:2501.00001")
    assert stored is not None
    assert stored.document.text == "revised abstract" and stored.document.version == "v2"
    assert stored.needs_extraction and stored.versions == 2
    assert stored.document.tables[0].rows == [["X", "70.1"]]
    history = store.history("arxiv:2501.00001")
    assert [(h["version"], h["text"]) for h in history] == [("v1", "abstract")]
    assert [d.doc_id for d in store.pending("x1")] == ["arxiv:2501.00001"]
    assert len(list(store.pending("x2"))) == 2


def test_duplicates_within_a_page_are_reported(store: DocStore) -> None:
    summary = run_source(ListSource([doc(1), doc(1, "other"), Checkpoint(None)]), store)
    assert summary.new == 1 and store.get("arxiv:2501.00001").document.text == "abstract"  # type: ignore[union-attr]
    assert [s.reason for s in summary.skipped] == ["duplicate entry within one page; kept the first"]


def test_skips_carry_their_reasons_and_the_run_goes_on(store: DocStore) -> None:
    summary = run_source(ListSource([doc(1), Skip("entry 7", "no id"), doc(2)]), store)
    assert summary.new == 2 and summary.as_dict()["skip_reasons"] == ["entry 7: no id"]


def test_cursor_is_committed_with_its_page_and_kept_on_failure(store: DocStore) -> None:
    events: list[Event] = [doc(1), doc(2), Checkpoint('{"page": 2}'), doc(3)]
    summary = run_source(ListSource(events, fail="http://x/page3: HTTP 503 after 5 attempt(s)"), store)
    assert not summary.completed and summary.errors == ["http://x/page3: HTTP 503 after 5 attempt(s)"]
    assert store.count() == 3
    state = store.state("scripted")
    assert state is not None and state.cursor == '{"page": 2}' and state.last_success is None
    rerun = ListSource([doc(3), Checkpoint(None)])
    assert run_source(rerun, store).completed
    assert rerun.seen_state is not None and rerun.seen_state.cursor == '{"page": 2}'
    final = store.state("scripted")
    assert final is not None and final.cursor is None and final.last_success is not None


def test_dry_run_writes_nothing(store: DocStore) -> None:
    summary = run_source(ListSource([doc(1), Checkpoint("c")]), store, dry_run=True)
    assert summary.new == 1 and store.count() == 0 and store.state("scripted") is None


def test_run_totals_accumulate(store: DocStore) -> None:
    run_source(ListSource([doc(1)]), store)
    run_source(ListSource([doc(1), doc(2)]), store)
    [(state, runs, totals)] = store.states()
    assert state.source == "scripted" and runs == 2
    assert totals == {"fetched": 3, "new": 2, "updated": 0, "unchanged": 1, "skipped": 0, "errors": 0}


def test_not_a_document_store(tmp_path: Path) -> None:
    bad = tmp_path / "documents.sqlite"
    bad.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(DocStoreError, match=r"documents\.sqlite"):
        DocStore(bad)


WRITER = textwrap.dedent(
    """
    import sys
    from ingest.docstore import DocStore
    from ingest.documents import SourceDocument
    from ingest.sources.base import Checkpoint
    store = DocStore(sys.argv[1])
    page = 0
    while True:
        docs = [SourceDocument(doc_id=f"arxiv:2501.{page * 200 + i:05d}", source="t", text="x" * 2000)
                for i in range(200)]
        store.commit("t", docs, Checkpoint(str(page + 1)))
        page += 1
        print(page, flush=True)
    """
)


def test_killed_mid_commit_the_store_and_cursor_agree(tmp_path: Path) -> None:
    path = tmp_path / "documents.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    pages = 0
    deadline = time.monotonic() + 60
    while pages < 5 and time.monotonic() < deadline:
        pages = int(proc.stdout.readline() or 0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with DocStore(path) as store:
        state = store.state("t")
        assert state is not None and state.cursor is not None
        assert store.count() == int(state.cursor) * 200 >= 1000
