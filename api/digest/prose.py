"""The digest's sentences, written once for every output format.

Each :class:`Line` is plain text (templates escape it for Markdown or HTML) plus the citations it
rests on. ``item`` and ``text`` lines state facts from the graph and always carry citations;
``note`` lines are framing (the week's boundaries, counts of what follows, "and N more") and carry none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from api.digest.model import (
    AreaMove,
    Citation,
    ClaimItem,
    ConflictItem,
    Digest,
    DocumentItem,
    IndexMove,
    MilestoneItem,
    RecordItem,
    SaturationItem,
    SignalItem,
    TrendMove,
)

SOURCE_KINDS = {"self_reported": "self-reported", "third_party": "third-party"}


@dataclass(frozen=True)
class Line:
    text: str
    citations: list[Citation] = field(default_factory=list)
    kind: Literal["item", "text", "note"] = "item"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    lines: list[Line]
    level: int = 2


def value(v: float, unit: str) -> str:
    """A value with its unit: ``82%``, ``287 minutes (4.8 h)``, ``1,520 elo``."""
    if unit == "%":
        return f"{v:g}%"
    if unit == "minutes" and v >= 60:
        return f"{v:,.4g} minutes ({v / 60:.1f} h)"
    return f"{v:,.6g} {unit}"


def _pct(progress: float | None) -> str:
    return "no data" if progress is None else f"{100 * progress:.1f}%"


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(" .")
    return text + "."


def _more(total: int, shown: int, what: str, plural: str | None = None) -> list[Line]:
    """The honest tail of a capped list, e.g. "… and 3 more records."."""
    if total <= shown:
        return []
    n = total - shown
    return [Line(f"… and {n} more {what if n == 1 else plural or what + 's'}.", kind="note")]


def header(d: Digest) -> list[Line]:
    """The week's boundaries and a count of what follows (notes: they state no graph fact of their own)."""
    lines = [
        Line(
            f"Monday {d.start.isoformat()} to Sunday {d.end.isoformat()} (UTC). New means recorded by autoscope "
            f"during this week; comparisons are with the graph as it stood at the end of {d.previous_week}. "
            "Every statement links the claims it rests on.",
            kind="note",
        )
    ]
    if d.new_claims == 0:
        lines.append(Line(f"No new claims were recorded in {d.week}.", kind="note"))
    else:
        parts = [_n(d.new_claims, "new claim") + " from " + _n(d.new_documents, "document")]
        if d.records.total:
            parts.append(_n(d.records.total, "new state-of-the-art result"))
        if d.milestones.total:
            parts.append(_n(d.milestones.total, "other milestone"))
        if d.signals.total:
            parts.append(_n(d.signals.total, "automation signal"))
        lines.append(Line("This week: " + ", ".join(parts) + ".", kind="note"))
    return lines


def record(r: RecordItem) -> Line:
    previous = (
        f", above the previous best of {value(r.previous_value, r.unit)} ({r.previous_model})"
        if r.previous_value is not None
        else ""
    )
    text = f"{r.model} set a new state of the art on {r.benchmark}: {value(r.value, r.unit)}{previous}; reported "
    return Line(text + f"{r.reported_date.isoformat()}.", r.citations)


def milestone(m: MilestoneItem) -> Line:
    if m.origin == "computed":
        return Line(_sentence(f"{m.description}; reported {m.date.isoformat()}"), m.citations)
    kind = m.kind.replace("_", " ").capitalize()
    return Line(f"{kind}, reported {m.date.isoformat()}: “{' '.join(m.description.split())}”", m.citations)


def index_lines(ix: IndexMove, previous_week: str) -> list[Line]:
    if ix.after is None:
        return [Line("The AI R&D automation index has no value yet: none of its benchmarks has results.", kind="note")]
    detail = f"{ix.coverage * 100:.0f}% of its weight has data"
    if ix.interval is not None:
        detail = f"interval {ix.interval[0]:.1f}–{ix.interval[1]:.1f}; " + detail
    if ix.before is None:
        text = f"The AI R&D automation index stands at {ix.after:.1f} / 100 ({detail}); it had no value at the end of "
        text += f"{previous_week}."
    elif ix.moved:
        verb = "rose" if ix.after > ix.before else "fell"
        text = f"The AI R&D automation index {verb} from {ix.before:.1f} to {ix.after:.1f} / 100 this week ({detail})."
    else:
        text = f"The AI R&D automation index stands at {ix.after:.1f} / 100, unchanged this week ({detail})."
    return [Line(text, ix.citations, kind="text"), *(area(a) for a in ix.areas)]


def area(a: AreaMove) -> Line:
    if a.after is None:
        return Line(f"{a.name}: no data any more (was {_pct(a.before)} of the automation-ready level).", a.citations)
    if a.before is None:
        return Line(f"{a.name}: {_pct(a.after)} of the automation-ready level, its first data.", a.citations)
    verb = "up" if a.after > a.before else "down"
    return Line(f"{a.name}: {_pct(a.after)} of the automation-ready level, {verb} from {_pct(a.before)}.", a.citations)


def _days(v: float | None) -> str:
    return "open" if v is None else f"{v:,.0f}"


def _day(d: date | None) -> str:
    return "open" if d is None else d.isoformat()


