"""End-to-end throughput and memory of the arXiv snapshot ingest: synthetic file -> run_source -> DocStore.

Run from the repository root::

    .venv/bin/python -m bench.ingest_snapshot                      # 1M records (+ a 250k run for RSS)
    .venv/bin/python -m bench.ingest_snapshot --records 200000 --gzip
    .venv/bin/python -m bench.ingest_snapshot --records 200000 --profile /tmp/snap.prof

What happens: a synthetic snapshot in the real JSON-lines schema (~1 KB abstracts, 2-8 authors,
1-3 versions, categories mixed so the default filter keeps ~40%) is streamed to a temp dir,
then ingested by ``SnapshotSource`` through ``run_source`` into a fresh ``DocStore``. Each run
happens in its own child process, so its peak RSS (``ru_maxrss``) is its own; a second run
with a quarter of the records shows whether memory grows with the file. Only ``run_source``
is timed (not the generation of the file).
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # also allow `python bench/ingest_snapshot.py`
    sys.path.insert(0, str(REPO_ROOT))

from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402
from rich.table import Table  # noqa: E402

console = Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=150)
TARGET_RECORDS_PER_S = 20_000
TARGET_RSS_MB = 500.0
RSS_GROWTH_MB = 64.0  # "independent of file size": the full run may use at most this much more than 1/4
TARGET_CATS = ("cs.AI", "cs.LG", "cs.CL")
OTHER_CATS = (
    "math.PR",
    "math.CO",
    "hep-th",
    "hep-ph",
    "cond-mat.str-el",
    "astro-ph.GA",
    "q-bio.NC",
    "stat.ME",
    "cs.CV",
    "cs.CR",
    "cs.DS",
    "physics.optics",
    "econ.EM",
    "eess.SP",
    "quant-ph",
    "gr-qc",
)
LICENSES = ("http://arxiv.org/licenses/nonexclusive-distrib/1.0/", "http://creativecommons.org/licenses/by/4.0/", None)


# ---------------------------------------------------------------------------------------------
# Synthetic snapshot
# ---------------------------------------------------------------------------------------------
class Synth:
    """Invented records in the snapshot schema; the same seed gives the same file."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        syll = ("ka", "lo", "mi", "ne", "ru", "ta", "ve", "zo", "pri", "sten", "gra", "dol", "fen", "quo", "bar", "lis")
        self.words = ["".join(self.rng.choices(syll, k=self.rng.randint(1, 4))) for _ in range(4000)]
        self.first = [w.capitalize() for w in self.words[:400]]
        self.last = [
            w.capitalize() + s for w, s in zip(self.words[400:1200], ("", "son", "ova", "ez") * 200, strict=True)
        ]

    def record(self, i: int, n: int) -> dict[str, Any]:
        rng = self.rng
        start = datetime(2007, 4, 1) + timedelta(seconds=int(i / n * 18.5 * 365 * 86400))
        arxiv_id = f"math/{(i // 1000) % 10000:04d}{i % 1000:03d}" if i % 53 == 0 else f"{start:%y%m}.{i % 100000:05d}"
        versions, when = [], start
        for v in range(rng.choice((1, 1, 1, 2, 2, 3))):
            when += timedelta(days=rng.randint(0, 90) if v else 0, seconds=rng.randint(0, 86399))
            versions.append({"version": f"v{v + 1}", "created": f"{when:%a}, {when.day} {when:%b %Y %H:%M:%S} GMT"})
        cats = [rng.choice(TARGET_CATS) if rng.random() < 0.4 else rng.choice(OTHER_CATS)]
        cats += rng.sample(OTHER_CATS, rng.choice((0, 0, 1, 2)))
        people = [
            [
                rng.choice(self.last),
                rng.choice(self.first) + " " + chr(65 + rng.randrange(26)) + ".",
                "Jr" if rng.random() < 0.01 else "",
            ]
            for _ in range(rng.randint(2, 8))
        ]
        names = [f"{p[1]} {p[0]}" for p in people]
        words = rng.choices(self.words, k=rng.randint(100, 160))
        lines = [" ".join(words[j : j + 12]) for j in range(0, len(words), 12)]
        title = " ".join(rng.choices(self.words, k=rng.randint(6, 14))).capitalize()
        cut = title.find(" ", 50)
        return {
            "id": arxiv_id,
            "submitter": names[0],
            "authors": ", ".join(names[:-1]) + " and " + names[-1],
            "title": title if cut < 0 else title[:cut] + "\n  " + title[cut + 1 :],
            "comments": f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures" if rng.random() < 0.7 else None,
            "journal-ref": None,
            "doi": f"10.0000/synth.{i}" if rng.random() < 0.2 else None,
            "report-no": None,
            "categories": " ".join(cats),
            "license": rng.choice(LICENSES),
            "abstract": "  " + "\n".join(lines) + "\n",
            "versions": versions,
            "update_date": (when + timedelta(days=rng.randint(0, 3))).strftime("%Y-%m-%d"),
            "authors_parsed": people,
        }

    def lines(self, n: int) -> Iterator[bytes]:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for i in range(n):
            yield (dumps(self.record(i, n)) + "\n").encode()


