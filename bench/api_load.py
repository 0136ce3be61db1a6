"""HTTP load on the API with a real load generator: latency percentiles and throughput per endpoint and store.

Run from the repository root (needs `vegeta`: `go install github.com/tsenart/vegeta/v12@v12.13.0`)::

    .venv/bin/python -m bench.api_load                          # 100k claims, both stores, 100 req/s
    .venv/bin/python -m bench.api_load --backend embedded --rate 200 --duration 20

What happens: bench/store_write.py's synthetic graph (100k claims, 150 benchmarks, 200 models)
is written to the store; the search index over all its claims and documents is built once with
the real embedding model (shared by both stores: same ids); `autoscope serve` is started on
loopback in its own process; then vegeta sends a constant ``--rate`` of requests for
``--duration`` seconds to each endpoint in turn, cycling through many distinct URLs:

* ``timeline`` — ``GET /benchmarks/{id}/timeline`` over all benchmarks (target p95 < 50 ms);
* ``claims`` — ``GET /claims`` with benchmark/model/source filters, 100 per page (p95 < 50 ms);
* ``search`` — ``GET /search?q=...`` with a different question every time (p95 < 150 ms).

The server runs ``--workers`` processes (default: one per core, ``AUTOSCOPE_API_WORKERS``).

Latency is measured by vegeta from request sent to response read (p50/p95/p99), plus the
achieved throughput and the success ratio. The server's first requests are warmed up first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.analytics import populate  # noqa: E402
from bench.store_write import Synth, add_neo4j_arguments, neo4j_target  # noqa: E402
from graph.factory import open_store  # noqa: E402
from graph.settings import load_settings  # noqa: E402

console = Console()
TARGETS_P95_MS = {"timeline": 50.0, "claims": 50.0, "search": 150.0}
QUESTIONS = [
    "which model scores highest on benchmark {b:04d}", "Model {m:04d} results with tools", "pass@1 of model {m:04d}",
    "five-shot results on Benchmark {b:04d}", "best chain of thought score of model {m:04d}",
    "synthetic results report {d} with 0-shot", "Model {m:04d} reaches on Benchmark {b:04d}",
    "lab news post {d} about model {m:04d}", "default setting benchmark {b:04d} scores",
    "how well does model {m:04d} do with tools on benchmark {b:04d}",
]  # fmt: skip
"""Templates: every search request of a run asks a different question, so no cache can help."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vegeta() -> str:
    found = shutil.which("vegeta") or str(Path.home() / "go" / "bin" / "vegeta")
    if not Path(found).exists():
        raise SystemExit("vegeta not found: go install github.com/tsenart/vegeta/v12@v12.13.0")
    return found


def targets(kind: str, base: str, synth: Synth, n: int = 600) -> str:
    """``n`` distinct request lines for one endpoint."""
    rng = random.Random(kind)
    lines = []
    for _ in range(n):
        if kind == "timeline":
            path = f"/benchmarks/{synth.benchmark_id(rng.randrange(synth.benchmarks))}/timeline"
        elif kind == "claims":
            choice = rng.randrange(3)
            if choice == 0:
                path = f"/claims?benchmark={synth.benchmark_id(rng.randrange(synth.benchmarks))}&limit=100"
            elif choice == 1:
                path = f"/claims?model={synth.model_id(rng.randrange(synth.models))}&order=desc&limit=100"
            else:
                path = f"/claims?source_kind=third_party&from=20{rng.randrange(19, 25)}-01-01&limit=100"
        else:
            question = rng.choice(QUESTIONS).format(
                b=rng.randrange(synth.benchmarks), m=rng.randrange(synth.models), d=rng.randrange(synth.documents)
            )
            path = "/search?" + str(httpx.QueryParams({"q": question, "limit": 10}))
        lines.append(f"GET {base}{path}")
    return "\n".join(lines) + "\n"


def attack(kind: str, base: str, synth: Synth, rate: int, duration: int, workdir: Path) -> dict[str, Any]:
    target_file = workdir / f"{kind}.targets"
    target_file.write_text(targets(kind, base, synth, n=max(600, rate * duration + 100)))
    exe = vegeta()
    # Warm-up at the full rate (every worker's connections, caches and, for search, its model), not measured.
    subprocess.run([exe, "attack", "-targets", str(target_file), "-rate", str(rate), "-duration", "5s"],
                   capture_output=True, check=True)  # fmt: skip
    attack_run = subprocess.run([exe, "attack", "-targets", str(target_file), "-rate", str(rate), "-duration",
                                 f"{duration}s", "-timeout", "30s"], capture_output=True, check=True)  # fmt: skip
    report = subprocess.run([exe, "report", "-type=json"], input=attack_run.stdout, capture_output=True, check=True)
    body: dict[str, Any] = json.loads(report.stdout)
    return body


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("autoscope")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "warm up the model"}, timeout=120)
                return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {log.read_text()[-2000:]}") from None
        time.sleep(0.5)
    raise SystemExit("server did not start in 120 s")


