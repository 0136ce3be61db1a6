"""The arXiv API (Atom) as a resumable source, fetched through our PoliteClient.

The ``arxiv`` package supplies the query model (:class:`arxiv.Search`, its sort enums and
URL arguments) and the Atom-entry-to-:class:`arxiv.Result` mapping; we keep the HTTP side
(pacing, User-Agent, Retry-After) and a strict parser, because the package's own client
uses ``requests`` and its parser recovers from broken XML and drops bad entries silently.

Searches run in ascending ``submittedDate`` order inside a bounded window. New papers are
announced after their submission, so they land near the end of an ascending listing and
the ``start`` offsets already committed stay valid; in descending order every arrival
shifts the offsets and a resumed run can never reach it. The window keeps the listing
bounded and is stored in the cursor, so a resumed run asks for the same listing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import arxiv
from arxiv import _feed as arxiv_feed
from lxml import etree
from pydantic import ValidationError

from graph.settings import Settings
from ingest.documents import SourceDocument, arxiv_doc_id
from ingest.errors import FetchError, SourceError
from ingest.http import Fetched, PoliteClient
from ingest.sources.base import Checkpoint, Event, Skip, SourceState

log = logging.getLogger(__name__)

NS: dict[str, str] = dict(arxiv_feed._NS)
_ATOM = f"{{{NS['atom']}}}"
_VERSION = re.compile(r"^(?P<id>.+?)(?P<version>v\d+)?$")
_STAMP = "%Y%m%d%H%M"

Moment = date | datetime


def _hardened_parser() -> etree.XMLParser:
    """No network, no entity expansion, no huge trees, no silent recovery from broken XML."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False, load_dtd=False)


def parse_feed(content: bytes, url: str) -> Any:
    """Parse an Atom page strictly; a broken page is a SourceError naming the URL."""
    try:
        root = etree.fromstring(content, parser=_hardened_parser())
    except etree.XMLSyntaxError as e:
        raise SourceError(f"{url}: malformed Atom: {e}") from e
    if root is None or root.tag != _ATOM + "feed":
        raise SourceError(f"{url}: not an Atom feed (root element {getattr(root, 'tag', None)!r})")
    return root


def _total(root: Any) -> int:
    text = root.findtext("opensearch:totalResults", namespaces=NS)
    try:
        return int((text or "").strip())
    except ValueError:
        return 0


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _as_utc(moment: Moment, end_of_day: bool) -> datetime:
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return datetime.combine(moment, time(23, 59) if end_of_day else time(0, 0), tzinfo=UTC)


@dataclass(frozen=True)
class Window:
    """A submittedDate range at the API's minute precision."""

    since: datetime
    until: datetime

    @classmethod
    def of(cls, since: Moment, until: Moment) -> Window:
        start, end = _as_utc(since, False), _as_utc(until, True)
        return cls(start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0))

    @classmethod
    def parse(cls, since: str, until: str) -> Window:
        parse = lambda v: datetime.strptime(v, _STAMP).replace(tzinfo=UTC)  # noqa: E731
        return cls(parse(since), parse(until))

    def clause(self) -> str:
        return f"submittedDate:[{self.since:{_STAMP}} TO {self.until:{_STAMP}}]"


def entry_to_event(entry: Any, where: str) -> SourceDocument | Skip:
    """Map one Atom ``<entry>``; a bad entry becomes a Skip naming it, never an exception."""
    raw_id = _clean(entry.findtext("atom:id", namespaces=NS))
    if not raw_id:
        return Skip(f"entry without <id> on {where}", "missing <id>")
    if "arxiv.org/abs/" not in raw_id:
        return Skip(raw_id, "not an arXiv abstract id")
    short = raw_id.split("arxiv.org/abs/")[-1]
    match = _VERSION.match(short)
    doc_id = arxiv_doc_id(match["id"] if match else short)
    try:
        result = arxiv_feed._build_result(entry)
    except ValueError as e:
        return Skip(doc_id, f"unparseable date: {e}")
    if result is None or match is None:
        return Skip(doc_id, "missing <published> or <updated>")
    categories = list(dict.fromkeys([c for c in [result.primary_category, *result.categories] if c]))
    extra = {
        "doi": result.doi,
        "journal_ref": result.journal_ref,
        "comment": result.comment,
        "primary_category": result.primary_category,
        "pdf_url": result.pdf_url,
    }
    try:
        return SourceDocument(
            doc_id=doc_id,
            source="arxiv",
            kind="paper",
            url=f"https://arxiv.org/abs/{match['id']}",
            title=_clean(result.title),
            text=_clean(result.summary),
            published=result.published.date(),
            updated=result.updated.date(),
            authors=[_clean(a.name) for a in result.authors if _clean(a.name)],
            categories=categories,
            version=match["version"],
            extra={k: _clean(v) for k, v in extra.items() if _clean(v)},
        )
    except ValidationError as e:
        reason = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        return Skip(doc_id, f"invalid entry: {reason}")


