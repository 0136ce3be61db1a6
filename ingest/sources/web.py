"""Fetch one article page politely and reduce it to title, text, date, authors and results tables.

Shared by the lab feeds and ``autoscope ingest url``. Choices, and why:

- **Text**: trafilatura finds the main content (``favor_recall``: a lost results paragraph
  costs more than a stray line). We render its XML ourselves, so headings stay ``#`` lines
  and list items ``-``/``1.`` lines, without the Markdown escaping (``gpt\\_4``) and emphasis
  markers trafilatura's own Markdown adds, which would corrupt evidence sentences.
- **Tables**: parsed from the original HTML (trafilatura flattens them) into
  ``Table(caption, header, rows)``; each results table is replaced in the text by one line
  ``[Table N: caption]`` so the text says where it stood without repeating its cells.
  Layout tables (fewer than 2 rows or 2 columns, ``role=presentation``, or holding other
  tables) are unwrapped into plain blocks so their prose still reaches the text.
- **Footnote markers** (``71.2<sup>1</sup>``) are dropped from cells and text: kept, they
  would turn 71.2 into 71.21.
- **Charset**: BOM, then valid UTF-8 (servers mislabel UTF-8 as Latin-1 far more often than
  the reverse), then the HTTP and ``<meta>`` charsets, then UTF-8 with replacement.
"""

from __future__ import annotations

import codecs
import copy
import json
import re
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html
import trafilatura
from lxml import etree

from ingest.documents import Table
from ingest.errors import FetchError, IngestError, ResponseTooLarge, SourceError
from ingest.http import PoliteClient
from ingest.sources.base import Skip
from ingest.sources.tables import clean, is_marker, replace_tables

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
MIN_WORDS = 40
_CONSENT = re.compile(r"\b(cookies?|consent|privacy preferences)\b", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)


class NotAnArticle(SourceError):
    """The page holds no article we can use (cookie wall, empty body, not HTML)."""


@dataclass(frozen=True)
class Page:
    """A fetched HTML page: final URL, decoded text and a parsed (hardened) tree."""

    url: str
    html: str
    tree: Any


@dataclass(frozen=True)
class Article:
    """What an announcement page reduces to."""

    url: str
    title: str
    text: str
    tables: list[Table]
    published: date | None
    authors: list[str]


# -- fetching and decoding -------------------------------------------------------------------
def _codec(name: str | None) -> str | None:
    """A Python codec for a declared charset (WHATWG aliases: Latin-1 and ASCII mean cp1252)."""
    if not name:
        return None
    try:
        found = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if found in ("latin-1", "iso8859-1", "ascii") else found


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """Decode page bytes: BOM, valid UTF-8, declared charsets, then UTF-8 with replacement."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    http = next((_codec(v) for k, _, v in (p.strip().partition("=") for p in (content_type or "").split(";")[1:])
                 if k.lower() == "charset"), None)  # fmt: skip
    meta_match = _META_CHARSET.search(content[:4096])
    meta = _codec(meta_match.group(1).decode("ascii", "ignore")) if meta_match else None
    if meta and meta.startswith("utf-16"):
        meta = "utf-8"  # a <meta> readable as ASCII cannot be UTF-16
    declared = [c for c in (http, meta) if c]
    if http and http.startswith(("utf-16", "utf-32")):
        return content.decode(http, errors="replace")
    for codec in ["utf-8", *declared]:
        try:
            return content.decode(codec)
        except UnicodeDecodeError:
            continue
    return content.decode(declared[0] if declared else "utf-8", errors="replace")


def parse_html(html: str) -> Any:
    """Parse HTML without network access, comments or processing instructions."""
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise NotAnArticle(f"empty or unparseable HTML ({e})") from e


def _looks_html(content: bytes) -> bool:
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<head" in head


def fetch_page(client: PoliteClient, url: str, min_interval: float | None = None) -> Page:
    """GET an HTML page politely (robots.txt, pacing, retries, size cap); raises IngestError."""
    fetched = client.get(url, check_robots=True, min_interval=min_interval)
    if fetched.status != 200:
        raise FetchError(f"{url}: HTTP {fetched.status}")
    if fetched.content_type not in HTML_TYPES and not _looks_html(fetched.content):
        raise NotAnArticle(f"not an HTML page ({fetched.content_type or 'no content type'})")
    html = decode_html(fetched.content, fetched.headers.get("content-type"))
    return Page(fetched.url, html, parse_html(html))


def canonical_url(url: str) -> str:
    """Drop the fragment and ``utm_*`` tracking parameters, so one post is one URL."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def skip_for(url: str, error: IngestError, client: PoliteClient) -> Skip:
    """A Skip naming ``url`` and why (size-capped pages say ``larger than N bytes``)."""
    message = str(error)
    if isinstance(error, ResponseTooLarge):
        return Skip(url, f"larger than {error.limit} bytes")
    return Skip(url, message.removeprefix(f"{url}: "))


def fetch_article(client: PoliteClient, url: str, min_interval: float | None = None) -> Article | Skip:
    """Fetch and extract one article, or a Skip with the reason (the caller's run goes on)."""
    try:
        return extract_article(fetch_page(client, url, min_interval))
    except IngestError as e:
        return skip_for(url, e, client)


