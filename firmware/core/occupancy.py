"""Room occupancy from raw presence readings: debouncing, sensor health, the two sides.

Pure: readings come in as (present, moment) pairs from whatever adapter the room unit has
(a PIR on a GPIO pin, an LD2410 radar on a UART), and every rule takes the moment it is
asked about. Nothing here knows about pins, ports or the broker.

Truthfulness comes first: a side whose sensor is silent, stuck or failed is *unknown*, and
a room with an unknown side is `unknown`, never `vacant` (a broken sensor must not make a
busy room look free in the statistics).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class OccupancyState(StrEnum):
    VACANT = "vacant"
    STAFF_ONLY = "staff_only"
    CUSTOMER_ONLY = "customer_only"
    IN_SESSION = "in_session"
    UNKNOWN = "unknown"  # an addition to contract v1: a side's sensor cannot be trusted


class SensorStatus(StrEnum):
    STARTING = "starting"  # no reading settled yet
    OK = "ok"
    SILENT = "silent"  # a streaming sensor sent no frame for its silence timeout
    STUCK = "stuck"  # presence held without a break for longer than anyone stays
    FAILED = "failed"  # the adapter reported an error (port gone, pin in use)


SIDES: tuple[str, ...] = ("staff", "customer")


def combine(staff: bool | None, customer: bool | None) -> OccupancyState:
    """The room's state from its two sides; an unknown side makes the room unknown."""
    if staff is None or customer is None:
        return OccupancyState.UNKNOWN
    if staff and customer:
        return OccupancyState.IN_SESSION
    if staff:
        return OccupancyState.STAFF_ONLY
    if customer:
        return OccupancyState.CUSTOMER_ONLY
    return OccupancyState.VACANT


@dataclass
class Debouncer:
    """Presence turns on after it lasted `on_s`, off after absence lasted `off_s`.

    `value` is None until the first reading has lasted long enough. `since` is the moment
    the current value began: the raw edge that then held, not the moment it was confirmed,
    so a walking time measured from it is not lengthened by the debounce delay.
    """

    on_s: float
    off_s: float
    value: bool | None = None
    since: datetime | None = None
    raw: bool | None = None
    raw_since: datetime | None = None

    def observe(self, present: bool, at: datetime) -> None:
        if present != self.raw:
            self.raw, self.raw_since = present, at

    def due(self) -> datetime | None:
        """When the pending raw value will be confirmed, or None if nothing is pending."""
        if self.raw is None or self.raw_since is None or self.raw == self.value:
            return None
        hold = self.on_s if self.raw else self.off_s
        return self.raw_since + timedelta(seconds=hold)

    def settle(self, now: datetime) -> bool:
        """Confirm the raw value if it has held long enough; True when the value changed."""
        due = self.due()
        if due is None or now < due:
            return False
        self.value, self.since = self.raw, self.raw_since
        return True

    def held_present_s(self, now: datetime) -> float:
        """How long the raw input has shown presence without a break (0 when absent)."""
        if not self.raw or self.raw_since is None:
            return 0.0
        return (now - self.raw_since).total_seconds()


@dataclass
class SideMonitor:
    """One side's sensor: its debouncer and whether it can be trusted right now.

    `silence_s` is None for inputs that have no heartbeat (a GPIO line only changes):
    they cannot fall silent, only stick.
    """

    kind: str
    debouncer: Debouncer
    started: datetime
    silence_s: float | None = None
    stuck_s: float = 4 * 3600.0
    last_heard: datetime | None = None
    error: str = ""

    def reading(self, present: bool, at: datetime) -> None:
        gap = (at - self.last_heard).total_seconds() if self.last_heard else 0.0
        if self.error or (self.silence_s is not None and gap > self.silence_s):
            # Back after a fault: what it said before proves nothing now; confirm afresh.
            self.debouncer = Debouncer(self.debouncer.on_s, self.debouncer.off_s)
        self.last_heard = at
        self.error = ""
        self.debouncer.observe(present, at)

    def failed(self, message: str) -> None:
        self.error = message or "sensor failed"

    def status(self, now: datetime) -> SensorStatus:
        if self.error:
            return SensorStatus.FAILED
        if self.silence_s is not None:
            heard = self.last_heard or self.started
            if (now - heard).total_seconds() > self.silence_s:
                return SensorStatus.SILENT
        if self.debouncer.held_present_s(now) > self.stuck_s:
            return SensorStatus.STUCK
        if self.debouncer.value is None:
            return SensorStatus.STARTING
        return SensorStatus.OK

    def present(self, now: datetime) -> bool | None:
        """The debounced presence, or None when the sensor cannot be trusted."""
        return self.debouncer.value if self.status(now) is SensorStatus.OK else None

    def due(self, now: datetime) -> datetime | None:
        """The next moment this side's answer can change without a new reading."""
        moments = [self.debouncer.due()]
        if self.silence_s is not None and not self.error:
            moments.append((self.last_heard or self.started)
                           + timedelta(seconds=self.silence_s + 0.001))
        if self.debouncer.raw and self.debouncer.raw_since is not None:
            moments.append(self.debouncer.raw_since + timedelta(seconds=self.stuck_s + 0.001))
        future = [m for m in moments if m is not None and m > now]
        return min(future, default=None)


@dataclass(frozen=True)
class Occupancy:
    staff: bool | None
    customer: bool | None
    state: OccupancyState
    since: datetime

    def to_wire(self) -> dict[str, Any]:
        return {"staff": self.staff, "customer": self.customer, "state": str(self.state),
                "since": self.since.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class StatusChange:
    side: str
    status: SensorStatus
    previous: SensorStatus


@dataclass
class RoomOccupancy:
    """Both sides of one room; `update` says what changed since it was last asked."""

    staff: SideMonitor
    customer: SideMonitor
    current: Occupancy | None = None
    statuses: dict[str, SensorStatus] = field(default_factory=dict)

    def side(self, name: str) -> SideMonitor:
        return self.staff if name == "staff" else self.customer

    def update(self, now: datetime) -> tuple[Occupancy | None, list[StatusChange]]:
        """Settle both sides at `now`; the new occupancy if the room's state changed, and
        every side whose sensor status changed."""
        changes: list[StatusChange] = []
        for name in SIDES:
            monitor = self.side(name)
            monitor.debouncer.settle(now)
            status = monitor.status(now)
            previous = self.statuses.get(name, SensorStatus.STARTING)
            if status is not previous:
                changes.append(StatusChange(name, status, previous))
            self.statuses[name] = status
        staff, customer = self.staff.present(now), self.customer.present(now)
        state = combine(staff, customer)
        old = self.current
        if old is not None and (old.staff, old.customer, old.state) == (staff, customer, state):
            return None, changes
        self.current = Occupancy(staff, customer, state, self._since(state, now, old))
        return self.current, changes

    def _since(self, state: OccupancyState, now: datetime, old: Occupancy | None) -> datetime:
        if state is OccupancyState.UNKNOWN:
            moment = now
        else:
            # The state began at the later of the two sides' confirmed edges.
            edges = [m.debouncer.since for m in (self.staff, self.customer)]
            moment = max((e for e in edges if e is not None), default=now)
        # Never earlier than the state it follows: debouncing confirms edges out of order.
        return max(moment, old.since) if old is not None else moment

    def due(self, now: datetime) -> datetime | None:
        return min((d for d in (self.staff.due(now), self.customer.due(now)) if d is not None),
                   default=None)
