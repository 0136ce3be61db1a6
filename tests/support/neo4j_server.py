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
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, STDOUT

POM = Path(__file__).with_name("neo4j-pom.xml")
MARKER = ".complete"
PASSWORD = "autoscope-test-pw"
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
)
NEO4J_CONF = """\
server.default_listen_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:{port}
server.bolt.advertised_address=127.0.0.1:{port}
server.http.enabled=false
server.https.enabled=false
dbms.usage_report.enabled=false
dbms.security.auth_enabled=true
server.memory.pagecache.size={pagecache}
dbms.memory.transaction.total.max=256m
# without these: 2 x 256 MB of preallocated tx logs per home, and ~10 s to stop Bolt
db.tx_log.preallocate=false
db.tx_log.rotation.retention_policy=1 files
internal.dbms.bolt.netty_server_shutdown_quiet_period=0
"""
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"


class _PortTaken(RuntimeError):
    pass


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
    match = re.search(r"<neo4j\.version>\s*([^<\s]+)", POM.read_text())
    assert match, f"no <neo4j.version> in {POM}"
    return match[1]


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
            goal = ["dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={tmp}"]
            cmd = [mvn, "-B", "-q", "-f", str(POM), *goal]
            if verbose:
                print("+", " ".join(cmd), flush=True)
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise Neo4jUnavailable(f"mvn failed to fetch the Neo4j jars:\n{(proc.stdout + proc.stderr)[-3000:]}")
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

    def __init__(
        self,
        lib: Path | None = None,
        password: str = PASSWORD,
        xmx: str = "1g",
        xms: str = "512m",
        pagecache: str = "512m",
    ) -> None:
        self.lib, self.password, self.xmx, self.xms, self.pagecache = lib, password, xmx, xms, pagecache
        self.user = self.database = "neo4j"
        self.startup_timeout = 120.0
        self.port, self.uri = 0, ""
        self.home: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def connection(self) -> Neo4jConnection:
        return Neo4jConnection(self.uri, self.user, self.password, self.database)

    @property
    def log_file(self) -> Path:
        assert self.home is not None
        return self.home / "console.log"

    def _java(self, *args: str, xms: str, xmx: str) -> list[str]:
        return ["java", f"-Xms{xms}", f"-Xmx{xmx}", *JVM_FLAGS, "-cp", f"{self.lib}/*", *args]

    def start(self) -> Neo4jServer:
        """Provision if needed, set the password, start the JVM and wait until Bolt answers."""
        self.lib = self.lib or provision()
        for attempt in range(3):  # someone else may take the free port before Neo4j binds it
            self.port = _free_port()
            self.uri = f"bolt://127.0.0.1:{self.port}"
            self.home = Path(tempfile.mkdtemp(prefix="autoscope-neo4j-"))
            atexit.register(self.stop)
            try:
                self._launch()
                self._wait_for_bolt()
                return self
            except BaseException as exc:
                self.stop()
                if not isinstance(exc, _PortTaken) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _launch(self) -> None:
        assert self.home is not None
        conf = self.home / "conf"
        conf.mkdir()
        (conf / "neo4j.conf").write_text(NEO4J_CONF.format(port=self.port, pagecache=self.pagecache))
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(conf)}
        cmd = self._java(ADMIN_TOOL, "dbms", "set-initial-password", self.password, xms="32m", xmx="256m")
        admin = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if admin.returncode != 0:
            raise RuntimeError(f"neo4j-admin dbms set-initial-password failed:\n{admin.stdout}{admin.stderr}")
        args = [f"--home-dir={self.home}", f"--config-dir={conf}", "--console-mode"]
        cmd = self._java(ENTRY_POINT, *args, xms=self.xms, xmx=self.xmx)
        pdeath = _die_with_parent if sys.platform == "linux" else None
        with open(self.log_file, "wb") as log:  # own session: the test runner's Ctrl-C must not hit the JVM
            self.process = subprocess.Popen(
                cmd, stdin=DEVNULL, stdout=log, stderr=STDOUT, env=env, start_new_session=True, preexec_fn=pdeath
            )

    def _wait_for_bolt(self) -> None:
        from neo4j import GraphDatabase  # imported lazily: keep this module importable without it

        deadline = time.monotonic() + self.startup_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = self.log_tail()
                error = _PortTaken if "PortBindException" in tail else RuntimeError
                raise error(f"Neo4j exited with code {self.process.returncode}:\n{tail}")
            try:  # short timeouts: a stranger holding our port must not stall each attempt for 60 s
                driver = GraphDatabase.driver(
                    self.uri, auth=(self.user, self.password), connection_timeout=5, connection_acquisition_timeout=5
                )
                with driver:
                    driver.verify_connectivity()
                    if driver.execute_query("RETURN 1 AS one", database_=self.database).records[0]["one"] == 1:
                        return
            except Exception as exc:  # not up yet
                last = exc
            time.sleep(0.25)
        raise RuntimeError(f"Neo4j at {self.uri} not up in {self.startup_timeout:.0f}s ({last!r}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's console log."""
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except (OSError, AssertionError):
            return "<no log>"

    def stop(self) -> None:
        """Stop the process group (SIGTERM, then SIGKILL) and delete the temporary home."""
        atexit.unregister(self.stop)
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
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
        yield Neo4jConnection(
            uri,
            os.environ.get("AUTOSCOPE_TEST_NEO4J_USER", "neo4j"),
            os.environ.get("AUTOSCOPE_TEST_NEO4J_PASSWORD", "neo4j"),
            os.environ.get("AUTOSCOPE_TEST_NEO4J_DATABASE", "neo4j"),
        )
        return
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise Neo4jUnavailable(f"need AUTOSCOPE_TEST_NEO4J_URI or Java 17 + Maven; missing {', '.join(missing)}")
    with Neo4jServer(provision()) as server:
        yield server.connection


def main(argv: list[str] | None = None) -> int:
    """``provision``: pre-download the jars; ``run``: start a server until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.neo4j_server")
    parser.add_argument("command", choices=["provision", "run"])
    args = parser.parse_args(argv)
    for signum in (signal.SIGINT, signal.SIGTERM):  # also when started in the background (SIGINT ignored)
        signal.signal(signum, signal.default_int_handler)
    print(f"Neo4j {neo4j_version()} jars: {cache_dir_for() / 'lib'}", flush=True)
    started = time.monotonic()
    lib = provision(verbose=True)
    print(f"provisioned in {time.monotonic() - started:.1f}s", flush=True)
    if args.command == "run":
        print("starting Neo4j (Ctrl-C stops it)", flush=True)
        with Neo4jServer(lib) as server:
            print(f"{server.uri} user={server.user} password={server.password} log={server.log_file}", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
