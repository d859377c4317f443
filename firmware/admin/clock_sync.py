"""Is the wall clock trustworthy? A Pi has no real-time clock: after an offline boot it
starts from the last saved time (fake-hwclock / systemd-timesyncd's clock file) and stays
wrong until NTP answers. The device must still run, and say that its clock is unsure."""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

# systemd-timesyncd touches this file once it has synchronised the clock.
TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")
_STA_UNSYNC = 0x0040  # adjtimex(2): the kernel's "clock not synchronised" status bit
_TIME_ERROR = 5


class _Timex(ctypes.Structure):
    # struct timex on Linux (x86_64, aarch64, armhf share the layout up to `status`).
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long),
                ("status", ctypes.c_int), ("_rest", ctypes.c_byte * 200)]


def kernel_says_synchronised() -> bool | None:
    """adjtimex(2) read-only: True when NTP (timesyncd, chrony) keeps the clock, None when
    the call is not available."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        timex = _Timex()
        state = libc.adjtimex(ctypes.byref(timex))
    except (OSError, AttributeError):
        return None
    if state < 0:
        return None
    return state != _TIME_ERROR and not timex.status & _STA_UNSYNC


def clock_synchronised(flag: Path = TIMESYNC_FLAG) -> bool | None:
    """True: synchronised; False: not (yet); None: cannot tell."""
    if flag.exists():
        return True
    return kernel_says_synchronised()
