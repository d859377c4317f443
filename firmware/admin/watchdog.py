"""The systemd watchdog: WATCHDOG=1 only while every part of the device is healthy.

The hook runs after each turn of the runtime's inbox loop, so a ping proves the loop turns;
before pinging it also asks the other parts: paho's network thread still lives (an
exception in a paho callback kills it and the device would go deaf without noticing), and
every ledger takes its write lock and could write. When any part fails the pings stop,
STATUS= says why, and systemd restarts the service after WatchdogSec.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from firmware.admin.sd_notify import Notifier

log = logging.getLogger(__name__)

Check = Callable[[], str | None]  # None when healthy, else the problem in plain words
MIN_FREE_BYTES = 1 << 20  # below this an SQLite commit (WAL frame + checkpoint) may fail
LOCK_WAIT_MS = 200  # a loop that waits seconds for a lock is itself unhealthy


class DeviceWatchdog:
    """A runtime loop hook: READY=1 at the first turn (the roles have started), then
    WATCHDOG=1 at most every `interval_s` while every check passes."""

    def __init__(self, notifier: Notifier, checks: Sequence[tuple[str, Check]],
                 interval_s: float | None, *, ready_status: str = "running",
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.notifier = notifier
        self.checks = list(checks)
        self.interval_s = interval_s
        self.ready_status = ready_status
        self._monotonic = monotonic
        self._ready = False
        self._last_check = float("-inf")
        self.problems: list[str] = []
        self.pings = 0

    def __call__(self) -> None:
        if not self._ready:
            self._ready = True
            self.notifier.notify("READY=1", f"STATUS={self.ready_status}")
            log.info("ready: %s", self.ready_status)
        if self.interval_s is None:
            return
        now = self._monotonic()
        if now - self._last_check < self.interval_s:
            return
        self._last_check = now
        problems = self.run_checks()
        if problems != self.problems:
            if problems:
                log.error("unhealthy, watchdog pings stop: %s", "; ".join(problems))
                self.notifier.notify(f"STATUS=unhealthy: {'; '.join(problems)}")
            else:
                log.info("healthy again")
                self.notifier.notify(f"STATUS={self.ready_status}")
        self.problems = problems
        if not problems:
            self.notifier.notify("WATCHDOG=1")
            self.pings += 1

    def run_checks(self) -> list[str]:
        problems = []
        for name, check in self.checks:
            try:
                problem = check()
            except Exception as exc:  # a check that crashes is a failed check, not a crash
                problem = f"the check itself failed: {exc!r}"
            if problem:
                problems.append(f"{name}: {problem}")
        return problems


def mqtt_thread_check(link: Any, thread_name: str) -> Check:
    """paho's network thread is alive. Uses `link.thread_alive` where the link offers it,
    else finds paho's thread by its name (`paho-mqtt-client-<client id>`)."""

    def check() -> str | None:
        alive = getattr(link, "thread_alive", None)
        if alive is None:
            alive = any(t.name == thread_name and t.is_alive() for t in threading.enumerate())
        return None if alive else "the MQTT client thread has stopped"

    return check


def ledger_check(db: sqlite3.Connection, path: Path) -> Check:
    """The ledger takes its write lock in time and accepts a write (rolled back at once):
    catches a lock held elsewhere, a file or file system gone read-only, a full disk."""

    def check() -> str | None:
        if db.in_transaction:
            return None  # between loop turns this never happens; do not disturb a writer
        free = shutil.disk_usage(path.parent).free
        if free < MIN_FREE_BYTES:
            return f"only {free} bytes free for {path}; free space on the data partition"
        (previous,) = db.execute("PRAGMA busy_timeout").fetchone()
        db.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                # A schema write needs no table of ours and is undone by the rollback.
                db.execute("CREATE TABLE _watchdog_probe (x)")
            finally:
                db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            return f"{path} is not writable: {exc}"
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(previous)}")
        return None

    return check


def data_dir_check(data_dir: Path) -> Check:
    """For devices without a ledger: the state directory (config, last good push) is
    writable."""

    def check() -> str | None:
        if not data_dir.is_dir():
            return f"{data_dir} does not exist"
        if not os.access(data_dir, os.W_OK):
            return f"{data_dir} is not writable by this user"
        return None

    return check


def runtime_ledgers_check(runtime: Any) -> Check:
    """Every ledger a role holds; looked up at each check because roles open their ledger
    in start(), after the watchdog is attached. Devices without one: the data directory."""

    def check() -> str | None:
        ledgers = [role.ledger for role in runtime.roles if getattr(role, "ledger", None)]
        if not ledgers:
            return data_dir_check(Path(runtime.data_dir))()
        for ledger in ledgers:
            problem = ledger_check(ledger.db.conn, Path(ledger.path))()
            if problem:
                return problem
        return None

    return check


def checks_for(runtime: Any) -> list[tuple[str, Check]]:
    """Every part of a running device that the watchdog should watch."""
    client_id = f"piste-{runtime.site}-{runtime.device.id}"
    return [
        ("mqtt", mqtt_thread_check(runtime.link, f"paho-mqtt-client-{client_id}")),
        ("ledger", runtime_ledgers_check(runtime)),
    ]


def attach(runtime: Any, notifier: Notifier | None = None,
           interval_s: float | None = None) -> DeviceWatchdog:
    """Hook the watchdog into a runtime (call before `runtime.run()`)."""
    from firmware.admin.sd_notify import watchdog_interval_s

    notifier = notifier or Notifier()
    roles = ", ".join(runtime.device.roles)
    watchdog = DeviceWatchdog(
        notifier, checks_for(runtime),
        interval_s if interval_s is not None else watchdog_interval_s(),
        ready_status=f"device {runtime.device.id} runs {roles}",
    )
    runtime.loop_hooks.append(watchdog)
    return watchdog
