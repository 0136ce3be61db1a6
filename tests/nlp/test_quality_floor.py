"""A quality floor on the project's own labelled set, so regressions fail the build.

The targets (F1 >= 0.90, precision >= 0.95) are tracked by ``make eval``; this floor sits just
below the measured figures and only moves up.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.eval_extraction import evaluate
from ingest.nlp.pipeline import Extractor
from ingest.nlp.registry import default_registry

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "extraction_eval.yaml"


def test_claim_quality_floor_on_the_eval_set(rules: Extractor) -> None:
    passages = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    report = evaluate(passages, rules, default_registry())
    assert report.claims.precision >= 0.945, report.claims.row("claims")
    assert report.claims.f1 >= 0.89, report.claims.row("claims")
    assert report.milestones.precision >= 0.85, report.milestones.row("milestones")


def test_eval_set_is_well_formed() -> None:
    passages = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    assert len(passages) >= 150
    negatives = sum(1 for p in passages if not p.get("claims"))
    assert negatives / len(passages) >= 0.2
    assert len({p["id"] for p in passages}) == len(passages)
