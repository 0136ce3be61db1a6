"""The Neo4j test helper gives a real, authenticated Neo4j 5.26 server and cleans up after itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError

from tests.support import neo4j_server
from tests.support.neo4j_server import MARKER, Neo4jConnection, Neo4jServer, cache_dir_for, provision

# Provides neo4j_conn when tests/conftest.py does not; a conftest fixture of the same name takes precedence.
pytest_plugins = ["tests.support.fixtures"]

own_server = pytest.mark.skipif(
    bool(os.environ.get("AUTOSCOPE_TEST_NEO4J_URI")) or not (shutil.which("java") and shutil.which("mvn")),
    reason="needs Java + Maven and no AUTOSCOPE_TEST_NEO4J_URI (tests the self-started server)",
)


def _driver(conn: Neo4jConnection, password: str | None = None) -> Driver:
    return GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password if password is None else password))


def test_server_answers_return_1(neo4j_conn: Neo4jConnection) -> None:
    with _driver(neo4j_conn) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one", database_=neo4j_conn.database)
    assert records[0]["one"] == 1


def test_server_is_neo4j_5_26(neo4j_conn: Neo4jConnection) -> None:
    with _driver(neo4j_conn) as driver:
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v")
    assert records[0]["v"].startswith("5.26"), records[0]["v"]


def test_wrong_password_is_rejected(neo4j_conn: Neo4jConnection) -> None:
    with _driver(neo4j_conn, password=neo4j_conn.password + "-wrong") as driver, pytest.raises(AuthError):
        driver.verify_connectivity()


@own_server
def test_process_group_and_home_are_gone_after_exit() -> None:
    with Neo4jServer(xmx="512m", xms="128m", pagecache="64m") as server:
        assert server.process is not None and server.home is not None
        pid, home = server.process.pid, server.home
        os.killpg(pid, 0)  # alive
        with _driver(server.connection) as driver:
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    assert not home.exists()


def _fake_mvn(calls: list[list[str]], fail: bool = False) -> Any:
    def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        out = Path(next(a for a in cmd if a.startswith("-DoutputDirectory=")).split("=", 1)[1])
        (out / "neo4j-kernel-0.jar").write_bytes(b"")
        if fail:
            raise KeyboardInterrupt  # interrupted half-way through the download
        return subprocess.CompletedProcess(cmd, 0, "", "")

    return run


def test_provision_is_idempotent_and_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(neo4j_server.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(neo4j_server.subprocess, "run", _fake_mvn(calls, fail=True))
    with pytest.raises(KeyboardInterrupt):
        provision(tmp_path)
    base = cache_dir_for(tmp_path)
    assert sorted(p.name for p in base.iterdir()) == [".lock"]  # no marker, no lib, no partial download

    monkeypatch.setattr(neo4j_server.subprocess, "run", _fake_mvn(calls))
    lib = provision(tmp_path)
    assert (base / MARKER).exists() and (lib / "neo4j-kernel-0.jar").exists()
    assert provision(tmp_path) == lib
    assert len(calls) == 2  # the interrupted run and one real one; the last call did not run mvn


@own_server
def test_real_cache_is_warm(monkeypatch: pytest.MonkeyPatch) -> None:
    lib = provision()

    def no_mvn(*args: object, **kwargs: object) -> None:
        raise AssertionError("provision() ran mvn although the cache is complete")

    monkeypatch.setattr(neo4j_server.subprocess, "run", no_mvn)
    started = time.monotonic()
    assert provision() == lib
    assert time.monotonic() - started < 1.0
    assert (lib.parent / MARKER).exists() and any(lib.glob("neo4j-5.26.*.jar"))
