"""The real bundled embedding model loads offline and embeds sensibly."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.embeddings import load_embedding_model, resolve_embedding_model
from ingest.errors import EmbeddingModelError


def test_bundled_model_loads_offline_and_ranks_by_meaning() -> None:
    model = load_embedding_model("all-MiniLM-L6-v2")
    vectors = model.encode(
        [
            "The agent resolved 70% of SWE-bench Verified issues.",
            "The coding agent fixed most of the GitHub issues in the benchmark.",
            "A recipe for sourdough bread with rye flour.",
        ],
        normalize_embeddings=True,
    )
    assert vectors.shape == (3, 384)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.2
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_unknown_local_path_is_a_clear_error(tmp_path: pytest.TempPathFactory) -> None:
    assert resolve_embedding_model("/some/other/model") == "/some/other/model"
    with pytest.raises(EmbeddingModelError, match="AUTOSCOPE_EMBEDDING_MODEL"):
        load_embedding_model(str(tmp_path) + "/missing-model")
