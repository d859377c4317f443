"""Clocks: time is a parameter of every rule that depends on it.

The runtime builds one clock and hands it to everything; tests build their own and jump
through a day in milliseconds.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment as an aware datetime."""
        ...


class SystemClock:
    """The wall clock in the site's time zone."""

    def __init__(self, tz: tzinfo) -> None:
        self._tz = tz

    def now(self) -> datetime:
        return datetime.now(self._tz)


class ShiftedClock:
    """Starts at a given moment and then runs at `speed` times real time.

    `piste run --clock-start` uses speed 1 (a demo or an acceptance test outside office
    hours); the demo runs a morning in about a minute with a larger speed. Built on the
    monotonic clock so that a wall-clock jump (NTP) does not move it.
    """

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("the start of a shifted clock needs a time zone offset")
        self._start = start
        self._speed = speed
        self._origin = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self._speed
        return self._start + timedelta(seconds=elapsed)

    @property
    def speed(self) -> float:
        return self._speed


class ManualClock:
    """A clock that moves only when told to: for tests and simulations.

    `monotonic()` is its stopwatch: the seconds it has been moved forward since it was made,
    never back (a `set` to an earlier moment leaves it where it is). A runtime given it as
    its timer clock runs its timers on the test's time rather than the machine's.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a manual clock needs an aware start time")
        self._now = start
        self._ticks = 0.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._ticks

    def advance(self, **delta: float) -> datetime:
        step = timedelta(**delta)
        self._now += step
        self._ticks += max(0.0, step.total_seconds())
        return self._now

    def set(self, moment: datetime) -> None:
        self._ticks += max(0.0, (moment - self._now).total_seconds())
        self._now = moment
