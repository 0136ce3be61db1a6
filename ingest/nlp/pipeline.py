"""The extraction pipeline: ``spacy.blank("en")`` plus our components, assembled from config.cfg.

Components (registered with ``@Language.factory``): ``autoscope_sentences`` (segmentation),
``autoscope_mentions`` (benchmarks, models, scaffolds), ``autoscope_quantities``,
``autoscope_claims`` (linking in prose and tables, resolution, settings, provenance) and
``autoscope_events`` (milestones and automation signals). Results live on ``doc._``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.attrs import SENT_START  # type: ignore[import-not-found]
from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.documents import Table
from ingest.nlp.events import SignalScorer, find_milestones
from ingest.nlp.linking import Context, Link, conditions_in, link_sentence
from ingest.nlp.mentions import Mention, find_mentions
from ingest.nlp.quantities import Quantity, find_quantities
from ingest.nlp.registry import BenchmarkEntry, Registry, default_registry, load_registry, norm
from ingest.nlp.resolve import Embed, Resolved, Resolver
from ingest.nlp.segment import is_table_line, split_sentences
from ingest.nlp.tables import Caption, Cell, TableLink, render_table, table_blocks, table_links

CONFIG = Path(__file__).with_name("config.cfg")
EXTRACTOR_VERSION = "nlp/1.0.0"
_METRIC = re.compile(
    r"\b(accuracy|resolve\s+rate|success\s+rate|pass\s+rate|solve\s+rate|exact\s+match|win\s+rate|f1|elo|"
    r"time\s+horizon|speed-?up)\b",
    re.I,
)

for _name in ("meta", "mentions", "quantities", "claims", "milestones", "signals", "sentences", "text"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@dataclass
class ExtractedClaim:
    model: str
    model_id: str | None
    model_verified: bool
    benchmark: str
    benchmark_id: str | None
    benchmark_verified: bool
    benchmark_parent: str | None
    value: float
    unit: str
    metric: str | None
    setting: str | None
    self_reported: bool | None
    confidence: float
    needs_review: bool
    sentence: str
    start: int
    end: int
    rule: str
    organization: str | None = None

    def contract(self) -> dict[str, Any]:
        """The claim object of the ``autoscope extract`` command-line contract."""
        return {
            "model": self.model,
            "benchmark": self.benchmark,
            "value": self.value,
            "unit": self.unit,
            "metric": self.metric,
            "setting": self.setting,
            "self_reported": self.self_reported,
            "confidence": round(self.confidence, 3),
            "needs_review": self.needs_review,
            "evidence": {"sentence": self.sentence, "start": self.start, "end": self.end},
        }


@dataclass
class ExtractedMilestone:
    kind: str
    model: str | None
    benchmark: str | None
    threshold: float | None
    sentence: str
    start: int
    end: int
    claims: list[int] = field(default_factory=list)

    def contract(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model": self.model,
            "benchmark": self.benchmark,
            "threshold": self.threshold,
            "claims": self.claims,
            "evidence": {"sentence": self.sentence, "start": self.start, "end": self.end},
        }


@dataclass
class ExtractedSignal:
    kind: str
    score: float
    sentence: str
    start: int
    end: int
    details: dict[str, Any] = field(default_factory=dict)

    def contract(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "score": self.score,
            **self.details,
            "evidence": {"sentence": self.sentence, "start": self.start, "end": self.end},
        }


EMBED_CACHE_SIZE = 50_000


@cache
def shared_embedder(model_name: str) -> Embed:
    """One embedding model per process, loaded on first use; L2-normalised vectors, cached by text."""
    from ingest.embeddings import load_embedding_model

    model = load_embedding_model(model_name)
    memo: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(texts: Iterable[str]) -> np.ndarray:
        items = list(texts)
        missing = list(dict.fromkeys(t for t in items if t not in memo))
        if missing:
            vectors = model.encode(missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
            for text, vector in zip(missing, np.asarray(vectors, dtype=np.float32), strict=True):
                memo[text] = vector
                if len(memo) > EMBED_CACHE_SIZE:
                    memo.popitem(last=False)
        dim = 384
        if not items:
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([memo[t] if t in memo else _encode_one(model, t) for t in items])

    return embed


def _encode_one(model: Any, text: str) -> np.ndarray:
    return np.asarray(model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0], dtype=np.float32)


def _text(doc: Doc) -> str:
    """The document's text, computed once (``Doc.text`` joins every token on each access)."""
    if doc._.text is None:
        doc._.text = doc.text
    text: str = doc._.text
    return text


