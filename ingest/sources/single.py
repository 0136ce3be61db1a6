"""One URL or one local file as a document (``autoscope ingest url URL`` / ``ingest file PATH``).

- A URL is an announcement page (through the shared article extractor), or an arXiv
  abstract page, recognised by its ``citation_*`` meta tags and stored as the paper
  ``arxiv:<id>`` (the same id the arXiv sources use, so the two meet).
- A file's id is ``file:<sha256 of its resolved path>``: an analyst re-adding an edited file
  updates the same document (with history) instead of adding a second one.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ingest.documents import DocKind, SourceDocument, arxiv_doc_id, document_id_for_url
from ingest.errors import IngestError, InputFileError
from ingest.http import PoliteClient
from ingest.labs import Lab, lab_for_url, load_labs
from ingest.sources.base import Checkpoint, Event, Skip, Source, SourceState
from ingest.sources.tables import clean, pipe_tables
from ingest.sources.web import (
    Page,
    canonical_url,
    decode_html,
    extract_article,
    fetch_page,
    parse_date,
    parse_html,
    skip_for,
)

log = logging.getLogger(__name__)
FILE_TYPES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
ARXIV_MIN_INTERVAL = 3.0
MAX_FILE_BYTES = 50 * 1024 * 1024
_ARXIV_LINK = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/([^?#]+?)(?:\.pdf)?/?$", re.I)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


class _OneShot:
    """A Source of exactly one document (or a Skip), then a final Checkpoint."""

    def __init__(self, name: str, make: Callable[[], SourceDocument | Skip]) -> None:
        self.name = name
        self._make = make

    def fetch(self, state: SourceState | None) -> Iterator[Event]:
        yield self._make()
        yield Checkpoint(None)


# -- URLs ---------------------------------------------------------------------------------------
def url_source(url: str, client: PoliteClient, labs: Sequence[Lab] | None = None) -> Source:
    """A source for one URL. ``labs`` (default: the bundled registry) names the publishing lab."""
    return _OneShot("url", lambda: url_document(url, client, labs))


def url_document(url: str, client: PoliteClient, labs: Sequence[Lab] | None = None) -> SourceDocument | Skip:
    """Fetch one URL politely into a document, or a Skip with the reason."""
    arxiv = _ARXIV_LINK.match(url.strip())
    target = f"https://arxiv.org/abs/{arxiv.group(1)}" if arxiv else canonical_url(url)
    try:
        page = fetch_page(client, target, max(client.min_interval, ARXIV_MIN_INTERVAL) if arxiv else None)
        if _meta_all(page.tree, "citation_arxiv_id"):
            return arxiv_document(page)
        if arxiv:
            return Skip(url, "arXiv page without citation metadata")
        article = extract_article(page)
    except IngestError as e:
        return Skip(url, skip_for(target, e, client).reason)
    lab = lab_for_url(load_labs() if labs is None else labs, target)
    kind: DocKind = "announcement" if lab else "webpage"
    return _build(
        url,
        doc_id=document_id_for_url(target),
        source="url",
        kind=kind,
        url=target,
        title=article.title,
        text=article.text,
        tables=article.tables,
        published=article.published,
        authors=article.authors,
        organization_id=lab.id if lab else None,
    )


def _meta_all(tree: Any, name: str) -> list[str]:
    return [clean(v) for v in tree.xpath("//meta[@name=$n]/@content", n=name) if clean(v)]


def _person(name: str) -> str:
    """arXiv's ``Last, First`` as ``First Last`` (the form the arXiv API gives)."""
    last, sep, first = name.partition(",")
    return f"{clean(first)} {clean(last)}" if sep and first.strip() and "," not in first else name


