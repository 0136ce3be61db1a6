"""The arXiv metadata snapshot source, end to end through run_source into a real DocStore."""

from __future__ import annotations

import gzip
import json
import os
import random
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ingest.docstore import DocStore
from ingest.documents import SourceDocument
from ingest.errors import SourceError
from ingest.runner import RunSummary, run_source
from ingest.sources.base import Checkpoint, Event, SourceState
from ingest.sources.snapshot import SnapshotSource, snapshot_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "snapshot"
SMALL = FIXTURES / "small.jsonl"
AI = ("cs.AI", "cs.LG", "cs.CL")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DocStore]:
    with DocStore(tmp_path / "docs.db") as docstore:
        yield docstore


def ingest(store: DocStore, path: Path, **options: object) -> tuple[RunSummary, SnapshotSource]:
    source = SnapshotSource(path, **options)  # type: ignore[arg-type]
    return run_source(source, store), source


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def stored_ids(store: DocStore) -> set[str]:
    return {d.document.doc_id for d in store.list(limit=10_000)}


def gzipped(src: Path, dest: Path) -> Path:
    dest.write_bytes(gzip.compress(src.read_bytes()))
    return dest


def synthetic(path: Path, n: int, seed: int = 3) -> Path:
    """``n`` invented records in the snapshot schema, with enough variety that gzip cannot squeeze them."""
    rng = random.Random(seed)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(500)]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            rec = {
                "id": f"2301.{i:05d}",
                "submitter": "Ada Example",
                "authors": "Ada Example and Bo Sample",
                "title": " ".join(rng.choices(words, k=8)),
                "comments": None,
                "journal-ref": None,
                "doi": None,
                "report-no": None,
                "categories": "cs.LG",
                "license": None,
                "abstract": "  " + " ".join(rng.choices(words, k=60)) + "\n",
                "versions": [{"version": "v1", "created": "Tue, 3 Jan 2023 10:00:00 GMT"}],
                "update_date": "2023-01-04",
                "authors_parsed": [["Example", "Ada", ""], ["Sample", "Bo", ""]],
            }
            out.write(json.dumps(rec, separators=(",", ":")) + "\n")
    return path


# -- mapping -----------------------------------------------------------------------------------
def test_every_field_is_mapped_end_to_end(store: DocStore) -> None:
    summary, source = ingest(store, SMALL)
    assert summary.completed and not summary.errors and not summary.skipped
    assert summary.new == source.stats.lines == 12 and store.count("snapshot") == 12

    stored = store.get("arxiv:2403.01234")
    assert stored is not None
    doc = stored.document
    assert (doc.source, doc.kind, doc.url) == ("snapshot", "paper", "https://arxiv.org/abs/2403.01234")
    assert doc.title == "Sparse Reward Shaping for Long-Horizon Agentic Coding Tasks"
    assert doc.text.startswith("We study language-model agents that must edit a repository over hundreds of steps")
    assert "\n" not in doc.text and "  " not in doc.text and doc.text.endswith("previously passing checks.")
    assert (doc.published, doc.updated, doc.version) == (date(2024, 3, 4), date(2024, 5, 16), "v2")
    assert doc.authors == ["Mira K. Okafor", "Tomas Lindqvist", "Rana Haddad"]
    assert doc.categories == ["cs.LG", "cs.AI"]
    assert doc.extra == {
        "submitter": "Mira Okafor",
        "comments": "14 pages, 6 figures; v2: added ablations",
        "license": "http://creativecommons.org/licenses/by/4.0/",
        "update_date": "2024-05-17",
    }

    old = store.get("arxiv:hep-th/9901001")
    assert old is not None
    assert old.document.url == "https://arxiv.org/abs/hep-th/9901001"
    assert old.document.title == "Boundary Terms in a Toy Model of Two-Dimensional Gravity"
    assert {k: old.document.extra[k] for k in ("journal-ref", "doi", "report-no")} == {
        "journal-ref": "Invented J. Theor. Phys. 12 (1999) 345-356",
        "doi": "10.0000/ijtp.1999.0345",
        "report-no": "ZTH-99-01",
    }
    three = store.get("arxiv:2501.00321")
    assert three is not None and three.document.version == "v3"
    assert three.document.authors[0] == "Samuel Adeyemi Jr" and three.document.updated == date(2025, 3, 3)
    accents = store.get("arxiv:2310.13579")
    assert accents is not None and accents.document.authors == ["Jonas Müller", "Niamh Ó Briain"]
    assert store.get("arxiv:cs/0112017") is not None
    assert store.state("snapshot") is not None and store.state("snapshot").cursor is None  # type: ignore[union-attr]


