"""Build the digest of one ISO week from the graph: a pure function of the graph's state.

"Changed during the week" is record time: the claims whose ``recorded_at`` falls in the week
(Monday 00:00 UTC to Sunday 24:00 UTC) and that are still current at its end (claims a reviewer
rejected are left out; flagged ones are listed, marked, and count in analyses only once accepted). Everything else is a
comparison of two views of the graph, as it stood at the end of the week and at the end of the
week before (``as_of``): milestones and signals present in the first but not the second, the
automation index and doubling times at both dates, benchmarks that crossed into saturation,
and conflicts that involve the week's claims. Nothing reads the clock; every list is sorted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from api.digest.model import (
    AreaClaims,
    ChartRef,
    Citation,
    ClaimItem,
    Digest,
    DocumentItem,
    Listing,
    MilestoneItem,
    RecordItem,
    SignalItem,
)
from api.digest.moves import Context, conflict_items, index_move, saturation_items, trend_moves
from api.digest.week import IsoWeek, as_week
from graph.analytics.config import AnalyticsConfig, default_config
from graph.analytics.events import compute_milestones, compute_signals
from graph.analytics.select import Filters, models_of, select_all
from graph.analytics.timeline import frontier
from graph.model import Benchmark, Capability, Direction, Document, Milestone, Organization, Signal, end_of
from graph.schema import Label, label_for_id
from graph.store import ClaimQuery, ClaimRow, GraphStore, iter_nodes

OTHER_AREA = ("other", "Other benchmarks")
REJECTED = ("rejected", "corrected")
"""Review outcomes that take a claim out of the digest (a correction is its own, new claim)."""
T = TypeVar("T")


@dataclass(frozen=True)
class DigestConfig:
    """How much one digest shows; everything found is counted, and what is left out is said."""

    claims_per_area: int = 8
    items_per_section: int = 10
    charts: int = 4
    analytics: AnalyticsConfig | None = None


Events = tuple[dict[str, Milestone], dict[str, Signal]]


def build_digest(
    store: GraphStore,
    week: IsoWeek | str,
    config: DigestConfig | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Digest:
    """The digest of ``week`` (see the module doc). ``on_step`` hears progress messages."""
    wk, cfg = as_week(week), config or DigestConfig()
    prev = wk.previous()
    analytics = cfg.analytics or default_config()
    step = on_step or (lambda _: None)

    step("reading the claims of both weeks")
    rows_now = store.claim_rows(ClaimQuery(as_of=wk.sunday))
    known_before = {r.id for r in store.claim_rows(ClaimQuery(as_of=prev.sunday))}
    new_rows = sorted((r for r in rows_now if r.id not in known_before and r.review_status not in REJECTED),
                      key=lambda r: r.id)  # fmt: skip
    groups_now = select_all(store, Filters(as_of=wk.sunday))
    groups_before = select_all(store, Filters(as_of=prev.sunday))
    benches = {b.id: b for b, _ in groups_now}
    missing = sorted({r.benchmark_id for r in new_rows} - set(benches))
    benches |= {k: v for k, v in store.get_many(Label.BENCHMARK, missing).items() if isinstance(v, Benchmark)}
    names = {m.id: m.name for m in models_of(store, (r.model_id for r in rows_now)).values()}
    ctx = Context(store, wk, prev, {r.id: r for r in rows_now}, {r.id for r in new_rows}, names, benches, analytics)
    ctx.resolve(r.id for r in new_rows)

    step("computing milestones and signals at both dates")
    stored = [n for lab in (Label.MILESTONE, Label.SIGNAL) for n in iter_nodes(store, lab)
              if isinstance(n, Milestone | Signal) and n.origin == "extracted"]  # fmt: skip
    ms_now, sig_now = _events(store, groups_now, stored, wk.sunday, names, analytics)
    ms_before, sig_before = _events(store, groups_before, stored, prev.sunday, names, analytics)
    new_ms = [m for k, m in sorted(ms_now.items()) if k not in ms_before]
    new_sig = [s for k, s in sorted(sig_now.items()) if k not in sig_before]
    records = [r for m in new_ms if (r := _record(m, groups_now, ctx)) is not None]
    record_ids = {r.milestone_id for r in records}
    others = [_milestone(m, ctx) for m in new_ms if m.id not in record_ids]

    step("comparing the automation index, trends and saturation")
    index = index_move(ctx)
    trends = trend_moves(ctx, groups_now, groups_before)
    saturation = saturation_items(ctx, groups_now, groups_before)
    conflicts = conflict_items(ctx, groups_now)
    cap = cfg.items_per_section
    records.sort(key=lambda r: (r.benchmark, r.reported_date, r.milestone_id))
    others.sort(key=lambda m: (-m.date.toordinal(), m.kind, m.id))
    signals = sorted((_signal(s, ms_now, ctx) for s in new_sig), key=lambda s: (-s.score, -s.date.toordinal(), s.id))
    return Digest(
        week=wk.label,
        start=wk.monday,
        end=wk.sunday,
        previous_week=prev.label,
        new_claims=len(new_rows),
        new_documents=len({r.document_id for r in new_rows}),
        areas=_areas(new_rows, ctx, cfg.claims_per_area),
        records=_listing(records, cap),
        milestones=_listing(others, cap),
        signals=_listing(signals, cap),
        index=index,
        trends=_listing(trends, cap),
        saturation=_listing(saturation, cap),
        conflicts=_listing(conflicts, cap),
        documents=_listing(_documents(new_rows, new_ms, new_sig, ms_now, ctx), cap),
        charts=_charts(records, groups_now, groups_before, ctx, cfg.charts),
    )


def _listing(items: list[T], cap: int) -> Listing[T]:
    return Listing(items=items[:cap], total=len(items))


def _events(
    store: GraphStore,
    groups: list[tuple[Benchmark, list[ClaimRow]]],
    stored: list[Milestone | Signal],
    day: date,
    names: dict[str, str],
    config: AnalyticsConfig,
) -> Events:
    """Milestones and signals as believed at the end of ``day``: computed from that view of the claims,
    plus the extracted ones recorded by then (what ``list_events(as_of=day)`` returns, in one pass)."""
    milestones = compute_milestones(groups, names, config)
    signals = compute_signals(store, groups, milestones, names, config)
    bound = end_of(day)
    extracted = [n for n in stored if n.recorded_at <= bound]
    ms = {m.id: m for m in [*extracted, *milestones] if isinstance(m, Milestone)}
    sig = {s.id: s for s in [*extracted, *signals] if isinstance(s, Signal)}
    return ms, sig


def _record(m: Milestone, groups: list[tuple[Benchmark, list[ClaimRow]]], ctx: Context) -> RecordItem | None:
    if m.kind != "new_sota" or m.origin != "computed" or not m.claim_ids:
        return None
    found = next(((b, rows) for b, rows in groups if b.id == m.benchmark_id), None)
    if found is None:
        return None
    bench, rows = found
    steps = frontier(rows, bench)
    at = next((i for i, s in enumerate(steps) if s.claim_id == m.claim_ids[0]), None)
    if at is None:
        return None
    step, before = steps[at], steps[at - 1] if at > 0 else None
    return RecordItem(
        milestone_id=m.id, benchmark_id=bench.id, benchmark=bench.name, model_id=step.model_id,
        model=ctx.model(step.model_id), value=step.value, unit=step.unit, reported_date=step.date,
        previous_value=before.value if before else None, previous_model=ctx.model(before.model_id) if before else None,
        citations=ctx.cite([step.claim_id]),
    )  # fmt: skip


def _milestone(m: Milestone, ctx: Context) -> MilestoneItem:
    return MilestoneItem(
        id=m.id, kind=m.kind, date=m.date, origin=m.origin, benchmark_id=m.benchmark_id, model_id=m.model_id,
        description=m.description or m.kind.replace("_", " "), citations=ctx.cite(m.claim_ids),
    )  # fmt: skip


def _evidence(ids: Iterable[str], milestones: dict[str, Milestone]) -> list[str]:
    """Claim and document ids behind a signal's BASED_ON list (milestones resolved to their claims)."""
    out: list[str] = []
    for i in ids:
        if label_for_id(i) is Label.MILESTONE:
            out += milestones[i].claim_ids if i in milestones else []
        else:
            out.append(i)
    return sorted(set(out))


