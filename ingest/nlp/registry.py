"""The registries that seed recognition: benchmarks, models, scaffolds, organisations.

Loaded once from ``ingest/data/*.yaml`` into lookup tables and compiled patterns. Aliases
match with flexible separators ("SWE-bench" = "SWE Bench" = "SWEbench"); short aliases
and common words match case-sensitively so prose ("math", "drop") is not taken for a name.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ingest.errors import InputFileError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
_SEP = r"[\s\-_/.'’()]*"
_CHUNK = re.compile(r"[^\W\d_]+|\d+(?:\.\d+)?%?")


def norm(text: str) -> str:
    """Comparison key: lowercase letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("+", "plus"))


def digits(text: str) -> tuple[str, ...]:
    """The numbers in a name: two names with different numbers are never the same entity."""
    return tuple(re.findall(r"\d+(?:\.\d+)?", text))


def alias_regex(alias: str) -> str:
    """A regex for an alias with flexible separators between its letter/digit chunks."""
    chunks = _CHUNK.findall(alias)
    if not chunks:
        return re.escape(alias)
    out = re.escape(chunks[0])
    for prev, chunk in itertools.pairwise(chunks):
        # "GPT-4o" must not match "GPT-4 o"; letters after digits inside a token stay glued when they were glued.
        glued = alias.find(prev + chunk) >= 0
        out += (r"[\-_]?" if glued else _SEP) + re.escape(chunk)
    return out


def case_sensitive(alias: str) -> bool:
    """Short names and all-caps acronyms only match as written (``MATH`` is not ``math``)."""
    letters = re.sub(r"[^A-Za-z]", "", alias)
    return len(alias) <= 3 or (letters.isupper() and len(letters) <= 6 and not any(c.isdigit() for c in alias))


@dataclass(frozen=True)
class BenchmarkEntry:
    id: str
    name: str
    aliases: tuple[str, ...]
    variant_of: str | None
    unit: str
    direction: str
    ceiling: float | None
    human_baseline: float | None
    item_count: int | None
    capabilities: tuple[str, ...]
    family_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelEntry:
    id: str
    name: str
    aliases: tuple[str, ...]
    organization: str | None
    family: str | None
    kind: str  # model | agent | scaffold
    release_date: date | None = None
    open_weights: bool | None = None


@dataclass(frozen=True)
class Family:
    id: str
    organization: str | None
    patterns: tuple[re.Pattern[str], ...]
    open_weights: bool | None


@dataclass
class Registry:
    """Lookup tables for recognition and resolution."""

    benchmarks: dict[str, BenchmarkEntry] = field(default_factory=dict)
    models: dict[str, ModelEntry] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)
    org_aliases: dict[str, str] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)
    benchmark_keys: dict[str, str] = field(default_factory=dict)
    model_keys: dict[str, str] = field(default_factory=dict)
    benchmark_pattern: AliasMatcher = field(default_factory=lambda: AliasMatcher({}))
    model_pattern: AliasMatcher = field(default_factory=lambda: AliasMatcher({}))
    family_root_pattern: AliasMatcher = field(default_factory=lambda: AliasMatcher({}))
    family_roots: dict[str, str] = field(default_factory=dict)
    loose_roots: frozenset[str] = frozenset()

    def benchmark_for(self, surface: str) -> BenchmarkEntry | None:
        key = self.benchmark_keys.get(norm(surface))
        return self.benchmarks.get(key) if key else None

    def model_for(self, surface: str) -> ModelEntry | None:
        key = self.model_keys.get(norm(surface))
        return self.models.get(key) if key else None

    def organization_of(self, model_id: str) -> str | None:
        entry = self.models.get(model_id)
        return entry.organization if entry else None


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputFileError(f"{path}: cannot read registry: {e}") from e


_MODEL_TAIL = r"(?!\s+(?:Lite|Mini|mini|Pro|Max|Turbo|Flash|Plus|Ultra|Nano|nano|Heavy|Air|Preview|Exp|Base|Distill)\b)"


_WORD_START = re.compile(r"(?<![^\W_])(?:[^\W\d_]+|\d+(?:\.\d+)?%?)")


class AliasMatcher:
    """Finds many aliases fast: candidates are looked up by their first word, then matched in place.

    Same results as one big alternation (longest alias first, leftmost, non-overlapping),
    without trying every alias at every character.
    """

    def __init__(self, names: dict[str, bool], tail: str = "", open_end: bool = False) -> None:
        end = r"(?![A-Za-z0-9])" if open_end else r"(?![A-Za-z0-9]|-[A-Za-z0-9]|\.\d)" + tail
        self._index: dict[str, list[re.Pattern[str]]] = {}
        for name in sorted(names, key=len, reverse=True):
            chunks = _CHUNK.findall(name)
            if not chunks:
                continue
            body = alias_regex(name)
            pattern = re.compile((body if names[name] else f"(?i:{body})") + end)
            self._index.setdefault(chunks[0].lower(), []).append(pattern)

    def finditer(self, text: str) -> list[re.Match[str]]:
        found: list[re.Match[str]] = []
        last_end = 0
        for word in _WORD_START.finditer(text):
            if word.start() < last_end:
                continue
            for pattern in self._index.get(word.group().lower(), ()):
                m = pattern.match(text, word.start())
                if m:
                    found.append(m)
                    last_end = m.end()
                    break
        return found


