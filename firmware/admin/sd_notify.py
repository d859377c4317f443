"""The systemd notify protocol (sd_notify(3)) in a few lines, without libsystemd.

systemd hands a unit of Type=notify the path of a datagram socket in $NOTIFY_SOCKET; the
service writes "READY=1", "WATCHDOG=1", "STATUS=..." lines to it. Outside systemd (a
technician's shell, the tests) the variable is absent and every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, address: str | None = None) -> None:
        address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        # A leading "@" is Linux's abstract namespace, spelled with a NUL byte on the wire.
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def notify(self, *lines: str) -> bool:
        """Send one datagram; False (and a debug line) if there is no one listening."""
        if not self.enabled:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.sendto("\n".join(lines).encode(), self.address)
        except OSError as exc:
            # systemd gone or the socket path wrong: the service must still run.
            log.debug("sd_notify %s failed: %s", lines, exc)
            return False
        return True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def watchdog_interval_s(environ: dict[str, str] | None = None) -> float | None:
    """How often to ping: half of WatchdogSec= (sd_watchdog_enabled(3)), or None when the
    unit has no watchdog or the variables belong to another process."""
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):
        return None
    return int(usec) / 1_000_000 / 2