@cache
def _registry(path: str | None) -> Registry:
    return default_registry() if path is None else load_registry(Path(path))


# ---------------------------------------------------------------------------------------------
@Language.factory("autoscope_sentences")
def make_sentences(nlp: Language, name: str) -> SentenceSegmenter:
    return SentenceSegmenter()


class SentenceSegmenter:
    """Sets sentence starts from our rules (see segment.py)."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.text = doc.text  # Doc.text rebuilds the string on every access
        spans = split_sentences(doc._.text)
        doc._.sentences = spans
        if len(doc):
            starts = {s for s, _ in spans}
            flags = np.array([[1 if t.i == 0 or t.idx in starts else -1] for t in doc], dtype="int64")
            doc.from_array([SENT_START], flags.view("uint64"))  # type: ignore[arg-type]
        return doc


@Language.factory("autoscope_mentions", default_config={"registry_dir": None})
def make_mentions(nlp: Language, name: str, registry_dir: str | None) -> MentionFinder:
    return MentionFinder(_registry(registry_dir))


class MentionFinder:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def __call__(self, doc: Doc) -> Doc:
        mentions = find_mentions(_text(doc), self.registry)
        doc._.mentions = mentions
        if mentions:
            starts = [t.idx for t in doc]
            spans = []
            for m in mentions:
                first = max(bisect_right(starts, m.start) - 1, 0)
                last = max(bisect_left(starts, m.end), first + 1)
                spans.append(Span(doc, first, last, label=m.kind))
            doc.spans["mentions"] = spans
        return doc


@Language.factory("autoscope_quantities")
def make_quantities(nlp: Language, name: str) -> QuantityFinder:
    return QuantityFinder()


class QuantityFinder:
    def __call__(self, doc: Doc) -> Doc:
        skip = [(m.start, m.end) for m in doc._.mentions or []]
        doc._.quantities = find_quantities(_text(doc), skip)
        return doc


@Language.factory(
    "autoscope_claims",
    default_config={
        "registry_dir": None,
        "review_threshold": 0.7,
        "min_confidence": 0.62,
        "use_embeddings": True,
        "embedding_model": "all-MiniLM-L6-v2",
    },
)
def make_claims(
    nlp: Language,
    name: str,
    registry_dir: str | None,
    review_threshold: float,
    min_confidence: float,
    use_embeddings: bool,
    embedding_model: str,
) -> ClaimLinker:
    embed = shared_embedder(embedding_model) if use_embeddings else None
    return ClaimLinker(_registry(registry_dir), embed, review_threshold, min_confidence)


class ClaimLinker:
    """Links scores to models and benchmarks, in prose and in tables, and resolves them."""

    def __init__(self, registry: Registry, embed: Embed | None, review_threshold: float, min_confidence: float) -> None:
        self.registry = registry
        self.resolver = Resolver(registry, embed)
        self.review_threshold = review_threshold
        self.min_confidence = min_confidence

    def __call__(self, doc: Doc) -> Doc:
        text = _text(doc)
        meta: dict[str, Any] = doc._.meta or {}
        mentions: list[Mention] = doc._.mentions or []
        quantities: list[Quantity] = doc._.quantities or []
        ctx = Context()
        claims: list[ExtractedClaim] = []
        sentences: list[tuple[int, int]] = doc._.sentences or split_sentences(text)
        for start, end in sentences:
            if is_table_line(text[start:end]):
                continue
            inside_m = [m for m in mentions if start <= m.start and m.end <= end]
            inside_q = [q for q in quantities if start <= q.start and q.end <= end]
            for link in link_sentence(text, (start, end), inside_m, inside_q, ctx):
                claim = self._from_link(text, link, (start, end), ctx, meta)
                if claim is not None:
                    claims.append(claim)
        for rows in table_blocks(text, sentences):
            caption = self._caption(text, rows[0].start, mentions, rows[-1].end)
            notes = _footnotes(text, rows[-1].end)
            for tl in table_links(rows, lambda cell: self._cell_mentions(cell, mentions), caption, notes):
                claim = self._from_table(text, tl, ctx, meta)
                if claim is not None:
                    claims.append(claim)
        doc._.claims = _dedupe(claims)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Batch entity resolution across documents (one embedding call per batch)."""
        for batch in spacy.util.minibatch(docs, size=batch_size):
            self.resolver.prime([m for doc in batch for m in (doc._.mentions or []) if m.entity_id is None])
            yield from (self(doc) for doc in batch)

    def _cell_mentions(self, cell: Cell, mentions: list[Mention]) -> list[Mention]:
        return [m for m in mentions if cell.start <= m.start and m.end <= cell.end]

    def _caption(self, text: str, table_start: int, mentions: list[Mention], table_end: int) -> Caption:
        """What the line above a table (or, failing that, just below it) names: a benchmark, a model, conditions."""
        before = text[max(0, table_start - 400) : table_start]
        stripped = before.rstrip()
        line_start = table_start - len(before) + stripped.rfind("\n") + 1
        inside = [m for m in mentions if line_start <= m.start < table_start]
        benches = [m for m in inside if m.kind == "benchmark"]
        models = [m for m in inside if m.kind == "model"]
        line = text[line_start:table_start]
        if not benches:
            named = re.match(
                r"\s*(?:Table\s+\d+[.:]\s*)?(?P<name>[A-Z][A-Za-z0-9]*(?:[A-Z][A-Za-z0-9]*|-[A-Za-z0-9]+)+)\b", line
            )
            if named and re.search(r"[a-z][A-Z]|-|Bench|Eval|Arena|QA", named.group("name")):
                start = line_start + named.start("name")
                benches = [Mention(start, start + len(named.group("name")), named.group("name"), "benchmark", None,
                                   "pattern")]  # fmt: skip
        if not benches:
            below = text[table_end : table_end + 200].strip().split("\n")[0]
            below_start = table_end + text[table_end : table_end + 200].find(below) if below else table_end
            benches = [
                m for m in mentions if m.kind == "benchmark" and below_start <= m.start < below_start + len(below)
            ]
        return Caption(
            benches[0] if len({b.entity_id or b.text for b in benches}) == 1 else None,
            models[0] if len({m.entity_id or m.text for m in models}) == 1 else None,
            "; ".join(conditions_in(line)),
        )

    def _finish(
        self,
        model: Mention,
        bench: Mention,
        value: float,
        unit: str | None,
        bare: bool,
        setting: str | None,
        confidence: float,
        sentence: tuple[str, int, int],
        rule: str,
        ctx: Context,
        meta: dict[str, Any],
        metric: str | None,
    ) -> ExtractedClaim | None:
        rb, rm = self.resolver.benchmark(bench), self.resolver.model(model)
        entry = self._bench_entry(rb)
        final = _unit(value, unit, bare, entry)
        if final is None:
            return None
        value, unit_out = final
        if not rb.verified:
            topic = ctx.topic_benchmark is not None and norm(ctx.topic_benchmark.text) == norm(bench.text)
            confidence -= 0.04 if topic else 0.12
        if not rm.verified:
            confidence -= 0.04 if ctx.subject is not None and norm(ctx.subject.text) == norm(model.text) else 0.08
        if confidence < self.min_confidence:
            return None
        reported = _self_reported(rm, meta, ctx, model, self.registry)
        if rm.mode and rm.mode not in (setting or ""):
            setting = "; ".join(filter(None, [rm.mode, setting]))
        text, start, end = sentence
        return ExtractedClaim(
            model=rm.name,
            model_id=rm.id,
            model_verified=rm.verified,
            benchmark=rb.name,
            benchmark_id=rb.id,
            benchmark_verified=rb.verified,
            benchmark_parent=rb.parent,
            value=value,
            unit=unit_out,
            metric=metric,
            setting=setting,
            self_reported=reported,
            confidence=round(confidence, 3),
            needs_review=confidence < self.review_threshold,
            sentence=text,
            start=start,
            end=end,
            rule=rule,
            organization=rm.organization,
        )

    def _bench_entry(self, rb: Resolved) -> BenchmarkEntry | None:
        reg = self.registry
        return reg.benchmarks.get(rb.id or "") or reg.benchmarks.get(rb.parent or "")

    def _from_link(
        self, text: str, link: Link, span: tuple[int, int], ctx: Context, meta: dict[str, Any]
    ) -> ExtractedClaim | None:
        q = link.quantity
        confidence = link.confidence - (0.05 if q.approx else 0.0) - (0.04 if q.unit is None else 0.0)
        window = text[max(span[0], q.start - 60) : min(span[1], q.end + 60)]
        metric = _METRIC.search(window)
        return self._finish(
            link.model, link.benchmark, q.value, q.unit, q.unit is None, link.setting, confidence,
            (text[span[0] : span[1]], span[0], span[1]), link.rule, ctx, meta,
            metric.group(1).lower() if metric else None,
        )  # fmt: skip

    def _from_table(self, text: str, tl: TableLink, ctx: Context, meta: dict[str, Any]) -> ExtractedClaim | None:
        row = tl.row
        return self._finish(
            tl.model, tl.benchmark, tl.value, tl.unit, tl.unit is None, tl.setting, tl.confidence,
            (text[row.start : row.end], row.start, row.end), "table", ctx, meta, None,
        )  # fmt: skip