# -- text --------------------------------------------------------------------------------------
def _inline(el: Any, skip: tuple[str, ...] = ()) -> str:
    """Text of a trafilatura XML element: ``<lb/>`` as newline, footnote superscripts dropped."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag not in skip and not (child.get("rend") == "#sup" and is_marker(clean(child.xpath("string()")))):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _lines(text: str) -> str:
    return "\n".join(filter(None, (clean(line) for line in text.split("\n"))))


def _list_lines(el: Any, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for number, item in enumerate(el.findall("item"), 1):
        if text := clean(_inline(item, skip=("list",))):
            lines.append("  " * depth + (f"{number}. " if el.get("rend") == "ol" else "- ") + text)
        for sub in item.findall("list"):
            lines.extend(_list_lines(sub, depth + 1))
    return lines


def render_text(body: Any) -> str:
    """trafilatura's XML body as text: ``#`` heading lines, list item lines, blank line between blocks."""
    blocks: list[str] = []
    for el in body:
        if el.tag == "head":
            rend = el.get("rend", "")
            blocks.append("#" * (int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2) + " " + clean(_inline(el)))
        elif el.tag == "list":
            blocks.append("\n".join(_list_lines(el)))
        elif el.tag not in ("table", "graphic"):
            blocks.append(_lines(_inline(el)))
    return "\n\n".join(b for b in blocks if b.strip("# "))


# -- metadata and the article ----------------------------------------------------------------
def parse_date(value: str | None) -> date | None:
    """A plausible date from ISO 8601 (``2025-03-04T09:00:00Z``, ``2025/03/04``) or RFC 2822 text."""
    value = clean(value)
    if not value:
        return None
    found: date | None = None
    iso = re.match(r"(\d{4})[-/](\d{2})[-/](\d{2})", value)
    try:
        found = date(int(iso[1]), int(iso[2]), int(iso[3])) if iso else parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None
    return found if date(1990, 1, 1) <= found <= date(2100, 1, 1) else None


def _meta(tree: Any, *names: str) -> str | None:
    for name in names:
        for value in tree.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name):
            if clean(value):
                return clean(value)
    return None


def _jsonld(tree: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page (``@graph`` and lists flattened); bad JSON is ignored."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            stack: list[Any] = [json.loads(script.text or "")]
        except ValueError:
            continue
        while stack and len(found) < 100:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                stack.extend(v for v in (item.get("@graph"),) if isinstance(v, list))
    return found


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [i.get("name") if isinstance(i, dict) else i for i in items]
    return [clean(n) for n in names if isinstance(n, str) and clean(n)]


def page_date(tree: Any, fallback: str | None = None) -> date | None:
    """Published date: meta tags, JSON-LD ``datePublished``, ``<time datetime>``, then ``fallback``."""
    candidates = [_meta(tree, "article:published_time", "og:published_time", "datePublished", "date", "DC.date.issued")]
    candidates += [o.get("datePublished") for o in _jsonld(tree) if isinstance(o.get("datePublished"), str)]
    candidates += [
        next(iter(tree.xpath(f"({scope}//time/@datetime)[1]")), None) for scope in ("//article", "//main", "")
    ]
    return next((d for d in map(parse_date, [*candidates, fallback]) if d), None)


def page_authors(tree: Any, fallback: str | None = None) -> list[str]:
    """Authors from JSON-LD, ``<meta name=author>``, then trafilatura's guess (``A; B``)."""
    for obj in _jsonld(tree):
        if names := _names(obj.get("author")):
            return list(dict.fromkeys(names))
    meta = _meta(tree, "author", "article:author")
    raw = meta if meta and not meta.startswith("http") else fallback
    return list(dict.fromkeys(filter(None, (clean(a) for a in re.split(r"[;,]| and ", raw or "")))))


def extract_article(page: Page) -> Article:
    """Reduce a page to an Article; raises NotAnArticle when there is no article on it."""
    tree = copy.deepcopy(page.tree)
    tables = replace_tables(tree)
    doc = trafilatura.bare_extraction(
        tree,
        url=page.url,
        favor_recall=True,
        include_comments=False,
        include_tables=False,
        include_formatting=True,
        with_metadata=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    found = doc if doc is not None and not isinstance(doc, dict) else None
    body = getattr(found, "body", None)
    text = render_text(body) if body is not None else _lines((found.text or "") if found else "")
    words = len(re.findall(r"\w+", re.sub(r"^\[Table \d+.*\]$", "", text, flags=re.M)))
    if not tables and (words < MIN_WORDS or (words < 150 and len(_CONSENT.findall(text)) >= 2)):
        if _CONSENT.search(text) or _CONSENT.search(page.tree.xpath("string(//body)")):
            raise NotAnArticle(f"no article: looks like a cookie or consent wall ({words} words of text)")
        raise NotAnArticle(f"no article text found ({words} words)")
    title = clean(getattr(found, "title", None)) or _meta(page.tree, "og:title")
    return Article(
        url=page.url,
        title=title or clean(page.tree.findtext(".//title")) or clean(page.tree.xpath("string(//h1)")),
        text=text,
        tables=tables,
        published=page_date(page.tree, getattr(found, "date", None)),
        authors=page_authors(page.tree, getattr(found, "author", None)),
    )
