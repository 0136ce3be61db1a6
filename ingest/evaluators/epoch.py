"""Epoch AI Benchmarking Hub CSVs (``autoscope import epoch``): one CSV, or the ``benchmark_data.zip`` of many.

Three layouts, told apart by their columns and file name:

- Epoch's own runs (``swe_bench_verified.csv``, ``gpqa_diamond.csv``): ``Model version``, ``mean_score``
  (older exports: ``Best score (across scorers)``), ``Release date``, ``Organization``, ``stderr``,
  ``Started at``... Scores are fractions, stored as percent with ``score ∓ 1.96·stderr`` as the
  interval; the result is dated by ``Started at``.
- External results Epoch collects (``*_external.csv``): ``Model version``, a score column that varies
  by file, ``Source``, ``Source link``...; dated by ``Date``/``Date added``, else ``--date``, else
  the model's release date.
- The old single file ``benchmarks_runs.csv``: ``task`` names the benchmark, ``model``, ``started_at``.

``ingest/data/epoch_benchmarks.yaml`` maps file stems to registry benchmarks and says how to read
their scores. Model-version suffixes such as ``_high`` or ``_16K`` are settings (reasoning effort,
thinking budget), not models. Every claim's evidence is its raw CSV record, with offsets.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph.model import Claim, Document, DocumentKind, SourceKind, Unit
from graph.store import GraphStore
from ingest.documents import document_id_for_url
from ingest.errors import InputFileError
from ingest.evaluators.common import (
    Batch,
    FileReport,
    ModelNames,
    decode,
    known_benchmark,
    organization_id,
    parse_date,
    read_text,
)
from ingest.evaluators.csvrecords import Record, csv_records
from ingest.nlp.mentions import Mention
from ingest.nlp.registry import DATA_DIR, Registry, default_registry
from ingest.nlp.resolve import Resolver

EXTRACTOR_VERSION = "epoch-import/1"
CONFIG_FILE = DATA_DIR / "epoch_benchmarks.yaml"
HUB_URL = "https://epoch.ai/benchmarks/"
MAX_MEMBER_BYTES = 200 * 1024 * 1024
RUN_SCORES = ("mean_score", "Best score (across scorers)")
FACTORS = {"fraction": 100.0, "percent": 1.0, "raw": 1.0}
_SUFFIX = re.compile(
    r"^(?P<base>.+?)(?:_(?P<budget>\d+(?:\.\d+)?[kK])|[_-](?P<effort>xhigh|high|medium|low|minimal|none))$"
)
_LEADERBOARD = re.compile(r"leaderboard|\barena\b", re.I)


@dataclass(frozen=True)
class Config:
    """The contents of ``epoch_benchmarks.yaml``."""

    files: dict[str, dict[str, str]]
    tasks: dict[str, str]
    score_columns: tuple[str, ...]
    date_columns: tuple[str, ...]


@cache
def load_config(path: Path = CONFIG_FILE) -> Config:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Config(
            files={str(k): {str(a): str(b) for a, b in v.items()} for k, v in (raw.get("files") or {}).items()},
            tasks={str(k): str(v) for k, v in (raw.get("tasks") or {}).items()},
            score_columns=tuple(str(c) for c in raw.get("score_columns") or ()),
            date_columns=tuple(str(c) for c in raw.get("date_columns") or ()),
        )
    except (OSError, yaml.YAMLError, AttributeError, TypeError) as e:
        raise InputFileError(f"{path}: cannot read the Epoch file map: {e}") from e


@dataclass
class Layout:
    """How to read one file: its columns, benchmark, scale and where its dates come from."""

    kind: str  # epoch-run | external | runs-legacy
    model: str
    score: str
    dates: tuple[str, ...]
    benchmark_id: str | None = None
    scale: str | None = None
    unit: Unit = Unit.PERCENT
    stderr: str | None = None
    low: str | None = None
    high: str | None = None
    setting: str | None = None
    url: str = ""
    notes: list[str] = field(default_factory=list)


def import_epoch_file(
    store: GraphStore,
    path: Path,
    benchmark: str | None = None,
    score_column: str | None = None,
    reported: date | None = None,
    registry: Registry | None = None,
) -> list[FileReport]:
    """Import one Epoch CSV or a zip of them; a zip reports per file, a broken member does not stop the rest."""
    reg = registry or default_registry()
    if path.suffix.lower() == ".zip" or (path.is_file() and zipfile.is_zipfile(path)):
        return _import_zip(store, path, benchmark, score_column, reported, reg)
    text, _ = read_text(path)
    return [import_epoch_text(store, text, str(path), path.stem, benchmark, score_column, reported, reg)]


def _import_zip(
    store: GraphStore, path: Path, benchmark: str | None, score_column: str | None, reported: date | None,
    reg: Registry,
) -> list[FileReport]:  # fmt: skip
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                (i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".csv")
                 and not i.filename.startswith("__MACOSX/")),
                key=lambda i: i.filename,
            )  # fmt: skip
            if not members:
                raise InputFileError(f"{path}: the zip holds no CSV files")
            if (benchmark or score_column) and len(members) > 1:
                raise InputFileError(
                    f"{path}: --benchmark/--score-column apply to one CSV, and the zip holds {len(members)}"
                )
            reports = []
            for info in members:
                source = f"{path}/{info.filename}"
                try:
                    if info.file_size > MAX_MEMBER_BYTES:
                        raise InputFileError(f"{source}: larger than {MAX_MEMBER_BYTES} bytes uncompressed")
                    text = decode(archive.read(info), source)
                    stem = Path(info.filename).stem
                    reports.append(import_epoch_text(store, text, source, stem, benchmark, score_column, reported, reg))
                except InputFileError as e:
                    reports.append(FileReport(source=source, layout="unreadable", error=str(e)))
            return reports
    except (zipfile.BadZipFile, OSError) as e:
        raise InputFileError(f"{path}: not a readable zip: {e}") from e


def import_epoch_text(
    store: GraphStore,
    text: str,
    source: str,
    stem: str,
    benchmark: str | None = None,
    score_column: str | None = None,
    reported: date | None = None,
    registry: Registry | None = None,
) -> FileReport:
    """Import one Epoch CSV's text (see the module doc); bad rows are skipped with their line, one atomic write."""
    reg = registry or default_registry()
    records = csv_records(text, source)
    header_record = next(records, None)
    if header_record is None:
        raise InputFileError(f"{source}: empty file")
    header = [h.strip().lstrip("\ufeff").strip() for h in header_record.cells]
    layout = _layout(header, stem, source, load_config(), benchmark and known_benchmark(reg, store, benchmark),
                     score_column, reg)  # fmt: skip
    report = FileReport(source=source, layout=layout.kind)
    report.notes += layout.notes
    rows = [r for r in records]
    if layout.scale is None:
        layout.scale = _guess_scale(rows, header, layout, reg)
        report.notes.append(f"scale of {layout.score!r} read off its values: {layout.scale}")
        if layout.scale == "raw" and layout.unit is Unit.PERCENT:
            layout.unit = Unit.SCORE
    batch = Batch(store, reg, report)
    reader = _Rows(reg, layout, reported, batch, stem)
    for record in rows:
        report.rows += 1
        outcome = reader.row(record, header, text)
        if isinstance(outcome, str):
            report.skipped.append((record.line, outcome))
    batch.commit()
    return report


