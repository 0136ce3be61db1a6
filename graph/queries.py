"""Named, parameterised queries that work on both stores (``GET /queries``, ``autoscope queries``).

Each is implemented in Python over the :class:`~graph.store.GraphStore` protocol and the
analytics, so the embedded store answers them exactly as Neo4j does; no Cypher is needed.
Parameters are typed, with defaults and limits; a bad value raises
:class:`~graph.errors.ParameterError` naming the parameter. Some queries also carry a read-only
Cypher equivalent (from :mod:`graph.cypher`) that analysts can copy into ``/query``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, cast

from graph import cypher
from graph.analytics.select import Filters, get_benchmark, models_of, select_all, select_claims
from graph.errors import NotFoundError, ParameterError
from graph.model import Benchmark, Claim, Direction, Document, Model, end_of
from graph.schema import Label, RelType
from graph.store import ClaimQuery, ClaimRow, GraphStore

ParamType = Literal["str", "int", "float", "bool", "date"]
Rows = list[dict[str, Any]]
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


@dataclass(frozen=True)
class Param:
    """One typed parameter of a named query."""

    name: str
    type: ParamType
    description: str
    default: Any = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def coerce(self, value: Any) -> Any:
        """The value as this parameter's type (strings are parsed: CLI and query-string friendly)."""
        if value is None:
            return None
        try:
            result = _convert(self.type, value)
        except (TypeError, ValueError) as e:
            raise ParameterError(
                f"parameter {self.name!r}: {value!r} is not a valid {self.type}: {e}", self.name
            ) from e
        if self.choices and result not in self.choices:
            raise ParameterError(f"parameter {self.name!r}: expected one of {', '.join(self.choices)}", self.name)
        if self.minimum is not None and result < self.minimum:
            raise ParameterError(f"parameter {self.name!r}: must be at least {self.minimum:g}, got {result}", self.name)
        if self.maximum is not None and result > self.maximum:
            raise ParameterError(f"parameter {self.name!r}: must be at most {self.maximum:g}, got {result}", self.name)
        return result

    def as_dict(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "description": self.description,
        }
        spec |= {"minimum": self.minimum} if self.minimum is not None else {}
        spec |= {"maximum": self.maximum} if self.maximum is not None else {}
        return spec | ({"choices": list(self.choices)} if self.choices else {})


def _convert(kind: ParamType, value: Any) -> Any:
    if kind == "str":
        if not isinstance(value, str) or not value.strip() or len(value) > 500:
            raise ValueError("expected a non-empty text of at most 500 characters")
        return value.strip()
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise ValueError("expected true or false")
    if kind == "date":
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value))
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value}")
    if kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("expected a whole number")
        return int(value)
    return float(value)


