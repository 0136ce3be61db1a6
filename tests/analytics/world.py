"""Small hand-built graphs for analytics tests: fictional labs, models and benchmarks with known shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from graph.model import Benchmark, Claim, Document, DocumentKind, Model, Organization, SourceKind, Unit
from graph.store import GraphStore

EPOCH = date(2024, 1, 1)


def doc(n: int | str) -> Document:
    return Document(
        id=f"url:https://example.org/report-{n}", kind=DocumentKind.WEBPAGE, url=f"https://example.org/report-{n}"
    )


def claim(
    model: str,
    bench: str,
    value: float,
    reported: date,
    *,
    document: int | str = 0,
    unit: Unit = Unit.PERCENT,
    kind: SourceKind = SourceKind.CURATED,
    setting: str | None = None,
    recorded: datetime | None = None,
    needs_review: bool = False,
) -> Claim:
    return Claim(
        document_id=doc(document).id, model_id=model, benchmark_id=bench, value=value, unit=unit, source_kind=kind,
        source_url=f"https://example.org/report-{document}", reported_date=reported, setting=setting,
        recorded_at=recorded or datetime(2026, 1, 1, tzinfo=UTC), needs_review=needs_review,
    )  # fmt: skip


def horizon_world(store: GraphStore, doubling_days: float = 100.0, months: int = 30) -> list[Claim]:
    """A horizon benchmark whose frontier doubles every ``doubling_days`` by model release date.

    Every model is measured (reported) on one later date, as evaluators re-measure old models,
    so only release dates carry the trend.
    """
    store.init_schema()
    store.upsert([Organization(id="lab-a", name="Lab A"), Benchmark(id="horizon", name="Horizon", unit=Unit.MINUTES),
                  doc(0)])  # fmt: skip
    models, claims = [], []
    for i in range(months):
        released = EPOCH + timedelta(days=30 * i)
        model_id = f"m{i:02d}"
        models.append(Model(id=model_id, name=f"Model {i}", organization_id="lab-a", release_date=released))
        value = 2.0 * 2 ** ((released - EPOCH).days / doubling_days)
        claims.append(claim(model_id, "horizon", round(value, 6), date(2026, 6, 1), unit=Unit.MINUTES))
        if i % 3 == 1:  # a weaker model on the same day: not on the frontier
            weak = f"w{i:02d}"
            models.append(Model(id=weak, name=f"Weak {i}", organization_id="lab-a", release_date=released))
            claims.append(claim(weak, "horizon", round(value / 3, 6), date(2026, 6, 1), unit=Unit.MINUTES))
    store.upsert(models)
    store.upsert(claims)
    return claims


def percent_world(store: GraphStore) -> None:
    """A percentage benchmark with a human baseline, ties, an independent re-run and a conflict."""
    store.init_schema()
    store.upsert([
        Organization(id="lab-a", name="Lab A"), Organization(id="lab-b", name="Lab B"),
        Model(id="a1", name="A1", organization_id="lab-a", release_date=date(2024, 1, 10), open_weights=True),
        Model(id="a2", name="A2", organization_id="lab-a", release_date=date(2024, 6, 1), open_weights=True),
        Model(id="b1", name="B1", organization_id="lab-b", release_date=date(2024, 3, 1), open_weights=False),
        Model(id="b2", name="B2", organization_id="lab-b", release_date=date(2025, 1, 5), open_weights=False),
        Benchmark(id="codebench", name="CodeBench", item_count=500, human_baseline=70.0, capabilities=["coding"]),
        Benchmark(id="quizbench", name="QuizBench", item_count=200, capabilities=["general-knowledge"]),
        *[doc(i) for i in range(6)],
    ])  # fmt: skip
    store.upsert([
        claim("a1", "codebench", 30.0, date(2024, 1, 10), document=1, kind=SourceKind.SELF_REPORTED),
        claim("b1", "codebench", 31.0, date(2024, 3, 1), document=2, kind=SourceKind.SELF_REPORTED),  # tie with 30
        claim("a2", "codebench", 55.0, date(2024, 6, 1), document=3, kind=SourceKind.SELF_REPORTED),
        claim("b2", "codebench", 82.5, date(2025, 1, 5), document=4, kind=SourceKind.SELF_REPORTED),
        claim("b2", "codebench", 74.5, date(2025, 2, 1), document=5, kind=SourceKind.THIRD_PARTY),
        claim("a2", "codebench", 50.0, date(2024, 7, 1), document=5, kind=SourceKind.THIRD_PARTY),
        claim("a2", "quizbench", 91.0, date(2024, 6, 1), document=3, kind=SourceKind.SELF_REPORTED),
        claim("a2", "quizbench", 91.0, date(2024, 7, 1), document=5, kind=SourceKind.THIRD_PARTY),
        claim("b2", "quizbench", 96.5, date(2025, 1, 5), document=4, kind=SourceKind.SELF_REPORTED),
        claim("b2", "quizbench", 96.0, date(2025, 2, 1), document=5, kind=SourceKind.THIRD_PARTY),
        claim("b1", "quizbench", 99.0, date(2024, 3, 2), document=2, kind=SourceKind.SELF_REPORTED, needs_review=True),
    ])  # fmt: skip
