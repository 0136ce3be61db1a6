"""The autoscope command, run through Typer's runner and as a real process."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from api.cli import app
from tests.conftest import use_neo4j
from tests.support.neo4j_server import Neo4jConnection

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def all_commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    found: list[list[str]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        found.append(path)
        if hasattr(cmd, "commands"):  # typer vendors its own click: no isinstance check
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])

    walk(root, [])
    return found


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p) or "autoscope")
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [" ".join(["autoscope", *p]) for p in all_commands() if p and " ".join(["autoscope", *p]) not in readme]
    assert missing == []


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"autoscope \d+\.\d+\.\d+\s*", result.output)


def test_up_no_serve_builds_the_sample_and_is_idempotent() -> None:
    first = runner.invoke(app, ["up", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "bundled sample" in first.output
    stats1 = json.loads(runner.invoke(app, ["graph", "stats", "--json"]).output)
    assert stats1["nodes"]["Claim"] >= 50 and stats1["relationships"]["ON_BENCHMARK"] == stats1["nodes"]["Claim"]
    again = runner.invoke(app, ["up", "--no-serve"])
    assert again.exit_code == 0
    assert json.loads(runner.invoke(app, ["graph", "stats", "--json"]).output) == stats1


def test_graph_init_stats_and_reset() -> None:
    assert runner.invoke(app, ["graph", "init"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["graph", "stats", "--json"]).output) == {"nodes": {}, "relationships": {}}
    refused = runner.invoke(app, ["graph", "reset"])
    assert refused.exit_code == 2
    runner.invoke(app, ["up", "--no-serve"])
    assert runner.invoke(app, ["graph", "reset", "--yes"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["graph", "stats", "--json"]).output)["nodes"] == {}


def test_import_claims_reports_bad_rows_and_keeps_good_ones(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "model,benchmark,value,unit,date,source_url,source_kind,setting\n"
        "Foo-7B,SWE-bench Verified,12.5,%,2025-03-01,https://example.org/foo,self_reported,\n"
        "Foo-7B,SWE-bench Verified,abc,%,2025-03-01,https://example.org/foo,self_reported,\n"
        "Foo-7B,SWE-bench Verified,14,%,2025-02-30,https://example.org/foo,self_reported,\n"
        "Foo-7B,SWE-bench Verified,14,%,2025-02-03,https://example.org/foo,rumour,\n"
    )
    result = runner.invoke(app, ["import", "claims", str(csv), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["imported"], summary["skipped"]) == (1, 3)
    assert summary["new_models"] == ["foo-7b"] and summary["new_benchmarks"] == ["swe-bench-verified"]
    assert "mine.csv:3: skipped: value 'abc' is not a number" in result.stderr
    assert "mine.csv:4: skipped: date '2025-02-30' is not an ISO date" in result.stderr
    assert "mine.csv:5: skipped: source_kind 'rumour'" in result.stderr


def test_bad_header_is_an_error_naming_the_file(tmp_path: Path) -> None:
    csv = tmp_path / "wrong.csv"
    csv.write_text("model,bench,value\nx,y,1\n")
    result = runner.invoke(app, ["import", "claims", str(csv)])
    assert result.exit_code == 1
    assert "wrong.csv" in result.stderr and "expected exactly" in result.stderr


def test_bad_setting_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOSCOPE_GRAPH_BACKEND", "mongo")
    result = runner.invoke(app, ["graph", "stats"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "AUTOSCOPE_GRAPH_BACKEND='mongo' is invalid" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_unreachable_neo4j_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AUTOSCOPE_GRAPH_BACKEND", "neo4j")
    monkeypatch.setenv("AUTOSCOPE_NEO4J_URI", f"bolt://127.0.0.1:{port}")
    monkeypatch.setenv("AUTOSCOPE_NEO4J_CONNECT_TIMEOUT", "2")
    result = runner.invoke(app, ["graph", "stats"])
    assert result.exit_code == 3
    assert f"bolt://127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_up_no_serve_on_neo4j(neo4j_conn: Neo4jConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_neo4j(monkeypatch, neo4j_conn, tmp_path)
    assert runner.invoke(app, ["graph", "reset", "--yes"]).exit_code == 0
    result = runner.invoke(app, ["up", "--no-serve"])
    assert result.exit_code == 0, result.output
    neo = json.loads(runner.invoke(app, ["graph", "stats", "--json"]).output)
    monkeypatch.setenv("AUTOSCOPE_GRAPH_BACKEND", "embedded")
    runner.invoke(app, ["up", "--no-serve"])
    embedded = json.loads(runner.invoke(app, ["graph", "stats", "--json"]).output)
    assert neo == embedded


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_up_serves_the_sample_over_http(tmp_path: Path) -> None:
    port = free_port()
    exe = Path(sys.executable).with_name("autoscope")
    proc = subprocess.Popen(
        [str(exe), "up", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "AUTOSCOPE_DATA_DIR": str(tmp_path / "data")},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert health.json()["status"] == "ok"
        claims = httpx.get(f"http://127.0.0.1:{port}/claims", params={"benchmark": "swe-bench-verified"}).json()
        assert len(claims["data"]) >= 10
        assert all(c["source_url"].startswith("https://") for c in claims["data"])
        year, week, _ = datetime.now(UTC).date().isocalendar()
        digest = httpx.get(f"http://127.0.0.1:{port}/digest/{year}-W{week:02d}", params={"format": "md"}, timeout=60)
        assert digest.status_code == 200 and "clm_" in digest.text, digest.text[:500]
        timeline = httpx.get(f"http://127.0.0.1:{port}/benchmarks/metr-time-horizon-50/timeline").json()
        assert timeline["frontier"] and timeline["claims"]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
