"""Milestones and signals computed from the claims, each resting on the claims that evidence it.

Milestones (``origin="computed"``), read off each benchmark's report-date frontier:

* ``new_sota`` — a frontier step that is not a statistical tie with the previous record;
* ``threshold_crossed`` — the first frontier value at or above each configured percentage;
* ``first_above_human`` — the first frontier value above the benchmark's human baseline;
* ``horizon_crossed`` — METR's horizon passing 1 h, 4 h, 8 h and a 40-hour work-week.

Signals (``origin="computed"``):

* ``large_sota_jump`` — a new record far above the last one (percentage points, or a multiple
  on unbounded metrics);
* ``rd_benchmark_saturation`` — an AI R&D benchmark near or at saturation;
* ``acceleration`` — recent progress on an R&D benchmark significantly faster than its long run;
* ``horizon_milestone`` — a time-horizon milestone, as a signal of long-horizon autonomy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from graph.analytics.config import AnalyticsConfig, default_config
from graph.analytics.saturation import assess
from graph.analytics.select import Filters, models_of, select_all
from graph.analytics.timeline import FrontierStep, frontier
from graph.analytics.trends import as_points, ceiling_of, fit_points
from graph.model import Benchmark, Direction, Milestone, Signal, Unit, end_of
from graph.schema import Label
from graph.store import ClaimRow, GraphStore, iter_nodes

Groups = Sequence[tuple[Benchmark, list[ClaimRow]]]


def _fmt(value: float, unit: str) -> str:
    return f"{value:g}%" if unit == "%" else f"{value:g} {unit}"


def _hours(minutes: float) -> str:
    return f"{minutes / 60:g} h" if minutes < 2400 else f"{minutes / 60:g} h (a 40-hour work-week)"


def compute_milestones(groups: Groups, names: dict[str, str], config: AnalyticsConfig) -> list[Milestone]:
    """Milestones read off every benchmark's frontier (see the module doc)."""
    cfg = config.milestones
    out: list[Milestone] = []
    for bench, rows in groups:
        steps = frontier(rows, bench)
        if not steps:
            continue
        higher = bench.direction is Direction.HIGHER_IS_BETTER
        label = bench.name

        def who(step: FrontierStep) -> str:
            return names.get(step.model_id, step.model_id)

        def mark(
            kind: str, step: FrontierStep, text: str, threshold: float | None = None, bench_id: str = bench.id
        ) -> None:
            out.append(
                Milestone(
                    kind=kind,
                    date=step.date,
                    description=text,
                    benchmark_id=bench_id,
                    model_id=step.model_id,
                    threshold=threshold,
                    claim_ids=[step.claim_id],
                    origin="computed",
                )
            )

        for prev, step in itertools.pairwise(steps):
            if not step.tied:
                mark(
                    "new_sota",
                    step,
                    f"{who(step)} set a new state of the art on {label}: "
                    f"{_fmt(step.value, step.unit)} (previous best {_fmt(prev.value, prev.unit)}, {who(prev)})",
                )
        ceiling = ceiling_of(bench)
        if bench.unit is Unit.PERCENT and higher:
            for threshold in cfg.percent_thresholds:
                hit = next((s for s in steps if s.value >= threshold), None)
                if hit is not None and (ceiling is None or threshold < ceiling):
                    mark(
                        "threshold_crossed",
                        hit,
                        f"{who(hit)} is the first to reach {threshold:g}% on {label} ({_fmt(hit.value, hit.unit)})",
                        threshold,
                    )
        human = bench.human_baseline
        if human is not None:
            hit = next((s for s in steps if (s.value > human if higher else s.value < human)), None)
            if hit is not None:
                mark(
                    "first_above_human",
                    hit,
                    f"{who(hit)} is the first to beat the human baseline on {label}: "
                    f"{_fmt(hit.value, hit.unit)} against {_fmt(human, hit.unit)}",
                    human,
                )
        if bench.id in cfg.horizon_benchmarks and bench.unit in (Unit.MINUTES, Unit.HOURS):
            scale = 60.0 if bench.unit is Unit.HOURS else 1.0
            for minutes in cfg.horizon_thresholds_minutes:
                hit = next((s for s in steps if s.value * scale >= minutes), None)
                if hit is not None:
                    mark(
                        "horizon_crossed",
                        hit,
                        f"{who(hit)}'s {label} passes {_hours(minutes)}: {_fmt(hit.value, hit.unit)}",
                        minutes / scale,
                    )
    return out