def _benchmarks(raw: list[dict[str, Any]], registry: Registry, source: Path) -> None:
    for i, item in enumerate(raw):
        try:
            entry = BenchmarkEntry(
                id=item["id"],
                name=item["name"],
                aliases=tuple(item.get("aliases") or ()),
                variant_of=item.get("variant_of"),
                unit=str(item.get("unit") or "%"),
                direction=item.get("direction") or "higher_is_better",
                ceiling=item.get("ceiling"),
                human_baseline=item.get("human_baseline"),
                item_count=item.get("item_count"),
                capabilities=tuple(item.get("capabilities") or ()),
                family_terms=tuple(item.get("family_terms") or ()),
            )
        except (KeyError, TypeError) as e:
            raise InputFileError(f"{source}: benchmark entry {i} is missing {e}") from e
        registry.benchmarks[entry.id] = entry
        for name in (entry.name, *entry.aliases):
            registry.benchmark_keys.setdefault(norm(name), entry.id)
        for term in entry.family_terms:
            registry.family_roots.setdefault(norm(term), entry.id)


def _models(raw: dict[str, Any], registry: Registry, source: Path) -> None:
    for org in raw.get("organizations") or []:
        registry.organizations[org["id"]] = org["name"]
        for name in (org["name"], *(org.get("aliases") or ())):
            registry.org_aliases.setdefault(norm(name), org["id"])
    for fam in raw.get("families") or []:
        try:
            patterns = tuple(re.compile(p) for p in fam.get("patterns") or ())
        except re.error as e:
            raise InputFileError(f"{source}: family {fam.get('id')}: bad pattern: {e}") from e
        registry.families[fam["id"]] = Family(fam["id"], fam.get("organization"), patterns, fam.get("open_weights"))
    for kind_key in ("models", "scaffolds"):
        for item in raw.get(kind_key) or []:
            family = registry.families.get(item.get("family") or "")
            entry = ModelEntry(
                id=item["id"],
                name=item["name"],
                aliases=tuple(item.get("aliases") or ()),
                organization=item.get("organization") or (family.organization if family else None),
                family=item.get("family"),
                kind=item.get("kind") or ("scaffold" if kind_key == "scaffolds" else "model"),
                release_date=item.get("release_date"),
                open_weights=item.get("open_weights", family.open_weights if family else None),
            )
            registry.models[entry.id] = entry
            for name in (entry.name, *entry.aliases):
                registry.model_keys.setdefault(norm(name), entry.id)


def _sample_entities(registry: Registry) -> None:
    """The bundled sample's entities count too (ids stay consistent with curated data)."""
    raw = _read_yaml(DATA_DIR / "sample" / "entities.yaml") or {}
    for org in raw.get("organizations") or []:
        registry.organizations.setdefault(org["id"], org["name"])
        registry.org_aliases.setdefault(norm(org["name"]), org["id"])
    for item in raw.get("benchmarks") or []:
        if item["id"] not in registry.benchmarks and registry.benchmark_for(item["name"]) is None:
            _benchmarks([item], registry, DATA_DIR / "sample" / "entities.yaml")
    for item in raw.get("models") or []:
        if item["id"] not in registry.models and registry.model_for(item["name"]) is None:
            registry.models[item["id"]] = ModelEntry(
                item["id"],
                item["name"],
                tuple(item.get("aliases") or ()),
                item.get("organization_id"),
                None,
                "model",
                item.get("release_date"),
                item.get("open_weights"),
            )
            for name in (item["name"], *(item.get("aliases") or ())):
                registry.model_keys.setdefault(norm(name), item["id"])


def load_registry(data_dir: Path = DATA_DIR) -> Registry:
    """Read the registries and compile their patterns."""
    registry = Registry()
    bench_file, model_file = data_dir / "benchmarks.yaml", data_dir / "models.yaml"
    if bench_file.exists():
        _benchmarks(_read_yaml(bench_file) or [], registry, bench_file)
    if model_file.exists():
        _models(_read_yaml(model_file) or {}, registry, model_file)
    if data_dir == DATA_DIR:
        _sample_entities(registry)
    bench_names: dict[str, bool] = {}
    for b in registry.benchmarks.values():
        for name in (b.name, *b.aliases):
            bench_names[name] = case_sensitive(name)
    model_names: dict[str, bool] = {}
    for m in registry.models.values():
        for name in (m.name, *m.aliases):
            model_names[name] = case_sensitive(name)
    registry.benchmark_pattern = AliasMatcher(bench_names)
    registry.model_pattern = AliasMatcher(model_names, _MODEL_TAIL)
    roots: dict[str, bool] = {}
    for b in registry.benchmarks.values():
        for term in b.family_terms:
            roots[term] = False
        if b.variant_of is None:
            for name in (b.name, *b.aliases):
                if len(norm(name)) >= 4:
                    roots.setdefault(name, case_sensitive(name))
                    registry.family_roots.setdefault(norm(name), b.id)
    registry.loose_roots = frozenset(norm(t) for b in registry.benchmarks.values() for t in b.family_terms)
    registry.family_root_pattern = AliasMatcher(roots, open_end=True)
    return registry


@cache
def default_registry() -> Registry:
    """The bundled registry, loaded once per process."""
    return load_registry()