class ArxivApiSource:
    """Search results (or specific ids) from the arXiv API, one checkpoint per page.

    ``max_results`` is a per-run budget: when it runs out before the window does, the
    cursor stays and the next run continues the same window. A finished window is
    remembered, and the next automatic window starts ``overlap`` before its end, because
    papers submitted before it may be announced after it. Without ``since``/``until`` the
    window runs from the last success (or ``lookback`` ago) to now. With ``ids`` the source
    fetches exactly those papers in chunks of ``page_size``; query, window and budget are unused.
    """

    def __init__(
        self,
        client: PoliteClient,
        base_url: str,
        query: str = "",
        ids: list[str] | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
        max_results: int = 2000,
        page_size: int = 200,
        min_interval: float = 3.0,
        lookback: timedelta = timedelta(days=7),
        overlap: timedelta = timedelta(days=3),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.ids = [i.strip() for i in ids or [] if i.strip()]
        if not self.ids and not query.strip():
            raise SourceError("arXiv source needs a search query or a list of ids")
        if page_size < 1 or max_results < 1:
            raise SourceError("arXiv page size and max results must be positive")
        self.client = client
        self.base_url = base_url
        self.query = query.strip()
        self.window: Window | None = None
        if since is not None or until is not None:
            end = _as_utc(until, True) if until is not None else now()
            self.window = Window.of(since if since is not None else end - lookback, end)
            if self.window.since > self.window.until:
                raise SourceError(f"arXiv window starts after it ends: {self.window.clause()}")
        self.max_results = max_results
        self.page_size = page_size
        self.min_interval = min_interval
        self.lookback = lookback
        self.overlap = overlap
        self._now = now
        key = "ids:" + ",".join(self.ids) if self.ids else self.query
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=5).hexdigest()
        self.name = f"arxiv:ids:{digest}" if self.ids else f"arxiv:{digest}"

    def fetch(self, state: SourceState | None) -> Iterator[Event]:
        """Yield one page at a time, each followed by a Checkpoint with the next offset."""
        cursor = self._load(state)
        if self.ids:
            yield from self._fetch_ids(int(cursor.get("start", 0)) if cursor.get("ids") == self.name else 0)
            return
        window, start, total = self._plan(state, cursor)
        yield from self._fetch_search(window, start, total)

    # -- planning ------------------------------------------------------------------------
    def _load(self, state: SourceState | None) -> dict[str, Any]:
        if state is None or not state.cursor:
            return {}
        try:
            cursor = json.loads(state.cursor)
        except json.JSONDecodeError:
            log.warning("%s: ignoring an unreadable cursor %r", self.name, state.cursor)
            return {}
        return cursor if isinstance(cursor, dict) else {}

    def _plan(self, state: SourceState | None, cursor: dict[str, Any]) -> tuple[Window, int, int | None]:
        """The window and offset to start from: resume the stored listing when it is ours."""
        stored: Window | None = None
        if cursor.get("query") == self.query:
            try:
                stored = Window.parse(cursor["since"], cursor["until"])
            except (KeyError, TypeError, ValueError):
                stored = None
        done = bool(cursor.get("done"))
        if self.window is not None:
            if stored == self.window and not done:
                return self.window, int(cursor.get("start", 0)), cursor.get("total")
            return self.window, 0, None
        now = self._now()
        if stored is not None and not done:
            return stored, int(cursor.get("start", 0)), cursor.get("total")
        if stored is not None:
            return Window.of(stored.until - self.overlap, now), 0, None
        if state is not None and state.last_success is not None:
            return Window.of(state.last_success - self.overlap, now), 0, None
        return Window.of(now - self.lookback, now), 0, None

    # -- paging --------------------------------------------------------------------------
    def _search(self, window: Window | None, ids: list[str], size: int) -> arxiv.Search:
        query = f"({self.query}) AND {window.clause()}" if window else ""
        return arxiv.Search(
            query=query,
            id_list=ids,
            max_results=size,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Ascending,
        )

    def _fetch_search(self, window: Window, start: int, total: int | None) -> Iterator[Event]:
        consumed = 0
        while consumed < self.max_results:
            size = min(self.page_size, self.max_results - consumed)
            entries, page_total, url = self._page(self._search(window, [], size), start, size, total)
            total = page_total
            for entry in entries:
                yield entry_to_event(entry, url)
            consumed += len(entries)
            start += len(entries)
            done = not entries or start >= total
            cursor = {
                "query": self.query,
                "since": f"{window.since:{_STAMP}}",
                "until": f"{window.until:{_STAMP}}",
                "start": start,
                "total": total,
                "done": done,
            }
            yield Checkpoint(json.dumps(cursor, sort_keys=True))
            if done:
                return

    def _fetch_ids(self, start: int) -> Iterator[Event]:
        while start < len(self.ids):
            chunk = self.ids[start : start + self.page_size]
            entries, _, url = self._page(self._search(None, chunk, len(chunk)), 0, len(chunk), len(chunk))
            for entry in entries:
                yield entry_to_event(entry, url)
            start += len(chunk)
            more = start < len(self.ids)
            yield Checkpoint(json.dumps({"ids": self.name, "start": start}) if more else None)

    def _page(self, search: arxiv.Search, start: int, size: int, expected: int | None) -> tuple[list[Any], int, str]:
        """One page: retried while empty but promised, refused when malformed or rejected."""
        params = {k: v for k, v in search._url_args().items() if v}
        params.update(start=str(start), max_results=str(size))

        def looks_empty(got: Fetched) -> bool:
            try:
                root = parse_feed(got.content, got.url)
            except SourceError:
                return False
            if root.find("atom:entry", NS) is not None:
                return False
            return max(_total(root), expected or 0) > start

        got = self.client.get(self.base_url, params=params, min_interval=self.min_interval, retry_empty=looks_empty)
        if got.status != 200:
            try:
                message = _api_error(parse_feed(got.content, got.url).findall("atom:entry", NS))
            except SourceError:
                message = None
            if message:
                raise SourceError(f"{got.url}: arXiv API error (HTTP {got.status}): {message}")
            raise FetchError(f"{got.url}: HTTP {got.status}")
        root = parse_feed(got.content, got.url)
        entries = root.findall("atom:entry", NS)
        if message := _api_error(entries):
            raise SourceError(f"{got.url}: arXiv API error: {message}")
        return entries, _total(root), got.url


def _api_error(entries: list[Any]) -> str | None:
    """arXiv reports a bad query as a feed whose single entry has an ``/api/errors`` id."""
    for entry in entries:
        if "/api/errors" in (entry.findtext("atom:id", namespaces=NS) or ""):
            return _clean(entry.findtext("atom:summary", namespaces=NS)) or "unspecified error"
    return None


def arxiv_source(
    settings: Settings,
    client: PoliteClient,
    query: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    max_results: int | None = None,
    ids: list[str] | None = None,
) -> ArxivApiSource:
    """An :class:`ArxivApiSource` configured from settings (query, endpoint, paging, pacing)."""
    return ArxivApiSource(
        client,
        base_url=settings.arxiv_api_url,
        query=settings.arxiv_query if query is None else query,
        ids=ids,
        since=since,
        until=until,
        max_results=max_results or settings.arxiv_max_results,
        page_size=settings.arxiv_page_size,
        min_interval=settings.arxiv_min_interval,
    )
