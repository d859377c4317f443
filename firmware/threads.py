"""Waiting for a worker thread to end, without letting it hold up the device's stop."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def join_or_leave(thread: threading.Thread | None, timeout_s: float) -> bool:
    """Wait up to `timeout_s` for `thread`; True if it ended (or never ran). A thread that
    is still busy (a printer or a radar that stopped answering) is left behind, named in the
    log: our workers are daemons, so the process still ends."""
    if thread is None or thread.ident is None:
        return True
    thread.join(timeout_s)
    if thread.is_alive():
        log.warning("thread %s did not stop within %g s; left behind", thread.name, timeout_s)
        return False
    return True
