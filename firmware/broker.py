"""A private Mosquitto broker on a free loopback port: for `piste demo` and the tests.

The real Debian `mosquitto` binary, never a stub. Persistence is on (in the broker's own
directory) so a restart after a kill keeps retained messages as a site broker would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

MOSQUITTO_CANDIDATES = ("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


class BrokerError(RuntimeError):
    pass


def find_mosquitto() -> str:
    for candidate in MOSQUITTO_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise BrokerError(
        "mosquitto is not installed. Install it with:  sudo apt-get install -y mosquitto"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PortTaken(BrokerError):
    """Another program listens on the port: a free port is only free until someone binds
    it, and several test workers pick ports at the same time."""


def _listening_inodes(port: int) -> set[str] | None:
    """The socket inodes listening on `port` (Linux's /proc/net/tcp); None without /proc."""
    inodes: set[str] = set()
    try:
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table, encoding="ascii") as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return inodes


def _listens(pid: int, port: int) -> bool | None:
    """Whether process `pid` is the one listening on `port`; None when Linux cannot say."""
    inodes = _listening_inodes(port)
    if inodes is None:
        return None
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return None
    return any(link == f"socket:[{inode}]" for inode in inodes for link in links)


class LocalBroker:
    def __init__(self, workdir: Path, port: int | None = None,
                 extra_conf: list[str] | None = None) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host = "127.0.0.1"
        # A port of its own choosing may be changed for another if someone took it first.
        self._own_port = port is None
        self._started = False  # it has listened once: its port is known to others now
        self.port = port or free_port()
        self.binary = find_mosquitto()
        self.process: subprocess.Popen[bytes] | None = None
        self.conf = self.workdir / "mosquitto.conf"
        self.log = self.workdir / "mosquitto.log"
        self.conf.write_text(
            "\n".join(
                [
                    f"listener {self.port} {self.host}",
                    # Tests of access control bring their own password file and ACL.
                    *(extra_conf or ["allow_anonymous true"]),
                    "persistence true",
                    f"persistence_location {self.workdir}/",
                    "autosave_interval 1",
                    # Without it every request/response waits for a delayed ACK (~40 ms).
                    "set_tcp_nodelay true",
                    "max_packet_size 65536",
                    f"log_dest file {self.log}",
                    "log_type error",
                    "log_type warning",
                    "log_type notice",
                    # As root mosquitto would drop to its own user, which cannot write our
                    # directory; run as whoever started us.
                    *(["user root"] if os.geteuid() == 0 else []),
                    "",
                ]
            )
        )

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> LocalBroker:
        for _ in range(5):
            try:
                return self._start_once(timeout)
            except PortTaken:
                if not self._own_port or self.process is None or self._started:
                    raise
                self._move_to(free_port())
        return self._start_once(timeout)

    def _move_to(self, port: int) -> None:
        """Listen on another port: before the first start only, when our own choice of port
        was taken (nobody can have been given the old one yet)."""
        lines = self.conf.read_text().splitlines(keepends=True)
        lines[0] = f"listener {port} {self.host}\n"
        self.conf.write_text("".join(lines))
        self.port = port

    def _start_once(self, timeout: float) -> LocalBroker:
        logged = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr
                err = stderr.read().decode(errors="replace") if stderr else ""
                said = " ".join(filter(None, (err.strip(), self.log_text()[logged:].strip())))
                if "Address already in use" in said:
                    raise PortTaken(f"port {self.port} is taken: {said}")
                raise BrokerError(f"mosquitto exited at start: {said}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    pass
            except OSError:
                time.sleep(0.02)
                continue
            # Something listens: ours, or another program that took the port first (then
            # ours is about to exit, and is waited for above).
            if _listens(self.process.pid, self.port) is not False:
                self._started = True
                return self
            time.sleep(0.02)
        raise BrokerError(f"mosquitto did not listen on {self.host}:{self.port} in {timeout} s")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the broker vanishes as in a power cut."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(5)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process and self.process.stderr:
            self.process.stderr.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