def _layout(
    header: list[str], stem: str, source: str, config: Config, benchmark: str | None, score_column: str | None,
    reg: Registry,
) -> Layout:  # fmt: skip
    columns = set(header)
    spec = config.files.get(stem, {})

    def need(column: str, why: str = "") -> str:
        if column not in columns:
            raise InputFileError(f"{source}: missing column {column!r}{why}")
        return column

    if "Model version" in columns:
        kind = "external" if stem.endswith("_external") else "epoch-run"
        model = "Model version"
    elif "task" in columns and "model" in columns:
        kind, model = "runs-legacy", "model"
    else:
        raise InputFileError(f"{source}: missing column 'Model version'")
    if score_column:
        score = need(score_column, " (from --score-column)")
    elif spec.get("score_column"):
        score = need(spec["score_column"], f" (the score column of {stem} in {CONFIG_FILE.name})")
    elif kind != "external" or any(c in columns for c in RUN_SCORES):
        score = next((c for c in RUN_SCORES if c in columns), None) or need(" or ".join(RUN_SCORES))
    else:
        score = next((c for c in config.score_columns if c in columns), "")
        if not score:
            raise InputFileError(
                f"{source}: missing a score column: expected one of {', '.join(config.score_columns)}; "
                "pass --score-column"
            )
    if kind == "epoch-run":
        dates: tuple[str, ...] = ("Started at",)
    elif kind == "runs-legacy":
        dates = ("started_at",)
    else:
        dates = tuple(c for c in config.date_columns if c in columns)
    layout = Layout(kind=kind, model=model, score=score, dates=tuple(c for c in dates if c in columns))
    layout.scale = spec.get("scale") or ("fraction" if score in RUN_SCORES else None)
    if layout.scale is not None and layout.scale not in FACTORS:
        raise InputFileError(f"{CONFIG_FILE}: {stem}: scale {layout.scale!r} is not one of {', '.join(FACTORS)}")
    layout.stderr = spec.get("stderr_column") or ("stderr" if "stderr" in columns and score in RUN_SCORES else None)
    layout.low, layout.high = spec.get("low_column"), spec.get("high_column")
    for col in (layout.stderr, layout.low, layout.high):
        if col and col not in columns:
            layout.notes.append(f"no {col!r} column: results imported without an interval")
    layout.stderr, layout.low, layout.high = (c if c in columns else None for c in (layout.stderr, layout.low,
                                                                                     layout.high))  # fmt: skip
    setting = spec.get("setting_column") or "Reasoning effort"
    layout.setting = setting if setting in columns else None
    if kind != "runs-legacy":
        layout.benchmark_id = benchmark or spec.get("benchmark") or _stem_benchmark(reg, stem)
        if layout.benchmark_id and layout.benchmark_id in reg.benchmarks:
            layout.unit = Unit(spec.get("unit") or reg.benchmarks[layout.benchmark_id].unit)
        elif spec.get("unit"):
            layout.unit = Unit(spec["unit"])
        layout.url = HUB_URL + stem.removesuffix("_external").replace("_", "-")
    return layout


