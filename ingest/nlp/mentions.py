"""Benchmark, model and scaffold mentions: registry aliases first, then naming patterns.

Known names come from the registries. Unseen ones are still found: a family's naming
pattern ("Claude Opus 5", "GPT-6"), a generic model-name shape ("Foo-2.5-Coder-32B-Instruct",
"Nimbus-3 Pro"), and unseen variants of known benchmark families ("SWE-bench Java",
"Terminal-Bench 3.0"). Overlaps go to the longest mention, then to the surer kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from spacy.lang.en.stop_words import STOP_WORDS

from ingest.nlp.registry import Registry, norm

PATTERNS = Path(__file__).with_name("patterns")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str  # benchmark | model | scaffold
    entity_id: str | None
    how: str  # alias | variant | family | pattern
    parent: str | None = None

    @property
    def known(self) -> bool:
        return self.entity_id is not None


_PRIORITY = {"alias": 0, "variant": 1, "introduced": 1, "family": 2, "pattern": 3}
_BENCH_SHAPE = r"[A-Z][A-Za-z0-9]*(?:[A-Z][A-Za-z0-9]*|-[A-Za-z0-9]+)+"
_INTRODUCED = re.compile(
    rf"(?:\A\s*#?\s*(?P<title>{_BENCH_SHAPE})\s*:|\b(?:we\s+)?(?:introduce|present|propose|release)s?\s+"
    rf"(?P<named>{_BENCH_SHAPE})\s*,)"
)


@cache
def _name_rules() -> dict[str, list[str]]:
    data: dict[str, list[str]] = yaml.safe_load((PATTERNS / "names.yaml").read_text(encoding="utf-8"))
    return data


@cache
def _generic_model() -> re.Pattern[str]:
    rules = _name_rules()
    suffix = "|".join(rules["model_suffixes"])
    # A capitalised or camel-case word (or an acronym), a version number, then optional size/variant suffixes.
    return re.compile(
        r"(?<![A-Za-z0-9\-])(?P<head>[A-Z][a-z]+(?:[A-Z][a-z]+)*|[A-Z]{2,}[a-z]?)"
        r"(?:[- ]?[vV]?(?P<ver>\d+(?:\.\d+)*)[a-z]?)"
        rf"(?:[- ](?:{suffix}|\d+(?:\.\d+)?[BbMm]|A\d+B|\d{{1,2}}[Kk]))*"
        r"(?![A-Za-z0-9%]|\.\d|-\d)"
    )


@cache
def _stop_heads() -> frozenset[str]:
    return frozenset(w.lower() for w in _name_rules()["not_model_heads"])


@cache
def _variant_words() -> re.Pattern[str]:
    stop = "|".join(_name_rules()["not_variant_words"])
    return re.compile(rf"^(?:[ \-](?!(?:{stop})\b)(?P<v>v?\d+(?:\.\d+)*|[A-Z][A-Za-z+]*(?:-[A-Za-z0-9]+)?))")


def find_mentions(text: str, registry: Registry) -> list[Mention]:
    """All non-overlapping mentions in ``text``, in order."""
    candidates: list[Mention] = []
    for m in registry.benchmark_pattern.finditer(text):
        entry = registry.benchmark_for(m.group())
        if entry:
            candidates.append(Mention(m.start(), m.end(), m.group(), "benchmark", entry.id, "alias"))
    for m in registry.model_pattern.finditer(text):
        model = registry.model_for(m.group())
        if model:
            kind = "scaffold" if model.kind in ("scaffold", "agent") else "model"
            candidates.append(Mention(m.start(), m.end(), m.group(), kind, model.id, "alias"))
    for m in registry.family_root_pattern.finditer(text):
        root = registry.family_roots.get(norm(m.group()))
        rest = text[m.end() :]
        tail = _variant_words().match(rest)
        if (
            root
            and tail
            and (
                rest.startswith("-")
                or norm(m.group()) in registry.loose_roots
                or tail.group("v")[0].isdigit()
                or tail.group("v").startswith("v")
            )
        ):
            end = m.end() + tail.end()
            candidates.append(Mention(m.start(), end, text[m.start() : end], "benchmark", None, "variant", root))
    for name in introduced_benchmarks(text):
        for m in re.finditer(rf"(?<![\w\-]){re.escape(name)}(?![\w\-])", text):
            candidates.append(Mention(m.start(), m.end(), name, "benchmark", None, "introduced"))
    for family in registry.families.values():
        for pattern in family.patterns:
            for m in re.finditer(rf"(?<![A-Za-z0-9])(?:{pattern.pattern})(?![A-Za-z0-9]|\.\d)", text):
                if m.end() > m.start():
                    candidates.append(Mention(m.start(), m.end(), m.group(), "model", None, "family", family.id))
    for m in _generic_model().finditer(text):
        head = m.group("head")
        year = re.fullmatch(r"(?:19|20)\d\d", m.group("ver"))
        spaced = text[m.start() + len(head) : m.start() + len(head) + 1] == " "
        if (
            head.lower() in _stop_heads()
            or year
            or re.fullmatch(r"[A-Z]+\d{2,4}", m.group())
            or (spaced and head.lower() in STOP_WORDS)
            or _is_scaffold(registry, head)
        ):
            continue
        candidates.append(Mention(m.start(), m.end(), m.group(), "model", None, "pattern"))
    for m in _COMPOUND.finditer(text):
        word = m.group()
        if not re.search(r"\d", word) or word.split("-")[0].lower() in _stop_heads():
            continue
        if word[0].islower() and (word.split("-")[0] in _LOWER_STOP or len(word.split("-")[0]) < 4):
            continue
        candidates.append(Mention(m.start(), m.end(), word, "model", None, "pattern"))
    return _resolve_overlaps(candidates)


_COMPOUND = re.compile(
    r"(?<![\w\-@./])(?:[A-Z][A-Za-z0-9.]*|[a-z]{2,}[A-Za-z0-9.]*)(?:-[A-Za-z0-9][A-Za-z0-9.]*)+(?<!\.)(?![\w\-]|%)"
)
_LOWER_STOP = frozenset(
    [
        "top",
        "pass",
        "step",
        "level",
        "tier",
        "layer",
        "round",
        "best",
        "single",
        "multi",
        "long",
        "short",
        "state",
        "high",
        "low",
        "mid",
        "non",
        "pre",
        "post",
        "self",
        "out",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "zero",
        "few",
        "many",
        "first",
        "second",
        "third",
        "in",
        "on",
        "at",
    ]
)


def _is_scaffold(registry: Registry, head: str) -> bool:
    entry = registry.model_for(head)
    return entry is not None and entry.kind in ("scaffold", "agent")


def introduced_benchmarks(text: str) -> set[str]:
    """Names a document introduces ("PhysBench-Frontier: ..." as its title, "We introduce X, ...")."""
    names = set()
    for m in _INTRODUCED.finditer(text):
        name = m.group("title") or m.group("named")
        if re.search(r"Bench|bench|Eval|QA|Arena|Exam|Test|Set|Suite|Gym|World|Lab", name):
            names.add(name)
    return names


def _resolve_overlaps(candidates: list[Mention]) -> list[Mention]:
    ranked = sorted(candidates, key=lambda c: (-(c.end - c.start), _PRIORITY[c.how], c.start))
    taken: list[Mention] = []
    for cand in ranked:
        if all(cand.end <= t.start or cand.start >= t.end for t in taken):
            taken.append(cand)
    return sorted(taken, key=lambda c: c.start)
