"""When may the lobby show its queue as current? A pure rule over what the display has heard.

The controller publishes the retained state only when something changes, so a quiet
afternoon's snapshot can be hours old and still true. What makes it doubtful is not its age
but losing sight of the controller: our own link to the broker down, or the controller's
retained status saying "offline" (its last will) or "stopped". From that moment the data is
as old as the last moment both were fine; after `stale_after_s` the screen says so.
A snapshot of another day than today is stale too.
"""

from __future__ import annotations

from datetime import date


class Staleness:
    """Fed with monotonic times (seconds); asked `age(now)`: None while the data is current."""

    def __init__(self, stale_after_s: float, now: float) -> None:
        self.stale_after_s = stale_after_s
        self.link_up = False
        self.controller_online: bool | None = None  # None: no status heard yet
        self.have_state = False
        self.state_day: str | None = None
        # The last moment the data was known to be current; before any state, the start.
        self.last_good = now
        self.day_wrong_since: float | None = None

    def _fine(self) -> bool:
        return self.link_up and self.controller_online is not False and self.have_state

    def _mark(self, now: float) -> None:
        if self._fine():
            self.last_good = now

    def link(self, up: bool, now: float) -> None:
        self._mark(now)
        self.link_up = up
        self._mark(now)

    def controller(self, state: str, now: float) -> None:
        self._mark(now)
        self.controller_online = state == "online"
        self._mark(now)

    def state(self, day: object, now: float) -> None:
        self._mark(now)
        self.have_state = True
        self.state_day = day if isinstance(day, str) else None
        self._mark(now)

    def age(self, now: float, today: date) -> float | None:
        """Seconds the data has been doubtful for, once past the limit; None when current."""
        if self._fine():
            if self.state_day is None or self.state_day == today.isoformat():
                self.last_good, self.day_wrong_since = now, None
                return None
            # Connected and the controller is up, yet yesterday's queue: it has not rolled
            # over. Counted from when we noticed.
            if self.day_wrong_since is None:
                self.day_wrong_since = now
            age = now - self.day_wrong_since
        else:
            age = now - self.last_good
        return age if age >= self.stale_after_s else None
