"""The weekly digest on both stores: build, render, HTTP negotiation, CLI files, the worker, a snapshot.

The world is fictional (labs, models, documents and URLs invented here) and spans three ISO weeks of
record time: 2026-W46/W47 hold the history, 2026-W48 the week under test, 2026-W49 one later claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli_app
from api.digest.build import DigestConfig, build_digest
from api.digest.deliver import render_text, write_digest
from api.digest.model import Digest
from api.digest.render import render_markdown
from api.digest.week import InvalidWeekError, IsoWeek
from api.routes.digest import negotiate
from graph.embedded import EmbeddedStore
from graph.model import (
    Benchmark,
    Capability,
    Claim,
    Document,
    DocumentKind,
    Model,
    Organization,
    Signal,
    SourceKind,
    Unit,
)
from graph.settings import Settings
from graph.store import GraphStore

SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "digest" / "2026-W48.md"
CITATION = re.compile(r"\[(clm_[0-9a-f]{20}|[a-z]+:[^\]]+)\]\(https?://[^)\s]+\)")
runner = CliRunner()


def at(day: int, month: int = 11, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


DOCS = {
    "alpha": ("url:https://lab-a.example/news/alpha-2", DocumentKind.ANNOUNCEMENT, "Introducing Alpha-2", "lab-a",
              at(10)),
    "beta": ("url:https://lab-b.example/blog/beta-2", DocumentKind.ANNOUNCEMENT, "Beta-2 is here", "lab-b", at(18)),
    "gamma": ("url:https://papers.example/gamma-1", DocumentKind.PAPER, "Gamma-1: an agent that writes its own "
              "training code", "lab-b", at(24)),
    "evals": ("url:https://evals.example/reports/week-48", DocumentKind.WEBPAGE, "Independent evaluation round 48",
              None, at(26)),
    "later": ("url:https://evals.example/reports/week-49", DocumentKind.WEBPAGE, "Independent evaluation round 49",
              None, at(30)),
}  # fmt: skip


def _claim(doc: str, model: str, bench: str, value: float, reported: date, recorded: datetime, **kw: object) -> Claim:
    doc_id, *_ = DOCS[doc]
    unit = Unit.MINUTES if bench == "metr-time-horizon-50" else Unit.PERCENT
    kind = kw.pop("kind", SourceKind.SELF_REPORTED if doc in ("alpha", "beta", "gamma") else SourceKind.THIRD_PARTY)
    return Claim(document_id=doc_id, model_id=model, benchmark_id=bench, value=value, unit=unit, source_kind=kind,
                 source_url=doc_id.removeprefix("url:"), reported_date=reported, recorded_at=recorded,
                 **kw)  # fmt: skip


def world(store: GraphStore) -> None:
    """History in W46/W47; in W48 a new record on SWE-bench Verified and METR, a conflicting third-party run,
    a saturating QuizBench result, a flagged claim and an extracted signal; in W49 one more horizon."""
    store.init_schema()
    store.upsert([
        Organization(id="lab-a", name="Lab A"), Organization(id="lab-b", name="Lab B"),
        Capability(id="coding", name="Coding"),
        Capability(id="long-horizon-autonomy", name="Long-horizon autonomy"),
        Capability(id="general-knowledge", name="General knowledge"),
        Model(id="alpha-1", name="Alpha-1", organization_id="lab-a", release_date=date(2025, 1, 10)),
        Model(id="alpha-2", name="Alpha-2", organization_id="lab-a", release_date=date(2025, 6, 1)),
        Model(id="beta-1", name="Beta-1", organization_id="lab-b", release_date=date(2025, 3, 1)),
        Model(id="beta-2", name="Beta-2", organization_id="lab-b", release_date=date(2025, 9, 1)),
        Model(id="gamma-1", name="Gamma-1", organization_id="lab-b", release_date=date(2026, 11, 10)),
        Benchmark(id="swe-bench-verified", name="SWE-bench Verified", item_count=500, capabilities=["coding"]),
        Benchmark(id="metr-time-horizon-50", name="METR 50% time horizon", unit=Unit.MINUTES,
                  capabilities=["long-horizon-autonomy"]),
        Benchmark(id="quizbench", name="QuizBench", capabilities=["general-knowledge"]),
        *[Document(id=i, kind=k, title=t, url=i.removeprefix("url:"), organization_id=o, recorded_at=r,
                   published=r.date()) for i, k, t, o, r in DOCS.values()],
    ])  # fmt: skip
    store.upsert([
        _claim("alpha", "alpha-1", "swe-bench-verified", 40.0, date(2025, 1, 10), at(10)),
        _claim("alpha", "alpha-2", "swe-bench-verified", 55.0, date(2025, 6, 1), at(10)),
        _claim("beta", "beta-2", "swe-bench-verified", 70.0, date(2025, 9, 1), at(18)),
        _claim("alpha", "alpha-1", "metr-time-horizon-50", 10.0, date(2025, 1, 10), at(10)),
        _claim("beta", "beta-1", "metr-time-horizon-50", 20.0, date(2025, 3, 1), at(18)),
        _claim("alpha", "alpha-2", "metr-time-horizon-50", 40.0, date(2025, 6, 1), at(10)),
        _claim("beta", "beta-2", "metr-time-horizon-50", 80.0, date(2025, 9, 1), at(18)),
        _claim("alpha", "alpha-2", "quizbench", 85.0, date(2025, 6, 1), at(10)),
        _claim("beta", "beta-2", "quizbench", 92.0, date(2025, 9, 1), at(18)),
        # 2026-W48
        _claim("gamma", "gamma-1", "swe-bench-verified", 82.0, date(2026, 11, 23), at(24, 11, 9)),
        _claim("gamma", "gamma-1", "metr-time-horizon-50", 300.0, date(2026, 11, 23), at(24, 11, 9)),
        _claim("evals", "beta-2", "swe-bench-verified", 64.5, date(2026, 11, 25), at(26)),
        _claim("evals", "gamma-1", "quizbench", 96.0, date(2026, 11, 25), at(26)),
        _claim("evals", "alpha-1", "quizbench", 50.0, date(2026, 11, 25), at(26), needs_review=True),
        _claim("evals", "alpha-2", "quizbench", 86.0, date(2026, 11, 25), at(29, 11, 23, 59, 59)),
        # 2026-W49: Monday 00:00 is the next week
        _claim("later", "gamma-1", "metr-time-horizon-50", 400.0, date(2026, 11, 30), at(30, 11, 0, 0, 0)),
    ])  # fmt: skip
    store.upsert([
        Signal(kind="rd_automation", date=date(2026, 11, 23), score=0.8, origin="extracted", recorded_at=at(24),
               text="Gamma-1 wrote most of the training code of its successor", based_on=[DOCS["gamma"][0]]),
        Signal(kind="rd_automation", date=date(2025, 9, 1), score=0.6, origin="extracted", recorded_at=at(18),
               text="Beta-2 tunes its own hyperparameters", based_on=[DOCS["beta"][0]]),
    ])  # fmt: skip


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    world(store)
    return store


def claim_id(store: GraphStore, model: str, bench: str, value: float) -> str:
    from graph.store import ClaimQuery

    rows = store.claim_rows(ClaimQuery(benchmark_id=bench, model_id=model))
    return next(r.id for r in rows if r.value == value)


# -- weeks ---------------------------------------------------------------------------------------


def test_weeks_parse_and_validate() -> None:
    week = IsoWeek.parse("2026-W48")
    assert IsoWeek.parse("2026W48") == week and IsoWeek.parse(" 2026-w48 ") == week
    assert (week.monday, week.sunday, week.label) == (date(2026, 11, 23), date(2026, 11, 29), "2026-W48")
    assert week.start == at(23) and week.end == at(30)
    assert week.previous().label == "2026-W47" and IsoWeek.parse("2026-W53").next().label == "2027-W01"
    assert IsoWeek.parse("2020-W53").monday == date(2020, 12, 28)
    cases = [("2026-W54", "01 to 53"), ("2026-48", "expected YYYY-Www"), ("2021-W53", "2021 has 52"),
             ("2026-W00", "01 to 53"), ("", "expected YYYY-Www"), ("2026-W4", "expected YYYY-Www")]  # fmt: skip
    for bad, says in cases:
        with pytest.raises(InvalidWeekError, match=re.escape(repr(bad))) as info:
            IsoWeek.parse(bad)
        assert says in str(info.value)


def test_negotiation() -> None:
    assert negotiate(None) == "json" and negotiate("*/*") == "json" and negotiate("application/json") == "json"
    assert negotiate("text/markdown") == "md" and negotiate("text/*") == "md"
    assert negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") == "html"
    assert negotiate("application/json;q=0.5, text/markdown") == "md"
    assert negotiate("text/html;q=0, */*") == "json" and negotiate("*/*;q=0, text/html") == "html"
    assert negotiate("application/xml") is None and negotiate("image/png, text/plain") is None


# -- build ---------------------------------------------------------------------------------------


def test_sections_of_the_week(graph: GraphStore) -> None:
    d = build_digest(graph, "2026-W48")
    assert (d.week, d.start, d.end, d.previous_week) == ("2026-W48", date(2026, 11, 23), date(2026, 11, 29), "2026-W47")
    assert d.new_claims == 6 and d.new_documents == 2  # the Sunday 23:59:59 claim is in; Monday 00:00 is not
    assert [(a.name, a.claims.total) for a in d.areas] == [("General knowledge", 3), ("Coding", 2),
                                                           ("Long-horizon autonomy", 1)]  # fmt: skip
    flagged = [c for a in d.areas for c in a.claims.items if c.needs_review]
    assert [(c.model, c.value) for c in flagged] == [("Alpha-1", 50.0)]

    sota = {r.benchmark_id: r for r in d.records.items}
    assert set(sota) == {"swe-bench-verified", "metr-time-horizon-50", "quizbench"}
    swe = sota["swe-bench-verified"]
    assert (swe.model, swe.value, swe.previous_value, swe.previous_model) == ("Gamma-1", 82.0, 70.0, "Beta-2")
    assert [(c.id, c.url) for c in swe.citations] == [
        (claim_id(graph, "gamma-1", "swe-bench-verified", 82.0), "https://papers.example/gamma-1")
    ]
    kinds = {(m.kind, m.benchmark_id) for m in d.milestones.items}
    assert ("threshold_crossed", "swe-bench-verified") in kinds and ("horizon_crossed", "metr-time-horizon-50") in kinds
    assert all(m.citations for m in d.milestones.items)
    assert [s.text for s in d.signals.items if s.origin == "extracted"] == [
        "Gamma-1 wrote most of the training code of its successor"
    ], "only the signal recorded this week is new"

    ix = d.index
    assert ix.before is not None and ix.after is not None and ix.after > ix.before and ix.moved
    moved = {a.id: a for a in ix.areas}
    assert set(moved) == {"coding", "long-horizon-autonomy"}
    assert moved["coding"].after == pytest.approx(82 / 90, abs=1e-4) and moved["coding"].before == pytest.approx(
        70 / 90, abs=1e-4
    )
    assert {c.id for c in ix.citations} == {
        claim_id(graph, "gamma-1", "swe-bench-verified", 82.0),
        claim_id(graph, "gamma-1", "metr-time-horizon-50", 300.0),
    }

    metr = next(t for t in d.trends.items if t.benchmark_id == "metr-time-horizon-50")
    assert metr.doubling_before and metr.doubling_after and metr.doubling_after != metr.doubling_before
    assert [c.id for c in metr.citations] == [claim_id(graph, "gamma-1", "metr-time-horizon-50", 300.0)]

    assert [(s.benchmark_id, s.status_before, s.status_after) for s in d.saturation.items] == [
        ("quizbench", "near", "saturated")
    ]
    assert [(c.model, c.benchmark) for c in d.conflicts.items] == [("Beta-2", "SWE-bench Verified"),
                                                                  ("Alpha-2", "QuizBench")]  # fmt: skip
    conflict = d.conflicts.items[0]
    assert (conflict.model, conflict.benchmark, conflict.spread) == ("Beta-2", "SWE-bench Verified", 5.5)
    assert [(v.value, v.new) for v in conflict.values] == [(70.0, False), (64.5, True)]
    assert len(conflict.citations) == 2

    docs = [x.id for x in d.documents.items]
    assert docs == [DOCS["gamma"][0], DOCS["evals"][0]], "the paper bears the records and the signal"
    assert d.documents.items[0].signals >= 1 and d.documents.items[0].milestones >= 3
    assert [c.benchmark_id for c in d.charts] == ["metr-time-horizon-50", "swe-bench-verified", "quizbench"]


def test_caps_say_how_many_more(graph: GraphStore) -> None:
    d = build_digest(graph, "2026-W48", DigestConfig(claims_per_area=1, items_per_section=1))
    quiz = next(a for a in d.areas if a.id == "general-knowledge")
    assert len(quiz.claims.items) == 1 and quiz.claims.total == 3 and quiz.claims.more == 2
    assert d.records.total == 3 and len(d.records.items) == 1
    text = render_markdown(d)
    assert "… and 2 more claims in General knowledge." in text and "… and 2 more records." in text


def test_reviewed_claims(graph: GraphStore) -> None:
    """A rejected claim is not news; an accepted flagged one is listed without the flag."""
    rejected = _claim("evals", "beta-1", "quizbench", 99.0, date(2026, 11, 25), at(27))
    accepted = _claim("evals", "beta-1", "swe-bench-verified", 66.0, date(2026, 11, 25), at(27), needs_review=True)
    graph.upsert([rejected, accepted])
    graph.review(rejected.id, "rejected", "analyst", at(28))
    graph.review(accepted.id, "accepted", "analyst", at(28))
    d = build_digest(graph, "2026-W48")
    listed = {(c.model, c.benchmark_id): c for a in d.areas for c in a.claims.items}
    assert ("Beta-1", "quizbench") not in listed and d.new_claims == 7
    assert listed[("Beta-1", "swe-bench-verified")].needs_review is False
    assert [s.benchmark_id for s in d.saturation.items] == ["quizbench"] and d.saturation.items[0].value == 96.0


def test_later_week_and_empty_week(graph: GraphStore) -> None:
    later = build_digest(graph, "2026-W49")
    assert later.new_claims == 1 and later.areas[0].claims.items[0].value == 400.0
    assert not later.records.items or [r.value for r in later.records.items] == [400.0]
    assert [[v.value for v in c.values] for c in later.conflicts.items] == [[300.0, 400.0]], "last week's vs this one"
    assert not later.saturation.items

    empty = build_digest(graph, IsoWeek(2026, 50))
    assert empty.empty and empty.new_claims == 0 and not empty.areas and not empty.charts
    assert empty.index.after == empty.index.before and not empty.index.moved and empty.index.citations
    text = render_markdown(empty)
    assert "\n_No new claims were recorded in 2026-W50._\n" in text
    index_line = next(line for line in text.splitlines() if line.startswith("The AI R&D automation index stands at"))
    assert "unchanged this week" in index_line and CITATION.search(index_line)
    assert [h for h in text.splitlines() if h.startswith("## ")] == ["## Automation index"]


def test_every_statement_cites_its_claims(graph: GraphStore) -> None:
    d = build_digest(graph, "2026-W48")
    text = render_markdown(d, {c.benchmark_id: f"2026-W48/{c.benchmark_id}.png" for c in d.charts})
    statements = [
        line for line in text.splitlines()
        if line.strip() and not line.startswith(("#", "![")) and not (line.startswith("_") and line.endswith("_"))
    ]  # fmt: skip
    assert len(statements) >= 15
    assert [line for line in statements if not CITATION.search(line)] == []
    html = render_text(graph, d, "html")
    assert html.count('class="cite" href="https://') >= len(statements)
    assert "<svg" in html and "<?xml" not in html


def test_deterministic(graph: GraphStore) -> None:
    first, second = build_digest(graph, "2026-W48"), build_digest(graph, "2026-W48")
    assert first == second
    assert render_text(graph, first, "md") == render_text(graph, second, "md")
    assert render_text(graph, first, "json") == render_text(graph, second, "json")
    html = render_text(graph, first, "html")
    assert html == render_text(graph, second, "html") and html.count("<svg") == 3
    assert Digest.model_validate_json(render_text(graph, first, "json")) == first


def test_markdown_snapshot(graph: GraphStore, tmp_path: Path) -> None:
    """The Markdown of the fixed world, as written with its charts, against the reviewed file."""
    paths = write_digest(graph, build_digest(graph, "2026-W48"), tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "2026-W48.md", "2026-W48/metr-time-horizon-50.png", "2026-W48/quizbench.png",
        "2026-W48/swe-bench-verified.png",
    ]  # fmt: skip
    assert paths[0].read_text(encoding="utf-8") == SNAPSHOT.read_text(encoding="utf-8")


# -- HTTP ----------------------------------------------------------------------------------------


@pytest.fixture
def client(graph: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, graph)) as c:
        yield c


def test_http_negotiates_the_three_formats(client: TestClient, graph: GraphStore) -> None:
    as_json = client.get("/digest/2026-W48")
    assert as_json.status_code == 200 and as_json.headers["content-type"] == "application/json"
    assert as_json.json()["week"] == "2026-W48" and as_json.headers["vary"] == "Accept"
    assert Digest.model_validate(as_json.json()) == build_digest(graph, "2026-W48")
    md = client.get("/digest/2026W48", headers={"Accept": "text/markdown"})
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# AI R&D automation digest")
    html = client.get("/digest/2026-W48", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html") and "<svg" in html.text
    forced = client.get("/digest/2026-W48", params={"format": "md"}, headers={"Accept": "text/html"})
    assert forced.headers["content-type"].startswith("text/markdown")
    assert client.get("/digest/2026-W48", params={"format": "json"}, headers={"Accept": "image/png"}).status_code == 200


def test_http_errors_are_problems(client: TestClient) -> None:
    refused = client.get("/digest/2026-W48", headers={"Accept": "application/xml"})
    assert refused.status_code == 406 and refused.headers["content-type"] == "application/problem+json"
    assert "text/markdown" in refused.json()["detail"]
    for bad in ("2026-W54", "2026-48", "2021-W53", "2999-W01"):
        r = client.get(f"/digest/{bad}")
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", bad
        assert bad in r.json()["detail"]
    wrong = client.get("/digest/2026-W48", params={"format": "pdf"})
    assert wrong.status_code == 422 and "format" in wrong.json()["detail"]


def test_openapi_documents_the_media_types(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/digest/{iso_week}"]["get"]
    assert {"application/json", "text/markdown", "text/html"} <= set(op["responses"]["200"]["content"])
    assert {"406", "422"} <= set(op["responses"])


# -- CLI and worker (embedded store, as the CLI opens it from the settings) -----------------------


@pytest.fixture
def cli_graph(settings: Settings) -> Settings:
    store = EmbeddedStore(settings.embedded_path)
    try:
        world(store)
    finally:
        store.close()
    return settings


def test_cli_writes_markdown_with_charts_html_and_json(cli_graph: Settings, tmp_path: Path) -> None:
    result = runner.invoke(cli_app, ["digest", "--week", "2026-W48"])
    assert result.exit_code == 0, result.output
    home = cli_graph.data_dir / "digests"
    text = (home / "2026-W48.md").read_text(encoding="utf-8")
    assert "](2026-W48/swe-bench-verified.png)" in text
    charts = sorted((home / "2026-W48").iterdir())
    assert [p.name for p in charts] == ["metr-time-horizon-50.png", "quizbench.png", "swe-bench-verified.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in charts)

    out = tmp_path / "elsewhere"
    assert runner.invoke(cli_app, ["digest", "--week", "2026W48", "--format", "html", "--out", str(out)]).exit_code == 0
    html = (out / "2026-W48.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "clm_" in html
    assert (
        runner.invoke(cli_app, ["digest", "--week", "2026-W48", "--format", "json", "--out", str(out)]).exit_code == 0
    )
    assert Digest.model_validate_json((out / "2026-W48.json").read_text(encoding="utf-8")).new_claims == 6

    printed = runner.invoke(cli_app, ["digest", "--week", "2026-W48", "--out", "-"])
    assert printed.exit_code == 0 and printed.stdout == text.split("## Charts")[0].rstrip() + "\n"


def test_cli_bad_week_is_one_line(cli_graph: Settings) -> None:
    for bad in ("2026-W54", "2026-48", "2021-W53", "2999-W01"):
        result = runner.invoke(cli_app, ["digest", "--week", bad])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --week") and bad in lines[0]
    assert runner.invoke(cli_app, ["digest", "--week", "2026-W48", "--format", "pdf"]).exit_code == 2


def test_worker_once_writes_this_and_last_weeks_digests(settings: Settings) -> None:
    result = runner.invoke(cli_app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    current = IsoWeek.containing(datetime.now(UTC).date())
    names = {p.name for p in (settings.data_dir / "digests").iterdir()}
    for week in (current.previous(), current):
        assert {f"{week.label}.md", f"{week.label}.html"} <= names
    this_week = (settings.data_dir / "digests" / f"{current.label}.md").read_text(encoding="utf-8")
    assert "new claims from" in this_week, "the sample was recorded by this run: it is this week's news"
