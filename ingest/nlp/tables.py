"""Claims from results tables: structured ones from ingestion, and tables flattened into text.

A flattened table is a run of lines split by ``|``, tabs or aligned runs of spaces. The
orientation is read from the names in the header and the first column: models as columns
(benchmarks down the side) or models as rows (benchmarks across the top), or a one-benchmark
leaderboard named by its caption. Cells lose bold and footnote markers; "—" is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.documents import Table
from ingest.nlp.linking import conditions_in
from ingest.nlp.mentions import Mention
from ingest.nlp.quantities import find_quantities
from ingest.nlp.segment import is_table_line

_SEPARATOR = re.compile(r"^[\s|:+\-=]+$")
_MISSING = re.compile(r"^\s*(?:—|–|-|n/?a|N/?A|—\s*|\?|x|✗|tbd|TBD)?\s*$")
_MARKUP = re.compile(r"\*\*|__|`|\\\*|[*†‡§¶#^]|\[[a-z0-9]\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_SCORE_HEADER = re.compile(
    r"\b(?:score|accuracy|acc\.?|resolve[ds]?|resolution|success|pass@\d+|pass\s+rate|result|value|%|elo|rating|"
    r"horizon|win\s+rate|solved)\b",
    re.I,
)


@dataclass(frozen=True)
class Cell:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Row:
    start: int
    end: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TableLink:
    row: Row
    cell: Cell
    model: Mention
    benchmark: Mention
    value: float
    unit: str | None
    setting: str | None
    confidence: float


def render_table(table: Table) -> str:
    """A structured table as pipe-separated lines (appended to the text so evidence has offsets)."""
    lines = [f"{table.caption}:"] if table.caption else []
    width = max([len(table.header), *(len(r) for r in table.rows)], default=0)
    if table.header:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in table.header) + " |")
    for row in table.rows:
        cells = [c.replace("|", "/") for c in row] + [""] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def split_cells(text: str, start: int, end: int) -> tuple[Cell, ...]:
    line = text[start:end]
    if line.count("|") >= 2:
        pattern = r"[^|]+"
        body_offset = 0
    elif "\t" in line:
        pattern, body_offset = r"[^\t]+", 0
    else:
        pattern, body_offset = r"\S+(?: \S+)*", 0
    cells = []
    for m in re.finditer(pattern, line):
        raw = m.group()
        if not raw.strip():
            continue
        lead = len(raw) - len(raw.lstrip())
        s = start + body_offset + m.start() + lead
        cells.append(Cell(raw.strip(), s, s + len(raw.strip())))
    return tuple(cells)


def table_blocks(text: str, sentences: Sequence[tuple[int, int]]) -> list[list[Row]]:
    """Runs of consecutive table lines (two or more), as rows of cells."""
    blocks: list[list[Row]] = []
    current: list[Row] = []
    for start, end in sentences:
        line = text[start:end]
        if is_table_line(line):
            if not _SEPARATOR.match(line):
                current.append(Row(start, end, split_cells(text, start, end)))
            continue
        if len(current) >= 2:
            blocks.append(current)
        current = []
    if len(current) >= 2:
        blocks.append(current)
    return blocks


def parse_cell(cell: str) -> tuple[float, str | None, bool] | None:
    """(value, unit or None, had_percent) from a cell, or None when it holds no single score."""
    clean = _MARKUP.sub("", cell).strip()
    if _MISSING.match(clean):
        return None
    quantities = [q for q in find_quantities(clean, []) if q.kind != "range"]
    if not quantities:
        return None
    q = quantities[0]
    rest = clean[q.end :].strip()
    if rest and not re.match(r"^(?:\(.*\)|±.*|%|\[.*\]|[a-z]{0,2})$", rest):
        return None
    if clean[: q.start].strip() not in ("", "~", "≈", "$"):
        return None
    return q.value, q.unit, q.unit == "%"


def table_links(
    rows: Sequence[Row],
    mentions_in: Callable[[Cell], list[Mention]],
    caption_benchmark: Mention | None,
) -> list[TableLink]:
    """Links for every numeric cell whose row and column name a model and a benchmark."""
    if len(rows) < 2:
        return []
    header, body = rows[0], list(rows[1:])
    width = max(len(r.cells) for r in rows)
    head_cells = list(header.cells)
    if len(head_cells) == width - 1:
        head_cells = [Cell("", header.start, header.start), *head_cells]

    def first(cell: Cell, kind: tuple[str, ...]) -> Mention | None:
        return next((m for m in mentions_in(cell) if m.kind in kind), None)

    head_models = [first(c, ("model", "scaffold")) for c in head_cells]
    head_benches = [first(c, ("benchmark",)) for c in head_cells]
    side_models = [first(r.cells[0], ("model", "scaffold")) if r.cells else None for r in body]
    side_benches = [first(r.cells[0], ("benchmark",)) if r.cells else None for r in body]
    n_hm, n_hb = sum(m is not None for m in head_models[1:]), sum(b is not None for b in head_benches[1:])
    n_sm, n_sb = sum(m is not None for m in side_models), sum(b is not None for b in side_benches)
    links: list[TableLink] = []
    if n_hm and n_sb and n_hm >= n_hb:
        for r, bench in zip(body, side_benches, strict=True):
            for j, cell in enumerate(r.cells[1:], start=1):
                model = head_models[j] if j < len(head_models) else None
                if bench and model:
                    links += _link(r, cell, model, bench, head_cells[j].text + " " + r.cells[0].text, 0.9)
    elif n_hb and n_sm:
        for r, model in zip(body, side_models, strict=True):
            row_setting = _row_setting(r, head_cells, head_benches)
            for j, cell in enumerate(r.cells[1:], start=1):
                bench = head_benches[j] if j < len(head_benches) else None
                if bench and model:
                    context = head_cells[j].text + " " + r.cells[0].text + " " + row_setting
                    links += _link(r, cell, model, bench, context, 0.9)
    elif caption_benchmark is not None and n_sm:
        columns = [j for j, c in enumerate(head_cells) if j and _SCORE_HEADER.search(c.text)]
        if len(columns) == 1:
            j = columns[0]
            for r, model in zip(body, side_models, strict=True):
                if model and j < len(r.cells):
                    links += _link(r, r.cells[j], model, caption_benchmark, head_cells[j].text, 0.82)
    return links


def _row_setting(row: Row, head: Sequence[Cell], benches: Sequence[Mention | None]) -> str:
    """Text of non-score, non-benchmark columns such as 'Scaffold' or 'Setting'."""
    parts = []
    for j, cell in enumerate(row.cells[1:], start=1):
        if j < len(head) and benches[j] is None and re.search(r"scaffold|agent|setting|mode|effort", head[j].text, re.I):
            parts.append(f"{head[j].text.lower()}: {cell.text}")
    return "; ".join(parts)


def _link(row: Row, cell: Cell, model: Mention, bench: Mention, context: str, conf: float) -> list[TableLink]:
    parsed = parse_cell(cell.text)
    if parsed is None:
        return []
    value, unit, _ = parsed
    settings = conditions_in(context)
    extra = re.findall(r"(?:scaffold|agent|setting|mode|effort): [^;]+", context)
    setting = "; ".join(dict.fromkeys([*extra, *settings])) or None
    return [TableLink(row, cell, model, bench, value, unit, setting, conf)]