def _footnotes(text: str, table_end: int) -> dict[str, str]:
    """Footnote markers defined just below a table ("* With parallel test-time compute.")."""
    notes: dict[str, str] = {}
    for m in re.finditer(r"^\s*\\?([*†‡§¹²³⁴]+|\[\d\]|\d\))\s*(.+)$", text[table_end : table_end + 800], re.M):
        notes.setdefault(m.group(1).replace("\\", ""), m.group(2).strip())
    return notes


def _unit(value: float, unit: str | None, bare: bool, entry: BenchmarkEntry | None) -> tuple[float, str] | None:
    """The claim's unit given the quantity and the benchmark's registered unit; None when they clash."""
    expected = entry.unit if entry else None
    if unit == "minutes":
        if expected == "hours":
            return round(value / 60, 4), "hours"
        return (value, "minutes") if expected in ("minutes", None) else None
    if expected in ("minutes", "hours"):
        return None
    if unit == "%":
        if expected in ("elo", "x", "$"):
            return None
        ceiling = entry.ceiling if entry and entry.ceiling else 100.0
        return (value, "%") if 0 <= value <= max(ceiling, 100.0) else None
    if unit in ("x", "$"):
        speedup = unit == "x" and entry is not None and "kernel-optimisation" in entry.capabilities
        return (value, unit) if expected in (unit, None) or speedup else None
    if bare:
        if expected == "%":
            return (value, "%") if 0 <= value <= 100 and not (value <= 1 and "." in str(value)) else None
        if expected in ("elo", "points", "score", "tasks", "x", "$"):
            return value, expected
        return value, "score"
    return None


