"""The analyst notebooks run top to bottom on the bundled sample (embedded store), and are stored without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from graph.factory import open_store
from tests.conftest import use_neo4j
from tests.support.neo4j_server import Neo4jConnection

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_three_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_milestone_timelines.ipynb",
        "02_graph_exploration.ipynb",
        "03_signals_forecasts_index.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = nbformat.read(path, as_version=4)
    monkeypatch.setenv("AUTOSCOPE_DATA_DIR", str(tmp_path / "data"))  # the kernel inherits the isolated env
    client = NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type in ("display_data", "execute_result") for o in outputs)
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "Traceback" not in text


def test_exploration_notebook_runs_its_cypher_on_neo4j(
    neo4j_conn: Neo4jConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(use_neo4j(monkeypatch, neo4j_conn, tmp_path / "data"))
    store.clear()
    store.close()
    monkeypatch.setenv("AUTOSCOPE_DATA_DIR", str(tmp_path / "data"))
    book = nbformat.read(NOTEBOOKS[1], as_version=4)
    NotebookClient(book, timeout=600, kernel_name="python3").execute()
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "metr.org/assets/benchmark_results_1_1.yaml" in html, "the guarded Cypher query answered on Neo4j"
