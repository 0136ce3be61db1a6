"""Curated results: the entities file and the claims CSV (``autoscope import claims``).

The CSV has exactly the columns ``model,benchmark,value,unit,date,source_url,source_kind,setting``.
Each source URL becomes a Document, each row a Claim whose evidence is the CSV line
itself. Unknown models and benchmarks become ``verified: false`` entities; bad rows
are reported with their line number and skipped, never half-written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from graph.model import Benchmark, Claim, Document, DocumentKind, Model, Node, Organization, SourceKind, Unit
from graph.schema import Label
from graph.store import GraphStore
from ingest.documents import document_id_for_url
from ingest.errors import InputFileError

CSV_COLUMNS = ("model", "benchmark", "value", "unit", "date", "source_url", "source_kind", "setting")
EXTRACTOR_VERSION = "csv-import/1"
SAMPLE_DIR = Path(__file__).parent / "data" / "sample"
SAMPLE_METR_FILE = "metr_time_horizon_1_1.yaml"
SAMPLE_METR_DATE = date(2026, 5, 6)
SAMPLE_METR_URL = "https://metr.org/assets/benchmark_results_1_1.yaml"


class Entities(BaseModel):
    """The contents of an entities YAML file (organizations, models, benchmarks)."""

    organizations: list[Organization] = []
    models: list[Model] = []
    benchmarks: list[Benchmark] = []

    def nodes(self) -> list[Node]:
        return [*self.organizations, *self.models, *self.benchmarks]


def load_entities(path: Path) -> Entities:
    """Parse and validate an entities file, naming the file and entry on error."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InputFileError(f"{path}: cannot read entities file: {e}") from e
    try:
        return Entities.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputFileError(f"{path}: invalid entry at {where}: {first['msg']}") from e