def write_snapshot(path: Path, records: int, seed: int, compress: bool) -> float:
    """Stream ``records`` synthetic lines to ``path``; returns seconds taken."""
    t0 = time.perf_counter()
    with progress_bar() as progress, open(path, "wb") as raw:
        out: io.BufferedIOBase = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3) if compress else raw
        task = progress.add_task(f"writing {path.name}", total=records, rate="")
        for i, line in enumerate(Synth(seed).lines(records), 1):
            out.write(line)
            if i % 10_000 == 0:
                progress.update(task, completed=i)
        progress.update(task, completed=records)
        if compress:
            out.close()
    return time.perf_counter() - t0


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>20}"),
        TimeElapsedColumn(),
        console=console,
    )


# ---------------------------------------------------------------------------------------------
# One ingest run (in a child process)
# ---------------------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    """Peak RSS of this process (Linux reports ru_maxrss in KiB, macOS in bytes)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 1024 / 1024


def ingest(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.docstore import DocStore
    from ingest.runner import RunSummary, run_source
    from ingest.sources.snapshot import snapshot_source

    source = snapshot_source(
        args.child, categories=args.categories or None, since=args.since, checkpoint_every=args.checkpoint_every
    )
    profiler = cProfile.Profile() if args.profile else None
    with DocStore(args.db) as store, progress_bar() as progress:
        task = progress.add_task(f"ingesting {Path(args.child).name}", total=args.records, rate="")
        load_before = os.getloadavg()[0]
        t0, cpu0 = time.perf_counter(), time.process_time()

        def on_progress(_: RunSummary) -> None:
            done = source.stats.lines
            progress.update(task, completed=done, rate=f"{done / (time.perf_counter() - t0):,.0f} records/s")

        if profiler:
            profiler.enable()
        summary = run_source(source, store, page_size=args.page_size, on_progress=on_progress)
        if profiler:
            profiler.disable()
        seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - cpu0
        progress.update(task, completed=source.stats.lines)
        stored = store.count()
    if profiler:
        profiler.dump_stats(args.profile)
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats("tottime").print_stats(args.profile_top)
        console.print(buf.getvalue(), markup=False, highlight=False)
    stats = source.stats
    if summary.errors or stored != stats.kept or summary.new != stats.kept:
        raise SystemExit(f"wrong result: {summary.as_dict()} stored={stored} stats={stats}")
    return {
        "records": stats.lines,
        "kept": stats.kept,
        "stored": stored,
        "skipped": len(summary.skipped),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "load": max(load_before, os.getloadavg()[0]),
    }


def run_child(args: argparse.Namespace, snapshot: Path, records: int, db: Path) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "bench.ingest_snapshot",
        "--child",
        str(snapshot),
        "--db",
        str(db),
        "--records",
        str(records),
        "--checkpoint-every",
        str(args.checkpoint_every),
        "--page-size",
        str(args.page_size),
        "--categories",
        args.categories,
    ]
    if args.since:
        cmd += ["--since", args.since]
    if args.profile and records == args.records:
        cmd += ["--profile", args.profile, "--profile-top", str(args.profile_top)]
    done = subprocess.run(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"ingest of {snapshot} failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "[green]PASS[/green]" if ok else "[red]MISS[/red]"


def report(results: list[tuple[str, dict[str, Any]]], with_quarter: bool) -> bool:
    out = Console() if sys.stdout.isatty() else Console(width=150)
    table = Table(title="Snapshot ingest, end to end (run_source + DocStore, one process each)", title_justify="left")
    for col in (
        "run",
        "records",
        "stored",
        "seconds",
        "records/s",
        "stored docs/s",
        "CPU s",
        "records/CPU-s",
        "peak RSS MB",
        "load avg",
    ):
        table.add_column(col, justify="left" if col == "run" else "right")
    for name, r in results:
        table.add_row(
            name,
            f"{r['records']:,}",
            f"{r['stored']:,}",
            f"{r['seconds']:.1f}",
            f"{r['records'] / r['seconds']:,.0f}",
            f"{r['stored'] / r['seconds']:,.0f}",
            f"{r['cpu_seconds']:.1f}",
            f"{r['records'] / r['cpu_seconds']:,.0f}",
            f"{r['peak_rss_mb']:,.0f}",
            f"{r['load']:.1f}",
        )
    out.print(table)
    full = results[-1][1]
    rate, cpu_rate = full["records"] / full["seconds"], full["records"] / full["cpu_seconds"]
    rate_ok = rate >= TARGET_RECORDS_PER_S
    out.print(f"throughput: {rate:,.0f} records/s wall clock (target >= {TARGET_RECORDS_PER_S:,}) {verdict(rate_ok)}")
    out.print(
        f"  per CPU-second of the (single-threaded) run: {cpu_rate:,.0f} records/s "
        f"{verdict(cpu_rate >= TARGET_RECORDS_PER_S)}"
    )
    if full["cpu_seconds"] < 0.8 * full["seconds"]:
        share = full["cpu_seconds"] / full["seconds"]
        out.print(
            f"  [yellow]the run had the CPU {share:.0%} of the time (load average {full['load']:.1f} on "
            f"{os.cpu_count()} CPUs): the wall-clock figure is depressed by other work[/yellow]"
        )
    rss_ok = all(r["peak_rss_mb"] < TARGET_RSS_MB for _, r in results)
    figures = ", ".join(f"{n} {r['peak_rss_mb']:,.0f} MB" for n, r in results)
    out.print(f"peak RSS: {figures} (target < {TARGET_RSS_MB:,.0f} MB) {verdict(rss_ok)}")
    flat_ok = True
    if with_quarter:
        growth = full["peak_rss_mb"] - results[0][1]["peak_rss_mb"]
        flat_ok = growth < RSS_GROWTH_MB
        out.print(
            f"RSS growth from 1/4 to the full file: {growth:+,.0f} MB "
            f"(independent of size if < {RSS_GROWTH_MB:.0f} MB) {verdict(flat_ok)}"
        )
    return rate_ok and rss_ok and flat_ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.ingest_snapshot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--records", type=int, default=1_000_000, help="records in the synthetic snapshot (1,000,000)")
    p.add_argument("--categories", default=",".join(TARGET_CATS), help="category filter (cs.AI,cs.LG,cs.CL; ~40%%)")
    p.add_argument("--since", default=None, help="date filter YYYY-MM-DD (none)")
    p.add_argument("--checkpoint-every", type=int, default=5000, help="records per checkpoint (5000)")
    p.add_argument("--page-size", type=int, default=1000, help="run_source page size (1000)")
    p.add_argument("--gzip", action="store_true", help="write and read a gzip snapshot instead of a plain one")
    p.add_argument("--no-quarter", action="store_true", help="skip the 1/4-size run (RSS comparison)")
    p.add_argument("--seed", type=int, default=7, help="random seed (7)")
    p.add_argument("--dir", default=None, help="work directory (default: a temp dir, removed afterwards)")
    p.add_argument("--profile", default=None, metavar="FILE.prof", help="cProfile the full-size run into FILE")
    p.add_argument("--profile-top", type=int, default=30, help="functions to print from the profile (30)")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--db", default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(ingest(args)))
        return 0
    with tempfile.TemporaryDirectory(prefix="autoscope-snapshot-", dir=args.dir) as tmp:
        work = Path(tmp)
        suffix = ".json.gz" if args.gzip else ".json"
        sizes = ([("1/4", args.records // 4)] if not args.no_quarter else []) + [("full", args.records)]
        results = []
        for name, n in sizes:
            snapshot = work / f"snapshot-{n}{suffix}"
            secs = write_snapshot(snapshot, n, args.seed, args.gzip)
            console.print(
                f"[dim]{snapshot.name}: {n:,} records, {snapshot.stat().st_size / 1e6:,.0f} MB "
                f"written in {secs:.1f}s[/dim]"
            )
            results.append((name, run_child(args, snapshot, n, work / f"docs-{n}.db")))
            snapshot.unlink()
        ok = report(results, not args.no_quarter)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