def _self_reported(rm: Resolved, meta: dict[str, Any], ctx: Context, model: Mention, registry: Registry) -> bool | None:
    """Whether the source is the model's own developer: the publisher's id, else a first-person text's subject."""
    publisher = meta.get("publisher")
    if not publisher and ctx.first_person and ctx.subject is not None:
        subject = registry.model_for(ctx.subject.text)
        publisher = subject.organization if subject else None
        if publisher is None:
            return norm(ctx.subject.text) == norm(model.text) or None
    if not publisher:
        return None
    if rm.organization:
        return rm.organization == publisher
    return None


def _dedupe(claims: list[ExtractedClaim]) -> list[ExtractedClaim]:
    best: dict[tuple[str, str, float, str | None], ExtractedClaim] = {}
    for c in claims:
        key = (norm(c.model), norm(c.benchmark), c.value, c.setting)
        if key not in best or c.confidence > best[key].confidence:
            best[key] = c
    return sorted(best.values(), key=lambda c: (c.start, c.model, c.benchmark))


# ---------------------------------------------------------------------------------------------
@Language.factory(
    "autoscope_events",
    default_config={"use_embeddings": True, "embedding_model": "all-MiniLM-L6-v2", "signal_threshold": 0.6},
)
def make_events(
    nlp: Language, name: str, use_embeddings: bool, embedding_model: str, signal_threshold: float
) -> EventFinder:
    embed = shared_embedder(embedding_model) if use_embeddings else None
    return EventFinder(SignalScorer(embed, signal_threshold))