# -- filters -----------------------------------------------------------------------------------
def test_category_filter_keeps_records_with_any_listed_category(store: DocStore) -> None:
    summary, source = ingest(store, SMALL, categories="cs.AI, cs.LG,cs.CL")
    expected = {f"arxiv:{r['id']}" for r in records(SMALL) if set(str(r["categories"]).split()) & set(AI)}
    assert expected == {
        "arxiv:2403.01234",
        "arxiv:2311.04567",
        "arxiv:2501.00321",
        "arxiv:2206.05555",
        "arxiv:2412.09876",
        "arxiv:cs/0112017",
        "arxiv:2310.13579",
    }
    assert stored_ids(store) == expected and summary.new == len(expected)
    assert (source.stats.kept, source.stats.filtered) == (7, 5)


def test_category_filter_does_not_depend_on_the_json_spacing(tmp_path: Path, store: DocStore) -> None:
    spaced = tmp_path / "spaced.jsonl"
    spaced.write_text("".join(json.dumps(r) + "\n" for r in records(SMALL)), encoding="utf-8")
    ingest(store, spaced, categories=AI)
    assert len(stored_ids(store)) == 7


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        # 2206.05555's only version is from 2022, but its metadata changed on 2024-02-01 (update_date)
        ("2024-01-15", {"2403.01234", "2501.00321", "2409.11111", "2206.05555", "2412.09876", "2402.24680"}),
        (date(2024, 2, 29), {"2403.01234", "2501.00321", "2409.11111", "2412.09876", "2402.24680"}),  # inclusive
        ("2024-03-01", {"2403.01234", "2501.00321", "2409.11111", "2412.09876"}),
        ("2025-01-16", {"2501.00321", "2412.09876"}),  # update_date of 2412.09876 is the day after its v2
    ],
)
def test_since_keeps_records_whose_last_change_is_on_or_after_it(
    store: DocStore, since: str | date, expected: set[str]
) -> None:
    ingest(store, SMALL, since=since)
    assert stored_ids(store) == {f"arxiv:{i}" for i in expected}


def test_filters_combine(store: DocStore) -> None:
    ingest(store, SMALL, categories=AI, since="2024-01-15")
    assert stored_ids(store) == {"arxiv:2403.01234", "arxiv:2501.00321", "arxiv:2206.05555", "arxiv:2412.09876"}


def test_a_malformed_since_fails_naming_the_value() -> None:
    with pytest.raises(SourceError, match="2024-13-01"):
        SnapshotSource(SMALL, since="2024-13-01")


# -- compression and bad input -------------------------------------------------------------------
def test_gzip_is_detected_by_magic_bytes_not_the_name(tmp_path: Path, store: DocStore) -> None:
    disguised = gzipped(SMALL, tmp_path / "arxiv-metadata-oai-snapshot.json")
    summary, _ = ingest(store, disguised)
    assert summary.completed and summary.new == 12
    assert store.get("arxiv:2403.01234") is not None

    plain_named_gz = tmp_path / "plain.json.gz"
    plain_named_gz.write_bytes(SMALL.read_bytes())
    again, _ = ingest(store, plain_named_gz)
    assert again.completed and again.unchanged == 12


