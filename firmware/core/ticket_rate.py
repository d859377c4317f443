"""A cap on tickets per minute for one kiosk: a sliding window over the last issues.

A child pressing every button, or someone taking a stack of numbers, would otherwise flood
the queue with tickets nobody uses. The cap is friendly: the customer is asked to wait a
moment, nothing is broken. Pure: the caller passes the (monotonic) time.
"""

from __future__ import annotations

from collections import deque


class TicketRate:
    def __init__(self, per_minute: int, window_s: float = 60.0) -> None:
        if per_minute < 1:
            raise ValueError(f"tickets per minute must be at least 1, not {per_minute}")
        self.per_minute = per_minute
        self.window_s = window_s
        self._issued: deque[float] = deque()

    def _forget_old(self, now_s: float) -> None:
        while self._issued and now_s - self._issued[0] >= self.window_s:
            self._issued.popleft()

    def allows(self, now_s: float) -> bool:
        """Whether one more ticket may be issued now (does not count it)."""
        self._forget_old(now_s)
        return len(self._issued) < self.per_minute

    def record(self, now_s: float) -> None:
        self._forget_old(now_s)
        self._issued.append(now_s)

    def wait_s(self, now_s: float) -> float:
        """Seconds until the next ticket is allowed (0 when it is allowed now)."""
        self._forget_old(now_s)
        if len(self._issued) < self.per_minute:
            return 0.0
        return self.window_s - (now_s - self._issued[0])