def _signal(s: Signal, milestones: dict[str, Milestone], ctx: Context) -> SignalItem:
    return SignalItem(
        id=s.id, kind=s.kind, date=s.date, origin=s.origin, score=s.score, capability_id=s.capability_id,
        text=s.text or s.kind.replace("_", " "), citations=ctx.cite(_evidence(s.based_on, milestones)),
    )  # fmt: skip


def _area_of(bench: Benchmark | None, rd: list[str]) -> str | None:
    """A benchmark's area: its first AI R&D capability, else its first capability (as computed signals do)."""
    if bench is None or not bench.capabilities:
        return None
    return next((c for c in bench.capabilities if c in rd), bench.capabilities[0])


def _areas(rows: list[ClaimRow], ctx: Context, cap: int) -> list[AreaClaims]:
    rd = ctx.analytics.signals.rd_capabilities
    grouped: dict[str, list[ClaimItem]] = {}
    for r in rows:
        bench = ctx.benches.get(r.benchmark_id)
        grouped.setdefault(_area_of(bench, rd) or OTHER_AREA[0], []).append(
            ClaimItem(
                id=r.id, model_id=r.model_id, model=ctx.model(r.model_id), benchmark_id=r.benchmark_id,
                benchmark=bench.name if bench else r.benchmark_id, value=r.value, unit=r.unit, setting=r.setting,
                source_kind=r.source_kind, reported_date=r.reported_date,
                needs_review=r.needs_review and r.review_status != "accepted",
                document_id=r.document_id, url=ctx.url(r.id),
            )
        )  # fmt: skip
    caps = ctx.store.get_many(Label.CAPABILITY, sorted(grouped))
    out: list[AreaClaims] = []
    for area_id, items in grouped.items():
        cap_node = caps.get(area_id)
        name = cap_node.name if isinstance(cap_node, Capability) else area_id.replace("-", " ")
        if area_id == OTHER_AREA[0] and not isinstance(cap_node, Capability):
            name = OTHER_AREA[1]
        name = name[:1].upper() + name[1:]

        def order(c: ClaimItem) -> tuple[str, float, str, str]:
            bench = ctx.benches.get(c.benchmark_id)
            sign = -1.0 if bench is None or bench.direction is Direction.HIGHER_IS_BETTER else 1.0
            return c.benchmark, sign * c.value, c.model, c.id

        items.sort(key=order)
        out.append(AreaClaims(id=area_id, name=name, claims=_listing(items, cap)))
    return sorted(out, key=lambda a: (-a.claims.total, a.name, a.id))


