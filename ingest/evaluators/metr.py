"""METR's time-horizon results file (``autoscope import metr``), e.g. ``benchmark_results_1_1.yaml``.

Layout: top-level ``benchmark_name`` and ``results``, a mapping of model key to
``{benchmark_name, metrics: {p50_horizon_length: {estimate, ci_low, ci_high}, p80_horizon_length: ...},
release_date, scaffolds}``; horizons are in minutes. Each entry gives up to two claims,
``metr-time-horizon-50`` and ``metr-time-horizon-80``, with the 95% interval as value_low/value_high,
the entry's own suite name (``METR-Horizon-v1.1``) as the setting, and the entry's YAML block,
with its offsets in the file, as evidence. A bad entry is skipped with its line and model key.
A newer release revises METR's own earlier figures (same model, benchmark and suite, from any
metr.org page): those claims are superseded, kept for as-of reads.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from graph.model import Claim, Document, DocumentKind, SourceKind, Unit
from graph.store import GraphStore
from ingest.documents import document_id_for_url
from ingest.errors import InputFileError
from ingest.evaluators.common import Batch, FileReport, ModelMatch, ModelNames, parse_date, read_text
from ingest.nlp.registry import Registry, default_registry

EXTRACTOR_VERSION = "metr-import/1"
METRICS = (("p50_horizon_length", "metr-time-horizon-50"), ("p80_horizon_length", "metr-time-horizon-80"))
ASSETS_URL = "https://metr.org/assets/"
EVALUATOR_DOMAIN = "metr.org"
_TOP_KEY = re.compile(r"^results\s*:\s*(?:#.*)?$")
_KEY = re.compile(r"""^(?P<indent>[ ]+)(?:'(?P<sq>[^']*)'|"(?P<dq>[^"]*)"|(?P<plain>[^\s'"#?\-][^:#]*?))\s*:(?:\s|$)""")


@dataclass(frozen=True)
class Span:
    """Where one ``results`` entry's block sits in the file."""

    line: int
    start: int
    end: int


def entry_spans(text: str) -> dict[str, Span]:
    """The block of every ``results`` entry, found by scanning lines (block-style YAML)."""
    spans: dict[str, Span] = {}
    offset, inside, indent = 0, False, None
    current: tuple[str, int, int] | None = None
    last_end = 0

    def close() -> None:
        if current is not None:
            key, line, start = current
            spans[key] = Span(line, start, max(last_end, start))

    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        blank = not body.strip() or body.lstrip().startswith("#")
        if not inside:
            inside = bool(_TOP_KEY.match(body))
        elif not blank and not body.startswith((" ", "\t")):
            break
        elif not blank:
            match = _KEY.match(body)
            if match and (indent is None or len(match.group("indent")) == indent):
                indent = len(match.group("indent"))
                close()
                key = match.group("sq") or match.group("dq") or match.group("plain") or ""
                current = (key.strip(), number, offset + indent)
            last_end = offset + len(body.rstrip())
        offset += len(line)
    close()
    return spans


def import_metr_file(
    store: GraphStore,
    path: Path,
    reported: date | None = None,
    url: str | None = None,
    registry: Registry | None = None,
) -> FileReport:
    """Import a METR results file; without ``reported`` the file's modification date is used (and noted)."""
    text, mtime = read_text(path)
    return import_metr_text(
        store,
        text,
        str(path),
        reported=reported or mtime,
        url=url or ASSETS_URL + path.name,
        date_basis="--date" if reported else "file modification date",
        registry=registry,
    )