def build_index(settings_env: dict[str, Any], data_dir: Path, shared: Path) -> None:
    from ingest.search_index import SearchIndex, embedder

    if (shared / "index.npz").exists():
        shutil.copytree(shared, data_dir / "search", dirs_exist_ok=True)
        return
    store = open_store(load_settings(**settings_env, data_dir=data_dir))
    t0 = time.perf_counter()
    report = SearchIndex(data_dir / "search").build(store, lambda: embedder("all-MiniLM-L6-v2"))
    store.close()
    console.print(f"[dim]search index: {report.items:,} items embedded in {time.perf_counter() - t0:.0f}s[/dim]")
    shutil.copytree(data_dir / "search", shared, dirs_exist_ok=True)


def run_backend(backend: str, args: argparse.Namespace, shared: Path) -> dict[str, dict[str, Any]]:
    synth = Synth(claims=args.claims)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env_settings: dict[str, Any] = {"graph_backend": backend}
        if backend == "neo4j":
            with neo4j_target(args) as (conn, _pid, where):
                console.print(f"[dim]neo4j: {where}[/dim]")
                env_settings.update(neo4j_uri=conn.uri, neo4j_user=conn.user, neo4j_password=conn.password,
                                    neo4j_database=conn.database)  # fmt: skip
                return _load_and_attack(env_settings, work, synth, args, shared)
        return _load_and_attack(env_settings, work, synth, args, shared)


def _load_and_attack(
    env_settings: dict[str, Any], work: Path, synth: Synth, args: argparse.Namespace, shared: Path
) -> dict[str, dict[str, Any]]:
    store = open_store(load_settings(**env_settings, data_dir=work))
    store.clear()
    console.print(f"[dim]{env_settings['graph_backend']}: wrote {synth.claims:,} claims in "
                  f"{populate(store, synth):.0f}s[/dim]")  # fmt: skip
    store.close()
    build_index(env_settings, work, shared)
    env = {**os.environ, "AUTOSCOPE_DATA_DIR": str(work), "AUTOSCOPE_LOG_LEVEL": "WARNING",
           "AUTOSCOPE_API_WORKERS": str(args.workers),
           "AUTOSCOPE_API_CACHE_ENTRIES": "0" if args.no_cache else "1024"}  # fmt: skip
    env.update({f"AUTOSCOPE_{k.upper()}": str(v) for k, v in env_settings.items()})
    port = free_port()
    proc = start_server(env, port, work / "server.log")
    try:
        base = f"http://127.0.0.1:{port}"
        rates = {"timeline": args.rate, "claims": args.rate, "search": args.search_rate or args.rate}
        return {kind: attack(kind, base, synth, rate, args.duration, work) for kind, rate in rates.items()}
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def report(results: dict[str, dict[str, dict[str, Any]]], rate: int) -> bool:
    table = Table(title=f"API under load (throughput = the rate offered, {rate} requests/s unless set per endpoint)")
    for column in ("store", "endpoint", "requests", "success", "throughput/s", "p50 ms", "p95 ms", "p99 ms",
                   "target p95", "verdict"):  # fmt: skip
        table.add_column(column)
    ok = True
    for backend, per_kind in results.items():
        for kind, r in per_kind.items():
            lat = r["latencies"]
            p95 = lat["95th"] / 1e6
            good = p95 < TARGETS_P95_MS[kind] and r["success"] >= 0.999
            ok &= good
            verdict = "[green]PASS[/green]" if good else "[red]MISS[/red]"
            cells = [backend, kind, str(r["requests"]), f"{100 * r['success']:.1f}%", f"{r['throughput']:.1f}",
                     f"{lat['50th'] / 1e6:.1f}", f"{p95:.1f}", f"{lat['99th'] / 1e6:.1f}",
                     f"< {TARGETS_P95_MS[kind]:g}", verdict]  # fmt: skip
            table.add_row(*cells)
    console.print(table)
    return ok


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("embedded", "neo4j", "both"), default="both")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=100, help="requests per second offered")
    parser.add_argument("--duration", type=int, default=30, help="seconds per endpoint")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="API worker processes")
    parser.add_argument("--search-rate", type=int, help="requests per second for search (default: --rate)")
    parser.add_argument("--no-cache", action="store_true", help="turn the API's response cache off")
    parser.add_argument("--index-cache", type=Path, help="keep the embedded search index here between runs")
    add_neo4j_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    vegeta()
    backends = ("embedded", "neo4j") if args.backend == "both" else (args.backend,)
    with tempfile.TemporaryDirectory() as tmp:
        shared = args.index_cache or Path(tmp)
        results = {b: run_backend(b, args, shared) for b in backends}
    return 0 if report(results, args.rate) else 1


if __name__ == "__main__":
    raise SystemExit(main())
