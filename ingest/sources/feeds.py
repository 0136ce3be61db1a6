"""Lab announcements: discover posts from each lab's feed, sitemap or index page; fetch new ones.

Politeness first: every request goes through the PoliteClient (robots.txt, per-host pacing,
retries, size cap), and a post is fetched again only when its listing changes. The cursor
is the source's memory of listings, ``{"seen": {lab: {url: listing date}}}``; it is
committed with each lab's documents, so it never claims a post that was not stored. (It is
never ``None``: forgetting it would mean re-fetching every post.) Undated listings (index
pages) are fetched once; ``refresh=True`` re-fetches everything.

Within one lab, posts found by the feed, the sitemap and the index page are merged (their
listing dates combined), but a post repeated inside one feed is passed on twice in the same
page so the runner reports the duplicate; the page itself is fetched only once.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree
from pydantic import ValidationError

from graph.settings import Settings
from ingest.documents import SourceDocument, document_id_for_url
from ingest.errors import FetchError, IngestError
from ingest.http import Fetched, PoliteClient
from ingest.labs import IndexSpec, Lab, SitemapSpec, load_labs, select_labs
from ingest.sources.base import Checkpoint, Event, Skip, SourceState
from ingest.sources.tables import clean
from ingest.sources.web import Article, canonical_url, fetch_article, fetch_page, parse_date, skip_for

log = logging.getLogger(__name__)
Known = Callable[[str], bool]
"""Whether a doc_id is already in the document store."""

MAX_SITEMAPS = 25
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True)
class Listed:
    """A post as a listing shows it; ``marker`` (its listing dates) changes when the post is edited."""

    url: str
    via: Literal["feed", "sitemap", "index"]
    marker: str = ""
    title: str = ""
    published: date | None = None
    updated: date | None = None
    authors: tuple[str, ...] = ()


def _newest_first(item: Listed) -> tuple[bool, int]:
    """Sort key: dated posts newest first, then undated ones (in listing order: the sort is stable)."""
    when = item.updated or item.published
    return (when is None, -when.toordinal() if when else 0)


def _xml(content: bytes) -> Any:
    """Parse XML with entities, DTDs and network access off (sitemaps are untrusted input)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(content, parser=parser)


def _looks_html(content: bytes) -> bool:
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")):
        return False
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head or b"<body" in head


