"""Latency of the analyses on a graph of 100k claims, on each store.

Run from the repository root::

    .venv/bin/python -m bench.analytics                         # 100k claims, both backends
    .venv/bin/python -m bench.analytics --backend embedded --claims 200000 --repeat 30

The graph is bench/store_write.py's synthetic one (150 benchmarks, 200 models with release
dates, claims spread over 7 years), written once per backend. Then, for ``--benchmarks``
benchmarks picked evenly, each call is timed ``--repeat`` times after one warm-up call:

* ``timeline`` — the frontier and all claims of one benchmark (targets: p95 < 50 ms);
* ``timeline+variants`` — the same over a base benchmark and all its variants;
* ``trend`` — the frontier fit with 1,000 bootstrap resamples and the acceleration test (< 1 s);
* ``index`` and ``saturation report`` — whole-graph reports (no target; printed for reference).

Neo4j runs on a throwaway server started by tests.support.neo4j_server unless --neo4j-uri is given.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.store_write import Synth, add_neo4j_arguments, neo4j_target  # noqa: E402
from graph.analytics.index import automation_index  # noqa: E402
from graph.analytics.saturation import saturation_report  # noqa: E402
from graph.analytics.timeline import timeline  # noqa: E402
from graph.analytics.trends import trend  # noqa: E402
from graph.factory import open_store  # noqa: E402
from graph.settings import load_settings  # noqa: E402
from graph.store import GraphStore  # noqa: E402

console = Console()
TARGETS_MS = {"timeline": 50.0, "timeline+variants": 50.0, "trend": 1000.0}


def populate(store: GraphStore, synth: Synth, batch: int = 2000) -> float:
    started = time.perf_counter()
    store.init_schema()
    store.upsert(synth.entities())
    for start in range(0, synth.claims, batch):
        store.upsert(synth.batch(start, min(start + batch, synth.claims)))
    return time.perf_counter() - started


def time_calls(fn: Callable[[], Any], repeat: int) -> list[float]:
    fn()  # warm-up: caches, JIT of the Neo4j query plans
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(store: GraphStore, synth: Synth, args: argparse.Namespace) -> dict[str, list[float]]:
    picks = [synth.benchmark_id(i) for i in range(0, synth.benchmarks, max(1, synth.benchmarks // args.benchmarks))]
    base = [b for b in picks if store.variants(b)[1:]] or picks[:1]
    results: dict[str, list[float]] = {"timeline": [], "timeline+variants": [], "trend": []}
    sizes = []
    for bench in picks[: args.benchmarks]:
        sizes.append(len(timeline(store, bench).claims))
        results["timeline"] += time_calls(lambda b=bench: timeline(store, b), args.repeat)
        results["trend"] += time_calls(lambda b=bench: trend(store, b), max(3, args.repeat // 5))
    for bench in base[:5]:
        results["timeline+variants"] += time_calls(
            lambda b=bench: timeline(store, b, include_variants=True), args.repeat
        )
    results["index"] = time_calls(lambda: automation_index(store), 2)
    results["saturation report"] = time_calls(lambda: saturation_report(store), 1)
    console.print(f"[dim]claims per benchmark timeline: median {statistics.median(sizes):.0f}, max {max(sizes)}[/dim]")
    return results


def run(backend: str, args: argparse.Namespace) -> dict[str, list[float]]:
    synth = Synth(claims=args.claims)
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "embedded":
            store = open_store(load_settings(data_dir=Path(tmp)))
            seconds = populate(store, synth)
            console.print(f"[dim]embedded: wrote {synth.claims:,} claims in {seconds:.1f}s[/dim]")
            try:
                return measure(store, synth, args)
            finally:
                store.close()
        with neo4j_target(args) as (conn, _pid, where):
            settings = load_settings(graph_backend="neo4j", data_dir=Path(tmp), neo4j_uri=conn.uri,
                                     neo4j_user=conn.user, neo4j_password=conn.password,
                                     neo4j_database=conn.database)  # fmt: skip
            store = open_store(settings)
            try:
                store.clear()
                seconds = populate(store, synth)
                console.print(f"[dim]neo4j ({where}): wrote {synth.claims:,} claims in {seconds:.1f}s[/dim]")
                return measure(store, synth, args)
            finally:
                store.close()


def report(all_results: dict[str, dict[str, list[float]]]) -> bool:
    table = Table(title="Analytics latency (ms)")
    for column in ("backend", "call", "n", "p50", "p95", "max", "target p95", "verdict"):
        table.add_column(column, justify="right" if column not in ("backend", "call", "verdict") else "left")
    ok = True
    for backend, results in all_results.items():
        for call, samples in results.items():
            target = TARGETS_MS.get(call)
            good = target is None or p95(samples) < target
            ok &= good
            verdict = "" if target is None else ("[green]PASS[/green]" if good else "[red]MISS[/red]")
            table.add_row(backend, call, str(len(samples)), f"{statistics.median(samples):.1f}", f"{p95(samples):.1f}",
                          f"{max(samples):.1f}", f"< {target:g}" if target else "—", verdict)  # fmt: skip
    console.print(table)
    return ok


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("embedded", "neo4j", "both"), default="both")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--benchmarks", type=int, default=10, help="how many benchmarks to time")
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per benchmark")
    add_neo4j_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = ("embedded", "neo4j") if args.backend == "both" else (args.backend,)
    results = {b: run(b, args) for b in backends}
    return 0 if report(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
