"""Write throughput of the graph stores: N synthetic claims, batched the way the app writes them.

Run from the repository root (so ``tests.support`` imports)::

    .venv/bin/python -m bench.store_write                       # 100k claims, both backends
    .venv/bin/python -m bench.store_write --backend embedded --claims 200000
    .venv/bin/python -m bench.store_write --backend neo4j --neo4j-uri bolt://host:7687 \
        --neo4j-user neo4j --neo4j-password secret --neo4j-clear

What is timed: only ``store.upsert`` calls. Synthetic objects for a batch are generated
first (timed separately, reported as "gen s"), then the batch is written. Entities
(organizations, models, benchmarks) go in one upsert up front; then every batch is one
``upsert`` call with that batch's documents and claims, like ``ingest.curated`` does.
A second pass upserts the very same content again (fresh objects, same content ids) and
must leave every node and relationship count unchanged.

With ``--backend both`` each backend runs in its own child process, so the peak-RSS
figure of one backend is not inflated by the other.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import io
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # also allow `python bench/store_write.py`
    sys.path.insert(0, str(REPO_ROOT))

from rich.console import Console  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table  # noqa: E402

from graph.factory import open_store  # noqa: E402
from graph.model import (  # noqa: E402
    Benchmark,
    Claim,
    Direction,
    Document,
    DocumentKind,
    Model,
    Node,
    Organization,
    SourceKind,
    Unit,
)
from graph.settings import load_settings  # noqa: E402
from graph.store import GraphCounts, GraphStore  # noqa: E402

TARGETS = {"embedded": 20_000.0, "neo4j": 5_000.0}
"""Required claims/second of the batched first write, per backend."""

CAPABILITIES = ("coding", "math", "reasoning", "agents", "knowledge", "long-context", "vision", "science")
UNITS_OF_BENCHMARKS = (Unit.PERCENT,) * 8 + (Unit.SCORE, Unit.ELO)
SETTINGS = (None, None, None, "0-shot", "5-shot", "pass@1", "with tools", "CoT")
START_DATE = date(2019, 1, 1)

console = Console()
if not console.is_terminal:  # piped or captured: do not squeeze the tables into 80 columns
    console = Console(width=180)


# ---------------------------------------------------------------------------------------------
# Synthetic data: a pure function of (seed, index), so the rerun regenerates identical content.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Synth:
    claims: int
    claims_per_doc: int = 10
    organizations: int = 20
    models: int = 200
    benchmarks: int = 150
    variant_share: float = 0.2
    authors_per_paper: int = 3
    author_pool: int = 5_000
    seed: int = 0

    @property
    def documents(self) -> int:
        return -(-self.claims // self.claims_per_doc)

    def org_id(self, i: int) -> str:
        return f"org-{i:03d}"

    def model_id(self, i: int) -> str:
        return f"model-{i:04d}"

    def model_org(self, i: int) -> str:
        return self.org_id(i % self.organizations)

    def benchmark_id(self, i: int) -> str:
        return f"bench-{i:04d}"

    def entities(self) -> list[Node]:
        rng = random.Random(self.seed)
        orgs = [
            Organization(id=self.org_id(i), name=f"Lab {i:03d}", url=f"https://lab{i:03d}.example.com")
            for i in range(self.organizations)
        ]
        models = [
            Model(
                id=self.model_id(i),
                name=f"Model {i:04d}",
                aliases=[f"m{i}", f"model{i}"],
                organization_id=self.model_org(i),
                release_date=START_DATE + timedelta(days=rng.randrange(0, 6 * 365)),
                open_weights=rng.random() < 0.4,
            )
            for i in range(self.models)
        ]
        n_base = max(1, round(self.benchmarks * (1 - self.variant_share)))
        benchmarks = []
        for i in range(self.benchmarks):
            unit = UNITS_OF_BENCHMARKS[i % len(UNITS_OF_BENCHMARKS)]
            benchmarks.append(
                Benchmark(
                    id=self.benchmark_id(i),
                    name=f"Benchmark {i:04d}",
                    aliases=[f"b{i}"],
                    variant_of=None if i < n_base else self.benchmark_id(i % n_base),
                    unit=unit,
                    direction=Direction.HIGHER_IS_BETTER,
                    ceiling=100.0 if unit is Unit.PERCENT else None,
                    human_baseline=rng.choice([None, 85.0, 92.5]),
                    item_count=rng.randrange(100, 20_000),
                    capabilities=sorted(set(rng.sample(CAPABILITIES, rng.randint(1, 2)))),
                    year_introduced=rng.randrange(2018, 2026),
                    url=f"https://bench.example.com/{i}",
                )
            )
        return [*orgs, *models, *benchmarks]

    def _doc_rng(self, d: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + d)

    def document(self, d: int) -> Document:
        rng = self._doc_rng(d)
        published = START_DATE + timedelta(days=rng.randrange(0, 7 * 365))
        paper = rng.random() < 0.7
        self_reported = not paper or rng.random() < 0.3
        tag = f"v{self.seed + 1}" if self.seed else ""  # other seeds never reuse a document id
        if paper:
            doc_id = f"arxiv:{published:%y%m}.{d:06d}{tag}"
            url = f"https://arxiv.org/abs/{published:%y%m}.{d:06d}{tag}"
            authors = [f"Author {rng.randrange(self.author_pool):05d}" for _ in range(self.authors_per_paper)]
        else:
            doc_id = f"url:https://lab.example.com/news/post-{d}{tag}"
            url = doc_id[4:]
            authors = []
        return Document(
            id=doc_id,
            kind=DocumentKind.PAPER if paper else DocumentKind.WEBPAGE,
            title=f"Synthetic results report {d}",
            url=url,
            source="bench",
            published=published,
            organization_id=self.model_org(d % self.models) if self_reported else None,
            authors=sorted(set(authors)),
        )

    def claims_of(self, doc: Document, d: int, first: int, stop: int) -> list[Claim]:
        """Claims ``first..stop-1`` (global indexes) of document ``d``."""
        rng = self._doc_rng(d)
        rng.random()  # decorrelate from the document's own draws
        base = d * self.claims_per_doc
        out = []
        kind = SourceKind.SELF_REPORTED if doc.organization_id else SourceKind.THIRD_PARTY
        for j in range(self.claims_per_doc):
            draws = (rng.randrange(self.benchmarks), round(rng.uniform(1, 99), 1), rng.choice(SETTINGS), rng.random())
            k = base + j
            if not first <= k < stop:
                continue
            bench, value, setting, confidence = draws
            # Distinct models within a document make every (doc, model, benchmark, value, setting) unique.
            model = (d * 7 + j) % self.models
            sentence = f"Model {model:04d} reaches {value} on Benchmark {bench:04d} ({setting or 'default setting'})."
            out.append(
                Claim(
                    document_id=doc.id,
                    model_id=self.model_id(model),
                    benchmark_id=self.benchmark_id(bench),
                    value=value,
                    unit=Unit.PERCENT,
                    metric="accuracy",
                    setting=setting,
                    source_kind=kind,
                    source_url=doc.url,
                    reported_date=doc.published or START_DATE,
                    evidence_sentence=sentence,
                    evidence_start=0,
                    evidence_end=len(sentence),
                    extractor_version="bench-synth-1",
                    confidence=round(0.5 + confidence / 2, 3),
                    needs_review=confidence < 0.05,
                )
            )
        return out

    def batch(self, start: int, stop: int) -> list[Node]:
        """Documents touched by claims ``start..stop-1``, then those claims (one upsert's worth)."""
        docs: list[Document] = []
        claims: list[Claim] = []
        for d in range(start // self.claims_per_doc, (stop - 1) // self.claims_per_doc + 1):
            doc = self.document(d)
            docs.append(doc)
            claims.extend(self.claims_of(doc, d, start, stop))
        return [*docs, *claims]


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------
@dataclass
class PassResult:
    name: str
    claims: int = 0
    gen_seconds: float = 0.0
    write_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    server_cpu_seconds: float | None = None
    batch_seconds: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.claims / self.write_seconds if self.write_seconds else 0.0

    def tail_rates(self, batch: int) -> tuple[float, float]:
        """Claims/s of the first and the last 10% of batches (shows slow-down as the store grows)."""
        times = self.batch_seconds
        n = max(1, len(times) // 10)
        head, tail = sum(times[:n]), sum(times[-n:])
        return (n * batch / head if head else 0.0, n * batch / tail if tail else 0.0)


@dataclass
class BackendResult:
    backend: str
    claims: int
    documents: int
    batch: int
    target: float
    setup_seconds: float = 0.0
    entity_seconds: float = 0.0
    first: PassResult = field(default_factory=lambda: PassResult("first write"))
    rerun: PassResult | None = None
    client_peak_rss_mb: float = 0.0
    server_peak_rss_mb: float | None = None
    server_rss_mb: float | None = None
    store_size_mb: float | None = None
    wal_size_mb: float | None = None
    counts_first: dict[str, dict[str, int]] = field(default_factory=dict)
    counts_rerun: dict[str, dict[str, int]] | None = None
    where: str = ""
    warmup: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BackendResult:
        first = PassResult(**data.pop("first"))
        rerun = data.pop("rerun")
        return cls(**data, first=first, rerun=PassResult(**rerun) if rerun else None)


def client_peak_rss_mb() -> float:
    """Peak RSS of this process (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 1024 / 1024


def proc_status_mb(pid: int, key: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def proc_cpu_seconds(pid: int | None) -> float | None:
    """utime + stime of a process (all its threads), from /proc/<pid>/stat."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def counts_dict(counts: GraphCounts) -> dict[str, dict[str, int]]:
    return {"nodes": dict(counts.nodes), "relationships": dict(counts.relationships)}


def check_counts(synth: Synth, counts: dict[str, dict[str, int]], warmup: Synth | None = None) -> list[str]:
    """What the first pass must have produced; returns problems (empty when all is right)."""
    nodes, rels = counts["nodes"], counts["relationships"]
    claims = synth.claims + (warmup.claims if warmup else 0)
    expect_nodes = {
        "Claim": claims,
        "Document": synth.documents + (warmup.documents if warmup else 0),
        "Model": synth.models,
        "Benchmark": synth.benchmarks,
        "Organization": synth.organizations,
    }
    expect_rels = {"REPORTS": claims, "OF_MODEL": claims, "ON_BENCHMARK": claims, "DEVELOPED_BY": synth.models}
    problems = [f"{k}: {nodes.get(k, 0)} nodes, expected {v}" for k, v in expect_nodes.items() if nodes.get(k, 0) != v]
    problems += [f"{k}: {rels.get(k, 0)} edges, expected {v}" for k, v in expect_rels.items() if rels.get(k, 0) != v]
    return problems


class UpsertTimer:
    """Times (and optionally profiles) only the ``upsert`` calls."""

    def __init__(self, store: GraphStore, profiler: cProfile.Profile | None) -> None:
        self.store = store
        self.profiler = profiler
        self.cpu_seconds = 0.0

    def __call__(self, nodes: list[Node]) -> float:
        if self.profiler is not None:
            self.profiler.enable()
        cpu = time.process_time()
        started = time.perf_counter()
        self.store.upsert(nodes)
        elapsed = time.perf_counter() - started
        self.cpu_seconds += time.process_time() - cpu
        if self.profiler is not None:
            self.profiler.disable()
        return elapsed


def run_pass(
    name: str, synth: Synth, batch: int, upsert: UpsertTimer, progress: Progress, server_pid: int | None
) -> PassResult:
    result = PassResult(name)
    upsert.cpu_seconds = 0.0
    server_cpu = proc_cpu_seconds(server_pid)
    task = progress.add_task(name, total=synth.claims, rate="")
    for start in range(0, synth.claims, batch):
        stop = min(start + batch, synth.claims)
        t0 = time.perf_counter()
        nodes = synth.batch(start, stop)
        result.gen_seconds += time.perf_counter() - t0
        elapsed = upsert(nodes)
        result.write_seconds += elapsed
        result.batch_seconds.append(elapsed)
        result.claims += stop - start
        progress.update(task, advance=stop - start, rate=f"{result.rate:,.0f} claims/s")
        del nodes
    result.client_cpu_seconds = upsert.cpu_seconds
    server_cpu_end = proc_cpu_seconds(server_pid)
    if server_cpu is not None and server_cpu_end is not None:
        result.server_cpu_seconds = server_cpu_end - server_cpu
    return result


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>18}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@contextmanager
def neo4j_target(args: argparse.Namespace) -> Iterator[tuple[Any, int | None, str]]:
    """(connection, server pid or None, description): the given server, or a throwaway one."""
    from tests.support.neo4j_server import Neo4jConnection, Neo4jServer, provision, server_from_env_or_start

    if args.neo4j_uri:
        yield (
            Neo4jConnection(args.neo4j_uri, args.neo4j_user, args.neo4j_password, args.neo4j_database),
            args.neo4j_pid,
            args.neo4j_uri,
        )
        return
    if os.environ.get("AUTOSCOPE_TEST_NEO4J_URI"):
        with server_from_env_or_start() as conn:
            yield conn, args.neo4j_pid, f"{conn.uri} (AUTOSCOPE_TEST_NEO4J_URI)"
        return
    console.print("[dim]starting a throwaway Neo4j server (tests.support.neo4j_server) ...[/dim]")
    t0 = time.perf_counter()
    with Neo4jServer(provision(), **_server_memory_kwargs(Neo4jServer, args)) as server:
        process = getattr(server, "process", None)
        pid = getattr(process, "pid", None)
        console.print(f"[dim]Neo4j up at {server.uri} in {time.perf_counter() - t0:.1f}s (pid {pid})[/dim]")
        yield server.connection, pid, f"throwaway server {server.uri}"


def _server_memory_kwargs(server_cls: type, args: argparse.Namespace) -> dict[str, str]:
    """Map --neo4j-heap/--neo4j-pagecache onto whatever the helper's constructor calls them."""
    params = inspect.signature(server_cls).parameters
    wanted = (
        (("heap", "xmx"), args.neo4j_heap),
        (("min_heap", "xms"), args.neo4j_heap),
        (("pagecache",), args.neo4j_pagecache),
    )
    kwargs: dict[str, str] = {}
    for names, value in wanted:
        if value is None:
            continue
        name = next((n for n in names if n in params), None)
        if name is None:
            console.print(f"[yellow]Neo4jServer takes none of {names}: {value} ignored[/yellow]")
        else:
            kwargs[name] = value
    return kwargs


def run_backend(backend: str, args: argparse.Namespace) -> BackendResult:
    synth = Synth(
        claims=args.claims,
        claims_per_doc=args.claims_per_doc,
        organizations=args.organizations,
        models=args.models,
        benchmarks=args.benchmarks,
        authors_per_paper=args.authors_per_paper,
        seed=args.seed,
    )
    if synth.models < synth.claims_per_doc:
        raise SystemExit("--models must be at least --claims-per-doc (claims of a document use distinct models)")
    result = BackendResult(backend, synth.claims, synth.documents, args.batch, TARGETS[backend], warmup=args.warmup)
    profiler = cProfile.Profile() if args.profile else None
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="autoscope-bench-")))
        server_pid: int | None = None
        t0 = time.perf_counter()
        if backend == "embedded":
            data_dir = Path(args.embedded_dir) if args.embedded_dir else tmp
            settings = load_settings(graph_backend="embedded", data_dir=data_dir, write_batch_size=args.batch)
            if settings.embedded_path.exists():
                raise SystemExit(f"{settings.embedded_path} exists: give an empty --embedded-dir")
            result.where = str(settings.embedded_path)
        else:
            conn, server_pid, result.where = stack.enter_context(neo4j_target(args))
            settings = load_settings(
                graph_backend="neo4j",
                data_dir=tmp,
                neo4j_uri=conn.uri,
                neo4j_user=conn.user,
                neo4j_password=conn.password,
                neo4j_database=conn.database,
                write_batch_size=args.batch,
            )
        store = open_store(settings)
        stack.callback(store.close)
        store.init_schema()
        existing = store.counts()
        if existing.nodes:
            if backend == "neo4j" and args.neo4j_clear:
                store.clear()
            else:
                raise SystemExit(
                    f"the {backend} store at {result.where} is not empty ({existing.nodes}); "
                    "use an empty database or --neo4j-clear"
                )
        result.setup_seconds = time.perf_counter() - t0

        upsert = UpsertTimer(store, profiler=None)
        result.entity_seconds = upsert(synth.entities())
        warmup = None
        if args.warmup:
            # Different content (another seed), same entities: warms caches and the JVM's JIT, not timed.
            warmup = replace(synth, claims=args.warmup, seed=synth.seed + 1)
            with progress_bar() as progress:
                run_pass("warm-up", warmup, args.batch, upsert, progress, server_pid)
        console.print(
            f"[bold]{backend}[/bold]: {synth.claims:,} claims, {synth.documents:,} documents, "
            f"{synth.models} models / {synth.organizations} orgs / {synth.benchmarks} benchmarks, "
            f"batch {args.batch:,} -> {result.where}"
        )
        with progress_bar() as progress:
            upsert.profiler = profiler
            result.first = run_pass("first write", synth, args.batch, upsert, progress, server_pid)
            upsert.profiler = None  # profile the first pass only
            result.counts_first = counts_dict(store.counts())
            if not args.no_rerun:
                result.rerun = run_pass("rerun", synth, args.batch, upsert, progress, server_pid)
                result.counts_rerun = counts_dict(store.counts())
        result.client_peak_rss_mb = client_peak_rss_mb()
        if server_pid is not None:
            result.server_peak_rss_mb = proc_status_mb(server_pid, "VmHWM")
            result.server_rss_mb = proc_status_mb(server_pid, "VmRSS")
        if backend == "embedded":
            path = settings.embedded_path
            result.store_size_mb = path.stat().st_size / 1e6
            wal = path.with_name(path.name + "-wal")
            result.wal_size_mb = wal.stat().st_size / 1e6 if wal.exists() else 0.0

    problems = check_counts(synth, result.counts_first, warmup)
    assert not problems, f"{backend}: wrong counts after the first write: {problems}"
    if result.counts_rerun is not None:
        assert result.counts_rerun == result.counts_first, (
            f"{backend}: rerun changed the counts (not idempotent):\n"
            f"first: {result.counts_first}\nrerun: {result.counts_rerun}"
        )
    if profiler is not None:
        report_profile(profiler, backend, args.profile, args.profile_top)
    return result