def _stem_benchmark(reg: Registry, stem: str) -> str | None:
    name = stem.removesuffix("_external")
    for surface in (name.replace("_", " "), name.replace("_", "-")):
        entry = reg.benchmark_for(surface)
        if entry:
            return entry.id
    found = Resolver(reg).benchmark(Mention(0, len(name), name.replace("_", " "), "benchmark", None, "pattern"))
    return found.id if found.verified else None


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _guess_scale(rows: list[Record], header: list[str], layout: Layout, reg: Registry) -> str:
    """fraction if every score is within 0-1, percent if within 0-100, else raw (for % benchmarks)."""
    unit = reg.benchmarks[layout.benchmark_id].unit if layout.benchmark_id in reg.benchmarks else "%"
    if unit != "%":
        return "raw"
    index = header.index(layout.score)
    values = [v for r in rows if index < len(r.cells) and (v := _number(r.cells[index])) is not None]
    if values and all(0 <= v <= 1 for v in values):
        return "fraction"
    if values and all(0 <= v <= 100 for v in values):
        return "percent"
    return "raw"


class _Rows:
    """Turns one file's records into claims on a batch."""

    def __init__(self, reg: Registry, layout: Layout, reported: date | None, batch: Batch, stem: str) -> None:
        self.reg, self.layout, self.reported, self.batch, self.stem = reg, layout, reported, batch, stem
        self.names = ModelNames(reg, "epoch")
        self.tasks: dict[str, str] = {}
        self.config = load_config()

    def row(self, record: Record, header: list[str], text: str) -> str | None:
        """Add the record's claim to the batch, or say why it is skipped."""
        lay, report = self.layout, self.batch.report
        if len(record.cells) != len(header):
            return f"{len(record.cells)} cells, expected {len(header)} (the header's columns)"
        cells = {h: c.strip() for h, c in zip(header, record.cells, strict=True)}
        status = cells.get("Status", "").lower()
        if any(word in status for word in ("fail", "error", "cancel")):
            return f"run status {cells['Status']!r}"
        version = cells[lay.model]
        if not version:
            return f"no model in {lay.model!r}"
        value = _number(cells[lay.score]) if cells[lay.score] else None
        if value is None:
            return f"score {cells[lay.score]!r} in {lay.score!r} is not a number" if cells[lay.score] else \
                f"no score in {lay.score!r}"  # fmt: skip
        interval = self._interval(cells, value)
        if isinstance(interval, str):
            return interval
        value, low, high = interval
        release = parse_date(cells.get("Release date", "")) if cells.get("Release date") else None
        if cells.get("Release date") and release is None:
            return f"Release date {cells['Release date']!r} is not an ISO date (YYYY-MM-DD)"
        when = self._date(cells, release)
        if isinstance(when, str):
            return when
        reported, basis = when
        bench_id = self._benchmark(cells)
        base, setting = split_setting(version)
        org = organization_id(self.reg, cells.get("Organization"))
        match = self.names.resolve(base, [base], org)
        setting = "; ".join(s for s in (setting or match.mode, self._setting(cells)) if s) or None
        kind, url, doc = self._source(cells, match.organization or org, bench_id, reported)
        try:
            claim = Claim(
                document_id=doc.id,
                model_id=match.id,
                benchmark_id=bench_id,
                value=value,
                unit=lay.unit,
                value_low=low,
                value_high=high,
                metric=lay.score,
                setting=setting,
                source_kind=kind,
                source_url=url,
                reported_date=reported,
                evidence_sentence=record.raw(text),
                evidence_start=record.start,
                evidence_end=record.end,
                extractor_version=EXTRACTOR_VERSION,
            )
        except ValueError as e:
            return str(e).splitlines()[-1]
        self.batch.model(match, release)
        self.batch.document(doc)
        self.batch.claims.append(claim)
        report.benchmarks.add(bench_id)
        report.count_date(basis)
        return None

    def _interval(self, cells: dict[str, str], raw: float) -> tuple[float, float | None, float | None] | str:
        lay = self.layout
        assert lay.scale is not None
        factor = FACTORS[lay.scale]
        value = round(raw * factor, 9)
        if lay.scale == "fraction" and not 0 <= raw <= 1:
            return f"score {raw:g} in {lay.score!r} is not a fraction between 0 and 1"
        if lay.unit is Unit.PERCENT and not 0 <= value <= 100:
            return f"score {value:g}% is outside 0-100"
        if lay.unit is Unit.MINUTES and value < 0:
            return f"score {value:g} minutes is negative"
        clip: Callable[[float], float] = (lambda v: min(max(v, 0.0), 100.0)) if lay.unit is Unit.PERCENT else float
        low = high = None
        if lay.stderr and cells[lay.stderr]:
            se = _number(cells[lay.stderr])
            if se is None or se < 0:
                return f"{lay.stderr} {cells[lay.stderr]!r} is not a non-negative number"
            low, high = clip(round(value - 1.96 * se * factor, 9)), clip(round(value + 1.96 * se * factor, 9))
        elif lay.low and lay.high and cells[lay.low] and cells[lay.high]:
            lo, hi = _number(cells[lay.low]), _number(cells[lay.high])
            if lo is None or hi is None or lo > hi:
                return f"interval {cells[lay.low]!r}-{cells[lay.high]!r} ({lay.low}, {lay.high}) is not a range"
            low, high = clip(round(lo * factor, 9)), clip(round(hi * factor, 9))
        return value, low, high

    def _date(self, cells: dict[str, str], release: date | None) -> tuple[date, str] | str:
        for column in self.layout.dates:
            if cells.get(column):
                found = parse_date(cells[column])
                if found is None:
                    return f"{column} {cells[column]!r} is not an ISO date or timestamp"
                return found, column
        if self.reported is not None:
            return self.reported, "--date"
        if release is not None:
            return release, "Release date"
        return f"no date: no {' or '.join(self.layout.dates) or 'date column'}, no --date and no Release date"

    def _benchmark(self, cells: dict[str, str]) -> str:
        lay = self.layout
        if lay.benchmark_id:
            return self.batch.benchmark(lay.benchmark_id)
        if lay.kind != "runs-legacy":
            name = self.stem.removesuffix("_external").replace("_", " ")
            return self.batch.new_benchmark(name, lay.unit)
        task = cells["task"]
        if task not in self.tasks:
            known = self.config.tasks.get(task) or _stem_benchmark(self.reg, task)
            self.tasks[task] = self.batch.benchmark(known) if known else self.batch.new_benchmark(task, lay.unit)
        return self.tasks[task]

    def _setting(self, cells: dict[str, str]) -> str | None:
        column = self.layout.setting
        if not column or not cells.get(column):
            return None
        return f"reasoning effort: {cells[column]}" if column == "Reasoning effort" else cells[column]

    def _source(
        self, cells: dict[str, str], model_org: str | None, bench_id: str, reported: date
    ) -> tuple[SourceKind, str, Document]:
        lay = self.layout
        hub = lay.url or HUB_URL + bench_id
        link = cells.get("Source link", "")
        if lay.kind != "external" or not link.startswith(("http://", "https://")):
            title = f"Epoch AI Benchmarking Hub: {self._bench_name(bench_id)}"
            doc = Document(id=document_id_for_url(hub), kind=DocumentKind.DATASET, title=title, url=hub,
                           source="epoch", published=reported,
                           organization_id=self.batch.organization("epoch-ai"))  # fmt: skip
            kind = SourceKind.LEADERBOARD if _LEADERBOARD.search(cells.get("Source", "")) else SourceKind.THIRD_PARTY
            return kind, hub, doc
        source_org = organization_id(self.reg, cells.get("Source"))
        doc_id = document_id_for_url(link)
        doc = Document(id=doc_id, kind=DocumentKind.PAPER if doc_id.startswith("arxiv:") else DocumentKind.WEBPAGE,
                       title=cells.get("Source", "")[:500], url=link, source="epoch", published=reported,
                       organization_id=self.batch.organization(source_org))  # fmt: skip
        if source_org and source_org == model_org:
            kind = SourceKind.SELF_REPORTED
        elif _LEADERBOARD.search(cells.get("Source", "") + " " + link):
            kind = SourceKind.LEADERBOARD
        else:
            kind = SourceKind.THIRD_PARTY
        return kind, link, doc

    def _bench_name(self, bench_id: str) -> str:
        entry = self.reg.benchmarks.get(bench_id)
        return entry.name if entry else self.stem.removesuffix("_external").replace("_", " ")


def split_setting(version: str) -> tuple[str, str | None]:
    """``o3-2025-04-16_high`` -> (``o3-2025-04-16``, ``reasoning effort: high``); ``_16K`` is a thinking budget."""
    settings: list[str] = []
    base = version.strip()
    while match := _SUFFIX.match(base):
        base = match.group("base")
        if match.group("budget"):
            settings.insert(0, f"thinking budget: {match.group('budget').upper()}")
        else:
            settings.insert(0, f"reasoning effort: {match.group('effort').lower()}")
    return base, "; ".join(settings) or None


def summarise(reports: list[FileReport], source: str) -> dict[str, Any]:
    """The ``--json`` summary of an Epoch import: totals and one entry per file."""
    return {
        "source": source,
        "files": [r.as_dict() for r in reports],
        "rows": sum(r.rows for r in reports),
        "imported": sum(r.imported for r in reports),
        "skipped": sum(len(r.skipped) for r in reports),
        "superseded": sum(r.superseded for r in reports),
        "errors": [r.error for r in reports if r.error],
    }
