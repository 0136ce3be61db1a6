"""Fixtures shared by the ingest tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.docstore import DocStore


@pytest.fixture
def docstore(tmp_path: Path) -> Iterator[DocStore]:
    """A real document store in a temporary directory."""
    with DocStore(tmp_path / "documents.sqlite") as store:
        yield store
