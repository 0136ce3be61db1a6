"""Results tables: HTML ``<table>`` elements and Markdown pipe tables as ``Table(caption, header, rows)``.

Announcements report most scores in tables, so cells are kept as values, not prose:
row and column spans are filled in (each row stands alone), multi-row headers are joined
per column with `` / `` (``Nimbus-3 / pass@1``), a ``<tfoot>`` note row becomes a note line,
and footnote markers are dropped (``71.2<sup>1</sup>`` would otherwise read 71.21).
Layout tables (fewer than 2 rows or 2 columns, ``role=presentation``, or holding other
tables) are unwrapped into plain blocks so their prose still reaches the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import lxml.html

from ingest.documents import Table

_MARKER = re.compile(r"[\[(]?\s*(\d{1,2}|[a-z]|[*†‡§¶#]+)(\s*,\s*(\d{1,2}|[a-z]|[*†‡§¶#]+))*\s*[\])]?")
_VALUE = re.compile(r"[~<>≈±+\-−]?\s*\d[\d.,]*\s*(%|x|×|pts?|s|ms|k|M|B)?\s*[*†‡§¶]*(\s*[±(].*)?")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))
_LAYOUT_PARTS = ("thead", "tbody", "tfoot", "tr", "td", "th", "caption")


def clean(text: str | None) -> str:
    """Collapse whitespace (incl. no-break and thin spaces), drop zero-width characters."""
    return re.sub(r"\s+", " ", (text or "").translate(_INVISIBLE)).strip()


def is_marker(text: str) -> bool:
    """Whether ``text`` is a footnote marker (``1``, ``a``, ``†``, ``[2]``, ``*,3``)."""
    return bool(text) and len(text) <= 8 and _MARKER.fullmatch(text.strip()) is not None


def _cell_text(el: Any) -> str:
    """A cell's text: markup flattened, footnote markers dropped, ``10<sup>6</sup>`` as ``10^6``."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str) or child.get("aria-hidden") == "true" or child.get("hidden") is not None:
            parts.append(child.tail or "")
            continue
        inner = clean(child.xpath("string()"))
        if child.tag == "br":
            parts.append(" ")
        elif child.tag == "img":
            parts.append(child.get("alt") or "")
        elif child.tag == "sup" and re.fullmatch(r"[-−]?\d{1,3}", inner) and re.search(r"10\s*$", "".join(parts)):
            parts.append("^" + inner)
        elif not ((child.tag == "sup" or (child.tag == "a" and child.get("href", "").startswith("#")))
                  and is_marker(inner)):  # fmt: skip
            parts.append(_cell_text(child))
        parts.append(child.tail or "")
    return clean("".join(parts))


def _span(value: str | None, limit: int) -> int:
    return max(1, min(int(value), limit)) if value and value.strip().isdigit() else 1


def _fill(row: list[str], spans: dict[int, tuple[int, str]], upto: int = 0) -> None:
    """Continue cells spanning down from earlier rows into ``row`` (padding gaps up to ``upto``)."""
    while len(row) in spans or len(row) < upto:
        left, text = spans.pop(len(row), (0, ""))
        if left > 1:
            spans[len(row)] = (left - 1, text)
        row.append(text)


@dataclass
class _Row:
    cells: list[str]
    section: str  # thead, tbody, tfoot or table
    all_th: bool
    single: bool  # one cell spanning several columns: a section label or a note


def _grid(table: Any) -> list[_Row]:
    """The table's non-empty rows, row and column spans filled in."""
    spans: dict[int, tuple[int, str]] = {}
    rows: list[_Row] = []
    for tr in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
        cells = [c for c in tr if c.tag in ("td", "th")]
        row: list[str] = []
        for cell in cells:
            _fill(row, spans)
            text, rowspan = _cell_text(cell), _span(cell.get("rowspan"), 200)
            for _ in range(_span(cell.get("colspan"), 100)):
                if rowspan > 1:
                    spans[len(row)] = (rowspan - 1, text)
                row.append(text)
        _fill(row, spans, max(spans) + 1 if spans else 0)
        if any(row):
            all_th = bool(cells) and all(c.tag == "th" for c in cells)
            single = len(cells) == 1 and _span(cells[0].get("colspan"), 100) > 1
            rows.append(_Row(row, tr.getparent().tag, all_th, single))
    return rows


def _caption(table: Any) -> str | None:
    found = table.find("caption")
    if found is not None:
        return _cell_text(found) or None
    figure = next((a for a in table.iterancestors("figure")), None)
    captions = figure.findall(".//figcaption") if figure is not None else []
    text = _cell_text(captions[0]) if captions else clean(table.get("aria-label"))
    return text or None


