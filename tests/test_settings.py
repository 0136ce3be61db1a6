"""Settings: defaults, environment, and one-line errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import SettingsError
from graph.settings import Settings, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOSCOPE_DATA_DIR")
    s = load_settings()
    assert s.graph_backend == "embedded"
    assert s.data_dir == Path(".autoscope")
    assert s.embedded_path == Path(".autoscope/graph.sqlite")
    assert (s.api_host, s.api_port) == ("127.0.0.1", 8000)
    assert s.embedding_model == "all-MiniLM-L6-v2"


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("AUTOSCOPE_API_PORT=9123\nAUTOSCOPE_NEO4J_DATABASE=graphs\n")
    monkeypatch.setenv("AUTOSCOPE_GRAPH_BACKEND", "neo4j")
    monkeypatch.setenv("AUTOSCOPE_LOG_LEVEL", "debug")
    s = load_settings()
    assert (s.graph_backend, s.api_port, s.neo4j_database, s.log_level) == ("neo4j", 9123, "graphs", "DEBUG")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "AUTOSCOPE_GRAPH_BACKEND",
            "postgres",
            "AUTOSCOPE_GRAPH_BACKEND='postgres' is invalid: expected one of 'embedded' or 'neo4j'",
        ),
        ("AUTOSCOPE_API_PORT", "70000", "AUTOSCOPE_API_PORT='70000' is invalid"),
        ("AUTOSCOPE_API_PORT", "eighty", "AUTOSCOPE_API_PORT='eighty' is invalid"),
        ("AUTOSCOPE_NEO4J_URI", "http://localhost:7474", "AUTOSCOPE_NEO4J_URI='http://localhost:7474' is invalid"),
        ("AUTOSCOPE_LOG_LEVEL", "LOUD", "AUTOSCOPE_LOG_LEVEL='LOUD' is invalid: expected one of"),
        ("AUTOSCOPE_WRITE_BATCH_SIZE", "0", "AUTOSCOPE_WRITE_BATCH_SIZE='0' is invalid"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [
        f"AUTOSCOPE_{name.upper()}" for name in Settings.model_fields if f"AUTOSCOPE_{name.upper()}" not in readme
    ]
    assert missing == []
