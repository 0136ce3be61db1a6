"""Sentence-level events: capability milestones and AI-R&D automation signals.

Milestones come from explicit cues ("first model to exceed human experts", "new state of the
art", "crosses the 50% mark", a time horizon passing 1 h / 4 h / 8 h / a work-week) and are
tied to the claims of the same sentence. Signals are sentences where an AI actor does AI
R&D; candidates (actor + activity) are scored by embedding similarity to our labelled
prototypes, raised by explicit cues, and lowered when a negative prototype is closer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ingest.nlp.resolve import Embed

PATTERNS = Path(__file__).with_name("patterns")


@dataclass(frozen=True)
class MilestoneHit:
    kind: str
    start: int
    end: int
    threshold: float | None = None
    cue_end: int = 0


@dataclass
class SignalHit:
    kind: str
    score: float
    start: int
    end: int
    cue: bool = False
    details: dict[str, Any] = field(default_factory=dict)


@cache
def _events() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PATTERNS / "events.yaml").read_text(encoding="utf-8"))
    return data


@cache
def _signals() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PATTERNS / "signals.yaml").read_text(encoding="utf-8"))
    return data


@cache
def _milestone_patterns() -> dict[str, list[re.Pattern[str]]]:
    return {kind: [re.compile(p, re.I) for p in pats] for kind, pats in _events()["milestones"].items()}


def find_milestones(sentence: str, offset: int, horizon_minutes: Sequence[float] = ()) -> list[MilestoneHit]:
    """Every milestone cue in one sentence. ``horizon_minutes`` are time-horizon values claimed in it."""
    hits: list[MilestoneHit] = []
    for kind, patterns in _milestone_patterns().items():
        for pattern in patterns:
            for m in pattern.finditer(sentence):
                threshold: float | None = None
                if "threshold" in pattern.groupindex and m.group("threshold"):
                    threshold = float(m.group("threshold"))
                elif "more than half" in m.group().lower():
                    threshold = 50.0
                if kind == "new_sota" and re.search(_events()["not_new"], sentence, re.I):
                    continue
                if kind == "horizon_crossed":
                    stated = re.search(r"(\d+(?:\.\d+)?)\s*hours?", sentence[m.start() :])
                    values = [*horizon_minutes, *([float(stated.group(1)) * 60] if stated else [])]
                    passed = [t for t in _events()["horizon_thresholds_minutes"] if any(v >= t for v in values)]
                    if not passed:
                        continue
                    threshold = float(max(passed))
                if any(h.kind == kind and abs(h.cue_end - (offset + m.end())) < 3 for h in hits):
                    continue
                hits.append(MilestoneHit(kind, offset, offset + len(sentence), threshold, offset + m.end()))
    return hits


class SignalScorer:
    """Scores candidate sentences against the prototypes (embeddings optional: cues alone otherwise)."""

    def __init__(self, embed: Embed | None, threshold: float = 0.55) -> None:
        config = _signals()
        self.embed = embed
        self.threshold = threshold
        self.actor = re.compile(config["actor"], re.I)
        self.activity = re.compile(config["activity"], re.I)
        self.kinds: dict[str, dict[str, Any]] = config["kinds"]
        self.cues = {k: re.compile(v["cue"], re.I) for k, v in self.kinds.items()}
        self._matrix: np.ndarray | None = None
        self._labels: list[str] = []

    def _prototypes(self) -> tuple[np.ndarray | None, list[str]]:
        if self._matrix is None and self.embed is not None:
            texts, labels = [], []
            for kind, spec in self.kinds.items():
                for proto in spec["prototypes"]:
                    texts.append(proto)
                    labels.append(kind)
            for neg in _signals()["negatives"]:
                texts.append(neg)
                labels.append("none")
            self._matrix = self.embed(texts)
            self._labels = labels
        return self._matrix, self._labels

    def candidates(self, sentences: Sequence[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        return [s for s in sentences if self.actor.search(s[0]) and self.activity.search(s[0])]

    def score(self, sentences: Sequence[tuple[str, int, int]]) -> list[SignalHit]:
        """Signals among ``(text, start, end)`` sentences."""
        return [hit for hit, _ in self.score_owned(sentences, [0] * len(sentences))]

    def score_owned(
        self, sentences: Sequence[tuple[str, int, int]], owners: Sequence[int]
    ) -> list[tuple[SignalHit, int]]:
        """Like :meth:`score`, keeping which document (owner) each hit came from."""
        keep = [
            i
            for i, s in enumerate(sentences)
            if self.actor.search(s[0])
            and self.activity.search(s[0])
            and not s[0].rstrip().endswith("?")
            and re.search(r"[.!]\s*$", s[0].rstrip()) is not None
            and not re.search(r"\b(?:not|never|cannot|can't|couldn't|unable|no\s+evidence)\b", s[0], re.I)
        ]
        cands = [sentences[i] for i in keep]
        if not cands:
            return []
        matrix, labels = self._prototypes()
        sims: np.ndarray | None = None
        if matrix is not None and self.embed is not None:
            sims = self.embed([c[0] for c in cands]) @ matrix.T
        hits: list[tuple[SignalHit, int]] = []
        for i, (text, start, end) in enumerate(cands):
            cue_kinds = [k for k, p in self.cues.items() if p.search(text)]
            best_kind, best, negative = None, 0.0, 0.0
            if sims is not None:
                for j, label in enumerate(labels):
                    value = float(sims[i, j])
                    if label == "none":
                        negative = max(negative, value)
                    elif value > best:
                        best_kind, best = label, value
            if cue_kinds:
                kind = best_kind if best_kind in cue_kinds else cue_kinds[0]
                score = max(best, 0.7) + 0.1
            else:
                kind = best_kind
                score = best if best >= negative + 0.05 else 0.0
            if kind is None or score < self.threshold:
                continue
            details: dict[str, Any] = {}
            share = re.search(self.kinds["ai_writes_code_share"]["cue"], text, re.I)
            if kind == "ai_writes_code_share" and share:
                details["share_percent"] = float(share.group("share"))
            hits.append(
                (SignalHit(kind, round(min(score, 1.0), 3), start, end, bool(cue_kinds), details), owners[keep[i]])
            )
        return hits
