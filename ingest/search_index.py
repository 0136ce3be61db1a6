"""Semantic search over claims and documents with the embedding model.

The index lives in ``$AUTOSCOPE_DATA_DIR/search/index.npz``: ids, kinds, a hash of each indexed
text and its unit-length embedding. ``build`` is incremental (only new or changed texts are
embedded, the model is not even loaded when nothing changed) and writes atomically, so a crash
never leaves a half-written index. A claim is indexed as its model, value, benchmark (with the
capabilities it measures), setting and, when extracted from prose, its evidence sentence; a
document as its title and URL. Search ranks by cosine similarity, then re-ranks the best few
hundred by how many of the query's words (and exact version numbers) the text contains, since
embeddings alone hardly tell "Claude Opus 4.5" from "Claude Opus 4.1".
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from graph.model import Benchmark, Claim, Document, Model
from graph.schema import Label
from graph.store import ClaimQuery, GraphStore, iter_claims, iter_nodes
from ingest.errors import IngestError

Embed = Callable[[Sequence[str]], np.ndarray]
INDEX_FILE = "index.npz"
GRAPH_FILE = "hnsw.bin"
ANN_MIN_ITEMS = 20_000
ANN_POOL = 200
PROSE_EXTRACTORS = ("nlp/", "review/")
LEXICAL_WEIGHT = 0.15
RERANK_POOL = 200
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "for",
        "from",
        "how",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "what",
        "which",
        "who",
        "with",
    ]
)
"""Claims whose evidence is a sentence of prose (not a CSV or YAML record) have it embedded too."""


class SearchIndexError(IngestError):
    """The search index is missing or unreadable."""


@dataclass(frozen=True)
class Item:
    kind: str
    id: str
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:16]


@dataclass
class BuildReport:
    items: int = 0
    embedded: int = 0
    removed: int = 0


def claim_text(claim: Claim, models: dict[str, str], benches: dict[str, Benchmark]) -> str:
    """A claim as words: model, value, benchmark and what it measures, setting, and prose evidence."""
    unit = "%" if claim.unit.value == "%" else f" {claim.unit.value}"
    model = models.get(claim.model_id, claim.model_id)
    bench = benches.get(claim.benchmark_id)
    name = bench.name if bench else claim.benchmark_id
    measures = (
        f" ({', '.join(c.replace('-', ' ') for c in bench.capabilities)})" if bench and bench.capabilities else ""
    )
    setting = f", {claim.setting}" if claim.setting else ""
    text = f"{model} scores {claim.value:g}{unit} on {name}{measures}{setting}."
    if claim.extractor_version.startswith(PROSE_EXTRACTORS):
        text += f" {claim.evidence_sentence}"
    return text[:1000]


def collect(store: GraphStore) -> list[Item]:
    """What the index should hold now: every current claim and every document."""
    claims = list(iter_claims(store, ClaimQuery()))
    found = store.get_many(Label.MODEL, sorted({c.model_id for c in claims}))
    models = {k: v.name for k, v in found.items() if isinstance(v, Model)}
    benches = {k: v for k, v in store.get_many(Label.BENCHMARK, sorted({c.benchmark_id for c in claims})).items()
               if isinstance(v, Benchmark)}  # fmt: skip
    items = [Item("claim", c.id, claim_text(c, models, benches)) for c in claims]
    for doc in iter_nodes(store, Label.DOCUMENT):
        if isinstance(doc, Document):
            items.append(Item("document", doc.id, f"{doc.title or doc.id} {doc.url or ''}".strip()[:1000]))
    return items


@dataclass
class _Loaded:
    stamp: tuple[float, float]
    ids: np.ndarray
    kinds: np.ndarray
    texts: np.ndarray
    vectors: np.ndarray
    graph: Any | None


class SearchIndex:
    """The on-disk index; safe to query from many threads.

    Up to ``ANN_MIN_ITEMS`` items are searched exactly (one matrix-vector product); larger indexes
    also keep an HNSW graph (hnswlib, inner product on unit vectors) that finds the candidates in
    about a millisecond. The graph is rebuilt from the stored vectors whenever the items change.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / INDEX_FILE
        self.graph_path = directory / GRAPH_FILE
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def exists(self) -> bool:
        return self.path.exists()

    def _read(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                return data["ids"], data["kinds"], data["texts"], data["vectors"], data["hashes"]
        except (OSError, KeyError, ValueError) as e:
            raise SearchIndexError(
                f"the search index {self.path} cannot be read: {e}; rebuild it with autoscope build"
            ) from e

    def build(self, store: GraphStore, embed_loader: Callable[[], Embed], batch: int = 256) -> BuildReport:
        """Bring the index up to date with the graph (incremental, atomic)."""
        items = collect(store)
        old: dict[str, tuple[str, np.ndarray]] = {}
        if self.exists():
            ids, _, _, vectors, hashes = self._read()
            old = {str(i): (str(h), v) for i, h, v in zip(ids, hashes, vectors, strict=True)}
        todo = [it for it in items if old.get(it.id, ("", None))[0] != it.digest]
        report = BuildReport(items=len(items), embedded=len(todo), removed=len(set(old) - {it.id for it in items}))
        if not todo and not report.removed and self.exists():
            return report
        fresh: dict[str, np.ndarray] = {}
        if todo:
            embed = embed_loader()
            for start in range(0, len(todo), batch):
                chunk = todo[start : start + batch]
                vectors = np.asarray(embed([it.text for it in chunk]), dtype=np.float32)
                for it, vector in zip(chunk, vectors, strict=True):
                    fresh[it.id] = vector
        rows = [fresh[it.id] if it.id in fresh else old[it.id][1] for it in items]
        matrix = np.stack(rows).astype(np.float32) if rows else np.zeros((0, 384), dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix = (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)
        self.directory.mkdir(parents=True, exist_ok=True)
        if len(items) >= ANN_MIN_ITEMS:
            self._write_graph(matrix)
        else:
            self.graph_path.unlink(missing_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, ids=np.array([it.id for it in items]), kinds=np.array([it.kind for it in items]),
                 texts=np.array([it.text for it in items]), hashes=np.array([it.digest for it in items]),
                 vectors=matrix.astype(np.float16))  # fmt: skip
        os.replace(tmp, self.path)
        return report

    def _write_graph(self, matrix: np.ndarray) -> None:
        import hnswlib

        graph = hnswlib.Index(space="ip", dim=matrix.shape[1])
        graph.init_index(max_elements=matrix.shape[0], ef_construction=100, M=16, random_seed=7)
        graph.add_items(matrix, np.arange(matrix.shape[0]))
        tmp = self.graph_path.with_suffix(".tmp")
        graph.save_index(str(tmp))
        os.replace(tmp, self.graph_path)

    def _load(self) -> _Loaded:
        graph_mtime = self.graph_path.stat().st_mtime if self.graph_path.exists() else 0.0
        stamp = (self.path.stat().st_mtime, graph_mtime)
        with self._lock:
            if self._loaded is None or self._loaded.stamp != stamp:
                ids, kinds, texts, vectors, _ = self._read()
                self._loaded = _Loaded(stamp, ids, kinds, texts, vectors.astype(np.float32), self._open_graph(ids.size))
            return self._loaded

    def _open_graph(self, size: int) -> Any | None:
        if size < ANN_MIN_ITEMS or not self.graph_path.exists():
            return None
        import hnswlib

        graph = hnswlib.Index(space="ip", dim=384)
        try:
            graph.load_index(str(self.graph_path), max_elements=size)
        except (RuntimeError, OSError):
            return None
        if graph.get_current_count() != size:
            return None  # written for another version of the items: search exactly instead
        graph.set_ef(ANN_POOL)
        return graph

    def search(
        self, query_vector: np.ndarray, k: int = 10, kind: str | None = None, query_text: str = ""
    ) -> list[tuple[str, str, float]]:
        """(kind, id, score) of the ``k`` best items, best first (see the module doc for the ranking)."""
        if not self.exists():
            raise SearchIndexError("no search index yet: run `autoscope build` (or `autoscope up`) to create it")
        index = self._load()
        if index.ids.size == 0:
            return []
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        q = q / (np.linalg.norm(q) or 1.0)
        pool_size = min(index.ids.size, max(RERANK_POOL, k))
        pool = self._candidates(index, q, pool_size, kind)
        words = _words(query_text)
        ranked = []
        for i in pool:
            cosine = float(index.vectors[i] @ q)
            bonus = LEXICAL_WEIGHT * _overlap(words, _words(str(index.texts[i]))) if words else 0.0
            ranked.append((cosine + bonus, int(i)))
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(str(index.kinds[i]), str(index.ids[i]), score) for score, i in ranked[:k]]

    def _candidates(self, index: _Loaded, q: np.ndarray, size: int, kind: str | None) -> list[int]:
        if index.graph is not None:
            labels, _ = index.graph.knn_query(q, k=min(size, ANN_POOL))
            found = [int(i) for i in labels[0] if kind is None or index.kinds[i] == kind]
            if kind is None or len(found) >= size // 4:
                return found
        scores = index.vectors @ q
        if kind is not None:
            scores = np.where(index.kinds == kind, scores, -np.inf)
        top = np.argpartition(-scores, size - 1)[:size] if size < scores.size else np.arange(scores.size)
        return [int(i) for i in top if np.isfinite(scores[i])]


def _words(text: str) -> set[str]:
    return {w for w in _TOKEN.findall(text.lower()) if w not in _STOP}


def _overlap(query: set[str], text: set[str]) -> float:
    """Share of the query's words found in the text; words with digits (versions) count double."""
    weight = {w: 2.0 if any(ch.isdigit() for ch in w) else 1.0 for w in query}
    total = sum(weight.values())
    return sum(v for w, v in weight.items() if w in text) / total if total else 0.0


def embedder(model_name: str, threads: int | None = None) -> Embed:
    """An embedding function over the configured sentence-transformers model (loaded now).

    ``threads`` caps torch's threads in this process (API workers share the cores).
    """
    from ingest.embeddings import load_embedding_model

    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    model = load_embedding_model(model_name)

    def embed(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(model.encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False))

    return embed
