"""One real pipeline per session: rules only, and with the real embedding model."""

from __future__ import annotations

import pytest

from ingest.nlp.pipeline import Extractor, load_pipeline


@pytest.fixture(scope="session")
def rules() -> Extractor:
    return Extractor(load_pipeline(use_embeddings=False))


@pytest.fixture(scope="session")
def full() -> Extractor:
    return Extractor(load_pipeline(use_embeddings=True))
