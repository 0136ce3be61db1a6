"""The registry of AI labs and evaluators whose announcements we follow (``ingest/data/labs.yaml``).

Registries are data: adding a lab or fixing a moved feed is a YAML edit, validated here so a
bad entry fails at start-up with the file and the entry named, not halfway through a crawl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ingest.errors import InputFileError, SourceError

BUNDLED_LABS = Path(__file__).parent / "data" / "labs.yaml"
_ID = r"^[a-z0-9][a-z0-9-]*$"


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


def _regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as e:
            raise ValueError(f"invalid regular expression {value!r}: {e}") from e
    return value


class SitemapSpec(BaseModel):
    """A sitemap (or sitemap index) listing the lab's posts; ``path`` selects post URLs by path."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    path: str | None = Field(None, description="Regex searched in each page URL's path (e.g. '^/news/').")
    sitemaps: str | None = Field(None, description="Regex selecting child sitemaps of a sitemap index by URL.")

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("path", "sitemaps")
    @classmethod
    def _check_regex(cls, value: str | None) -> str | None:
        return _regex(value)


class IndexSpec(BaseModel):
    """An HTML page linking to posts; ``link`` selects post links by path."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    link: str = Field(description="Regex searched in each same-host link's path (e.g. '^/blog/[^/]+/?$').")

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("link")
    @classmethod
    def _check_regex(cls, value: str) -> str:
        _regex(value)
        return value


class Lab(BaseModel):
    """One lab or evaluator: ``id`` is its Organization id in the graph."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    kind: Literal["lab", "evaluator"]
    homepage: str
    feed: str | None = None
    sitemap: SitemapSpec | None = None
    index: IndexSpec | None = None

    @field_validator("homepage", "feed")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @model_validator(mode="after")
    def _discoverable(self) -> Lab:
        if not (self.feed or self.sitemap or self.index):
            raise ValueError("needs at least one of feed, sitemap or index to discover posts")
        return self

    def hosts(self) -> set[str]:
        """Hosts this lab publishes on (homepage, feed, sitemap, index), without ``www.``."""
        urls = [self.homepage, self.feed, self.sitemap and self.sitemap.url, self.index and self.index.url]
        return {_bare_host(u) for u in urls if u}


class _LabsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labs: list[Lab]


def _bare_host(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host


def _where(raw: Any, loc: Sequence[int | str]) -> str:
    """``labs[3] (id 'openai') at sitemap.path`` for a validation error location."""
    if len(loc) >= 2 and loc[0] == "labs" and isinstance(loc[1], int):
        entry = raw.get("labs", [])[loc[1]] if isinstance(raw, dict) else None
        named = f" (id {entry.get('id')!r})" if isinstance(entry, dict) and entry.get("id") else ""
        rest = ".".join(str(p) for p in loc[2:])
        return f"entry labs[{loc[1]}]{named}" + (f" at {rest}" if rest else "")
    return "at " + (".".join(str(p) for p in loc) or "top level")


def load_labs(path: Path | None = None) -> list[Lab]:
    """Parse and validate a labs registry (default: the bundled one), naming file and entry on error."""
    path = path or BUNDLED_LABS
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InputFileError(f"{path}: cannot read labs registry: {e}") from e
    try:
        labs = _LabsFile.model_validate(raw).labs
    except ValidationError as e:
        first = e.errors()[0]
        raise InputFileError(f"{path}: invalid {_where(raw, first['loc'])}: {first['msg']}") from e
    seen: set[str] = set()
    for number, lab in enumerate(labs):
        if lab.id in seen:
            raise InputFileError(f"{path}: invalid entry labs[{number}] (id {lab.id!r}): duplicate id")
        seen.add(lab.id)
    return labs


def select_labs(labs: Sequence[Lab], ids: Iterable[str] | None) -> list[Lab]:
    """The labs with the given ids, in registry order (all when ``ids`` is None)."""
    if ids is None:
        return list(labs)
    wanted = list(dict.fromkeys(ids))
    known = {lab.id for lab in labs}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise SourceError(f"unknown lab id(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [lab for lab in labs if lab.id in wanted]


def lab_for_url(labs: Iterable[Lab], url: str) -> Lab | None:
    """The lab publishing on ``url``'s host (``www.`` ignored), if any."""
    host = _bare_host(url)
    return next((lab for lab in labs if host in lab.hosts()), None)