def test_concatenated_gzip_members_are_one_stream_and_corruption_is_an_error(tmp_path: Path, store: DocStore) -> None:
    lines = SMALL.read_bytes().splitlines(keepends=True)
    parts = tmp_path / "parts.gz"
    parts.write_bytes(gzip.compress(b"".join(lines[:5])) + b"\0\0" + gzip.compress(b"".join(lines[5:])))
    summary, _ = ingest(store, parts)
    assert summary.completed and summary.new == 12

    data = bytearray(gzip.compress(SMALL.read_bytes()))
    data[len(data) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.gz"
    corrupt.write_bytes(bytes(data))
    failed, _ = ingest(store, corrupt)
    assert not failed.completed and str(corrupt) in failed.errors[0] and "corrupt gzip" in failed.errors[0]


def test_bad_json_lines_are_skipped_with_line_numbers_and_the_run_goes_on(store: DocStore) -> None:
    summary, source = ingest(store, FIXTURES / "bad_json.jsonl")
    assert summary.completed and not summary.errors
    reasons = {s.item: s.reason for s in summary.skipped}
    assert set(reasons) == {"line 2", "line 4"}  # line 3 is blank: not an error
    assert reasons["line 2"].startswith("not valid JSON") and "list" in reasons["line 4"]
    assert stored_ids(store) == {"arxiv:2401.00001", "arxiv:2401.00003"}
    assert source.stats.lines == 5


def test_missing_ids_and_impossible_dates_are_skipped(store: DocStore) -> None:
    summary, _ = ingest(store, FIXTURES / "impossible_dates.jsonl")
    assert summary.completed
    reasons = {s.item: s.reason for s in summary.skipped}
    assert sorted(reasons) == [f"line {n}" for n in range(2, 10)]
    assert "31 Feb 2021" in reasons["line 2"] and "2020-13-45" in reasons["line 3"]
    assert "1970" in reasons["line 4"] and "2091-02-03" in reasons["line 9"]
    assert reasons["line 5"] == reasons["line 6"] == "record without an id"
    assert "v1 2023-05-10 after v2 2023-01-02" in reasons["line 7"] and "last spring" in reasons["line 8"]
    assert stored_ids(store) == {"arxiv:2305.10001", "arxiv:2305.10010"}


def test_non_utf8_bytes_are_replaced_and_the_record_kept(tmp_path: Path, store: DocStore) -> None:
    data = SMALL.read_bytes()
    assert data.count(b"edit a repository") == 1
    broken = tmp_path / "latin1.jsonl"
    broken.write_bytes(data.replace(b"edit a repository", b"edit a r\xe9pository\xff"))
    summary, source = ingest(store, broken)
    assert summary.completed and not summary.skipped and summary.new == 12
    assert source.stats.repaired == 1
    doc = store.get("arxiv:2403.01234")
    assert doc is not None and "edit a r\ufffdpository\ufffd over" in doc.document.text


def test_truncated_gzip_keeps_what_was_read_then_fails_clearly(tmp_path: Path, store: DocStore) -> None:
    full = gzip.compress(synthetic(tmp_path / "full.jsonl", 400).read_bytes())
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(full[: len(full) // 2])

    summary, source = ingest(store, cut, checkpoint_every=50)
    assert not summary.completed and len(summary.errors) == 1
    assert str(cut) in summary.errors[0] and "truncated" in summary.errors[0]
    read = source.stats.lines
    assert 50 < read < 400
    assert read == zlib.decompressobj(wbits=31).decompress(cut.read_bytes()).count(b"\n")  # every whole line
    assert stored_ids(store) == {f"arxiv:2301.{i:05d}" for i in range(read)}

    again, resumed = ingest(store, cut, checkpoint_every=50)
    assert resumed.stats.start_line == read and resumed.stats.lines == 0
    assert "truncated" in again.errors[0] and again.new == 0

    cut.write_bytes(full)  # the download completed: another file, read from the top
    os.utime(cut, ns=(1, 1))
    done, fresh = ingest(store, cut, checkpoint_every=50)
    assert done.completed and fresh.stats.start_line == 0
    assert (done.new, done.unchanged) == (400 - read, read) and store.count() == 400


def test_a_missing_file_is_a_source_error_naming_it(tmp_path: Path, store: DocStore) -> None:
    summary, _ = ingest(store, tmp_path / "nope.json")
    assert not summary.completed and "nope.json" in summary.errors[0]


# -- resuming and re-ingesting --------------------------------------------------------------------
class Crash(BaseException):
    """A kill: not an IngestError, so the runner commits nothing more."""


class Interrupted:
    """Passes events through and dies some documents after the n-th checkpoint."""

    def __init__(self, inner: SnapshotSource, checkpoints: int, then_docs: int, error: BaseException) -> None:
        self.inner, self.name = inner, inner.name
        self.checkpoints, self.then_docs, self.error = checkpoints, then_docs, error

    def fetch(self, state: SourceState | None) -> Iterator[Event]:
        seen = after = 0
        for event in self.inner.fetch(state):
            yield event
            seen += isinstance(event, Checkpoint)
            if seen >= self.checkpoints and isinstance(event, SourceDocument):
                after += 1
                if after == self.then_docs:
                    raise self.error


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("error", [Crash(), SourceError("network share went away")], ids=["killed", "failed"])
def test_an_interrupted_run_resumes_at_the_stored_offset(
    tmp_path: Path, store: DocStore, compressed: bool, error: BaseException
) -> None:
    path = gzipped(SMALL, tmp_path / "snap.gz") if compressed else SMALL
    first = SnapshotSource(path, checkpoint_every=3)
    if isinstance(error, Crash):
        with pytest.raises(Crash):
            run_source(Interrupted(first, checkpoints=2, then_docs=2, error=error), store)
    else:
        failed = run_source(Interrupted(first, checkpoints=2, then_docs=2, error=error), store)
        assert not failed.completed and "network share" in failed.errors[0]
    assert first.stats.lines == 8
    state = store.state("snapshot")
    assert state is not None and state.cursor is not None
    cursor = json.loads(state.cursor)
    assert cursor["line"] == 6
    assert cursor["offset"] == sum(len(line) for line in SMALL.read_bytes().splitlines(keepends=True)[:6])

    second = SnapshotSource(path, checkpoint_every=3)
    summary = run_source(second, store)
    assert summary.completed
    assert second.stats.start_line == 6 and second.stats.lines == second.stats.parsed == 6  # not from the top
    assert summary.new + summary.unchanged == 6 and summary.updated == 0
    assert store.count() == 12 and stored_ids(store) == {f"arxiv:{r['id']}" for r in records(SMALL)}
    assert all(store.get(i).versions == 1 for i in stored_ids(store))  # type: ignore[union-attr]
    assert store.state("snapshot").cursor is None  # type: ignore[union-attr]


def test_a_changed_file_or_filter_starts_from_the_top(tmp_path: Path, store: DocStore) -> None:
    path = tmp_path / "snap.jsonl"
    path.write_bytes(SMALL.read_bytes())
    with pytest.raises(Crash):
        run_source(Interrupted(SnapshotSource(path, checkpoint_every=3), 2, 1, Crash()), store)

    other_filter = SnapshotSource(path, checkpoint_every=3, categories=AI)
    with pytest.raises(Crash):
        run_source(Interrupted(other_filter, 2, 1, Crash()), store)
    assert other_filter.stats.start_line == 0

    with path.open("ab") as out:
        out.write(SMALL.read_bytes().splitlines(keepends=True)[0])
    changed = SnapshotSource(path, checkpoint_every=3, categories=AI)
    assert run_source(changed, store).completed and changed.stats.start_line == 0


def test_reingesting_an_unchanged_file_changes_nothing(store: DocStore) -> None:
    ingest(store, SMALL)
    summary, source = ingest(store, SMALL)
    assert summary.completed and source.stats.start_line == 0
    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 12)
    assert store.count() == 12


def test_a_new_version_updates_the_document_and_keeps_history(tmp_path: Path, store: DocStore) -> None:
    ingest(store, SMALL)
    revised = records(SMALL)
    target = next(r for r in revised if r["id"] == "2311.04567")
    target["versions"] = [*target["versions"], {"version": "v2", "created": "Fri, 1 Dec 2023 08:30:00 GMT"}]  # type: ignore[misc]
    target["abstract"] = "  A revised abstract: drift also grows with the length of each turn.\n"
    target["update_date"] = "2023-12-02"
    newer = tmp_path / "newer.jsonl"
    newer.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in revised), encoding="utf-8")

    summary, _ = ingest(store, newer)
    assert (summary.new, summary.updated, summary.unchanged) == (0, 1, 11)
    stored = store.get("arxiv:2311.04567")
    assert stored is not None and stored.versions == 2
    assert (stored.document.version, stored.document.updated) == ("v2", date(2023, 12, 1))
    assert stored.document.text.startswith("A revised abstract")
    history = store.history("arxiv:2311.04567")
    assert len(history) == 1 and history[0]["version"] == "v1"
    assert history[0]["text"].startswith("Instruction drift is the tendency")


def test_duplicate_ids_store_one_document(store: DocStore) -> None:
    same_page, _ = ingest(store, FIXTURES / "duplicates.jsonl")
    assert [s.reason for s in same_page.skipped] == ["duplicate entry within one page; kept the first"]
    assert store.count() == 2

    with DocStore(store.path.with_name("other.db")) as other:
        pages, _ = ingest(other, FIXTURES / "duplicates.jsonl", checkpoint_every=1)
        assert (pages.new, pages.updated, pages.skipped) == (2, 1, [])
        later = other.get("arxiv:2403.01234")
        assert later is not None and later.document.version == "v2" and later.versions == 2


def test_snapshot_source_factory_for_the_cli() -> None:
    source = snapshot_source(SMALL, categories=["cs.AI", "cs.CL"], since="2024-01-01", checkpoint_every=10)
    assert isinstance(source, SnapshotSource) and source.name == "snapshot"
    assert source.categories == {"cs.AI", "cs.CL"} and source.since == date(2024, 1, 1)
    assert source.checkpoint_every == 10
