"""SIGTERM and SIGINT for `piste run`: ask the loop to stop, and make sure the process ends.

Python runs a signal handler on the main thread between two bytecodes, wherever that thread
happens to be, even halfway through a lock it holds. So the handler takes no lock the loop
might hold: `Runtime.request_stop` only posts to the loop's lock-free inbox, and the deadline
below is armed in C. A device that hangs on SIGTERM costs a lobby its service until systemd
kills it (TimeoutStopSec), so whatever hangs in the shutdown, the process ends within
`STOP_DEADLINE_S` of the first signal: faulthandler writes every thread's stack to stderr
(the journal) to say what hung, and exits with status 1.
"""

from __future__ import annotations

import faulthandler
import signal
import sys
from typing import Any, Protocol

STOP_DEADLINE_S = 10.0  # below the unit's TimeoutStopSec=15: we end it, not systemd's SIGKILL


class Stoppable(Protocol):
    def request_stop(self, reason: str = ...) -> None: ...


class StopSignals:
    """The handlers of one `piste run`; `restore()` puts the previous ones back (tests)."""

    def __init__(self, runtime: Stoppable, deadline_s: float = STOP_DEADLINE_S) -> None:
        self.runtime = runtime
        self.deadline_s = deadline_s
        self.armed = False
        self._previous: dict[int, Any] = {}

    def install(self) -> StopSignals:
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        if self.armed:
            faulthandler.cancel_dump_traceback_later()

    def _on_signal(self, signum: int, _frame: Any) -> None:
        if not self.armed:  # a second Ctrl-C must not push the deadline further away
            self.armed = True
            faulthandler.dump_traceback_later(self.deadline_s, exit=True, file=sys.stderr)
        self.runtime.request_stop("SIGTERM" if signum == signal.SIGTERM else "interrupted")
