"""A real Neo4j 5.26 Community server for the test suite, without Docker.

Jars come from Maven Central (``neo4j-pom.xml``) into a cache outside the checkout;
each server runs from a fresh temporary home and dies with its process group.
See ARCHITECTURE.md, "Neo4j in tests".
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

POM = Path(__file__).with_name("neo4j-pom.xml")
MARKER = ".complete"
DEFAULT_PASSWORD = "autoscope-test-pw"
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
)
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"


class Neo4jUnavailable(Exception):
    """No server can be had here (no URI given and no Java/Maven, or no download)."""


@dataclass(frozen=True)
class Neo4jConnection:
    """How to reach a Neo4j server."""

    uri: str
    user: str
    password: str
    database: str = "neo4j"


def neo4j_version() -> str:
    """The Neo4j version pinned in ``neo4j-pom.xml``."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    node = ET.parse(POM).getroot().find("m:properties/m:neo4j.version", ns)
    assert node is not None and node.text, f"no neo4j.version in {POM}"
    return node.text.strip()


def cache_dir_for(cache_dir: Path | None = None) -> Path:
    """Version-specific cache folder, e.g. ``~/.cache/autoscope/neo4j-5.26.30``."""
    root = cache_dir or Path(os.environ.get("AUTOSCOPE_CACHE_DIR") or Path.home() / ".cache" / "autoscope")
    return Path(root).expanduser() / f"neo4j-{neo4j_version()}"


