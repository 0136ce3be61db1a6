"""What the evaluator importers share: reports, model names against the registries, one atomic write per file.

Evaluators write model names their own way (``gpt_5_2025_08_07_inspect``, ``o3-2025-04-16_high``).
:class:`ModelNames` maps them to registry ids with rules only (an overrides file, exact aliases,
then the rule-based resolver of ``ingest.nlp.resolve``); what stays unknown becomes an unverified
model. :class:`Batch` collects every node one file produces, so the file is written by a single
``store.upsert`` call (atomic on both stores) or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from graph.model import Benchmark, Claim, Document, Model, Node, Organization, Unit
from graph.schema import Label
from graph.store import ClaimQuery, GraphStore, iter_claims
from ingest.errors import InputFileError
from ingest.nlp.mentions import Mention
from ingest.nlp.registry import DATA_DIR, Registry, norm
from ingest.nlp.resolve import Resolver

NAMES_FILE = DATA_DIR / "evaluator_names.yaml"


@dataclass
class FileReport:
    """What importing one evaluator file did: counts, every skipped entry with its line, and how dates were chosen."""

    source: str
    layout: str
    rows: int = 0
    imported: int = 0
    superseded: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    benchmarks: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    new_models: set[str] = field(default_factory=set)
    new_benchmarks: set[str] = field(default_factory=set)
    dates: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def count_date(self, basis: str, n: int = 1) -> None:
        self.dates[basis] = self.dates.get(basis, 0) + n

    def skip_lines(self) -> list[str]:
        """``FILE:LINE: skipped: reason``, as ``autoscope import claims`` reports bad rows."""
        return [f"{self.source}:{line}: skipped: {reason}" for line, reason in self.skipped]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "layout": self.layout,
            "benchmarks": sorted(self.benchmarks),
            "rows": self.rows,
            "imported": self.imported,
            "skipped": len(self.skipped),
            "superseded": self.superseded,
            "documents": len(self.documents),
            "new_models": sorted(self.new_models),
            "new_benchmarks": sorted(self.new_benchmarks),
            "dates": dict(sorted(self.dates.items())),
            "notes": list(self.notes),
            "error": self.error,
        }


def read_text(path: Path) -> tuple[str, date]:
    """A file's text (UTF-8) and its modification date (UTC)."""
    try:
        raw = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
    except OSError as e:
        raise InputFileError(f"{path}: cannot read: {e.strerror or e}") from e
    return decode(raw, str(path)), mtime


def decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{source}: not UTF-8 text (byte {e.start})") from e


def parse_date(value: object) -> date | None:
    """A calendar date from a YAML date, a datetime, or an ISO string (date or timestamp); None if it is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace(" UTC", "+00:00")).date()
    except ValueError:
        return None


def slug_id(name: str) -> str:
    """A registry-style id for a new entity: ``GPT-5.4`` -> ``gpt-5-4``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed"


@cache
def evaluator_names(path: Path = NAMES_FILE) -> tuple[dict[str, tuple[str, ...]], dict[str, dict[str, str]]]:
    """Harness suffixes and model-key overrides per evaluator, from ``ingest/data/evaluator_names.yaml``."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        suffixes = {str(k): tuple(str(s) for s in v or ()) for k, v in (raw.get("harness_suffixes") or {}).items()}
        models = {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in (raw.get("models") or {}).items()}
    except (OSError, yaml.YAMLError, AttributeError, TypeError) as e:
        raise InputFileError(f"{path}: cannot read evaluator names: {e}") from e
    return suffixes, models


@dataclass(frozen=True)
class ModelMatch:
    """An evaluator's model name resolved: a registry id (verified) or a new unverified model."""

    id: str
    name: str
    verified: bool
    organization: str | None
    how: str  # override | alias | rules | new
    mode: str | None = None


