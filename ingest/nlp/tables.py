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
class Caption:
    benchmark: Mention | None = None
    model: Mention | None = None
    conditions: str = ""


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


_NOT_BENCHMARK = re.compile(
    r"^\W*(?:rank(?:ing)?|#|no\.?|params?|parameters|size|active|total|layers|experts|context(?:\s+window)?|tokens?|"
    r"price|cost|\$|date|release[ds]?|license|org(?:ani[sz]ation)?|developer|lab|company|votes?|(?:95%\s*)?ci|"
    r"average|avg\.?|mean|overall|latency|speed|throughput|time|year|type|open(?:\s+weights)?|weights|notes?|"
    r"version|setting|settings|mode|effort|budget|scaffold|agent|system|harness|framework|model|models|benchmark|"
    r"benchmarks|metric|task|tasks|category|split|n|samples|source|reference|citation|paper|method|approach|"
    r"params\s*\(.*\)|architecture|base|size\s*\(.*\)|contests?|competitions?|pos(?:ition)?|place|battles|"
    r"submissions|runs|trials|seeds|attempts|count|number)\b",
    re.I,
)
_NOT_SCORE = re.compile(
    r"/|\((?:s|ms|sec|seconds)\)|\b(?:tok|tokens|speed|price|cost|latency|ttft|tps|throughput|params?)\b", re.I
)
_METRIC_HEADER = re.compile(
    r"^\W*%?\s*(?:pass@\d+|maj@\d+|cons@\d+|best-of-\d+|score|accuracy|acc\.?|resolve[ds]?(?:\s+rate)?|success(?:\s+rate)?|"
    r"elo|rating|win\s+rate|%|value|result|solved|pass\s+rate|mean\s+score|avg\.?\s+score|(?:percent|%)\s+correct|"
    r"correct|normali[sz]ed\s+score|time\s+horizon|horizon)\W*$",
    re.I,
)


_VARIANT_WORD = re.compile(
    r"^[\s\-]*(?:Lite|Mini|mini|Pro|Max|Turbo|Flash|Plus|Ultra|Nano|nano|Heavy|Air|Instruct|Base)\b"
)


def _whole_name(cell: Cell, mention: Mention) -> Mention:
    """A model mention that stops before a variant word ("DeepSeek Coder" in "DeepSeek Coder V2 Lite") is widened."""
    rest = cell.text[mention.end - cell.start :]
    if mention.start == cell.start and _VARIANT_WORD.match(re.sub(r"^[\s\-]*V?\d+(?:\.\d+)*", "", rest)):
        name = re.split(r"\s*[(\[]", cell.text)[0].strip()
        return Mention(cell.start, cell.start + len(name), name, "model", None, "pattern")
    return mention


def _is_rank_column(rows: Sequence[Row], j: int) -> bool:
    """1, 2, 3, ... down a column: a rank, not a score."""
    values = [parse_cell(r.cells[j].text) if j < len(r.cells) else None for r in rows]
    numbers = [v[0] for v in values if v is not None]
    return len(numbers) >= 2 and numbers == [float(i) for i in range(1, len(numbers) + 1)]


def _numeric_share(rows: Sequence[Row], j: int) -> float:
    cells = [r.cells[j] for r in rows if j < len(r.cells)]
    if not cells:
        return 0.0
    return sum(bool(_cell_values(c.text, {})) for c in cells) / len(cells)


def _strip_unit(text: str) -> str:
    return re.sub(r"\s*\((?:%|pts?|points|elo|min(?:utes)?|x|\$)\)\s*$", "", _MARKUP.sub("", text)).strip()


def _named_benchmark(cell: Cell, found: Mention | None) -> Mention | None:
    """A benchmark named by a header or row label: a registry mention, else a plausible unknown name."""
    if found is not None:
        return found
    name = _strip_unit(cell.text)
    if (
        not name
        or _NOT_BENCHMARK.match(name)
        or _METRIC_HEADER.match(name)
        or not re.search(r"[A-Z]", name)
        or len(name.split()) > 5
        or re.fullmatch(r"[\d\s.,%$-]+", name)
        or re.search(
            r"[$/]|\((?:s|ms|sec|seconds)\)|\b(?:tok|tokens|speed|price|cost|percent|index|correct|latency|time|rate|"
            r"ttft|tps|throughput|params?)\b",
            cell.text,
            re.I,
        )
        or not re.search(r"[a-z][A-Z]|[A-Za-z]-[A-Za-z0-9]|bench|eval|QA\b|arena|exam|test", name, re.I)
    ):
        return None
    return Mention(cell.start, cell.start + len(name), name, "benchmark", None, "pattern")


