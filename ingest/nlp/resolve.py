"""Entity resolution: a mention's surface text to a canonical registry entry, or flagged unverified.

In order: exact alias (separators and case ignored); rapidfuzz similarity on the same key;
then, for what is still unknown, sentence-transformers similarity with the configured
embedding model. Two names whose numbers differ ("Terminal-Bench 2.0" vs "3.0", "GPT-5"
vs "GPT-6") are never merged, and a low score keeps the mention as an unverified new
entity rather than forcing it onto the nearest known one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from ingest.nlp.mentions import Mention
from ingest.nlp.registry import ModelEntry, Registry, digits, norm

FUZZY_CUTOFF = 92.0
EMBED_CUTOFF = 0.9

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Resolved:
    id: str | None
    name: str
    verified: bool
    how: str  # alias | fuzzy | embedding | unverified
    parent: str | None = None
    organization: str | None = None
    mode: str | None = None


class Resolver:
    """Resolves model and benchmark mentions; caches by surface text."""

    def __init__(self, registry: Registry, embed: Embed | None = None) -> None:
        self.registry = registry
        self.embed = embed
        self._cache: dict[tuple[str, str], Resolved] = {}
        self._bench_keys = list(registry.benchmark_keys)
        self._model_keys = list(registry.model_keys)
        self._names: dict[str, tuple[list[str], list[str], np.ndarray | None]] = {}
        self._vector_hint: dict[str, np.ndarray] = {}
        self._bags: dict[str, dict[str, str]] = {}

    def benchmark(self, mention: Mention) -> Resolved:
        key = ("benchmark", mention.text)
        if key not in self._cache:
            self._cache[key] = self._benchmark(mention)
        return self._cache[key]

    def model(self, mention: Mention) -> Resolved:
        key = (mention.kind, mention.text)
        if key not in self._cache:
            self._cache[key] = self._model(mention)
        return self._cache[key]

    def prime(self, mentions: Sequence[Mention]) -> None:
        """Resolve many unknown mentions at once, so the embedding model runs one batch, not one call each."""
        todo: dict[tuple[str, str], Mention] = {}
        for m in mentions:
            key = ("benchmark", m.text) if m.kind == "benchmark" else (m.kind, m.text)
            if m.entity_id is None and key not in self._cache:
                todo.setdefault(key, m)
        if not todo:
            return
        pending: dict[tuple[str, str], Mention] = {}
        saved, self.embed = self.embed, None
        try:
            for key, m in todo.items():
                resolved = self._benchmark(m) if m.kind == "benchmark" else self._model(m)
                if resolved.verified:
                    self._cache[key] = resolved
                else:
                    pending[key] = m
        finally:
            self.embed = saved
        if self.embed is None or not pending:
            for key, m in pending.items():
                self._cache[key] = self._benchmark(m) if m.kind == "benchmark" else self._model(m)
            return
        surfaces = [m.text for m in pending.values()]
        vectors = self.embed(surfaces)
        for (key, m), vector in zip(pending.items(), vectors, strict=True):
            self._vector_hint[m.text] = vector
            self._cache[key] = self._benchmark(m) if m.kind == "benchmark" else self._model(m)
        self._vector_hint.clear()

    def _benchmark(self, mention: Mention) -> Resolved:
        reg = self.registry
        entry = reg.benchmarks.get(mention.entity_id or "") or reg.benchmark_for(mention.text)
        if entry:
            return Resolved(entry.id, entry.name, True, "alias", entry.variant_of)
        hit = self._fuzzy(mention.text, self._bench_keys, reg.benchmark_keys)
        if hit:
            found = reg.benchmarks[hit]
            return Resolved(found.id, found.name, True, "fuzzy", found.variant_of)
        hit = self._embedded("benchmark", mention.text)
        if hit:
            found = reg.benchmarks[hit]
            return Resolved(found.id, found.name, True, "embedding", found.variant_of)
        return Resolved(None, _clean(mention.text), False, "unverified", mention.parent)

    def _model(self, mention: Mention) -> Resolved:
        reg = self.registry
        entry = reg.models.get(mention.entity_id or "") or reg.model_for(mention.text)
        if entry:
            return Resolved(entry.id, entry.name, True, "alias", None, entry.organization)
        hit = (
            self._bag("model", mention.text)
            or self._fuzzy(mention.text, self._model_keys, reg.model_keys)
            or self._dated(mention.text)
        )
        if hit:
            found = reg.models[hit]
            return Resolved(found.id, found.name, True, "fuzzy", None, found.organization)
        hit = self._embedded("model", mention.text)
        if hit:
            found = reg.models[hit]
            return Resolved(found.id, found.name, True, "embedding", None, found.organization)
        moded = _MODE.match(mention.text.strip())
        if moded:
            base = reg.model_for(moded.group("base")) or self._bag_entry(moded.group("base"))
            if base is not None:
                return Resolved(
                    base.id, base.name, True, "mode", None, base.organization, _mode_label(moded.group("mode"))
                )
        family = reg.families.get(mention.parent or "")
        return Resolved(None, _clean(mention.text), False, "unverified", None, family.organization if family else None)

    def _bag(self, kind: str, surface: str) -> str | None:
        """Same words in another order ("Claude Sonnet 3.7" = "Claude 3.7 Sonnet")."""
        if kind not in self._bags:
            reg = self.registry
            entries = (
                [(n, m.id) for m in reg.models.values() for n in (m.name, *m.aliases)]
                if kind == "model"
                else [(n, b.id) for b in reg.benchmarks.values() for n in (b.name, *b.aliases)]
            )
            table: dict[str, str] = {}
            for name, node_id in entries:
                table.setdefault(_bag_key(name), node_id)
            self._bags[kind] = table
        return self._bags[kind].get(_bag_key(surface))

    def _bag_entry(self, surface: str) -> ModelEntry | None:
        hit = self._bag("model", surface)
        return self.registry.models.get(hit) if hit else None

    def _dated(self, surface: str) -> str | None:
        """ "Claude-3.5-Sonnet-1022", "GPT-4o 0513", "Qwen2.5 72B-Inst.": a known name plus a snapshot date or tag."""
        m = _SNAPSHOT.match(surface.strip())
        if not m:
            return None
        base, suffix = norm(m.group("base")), re.sub(r"\D", "", m.group("suffix") or "")
        keys = self.registry.model_keys
        if suffix:
            dated = {keys[k] for k in keys if k.startswith(base) and suffix in k[len(base) :]}
            if len(dated) == 1:
                return dated.pop()
        return keys.get(base)

    def _fuzzy(self, surface: str, keys: list[str], table: dict[str, str]) -> str | None:
        key = norm(surface)
        if len(key) < 5 or not keys:
            return None
        match = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if match is None or digits(match[0]) != digits(key):
            return None
        return table[match[0]]

    def _embedded(self, kind: str, surface: str) -> str | None:
        if self.embed is None or len(norm(surface)) < 4:
            return None
        names, ids, matrix = self._name_index(kind)
        if matrix is None:
            return None
        hint = self._vector_hint.get(surface)
        vector = hint if hint is not None else self.embed([surface])[0]
        scores = matrix @ vector
        best = int(np.argmax(scores))
        if scores[best] < EMBED_CUTOFF or digits(norm(names[best])) != digits(norm(surface)):
            return None
        if _variants(names[best]) != _variants(surface):
            return None
        return ids[best]

    def _name_index(self, kind: str) -> tuple[list[str], list[str], np.ndarray | None]:
        if kind not in self._names:
            reg = self.registry
            pairs = (
                [(n, b.id) for b in reg.benchmarks.values() for n in (b.name, *b.aliases)]
                if kind == "benchmark"
                else [(n, m.id) for m in reg.models.values() for n in (m.name, *m.aliases)]
            )
            names = [p[0] for p in pairs]
            matrix = self.embed(names) if (self.embed is not None and names) else None
            self._names[kind] = (names, [p[1] for p in pairs], matrix)
        return self._names[kind]


_SNAPSHOT = re.compile(
    r"^(?P<base>.+?)[\s\-_]+(?P<suffix>(?:20)?\d{2}[\-]?\d{2}(?:[\-]?\d{2})?|Inst\.?|Instruct|Chat|it)\.?$", re.I
)


_VARIANT_WORDS = frozenset(
    [
        "lite",
        "mini",
        "pro",
        "max",
        "flash",
        "nano",
        "turbo",
        "plus",
        "ultra",
        "air",
        "heavy",
        "base",
        "distill",
        "preview",
    ]
)


def _variants(name: str) -> frozenset[str]:
    """Variant words that make a different model or benchmark ("mini", "Lite", "Pro")."""
    return frozenset(w for w in re.findall(r"[a-z]+", name.lower()) if w in _VARIANT_WORDS)


_MODE = re.compile(
    r"^(?P<base>.+?)[\s\-_(]+(?P<mode>non-thinking|thinking|reasoning|xhigh|high|medium|low|minimal)\)?$", re.I
)


def _mode_label(mode: str) -> str:
    """How a reasoning mode written into a model name is kept as a setting."""
    word = mode.lower()
    if word in ("thinking", "non-thinking", "reasoning"):
        return "no thinking" if word == "non-thinking" else "thinking mode"
    return f"{word} reasoning effort"


def _bag_key(name: str) -> str:
    return " ".join(sorted(re.findall(r"[a-z]+|\d+(?:\.\d+)?", name.lower())))


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:()")