def slug(text: str) -> str:
    """A canonical id for a name: lowercase, dashes, no punctuation."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.") or "unnamed"


@dataclass
class ImportReport:
    """What an import did: counts plus every skipped line with its reason."""

    source: str
    rows: int = 0
    imported: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    new_models: set[str] = field(default_factory=set)
    new_benchmarks: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class CsvRow:
    line: int
    raw: str
    values: dict[str, str]


def read_claims_csv(text: str, source: str) -> Iterator[CsvRow]:
    """Rows of a claims CSV with their 1-based line numbers; the header must match exactly."""
    lines = text.splitlines()
    if not lines:
        raise InputFileError(f"{source}: empty file, expected the header {','.join(CSV_COLUMNS)}")
    header = [h.strip() for h in next(csv.reader([lines[0].lstrip("\ufeff")]))]
    if tuple(header) != CSV_COLUMNS:
        raise InputFileError(f"{source}: header is {','.join(header)!r}, expected exactly {','.join(CSV_COLUMNS)!r}")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    next(reader)
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        raw = lines[line - 1] if line - 1 < len(lines) else ",".join(values)
        if len(values) != len(CSV_COLUMNS):
            yield CsvRow(line, raw, {"_error": f"{len(values)} columns, expected {len(CSV_COLUMNS)}"})
            continue
        yield CsvRow(line, raw, {k: v.strip() for k, v in zip(CSV_COLUMNS, values, strict=True)})


class Resolver:
    """Maps model/benchmark names in rows to graph ids, creating unverified entities for unknown ones."""

    def __init__(self, store: GraphStore, entities: Entities | None = None) -> None:
        self._store = store
        self._known: dict[Label, dict[str, str]] = {Label.MODEL: {}, Label.BENCHMARK: {}}
        self._orgs: dict[str, str | None] = {}
        self.pending: list[Node] = []
        if entities:
            for m in entities.models:
                self._remember(Label.MODEL, m.id, [m.name, *m.aliases])
                self._orgs[m.id] = m.organization_id
            for b in entities.benchmarks:
                self._remember(Label.BENCHMARK, b.id, [b.name, *b.aliases])

    def _remember(self, label: Label, node_id: str, names: Iterable[str]) -> None:
        table = self._known[label]
        for name in (node_id, *names):
            table.setdefault(name.lower(), node_id)
            table.setdefault(slug(name), node_id)

    def resolve(self, label: Label, name: str) -> tuple[str, bool]:
        """The id for ``name`` and whether it is new (unverified)."""
        table = self._known[label]
        hit = table.get(name.lower()) or table.get(slug(name))
        if hit:
            return hit, False
        node_id = slug(name)
        existing = self._store.get(label, node_id)
        if existing is not None:
            self._remember(label, node_id, [name])
            if isinstance(existing, Model):
                self._orgs[node_id] = existing.organization_id
            return node_id, False
        node: Node = (
            Model(id=node_id, name=name, verified=False)
            if label is Label.MODEL
            else Benchmark(id=node_id, name=name, verified=False)
        )
        self.pending.append(node)
        self._remember(label, node_id, [name])
        return node_id, True

    def organization_of(self, model_id: str) -> str | None:
        return self._orgs.get(model_id)


def _parse_row(row: CsvRow, resolver: Resolver, report: ImportReport) -> tuple[Document, Claim] | str:
    v = row.values
    if "_error" in v:
        return v["_error"]
    if not v["model"] or not v["benchmark"]:
        return "model and benchmark must not be empty"
    try:
        value = float(v["value"])
    except ValueError:
        return f"value {v['value']!r} is not a number"
    try:
        reported = date.fromisoformat(v["date"])
    except ValueError:
        return f"date {v['date']!r} is not an ISO date (YYYY-MM-DD)"
    if v["unit"] not in {u.value for u in Unit}:
        return f"unit {v['unit']!r} is not one of {', '.join(u.value for u in Unit)}"
    if v["source_kind"] not in {k.value for k in SourceKind}:
        return f"source_kind {v['source_kind']!r} is not one of {', '.join(k.value for k in SourceKind)}"
    url = v["source_url"]
    if not url.startswith(("http://", "https://")):
        return f"source_url {url!r} is not an http(s) URL"
    kind = SourceKind(v["source_kind"])
    model_id, new_model = resolver.resolve(Label.MODEL, v["model"])
    bench_id, new_bench = resolver.resolve(Label.BENCHMARK, v["benchmark"])
    if new_model:
        report.new_models.add(model_id)
    if new_bench:
        report.new_benchmarks.add(bench_id)
    doc_id = document_id_for_url(url)
    doc = Document(
        id=doc_id,
        kind=DocumentKind.PAPER if doc_id.startswith("arxiv:") else DocumentKind.WEBPAGE,
        url=url,
        source="curated",
        published=reported,
        organization_id=resolver.organization_of(model_id) if kind is SourceKind.SELF_REPORTED else None,
    )
    try:
        claim = Claim(
            document_id=doc_id,
            model_id=model_id,
            benchmark_id=bench_id,
            value=value,
            unit=Unit(v["unit"]),
            setting=v["setting"] or None,
            source_kind=kind,
            source_url=url,
            reported_date=reported,
            evidence_sentence=row.raw,
            evidence_start=0,
            evidence_end=len(row.raw),
            extractor_version=EXTRACTOR_VERSION,
        )
    except ValidationError as e:
        return "; ".join(str(err["msg"]) for err in e.errors())
    return doc, claim


def import_claims_text(
    store: GraphStore, text: str, source: str, entities: Entities | None = None, batch_size: int = 2000
) -> ImportReport:
    """Import a claims CSV (already read) into the store, in batches; see the module doc."""
    report = ImportReport(source=source)
    resolver = Resolver(store, entities)
    docs: dict[str, Document] = {}
    claims: list[Claim] = []

    def flush() -> None:
        store.upsert([*resolver.pending, *_merge_docs(store, docs.values()), *claims])
        report.imported += len(claims)
        resolver.pending.clear()
        docs.clear()
        claims.clear()

    for row in read_claims_csv(text, source):
        report.rows += 1
        parsed = _parse_row(row, resolver, report)
        if isinstance(parsed, str):
            report.skipped.append((row.line, parsed))
            continue
        doc, claim = parsed
        docs[doc.id] = _earliest(docs.get(doc.id), doc)
        report.documents.add(doc.id)
        claims.append(claim)
        if len(claims) >= batch_size:
            flush()
    if claims or resolver.pending:
        flush()
    return report


def _earliest(current: Document | None, new: Document) -> Document:
    if current is None:
        return new
    dates = [d for d in (current.published, new.published) if d]
    return current.model_copy(
        update={
            "published": min(dates) if dates else None,
            "organization_id": current.organization_id or new.organization_id,
        }
    )


def _merge_docs(store: GraphStore, docs: Iterable[Document]) -> list[Document]:
    """Keep what an earlier import learned about a document (earliest date, publisher)."""
    out = []
    for doc in docs:
        old = store.get(Label.DOCUMENT, doc.id)
        out.append(_earliest(old, doc) if isinstance(old, Document) and old.kind == doc.kind else doc)
    return out


def import_claims_file(
    store: GraphStore, path: Path, entities: Entities | None = None, batch_size: int = 2000
) -> ImportReport:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{path}: not UTF-8 text (byte {e.start}): save the CSV as UTF-8") from e
    except OSError as e:
        raise InputFileError(f"{path}: cannot read: {e.strerror or e}") from e
    return import_claims_text(store, text, str(path), entities, batch_size)


def load_sample(store: GraphStore, batch_size: int = 2000, sample_dir: Path = SAMPLE_DIR) -> ImportReport:
    """Load the bundled sample (entities, claims, then METR's results file); idempotent.

    The report counts the METR file's entries as rows and its claims as imported.
    """
    from ingest.evaluators.metr import import_metr_file

    entities = load_entities(sample_dir / "entities.yaml")
    store.upsert(entities.nodes())
    report = import_claims_file(store, sample_dir / "claims.csv", entities, batch_size)
    metr_file = sample_dir / SAMPLE_METR_FILE
    if metr_file.exists():
        metr = import_metr_file(store, metr_file, reported=SAMPLE_METR_DATE, url=SAMPLE_METR_URL)
        report.rows += metr.rows
        report.imported += metr.imported
        report.skipped += [(line, f"{metr_file.name}: {reason}") for line, reason in metr.skipped]
        report.new_models |= metr.new_models
        report.new_benchmarks |= metr.new_benchmarks
        report.documents |= metr.documents
    return report


def summarise(report: ImportReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "rows": report.rows,
        "imported": report.imported,
        "skipped": len(report.skipped),
        "documents": len(report.documents),
        "new_models": sorted(report.new_models),
        "new_benchmarks": sorted(report.new_benchmarks),
    }


def format_skips(skipped: Sequence[tuple[int, str]], source: str) -> list[str]:
    return [f"{source}:{line}: skipped: {reason}" for line, reason in skipped]