class FeedsSource:
    """Announcements of the given labs, one Checkpoint per lab."""

    name = "feeds"

    def __init__(
        self,
        labs: Sequence[Lab],
        client: PoliteClient,
        *,
        min_interval: float | None = None,
        known: Known | None = None,
        refresh: bool = False,
        max_fetches_per_lab: int = 100,
    ) -> None:
        self.labs = list(labs)
        self.client = client
        self.min_interval = min_interval
        self.known = known
        self.refresh = refresh
        self.max_fetches_per_lab = max_fetches_per_lab

    # -- the run -------------------------------------------------------------------------------
    def fetch(self, state: SourceState | None) -> Iterator[Event]:
        """Per lab: listing problems as Skips, then new or changed posts, then a Checkpoint."""
        seen = self._seen(state)
        for lab in self.labs:
            listed, skips = self._discover(lab)
            yield from skips
            before = seen.get(lab.id, {})
            now: dict[str, str] = dict(before) if skips else {}
            repeated = {url for url, n in Counter(i.url for i in listed).items() if n > 1}
            cache: dict[str, Article | Skip] = {}
            fetches = 0
            for item in sorted(listed, key=_newest_first):
                doc_id = document_id_for_url(item.url)
                unchanged = before.get(item.url) == item.marker and (self.known is None or self.known(doc_id))
                if unchanged and not self.refresh:
                    now[item.url] = item.marker
                    continue
                got = cache.get(item.url)
                if got is None:
                    if fetches >= self.max_fetches_per_lab:
                        log.info("%s: %s left for the next run (limit %d)", lab.id, item.url, self.max_fetches_per_lab)
                        continue
                    fetches += 1
                    got = fetch_article(self.client, item.url, self.min_interval)
                    if item.url in repeated:
                        cache[item.url] = got
                event = self._document(lab, item, got)
                if isinstance(event, SourceDocument):
                    now[item.url] = item.marker
                yield event
            seen[lab.id] = now
            yield Checkpoint(json.dumps({"seen": seen}, sort_keys=True, separators=(",", ":")))

    def _seen(self, state: SourceState | None) -> dict[str, dict[str, str]]:
        if state is None or not state.cursor:
            return {}
        try:
            seen = json.loads(state.cursor)["seen"]
            return {str(k): {str(u): str(m) for u, m in v.items()} for k, v in seen.items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("feeds: unreadable cursor, starting afresh")
            return {}

    def _document(self, lab: Lab, item: Listed, got: Article | Skip) -> SourceDocument | Skip:
        if isinstance(got, Skip):
            return got
        try:
            return SourceDocument(
                doc_id=document_id_for_url(item.url),
                source=f"feed:{lab.id}",
                kind="announcement",
                url=item.url,
                title=item.title or got.title,
                text=got.text,
                tables=got.tables,
                published=item.published or got.published,
                updated=item.updated,
                authors=list(item.authors) or got.authors,
                organization_id=lab.id,
                extra={"listed_via": item.via} | ({"final_url": got.url} if got.url != item.url else {}),
            )
        except ValidationError as e:
            return Skip(item.url, f"unusable document: {e.errors()[0]['msg']}")

    # -- discovery -----------------------------------------------------------------------------
    def _discover(self, lab: Lab) -> tuple[list[Listed], list[Skip]]:
        """Posts from the feed, then the sitemap, then the index page; one entry per post across them."""
        merged: list[Listed] = []
        skips: list[Skip] = []
        first: dict[str, int] = {}
        for found in (
            self._feed(lab.id, lab.feed, skips) if lab.feed else [],
            self._sitemap(lab.id, lab.sitemap, skips) if lab.sitemap else [],
            self._index(lab.id, lab.index, skips) if lab.index else [],
        ):
            earlier = dict(first)
            for item in found:
                doc_id = document_id_for_url(item.url)
                if doc_id in earlier:
                    at = earlier[doc_id]
                    merged[at] = dataclasses.replace(merged[at], marker=f"{merged[at].marker}|{item.marker}")
                    continue
                first.setdefault(doc_id, len(merged))
                merged.append(item)
        return merged, skips

    def _get(self, url: str) -> Fetched:
        fetched = self.client.get(url, check_robots=True, min_interval=self.min_interval)
        if fetched.status != 200:
            raise FetchError(f"{url}: HTTP {fetched.status}")
        return fetched

    def _feed(self, lab_id: str, url: str, skips: list[Skip]) -> list[Listed]:
        where = f"{lab_id}: {url}"
        try:
            fetched = self._get(url)
        except IngestError as e:
            skips.append(Skip(where, skip_for(url, e, self.client).reason))
            return []
        if _looks_html(fetched.content):
            skips.append(Skip(where, "feed URL returned HTML, not RSS/Atom"))
            return []
        headers = {"content-type": fetched.headers.get("content-type", ""), "content-location": fetched.url}
        parsed = feedparser.parse(io.BytesIO(fetched.content), response_headers=headers)
        listed = [item for entry in parsed.entries if (item := self._entry(entry)) is not None]
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if problem is not None and not isinstance(problem, _BENIGN_BOZO):
            n = len(listed)
            note = f"used {n} recovered entr{'y' if n == 1 else 'ies'}" if n else "no entries recovered"
            skips.append(Skip(where, f"malformed feed ({clean(str(problem))}); {note}"))
        elif not parsed.get("version") and not parsed.entries:
            skips.append(Skip(where, "not an RSS/Atom feed"))
        return listed

    @staticmethod
    def _entry(entry: Any) -> Listed | None:
        link = entry.get("link") or entry.get("id") or ""
        if urlsplit(link).scheme not in ("http", "https"):
            return None
        authors = [clean(a.get("name")) for a in entry.get("authors", []) if clean(a.get("name"))]
        published, updated = dict.get(entry, "published"), dict.get(entry, "updated")  # no feedparser aliasing
        return Listed(
            url=canonical_url(link),
            via="feed",
            marker=clean(updated or published),
            title=clean(entry.get("title")),
            published=parse_date(published or updated),
            updated=parse_date(updated) if updated and updated != published else None,
            authors=tuple(dict.fromkeys(authors)),
        )

    def _sitemap(self, lab_id: str, spec: SitemapSpec, skips: list[Skip]) -> list[Listed]:
        """Walk a sitemap (or a sitemap index, two levels deep), keeping URLs whose path matches."""
        listed: list[Listed] = []
        queue, visited = [(spec.url, 0)], set[str]()
        while queue and len(visited) < MAX_SITEMAPS:
            url, depth = queue.pop(0)
            visited.add(url)
            try:
                root = _xml(self._unzip(url, self._get(url).content))
            except (IngestError, etree.XMLSyntaxError) as e:
                reason = skip_for(url, e, self.client).reason if isinstance(e, IngestError) else f"malformed XML: {e}"
                skips.append(Skip(f"{lab_id}: {url}", reason))
                continue
            kind = etree.QName(root).localname
            if kind == "sitemapindex" and depth < 2:
                for loc in root.iterfind("{*}sitemap/{*}loc"):
                    child = clean(loc.text)
                    if child and child not in visited and (not spec.sitemaps or re.search(spec.sitemaps, child)):
                        queue.append((child, depth + 1))
            elif kind == "urlset":
                for node in root.iterfind("{*}url"):
                    page, lastmod = clean(node.findtext("{*}loc")), clean(node.findtext("{*}lastmod"))
                    if page and (not spec.path or re.search(spec.path, urlsplit(page).path)):
                        listed.append(Listed(canonical_url(page), "sitemap", lastmod, updated=parse_date(lastmod)))
            else:
                skips.append(Skip(f"{lab_id}: {url}", f"not a sitemap (root element {kind!r})"))
        return listed

    def _unzip(self, url: str, content: bytes) -> bytes:
        """Gunzip ``.xml.gz`` sitemaps, refusing to inflate past the client's size cap."""
        if not content.startswith(b"\x1f\x8b"):
            return content
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(content, self.client.max_bytes)
        except zlib.error as e:
            raise IngestError(f"{url}: corrupt gzip data ({e})") from e
        if inflater.unconsumed_tail:
            raise IngestError(f"{url}: response exceeds the {self.client.max_bytes:,}-byte limit once unzipped")
        return data

    def _index(self, lab_id: str, spec: IndexSpec, skips: list[Skip]) -> list[Listed]:
        """Same-host links on an index page whose path matches ``spec.link``, in page order."""
        try:
            page = fetch_page(self.client, spec.url, self.min_interval)
        except IngestError as e:
            skips.append(Skip(f"{lab_id}: {spec.url}", skip_for(spec.url, e, self.client).reason))
            return []
        base = urljoin(page.url, next(iter(page.tree.xpath("//base/@href")), ""))
        host = urlsplit(page.url).netloc
        urls: dict[str, None] = {}
        for href in page.tree.xpath("//a/@href"):
            url = canonical_url(urljoin(base, href.strip()))
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc == host and re.search(spec.link, parts.path):
                urls.setdefault(url)
        return [Listed(url, "index") for url in urls]


def feeds_source(
    settings: Settings, client: PoliteClient, labs: Sequence[str] | None = None, known: Known | None = None
) -> FeedsSource:
    """The feeds source for ``autoscope ingest feeds``: the configured registry, optionally some labs."""
    registry = load_labs(settings.labs_file)
    return FeedsSource(select_labs(registry, labs), client, min_interval=settings.feed_min_interval, known=known)