def compute_signals(
    store: GraphStore, groups: Groups, milestones: list[Milestone], names: dict[str, str], config: AnalyticsConfig
) -> list[Signal]:
    """Computed automation signals (see the module doc), each BASED_ON its claims or milestones."""
    cfg = config.signals
    rd = set(cfg.rd_capabilities)
    out: list[Signal] = []
    for bench, rows in groups:
        capability = next(
            (c for c in bench.capabilities if c in rd), bench.capabilities[0] if bench.capabilities else None
        )
        steps = frontier(rows, bench)
        higher = bench.direction is Direction.HIGHER_IS_BETTER
        for prev, step in itertools.pairwise(steps):
            if step.tied or not higher:
                continue
            if ceiling_of(bench) is not None:
                jump = step.value - prev.value
                if jump < cfg.large_jump_points:
                    continue
                score, size = min(1.0, jump / (2 * cfg.large_jump_points)), f"+{jump:.1f} points"
            else:
                if prev.value <= 0 or step.value / prev.value < cfg.large_jump_ratio:
                    continue
                ratio = step.value / prev.value
                score, size = min(1.0, math.log(ratio) / math.log(cfg.large_jump_ratio**2)), f"x{ratio:.1f}"
            text = (
                f"Large jump on {bench.name}: {names.get(step.model_id, step.model_id)} reached "
                f"{_fmt(step.value, step.unit)}, {size} over the previous record ({_fmt(prev.value, prev.unit)})"
            )
            out.append(
                Signal(
                    kind="large_sota_jump",
                    date=step.date,
                    score=round(score, 4),
                    text=text,
                    capability_id=capability,
                    based_on=[step.claim_id, prev.claim_id],
                    origin="computed",
                )
            )
        if not rd.intersection(bench.capabilities):
            continue
        state = assess(bench, rows, store, config)
        if state is not None and state.status in ("near", "saturated"):
            text = (
                f"{bench.name} is {state.status.replace('near', 'near saturation')}: best "
                f"{_fmt(state.best.value, state.best.unit)} of a {state.ceiling:g} ceiling "
                f"({names.get(state.best.model_id, state.best.model_id)})"
            )
            out.append(
                Signal(
                    kind="rd_benchmark_saturation",
                    date=state.best.date,
                    score=round(min(1.0, state.fraction), 4),
                    text=text,
                    capability_id=capability,
                    based_on=[state.best.claim_id],
                    origin="computed",
                )
            )
        trend = fit_points(bench, as_points(store, rows, "release"), config=config)
        acc = trend.acceleration
        if acc is not None and acc.significant:
            recent = sorted(trend.points, key=lambda p: p.date)[-acc.recent_points :]
            latest = max(p.reported_date for p in recent)
            now = acc.recent_doubling_days
            before = acc.long_run_doubling_days
            pace = (
                f"doubling every {now:.0f} days over the last {acc.window_days} days against {before:.0f} days"
                if now and before
                else "a steeper recent slope than the long run"
            )
            out.append(
                Signal(
                    kind="acceleration",
                    date=latest,
                    score=round(acc.probability_faster, 4),
                    text=f"Progress on {bench.name} is accelerating: {pace}",
                    capability_id=capability,
                    based_on=[p.claim_id for p in recent],
                    origin="computed",
                )
            )
    horizons = [m for m in milestones if m.kind == "horizon_crossed" and m.threshold]
    top = max((m.threshold or 1.0 for m in horizons), default=1.0)
    for m in horizons:
        score = min(1.0, math.log(m.threshold or 1.0) / math.log(top)) if top > 1 else 1.0
        out.append(
            Signal(
                kind="horizon_milestone",
                date=m.date,
                score=round(score, 4),
                text=m.description,
                capability_id="long-horizon-autonomy",
                based_on=[m.id],
                origin="computed",
            )
        )
    return out