def provision(cache_dir: Path | None = None, verbose: bool = False) -> Path:
    """Download the server jars once (idempotent, atomic) and return the ``lib`` folder."""
    base = cache_dir_for(cache_dir)
    lib, marker = base / "lib", base / MARKER
    if marker.exists():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jUnavailable("Maven ('mvn') is not on PATH: cannot download the Neo4j server jars")
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:  # serialise concurrent provisioners (e.g. xdist)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return lib
        tmp = Path(tempfile.mkdtemp(prefix="lib.partial-", dir=base))
        try:
            cmd = [mvn, "-B", "-q", "-f", str(POM), "dependency:copy-dependencies",
                   "-DincludeScope=runtime", f"-DoutputDirectory={tmp}"]
            if verbose:
                print("+", " ".join(cmd), flush=True)
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise Neo4jUnavailable(f"Maven could not resolve the Neo4j jars:\n{(proc.stdout + proc.stderr)[-3000:]}")
            if not any(tmp.glob("neo4j-*.jar")):
                raise Neo4jUnavailable(f"Maven ran but left no neo4j jars in {tmp}")
            shutil.rmtree(lib, ignore_errors=True)  # a lib without marker is a leftover
            tmp.rename(lib)
            marker.write_text(f"neo4j {neo4j_version()}\n")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return lib


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: get SIGKILL when the parent dies, even if it is SIGKILLed (Linux only)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Neo4jServer:
    """Context manager running a throwaway Neo4j server on a free localhost Bolt port."""

    def __init__(self, lib: Path | None = None, password: str = DEFAULT_PASSWORD,
                 heap: str = "1g", min_heap: str = "512m", pagecache: str = "512m",
                 startup_timeout: float = 120.0) -> None:
        self.lib = lib
        self.user, self.password, self.database = "neo4j", password, "neo4j"
        self.heap, self.min_heap, self.pagecache = heap, min_heap, pagecache
        self.startup_timeout = startup_timeout
        self.port = 0
        self.uri = ""
        self.home: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def connection(self) -> Neo4jConnection:
        return Neo4jConnection(self.uri, self.user, self.password, self.database)

    @property
    def log_file(self) -> Path:
        assert self.home is not None
        return self.home / "console.log"

    def _java(self, *args: str, heap: str, min_heap: str) -> list[str]:
        assert self.lib is not None
        return ["java", f"-Xms{min_heap}", f"-Xmx{heap}", *JVM_FLAGS, "-cp", f"{self.lib}/*", *args]

    def _write_conf(self) -> Path:
        assert self.home is not None
        conf = self.home / "conf"
        conf.mkdir(parents=True)
        (conf / "neo4j.conf").write_text("\n".join([
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.port}",
            f"server.bolt.advertised_address=127.0.0.1:{self.port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.usage_report.enabled=false",
            "dbms.security.auth_enabled=true",
            f"server.memory.pagecache.size={self.pagecache}",
            "dbms.memory.transaction.total.max=256m",
            "db.tx_log.rotation.retention_policy=1 files",
            "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
            "",
        ]))
        return conf

    def start(self) -> Neo4jServer:
        """Provision if needed, set the password, start the JVM and wait until Bolt answers."""
        self.lib = self.lib or provision()
        self.port = _free_port()
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self.home = Path(tempfile.mkdtemp(prefix="autoscope-neo4j-"))
        atexit.register(self.stop)
        try:
            self._launch()
            self._wait_for_bolt()
        except BaseException:
            self.stop()
            raise
        return self

    def _launch(self) -> None:
        assert self.home is not None
        conf = self._write_conf()
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(conf)}
        admin = subprocess.run(self._java(ADMIN_TOOL, "dbms", "set-initial-password", self.password,
                                          heap="256m", min_heap="32m"),
                               env=env, capture_output=True, text=True, cwd=self.home)
        if admin.returncode != 0:
            raise RuntimeError(f"neo4j-admin dbms set-initial-password failed:\n{admin.stdout}{admin.stderr}")
        with open(self.log_file, "wb") as log:
            # Own session: signals to the test runner's group do not reach the JVM; we stop it explicitly.
            self.process = subprocess.Popen(
                self._java(ENTRY_POINT, f"--home-dir={self.home}", f"--config-dir={conf}", "--console-mode",
                           heap=self.heap, min_heap=self.min_heap),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=self.home,
                start_new_session=True, preexec_fn=_die_with_parent if sys.platform == "linux" else None)

    def _wait_for_bolt(self) -> None:
        from neo4j import GraphDatabase  # imported lazily: keep this module importable without it

        deadline = time.monotonic() + self.startup_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"Neo4j exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as driver:
                    driver.verify_connectivity()
                    records, _, _ = driver.execute_query("RETURN 1 AS one", database_=self.database)
                    if records[0]["one"] == 1:
                        return
            except Exception as exc:  # noqa: BLE001 - not up yet
                last = exc
            time.sleep(0.25)
        raise RuntimeError(f"Neo4j not ready on {self.uri} after {self.startup_timeout}s ({last!r}):\n"
                           f"{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's console log."""
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AssertionError):
            return "<no log>"

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the process group (SIGTERM, then SIGKILL) and delete the temporary home."""
        atexit.unregister(self.stop)
        proc = self.process
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    def __enter__(self) -> Neo4jServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def server_from_env_or_start() -> Iterator[Neo4jConnection]:
    """Yield the server named by ``AUTOSCOPE_TEST_NEO4J_URI``, else start a throwaway one.

    Raises ``Neo4jUnavailable`` when neither is possible (no Java or Maven, download failed).
    """
    uri = os.environ.get("AUTOSCOPE_TEST_NEO4J_URI")
    if uri:
        yield Neo4jConnection(uri, os.environ.get("AUTOSCOPE_TEST_NEO4J_USER", "neo4j"),
                              os.environ.get("AUTOSCOPE_TEST_NEO4J_PASSWORD", "neo4j"),
                              os.environ.get("AUTOSCOPE_TEST_NEO4J_DATABASE", "neo4j"))
        return
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise Neo4jUnavailable(f"Neo4j tests need AUTOSCOPE_TEST_NEO4J_URI or Java 17 + Maven; "
                               f"not on PATH: {', '.join(missing)}")
    with Neo4jServer(provision()) as server:
        yield server.connection


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """``provision``: pre-download the jars; ``run``: start a server until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.neo4j_server")
    parser.add_argument("command", choices=["provision", "run"])
    args = parser.parse_args(argv)
    for signum in (signal.SIGINT, signal.SIGTERM):  # also when started in the background (SIGINT ignored)
        signal.signal(signum, _raise_interrupt)
    print(f"Neo4j {neo4j_version()} jars: {cache_dir_for() / 'lib'}", flush=True)
    started = time.monotonic()
    lib = provision(verbose=True)
    print(f"provisioned in {time.monotonic() - started:.1f}s", flush=True)
    if args.command == "run":
        with Neo4jServer(lib) as server:
            print(f"Neo4j up: {server.uri} user={server.user} password={server.password} "
                  f"(log {server.log_file}); Ctrl-C to stop", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