def parse_table(table: Any) -> tuple[Table, list[str]] | None:
    """A results table and its footnote lines, or None for a layout table."""
    if table.get("role") in ("presentation", "none"):
        return None
    grid = _grid(table)
    width = max((len(r.cells) for r in grid), default=0)
    for r in grid:
        r.cells += [""] * (width - len(r.cells))
    notes = [r.cells[0] for r in grid if r.section == "tfoot" and r.single]
    grid = [r for r in grid if not (r.section == "tfoot" and r.single)]
    if width < 2 or len(grid) < 2:
        return None
    heads, marked = 0, any(r.section == "thead" for r in grid)
    while heads < len(grid) - 1 and (grid[heads].section == "thead" if marked else grid[heads].all_th):
        heads += 1
    if heads == 0 and not any(_VALUE.fullmatch(c) for c in grid[0].cells if c):
        heads = 1 if any(_VALUE.fullmatch(c) for r in grid[1:] for c in r.cells[1:] if c) else 0
    rows = [r.cells for r in grid]
    header = [" / ".join(dict.fromkeys(r[col] for r in rows[:heads] if r[col])) for col in range(width)]
    body = [[r.cells[0]] + [""] * (width - 1) if r.single else r.cells for r in grid[heads:]]
    return Table(caption=_caption(table), header=header if any(header) else [], rows=body), notes


def _unwrap(el: Any) -> None:
    """Turn a layout table (its own rows and cells, not nested tables) into plain blocks."""
    el.tag = "div"
    for child in el:
        if child.tag in _LAYOUT_PARTS:
            _unwrap(child)


def replace_tables(tree: Any) -> list[Table]:
    """Pull results tables out of ``tree`` (in place), leaving a ``[Table N: caption]`` line each."""
    tables: list[Table] = []
    for el in list(tree.iter("table")):
        if el.xpath(".//table"):
            _unwrap(el)
            continue
        if next(el.iterancestors("template", "noscript"), None) is not None:
            continue
        parsed = parse_table(el)
        if parsed is None:
            _unwrap(el)
            continue
        table, notes = parsed
        tables.append(table)
        _replace(_outermost_figure(el), [table_marker(len(tables), table.caption), *notes])
    return tables


def table_marker(number: int, caption: str | None) -> str:
    """The line standing for a table in the text: ``[Table 2: caption]`` (its own "Table 2" not repeated)."""
    label = re.sub(rf"^table\s*{number}\b\s*[:.]?\s*", "", caption or "", flags=re.I)
    return f"[Table {number}: {label}]" if label else f"[Table {number}]"


def _outermost_figure(table: Any) -> Any:
    """The table, or the figure holding only it (extractors drop figures, and the marker with them)."""
    figure = next(table.iterancestors("figure"), None)
    return figure if figure is not None and len(figure.xpath(".//table")) == 1 else table


def _replace(el: Any, lines: list[str]) -> None:
    marks = [lxml.html.Element("p") for _ in lines]
    for mark, line in zip(marks, lines, strict=True):
        mark.text = line
    marks[-1].tail = el.tail  # remove() takes the tail with it
    parent, position = el.getparent(), el.getparent().index(el)
    parent.remove(el)
    for offset, mark in enumerate(marks):
        parent.insert(position + offset, mark)


# -- Markdown ---------------------------------------------------------------------------------
_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_CAPTION = re.compile(r"^\s*(?:\*\*|__|\*|_)?(table\b.*?)(?:\*\*|__|\*|_)?\s*$", re.I)
_FENCE = re.compile(r"^\s*(```|~~~)")


def _md_cell(text: str) -> str:
    text = re.sub(r"\[\^[^\]]+\]|<sup>[^<]{1,8}</sup>", "", text.replace("\\|", "|"))
    return clean(re.sub(r"\*\*|__|`", "", text))


def _pipe_cells(line: str) -> list[str]:
    body = line.strip().removeprefix("|")
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [_md_cell(cell) for cell in re.split(r"(?<!\\)\|", body)]


def pipe_tables(text: str) -> tuple[str, list[Table]]:
    """Markdown pipe tables pulled out of ``text``, each replaced by a ``[Table N: caption]`` line.

    A ``Table ...`` line just above a table is its caption; tables in code fences are left alone.
    """
    lines, out, tables, fenced, i = text.split("\n"), [], [], False, 0
    while i < len(lines):
        line = lines[i]
        fenced ^= bool(_FENCE.match(line))
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if fenced or "|" not in line or "|" not in nxt or not _PIPE_SEP.match(nxt):
            out.append(line)
            i += 1
            continue
        header, rows, i = _pipe_cells(line), [], i + 2
        while i < len(lines) and "|" in lines[i] and lines[i].strip():
            rows.append((_pipe_cells(lines[i]) + [""] * len(header))[: len(header)])
            i += 1
        above = next((k for k in range(len(out) - 1, -1, -1) if out[k].strip()), None)
        found = _MD_CAPTION.match(out[above]) if above is not None else None
        caption = clean(found.group(1)) if found else None
        if found and above is not None:
            del out[above]
        tables.append(Table(caption=caption, header=header, rows=rows))
        out.append(table_marker(len(tables), caption))
    return "\n".join(out), tables
