"""Choosing the claims an analysis rests on: one benchmark, like-for-like filters, as believed at a date.

Every analysis reads its claims through :func:`select_claims`, so the same filters mean the same
thing everywhere: source kind, setting, organisation, open weights, report-date window and
``as_of`` (record time). Values reported in another unit of the same dimension (hours on a
minutes benchmark) are converted; values in an incompatible unit are left out. Claims flagged
``needs_review`` (low extraction confidence) are left out unless asked for, so a misread number
cannot set a record; a reviewer's decision overrides the flag: accepted claims count, rejected
ones never do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from graph.model import Benchmark, Model, SourceKind
from graph.schema import Label
from graph.store import ClaimQuery, ClaimRow, GraphStore, NotFoundError

_FACTORS: dict[tuple[str, str], float] = {("hours", "minutes"): 60.0, ("minutes", "hours"): 1 / 60.0}


@dataclass(frozen=True)
class Filters:
    """Which claims count: the like-for-like knobs shared by timelines, trends and the rest."""

    include_variants: bool = False
    source_kind: SourceKind | None = None
    setting: str | None = None
    organization_id: str | None = None
    open_weights: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    as_of: date | datetime | None = None
    include_flagged: bool = False

    def with_as_of(self, as_of: date | datetime | None) -> Filters:
        return replace(self, as_of=as_of)


def counts(row: ClaimRow, filters: Filters) -> bool:
    """Whether a claim takes part in analyses: never when rejected, flagged ones only when accepted or asked for."""
    if row.review_status in ("rejected", "corrected"):
        return False
    return filters.include_flagged or not row.needs_review or row.review_status == "accepted"


def get_benchmark(store: GraphStore, benchmark_id: str) -> Benchmark:
    bench = store.get(Label.BENCHMARK, benchmark_id)
    if not isinstance(bench, Benchmark):
        raise NotFoundError(f"no benchmark with id {benchmark_id!r}")
    return bench


def convert(row: ClaimRow, unit: str) -> ClaimRow | None:
    """The row in ``unit`` (hours <-> minutes), or None when the units are not comparable."""
    if row.unit == unit:
        return row
    factor = _FACTORS.get((row.unit, unit))
    if factor is None:
        return None
    low = row.value_low * factor if row.value_low is not None else None
    high = row.value_high * factor if row.value_high is not None else None
    return replace(row, value=row.value * factor, unit=unit, value_low=low, value_high=high)


def select_claims(store: GraphStore, bench: Benchmark, filters: Filters) -> list[ClaimRow]:
    """The benchmark's current claims (as believed at ``filters.as_of``) in its own unit, report-date order."""
    query = ClaimQuery(
        benchmark_id=bench.id, include_variants=filters.include_variants, source_kind=filters.source_kind,
        setting=filters.setting, organization_id=filters.organization_id, date_from=filters.date_from,
        date_to=filters.date_to, as_of=filters.as_of,
    )  # fmt: skip
    rows = [
        c
        for c in (convert(r, bench.unit.value) for r in store.claim_rows(query))
        if c is not None and counts(c, filters)
    ]
    if filters.open_weights is not None:
        models = models_of(store, (r.model_id for r in rows))
        rows = [r for r in rows if (m := models.get(r.model_id)) is not None and m.open_weights is filters.open_weights]
    return rows


def models_of(store: GraphStore, model_ids: Iterable[str]) -> dict[str, Model]:
    """The Model nodes for these ids, fetched in one batch."""
    found = store.get_many(Label.MODEL, sorted(set(model_ids)))
    return {k: v for k, v in found.items() if isinstance(v, Model)}


def select_all(store: GraphStore, filters: Filters) -> list[tuple[Benchmark, list[ClaimRow]]]:
    """Every benchmark that has claims, with its claims selected as :func:`select_claims` would (one read)."""
    query = ClaimQuery(
        source_kind=filters.source_kind, setting=filters.setting, organization_id=filters.organization_id,
        date_from=filters.date_from, date_to=filters.date_to, as_of=filters.as_of,
    )  # fmt: skip
    grouped: dict[str, list[ClaimRow]] = {}
    for row in store.claim_rows(query):
        if counts(row, filters):
            grouped.setdefault(row.benchmark_id, []).append(row)
    benches = store.get_many(Label.BENCHMARK, sorted(grouped))
    models = (
        models_of(store, (r.model_id for rows in grouped.values() for r in rows))
        if filters.open_weights is not None
        else {}
    )
    out: list[tuple[Benchmark, list[ClaimRow]]] = []
    for bench_id in sorted(grouped):
        bench = benches.get(bench_id)
        if not isinstance(bench, Benchmark):
            continue
        rows = [c for c in (convert(r, bench.unit.value) for r in grouped[bench_id]) if c is not None]
        if filters.open_weights is not None:
            rows = [
                r for r in rows if (m := models.get(r.model_id)) is not None and m.open_weights is filters.open_weights
            ]
        if rows:
            out.append((bench, rows))
    return out
