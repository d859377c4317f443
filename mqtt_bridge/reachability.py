"""Why the broker cannot be reached, in plain words, said when it starts and then once a
minute rather than at every retry (paho retries every few seconds, for ever).

A device pointed at a broker that never answers used to log "ready" and then nothing at
all: the technician could not tell a typo in the host from a broker that is down.
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("mqtt_bridge.link")

REPORT_EVERY_S = 60.0  # a failure that lasts is logged again this often


@dataclass(frozen=True)
class Unreachable:
    """Posted after every failed attempt: what the device's health says about the broker."""

    address: str
    problem: str
    failures: int


def plain_reason(exc: BaseException | None, host: str) -> str:
    """What a failed connect means, for a technician (no errno, no exception class)."""
    if isinstance(exc, socket.gaierror):
        return f"the name '{host}' cannot be resolved (check the host name, and DNS)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (no broker listens on that port, or it is not running)"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer (is the host on and on this network, and the address right?)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS: the broker's certificate is not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, OSError):
        if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "the host cannot be reached on this network (no route)"
        if exc.errno == errno.ECONNRESET:
            return "the connection was cut at once (is that port the broker's?)"
        return exc.strerror or str(exc) or "the connection failed"
    return str(exc) if exc else "the connection failed"


def silent_reason(waited_s: float) -> str:
    return (f"it accepts the connection but gave no MQTT answer within {waited_s:g} s "
            "(is that port really the broker's?)")


def refused_reason(reason: Any) -> str:
    return f"the broker refused the connection: {reason} (check the username and password)"


class Reachability:
    """The last failure, and when it was last logged. Called on paho's thread only."""

    def __init__(self, address: str, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.address = address
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self.problem = ""
        self.failures = 0
        self._logged_at: float | None = None

    def failed(self, problem: str) -> Unreachable:
        with self._lock:
            self.failures += 1
            now = self._monotonic()
            due = self._logged_at is None or now - self._logged_at >= REPORT_EVERY_S
            if problem != self.problem or due:
                attempts = f" ({self.failures} attempts so far)" if self.failures > 1 else ""
                log.warning("cannot reach the broker at %s: %s%s; retrying every few seconds",
                            self.address, problem, attempts)
                self._logged_at = now
            self.problem = problem
            return Unreachable(self.address, problem, self.failures)

    def reached(self) -> None:
        with self._lock:
            if self.failures:
                log.info("reached the broker at %s after %d failed attempts", self.address,
                         self.failures)
            self.problem = ""
            self.failures = 0
            self._logged_at = None
