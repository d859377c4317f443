"""What time does to the kiosk's screen: the idle warning that sends a screen left behind back
to the start, and the countdown that keeps a wait on screen ("in 40 seconds") true.

`ScreenTimers` is a mixin of `KioskRole` (role.py): the timers watch the role's phase and
customer settings and end in its `_back_to_start`, `_pin_note` and redraws. A wait counts in
real (monotonic) seconds, not the device clock: a demo's fast clock or a clock set by NTP
must not shorten it.
"""

from __future__ import annotations

import math


class ScreenTimers:
    # -- waits on screen --------------------------------------------------------------------

    def _wait_left(self) -> float:
        """Seconds of the wait the current screen shows (0: none)."""
        if self.phase == "pin":
            return self.pin_guard.wait_s(self._monotonic())
        if self.phase == "refused" and self._retry_at is not None:
            return max(0.0, self._retry_at - self._monotonic())
        return 0.0

    def _arm_countdown(self) -> None:
        # A screen that says "in 40 seconds" is redrawn as the seconds go, so it stays true.
        if self._countdown_timer is not None:
            self._countdown_timer.cancel()
        self._countdown_timer = None
        left = self._wait_left()
        if left > 0 and hasattr(self, "runtime"):
            self._countdown_timer = self.runtime.call_later(min(1.0, left), self._count_down)

    def _count_down(self) -> None:
        self._countdown_timer = None
        if self.phase == "pin":
            self._pin_note()
        elif self.phase == "refused" and self._retry_at is not None:
            self.retry_after_s = math.ceil(self._wait_left())
            self.dirty = True
            self._arm_countdown()

    # -- the idle warning -------------------------------------------------------------------

    def _activity(self) -> bool:
        """Any touch or key: the customer is here. True if it only dismissed the warning."""
        warned = self.seconds_left is not None
        if warned:
            self.seconds_left = None
            self.dirty = True
            if self._tick_timer is not None:
                self._tick_timer.cancel()
        self._arm_idle()
        return warned

    def _arm_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = None
        if not hasattr(self, "runtime") or self._at_rest():
            return
        self._idle_timer = self.runtime.call_later(self.config.idle_timeout_s, self._idle)

    def _at_rest(self) -> bool:
        """The start screen as the next customer should find it: nothing to time out."""
        return (self.phase in ("start", "starting", "error", "issuing")
                and self.lang == self.default_lang and not self.large
                and not self.voice.enabled and self.focus is None)

    def _idle(self) -> None:
        self._idle_timer = None
        if self.phase == "issuing" or self._at_rest():
            return
        self.seconds_left = max(1, round(self.config.warning_s))
        self.dirty = True
        self.read_screen()
        self._tick_timer = self.runtime.call_later(1.0, self._tick)

    def _tick(self) -> None:
        if self.seconds_left is None:
            return
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self._back_to_start()
            return
        self.dirty = True  # the countdown is the only animation
        self._tick_timer = self.runtime.call_later(1.0, self._tick)
