"""Benchmarks: search, metadata with saturation state, SOTA timeline and trend fit."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.cache import cached_json
from api.deps import StoreDep
from api.pages import page_of
from api.schemas import (
    BenchmarkDetail,
    BenchmarkSummary,
    ListResponse,
    Problem,
    Ref,
    SaturationOut,
    TimelineOut,
)
from api.schemas_analytics import TrendOut
from graph.analytics.saturation import saturation
from graph.analytics.select import Filters, get_benchmark
from graph.analytics.timeline import timeline
from graph.analytics.trends import trend
from graph.model import Benchmark, SourceKind
from graph.schema import Label, RelType
from graph.store import ClaimQuery, GraphStore, iter_nodes
from ingest.nlp.registry import norm

router = APIRouter(tags=["benchmarks"])
ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": Problem}, 404: {"model": Problem}, 422: {"model": Problem}
}  # fmt: skip

BenchmarkId = Annotated[str, "benchmark id"]
AsOf = Annotated[date | None, Query(description="Record time: what the graph believed at the end of this day")]
Setting = Annotated[str | None, Query(max_length=500, description="Only claims with exactly this setting")]
Kind = Annotated[SourceKind | None, Query(description="Only claims from this kind of source")]
Flagged = Annotated[bool, Query(description="Also use claims flagged needs_review (low extraction confidence)")]


def _rank(b: Benchmark, key: str) -> int | None:
    """0 exact id/name/alias, 1 prefix, 2 substring, None no match."""
    names = [norm(n) for n in (b.id, b.name, *b.aliases)]
    if key in names:
        return 0
    if any(n.startswith(key) for n in names):
        return 1
    if any(key in n for n in names):
        return 2
    return None


@router.get("/benchmarks", response_model=ListResponse[BenchmarkSummary], responses=ERRORS)
def list_benchmarks(
    store: StoreDep,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="Search names and aliases")] = None,
    capability: Annotated[str | None, Query(max_length=100, description="Only benchmarks measuring this")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ListResponse[BenchmarkSummary]:
    """Benchmarks, best matches first when searching (`q` ignores case, spaces and punctuation)."""
    key = norm(q) if q else ""
    found: list[tuple[str, Benchmark]] = []
    for node in iter_nodes(store, Label.BENCHMARK):
        if not isinstance(node, Benchmark) or (capability and capability not in node.capabilities):
            continue
        rank = _rank(node, key) if key else 0
        if rank is not None:
            found.append((f"{rank}", node))
    found.sort(key=lambda pair: (pair[0], pair[1].id))
    page, nxt = page_of(found, lambda pair: (pair[0], pair[1].id), limit, cursor)
    return ListResponse[BenchmarkSummary](data=[BenchmarkSummary.of(b) for _, b in page], next_cursor=nxt)


@router.get("/benchmarks/{benchmark_id}", response_model=BenchmarkDetail, responses=ERRORS)
def get_benchmark_detail(request: Request, benchmark_id: BenchmarkId, store: StoreDep, as_of: AsOf = None) -> Response:
    """A benchmark's metadata, variants, human baseline, saturation state and introducing documents."""
    return cached_json(request, store, lambda: _detail(store, benchmark_id, as_of).model_dump(mode="json"))


def _detail(store: GraphStore, benchmark_id: str, as_of: date | None) -> BenchmarkDetail:
    bench = get_benchmark(store, benchmark_id)
    variants = store.get_many(Label.BENCHMARK, store.variants(bench.id)[1:])
    introduced = [n for n in store.neighbours(Label.BENCHMARK, bench.id, RelType.INTRODUCES) if n.direction == "in"]
    state = saturation(store, bench.id, Filters(as_of=as_of))
    sat = None
    if state is not None:
        f = state.forecast
        sat = SaturationOut(
            ceiling=state.ceiling, best_value=state.best.value, best_model=state.best.model_id,
            best_claim_id=state.best.claim_id, best_date=state.best.date, headroom=state.headroom,
            fraction_of_ceiling=state.fraction, status=state.status, beats_human_baseline=state.beats_human,
            forecast_date=f.date if f else None, forecast_interval=[f.low, f.high] if f else [None, None],
        )  # fmt: skip
    claims = len(store.claim_rows(ClaimQuery(benchmark_id=bench.id, as_of=as_of)))
    return BenchmarkDetail(
        **BenchmarkSummary.of(bench).model_dump(), ceiling=bench.ceiling, human_baseline=bench.human_baseline,
        human_baseline_source=bench.human_baseline_source, item_count=bench.item_count,
        year_introduced=bench.year_introduced, url=bench.url,
        variants=[Ref(id=v.id, name=getattr(v, "name", None)) for v in variants.values()],
        claims=claims, introduced_by=[Ref(id=n.id, name=n.name) for n in introduced], saturation=sat,
    )  # fmt: skip


@router.get("/benchmarks/{benchmark_id}/timeline", response_model=TimelineOut, responses=ERRORS)
def get_timeline(
    request: Request,
    benchmark_id: BenchmarkId,
    store: StoreDep,
    date_from: Annotated[date | None, Query(alias="from", description="Claims reported on or after")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Claims reported on or before")] = None,
    source_kind: Kind = None,
    setting: Setting = None,
    organization: Annotated[str | None, Query(max_length=200, description="Only models of this org")] = None,
    open_weights: Annotated[bool | None, Query(description="Only open (true) or closed (false) weights")] = None,
    include_variants: bool = False,
    include_flagged: Flagged = False,
    as_of: AsOf = None,
) -> Response:
    """The state-of-the-art frontier (one step per report date, ties marked) and every claim behind it."""
    return cached_json(request, store, lambda: timeline(
        store, benchmark_id, include_variants=include_variants, source_kind=source_kind, setting=setting,
        organization_id=organization, open_weights=open_weights, date_from=date_from, date_to=date_to, as_of=as_of,
        include_flagged=include_flagged,
    ).as_dict(full=True))  # fmt: skip


@router.get("/benchmarks/{benchmark_id}/trend", response_model=TrendOut, responses=ERRORS)
def get_trend(
    request: Request,
    benchmark_id: BenchmarkId,
    store: StoreDep,
    since: Annotated[date | None, Query(description="Fit points dated on or after")] = None,
    until: Annotated[date | None, Query(description="Fit points dated on or before")] = None,
    threshold: Annotated[float | None, Query(description="Forecast when this value is reached")] = None,
    setting: Setting = None,
    source_kind: Kind = None,
    frontier_only: Annotated[bool, Query(description="Fit only the running best")] = True,
    date_basis: Annotated[Literal["release", "reported"], Query(description="Date points by")] = "release",
    include_flagged: Flagged = False,
    as_of: AsOf = None,
) -> Response:
    """Trend fit with bootstrap intervals: doubling time or threshold forecast, points used, acceleration."""
    filters = Filters(setting=setting, source_kind=source_kind, as_of=as_of, include_flagged=include_flagged)
    return cached_json(request, store, lambda: trend(
        store, benchmark_id, since=since, until=until, threshold=threshold, filters=filters,
        frontier_only=frontier_only, date_basis=date_basis,
    ).as_dict())  # fmt: skip