class ModelNames:
    """Resolves evaluator model names against the registry, rules only (no embedding model)."""

    def __init__(self, registry: Registry, evaluator: str, names_file: Path = NAMES_FILE) -> None:
        suffixes, overrides = evaluator_names(names_file)
        self.registry = registry
        self.suffixes = suffixes.get(evaluator, ())
        self.overrides = {norm(k): v for k, v in overrides.get(evaluator, {}).items()}
        bad = sorted(v for v in self.overrides.values() if v not in registry.models)
        if bad:
            raise InputFileError(f"{names_file}: {evaluator}: not registry model ids: {', '.join(bad)}")
        self._resolver = Resolver(registry)
        self._families = [
            (fam.id, fam.organization, [re.compile(p.pattern, re.I) for p in fam.patterns])
            for fam in registry.families.values()
        ]
        self._cache: dict[str, ModelMatch] = {}

    def strip_harness(self, key: str) -> str:
        for suffix in self.suffixes:
            if key.lower().endswith("_" + suffix.lower()):
                return key[: -len(suffix) - 1]
        return key

    def resolve(self, key: str, surfaces: Sequence[str], organization: str | None = None) -> ModelMatch:
        """The model for ``key``; ``surfaces`` are readings of it to try, the first also names a new model."""
        if key not in self._cache:
            self._cache[key] = self._resolve(key, surfaces, organization)
        return self._cache[key]

    def _resolve(self, key: str, surfaces: Sequence[str], organization: str | None) -> ModelMatch:
        reg = self.registry
        for candidate in (key, *surfaces):
            hit = self.overrides.get(norm(candidate))
            if hit:
                return self._known(hit, "override")
        for surface in surfaces:
            entry = reg.model_for(surface)
            if entry:
                return self._known(entry.id, "alias")
        family, family_org = self._family(surfaces)
        for surface in surfaces:
            found = self._resolver.model(Mention(0, len(surface), surface, "model", None, "pattern", family))
            if found.verified and found.id:
                return self._known(found.id, "rules", found.mode)
        name = surfaces[0] if surfaces else key
        return ModelMatch(slug_id(name), name, False, organization or family_org, "new")

    def _known(self, model_id: str, how: str, mode: str | None = None) -> ModelMatch:
        entry = self.registry.models[model_id]
        return ModelMatch(entry.id, entry.name, True, entry.organization, how, mode)

    def _family(self, surfaces: Sequence[str]) -> tuple[str | None, str | None]:
        for surface in surfaces:
            for fam_id, org, patterns in self._families:
                if any(p.match(surface) for p in patterns):
                    return fam_id, org
        return None, None


def organization_id(registry: Registry, text: str | None) -> str | None:
    """The registry organisation a free-text name refers to (``OpenAI``, ``Google DeepMind,Google``)."""
    if not text or not text.strip():
        return None
    for part in (text, *re.split(r"[,;/]", text)):
        if part.strip().lower() in registry.organizations:
            return part.strip().lower()
        found = registry.org_aliases.get(norm(part))
        if found:
            return found
    return None


class Batch:
    """Everything one file adds to the graph, written by :meth:`commit` in one atomic upsert."""

    def __init__(self, store: GraphStore, registry: Registry, report: FileReport) -> None:
        self.store = store
        self.registry = registry
        self.report = report
        self.nodes: dict[tuple[Label, str], Node] = {}
        self.documents: dict[str, Document] = {}
        self.claims: list[Claim] = []
        self._in_store: dict[tuple[Label, str], bool] = {}

    def exists(self, label: Label, node_id: str) -> bool:
        key = (label, node_id)
        if key in self.nodes:
            return True
        if key not in self._in_store:
            self._in_store[key] = self.store.get(label, node_id) is not None
        return self._in_store[key]

    def _add(self, node: Node) -> None:
        self.nodes[(Label(node.label), node.id)] = node

    def organization(self, org_id: str | None) -> str | None:
        """``org_id`` if it exists or the registry knows it (then it is added), else None."""
        if not org_id:
            return None
        if self.exists(Label.ORGANIZATION, org_id):
            return org_id
        name = self.registry.organizations.get(org_id)
        if name is None:
            return None
        self._add(Organization(id=org_id, name=name))
        return org_id

    def model(self, match: ModelMatch, release_date: date | None = None) -> str:
        """The graph id for a resolved model, adding the registry's entry or a new unverified model if missing."""
        if self.exists(Label.MODEL, match.id):
            return match.id
        entry = self.registry.models.get(match.id) if match.verified else None
        if entry is not None:
            self._add(
                Model(id=entry.id, name=entry.name, aliases=list(entry.aliases),
                      organization_id=self.organization(entry.organization), release_date=entry.release_date,
                      open_weights=entry.open_weights)
            )  # fmt: skip
        else:
            self._add(
                Model(id=match.id, name=match.name, organization_id=self.organization(match.organization),
                      release_date=release_date, verified=False)
            )  # fmt: skip
            self.report.new_models.add(match.id)
        return match.id

    def benchmark(self, bench_id: str) -> str:
        """A registry benchmark (and its parents), added if missing."""
        entry = self.registry.benchmarks.get(bench_id)
        if entry is None or self.exists(Label.BENCHMARK, bench_id):
            return bench_id
        if entry.variant_of and entry.variant_of in self.registry.benchmarks:
            self.benchmark(entry.variant_of)
        self._add(
            Benchmark(id=entry.id, name=entry.name, aliases=list(entry.aliases), variant_of=entry.variant_of,
                      unit=Unit(entry.unit), ceiling=entry.ceiling, human_baseline=entry.human_baseline,
                      item_count=entry.item_count, capabilities=list(entry.capabilities))
        )  # fmt: skip
        return bench_id

    def new_benchmark(self, name: str, unit: Unit) -> str:
        """An unverified benchmark for a name the registry does not know."""
        bench_id = slug_id(name)
        if not self.exists(Label.BENCHMARK, bench_id):
            self._add(Benchmark(id=bench_id, name=name, unit=unit, verified=False))
            self.report.new_benchmarks.add(bench_id)
        return bench_id

    def document(self, doc: Document) -> None:
        """Add a document; repeated ones keep the earliest publication date."""
        old = self.documents.get(doc.id)
        if old is not None and old.published and (doc.published is None or old.published <= doc.published):
            return
        self.documents[doc.id] = doc

    def commit(self, revises_domain: str | None = None) -> None:
        """Write the batch in one upsert, then supersede this source's earlier numbers that it now restates.

        With ``revises_domain`` (an evaluator's site, e.g. ``metr.org``), the evaluator's earlier
        figures for the same model, benchmark and setting published elsewhere on that site (a blog
        post before the results file) are superseded too: its newer release revises them.
        """
        claims = _dedupe(self.claims)
        docs = _merge_documents(self.store, self.documents.values())
        existing = {
            c.id: c for doc_id in self.documents if self.exists(Label.DOCUMENT, doc_id)
            for c in _claims_of(self.store, doc_id)
        }  # fmt: skip
        claims = [_keep_first_report(c, existing.get(c.id)) for c in claims]
        if not claims:
            self.report.new_models.clear()
            self.report.new_benchmarks.clear()
            return
        self.store.upsert([*self.nodes.values(), *docs, *claims])
        self.report.imported += len(claims)
        self.report.documents.update(self.documents)
        self.report.superseded += _supersede(self.store, existing.values(), claims)
        if revises_domain:
            self.report.superseded += _supersede_earlier_releases(self.store, claims, revises_domain)


