"""Segmentation, quantities and mentions on the cases that break naive extractors."""

from __future__ import annotations

import pytest

from ingest.nlp.mentions import find_mentions
from ingest.nlp.quantities import find_quantities
from ingest.nlp.registry import default_registry
from ingest.nlp.segment import split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_sentences_survive_versions_decimals_and_abbreviations() -> None:
    text = (
        "We release GPT-4.5 today. It scores 74.9% on SWE-bench Verified, e.g. ahead of o1 (v2.1). "
        "See Fig. 3 and Smith et al. for details. o3 follows."
    )
    assert sentences(text) == [
        "We release GPT-4.5 today.",
        "It scores 74.9% on SWE-bench Verified, e.g. ahead of o1 (v2.1).",
        "See Fig. 3 and Smith et al. for details.",
        "o3 follows.",
    ]


def test_lines_tables_lists_and_wrapped_paragraphs() -> None:
    text = "Results:\n- 50% on A\n- 60% on B\n\n| Model | A |\n|---|---|\n| X | 1 |\nThis wraps\nonto two lines."
    assert sentences(text) == [
        "Results:",
        "- 50% on A",
        "- 60% on B",
        "| Model | A |",
        "|---|---|",
        "| X | 1 |",
        "This wraps\nonto two lines.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scores 62.3 ± 1.2% on it", (62.3, "%", None)),
        ("a time horizon of 2 hours 15 minutes", (135.0, "minutes", None)),
        ("a 2.1x speedup on KernelBench", (2.1, "x", None)),
        ("an Elo of 2727", (2727.0, None, None)),
        ("priced at $3 per million tokens", (3.0, "$", "a price")),
        ("improves by 12% over the baseline", (12.0, "%", "a relative change, not an absolute score")),
        ("12% higher than before", (12.0, "%", "a relative change, not an absolute score")),
        ("over 90% of our code is written by AI", (90.0, "%", "a share of something, not a benchmark score")),
        ("human experts score 69.7% on it", (69.7, "%", "a human baseline")),
        ("a set of 500 tasks", (500.0, None, "a count, not a score")),
        ("released in 2025", (2025.0, None, "a year")),
        ("see Table 3", (3.0, None, "a reference or label number")),
        ("reaching 60–65%", (65.0, "%", "a range, not one score")),
        ("the first to exceed 50%", (50.0, "%", "a threshold, not a score")),
    ],
)
def test_quantities_and_their_filters(text: str, expected: tuple[float, str | None, str | None]) -> None:
    q = find_quantities(text, [])[0]
    assert (q.value, q.unit, q.blocked) == expected


@pytest.mark.parametrize("text", ["pass@1 and maj@64", "with 671B parameters", "a 128K context window", "on 12 May"])
def test_non_scores_never_become_candidates(text: str) -> None:
    assert [q.text for q in find_quantities(text, []) if q.is_candidate] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SWE-Bench Verified and SWEbench Lite",
            [("benchmark", "swe-bench-verified"), ("benchmark", "swe-bench-lite")],
        ),
        ("GPT-4.5 and GPT-4o", [("model", "gpt-4-5"), ("model", "gpt-4o-2024-05-13")]),
        ("OpenHands with Claude 3.5 Sonnet", [("scaffold", "openhands"), ("model", None)]),
        ("ARC-AGI-2 and AIME 2025", [("benchmark", "arc-agi-2"), ("benchmark", "aime-2025")]),
        ("Terminal-Bench 3.0 and SWE-bench Java", [("benchmark", None), ("benchmark", "swe-bench-java")]),
        ("Foo-2.5-Coder-32B-Instruct beats GPT-6", [("model", None), ("model", None)]),
        ("Figure 3 and Table 2 in Python 3.11", []),
    ],
)
def test_mentions(text: str, expected: list[tuple[str, str | None]]) -> None:
    found = find_mentions(text, default_registry())
    kinds = [(m.kind, m.entity_id) for m in found]
    assert [k for k, _ in kinds] == [k for k, _ in expected]
    for (kind, got), (_, want) in zip(kinds, expected, strict=True):
        if want is not None:
            assert got == want, (kind, got, want)


def test_unseen_family_variant_keeps_its_parent() -> None:
    [m] = find_mentions("Terminal-Bench 3.0", default_registry())
    assert m.how == "variant" and m.parent == "terminal-bench" and m.text == "Terminal-Bench 3.0"
