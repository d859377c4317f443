"""The systemd unit (verified by systemd-analyze) and the notify protocol of a real device:
READY=1 once roles run, WATCHDOG=1 only while every part is healthy."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware.admin.sd_notify import Notifier, watchdog_interval_s
from firmware.admin.watchdog import attach
from firmware.broker import LocalBroker
from firmware.clock import SystemClock
from firmware.device import build_runtime
from tests.conftest import ROOT
from tests.helpers import RunningDevice, demo_config, wait_for

UNIT = ROOT / "systemd" / "piste.service"
HOST_UNITS = Path("/lib/systemd/system")


def unit_settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def verify_in_root(root: Path, unit_text: str) -> subprocess.CompletedProcess[str]:
    """systemd-analyze verify against a throwaway root holding the unit, the program it
    starts and the host's own system units (for the targets it is ordered after)."""
    (root / "etc/systemd/system").mkdir(parents=True, exist_ok=True)
    (root / "etc/systemd/system/piste.service").write_text(unit_text)
    if not (root / "usr/lib/systemd/system").exists():
        shutil.copytree(HOST_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    venv = root / "opt/piste/venv"
    if venv.is_symlink():  # an installed release whose venv --root only planned
        (venv.parent / venv.readlink()).mkdir(parents=True, exist_ok=True)
    program = venv / "bin/piste"
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "--generators=no", f"--root={root}",
         "/etc/systemd/system/piste.service"],
        capture_output=True, text=True, timeout=60,
    )


needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None or not HOST_UNITS.is_dir(),
    reason="systemd-analyze is missing: apt-get install systemd",
)


@needs_analyze
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    result = verify_in_root(tmp_path, UNIT.read_text())
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@needs_analyze
def test_verify_would_catch_a_broken_unit(tmp_path: Path) -> None:
    broken = UNIT.read_text().replace("Type=notify", "Type=notifyy")
    result = verify_in_root(tmp_path, broken)
    assert "notifyy" in result.stderr


def test_the_unit_says_what_the_device_needs() -> None:
    unit = unit_settings()
    assert unit["Type"] == ["notify"]
    assert unit["Restart"] == ["always"]
    assert int(unit["WatchdogSec"][0]) >= 10
    assert unit["User"] == ["piste"]
    assert set(unit["SupplementaryGroups"][0].split()) == {
        "gpio", "video", "render", "input", "dialout", "lp", "audio"}
    assert "PrivateDevices" not in unit and "DevicePolicy" not in unit
    assert "SDL_VIDEODRIVER=kmsdrm" in " ".join(unit["Environment"])
    assert unit["StateDirectory"] == ["piste"] and unit["ConfigurationDirectory"] == ["piste"]
    assert "/var/lib/piste/site.toml" in unit["ExecStart"][0]
    assert "config prepare" in unit["ExecStartPre"][0]
    # An offline boot must not wait for the network or for NTP.
    assert "network-online.target" not in UNIT.read_text().split("[Service]")[0].replace(
        "# No network-online.target", "")


def test_watchdog_interval_is_half_of_watchdog_sec() -> None:
    import os

    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval_s({}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None \
        or os.getpid() == 1


class NotifySocket:
    """systemd's end of $NOTIFY_SOCKET: a real datagram socket that records what arrives."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.05)
        self.path = str(path)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                self.messages.append((time.monotonic(), self.sock.recv(4096).decode()))
            except TimeoutError:
                continue

    def lines(self) -> list[str]:
        return [line for _, text in list(self.messages) for line in text.splitlines()]

    def pings_since(self, moment: float) -> int:
        return sum(1 for at, text in list(self.messages) if at > moment and "WATCHDOG=1" in text)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path: Path):  # type: ignore[no-untyped-def]
    listener = NotifySocket(tmp_path / "notify.sock")
    yield listener
    listener.close()


INTERVAL = 0.1


def lobby(broker: LocalBroker, tmp_path: Path, notify: NotifySocket) -> RunningDevice:
    config = demo_config(broker, tmp_path)
    runtime = build_runtime(config, "lobby-1", clock=SystemClock(ZoneInfo("Europe/Helsinki")),
                            data_dir=tmp_path / "data")
    attach(runtime, Notifier(notify.path), interval_s=INTERVAL)
    return RunningDevice(runtime)


def test_ready_then_pings_and_silence_while_the_loop_hangs(
        broker: LocalBroker, tmp_path: Path, notify_socket: NotifySocket) -> None:
    with lobby(broker, tmp_path, notify_socket) as device:
        wait_for(lambda: notify_socket.pings_since(0) >= 3, what="watchdog pings")
        lines = notify_socket.lines()
        assert lines[0] == "READY=1" and lines[1].startswith("STATUS=device lobby-1 runs")

        release = threading.Event()
        device.runtime.post(lambda: release.wait(10))  # a role stuck on the loop thread
        time.sleep(2 * INTERVAL)
        hung_at = time.monotonic()
        time.sleep(10 * INTERVAL)
        assert notify_socket.pings_since(hung_at) == 0
        release.set()
        wait_for(lambda: notify_socket.pings_since(hung_at) >= 2, what="pings after the hang")


def test_pings_stop_when_the_mqtt_thread_dies(
        broker: LocalBroker, tmp_path: Path, notify_socket: NotifySocket) -> None:
    with lobby(broker, tmp_path, notify_socket) as device:
        assert device.runtime.link.wait_connected(10)
        wait_for(lambda: notify_socket.pings_since(0) >= 2, what="pings")
        device.runtime.link._client.loop_stop()  # paho's own way to end its thread
        wait_for(lambda: any("STATUS=unhealthy: mqtt" in line
                             for line in notify_socket.lines()), what="unhealthy status")
        quiet_from = time.monotonic()
        time.sleep(5 * INTERVAL)
        assert notify_socket.pings_since(quiet_from) == 0


def test_pings_stop_while_the_ledger_cannot_be_written(
        broker: LocalBroker, tmp_path: Path, notify_socket: NotifySocket) -> None:
    with lobby(broker, tmp_path, notify_socket):
        wait_for(lambda: notify_socket.pings_since(0) >= 2, what="pings")
        other = sqlite3.connect(tmp_path / "data" / "ledger.sqlite", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            wait_for(lambda: any("STATUS=unhealthy: ledger" in line
                                 for line in notify_socket.lines()), what="ledger unhealthy")
            quiet_from = time.monotonic()
            time.sleep(5 * INTERVAL)
            assert notify_socket.pings_since(quiet_from) == 0
        finally:
            other.execute("ROLLBACK")
            other.close()
        recovered = time.monotonic()
        wait_for(lambda: notify_socket.pings_since(recovered) >= 1, what="pings again")
        assert any(line.startswith("STATUS=device lobby-1") for line in
                   notify_socket.lines()[-5:])
