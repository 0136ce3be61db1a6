"""``autoscope extract``: the command-line contract other tools depend on.

- ``autoscope extract PATH`` (or ``-``): one plain-text document in, one JSON object out:
  ``{"claims": [...], "milestones": [...], "signals": [...]}``.
- ``autoscope extract --jsonl PATH`` (or ``-``): JSON lines ``{"id", "text", "published"?}`` in;
  one line ``{"id", "claims", "milestones", "signals"}`` per input out, in input order, streaming.

Empty or non-text input gives an empty result; invalid JSON lines are reported on stderr
with their line number and skipped.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from api.console import err, errors, fail
from graph.settings import load_settings

EMPTY: dict[str, list[Any]] = {"claims": [], "milestones": [], "signals": []}


def _decode(raw: bytes) -> str | None:
    """Text, or None for binary input (NUL bytes or not UTF-8)."""
    if b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _open(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return Path(path).open("rb")
    except OSError as e:
        raise fail(f"{path}: cannot read: {e.strerror or e}") from None


def jsonl_items(stream: IO[bytes], source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Valid lines of a JSON-lines input as (text, meta); bad lines reported on stderr and skipped."""
    for number, raw in enumerate(stream, start=1):
        line = _decode(raw)
        if line is None:
            err.print(f"{source}:{number}: skipped: not UTF-8 text", highlight=False, markup=False)
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            err.print(f"{source}:{number}: skipped: invalid JSON ({e.msg})", highlight=False, markup=False)
            continue
        if not isinstance(obj, dict) or "id" not in obj:
            err.print(f'{source}:{number}: skipped: expected an object with an "id"', highlight=False, markup=False)
            continue
        text = obj.get("text")
        published = None
        if isinstance(obj.get("published"), str):
            try:
                published = date.fromisoformat(obj["published"][:10])
            except ValueError:
                err.print(f"{source}:{number}: ignored published={obj['published']!r}: not a date",
                          highlight=False, markup=False)  # fmt: skip
        meta = {"id": obj["id"], "published": published, "publisher": obj.get("publisher")}
        yield (text if isinstance(text, str) else ""), meta


def extract(
    path: Annotated[str, typer.Argument(help="A plain-text file, or - for standard input.")],
    jsonl: Annotated[bool, typer.Option("--jsonl", help='Input is JSON lines {"id", "text", "published"?}.')] = False,
    publisher: Annotated[
        str | None, typer.Option("--publisher", help="Organisation id of the source, for self_reported (e.g. openai).")
    ] = None,
    no_embeddings: Annotated[
        bool, typer.Option("--no-embeddings", help="Rules only: skip the embedding model (faster start).")
    ] = False,
) -> None:
    """Extract benchmark claims, milestones and automation signals from text, as JSON."""
    from ingest.nlp.pipeline import Extractor, load_pipeline

    with errors():
        settings = load_settings()
        nlp = load_pipeline(
            use_embeddings=settings.extract_embeddings and not no_embeddings,
            embedding_model=settings.embedding_model,
            review_threshold=settings.review_threshold,
        )
    extractor = Extractor(nlp)
    stream = _open(path)
    out = sys.stdout
    if not jsonl:
        text = _decode(stream.read())
        if not text or not text.strip():
            out.write(json.dumps(EMPTY) + "\n")
            return
        result = extractor.extract(text, publisher=publisher)
        out.write(json.dumps(result.contract(), ensure_ascii=False) + "\n")
        return
    items = list_or_stream(jsonl_items(stream, "<stdin>" if path == "-" else path), publisher)
    for (_, meta), result in zip_results(items, extractor):
        out.write(json.dumps({"id": meta["id"], **result.contract()}, ensure_ascii=False) + "\n")
        out.flush()


def list_or_stream(
    items: Iterator[tuple[str, dict[str, Any]]], publisher: str | None
) -> Iterator[tuple[str, dict[str, Any]]]:
    for text, meta in items:
        if publisher and not meta.get("publisher"):
            meta["publisher"] = publisher
        yield text, meta


def zip_results(items: Iterator[tuple[str, dict[str, Any]]], extractor: Any) -> Iterator[tuple[Any, Any]]:
    """Pair each input with its extraction, keeping order while the pipeline batches."""
    pending: list[tuple[str, dict[str, Any]]] = []

    def tee() -> Iterator[tuple[str, dict[str, Any]]]:
        for item in items:
            pending.append(item)
            yield item

    for result in extractor.pipe(tee(), batch_size=16):
        yield pending.pop(0), result
