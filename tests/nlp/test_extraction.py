"""Claim extraction end to end on the hard cases, through the real spaCy pipeline."""

from __future__ import annotations

import pytest

from ingest.documents import Table
from ingest.nlp.pipeline import ExtractedClaim, Extractor


def triples(claims: list[ExtractedClaim]) -> set[tuple[str, str, float]]:
    return {(c.model, c.benchmark, c.value) for c in claims}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "o3 scores 71.7% on SWE-bench Verified and 88% on Aider polyglot.",
            {("o3", "SWE-bench Verified", 71.7), ("o3", "Aider Polyglot", 88.0)},
        ),
        (
            "Claude 3.7 Sonnet reaches 62.3% on SWE-bench Verified, outperforming o1 (48.9%).",
            {("Claude 3.7 Sonnet", "SWE-bench Verified", 62.3), ("o1", "SWE-bench Verified", 48.9)},
        ),
        (
            "On GPQA Diamond, GPT-4.5 reaches 71.4% (vs. 53.6% for GPT-4o).",
            {("GPT-4.5", "GPQA Diamond", 71.4), ("GPT-4o", "GPQA Diamond", 53.6)},
        ),
        (
            "o3 achieves 87.7%, 71.7% and 96.7% on GPQA Diamond, SWE-bench Verified and AIME 2024 respectively.",
            {("o3", "GPQA Diamond", 87.7), ("o3", "SWE-bench Verified", 71.7), ("o3", "AIME 2024", 96.7)},
        ),
        (
            "On SWE-bench Verified, Claude 3.7 Sonnet scores 62.3%, up from o1's 41.0%.",
            {("Claude 3.7 Sonnet", "SWE-bench Verified", 62.3), ("o1", "SWE-bench Verified", 41.0)},
        ),
        ("GPT-5 has a 50% time horizon of 2 hours 15 minutes.", {("GPT-5", "METR 50% time horizon", 135.0)}),
        ("o3 reaches a Codeforces Elo of 2727.", {("o3", "Codeforces", 2727.0)}),
    ],
)
def test_prose_hard_cases(rules: Extractor, text: str, expected: set[tuple[str, str, float]]) -> None:
    assert triples(rules.extract(text).claims) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Human experts score 69.7% on GPQA Diamond.",
        "The new model improves by 12% over its predecessor on SWE-bench Verified.",
        "SWE-bench Verified contains 500 tasks; o3 costs $2 per million tokens with a 200K context window.",
        "Over 90% of the code for Claude Code is written by Claude.",
        "We release a benchmark of 1,200 tasks in 2025 and evaluate 8 models on it.",
        "",
    ],
)
def test_numbers_that_are_not_scores(rules: Extractor, text: str) -> None:
    assert rules.extract(text).claims == []


def test_settings_scaffolds_and_evidence_offsets(rules: Extractor) -> None:
    text = "Intro line.\nUsing OpenHands, Claude 3.5 Sonnet resolves 53.0% of SWE-bench Verified issues with pass@1."
    [claim] = rules.extract(text).claims
    assert claim.model.startswith("Claude 3.5 Sonnet") and (claim.value, claim.unit) == (53.0, "%")
    assert claim.setting is not None and "scaffold: OpenHands" in claim.setting and "pass@1" in claim.setting
    assert text[claim.start : claim.end] == claim.sentence and claim.sentence.startswith("Using OpenHands")


def test_flattened_table_models_as_columns_with_footnotes(rules: Extractor) -> None:
    text = (
        "| Benchmark | Claude Opus 4 | GPT-4.1 |\n|---|---|---|\n"
        "| SWE-bench Verified | 72.5% / 79.4%* | 54.6% |\n| GPQA Diamond | **79.6%** | — |\n\n"
        "* With parallel test-time compute."
    )
    claims = rules.extract(text).claims
    assert triples(claims) == {
        ("Claude Opus 4", "SWE-bench Verified", 72.5),
        ("Claude Opus 4", "SWE-bench Verified", 79.4),
        ("GPT-4.1", "SWE-bench Verified", 54.6),
        ("Claude Opus 4", "GPQA Diamond", 79.6),
    }
    footnoted = next(c for c in claims if c.value == 79.4)
    assert footnoted.setting == "parallel test-time compute"


def test_structured_table_models_as_rows(rules: Extractor) -> None:
    table = Table(
        caption="Results",
        header=["Model", "AIME 2025", "Terminal-Bench 2.0"],
        rows=[["Nimbus-3 Pro", "91.2", "48.0"], ["GPT-5", "94.6", "—"]],
    )
    claims = rules.extract("Nimbus Labs results.", tables=[table]).claims
    assert triples(claims) == {
        ("Nimbus-3 Pro", "AIME 2025", 91.2),
        ("Nimbus-3 Pro", "Terminal-Bench 2.0", 48.0),
        ("GPT-5", "AIME 2025", 94.6),
    }
    nimbus = next(c for c in claims if c.model == "Nimbus-3 Pro")
    assert nimbus.model_verified is False and nimbus.model_id is None


def test_unseen_entities_are_kept_and_flagged(rules: Extractor) -> None:
    [claim] = rules.extract("Kestrel-7B-Instruct scores 41.5% on Terminal-Bench 3.0.").claims
    assert (claim.model, claim.model_verified) == ("Kestrel-7B-Instruct", False)
    assert (claim.benchmark, claim.benchmark_verified, claim.benchmark_parent) == (
        "Terminal-Bench 3.0",
        False,
        "terminal-bench",
    )
    assert claim.confidence < 0.9


def test_self_reported_from_publisher(rules: Extractor) -> None:
    claims = rules.extract(
        "o3 scores 71.7% on SWE-bench Verified, ahead of Claude 3.7 Sonnet (62.3%).", publisher="openai"
    ).claims
    assert {c.model: c.self_reported for c in claims} == {"o3": True, "Claude 3.7 Sonnet": False}


def test_milestones_rest_on_claims(rules: Extractor) -> None:
    result = rules.extract("Claude Opus 4.5 scored 80.9% on SWE-bench Verified, the first model to break 80% on it.")
    assert [(m.kind, m.threshold) for m in result.milestones] == [("threshold_crossed", 80.0)]
    assert result.milestones[0].claims == [0] and result.claims[0].value == 80.9


def test_signals_with_the_real_embedding_model(full: Extractor) -> None:
    result = full.extract(
        "Our agents now write most of the training code for the next model. "
        "The assistant helps customer support teams answer tickets faster. "
        "An AI agent autonomously replicated the main results of three published ML papers."
    )
    kinds = {s.kind for s in result.signals}
    assert "autonomous_research" in kinds
    assert all("customer support" not in s.sentence for s in result.signals)