def import_metr_text(
    store: GraphStore,
    text: str,
    source: str,
    reported: date,
    url: str,
    date_basis: str = "--date",
    registry: Registry | None = None,
) -> FileReport:
    """Import the text of a METR results file (see the module doc); one atomic write."""
    if not url.startswith(("http://", "https://")):
        raise InputFileError(f"{source}: --url {url!r} is not an http(s) URL")
    data = _load(text, source)
    results = data.get("results")
    if not isinstance(results, dict) or not results:
        raise InputFileError(f"{source}: no `results` mapping of model keys (is this a METR results file?)")
    suite = data.get("benchmark_name") if isinstance(data.get("benchmark_name"), str) else None
    reg = registry or default_registry()
    report = FileReport(source=source, layout="metr")
    if date_basis != "--date":
        report.notes.append(
            f"reported date {reported.isoformat()} is the {date_basis}: "
            "pass --date with the day METR published the file"
        )
    doubling = _doubling_days(data.get("doubling_time_in_days"))
    if doubling is not None:
        report.notes.append(f"METR's doubling time in this file: {doubling:g} days (not imported)")
    batch = Batch(store, reg, report)
    names = ModelNames(reg, "metr")
    doc_id = document_id_for_url(url)
    spans = entry_spans(text)
    for raw_key, entry in results.items():
        key = str(raw_key)
        report.rows += 1
        span = spans.get(key)
        outcome = _entry(entry)
        if isinstance(outcome, str):
            report.skipped.append((span.line if span else 0, f"{key}: {outcome}"))
            continue
        setting, release, metrics = outcome
        setting = setting or suite
        evidence = text[span.start : span.end] if span else yaml.safe_dump({key: entry}, sort_keys=False).strip()
        model_id = batch.model(_match(names, key), release)
        for metric, bench_id, value, low, high in metrics:
            batch.claims.append(
                Claim(document_id=doc_id, model_id=model_id, benchmark_id=batch.benchmark(bench_id), value=value,
                      unit=Unit.MINUTES, value_low=low, value_high=high, metric=metric, setting=setting,
                      source_kind=SourceKind.THIRD_PARTY, source_url=url, reported_date=reported,
                      evidence_sentence=evidence, evidence_start=span.start if span else None,
                      evidence_end=span.end if span else None, extractor_version=EXTRACTOR_VERSION)
            )  # fmt: skip
            report.benchmarks.add(bench_id)
    report.count_date(date_basis, len(batch.claims))
    batch.document(
        Document(id=doc_id, kind=DocumentKind.DATASET, title=f"METR time-horizon results ({suite or 'METR'})",
                 url=url, source="metr", published=reported, organization_id=batch.organization("metr"))
    )  # fmt: skip
    batch.commit(revises_domain=EVALUATOR_DOMAIN)
    return report


class _Loader(yaml.SafeLoader):
    """Safe YAML with dates left as text, so one impossible date skips its entry instead of failing the file."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _load(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, ValueError) as e:
        where = getattr(e, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise InputFileError(f"{source}: not YAML{line}: {getattr(e, 'problem', None) or e}") from e
    if not isinstance(data, dict):
        raise InputFileError(f"{source}: not a METR results file: expected a mapping with `results`")
    return data


def _match(names: ModelNames, key: str) -> ModelMatch:
    base = names.strip_harness(key)
    return names.resolve(key, [dotted(base), "-".join(p for p in base.split("_") if p)])


def dotted(key: str) -> str:
    """``gpt_5_4`` -> ``gpt-5.4``; ``gpt_5_2025_08_07`` -> ``gpt-5-2025-08-07`` (single digits join as versions)."""
    out = ""
    previous = ""
    for part in (p for p in key.split("_") if p):
        glue = "." if (len(previous) == 1 and previous.isdigit() and len(part) == 1 and part.isdigit()) else "-"
        out = f"{out}{glue}{part}" if out else part
        previous = part
    return out


Metric = tuple[str, str, float, float | None, float | None]


def _entry(entry: object) -> tuple[str | None, date | None, list[Metric]] | str:
    """An entry's setting, release date and horizons, or why it is skipped."""
    if not isinstance(entry, dict):
        return "entry is not a mapping"
    metrics = entry.get("metrics")
    if not isinstance(metrics, dict):
        return "no `metrics` mapping"
    found: list[Metric] = []
    for metric, bench_id in METRICS:
        block = metrics.get(metric)
        if block is None:
            continue
        if not isinstance(block, dict):
            return f"{metric} is not a mapping"
        if block.get("estimate") is None:
            continue
        values: list[float | None] = []
        for field in ("estimate", "ci_low", "ci_high"):
            value = block.get(field)
            if value is None and field != "estimate":
                values.append(None)
                continue
            number = _minutes(value)
            if number is None:
                return f"{metric}.{field} {value!r} is not a non-negative number of minutes"
            values.append(number)
        estimate, low, high = values
        if low is not None and high is not None and low > high:
            return f"{metric}: ci_low {low:g} is above ci_high {high:g}"
        assert estimate is not None
        found.append((metric, bench_id, estimate, low, high))
    if not found:
        return "no p50_horizon_length or p80_horizon_length estimate"
    raw_release = entry.get("release_date")
    release = parse_date(raw_release)
    if raw_release is not None and release is None:
        return f"release_date {raw_release!r} is not a date (YYYY-MM-DD)"
    setting = entry.get("benchmark_name")
    if setting is not None and not isinstance(setting, str):
        return f"benchmark_name {setting!r} is not text"
    return setting, release, found


def _minutes(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _doubling_days(value: object) -> float | None:
    """The headline doubling time, if the file states one (reported, not imported)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dict):
        for key in ("from_2023_on", "all_time_stitched"):
            inner = value.get(key)
            if isinstance(inner, dict) and isinstance(inner.get("point_estimate"), int | float):
                return float(inner["point_estimate"])
    return None
