"""Debian's own Mosquitto as a site or the centre runs it in production: `/usr/sbin/mosquitto
-c` a copy of Debian's /etc/mosquitto/mosquitto.conf in which only the paths are moved into
the test's folder, with what piste generates in the copy's conf.d.

As root Mosquitto drops to its `mosquitto` user, as under systemd, so the folders are made
and handed over as Debian's package and unit make them, and the key and password files are
made readable by that user as the README tells the technician.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.broker import BrokerError, LocalBroker, find_mosquitto, free_port
from firmware.site_model import BrokerConfig
from tests.test_broker_tls import ca_and_server

DEBIAN_MAIN = Path("/etc/mosquitto/mosquitto.conf")
DEBIAN_BINARY = Path("/usr/sbin/mosquitto")
# Each option of Debian's main file that names a path, and where the copy puts it instead.
MOVED = {"pid_file": "run", "persistence_location": "lib", "log_dest file": "log",
         "include_dir": "conf.d"}
AS_ROOT = os.geteuid() == 0


def debian_main_conf() -> str:
    """Debian's main config as installed; a missing one fails on CI and skips elsewhere."""
    if not DEBIAN_MAIN.is_file():
        reason = (f"{DEBIAN_MAIN} is missing: install Debian's mosquitto package "
                  "(scripts/ensure-system-packages.sh)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return DEBIAN_MAIN.read_text(encoding="utf-8")


def moved_main_conf(text: str, root: Path) -> str:
    """Debian's main config with each path option pointing into `root`, nothing else changed."""
    found: set[str] = set()
    lines = []
    for line in text.splitlines(keepends=True):
        for option, folder in MOVED.items():
            match = re.fullmatch(rf"({re.escape(option)}\s+)(\S+)(\s*)", line)
            if match:
                found.add(option)
                old = match.group(2)
                new = root / folder if option in ("include_dir", "persistence_location") \
                    else root / folder / Path(old).name
                line = f"{match.group(1)}{new}{'/' if old.endswith('/') else ''}{match.group(3)}"
        lines.append(line)
    assert found == set(MOVED), f"{DEBIAN_MAIN} no longer sets {set(MOVED) - found}"
    return "".join(lines)


def moved(text: str, changes: dict[str, str]) -> str:
    """A generated file with its production paths and port replaced by the test's; each
    must be there, so a file that changes under the test is noticed."""
    for old, new in changes.items():
        assert old in text, f"{old!r} is not in the generated file"
        text = text.replace(old, new)
    return text


def readable_by_mosquitto(*paths: Path) -> None:
    """chgrp mosquitto FILE; chmod 640 FILE: what the README asks for the key and passwords.
    Mosquitto reads them after dropping root; without root it runs as us and reads them."""
    if AS_ROOT:
        for path in paths:
            shutil.chown(path, group="mosquitto")
            path.chmod(0o640)


def server_certs(where: Path, server: str, ca_name: str) -> Path:
    """A CA and a certificate for 127.0.0.1, named as the generated configs expect them:
    {ca_name}.crt, {server}.crt and {server}.key."""
    certs = ca_and_server(where, server)
    shutil.copy(certs / "ca.crt", certs / f"{ca_name}.crt")
    readable_by_mosquitto(certs / f"{server}.key")
    return certs


def logins(where: Path, users: list[str]) -> Path:
    """where/passwd with the password `pw-{user}` for each user, made with mosquitto_passwd."""
    passwd = where / "passwd"
    for user in users:
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if not passwd.exists() else []),
                        str(passwd), user, f"pw-{user}"], check=True, capture_output=True)
    readable_by_mosquitto(passwd)
    return passwd


def piste(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, as the technician and scripts/install.sh run it."""
    done = subprocess.run([sys.executable, "-m", "firmware.cli.main", *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def tls_login(broker: LocalBroker, user: str, ca_file: Path,
              password: str | None = None) -> BrokerConfig:
    return BrokerConfig(host=broker.host, port=broker.port, username=user,
                        password=f"pw-{user}" if password is None else password,
                        ca_file=str(ca_file))


class DebianBroker(LocalBroker):
    """`mosquitto -c` the moved copy of Debian's main config; `conf_d` is what goes into the
    copy's conf.d (name: text). It starts, stops and reports as LocalBroker does."""

    def __init__(self, root: Path, conf_d: dict[str, str], port: int) -> None:
        self.workdir = root
        self.host = "127.0.0.1"
        self.port = port
        self.binary = str(DEBIAN_BINARY) if DEBIAN_BINARY.exists() else find_mosquitto()
        self.process = None
        root.mkdir(mode=0o755)
        self.conf = root / "mosquitto.conf"
        self.log = root / MOVED["log_dest file"] / "mosquitto.log"
        self.conf.write_text(moved_main_conf(debian_main_conf(), root), encoding="utf-8")
        for folder in ("run", "lib", "log"):
            # /run/mosquitto and /var/log/mosquitto as the unit makes them, /var/lib/mosquitto
            # as the package does: the mosquitto user's.
            (root / folder).mkdir(mode=0o750)
            if AS_ROOT:
                shutil.chown(root / folder, user="mosquitto")
        (root / "conf.d").mkdir()
        for name, text in conf_d.items():
            (root / "conf.d" / name).write_text(text, encoding="utf-8")

    def start(self, timeout: float = 10.0) -> DebianBroker:
        try:
            super().start(timeout)
        except BrokerError as exc:
            raise BrokerError(f"{exc}\n--- {self.log} ---\n{self.log_text()}") from None
        return self

    def listening_ports(self) -> set[int]:
        """The ports Mosquitto says it opened, from its log."""
        return {int(p) for p in re.findall(r"Opening ipv[46] listen socket on port (\d+)\.",
                                           self.log_text())}

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:  # pytest shows what a failing test printed
            print(f"--- mosquitto's log {self.log} ---\n{self.log_text()}")
        self.stop()


@contextlib.contextmanager
def debian_folder() -> Iterator[Path]:
    """A folder the mosquitto user can reach (pytest's own are root's only when run as root)."""
    root = Path(tempfile.mkdtemp(prefix="piste-debian-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


__all__ = ["DebianBroker", "debian_folder", "free_port", "logins", "moved", "piste",
           "readable_by_mosquitto", "server_certs", "tls_login"]