@dataclass
class DeriveReport:
    milestones: int = 0
    signals: int = 0
    removed: int = 0


def compute(
    store: GraphStore, filters: Filters | None = None, config: AnalyticsConfig | None = None
) -> tuple[list[Milestone], list[Signal]]:
    """Computed milestones and signals as the graph stands (or stood, with ``filters.as_of``)."""
    cfg = config or default_config()
    groups = select_all(store, filters or Filters())
    names = {m.id: m.name for m in models_of(store, (r.model_id for _, rows in groups for r in rows)).values()}
    milestones = compute_milestones(groups, names, cfg)
    return milestones, compute_signals(store, groups, milestones, names, cfg)


def derive(store: GraphStore, config: AnalyticsConfig | None = None) -> DeriveReport:
    """Write the computed milestones and signals into the graph, replacing stale ones (idempotent)."""
    milestones, signals = compute(store, config=config)
    existing = {
        lab: {n.id: getattr(n, "origin", "extracted") for n in iter_nodes(store, lab)}
        for lab in (Label.MILESTONE, Label.SIGNAL)
    }
    milestones = [m for m in milestones if existing[Label.MILESTONE].get(m.id, "computed") == "computed"]
    signals = [s for s in signals if existing[Label.SIGNAL].get(s.id, "computed") == "computed"]
    keep = {m.id for m in milestones}
    signals = [s for s in signals if all(b in keep or not b.startswith("mil_") for b in s.based_on)]
    store.upsert(_dedupe(milestones))
    store.upsert(_dedupe(signals))
    removed = 0
    for label, fresh in ((Label.SIGNAL, {s.id for s in signals}), (Label.MILESTONE, keep)):
        stale = [i for i, origin in existing[label].items() if origin == "computed" and i not in fresh]
        if stale:
            removed += store.delete(label, stale)
    return DeriveReport(len(keep), len({s.id for s in signals}), removed)


def _dedupe(nodes: Sequence[Milestone] | Sequence[Signal]) -> list[Milestone | Signal]:
    seen: dict[str, Milestone | Signal] = {}
    for n in nodes:
        seen.setdefault(n.id, n)
    return list(seen.values())


def list_events(
    store: GraphStore,
    label: Label,
    *,
    since: date | None = None,
    until: date | None = None,
    kind: str | None = None,
    benchmark_id: str | None = None,
    as_of: date | datetime | None = None,
    config: AnalyticsConfig | None = None,
) -> list[Milestone] | list[Signal]:
    """Milestones or signals, newest first. Today's view reads the graph; an ``as_of`` view keeps the
    extracted ones recorded by then and recomputes the computed ones from the claims believed then."""
    if label not in (Label.MILESTONE, Label.SIGNAL):
        raise ValueError(f"events are milestones or signals, not {label}")
    stored = [n for n in iter_nodes(store, label) if isinstance(n, Milestone | Signal)]
    if as_of is not None:
        bound = end_of(as_of)
        milestones, signals = compute(store, Filters(as_of=as_of), config)
        fresh: list[Milestone | Signal] = list(milestones if label is Label.MILESTONE else signals)
        stored = [n for n in stored if n.origin == "extracted" and n.recorded_at <= bound] + fresh
    out = [
        n
        for n in _dedupe_events(stored)
        if (since is None or n.date >= since)
        and (until is None or n.date <= until)
        and (kind is None or n.kind == kind)
        and (benchmark_id is None or getattr(n, "benchmark_id", None) == benchmark_id)
    ]
    out.sort(key=lambda n: (n.date, n.id), reverse=True)
    return out  # type: ignore[return-value]


def _dedupe_events(nodes: list[Milestone | Signal]) -> list[Milestone | Signal]:
    seen: dict[str, Milestone | Signal] = {}
    for n in nodes:
        seen.setdefault(n.id, n)
    return list(seen.values())