class EventFinder:
    def __init__(self, scorer: SignalScorer) -> None:
        self.scorer = scorer

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Milestones per document; signal scoring batched across documents."""
        for batch in spacy.util.minibatch(docs, size=batch_size):
            units: list[tuple[str, int, int]] = []
            owners: list[int] = []
            for i, doc in enumerate(batch):
                self._milestones(doc)
                text = _text(doc)
                sentences: list[tuple[int, int]] = doc._.sentences or split_sentences(text)
                for s, e in sentences:
                    if not is_table_line(text[s:e]):
                        units.append((text[s:e], s, e))
                        owners.append(i)
            for doc in batch:
                doc._.signals = []
            best: dict[tuple[int, str], Any] = {}
            for hit, owner in self.scorer.score_owned(units, owners):
                if (owner, hit.kind) not in best or hit.score > best[(owner, hit.kind)][0].score:
                    best[(owner, hit.kind)] = (hit, owner)
            for hit, owner in sorted(best.values(), key=lambda pair: (pair[1], pair[0].start)):
                batch[owner]._.signals.append(
                    ExtractedSignal(
                        hit.kind, hit.score, _text(batch[owner])[hit.start : hit.end], hit.start, hit.end, hit.details
                    )
                )
            yield from batch

    def _milestones(self, doc: Doc) -> None:
        text = _text(doc)
        claims: list[ExtractedClaim] = doc._.claims or []
        sentences: list[tuple[int, int]] = doc._.sentences or split_sentences(text)
        milestones: list[ExtractedMilestone] = []
        for start, end in sentences:
            in_sentence = [i for i, c in enumerate(claims) if c.start == start and c.end == end]
            horizons = [claims[i].value * (60 if claims[i].unit == "hours" else 1) for i in in_sentence
                        if claims[i].unit in ("minutes", "hours")]  # fmt: skip
            seen: set[tuple[str, str | None]] = set()
            for hit in find_milestones(text[start:end], start, horizons):
                chosen = _milestone_claims(hit.cue_end - start, text[start:end], [claims[i] for i in in_sentence])
                refs = [in_sentence[j] for j in chosen]
                if not refs and hit.kind != "horizon_crossed":
                    continue  # a milestone rests on claims; a cue alone ("tops the App Store") is not one
                first = claims[refs[0]] if refs else None
                key = (hit.kind, first.benchmark if first else None)
                if key in seen:
                    continue
                seen.add(key)
                milestones.append(
                    ExtractedMilestone(
                        hit.kind,
                        first.model if first else None,
                        first.benchmark if first else None,
                        hit.threshold,
                        text[start:end],
                        start,
                        end,
                        refs,
                    )
                )
        doc._.milestones = milestones


def _milestone_claims(cue_end: int, sentence: str, claims: list[ExtractedClaim]) -> list[int]:
    """The claims a milestone rests on: those on the first benchmark named after the cue, else all in the sentence."""
    tail = sentence[cue_end:]
    positions = []
    for j, c in enumerate(claims):
        found = norm(tail).find(norm(c.benchmark)) if norm(c.benchmark) else -1
        if found >= 0:
            positions.append((found, j))
    if positions:
        nearest = min(positions)[0]
        return [j for pos, j in positions if pos == nearest]
    return list(range(len(claims)))


# ---------------------------------------------------------------------------------------------
def load_pipeline(use_embeddings: bool = True, embedding_model: str = "all-MiniLM-L6-v2",
                  review_threshold: float = 0.7, registry_dir: Path | None = None,
                  signal_embeddings: bool | None = None) -> Language:  # fmt: skip
    """Assemble the pipeline from config.cfg (with overrides).

    ``use_embeddings`` covers entity resolution and, unless ``signal_embeddings`` says otherwise,
    automation-signal scoring.
    """
    signals = use_embeddings if signal_embeddings is None else signal_embeddings
    overrides: dict[str, Any] = {
        "components.autoscope_claims.use_embeddings": use_embeddings,
        "components.autoscope_claims.embedding_model": embedding_model,
        "components.autoscope_claims.review_threshold": review_threshold,
        "components.autoscope_events.use_embeddings": signals,
        "components.autoscope_events.embedding_model": embedding_model,
    }
    if registry_dir is not None:
        overrides["components.autoscope_mentions.registry_dir"] = str(registry_dir)
        overrides["components.autoscope_claims.registry_dir"] = str(registry_dir)
    config = spacy.util.load_config(CONFIG, overrides=overrides, interpolate=False)
    return spacy.util.load_model_from_config(config, auto_fill=True, validate=True)


@dataclass
class Extraction:
    text: str
    claims: list[ExtractedClaim]
    milestones: list[ExtractedMilestone]
    signals: list[ExtractedSignal]

    def contract(self) -> dict[str, Any]:
        return {
            "claims": [c.contract() for c in self.claims],
            "milestones": [m.contract() for m in self.milestones],
            "signals": [s.contract() for s in self.signals],
        }


def compose_text(text: str, tables: Iterable[Table] = ()) -> str:
    """The text extraction reads: the document text, then its structured tables as pipe rows."""
    rendered = [render_table(t) for t in tables]
    return "\n\n".join([text, *rendered]) if rendered else text


class Extractor:
    """The public entry point: text (plus optional metadata and tables) in, claims/milestones/signals out."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def _doc(self, text: str, meta: dict[str, Any]) -> Doc:
        doc = self.nlp.make_doc(text)
        doc._.meta = meta
        return doc

    def extract(
        self,
        text: str,
        publisher: str | None = None,
        published: date | None = None,
        tables: Iterable[Table] = (),
    ) -> Extraction:
        return next(self.pipe([(text, {"publisher": publisher, "published": published, "tables": list(tables)})]))

    def pipe(self, items: Iterable[tuple[str, dict[str, Any]]], batch_size: int = 64) -> Iterator[Extraction]:
        """Stream extractions; each item is ``(text, meta)`` with optional publisher/published/tables."""
        docs = (self._doc(compose_text(text or "", meta.get("tables") or ()), meta) for text, meta in items)
        for doc in self.nlp.pipe(docs, batch_size=batch_size):
            yield Extraction(_text(doc), doc._.claims or [], doc._.milestones or [], doc._.signals or [])
