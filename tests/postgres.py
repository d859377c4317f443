"""A private PostgreSQL server for the test run, like the private Mosquitto: initdb into a
temporary folder, a free port on 127.0.0.1, the socket in that folder, trust for local
connections (a throwaway server that only this run can reach), stopped and removed at the
end. The system's cluster on 5432, if the Debian package started one, is neither used nor
touched.

Use `postgres_url` (the server, database `piste`) or `postgres_db` (a fresh database per
test); import them into the test module so pytest finds them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from firmware.broker import free_port

MISSING = ("the PostgreSQL server (initdb, pg_ctl) is not installed: run `make test`, which "
           "installs Debian's postgresql package, or `apt-get install postgresql`")


def server_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: `pg_config --bindir`, else the newest Debian version."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    debian = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(debian, key=lambda p: int(p.parent.name)
                         if p.parent.name.isdigit() else 0, reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    return None


class PrivatePostgres:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.host = "127.0.0.1"
        self.port = free_port()
        # Under /tmp, not a TMPDIR that may sit in /root where the postgres user cannot go.
        self.root = Path(tempfile.mkdtemp(prefix="piste-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            # initdb and the server refuse to run as root: they run as the postgres user.
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root)
                pytest.fail(f"there is no postgres user: {MISSING}", pytrace=False)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_owner = ["runuser", "-u", "postgres", "--"]

    def url(self, database: str = "piste") -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{database}"

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-sync")
        # fsync off: this server's crash safety is not under test, and it saves seconds.
        options = (f"-c listen_addresses={self.host} -p {self.port} -k {self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", options, "start")
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE piste")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self._as_owner, str(self.bin / program), *args],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): "
                               f"{done.stdout.strip()} {done.stderr.strip()}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """"postgresql://postgres@127.0.0.1:PORT/piste" on a server of this test run's own."""
    bin_dir = server_bin_dir()
    if bin_dir is None:
        pytest.fail(MISSING, pytrace=False)  # never a silent skip: CI must test PostgreSQL
    server = PrivatePostgres(bin_dir)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired, psycopg.Error) as exc:
        tail = server.log_tail()
        server.stop()
        pytest.fail(f"the private PostgreSQL server did not start: {exc}\n{tail}",
                    pytrace=False)
    try:
        yield server.url()
    finally:
        server.stop()


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the private server; dropped afterwards, even if a test left
    a connection open."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    """The URL of a database of this test's own on the private server."""
    with fresh_database(postgres_url) as url:
        yield url