def table_links(
    rows: Sequence[Row],
    mentions_in: Callable[[Cell], list[Mention]],
    caption: Caption | None = None,
    notes: dict[str, str] | None = None,
) -> list[TableLink]:
    """Links for every numeric cell whose row and column name a model and a benchmark."""
    caption = caption or Caption()
    notes = notes or {}
    if len(rows) < 2:
        return []
    header, body = rows[0], list(rows[1:])
    width = max(len(r.cells) for r in rows)
    head = list(header.cells)
    while len(head) < width:
        head.insert(0, Cell("", header.start, header.start))
    body = [r for r in body if len(r.cells) == width] or body
    value_cols = [j for j in range(width) if _numeric_share(body, j) >= 0.5]
    label_cols = [j for j in range(width) if j not in value_cols]
    if not value_cols or not label_cols:
        return []

    def first(cell: Cell, kinds: tuple[str, ...]) -> Mention | None:
        found = next((m for m in mentions_in(cell) if m.kind in kinds), None)
        if found is not None and found.kind == "model":
            return _whole_name(cell, found)
        return found

    by_col = {j: [first(r.cells[j], ("model",)) if j < len(r.cells) else None for r in body] for j in label_cols}
    model_col = max(label_cols, key=lambda j: sum(m is not None for m in by_col[j]))
    if not any(by_col[model_col]):  # an "Agent" column: systems rather than base models
        by_col = {j: [first(r.cells[j], ("scaffold",)) if j < len(r.cells) else None for r in body] for j in label_cols}
        model_col = max(label_cols, key=lambda j: sum(m is not None for m in by_col[j]))
    if sum(m is not None for m in by_col[model_col]) * 2 >= len(body):
        links = _models_as_rows(body, head, value_cols, label_cols, model_col, first, caption, notes)
    else:
        head_models = {j: first(head[j], ("model", "scaffold")) for j in value_cols}
        bench_col = max(
            label_cols,
            key=lambda j: sum(first(r.cells[j], ("benchmark",)) is not None for r in body if j < len(r.cells)),
        )
        if sum(m is not None for m in head_models.values()) * 2 >= len(value_cols):
            links = _models_as_columns(body, head, value_cols, bench_col, head_models, first, caption, notes)
        elif caption.model is not None:
            only: dict[int, Mention | None] = dict.fromkeys(value_cols, caption.model)
            links = _models_as_columns(body, head, value_cols, bench_col, only, first, caption, notes, True)
        else:
            links = []
    return links


def _models_as_rows(
    body: Sequence[Row],
    head: Sequence[Cell],
    value_cols: Sequence[int],
    label_cols: Sequence[int],
    model_col: int,
    first: Callable[[Cell, tuple[str, ...]], Mention | None],
    caption: Caption,
    notes: dict[str, str],
) -> list[TableLink]:
    links: list[TableLink] = []
    columns: dict[int, tuple[Mention, str]] = {}
    for j in value_cols:
        bench = first(head[j], ("benchmark",))
        if _is_rank_column(body, j) or (
            bench is None and (_NOT_BENCHMARK.match(_strip_unit(head[j].text)) or _NOT_SCORE.search(head[j].text))
        ):
            continue
        if bench is None and caption.benchmark is not None and len(head[j].text.split()) <= 4:
            columns[j] = (caption.benchmark, _effort(head[j].text))
            continue
        named = _named_benchmark(head[j], bench)
        if named is not None:
            columns[j] = (named, head[j].text)
    for r in body:
        model = first(r.cells[model_col], ("model",)) or first(r.cells[model_col], ("scaffold",))
        if model is None:
            continue
        extra = []
        for j in label_cols:
            if j == model_col or j >= len(r.cells):
                continue
            scaffold = first(r.cells[j], ("scaffold",))
            if scaffold is not None:
                extra.append(f"scaffold: {r.cells[j].text}")
            elif re.search(r"setting|mode|effort|config|budget|scaffold|agent|harness|system", head[j].text, re.I):
                extra.append(r.cells[j].text)
        row_label = r.cells[model_col].text
        for j, (bench, header_text) in columns.items():
            if j < len(r.cells):
                context = " ; ".join([header_text, row_label.replace(model.text, " "), *extra, caption.conditions])
                conf = 0.9 if bench.known else 0.8
                links += _link(r, r.cells[j], model, bench, context, conf, extra, notes)
    return links