def arxiv_document(page: Page) -> SourceDocument | Skip:
    """An arXiv abstract page as a paper: citation_* meta tags plus the abstract blockquote."""
    tree = page.tree
    arxiv_id = _meta_all(tree, "citation_arxiv_id")[0]
    quote = tree.xpath("//blockquote[contains(concat(' ', normalize-space(@class), ' '), ' abstract ')]")
    if quote:
        block = copy.deepcopy(quote[0])
        for label in block.xpath(".//*[contains(concat(' ', normalize-space(@class), ' '), ' descriptor ')]"):
            label.drop_tree()
        abstract = clean(block.text_content())
    else:
        abstract = next(iter(_meta_all(tree, "citation_abstract")), "")
    subjects = clean(tree.xpath("string(//td[contains(@class, 'subjects')])"))
    pdf = next(iter(_meta_all(tree, "citation_pdf_url")), "")
    version = re.search(r"(v\d+)(?:\.pdf)?$", pdf)
    published = parse_date(next(iter(_meta_all(tree, "citation_date")), None))
    online = parse_date(next(iter(_meta_all(tree, "citation_online_date")), None))
    return _build(
        page.url,
        doc_id=arxiv_doc_id(arxiv_id),
        source="url",
        kind="paper",
        url=f"https://arxiv.org/abs/{arxiv_id}",
        title=next(iter(_meta_all(tree, "citation_title")), ""),
        text=abstract,
        published=published or online,
        updated=online if online and online != published else None,
        authors=[_person(a) for a in _meta_all(tree, "citation_author")],
        categories=list(dict.fromkeys(re.findall(r"\(([a-z-]+(?:\.[A-Za-z-]+)?)\)", subjects))),
        version=version.group(1) if version else None,
    )


def _build(item: str, **fields: Any) -> SourceDocument | Skip:
    try:
        return SourceDocument(**fields)
    except ValidationError as e:
        return Skip(item, f"unusable document: {e.errors()[0]['msg']}")


# -- files --------------------------------------------------------------------------------------
def file_doc_id(path: Path) -> str:
    """``file:<sha256 of the resolved path>``: stable across edits of the file."""
    return "file:" + hashlib.sha256(str(path.expanduser().resolve()).encode("utf-8")).hexdigest()


def file_source(path: Path | str, kind: DocKind = "webpage", organization_id: str | None = None) -> Source:
    """A source for one local .txt, .md or .html file; raises InputFileError naming a bad path."""
    resolved = Path(path).expanduser().resolve()
    if not resolved.is_file():
        raise InputFileError(f"{path}: {'not a regular file' if resolved.exists() else 'no such file'}")
    if resolved.suffix.lower() not in FILE_TYPES:
        raise InputFileError(f"{path}: unsupported file type {resolved.suffix!r}; expected .txt, .md or .html")
    return _OneShot("file", lambda: file_document(resolved, kind, organization_id))


def _read_text(path: Path, raw: bytes) -> tuple[str, dict[str, str]]:
    try:
        return raw.decode("utf-8-sig"), {}
    except UnicodeDecodeError as e:
        log.warning("%s: not valid UTF-8 (byte %d); undecodable bytes replaced", path, e.start)
        return raw.decode("utf-8", errors="replace"), {"decoding": "invalid UTF-8 replaced"}


def file_document(path: Path, kind: DocKind = "webpage", organization_id: str | None = None) -> SourceDocument | Skip:
    """Read one file: HTML through the article extractor, text and Markdown as they are."""
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            raise InputFileError(f"{path}: {size:,} bytes is larger than the {MAX_FILE_BYTES:,}-byte limit")
        raw = path.read_bytes()
    except OSError as e:
        raise InputFileError(f"{path}: cannot read: {e.strerror or e}") from e
    style = FILE_TYPES[path.suffix.lower()]
    extra = {"path": str(path)}
    if style == "html":
        try:
            article = extract_article(Page(path.as_uri(), html := decode_html(raw), parse_html(html)))
        except IngestError as e:
            return Skip(str(path), str(e))
        title, text, tables, published, authors = (
            article.title, article.text, article.tables, article.published, article.authors
        )  # fmt: skip
    else:
        text, problems = _read_text(path, raw)
        extra |= problems
        text, tables = pipe_tables(text) if style == "markdown" else (text, [])
        heading = next((m.group(1) for line in text.splitlines() if (m := _HEADING.match(line))), None)
        title, published, authors = clean(heading) or path.stem, None, []
    return _build(
        str(path),
        doc_id=file_doc_id(path),
        source="file",
        kind=kind,
        url=path.as_uri(),
        title=title,
        text=text.strip(),
        tables=tables,
        published=published,
        authors=authors,
        organization_id=organization_id,
        extra=extra,
    )