def _merge_documents(store: GraphStore, docs: Iterable[Document]) -> list[Document]:
    """A stored document keeps what it has (title, authors, earliest date); one of another kind is left alone."""
    out = []
    for doc in docs:
        old = store.get(Label.DOCUMENT, doc.id)
        if not isinstance(old, Document):
            out.append(doc)
        elif old.kind == doc.kind:
            dates = [d for d in (old.published, doc.published) if d]
            out.append(
                old.model_copy(
                    update={
                        "published": min(dates) if dates else None,
                        "organization_id": old.organization_id or doc.organization_id,
                    }
                )
            )
    return out


def _claims_of(store: GraphStore, document_id: str) -> list[Claim]:
    return list(iter_claims(store, ClaimQuery(document_id=document_id)))


def _dedupe(claims: Iterable[Claim]) -> list[Claim]:
    """One claim per id (identical content), keeping its earliest report date."""
    out: dict[str, Claim] = {}
    for claim in claims:
        out[claim.id] = _keep_first_report(claim, out.get(claim.id))
    return list(out.values())


def _keep_first_report(claim: Claim, earlier: Claim | None) -> Claim:
    """Re-importing an updated file must not move an unchanged result's report date (valid time)."""
    if earlier is None or earlier.reported_date >= claim.reported_date:
        return claim
    return claim.model_copy(update={"reported_date": earlier.reported_date})


def _supersede(store: GraphStore, old: Iterable[Claim], new: Sequence[Claim]) -> int:
    """An earlier claim of the same source, model, benchmark, metric and setting is replaced by the new number."""
    latest: dict[tuple[str, str, str, str | None, str | None], Claim] = {}
    for claim in new:
        latest[_restates(claim)] = claim
    new_ids = {c.id for c in new}
    count = 0
    for claim in old:
        successor = latest.get(_restates(claim))
        if claim.id not in new_ids and successor is not None:
            count += store.supersede([claim.id], successor.id)
    return count


def _supersede_earlier_releases(store: GraphStore, new: Sequence[Claim], domain: str) -> int:
    """The evaluator's current claims from its other pages that the new release restates (same setting)."""
    latest: dict[tuple[str, str, str | None], Claim] = {
        (c.model_id, c.benchmark_id, c.setting): c for c in new if c.setting
    }
    new_ids = {c.id for c in new}
    count = 0
    for bench_id, setting in sorted({(c.benchmark_id, c.setting) for c in new if c.setting}):
        for old in list(iter_claims(store, ClaimQuery(benchmark_id=bench_id, setting=setting))):
            successor = latest.get((old.model_id, old.benchmark_id, old.setting))
            if (
                successor is None
                or old.id in new_ids
                or old.document_id == successor.document_id
                or old.reported_date > successor.reported_date
                or not on_domain(old.source_url, domain)
            ):
                continue
            count += store.supersede([old.id], successor.id)
    return count


def on_domain(url: str | None, domain: str) -> bool:
    host = (urlsplit(url).hostname or "") if url else ""
    return host == domain or host.endswith("." + domain)


def _restates(claim: Claim) -> tuple[str, str, str, str | None, str | None]:
    return (claim.document_id, claim.model_id, claim.benchmark_id, claim.metric, claim.setting)


def known_benchmark(registry: Registry, store: GraphStore, name: str) -> str:
    """``--benchmark``: a registry id or alias, or a benchmark already in the graph."""
    if name in registry.benchmarks:
        return name
    entry = registry.benchmark_for(name)
    if entry is not None:
        return entry.id
    if store.get(Label.BENCHMARK, name) is not None:
        return name
    raise InputFileError(f"unknown benchmark {name!r}: give a registry id (e.g. swe-bench-verified) or alias")