def _documents(
    new_rows: list[ClaimRow],
    new_ms: list[Milestone],
    new_sig: list[Signal],
    ms_now: dict[str, Milestone],
    ctx: Context,
) -> list[DocumentItem]:
    """The week's documents that bear new milestones or signals, most first."""
    new_claims: dict[str, list[str]] = {}
    for r in new_rows:
        new_claims.setdefault(r.document_id, []).append(r.id)
    bearing: dict[str, tuple[set[str], set[str], float]] = {}

    def credit(evidence: list[str], event_id: str, score: float | None) -> None:
        docs = {ctx.document_of(i) for i in evidence}
        for doc_id in sorted(d for d in docs if d):
            ms, sigs, total = bearing.setdefault(doc_id, (set(), set(), 0.0))
            if score is None:
                ms.add(event_id)
            elif event_id not in sigs:
                sigs.add(event_id)
                bearing[doc_id] = (ms, sigs, total + score)

    ctx.resolve([i for m in new_ms for i in m.claim_ids] + [i for s in new_sig for i in _evidence(s.based_on, ms_now)])
    for m in new_ms:
        credit(m.claim_ids, m.id, None)
    for s in new_sig:
        credit(_evidence(s.based_on, ms_now), s.id, s.score)
    direct = sorted(set(bearing) - set(new_claims))
    docs = {k: v for k, v in ctx.store.get_many(Label.DOCUMENT, sorted(set(bearing))).items()
            if isinstance(v, Document)}  # fmt: skip
    of_week = set(new_claims) | {
        d for d in direct if d in docs and ctx.week.start <= docs[d].recorded_at < ctx.week.end
    }
    org_ids = sorted({d.organization_id for d in docs.values() if d.organization_id})
    orgs = {
        k: v.name for k, v in ctx.store.get_many(Label.ORGANIZATION, org_ids).items() if isinstance(v, Organization)
    }
    out: list[DocumentItem] = []
    for doc_id, (ms, sigs, score) in bearing.items():
        doc = docs.get(doc_id)
        if doc_id not in of_week or doc is None:
            continue
        claims = sorted(new_claims.get(doc_id, []))
        out.append(
            DocumentItem(
                id=doc_id, title=doc.title, url=doc.url, kind=doc.kind.value,
                organization=orgs.get(doc.organization_id or ""), published=doc.published, new_claims=len(claims),
                milestones=len(ms), signals=len(sigs), signal_score=round(score, 4),
                citations=ctx.cite(claims[:3]) if claims else [Citation(id=doc_id, url=doc.url)],
            )
        )  # fmt: skip
    return sorted(out, key=lambda d: (-(d.milestones + d.signals), -d.signal_score, -d.new_claims, d.id))


def _charts(
    records: list[RecordItem],
    groups_now: list[tuple[Benchmark, list[ClaimRow]]],
    groups_before: list[tuple[Benchmark, list[ClaimRow]]],
    ctx: Context,
    cap: int,
) -> list[ChartRef]:
    """Benchmarks with new claims whose best frontier value changed: new records first, then the
    automation index's benchmarks, then by id."""
    before = {b.id: frontier(rows, b) for b, rows in groups_before}
    indexed = {b.id for a in ctx.analytics.index.areas for b in a.benchmarks}
    with_records = {r.benchmark_id for r in records}
    touched = {ctx.rows[i].benchmark_id for i in ctx.new_ids}
    moved: list[tuple[bool, bool, str, str]] = []
    for bench, rows in groups_now:
        if bench.id not in touched:
            continue
        steps, old = frontier(rows, bench), before.get(bench.id, [])
        if steps and (not old or old[-1].claim_id != steps[-1].claim_id):
            moved.append((bench.id not in with_records, bench.id not in indexed, bench.id, bench.name))
    return [ChartRef(benchmark_id=b, benchmark=name) for _, _, b, name in sorted(moved)[:cap]]
