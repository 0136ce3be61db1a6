"""The normalised document every source yields and the document store keeps."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

DocKind = Literal["paper", "announcement", "webpage"]
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)


def document_id_for_url(url: str) -> str:
    """``arxiv:<id>`` for arXiv links, otherwise ``url:<normalised url>``."""
    if match := _ARXIV.search(url):
        return f"arxiv:{match.group(1)}"
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return "url:" + urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def arxiv_doc_id(arxiv_id: str) -> str:
    """``arxiv:<id>`` without a version suffix (``2410.07095v2`` -> ``arxiv:2410.07095``)."""
    return "arxiv:" + re.sub(r"v\d+$", "", arxiv_id.strip())


class Table(BaseModel):
    """A results table kept as rows of cells (announcements report most scores in tables)."""

    model_config = ConfigDict(frozen=True)

    caption: str | None = None
    header: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)


class SourceDocument(BaseModel):
    """One paper, announcement or page, normalised across sources.

    ``doc_id`` is ``arxiv:<id>`` for arXiv papers (no version suffix) or ``url:<canonical url>``.
    ``content_hash`` covers what extraction reads, so an edited post or a new arXiv version
    is detected as a change and re-extracted.
    """

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    doc_id: str = Field(min_length=3)
    source: str = Field(min_length=1)
    kind: DocKind = "paper"
    url: str | None = None
    title: str = ""
    text: str = ""
    tables: list[Table] = Field(default_factory=list)
    published: date | None = None
    updated: date | None = None
    authors: list[str] = Field(default_factory=list)
    organization_id: str | None = None
    categories: list[str] = Field(default_factory=list)
    version: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)
    fetched_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("published", "updated")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not date(1990, 1, 1) <= value <= date(2100, 1, 1):
            raise ValueError(f"implausible date {value.isoformat()}")
        return value

    def content_hash(self) -> str:
        """Hash of the fields extraction depends on (not fetch time or source)."""
        payload = {
            "title": self.title,
            "text": self.text,
            "tables": [t.model_dump() for t in self.tables],
            "authors": self.authors,
            "version": self.version,
            "published": self.published.isoformat() if self.published else None,
            "categories": self.categories,
        }
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.blake2b(raw.encode("utf-8"), digest_size=16).hexdigest()
