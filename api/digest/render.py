"""Render a :class:`Digest` as Markdown, HTML or JSON, through the Jinja2 templates in ``templates/``.

The sentences come from :mod:`api.digest.prose`; the templates only lay them out. HTML is
autoescaped; Markdown text is escaped by the ``md`` filter. Links are written only for http(s)
URLs, so a source URL cannot inject script into a digest.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from api.digest.model import Citation, Digest
from api.digest.prose import Line, header, sections

MEDIA_TYPES = {"json": "application/json", "md": "text/markdown", "html": "text/html"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md(text: object) -> str:
    """Escape Markdown syntax in plain text."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), else None (never link other schemes)."""
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None


def md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def md_cites(citations: Iterable[Citation]) -> str:
    """``[clm_…](source_url)`` for each citation (no link when there is no safe URL)."""
    return " ".join(f"[{_label(c.id)}]({md_url(u)})" if (u := safe_url(c.url)) else f"\\[{_label(c.id)}\\]"
                    for c in citations)  # fmt: skip


def _label(node_id: str) -> str:
    """A citation's link text: ids are left readable (``clm_…`` needs no escaping), brackets escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", node_id)


@dataclass(frozen=True)
class Block:
    """Consecutive lines of one kind: items form a list, notes and text are paragraphs."""

    kind: str
    lines: list[Line]


def blocks(lines: Iterable[Line]) -> list[Block]:
    out: list[Block] = []
    for line in lines:
        kind = "list" if line.kind == "item" else line.kind
        if out and out[-1].kind == kind == "list":
            out[-1].lines.append(line)
        else:
            out.append(Block(kind, [line]))
    return out


@cache
def environment() -> Environment:
    """The templates' environment, built on first use (autoescape for .html templates only)."""
    env = Environment(
        loader=PackageLoader("api.digest", "templates"),
        autoescape=select_autoescape(["html.j2"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md, cites=md_cites, mdurl=md_url, blocks=blocks, safe_url=safe_url)
    return env


@dataclass(frozen=True)
class ChartView:
    benchmark_id: str
    benchmark: str
    src: str = ""
    inline: Markup | None = None


def _tidy(text: str) -> str:
    """Collapse runs of blank lines left by template blocks; end with one newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _render(template: str, digest: Digest, views: list[ChartView]) -> str:
    body = (
        environment()
        .get_template(template)
        .render(digest=digest, header=header(digest), sections=sections(digest), charts=views)
    )
    return _tidy(body)


def render_markdown(digest: Digest, charts: Mapping[str, str] | None = None) -> str:
    """The digest as Markdown; ``charts`` maps benchmark ids to image paths (relative links)."""
    paths = charts or {}
    views = [ChartView(c.benchmark_id, c.benchmark, src=paths[c.benchmark_id]) for c in digest.charts
             if c.benchmark_id in paths]  # fmt: skip
    return _render("digest.md.j2", digest, views)


def _inline(image: bytes) -> Markup:
    """An SVG (without its XML prolog) or a PNG as a data URI, ready to place in HTML."""
    if image.startswith(b"\x89PNG"):
        data = base64.b64encode(image).decode("ascii")
        return Markup(f'<img alt="chart" src="data:image/png;base64,{data}">')
    text = image.decode("utf-8")
    return Markup(text[text.index("<svg") :])


def render_html(digest: Digest, charts: Mapping[str, bytes] | None = None) -> str:
    """The digest as one self-contained HTML page; ``charts`` maps benchmark ids to SVG (or PNG) bytes."""
    images = charts or {}
    views = [ChartView(c.benchmark_id, c.benchmark, inline=_inline(images[c.benchmark_id])) for c in digest.charts
             if c.benchmark_id in images]  # fmt: skip
    return _render("digest.html.j2", digest, views)


def render_json(digest: Digest) -> str:
    """The digest as indented JSON (keys in model order, so the bytes are stable)."""
    body: dict[str, Any] = digest.model_dump(mode="json")
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
