"""A private PostgreSQL server on a free loopback port, like `firmware.broker.LocalBroker`:
for the tests and the benchmarks of the central store, never for a site.

initdb into a folder under /tmp, a free port on 127.0.0.1, the socket in that folder, trust
for local connections (a throwaway server only this machine's processes reach), stopped and
removed at the end. The system's cluster on 5432, if the Debian package started one, is
neither used nor touched. As root, initdb and the server run as the postgres user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

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


class PostgresError(RuntimeError):
    """The private server cannot be had; the message says what to install."""


class LocalPostgres:
    def __init__(self, bin_dir: Path, *, durable: bool = False) -> None:
        self.durable = durable
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
                raise PostgresError(f"there is no postgres user: {MISSING}") from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_owner = ["runuser", "-u", "postgres", "--"]

    def url(self, database: str = "piste") -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{database}"

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-sync")
        options = f"-c listen_addresses={self.host} -p {self.port} -k {self.root}"
        if not self.durable:
            # For tests: this server's crash safety is not under test, and it saves seconds.
            # A benchmark asks for a durable one, as a national store would run.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
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
            raise PostgresError(f"{program} failed ({done.returncode}): "
                               f"{done.stdout.strip()} {done.stderr.strip()}")

    def __enter__(self) -> LocalPostgres:
        try:
            self.start()
        except (PostgresError, OSError, subprocess.TimeoutExpired, psycopg.Error) as exc:
            tail = self.log_tail()
            self.stop()
            raise PostgresError(f"the private PostgreSQL server did not start: {exc}\n{tail}"
                                ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
