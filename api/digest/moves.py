"""What moved between the two views of the graph: the automation index, trends, saturation, conflicts.

Each function compares the graph as believed at the end of the week with the graph at the end
of the week before, and cites the claims its statement rests on (see :class:`Context.cite`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from api.digest.model import (
    AreaMove,
    Citation,
    ConflictItem,
    ConflictValue,
    IndexMove,
    SaturationItem,
    TrendMove,
)
from api.digest.week import IsoWeek
from graph.analytics.config import AnalyticsConfig
from graph.analytics.conflicts import find_conflicts
from graph.analytics.index import AutomationIndex, automation_index
from graph.analytics.saturation import Saturation, assess
from graph.analytics.trends import Trend, as_points, fit_points
from graph.model import Benchmark, Claim, Document
from graph.schema import Label, label_for_id
from graph.store import ClaimRow, GraphStore

Groups = list[tuple[Benchmark, list[ClaimRow]]]
RANK = {"open": 0, "near": 1, "saturated": 2}


@dataclass
class Context:
    """What every section needs: the store, both weeks, the claims current at the end of the week
    (``rows``), which of them are new (``new_ids``), model names and benchmarks."""

    store: GraphStore
    week: IsoWeek
    prev: IsoWeek
    rows: dict[str, ClaimRow]
    new_ids: set[str]
    names: dict[str, str]
    benches: dict[str, Benchmark]
    analytics: AnalyticsConfig
    _sources: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def model(self, model_id: str) -> str:
        return self.names.get(model_id, model_id)

    def resolve(self, ids: Iterable[str]) -> None:
        """Look up the source URL and document of claims and documents, in batches (cached)."""
        todo = sorted({i for i in ids if i not in self._sources})
        if not todo:
            return
        claims = {i for i in todo if label_for_id(i) is Label.CLAIM}
        known = {i: (self.rows[i].source_url, self.rows[i].document_id) for i in claims if i in self.rows}
        outside = sorted(claims - set(known))
        if outside:
            fetched = self.store.get_many(Label.CLAIM, outside)
            known |= {i: (c.source_url, c.document_id) for i, c in fetched.items() if isinstance(c, Claim)}
        doc_ids = sorted({d for url, d in known.values() if not url} | (set(todo) - claims))
        docs = {}
        if doc_ids:
            docs = {k: v for k, v in self.store.get_many(Label.DOCUMENT, doc_ids).items() if isinstance(v, Document)}
        for i in todo:
            if i in known:
                url, doc_id = known[i]
                self._sources[i] = (url or (d.url if (d := docs.get(doc_id)) else None), doc_id)
            elif i not in claims:
                self._sources[i] = (d.url if (d := docs.get(i)) else None, i)

    def url(self, node_id: str) -> str | None:
        self.resolve([node_id])
        return self._sources.get(node_id, (None, None))[0]

    def document_of(self, node_id: str) -> str | None:
        """The document a claim comes from (a document id is its own document)."""
        self.resolve([node_id])
        return self._sources.get(node_id, (None, None))[1]

    def cite(self, ids: Iterable[str]) -> list[Citation]:
        """Citations of claims (or documents), sorted and without duplicates; unknown ids are dropped."""
        wanted = sorted(set(ids))
        self.resolve(wanted)
        return [Citation(id=i, url=self._sources[i][0]) for i in wanted if i in self._sources]


def _r(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _best_claims(index: AutomationIndex, area_id: str | None = None) -> list[str]:
    return [b.best.claim_id for a in index.areas if area_id in (None, a.id) for b in a.benchmarks if b.best]


def index_move(ctx: Context) -> IndexMove:
    """The composite index and the areas whose progress moved (to 0.1 percentage point)."""
    now = automation_index(ctx.store, as_of=ctx.week.sunday, config=ctx.analytics)
    before = automation_index(ctx.store, as_of=ctx.prev.sunday, config=ctx.analytics)
    prior = {a.id: a for a in before.areas}
    areas: list[AreaMove] = []
    for area in now.areas:
        old = prior[area.id].progress if area.id in prior else None
        if _r(old, 3) == _r(area.progress, 3):
            continue
        cited = _best_claims(now, area.id) or _best_claims(before, area.id)
        areas.append(AreaMove(id=area.id, name=area.name, before=_r(old, 4), after=_r(area.progress, 4),
                              citations=ctx.cite(cited)))  # fmt: skip
    interval = None if now.interval is None else (round(now.interval[0], 2), round(now.interval[1], 2))
    return IndexMove(
        before=_r(before.value, 2), after=_r(now.value, 2), interval=interval, coverage=round(now.coverage, 4),
        areas=areas, citations=ctx.cite(_best_claims(now)),
    )  # fmt: skip


def _touched(ctx: Context, groups: Groups) -> list[tuple[Benchmark, list[ClaimRow]]]:
    """The benchmarks (of a view) with new claims that analyses use (not flagged)."""
    return [(b, rows) for b, rows in groups if any(r.id in ctx.new_ids for r in rows)]


def _fit(ctx: Context, bench: Benchmark, rows: list[ClaimRow] | None) -> Trend | None:
    if not rows:
        return None
    return fit_points(bench, as_points(ctx.store, rows, "release"), config=ctx.analytics)


def trend_moves(ctx: Context, groups_now: Groups, groups_before: Groups) -> list[TrendMove]:
    """Benchmarks with new claims whose doubling time (to the day) or target forecast date changed."""
    before = {b.id: rows for b, rows in groups_before}
    out: list[TrendMove] = []
    for bench, rows in _touched(ctx, groups_now):
        now = _fit(ctx, bench, rows)
        if now is None or now.fit is None:
            continue
        old = _fit(ctx, bench, before.get(bench.id))
        old_fit = old.fit if old is not None else None
        target = now.forecasts[0] if now.forecasts else None
        prior = None
        if target is not None and old is not None:
            prior = next((f for f in old.forecasts if f.threshold == target.threshold), None)
        doubling_now, doubling_old = now.fit.doubling_days, old_fit.doubling_days if old_fit else None
        same_doubling = _r(doubling_now, 0) == _r(doubling_old, 0)
        same_forecast = (target.date, target.reached) == (prior.date, prior.reached) if target and prior else (
            target is None and prior is None)  # fmt: skip
        if old_fit is not None and same_doubling and same_forecast:
            continue
        fresh = [p.claim_id for p in now.points if p.claim_id in ctx.new_ids]
        fresh = fresh or [r.id for r in rows if r.id in ctx.new_ids]
        out.append(
            TrendMove(
                benchmark_id=bench.id, benchmark=bench.name, kind=now.kind, points=len(now.points),
                doubling_before=_r(doubling_old, 1), doubling_after=_r(doubling_now, 1),
                doubling_interval=(tuple(_r(v, 1) for v in now.fit.doubling_interval)
                                   if doubling_now is not None else None),
                target=target.threshold if target else None, unit=bench.unit.value,
                forecast_before=prior.date if prior else None, forecast_after=target.date if target else None,
                forecast_interval=(target.low, target.high) if target and not target.reached else None,
                reached=bool(target and target.reached), citations=ctx.cite(fresh),
            )
        )  # fmt: skip
    return sorted(out, key=lambda t: (t.benchmark, t.benchmark_id))


def saturation_items(ctx: Context, groups_now: Groups, groups_before: Groups) -> list[SaturationItem]:
    """Benchmarks that became near-saturated or saturated during the week (most saturated first)."""
    before = {b.id: rows for b, rows in groups_before}
    out: list[tuple[Saturation, str | None]] = []
    for bench, rows in groups_now:
        state = assess(bench, rows, ctx.store, ctx.analytics)
        if state is None or state.status == "open":
            continue
        old_rows = before.get(bench.id)
        old = assess(bench, old_rows, ctx.store, ctx.analytics) if old_rows else None
        if old is None or RANK[state.status] > RANK[old.status]:
            out.append((state, old.status if old else None))
    out.sort(key=lambda s: (-s[0].fraction, s[0].benchmark.id))
    return [
        SaturationItem(
            benchmark_id=s.benchmark.id,
            benchmark=s.benchmark.name,
            status_before=was,
            status_after=s.status,
            value=s.best.value,
            unit=s.best.unit,
            ceiling=s.ceiling,
            fraction=round(s.fraction, 4),
            model=ctx.model(s.best.model_id),
            citations=ctx.cite([s.best.claim_id]),
        )
        for s, was in out
    ]


def conflict_items(ctx: Context, groups_now: Groups) -> list[ConflictItem]:
    """Conflicting reports (same model, benchmark and setting; values that disagree) involving a new claim."""
    out: list[ConflictItem] = []
    for c in find_conflicts(groups_now):
        if not any(r.id in ctx.new_ids for r in c.claims):
            continue
        bench = ctx.benches.get(c.benchmark_id)
        values = [
            ConflictValue(
                claim_id=r.id,
                value=r.value,
                source_kind=r.source_kind,
                document_id=r.document_id,
                url=ctx.url(r.id),
                new=r.id in ctx.new_ids,
            )
            for r in c.claims
        ]
        out.append(
            ConflictItem(
                benchmark_id=c.benchmark_id, benchmark=bench.name if bench else c.benchmark_id, model_id=c.model_id,
                model=ctx.model(c.model_id), setting=c.setting, unit=c.claims[0].unit, spread=round(c.spread, 6),
                values=values, citations=ctx.cite(r.id for r in c.claims),
            )
        )  # fmt: skip
    return out
