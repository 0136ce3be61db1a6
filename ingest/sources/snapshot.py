"""The arXiv metadata snapshot (the ~4 GB JSON-lines bulk file) as a streaming, resumable source.

Why: the arXiv API and OAI-PMH are too slow for a full backfill; the snapshot is one file. It
is read line by line (plain or gzip, told apart by magic bytes, not the name), never whole.

Filters (both optional, both must hold):

* ``categories``: keep a record when any of its space-separated categories is in the set.
* ``since``: keep a record when its *last change* is on or after ``since`` (inclusive): the
  later of its latest version's date (``versions[-1].created`` as a UTC calendar date) and
  ``update_date`` (metadata edits such as a DOI). Without either date it is dropped.

Bad input never stops a run: an undecodable JSON line, a record without a well-formed id, or
one with impossible dates (not a calendar date, before 1990, in the future, or a first
version dated after the latest) is a ``Skip`` naming the line number. Lines outside the
category filter are not validated: for speed (most of the file is outside any filter) their
raw ``"categories":"..."`` value is checked before JSON decoding. Non-UTF-8 bytes are decoded
with U+FFFD replacement (one stray byte should not lose a paper); ``stats.repaired`` counts
them. A truncated gzip file keeps every whole line read (a Checkpoint is yielded there), then
a ``SourceError`` naming the file and "truncated" ends the run. Duplicate ids are not tracked
(memory would grow with the file): the store's upsert makes a later copy an update or a no-op.

Resuming: a Checkpoint every ``checkpoint_every`` lines carries the file identity (absolute
path, size, mtime), the filter, and the offset of the next line in the uncompressed stream
with the line count. A plain file resumes with a seek; a gzip file is decompressed again up
to the offset (zlib cannot seek). Another file or filter starts from the top. The end of the
file yields ``Checkpoint(None)``, so the next run reads it all again (and finds it unchanged).
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from pydantic import ValidationError

from ingest.documents import SourceDocument, arxiv_doc_id
from ingest.errors import SourceError
from ingest.sources.base import Checkpoint, Event, Skip, SourceState

log = logging.getLogger(__name__)

_GZIP_MAGIC = b"\x1f\x8b"
_READ_BUFFER = 1 << 20
_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
_MONTHS = {
    m: i + 1 for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))
}
_EARLIEST = date(1990, 1, 1)
_CATEGORIES_KEY = b'"categories":"'
_EXTRA_FIELDS = ("submitter", "comments", "journal-ref", "doi", "report-no", "license", "update_date")


class _BadRecord(Exception):
    """A record that cannot become a document; the message is the Skip reason."""


@dataclass
class SnapshotStats:
    """Counters of the latest ``fetch`` (the bench and the resume test read them)."""

    start_line: int = 0
    lines: int = 0
    parsed: int = 0
    kept: int = 0
    filtered: int = 0
    skipped: int = 0
    repaired: int = 0


class _Position(NamedTuple):
    offset: int = 0
    line: int = 0


class SnapshotSource:
    """Stream an arXiv metadata snapshot file into ``SourceDocument`` events (see the module doc)."""

    def __init__(
        self,
        path: Path | str,
        categories: Iterable[str] | str | None = None,
        since: date | str | None = None,
        checkpoint_every: int = 5000,
        name: str = "snapshot",
    ) -> None:
        if checkpoint_every < 1:
            raise SourceError(f"checkpoint_every must be at least 1, not {checkpoint_every}")
        self.path = Path(path)
        self.name = name
        if isinstance(categories, str):
            categories = categories.replace(",", " ").split()
        self.categories = frozenset(c.strip() for c in categories or () if c.strip())
        self._raw_categories = frozenset(c.encode() for c in self.categories)
        self.since = _since(since)
        self.checkpoint_every = checkpoint_every
        self.stats = SnapshotStats()
        self._latest_ok = datetime.now(UTC).date() + timedelta(days=1)

    # -- the Source protocol --------------------------------------------------------------------
    def fetch(self, state: SourceState | None) -> Iterator[Event]:
        """Yield the kept records as documents, bad ones as skips, and a Checkpoint every N lines."""
        identity = self._identity()
        start = self._resume_position(state.cursor if state else None, identity)
        self.stats = SnapshotStats(start_line=start.line)
        fh, lines, compressed = self._open(start)
        offset, line_no = start.offset, start.line
        next_checkpoint = line_no + self.checkpoint_every
        stats = self.stats
        try:
            with fh:
                try:
                    for raw in lines:
                        line_no += 1
                        offset += len(raw)
                        stats.lines += 1
                        event = self._event(raw, line_no)
                        if event is not None:
                            yield event
                        if line_no >= next_checkpoint:
                            next_checkpoint = line_no + self.checkpoint_every
                            yield Checkpoint(self._cursor(identity, _Position(offset, line_no)))
                except EOFError as e:
                    yield Checkpoint(self._cursor(identity, _Position(offset, line_no)))
                    raise SourceError(
                        f"{self.path}: gzip stream truncated after line {line_no:,} (uncompressed byte "
                        f"{offset:,}); the records before it are stored and a rerun resumes there"
                    ) from e
        except zlib.error as e:
            raise SourceError(f"{self.path}: corrupt gzip data after line {line_no:,}: {e}") from e
        except OSError as e:
            raise SourceError(f"{self.path}: cannot read after line {line_no:,}: {e}") from e
        log.info("%s: read %s lines of %s (%s)", self.name, stats.lines, self.path, "gzip" if compressed else "plain")
        yield Checkpoint(None)

    # -- file handling --------------------------------------------------------------------------
    def _identity(self) -> dict[str, Any]:
        try:
            st = (resolved := self.path.resolve()).stat()
        except OSError as e:
            raise SourceError(f"cannot read the snapshot file {self.path}: {e}") from e
        return {"path": str(resolved), "size": st.st_size, "mtime_ns": st.st_mtime_ns}

    def _filter_key(self) -> str:
        return ",".join(sorted(self.categories)) + "|" + (self.since.isoformat() if self.since else "")

    def _cursor(self, identity: dict[str, Any], pos: _Position) -> str:
        return json.dumps({"file": identity, "filter": self._filter_key(), "offset": pos.offset, "line": pos.line})

    def _resume_position(self, cursor: str | None, identity: dict[str, Any]) -> _Position:
        if not cursor:
            return _Position()
        try:
            saved = json.loads(cursor)
            pos = _Position(int(saved["offset"]), int(saved["line"]))
            same = saved["file"] == identity and saved["filter"] == self._filter_key()
        except (ValueError, KeyError, TypeError):
            log.warning("%s: unreadable cursor %r; starting from the top", self.name, cursor)
            return _Position()
        if not same:
            log.info("%s: the file or the filter changed since the cursor was saved; starting from the top", self.name)
            return _Position()
        return pos

    def _open(self, start: _Position) -> tuple[BinaryIO, Iterator[bytes], bool]:
        """(the file, its lines from ``start``, whether it is gzip by its magic bytes)."""
        try:
            fh = open(self.path, "rb", buffering=_READ_BUFFER)  # noqa: SIM115 - fetch closes it
        except OSError as e:
            raise SourceError(f"cannot open the snapshot file {self.path}: {e}") from e
        try:
            compressed = fh.read(2) == _GZIP_MAGIC
            fh.seek(0 if compressed else start.offset)
            if compressed:
                return fh, _gzip_lines(fh, start.offset), True
        except OSError as e:
            fh.close()
            raise SourceError(f"cannot read the snapshot file {self.path}: {e}") from e
        return fh, iter(fh), False

    # -- records --------------------------------------------------------------------------------
    def _event(self, raw: bytes, line_no: int) -> SourceDocument | Skip | None:
        """One line: a document, a skip, or None (blank or filtered out)."""
        stats = self.stats
        if self._raw_categories and self._outside_filter(raw):
            stats.filtered += 1
            return None
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            stats.repaired += 1
            text = raw.decode("utf-8", "replace")
        try:
            record = json.loads(text.removeprefix("\ufeff") if line_no == 1 else text)
        except ValueError as e:
            if not text.strip():
                return None
            stats.skipped += 1
            return Skip(f"line {line_no}", f"not valid JSON: {e}")
        stats.parsed += 1
        try:
            doc = self._document(record)
        except _BadRecord as e:
            stats.skipped += 1
            return Skip(f"line {line_no}", str(e))
        stats.kept += doc is not None
        stats.filtered += doc is None
        return doc

    def _outside_filter(self, raw: bytes) -> bool:
        """Whether the raw ``"categories":"..."`` value certainly misses the filter, so the line need not
        be decoded (most of the snapshot is outside any filter). In valid JSON that unescaped byte
        sequence can only be the key itself; anything unusual (other spacing, escapes, non-ASCII)
        falls back to decoding."""
        start = raw.find(_CATEGORIES_KEY)
        if start < 0:
            return False
        start += len(_CATEGORIES_KEY)
        end = raw.find(b'"', start)
        value = raw[start:end]
        if end < 0 or b"\\" in value or not value.isascii():
            return False
        return self._raw_categories.isdisjoint(value.split())

    def _document(self, record: Any) -> SourceDocument | None:
        if not isinstance(record, dict):
            raise _BadRecord(f"a JSON {type(record).__name__}, not a record")
        arxiv_id = record.get("id")
        if not isinstance(arxiv_id, str) or not arxiv_id.strip():
            raise _BadRecord("record without an id")
        arxiv_id = arxiv_id.strip()
        if not _ID.fullmatch(arxiv_id):
            raise _BadRecord(f"{arxiv_id!r} is not an arXiv id")
        categories = _text(record.get("categories")).split()
        if self.categories and self.categories.isdisjoint(categories):
            return None
        published, updated, version = self._versions(arxiv_id, record.get("versions"))
        update_date = self._update_date(arxiv_id, record.get("update_date"))
        if self.since is not None:
            last_change = max((d for d in (updated, update_date) if d is not None), default=None)
            if last_change is None or last_change < self.since:
                return None
        get = record.get
        extra = {key: " ".join(value.split()) for key in _EXTRA_FIELDS if type(value := get(key)) is str}
        doc_id = arxiv_doc_id(arxiv_id)
        try:
            return SourceDocument(
                doc_id=doc_id,
                source="snapshot",
                kind="paper",
                url=f"https://arxiv.org/abs/{doc_id[6:]}",
                title=" ".join(_text(get("title")).split()),
                text=" ".join(_text(get("abstract")).split()),
                published=published,
                updated=updated,
                authors=_authors(get("authors_parsed"), get("authors")),
                categories=categories,
                version=version,
                extra=extra,
            )
        except ValidationError as e:
            raise _BadRecord(f"{arxiv_id}: {e.errors()[0]['msg']}") from e

    def _versions(self, arxiv_id: str, versions: Any) -> tuple[date | None, date | None, str | None]:
        """(first version date, latest version date, latest version label)."""
        if versions is None or versions == []:
            return None, None, None
        try:
            ordered = versions
            if versions[0]["version"] != "v1" or versions[-1]["version"] != f"v{len(versions)}":
                ordered = sorted(versions, key=lambda v: int(v["version"].lstrip("v")))
            label_first, first = ordered[0]["version"], ordered[0]["created"]
            label, last = ordered[-1]["version"], ordered[-1]["created"]
        except (TypeError, KeyError, ValueError, AttributeError, IndexError) as e:
            raise _BadRecord(f"{arxiv_id}: malformed versions list") from e
        if type(label) is not str:
            raise _BadRecord(f"{arxiv_id}: malformed versions list")
        published = self._check(arxiv_id, f"{label_first} date", _created(first), first)
        updated = self._check(arxiv_id, f"{label} date", _created(last), last)
        if published > updated:
            raise _BadRecord(f"{arxiv_id}: impossible dates: {label_first} {published} after {label} {updated}")
        return published, updated, label

    def _update_date(self, arxiv_id: str, value: Any) -> date | None:
        if value is None or value == "":
            return None
        try:
            parsed = date.fromisoformat(value)
        except (TypeError, ValueError):
            parsed = None
        return self._check(arxiv_id, "update_date", parsed, value)

    def _check(self, arxiv_id: str, what: str, value: date | None, raw: Any) -> date:
        if value is None:
            raise _BadRecord(f"{arxiv_id}: impossible {what} {raw!r}")
        if not _EARLIEST <= value <= self._latest_ok:
            raise _BadRecord(f"{arxiv_id}: impossible {what} {raw!r} (outside {_EARLIEST} .. today)")
        return value


def _gzip_lines(fh: BinaryIO, skip: int) -> Iterator[bytes]:
    """Lines of a gzip stream (every member) after its first ``skip`` bytes, each with its newline.

    Not ``gzip.open``: its buffering drops the last lines decoded before a truncation, and a
    resume has to decompress and drop ``skip`` bytes anyway. Raises EOFError if truncated.
    """
    rest = b""
    for chunk in _gunzip(fh):
        if skip:
            if len(chunk) <= skip:
                skip -= len(chunk)
                continue
            chunk, skip = chunk[skip:], 0
        parts = (rest + chunk).split(b"\n")
        rest = parts.pop()
        for part in parts:
            yield part + b"\n"
    if skip:
        raise EOFError("the data ends before the resume offset")
    if rest:
        yield rest


def _gunzip(fh: BinaryIO) -> Iterator[bytes]:
    """Decompressed chunks of at most ``_READ_BUFFER`` bytes (memory stays flat on any ratio)."""
    inflate, started = zlib.decompressobj(wbits=31), False
    while buf := fh.read(_READ_BUFFER):
        while buf:
            if not started:  # between members: zero padding is allowed, like gzip.open allows it
                buf = buf.lstrip(b"\0")
                if not buf:
                    break
                started = True
            if out := inflate.decompress(buf, _READ_BUFFER):
                yield out
            if inflate.eof:
                buf, inflate, started = inflate.unused_data, zlib.decompressobj(wbits=31), False
            else:
                buf = inflate.unconsumed_tail
    if started:
        while out := inflate.decompress(inflate.unconsumed_tail, _READ_BUFFER):
            yield out
        if not inflate.eof:
            raise EOFError("compressed data ended before the end-of-stream marker")


def _since(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError as e:
        raise SourceError(f"since must be a date like 2024-01-31, not {value!r}") from e


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _created(value: Any) -> date | None:
    """The UTC date of 'Mon, 2 Apr 2007 19:18:42 GMT' (a fast path, then the RFC 2822 parser)."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    try:
        if len(parts) >= 4 and parts[0].endswith(",") and parts[-1] == "GMT":
            return date(int(parts[3]), _MONTHS[parts[2]], int(parts[1]))
        fields = parsedate(value)
        return date(*fields[:3]) if fields else None
    except (KeyError, ValueError):
        return None


def _authors(parsed: Any, raw: Any) -> list[str]:
    """'First Last Suffix' from ``authors_parsed``; the raw ``authors`` string split as a fallback."""
    names: list[str] = []
    for entry in parsed if type(parsed) is list else ():
        if type(entry) is not list or not entry:
            continue
        last, first, suffix = entry[:3] if len(entry) >= 3 else [*entry, "", ""][:3]
        if (
            type(last) is str
            and type(first) is str
            and type(suffix) is str
            and (name := " ".join(f"{first} {last} {suffix}".split()))
        ):
            names.append(name)
    if names or not isinstance(raw, str):
        return names
    return [n for n in (" ".join(p.split()) for p in re.split(r",|\band\b", raw)) if n]


def snapshot_source(
    path: Path | str,
    categories: Iterable[str] | str | None = None,
    since: date | str | None = None,
    checkpoint_every: int = 5000,
) -> SnapshotSource:
    """The CLI's entry point: a snapshot source over ``path`` with optional filters."""
    return SnapshotSource(path, categories=categories, since=since, checkpoint_every=checkpoint_every)