def _models_as_columns(
    body: Sequence[Row],
    head: Sequence[Cell],
    value_cols: Sequence[int],
    label_col: int,
    head_models: dict[int, Mention | None],
    first: Callable[[Cell, tuple[str, ...]], Mention | None],
    caption: Caption,
    notes: dict[str, str],
    settings: bool = False,
) -> list[TableLink]:
    links: list[TableLink] = []
    for r in body:
        if label_col >= len(r.cells):
            continue
        bench = _named_benchmark(r.cells[label_col], first(r.cells[label_col], ("benchmark",)))
        if bench is None:
            continue
        for j in value_cols:
            model = head_models.get(j)
            if model is not None and j < len(r.cells):
                header = _effort(head[j].text) if settings else head[j].text.replace(model.text, " ")
                context = " ; ".join([header, r.cells[label_col].text, caption.conditions])
                links += _link(r, r.cells[j], model, bench, context, 0.9 if bench.known else 0.8, [], notes)
    return links


def _header_unit(context: str) -> str | None:
    """A unit stated in a column header: "(min)", "(hours)", "(%)", "(x)", "(Elo)"."""
    m = re.search(r"\((min|mins|minutes|h|hr|hrs|hours|%|x|elo)\)", context, re.I)
    if not m:
        return None
    word = m.group(1).lower()
    if word.startswith("m"):
        return "minutes"
    if word.startswith("h"):
        return "hours"
    return {"%": "%", "x": "x", "elo": "elo"}[word]


def _effort(header: str) -> str:
    """A bare effort level as a column header means that reasoning effort."""
    word = header.strip().lower()
    return f"{word} reasoning effort" if word in ("low", "medium", "high", "xhigh", "minimal") else header


_MULTI = re.compile(r"^\s*(?P<a>[^/]+?)\s*/\s*(?P<b>[^/]+?)\s*$")


def _cell_values(cell: str, notes: dict[str, str]) -> list[tuple[float, str | None, str | None]]:
    """One or two values in a cell, each with the condition of its footnote marker (if any)."""
    parts = [cell]
    multi = _MULTI.match(cell)
    if multi and ("%" in cell or not re.search(r"\d\s*/\s*\d+\s*$", cell)):
        parts = [multi.group("a"), multi.group("b")]
    out = []
    for part in parts:
        marker = re.search(r"(\\?[*†‡§¹²³⁴]+)\s*$", part.strip())
        parsed = parse_cell(part)
        if parsed is None:
            continue
        note = notes.get(marker.group(1).replace("\\", "")) if marker else None
        out.append((parsed[0], parsed[1], note))
    return out


def _link(
    row: Row,
    cell: Cell,
    model: Mention,
    bench: Mention,
    context: str,
    conf: float,
    extra: Sequence[str],
    notes: dict[str, str],
) -> list[TableLink]:
    out = []
    header_unit = _header_unit(context)
    for value, unit, note in _cell_values(cell.text, notes):
        if unit is None and header_unit is not None:
            value, unit = (value * 60, "minutes") if header_unit == "hours" else (value, header_unit)
        settings = conditions_in(context + (" ; " + note if note else ""))
        if note and not settings:
            settings = [re.sub(r"^(?:with|using)\s+", "", note.rstrip("."), flags=re.I).lower()]
        setting = "; ".join(dict.fromkeys([*extra, *settings])) or None
        out.append(TableLink(row, cell, model, bench, value, unit, setting, conf))
    return out