def report_profile(profiler: cProfile.Profile, backend: str, path: str, top: int) -> None:
    out = Path(path)
    if out.suffix != ".prof":
        out = out.with_suffix(".prof")
    out = out.with_name(f"{out.stem}-{backend}{out.suffix}")
    out.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(out)
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        text = buf.getvalue()
        body = text[text.find("   ncalls") :] if "   ncalls" in text else text
        console.print(f"\n[bold]{backend}: upsert calls of the first write, top {top} by {key}[/bold]")
        console.print(body.rstrip(), markup=False, highlight=False)
    console.print(f"[dim]full profile: {out} (python -m pstats {out})[/dim]")


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------
def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def print_results(results: list[BackendResult]) -> bool:
    table = Table(
        title="Store write throughput (only upsert calls are timed)",
        title_justify="left",
        caption="claims/s = claims / write s. RSS = peak (client: ru_maxrss; server: VmHWM). "
        "CPU s = CPU time spent during the pass's upserts (client) / the whole pass (server).",
        caption_justify="left",
    )
    for col, justify in (
        ("backend", "left"),
        ("pass", "left"),
        ("claims", "right"),
        ("write s", "right"),
        ("claims/s", "right"),
        ("target", "right"),
        ("result", "center"),
        ("first/last 10%", "right"),
        ("gen s", "right"),
        ("client CPU s", "right"),
        ("server CPU s", "right"),
        ("client RSS MB", "right"),
        ("server RSS MB", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    ok = True
    for r in results:
        for p in [r.first, *([r.rerun] if r.rerun else [])]:
            passed = p.rate >= r.target
            if p is r.first:
                ok &= passed
            head, tail = p.tail_rates(r.batch)
            table.add_row(
                r.backend,
                p.name,
                f"{p.claims:,}",
                f"{p.write_seconds:.2f}",
                f"{p.rate:,.0f}",
                f">= {r.target:,.0f}",
                ("[green]PASS[/green]" if passed else "[red]MISS[/red]") + ("" if p is r.first else " (info)"),
                f"{head:,.0f} / {tail:,.0f}",
                f"{p.gen_seconds:.2f}",
                f"{p.client_cpu_seconds:.2f}",
                "-" if p.server_cpu_seconds is None else f"{p.server_cpu_seconds:.2f}",
                _mb(r.client_peak_rss_mb),
                _mb(r.server_peak_rss_mb),
            )
    console.print(table)
    for r in results:
        extra = ""
        if r.store_size_mb is not None:
            extra = f", SQLite file {r.store_size_mb:,.1f} MB + WAL {r.wal_size_mb or 0:,.1f} MB"
        if r.server_rss_mb is not None:
            extra += f", server RSS now {r.server_rss_mb:,.0f} MB"
        if r.warmup:
            extra += f", after an untimed warm-up of {r.warmup:,} other claims"
        console.print(
            f"[dim]{r.backend}: setup {r.setup_seconds:.2f}s, entities upsert {r.entity_seconds:.3f}s, "
            f"{r.documents:,} documents in the same calls as the claims{extra}; {r.where}[/dim]"
        )

    for r in results:
        counts = Table(title=f"{r.backend}: counts after the first write and after the rerun", title_justify="left")
        for col in ("kind", "name", "first write", "rerun", "equal"):
            counts.add_column(col)
        for kind in ("nodes", "relationships"):
            first = r.counts_first.get(kind, {})
            again = (r.counts_rerun or {}).get(kind, {})
            for name in sorted(set(first) | set(again)):
                a, b = first.get(name), again.get(name)
                same = "-" if r.counts_rerun is None else ("yes" if a == b else "[red]NO[/red]")
                counts.add_row(kind, name, _mb(a), "-" if r.counts_rerun is None else _mb(b), same)
        console.print(counts)
        if r.counts_rerun is not None:
            console.print(f"[green]{r.backend}: idempotent: all counts equal after the rerun (asserted)[/green]")
    return ok


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
def add_neo4j_arguments(p: argparse.ArgumentParser) -> None:
    """The Neo4j options every bench shares (see :func:`neo4j_target`)."""
    p.add_argument("--neo4j-uri", help="use this server instead of starting a throwaway one")
    p.add_argument("--neo4j-user", default="neo4j")
    p.add_argument("--neo4j-password", default="neo4j")
    p.add_argument("--neo4j-database", default="neo4j")
    p.add_argument("--neo4j-pid", type=int, help="pid of the (local) server given by --neo4j-uri, to report its RSS")
    p.add_argument("--neo4j-heap", help="heap (-Xms = -Xmx) of the throwaway server (default: the helper's)")
    p.add_argument("--neo4j-pagecache", help="page cache of the throwaway server (default: the helper's)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.store_write",
        description="Upsert N synthetic claims (with documents, models, organizations, benchmarks) into the "
        "graph store(s) in app-sized batches; report write seconds, claims/s, peak RSS and a rerun "
        "(idempotency) figure. Run from the repository root.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    p.add_argument("--claims", type=int, default=100_000, help="number of claims to write")
    p.add_argument(
        "--batch",
        type=int,
        default=2000,
        help="claims per upsert call (their documents ride in the same call); also the Neo4j UNWIND size",
    )
    p.add_argument("--claims-per-doc", type=int, default=10)
    p.add_argument("--models", type=int, default=200)
    p.add_argument("--organizations", type=int, default=20)
    p.add_argument("--benchmarks", type=int, default=150, help="20%% of them are variants of the others")
    p.add_argument(
        "--authors-per-paper",
        type=int,
        default=3,
        help="authors per arXiv-style document (auto-created Author nodes + AUTHORED edges)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-rerun", action="store_true", help="skip the second (idempotency) pass")
    p.add_argument(
        "--warmup",
        type=int,
        default=0,
        metavar="N",
        help="first write N untimed claims of other content (warms the Neo4j JVM / caches)",
    )
    p.add_argument("--embedded-dir", help="directory for graph.sqlite (default: a temp dir, deleted afterwards)")
    add_neo4j_arguments(p)
    p.add_argument(
        "--neo4j-clear",
        action="store_true",
        help="allow deleting everything in the --neo4j-uri database first (else a non-empty one is refused)",
    )
    p.add_argument(
        "--profile",
        metavar="FILE.prof",
        help="cProfile the upsert calls of the first write; writes FILE-<backend>.prof and prints the top",
    )
    p.add_argument("--profile-top", type=int, default=30)
    p.add_argument(
        "--in-process",
        action="store_true",
        help="with --backend both, run both in this process (peak RSS then covers both)",
    )
    p.add_argument("--result-json", help=argparse.SUPPRESS)  # used by the per-backend child processes
    args = p.parse_args(argv)
    if args.claims < 1 or args.batch < 1 or args.claims_per_doc < 1:
        p.error("--claims, --batch and --claims-per-doc must be positive")
    if args.batch > 100_000:
        p.error("--batch must be at most 100000 (the write_batch_size setting's limit)")
    return args


def child_argv(args: argparse.Namespace, backend: str, result_json: str) -> list[str]:
    argv = [sys.executable, "-m", "bench.store_write", "--backend", backend, "--result-json", result_json]
    skip = {"backend", "result_json", "in_process"}
    for name, value in vars(args).items():
        if name in skip or value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        argv += [flag] if value is True else [flag, str(value)]
    return argv


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    results: list[BackendResult] = []
    if len(backends) > 1 and not args.in_process:
        for backend in backends:
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
                out = f.name
            try:
                proc = subprocess.run(child_argv(args, backend, out), cwd=REPO_ROOT)
                if proc.returncode != 0:
                    console.print(f"[red]{backend} run failed (exit {proc.returncode})[/red]")
                    return proc.returncode
                results.append(BackendResult.from_json(json.loads(Path(out).read_text())))
            finally:
                Path(out).unlink(missing_ok=True)
    else:
        results = [run_backend(b, args) for b in backends]
        if args.result_json:
            Path(args.result_json).write_text(json.dumps(asdict(results[0])))
            return 0
    ok = print_results(results)
    console.print(
        f"command: {' '.join([sys.executable, '-m', 'bench.store_write', *(argv or sys.argv[1:])])}", highlight=False
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
