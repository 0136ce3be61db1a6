"""Quality of claim extraction on the project's own labelled set (``make eval``).

A predicted claim is a hit when its model, benchmark and value match a gold claim (names are
compared through the registries, so "GPT-4o" and "gpt-4o" are the same model). Prints
precision/recall/F1 overall and per source style, per-field accuracy on hits (unit, setting,
self_reported), and milestone and signal precision/recall. Targets: claim F1 >= 0.90 with
precision >= 0.95.

    python -m bench.eval_extraction [--data FILE] [--no-embeddings] [--errors N]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.nlp.mentions import find_mentions
from ingest.nlp.pipeline import ExtractedClaim, Extractor, load_pipeline
from ingest.nlp.registry import Registry, default_registry, norm
from ingest.nlp.resolve import Resolver

DATA = Path(__file__).with_name("data") / "extraction_eval.yaml"


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self, name: str) -> str:
        counts = f"(tp={self.tp} fp={self.fp} fn={self.fn})"
        return f"{name:<22} P={self.precision:.3f}  R={self.recall:.3f}  F1={self.f1:.3f}  {counts}"


@dataclass
class Report:
    claims: Counts = field(default_factory=Counts)
    by_style: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    fields: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    milestones: Counts = field(default_factory=Counts)
    signals: Counts = field(default_factory=Counts)
    errors: list[str] = field(default_factory=list)


@cache
def _gold_id(kind: str, surface: str) -> str | None:
    """The registry id our own recogniser gives a gold surface name (gold labels name things as written)."""
    reg = default_registry()
    entry = reg.model_for(surface) if kind == "model" else reg.benchmark_for(surface)
    if entry is not None:
        return entry.id
    wanted = ("model", "scaffold") if kind == "model" else ("benchmark",)
    found = [m for m in find_mentions(surface, reg) if m.kind in wanted]
    rest = surface[found[0].end :] if found else ""
    if found and found[0].start == 0 and re.fullmatch(r"[\s\-_]*(?:(?:20)?\d{4,6}|Inst\.?|Instruct|Chat|it)?\W*", rest):
        resolver = Resolver(reg)
        resolved = resolver.model(found[0]) if kind == "model" else resolver.benchmark(found[0])
        return resolved.id
    return None


def _same_entity(kind: str, gold: str, pred_name: str, pred_id: str | None) -> bool:
    if norm(gold) == norm(pred_name):
        return True
    gold_id = _gold_id(kind, gold)
    return gold_id is not None and gold_id == pred_id


def _same_setting(gold: str | None, pred: str | None) -> bool:
    g = set(re.findall(r"[a-z0-9@]+", (gold or "").lower())) - {"scaffold", "with", "the", "using"}
    p = set(re.findall(r"[a-z0-9@]+", (pred or "").lower())) - {"scaffold", "with", "the", "using"}
    return g == p or (bool(g) and g <= p)


def match_claims(
    gold: list[dict[str, Any]], pred: list[ExtractedClaim], reg: Registry
) -> tuple[list[tuple[dict[str, Any], ExtractedClaim]], list[dict[str, Any]], list[ExtractedClaim]]:
    used: set[int] = set()
    hits: list[tuple[dict[str, Any], ExtractedClaim]] = []
    missed: list[dict[str, Any]] = []
    for g in gold:
        found = None
        for i, p in enumerate(pred):
            if i in used or abs(float(g["value"]) - p.value) > 1e-6:
                continue
            if _same_entity("model", str(g["model"]), p.model, p.model_id) and _same_entity(
                "benchmark", str(g["benchmark"]), p.benchmark, p.benchmark_id
            ):
                found = i
                break
        if found is None:
            missed.append(g)
        else:
            used.add(found)
            hits.append((g, pred[found]))
    extra = [p for i, p in enumerate(pred) if i not in used]
    return hits, missed, extra


def _match_kinds(gold: list[str], pred: list[str]) -> Counts:
    remaining = list(pred)
    c = Counts()
    for g in gold:
        if g in remaining:
            remaining.remove(g)
            c.tp += 1
        else:
            c.fn += 1
    c.fp = len(remaining)
    return c


def evaluate(passages: list[dict[str, Any]], extractor: Extractor, reg: Registry) -> Report:
    report = Report()
    for passage in passages:
        publisher = passage.get("publisher")
        publisher = publisher if publisher in reg.organizations else None
        result = extractor.extract(passage["text"], publisher=publisher)
        hits, missed, extra = match_claims(passage.get("claims") or [], result.claims, reg)
        counts = Counts(len(hits), len(extra), len(missed))
        report.claims.add(counts)
        report.by_style[passage.get("style", "?")].add(counts)
        for g, p in hits:
            report.fields["unit"].append(str(g.get("unit")) == p.unit)
            report.fields["setting"].append(_same_setting(g.get("setting"), p.setting))
            if g.get("self_reported") is not None:
                report.fields["self_reported"].append(g["self_reported"] == p.self_reported)
        for g in missed:
            report.errors.append(f"{passage['id']}: MISSED {g['model']} | {g['benchmark']} | {g['value']}")
        for p in extra:
            report.errors.append(
                f"{passage['id']}: WRONG  {p.model} | {p.benchmark} | {p.value} {p.unit} ({p.rule})"
                f" :: {p.sentence[:100]}"
            )
        report.milestones.add(_match_kinds([m["kind"] for m in passage.get("milestones") or []],
                                           [m.kind for m in result.milestones]))  # fmt: skip
        report.signals.add(_match_kinds([s["kind"] for s in passage.get("signals") or []],
                                        [s.kind for s in result.signals]))  # fmt: skip
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="labelled passages (YAML)")
    parser.add_argument("--no-embeddings", action="store_true", help="rules only")
    parser.add_argument("--errors", type=int, default=0, help="print up to N misses and wrong claims")
    parser.add_argument("--style", help="only passages of this style")
    args = parser.parse_args(argv)
    passages = yaml.safe_load(args.data.read_text(encoding="utf-8"))
    if args.style:
        passages = [p for p in passages if p.get("style") == args.style]
    started = time.perf_counter()
    extractor = Extractor(load_pipeline(use_embeddings=not args.no_embeddings))
    reg = default_registry()
    report = evaluate(passages, extractor, reg)
    elapsed = time.perf_counter() - started
    gold = sum(len(p.get("claims") or []) for p in passages)
    negatives = sum(1 for p in passages if not p.get("claims"))
    print(f"{len(passages)} passages ({negatives} without claims), {gold} gold claims, {elapsed:.1f}s")
    print(report.claims.row("claims"))
    for style, counts in sorted(report.by_style.items()):
        print(counts.row(f"  {style}"))
    for name, values in report.fields.items():
        print(f"{'field ' + name:<22} accuracy={sum(values) / len(values):.3f} on {len(values)} hits")
    print(report.milestones.row("milestones"))
    print(report.signals.row("signals"))
    ok = report.claims.f1 >= 0.90 and report.claims.precision >= 0.95
    print(f"target (F1 >= 0.90, precision >= 0.95): {'PASS' if ok else 'MISS'}")
    for line in report.errors[: args.errors]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
