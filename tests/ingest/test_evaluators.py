"""Evaluator result files (METR's time horizons, Epoch AI's benchmark CSVs) into the graph, on both stores."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from graph.embedded import EmbeddedStore
from graph.model import Benchmark, Claim, Document, DocumentKind, Model, SourceKind, Unit
from graph.schema import Label
from graph.store import ClaimQuery, GraphStore, iter_claims
from ingest.curated import SAMPLE_DIR, SAMPLE_METR_FILE, load_sample
from ingest.errors import InputFileError
from ingest.evaluators.common import ModelNames
from ingest.evaluators.epoch import import_epoch_file, split_setting
from ingest.evaluators.metr import dotted, entry_spans, import_metr_file
from ingest.nlp.registry import default_registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "evaluators"
METR_URL = "https://metr.org/assets/test_results.yaml"
runner = CliRunner()


def claims_of(store: GraphStore, **filters: object) -> list[Claim]:
    return list(iter_claims(store, ClaimQuery.model_validate(filters)))


def one(claims: list[Claim], model: str, benchmark: str) -> Claim:
    found = [c for c in claims if c.model_id == model and c.benchmark_id == benchmark]
    assert len(found) == 1, (model, benchmark, found)
    return found[0]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def assert_traceable(claims: list[Claim], text: str) -> None:
    for claim in claims:
        assert claim.evidence_start is not None and claim.evidence_end is not None
        assert text[claim.evidence_start : claim.evidence_end] == claim.evidence_sentence


# ---- METR


def test_metr_file_claims_values_intervals_settings_and_evidence(store: GraphStore) -> None:
    path = FIXTURES / "metr_results.yaml"
    text = path.read_text(encoding="utf-8")
    report = import_metr_file(store, path, reported=date(2026, 5, 6), url=METR_URL)
    assert (report.rows, report.imported, len(report.skipped)) == (9, 8, 4)
    claims = claims_of(store)
    assert len(claims) == 8
    p50 = one(claims, "claude-3-7-sonnet-20250219", "metr-time-horizon-50")
    assert (p50.value, p50.value_low, p50.value_high, p50.unit) == (55.5, 31.25, 95.5, Unit.MINUTES)
    assert (p50.metric, p50.setting) == ("p50_horizon_length", "METR-Horizon-v1.1")
    assert p50.source_kind is SourceKind.THIRD_PARTY
    assert (p50.reported_date, p50.source_url) == (date(2026, 5, 6), METR_URL)
    p80 = one(claims, "claude-3-7-sonnet-20250219", "metr-time-horizon-80")
    assert (p80.value, p80.value_low, p80.value_high, p80.metric) == (11.75, 4.5, 25.0, "p80_horizon_length")
    old_suite = one(claims, "gpt-4-0314", "metr-time-horizon-50")
    assert old_suite.setting == "METR-Horizon-v1.0"
    assert one(claims, "gpt-4-0314", "metr-time-horizon-80").value_low is None
    assert [c.benchmark_id for c in claims if c.model_id == "o1"] == ["metr-time-horizon-50"]
    assert_traceable(claims, text)
    assert p50.evidence_sentence.startswith("claude_3_7_sonnet_inspect:") and "estimate: 55.5" in p50.evidence_sentence
    assert "o1_inspect" not in p50.evidence_sentence and p50.evidence_sentence.endswith("- metr_agents/react")
    doc = store.get(Label.DOCUMENT, p50.document_id)
    assert isinstance(doc, Document)
    assert (doc.kind, doc.source, doc.organization_id, doc.published) == (
        DocumentKind.DATASET, "metr", "metr", date(2026, 5, 6)
    )  # fmt: skip
    assert doc.title == "METR time-horizon results (METR-Horizon-v1.1)" and doc.url == METR_URL


def test_metr_unknown_models_are_unverified_with_release_dates(store: GraphStore) -> None:
    report = import_metr_file(store, FIXTURES / "metr_results.yaml", reported=date(2026, 5, 6), url=METR_URL)
    assert report.new_models == {"claude-opus-9", "nimbus-2-5-pro"}
    opus = store.get(Label.MODEL, "claude-opus-9")
    nimbus = store.get(Label.MODEL, "nimbus-2-5-pro")
    assert isinstance(opus, Model) and isinstance(nimbus, Model)
    assert (opus.verified, opus.release_date, opus.organization_id, opus.name) == (
        False, date(2026, 9, 1), "anthropic", "claude-opus-9"
    )  # fmt: skip
    assert (nimbus.verified, nimbus.release_date, nimbus.organization_id) == (False, date(2025, 10, 10), None)
    known = store.get(Label.MODEL, "o1")
    assert isinstance(known, Model) and known.verified and known.organization_id == "openai"


def test_metr_bad_entries_are_reported_with_line_and_key(embedded_store: EmbeddedStore) -> None:
    path = FIXTURES / "metr_results.yaml"
    text = path.read_text(encoding="utf-8")
    report = import_metr_file(embedded_store, path, reported=date(2026, 5, 6), url=METR_URL)
    lines = report.skip_lines()
    assert lines == [
        f"{path}:{line_of(text, '  broken_negative_inspect:')}: skipped: broken_negative_inspect: "
        "p50_horizon_length.estimate -3.0 is not a non-negative number of minutes",
        f"{path}:{line_of(text, '  broken_text:')}: skipped: broken_text: "
        "p50_horizon_length.estimate 'lots' is not a non-negative number of minutes",
        f"{path}:{line_of(text, '  broken_date:')}: skipped: broken_date: "
        "release_date '2025-13-45' is not a date (YYYY-MM-DD)",
        f"{path}:{line_of(text, '  no_estimates_inspect:')}: skipped: no_estimates_inspect: "
        "no p50_horizon_length or p80_horizon_length estimate",
    ]
    assert embedded_store.get(Label.MODEL, "broken-negative") is None


def test_metr_import_is_idempotent_and_a_revised_file_supersedes(store: GraphStore, tmp_path: Path) -> None:
    path = FIXTURES / "metr_results.yaml"
    first = import_metr_file(store, path, reported=date(2026, 5, 6), url=METR_URL)
    counts = store.counts()
    again = import_metr_file(store, path, reported=date(2026, 5, 6), url=METR_URL)
    assert (again.imported, again.superseded, again.new_models) == (first.imported, 0, set())
    assert store.counts() == counts
    revised = tmp_path / "metr_results.yaml"
    revised.write_text(path.read_text(encoding="utf-8").replace("estimate: 38.5", "estimate: 41.0"))
    later = import_metr_file(store, revised, reported=date(2026, 7, 1), url=METR_URL)
    assert later.superseded == 1
    current = claims_of(store)
    o1 = one(current, "o1", "metr-time-horizon-50")
    assert (o1.value, o1.reported_date) == (41.0, date(2026, 7, 1))
    unchanged = one(current, "claude-3-7-sonnet-20250219", "metr-time-horizon-50")
    assert unchanged.reported_date == date(2026, 5, 6)
    every = claims_of(store, include_superseded=True)
    assert len(every) == len(current) + 1
    assert [c.value for c in every if c.model_id == "o1" and c.superseded_at is not None] == [38.5]


def test_a_newer_metr_release_revises_metrs_own_earlier_figures(store: GraphStore) -> None:
    blog, other = "https://metr.org/blog/2026-01-01-horizons/", "https://evals.example.org/o1-horizons"
    store.upsert([
        Document(id="url:" + blog, kind=DocumentKind.WEBPAGE, url=blog),
        Document(id="url:" + other, kind=DocumentKind.WEBPAGE, url=other),
        Model(id="o1", name="o1"), Model(id="gpt-4-0314", name="GPT-4"),
        Benchmark(id="metr-time-horizon-50", name="METR 50% time horizon", unit=Unit.MINUTES),
    ])  # fmt: skip

    def earlier(model: str, value: float, url: str, setting: str, day: date) -> Claim:
        return Claim(document_id="url:" + url, model_id=model, benchmark_id="metr-time-horizon-50", value=value,
                     unit=Unit.MINUTES, setting=setting, source_kind=SourceKind.THIRD_PARTY, source_url=url,
                     reported_date=day)  # fmt: skip

    revised = earlier("o1", 40.0, blog, "METR-Horizon-v1.1", date(2026, 1, 1))
    elsewhere = earlier("o1", 45.0, other, "METR-Horizon-v1.1", date(2026, 1, 1))
    other_suite = earlier("gpt-4-0314", 5.0, blog, "METR-Horizon-v1.1", date(2026, 1, 1))
    newer = earlier("o1", 42.0, blog, "METR-Horizon-v1.1", date(2026, 8, 1))
    store.upsert([revised, elsewhere, other_suite, newer])
    report = import_metr_file(store, FIXTURES / "metr_results.yaml", reported=date(2026, 5, 6), url=METR_URL)
    assert report.superseded == 1
    current = {c.id for c in claims_of(store)}
    assert revised.id not in current and {elsewhere.id, other_suite.id, newer.id} <= current
    [old] = [c for c in claims_of(store, include_superseded=True) if c.id == revised.id]
    assert old.superseded_at is not None


def test_metr_without_date_uses_the_file_date_and_says_so(embedded_store: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "benchmark_results_9_9.yaml"
    shutil.copy(FIXTURES / "metr_results.yaml", path)
    report = import_metr_file(embedded_store, path)
    claims = claims_of(embedded_store)
    assert claims and {c.source_url for c in claims} == {"https://metr.org/assets/benchmark_results_9_9.yaml"}
    assert {c.reported_date for c in claims} == {datetime.fromtimestamp(path.stat().st_mtime, UTC).date()}
    assert report.dates == {"file modification date": 8}
    assert any("modification date" in note and "--date" in note for note in report.notes)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("results: [unclosed\n", "not YAML"),
        ("- just\n- a list\n", "not a METR results file"),
        ("benchmark_name: X\nresults: []\n", "no `results` mapping"),
        ("benchmark_name: X\n", "no `results` mapping"),
    ],
)
def test_metr_whole_file_problems_name_the_file(
    embedded_store: EmbeddedStore, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    with pytest.raises(InputFileError, match=message) as caught:
        import_metr_file(embedded_store, path, reported=date(2026, 1, 1))
    assert str(path) in str(caught.value)
    assert embedded_store.counts().nodes == {}


def test_entry_spans_follow_the_results_blocks() -> None:
    text = "results:\n  a_inspect:\n    x: 1\n\n  # note\n  'b':\n    y: 2\nother: 3\n"
    spans = entry_spans(text)
    assert text[spans["a_inspect"].start : spans["a_inspect"].end] == "a_inspect:\n    x: 1"
    assert text[spans["b"].start : spans["b"].end] == "'b':\n    y: 2"
    assert (spans["a_inspect"].line, spans["b"].line) == (2, 6)


@pytest.mark.parametrize(
    ("key", "model_id"),
    [
        ("claude_3_5_sonnet_20240620_inspect", "claude-3-5-sonnet-20240620"),
        ("gpt_5_2025_08_07_inspect", "gpt-5"),
        ("o1_inspect", "o1"),
        ("gpt_4", "gpt-4-0314"),
        ("claude_4_opus_inspect", "claude-opus-4"),
        ("claude_opus_4_6_inspect", "claude-opus-4-6"),
        ("gpt_4o_inspect", "gpt-4o-2024-05-13"),
        ("gpt_4_1106_inspect", "gpt-4-1106-preview"),
        ("o1_preview", "o1-preview"),
        ("gemini_3_pro", "gemini-3-pro"),
        ("gpt_5_2", "gpt-5-2"),
        ("claude_3_7_sonnet_inspect", "claude-3-7-sonnet-20250219"),
        ("claude_3_opus_inspect", "claude-3-opus-20240229"),
        ("gpt2", "gpt-2"),
        ("davinci_002", "davinci-002"),
    ],
)
def test_metr_keys_resolve_to_registry_models(key: str, model_id: str) -> None:
    names = ModelNames(default_registry(), "metr")
    base = names.strip_harness(key)
    match = names.resolve(key, [dotted(base), base.replace("_", "-")])
    assert (match.id, match.verified) == (model_id, True)


def _bundled() -> dict[str, dict[str, object]]:
    raw = yaml.safe_load((SAMPLE_DIR / SAMPLE_METR_FILE).read_text(encoding="utf-8"))
    results: dict[str, dict[str, object]] = raw["results"]
    return results


# Keys of the bundled file that models.yaml does not know; the bundled sample's entities define them.
SAMPLE_ONLY = {"gemini_3_1_pro": "gemini-3-1-pro", "gpt_5_3_codex": "gpt-5-3-codex", "gpt_5_4": "gpt-5-4"}


def test_every_bundled_metr_key_resolves_to_a_registry_model() -> None:
    names = ModelNames(default_registry(), "metr")
    unresolved = []
    for key in _bundled():
        base = names.strip_harness(key)
        match = names.resolve(key, [dotted(base), base.replace("_", "-")])
        if not match.verified or (key in SAMPLE_ONLY and match.id != SAMPLE_ONLY[key]):
            unresolved.append((key, match.id))
    assert unresolved == []


def test_bundled_metr_release_dates_agree_with_the_registry() -> None:
    """Trend fits use Model.release_date: METR's date and the registry's must agree (or the registry has none)."""
    registry = default_registry()
    names = ModelNames(registry, "metr")
    mismatches = []
    for key, entry in _bundled().items():
        base = names.strip_harness(key)
        model = registry.models[names.resolve(key, [dotted(base), base.replace("_", "-")]).id]
        if model.release_date is not None and model.release_date != entry["release_date"]:
            mismatches.append((key, model.id, str(model.release_date), str(entry["release_date"])))
    assert mismatches == []


def test_bundled_metr_file_gives_two_claims_per_entry(embedded_store: EmbeddedStore) -> None:
    path = SAMPLE_DIR / SAMPLE_METR_FILE
    report = import_metr_file(embedded_store, path, reported=date(2026, 5, 6), url=METR_URL)
    assert (report.rows, report.imported, report.skipped, report.new_models) == (25, 50, [], set())
    claims = claims_of(embedded_store)
    assert len(claims) == 50 and {c.unit for c in claims} == {Unit.MINUTES}
    assert {c.setting for c in claims} == {"METR-Horizon-v1.1", "METR-Horizon-v1.0"}
    assert all(c.value_low is not None and c.value_low <= c.value <= (c.value_high or 0) for c in claims)
    assert_traceable(claims, path.read_text(encoding="utf-8"))


def test_sample_includes_the_metr_file_and_stays_idempotent(embedded_store: EmbeddedStore) -> None:
    report = load_sample(embedded_store)
    metr_claims = claims_of(embedded_store, document_id="url:https://metr.org/assets/benchmark_results_1_1.yaml")
    assert len(metr_claims) == 50 and {c.reported_date for c in metr_claims} == {date(2026, 5, 6)}
    counts = embedded_store.counts()
    assert load_sample(embedded_store).imported == report.imported == counts.nodes["Claim"]
    assert embedded_store.counts() == counts


# ---- Epoch AI


def test_epoch_run_file(store: GraphStore) -> None:
    path = FIXTURES / "swe_bench_verified.csv"
    text = path.read_text(encoding="utf-8")
    [report] = import_epoch_file(store, path)
    assert (report.layout, report.rows, report.imported, report.benchmarks) == (
        "epoch-run", 6, 4, {"swe-bench-verified"}
    )  # fmt: skip
    assert report.skip_lines() == [
        f"{path}:6: skipped: score 'n/a' in 'mean_score' is not a number",
        f"{path}:7: skipped: Started at 'yesterday' is not an ISO date or timestamp",
    ]
    claims = claims_of(store, benchmark_id="swe-bench-verified")
    o3 = one(claims, "o3", "swe-bench-verified")
    assert (o3.value, o3.unit, o3.metric, o3.setting) == (61.25, Unit.PERCENT, "mean_score", "reasoning effort: high")
    assert (o3.value_low, o3.value_high) == pytest.approx((61.25 - 4.018, 61.25 + 4.018))
    assert (o3.reported_date, o3.source_kind) == (date(2025, 5, 2), SourceKind.THIRD_PARTY)
    assert o3.source_url == "https://epoch.ai/benchmarks/swe-bench-verified"
    sonnet = one(claims, "claude-3-7-sonnet-20250219", "swe-bench-verified")
    assert sonnet.setting == "thinking budget: 16K"
    assert sonnet.evidence_sentence.count("\n") == 1 and '""rough""' in sonnet.evidence_sentence
    nimbus = one(claims, "nimbus-2-5-pro-2025-09-01", "swe-bench-verified")
    assert (nimbus.value, nimbus.value_high) == (99.5, 100.0)
    gpt4o = one(claims, "gpt-4o-2024-11-20", "swe-bench-verified")
    assert (gpt4o.value, gpt4o.value_low, gpt4o.reported_date) == (31.8, None, date(2024, 12, 2))
    assert_traceable(claims, text)
    model = store.get(Label.MODEL, "nimbus-2-5-pro-2025-09-01")
    assert isinstance(model, Model) and (model.verified, model.release_date) == (False, date(2025, 9, 1))
    doc = store.get(Label.DOCUMENT, o3.document_id)
    assert isinstance(doc, Document) and (doc.kind, doc.organization_id) == (DocumentKind.DATASET, "epoch-ai")
    assert doc.published == date(2024, 12, 2)


def test_epoch_external_file_sources_and_dates(store: GraphStore) -> None:
    path = FIXTURES / "aider_polyglot_external.csv"
    [report] = import_epoch_file(store, path, reported=date(2025, 6, 1))
    assert (report.layout, report.imported, report.dates) == ("external", 4, {"Date": 2, "--date": 2})
    assert report.skip_lines() == [f"{path}:6: skipped: score 150% is outside 0-100"]
    claims = claims_of(store, benchmark_id="aider-polyglot")
    high = next(c for c in claims if c.setting == "reasoning effort: high")
    medium = next(c for c in claims if c.setting == "reasoning effort: medium")
    assert (high.model_id, high.value, high.metric, high.source_kind) == (
        "o3", 79.5, "Percent correct", SourceKind.LEADERBOARD
    )  # fmt: skip
    assert (high.source_url, high.reported_date) == ("https://aider.example.org/docs/leaderboards/", date(2025, 4, 20))
    assert (medium.source_kind, medium.value) == (SourceKind.SELF_REPORTED, 70.25)
    opus = one(claims, "claude-opus-4", "aider-polyglot")
    assert (opus.setting, opus.source_kind, opus.reported_date) == (
        "thinking budget: 32K", SourceKind.THIRD_PARTY, date(2025, 6, 1)
    )  # fmt: skip
    nimbus = one(claims, "nimbus-2-5-pro-2025-09-01", "aider-polyglot")
    assert nimbus.source_url == "https://epoch.ai/benchmarks/aider-polyglot"
    assert_traceable(claims, path.read_text(encoding="utf-8"))
    assert len({c.document_id for c in claims}) == 4
    lab_page = store.get(Label.DOCUMENT, medium.document_id)
    assert isinstance(lab_page, Document) and lab_page.organization_id == "openai"


def test_epoch_external_without_dates_falls_back_to_release_date(embedded_store: EmbeddedStore) -> None:
    [report] = import_epoch_file(embedded_store, FIXTURES / "aider_polyglot_external.csv")
    assert report.dates == {"Date": 2, "Release date": 2}
    opus = one(claims_of(embedded_store), "claude-opus-4", "aider-polyglot")
    assert opus.reported_date == date(2025, 5, 22)


def test_epoch_old_single_file_layout(embedded_store: EmbeddedStore) -> None:
    path = FIXTURES / "benchmarks_runs.csv"
    [report] = import_epoch_file(embedded_store, path)
    assert (report.layout, report.imported) == ("runs-legacy", 3)
    assert report.benchmarks == {"gpqa-diamond", "math-level-5", "widget-puzzles-2025"}
    assert report.new_benchmarks == {"widget-puzzles-2025"}
    assert report.skip_lines() == [f"{path}:5: skipped: run status 'Failed'"]
    gpqa = one(claims_of(embedded_store), "gpt-4o-2024-11-20", "gpqa-diamond")
    assert (gpqa.value, gpqa.reported_date, gpqa.metric) == (52.5, date(2025, 1, 5), "Best score (across scorers)")
    assert one(claims_of(embedded_store), "o1", "widget-puzzles-2025").value == 25.0


def test_epoch_zip_imports_each_file_and_reports_a_broken_one(store: GraphStore, tmp_path: Path) -> None:
    archive = tmp_path / "benchmark_data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "swe_bench_verified.csv", "benchmark_data/swe_bench_verified.csv")
        z.write(FIXTURES / "aider_polyglot_external.csv", "benchmark_data/aider_polyglot_external.csv")
        z.writestr("benchmark_data/mystery.csv", "Name,Score\nfoo,1\n")
        z.writestr("benchmark_data/README.txt", "not a csv")
    reports = import_epoch_file(store, archive, reported=date(2025, 6, 1))
    assert [Path(r.source).name for r in reports] == [
        "aider_polyglot_external.csv", "mystery.csv", "swe_bench_verified.csv"
    ]  # fmt: skip
    assert [r.imported for r in reports] == [4, 0, 4]
    assert reports[1].error is not None and "mystery.csv" in reports[1].error and "'Model version'" in reports[1].error
    assert reports[2].skip_lines()[0].startswith(f"{archive}/benchmark_data/swe_bench_verified.csv:6: skipped:")
    counts = store.counts()
    assert counts.nodes["Claim"] == 8
    again = import_epoch_file(store, archive, reported=date(2025, 6, 1))
    assert [r.imported for r in again] == [4, 0, 4] and store.counts() == counts


def test_epoch_missing_columns_name_the_file_and_column(embedded_store: EmbeddedStore, tmp_path: Path) -> None:
    no_model = tmp_path / "gpqa_diamond.csv"
    no_model.write_text("Model,mean_score,Started at\nx,0.5,2025-01-01\n")
    with pytest.raises(InputFileError, match=r"gpqa_diamond\.csv: missing column 'Model version'"):
        import_epoch_file(embedded_store, no_model)
    no_score = tmp_path / "gpqa_diamond.csv"
    no_score.write_text("Model version,Started at\nx,2025-01-01\n")
    with pytest.raises(InputFileError, match=r"gpqa_diamond\.csv: missing column 'mean_score or Best score"):
        import_epoch_file(embedded_store, no_score)
    with pytest.raises(InputFileError, match=r"missing column 'Accuracy' \(from --score-column\)"):
        import_epoch_file(embedded_store, FIXTURES / "swe_bench_verified.csv", score_column="Accuracy")
    assert embedded_store.counts().nodes == {}


def test_epoch_overrides_and_guessed_scale(embedded_store: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "widget_arena_external.csv"
    path.write_text(
        "Model version,Score,Release date,Organization,Source,Source link,id\n"
        "o3-2025-04-16,0.25,2025-04-16,OpenAI,Widget Arena,https://widgets.example.org/arena,w1\n"
    )
    [guessed] = import_epoch_file(embedded_store, path, reported=date(2025, 7, 1))
    assert guessed.new_benchmarks == {"widget-arena"} and any("fraction" in n for n in guessed.notes)
    claim = one(claims_of(embedded_store), "o3", "widget-arena")
    assert (claim.value, claim.source_kind) == (25.0, SourceKind.LEADERBOARD)
    [chosen] = import_epoch_file(embedded_store, path, benchmark="GPQA Diamond", score_column="Score")
    assert chosen.benchmarks == {"gpqa-diamond"} and chosen.dates == {"Release date": 1}
    with pytest.raises(InputFileError, match="unknown benchmark 'no-such-bench'"):
        import_epoch_file(embedded_store, path, benchmark="no-such-bench")


def test_split_setting() -> None:
    assert split_setting("o3-2025-04-16_high") == ("o3-2025-04-16", "reasoning effort: high")
    assert split_setting("claude-3-7-sonnet-20250219_16k") == ("claude-3-7-sonnet-20250219", "thinking budget: 16K")
    assert split_setting("o4-mini-high") == ("o4-mini", "reasoning effort: high")
    assert split_setting("gpt-3.5-turbo-16k") == ("gpt-3.5-turbo-16k", None)
    assert split_setting("model_high_32K") == ("model", "reasoning effort: high; thinking budget: 32K")


# ---- CLI


def test_cli_import_metr_json_and_skips_on_stderr() -> None:
    result = runner.invoke(app, ["import", "metr", str(FIXTURES / "metr_results.yaml"), "--date", "2026-05-06",
                                 "--url", METR_URL, "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["rows"], summary["imported"], summary["skipped"]) == (9, 8, 4)
    assert summary["new_models"] == ["claude-opus-9", "nimbus-2-5-pro"] and summary["dates"] == {"--date": 8}
    assert "metr_results.yaml:" in result.stderr and "skipped: broken_text:" in result.stderr
    stats = json.loads(runner.invoke(app, ["graph", "stats", "--json"]).output)
    assert stats["nodes"]["Claim"] == 8
    plain = runner.invoke(app, ["import", "metr", str(FIXTURES / "metr_results.yaml")])
    assert plain.exit_code == 0 and "8 claims imported from 9 entries" in plain.stdout
    assert "modification date" in plain.stderr


def test_cli_import_epoch_zip(tmp_path: Path) -> None:
    archive = tmp_path / "benchmark_data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "swe_bench_verified.csv", "swe_bench_verified.csv")
        z.write(FIXTURES / "benchmarks_runs.csv", "benchmarks_runs.csv")
    result = runner.invoke(app, ["import", "epoch", str(archive), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["imported"], summary["skipped"], summary["errors"]) == (7, 3, [])
    assert [f["layout"] for f in summary["files"]] == ["runs-legacy", "epoch-run"]
    assert "swe_bench_verified.csv:7: skipped: Started at 'yesterday'" in result.stderr
    table = runner.invoke(app, ["import", "epoch", str(archive)])
    assert table.exit_code == 0 and "7 claims imported from 2 files" in table.stdout


def test_cli_import_epoch_errors(tmp_path: Path) -> None:
    bad_date = runner.invoke(app, ["import", "epoch", str(FIXTURES / "swe_bench_verified.csv"), "--date", "soon"])
    assert bad_date.exit_code == 2 and "--date 'soon'" in bad_date.stderr
    broken = tmp_path / "broken.csv"
    broken.write_text("Name,Score\nfoo,1\n")
    result = runner.invoke(app, ["import", "epoch", str(broken)])
    assert result.exit_code == 1 and "broken.csv: missing column 'Model version'" in result.stderr
    archive = tmp_path / "some.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "swe_bench_verified.csv", "swe_bench_verified.csv")
        z.write(broken, "broken.csv")
    partial = runner.invoke(app, ["import", "epoch", str(archive)])
    assert partial.exit_code == 1 and "1 of 2 files" in partial.stderr
    assert "swe_bench_verified.csv: 4 claims imported" in partial.stdout