def trend(t: TrendMove, previous_week: str) -> Line:
    parts: list[str] = []
    if t.doubling_after is not None:
        low, high = t.doubling_interval or (None, None)
        text = f"the frontier doubles every {_days(t.doubling_after)} days (95% interval {_days(low)}–{_days(high)})"
        if t.doubling_before is not None:
            text += f", against {_days(t.doubling_before)} days at the end of {previous_week}"
        else:
            text += f", a first fit on {_n(t.points, 'point')}"
        parts.append(text)
    if t.target is not None and t.reached:
        parts.append(f"the frontier has reached {value(t.target, t.unit)}")
    elif t.target is not None and t.forecast_after is not None:
        first, last = t.forecast_interval or (None, None)
        subject = "it" if parts else "the frontier"
        text = f"at this pace {subject} reaches {value(t.target, t.unit)} around {_day(t.forecast_after)} "
        text += f"(95% interval {_day(first)} to {_day(last)})"
        if t.forecast_before is not None and t.forecast_before != t.forecast_after:
            text += f", against {t.forecast_before.isoformat()} a week earlier"
        parts.append(text)
    return Line(f"{t.benchmark}: " + ("; ".join(parts) or "the trend fit changed") + ".", t.citations)


def saturation(s: SaturationItem, previous_week: str) -> Line:
    status = {"near": "near saturation", "saturated": "saturated", "open": "open"}
    was = (
        f"it was {status.get(s.status_before, s.status_before)} at the end of {previous_week}"
        if s.status_before
        else f"it had no results at the end of {previous_week}"
    )
    text = f"{s.benchmark} is now {status[s.status_after]}: best {value(s.value, s.unit)} "
    text += f"({100 * s.fraction:.1f}% of its {s.ceiling:g} ceiling) by {s.model}; {was}."
    return Line(text, s.citations)


def conflict(c: ConflictItem) -> Line:
    spread = f"{c.spread:g} point{'' if c.spread == 1 else 's'}" if c.unit == "%" else value(c.spread, c.unit)
    values = ", ".join(
        f"{value(v.value, c.unit)} ({SOURCE_KINDS.get(v.source_kind, v.source_kind)}{', new' if v.new else ''})"
        for v in c.values
    )
    setting = f" ({c.setting})" if c.setting else ""
    return Line(f"{c.model} on {c.benchmark}{setting}: sources disagree by {spread}: {values}.", c.citations)


def signal(s: SignalItem) -> Line:
    return Line(_sentence(f"{s.text} (score {s.score:.2f}, {s.date.isoformat()})"), s.citations)


def document(d: DocumentItem) -> Line:
    about = ", ".join(p for p in (d.organization, d.kind, f"published {d.published}" if d.published else "") if p)
    events = " and ".join(p for p in (_n(d.milestones, "new milestone") if d.milestones else "",
                                      _n(d.signals, "signal") if d.signals else "") if p)  # fmt: skip
    claims = f"{_n(d.new_claims, 'new claim')}, bearing " if d.new_claims else "bears "
    title = f"“{' '.join(d.title.split())}”" if d.title else d.id
    return Line(f"{title} ({about}): {claims}{events}.", d.citations)


def claim(c: ClaimItem) -> Line:
    setting = f", {c.setting}" if c.setting else ""
    kind = SOURCE_KINDS.get(c.source_kind, c.source_kind)
    flag = "; flagged for review (low extraction confidence)" if c.needs_review else ""
    text = f"{c.model}: {value(c.value, c.unit)} on {c.benchmark}{setting} ({kind}, reported "
    return Line(text + f"{c.reported_date.isoformat()}){flag}.", [Citation(id=c.id, url=c.url)])


def sections(d: Digest) -> list[Section]:
    """The digest's sections in reading order; sections with nothing to say are left out (not the index)."""
    out: list[Section] = []

    def add(sid: str, title: str, lines: list[Line], total: int, what: str) -> None:
        if lines:
            out.append(Section(sid, title, [*lines, *_more(total, len(lines), what)]))

    add("records", "New state of the art", [record(r) for r in d.records.items], d.records.total, "record")
    add("milestones", "Milestones", [milestone(m) for m in d.milestones.items], d.milestones.total, "milestone")
    out.append(Section("index", "Automation index", index_lines(d.index, d.previous_week)))
    add("trends", "Trends", [trend(t, d.previous_week) for t in d.trends.items], d.trends.total, "trend")
    add("saturation", "Saturation", [saturation(s, d.previous_week) for s in d.saturation.items],
        d.saturation.total, "benchmark")  # fmt: skip
    add("conflicts", "Conflicting reports", [conflict(c) for c in d.conflicts.items], d.conflicts.total, "conflict")
    add("signals", "Automation signals", [signal(s) for s in d.signals.items], d.signals.total, "signal")
    add("documents", "Papers and announcements", [document(x) for x in d.documents.items], d.documents.total,
        "document")  # fmt: skip
    if d.areas:
        out.append(Section("claims", "New claims", []))
        for a in d.areas:
            tail = _more(a.claims.total, len(a.claims.items), f"claim in {a.name}", f"claims in {a.name}")
            lines = [claim(c) for c in a.claims.items] + tail
            out.append(Section(f"claims-{a.id}", f"{a.name} ({a.claims.total})", lines, level=3))
    return out