@dataclass(frozen=True)
class NamedQuery:
    """A documented query: name, description, typed parameters, a Python implementation."""

    name: str
    description: str
    run: Callable[[GraphStore, dict[str, Any]], Rows]
    params: tuple[Param, ...] = field(default_factory=tuple)

    @property
    def cypher(self) -> str | None:
        """A read-only Cypher equivalent to copy into /query, when there is one."""
        return cypher.NAMED_QUERY_CYPHER.get(self.name)

    def bind(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validated parameters with defaults filled in; unknown or missing ones raise ParameterError."""
        raw = dict(raw or {})
        known = {p.name for p in self.params}
        for name in raw:
            if name not in known:
                expected = ", ".join(sorted(known)) or "none"
                raise ParameterError(f"query {self.name!r} has no parameter {name!r} (parameters: {expected})", name)
        bound: dict[str, Any] = {}
        for p in self.params:
            value = p.coerce(raw.get(p.name))
            if value is None and p.required:
                raise ParameterError(f"query {self.name!r} needs parameter {p.name!r}: {p.description}", p.name)
            bound[p.name] = p.default if value is None else value
        return bound

    def execute(self, store: GraphStore, raw: Mapping[str, Any] | None = None) -> Rows:
        return self.run(store, self.bind(raw))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "params": [p.as_dict() for p in self.params],
            "cypher": self.cypher,
        }


# -- implementations -----------------------------------------------------------------------------
def _filters(p: dict[str, Any]) -> Filters:
    return Filters(as_of=p.get("as_of"), include_variants=bool(p.get("include_variants", False)))


def _evidence(store: GraphStore, rows: list[ClaimRow]) -> dict[str, Claim]:
    found = store.get_many(Label.CLAIM, [r.id for r in rows])
    return {k: v for k, v in found.items() if isinstance(v, Claim)}


def _claim_dict(row: ClaimRow, claim: Claim | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "value": row.value,
        "unit": row.unit,
        "setting": row.setting,
        "reported_date": row.reported_date.isoformat(),
        "source_kind": row.source_kind,
        "source_url": row.source_url,
        "document": row.document_id,
        "evidence": claim.evidence_sentence if claim else None,
    }


def models_beating_human_baseline(store: GraphStore, p: dict[str, Any]) -> Rows:
    filters = _filters(p)
    if p["benchmark"]:
        bench = get_benchmark(store, p["benchmark"])
        groups = [(bench, select_claims(store, bench, filters))]
    else:
        groups = select_all(store, filters)
    beating: list[tuple[Benchmark, str, list[ClaimRow]]] = []
    for bench, rows in groups:
        human = bench.human_baseline
        if human is None:
            continue
        higher = bench.direction is Direction.HIGHER_IS_BETTER
        by_model: dict[str, list[ClaimRow]] = {}
        for r in rows:
            if (r.value > human) if higher else (r.value < human):
                by_model.setdefault(r.model_id, []).append(r)
        for model_id, claims in by_model.items():
            beating.append((bench, model_id, sorted(claims, key=lambda c: (-c.value if higher else c.value, c.id))))
    evidence = _evidence(store, [c for _, _, rows in beating for c in rows])
    models = models_of(store, (m for _, m, _ in beating))
    out = []
    for bench, model_id, rows in beating:
        human = bench.human_baseline or 0.0
        out.append(
            {
                "benchmark": bench.id,
                "benchmark_name": bench.name,
                "unit": bench.unit.value,
                "human_baseline": bench.human_baseline,
                "human_baseline_source": bench.human_baseline_source,
                "model": model_id,
                "model_name": m.name if (m := models.get(model_id)) else model_id,
                "best_value": rows[0].value,
                "margin": round(abs(rows[0].value - human), 6),
                "claim_ids": [r.id for r in rows],
                "claims": [_claim_dict(r, evidence.get(r.id)) for r in rows],
            }
        )
    return sorted(out, key=lambda r: (r["benchmark"], -r["margin"], r["model"]))


def papers_introducing_saturated_benchmarks(store: GraphStore, p: dict[str, Any]) -> Rows:
    from graph.analytics.saturation import saturation_report

    statuses = ("saturated",) if p["status"] == "saturated" else ("saturated", "near")
    states = {s.benchmark.id: s for s in saturation_report(store, _filters(p), statuses=statuses)}
    introduced: dict[str, list[str]] = {}
    for doc_id, bench_id in store.relationships(RelType.INTRODUCES):
        if bench_id in states:
            introduced.setdefault(doc_id, []).append(bench_id)
    docs = store.get_many(Label.DOCUMENT, sorted(introduced))
    bound = end_of(p["as_of"]) if p["as_of"] else None
    out = []
    for doc_id, bench_ids in introduced.items():
        doc = docs.get(doc_id)
        if not isinstance(doc, Document) or (bound is not None and doc.recorded_at > bound):
            continue
        benchmarks = []
        for bench_id in sorted(bench_ids):
            s = states[bench_id].as_dict()
            keep = ("benchmark", "name", "status", "ceiling", "best", "headroom", "fraction_of_ceiling")
            benchmarks.append({k: s[k] for k in keep} | {"saturation_forecast": s["saturation_forecast"]})
        out.append(
            {
                "document": doc.id,
                "title": doc.title,
                "url": doc.url,
                "published": doc.published.isoformat() if doc.published else None,
                "benchmarks": benchmarks,
            }
        )
    return sorted(out, key=lambda r: (-len(r["benchmarks"]), r["document"]))


def claims_for_model(store: GraphStore, p: dict[str, Any]) -> Rows:
    if not isinstance(store.get(Label.MODEL, p["model"]), Model):
        raise NotFoundError(f"no model with id {p['model']!r}")
    query = ClaimQuery(model_id=p["model"], benchmark_id=p["benchmark"], as_of=p["as_of"], descending=True)
    return [
        {
            "id": c.id,
            "benchmark": c.benchmark_id,
            "value": c.value,
            "unit": c.unit.value,
            "metric": c.metric,
            "setting": c.setting,
            "reported_date": c.reported_date.isoformat(),
            "source_kind": c.source_kind.value,
            "source_url": c.source_url,
            "document": c.document_id,
            "evidence": {"sentence": c.evidence_sentence, "start": c.evidence_start, "end": c.evidence_end},
            "confidence": c.confidence,
            "needs_review": c.needs_review,
        }
        for c in store.list_claims(query, limit=p["limit"]).items
    ]


def frontier(store: GraphStore, p: dict[str, Any]) -> Rows:
    from graph.analytics.timeline import timeline

    result = timeline(store, p["benchmark"], include_variants=p["include_variants"], as_of=p["as_of"])
    return cast(Rows, result.as_dict()["frontier"])


def conflicts_for_benchmark(store: GraphStore, p: dict[str, Any]) -> Rows:
    from graph.analytics.conflicts import conflicts

    get_benchmark(store, p["benchmark"])
    return [c.as_dict() for c in conflicts(store, _filters(p), p["benchmark"])]


def latest_signals(store: GraphStore, p: dict[str, Any]) -> Rows:
    from graph.analytics.events import list_events

    found = list_events(store, Label.SIGNAL, since=p["since"], kind=p["kind"], as_of=p["as_of"])
    return [s.model_dump(mode="json") for s in found[: p["limit"]]]


# -- the registry --------------------------------------------------------------------------------
_BENCHMARK = Param("benchmark", "str", "Benchmark id, e.g. swe-bench-verified.", required=True)
_AS_OF = Param("as_of", "date", "What the graph believed at the end of this day (record time).")

QUERIES: dict[str, NamedQuery] = {
    q.name: q
    for q in (
        NamedQuery(
            "models-beating-human-baseline",
            "Models whose current claims beat a benchmark's human baseline (direction-aware), with the claims "
            "and their evidence; every benchmark with a baseline unless one is named.",
            models_beating_human_baseline,
            (Param("benchmark", "str", "Only this benchmark id (default: every benchmark with a baseline)."), _AS_OF),
        ),
        NamedQuery(
            "papers-introducing-saturated-benchmarks",
            "Documents that introduced (INTRODUCES) benchmarks whose frontier is near or at saturation, with "
            "each benchmark's best result, ceiling and saturation forecast.",
            papers_introducing_saturated_benchmarks,
            (
                Param(
                    "status",
                    "str",
                    "near_or_saturated (default) or saturated only.",
                    default="near_or_saturated",
                    choices=("near_or_saturated", "saturated"),
                ),
                _AS_OF,
            ),
        ),
        NamedQuery(
            "claims-for-model",
            "Every current claim about a model, newest first, with its evidence sentence and source URL.",
            claims_for_model,
            (
                Param("model", "str", "Model id, e.g. claude-3-5-sonnet-20241022.", required=True),
                Param("benchmark", "str", "Only this benchmark id."),
                _AS_OF,
                Param("limit", "int", "Most claims returned.", default=200, minimum=1, maximum=1000),
            ),
        ),
        NamedQuery(
            "frontier",
            "The state-of-the-art frontier of a benchmark: one step per report date, each with its claim.",
            frontier,
            (_BENCHMARK, Param("include_variants", "bool", "Include the benchmark's variants.", default=False), _AS_OF),
        ),
        NamedQuery(
            "conflicts-for-benchmark",
            "The same model and setting reported with different values on one benchmark, largest spread first.",
            conflicts_for_benchmark,
            (_BENCHMARK, _AS_OF),
        ),
        NamedQuery(
            "latest-signals",
            "The newest automation signals (extracted and computed), newest first.",
            latest_signals,
            (
                Param("limit", "int", "Most signals returned.", default=20, minimum=1, maximum=1000),
                Param("kind", "str", "Only this kind of signal, e.g. large_sota_jump."),
                Param("since", "date", "Only signals dated on or after this day."),
                _AS_OF,
            ),
        ),
    )
}


def get_query(name: str) -> NamedQuery:
    """The named query, or NotFoundError listing the known names."""
    query = QUERIES.get(name)
    if query is None:
        raise NotFoundError(f"no named query {name!r}; known: {', '.join(QUERIES)}")
    return query


def run_query(store: GraphStore, name: str, params: Mapping[str, Any] | None = None) -> Rows:
    """Run a named query with raw parameters (validated and defaulted here)."""
    return get_query(name).execute(store, params)
