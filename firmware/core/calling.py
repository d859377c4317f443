"""Who a room calls next: the site's one calling policy.

The caller (`rules.call_next`), the waiting forecast (`estimate.forecast`, which plays this
policy forward room by room) and the "people ahead" on a new ticket all ask this module, so
what a customer is told is the order in which the rooms really call.

The policy today: a checked-in appointment goes first once its time minus the priority margin
has come, earliest appointment first; otherwise the walk-in who has waited longest across the
services the room calls for (a transferred ticket keeps its original issue time), so
authorities that share a room are served in fair arrival order. An appointment checked in
before it is due waits: it is not called ahead of walk-ins, nor at all, until then.

Where later rules go: `CallingPolicy` says from when a ticket may be called
(`callable_from`) and, among those that may, which goes first (`key`, smallest first).
`Lines.pick` compares the heads of the waiting lines by them. A rule that depends on what a
room called before (a fairness bound on the language of service, assistance tickets at most
every Nth call) extends the key with the room's recent calls; a paused room is one that is
not asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import NamedTuple

from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig

Place = tuple[datetime, str]  # a ticket's place in its line: (time, number)
Key = tuple[object, ...]  # a candidate's place in the calling order: smallest goes first


class Kind(IntEnum):
    """The two lines of a service. The value is the first part of the order key."""

    APPOINTMENT = 0  # checked-in bookings, by appointment time
    WALK_IN = 1  # everyone else, by original issue time


KINDS = tuple(Kind)  # iterating the enum itself is slow, and the forecast does it per room


class Candidate(NamedTuple):
    """The head of one waiting line: a ticket that could be called next."""

    kind: Kind
    at: datetime  # the appointment time, or the original issue time of a walk-in
    number: str
    service: str

    @classmethod
    def new_ticket(cls, number: str, service: str, issued_at: datetime,
                   appointment_at: datetime | None = None) -> Candidate:
        """A ticket about to be issued, in the line it will join."""
        if appointment_at is not None:
            return cls(Kind.APPOINTMENT, appointment_at, number, service)
        return cls(Kind.WALK_IN, issued_at, number, service)


@dataclass(frozen=True)
class CallingPolicy:
    """The rules of the calling order."""

    appointment_margin: timedelta  # an appointment goes first from its time minus this

    @classmethod
    def of(cls, config: SiteConfig) -> CallingPolicy:
        return cls(timedelta(minutes=config.rules.appointment_priority_minutes))

    def callable_from(self, candidate: Candidate) -> datetime | None:
        """From when a ticket may be called; None when it may be called any time."""
        if candidate.kind is Kind.APPOINTMENT:
            return candidate.at - self.appointment_margin
        return None

    def key(self, candidate: Candidate) -> Key:
        """Among tickets that may be called, the smallest key goes first.

        Today that is the candidate itself: its line's kind (a due appointment before any
        walk-in), then its time, then its number.
        """
        return candidate


_new_candidate = tuple.__new__  # a Candidate without the named tuple's Python-level __new__


class _Line:
    """One sorted line of the state, how far it has been taken, and its head as the policy
    sees it (worked out once per head, not at every step of the forecast)."""

    __slots__ = ("gate", "head", "key", "kind", "lines", "places", "service", "taken")

    def __init__(self, lines: Lines, places: Sequence[Place], kind: Kind, service: str) -> None:
        self.lines, self.places, self.kind, self.service = lines, places, kind, service
        self.taken = -1
        self.head: Candidate | None = None
        self.key: Key = ()
        self.gate: float | None = None  # minutes after the lines' origin it may be called
        self.take()

    def take(self) -> None:
        self.taken += 1
        if self.taken < len(self.places):
            at, number = self.places[self.taken]
            head = _new_candidate(Candidate, (self.kind, at, number, self.service))
            lines = self.lines
            start = lines._callable_from(head)
            self.head, self.key = head, lines._key(head)
            self.gate = None if start is None else lines.minutes_after(start)
        else:
            self.head = None


class Lines:
    """The waiting lines of a day, two per service, each in calling order, under a policy.

    A view over the state's own sorted lists: a call moves past a line's head and never
    changes the state, so the forecast can play calls forward without copying the queue.
    Each line is in the order of the policy's key, so only its head can be called next. (A
    rule that lets a later ticket pass, such as a language bound, looks further down.)

    Moments are minutes after an origin (the forecast's "now"): plain numbers, which the
    forecast adds and compares at every step far faster than datetimes.
    """

    def __init__(self, policy: CallingPolicy, origin: datetime,
                 lines: Mapping[tuple[str, Kind], Sequence[Place]]) -> None:
        self.policy, self.origin = policy, origin
        self._key, self._callable_from = policy.key, policy.callable_from  # bound once
        self._places = lines
        self._lines: dict[tuple[str, Kind], _Line | None] = {}  # made when first asked for
        self._of_services: dict[tuple[str, ...], list[_Line]] = {}

    @classmethod
    def of(cls, state: QueueState, policy: CallingPolicy, origin: datetime,
           joining: Candidate | None = None) -> Lines:
        """The state's lines, with `joining` (a ticket about to be issued) in its place."""
        lines: dict[tuple[str, Kind], Sequence[Place]] = {}
        for kind, per_service in ((Kind.APPOINTMENT, state.appointments),
                                  (Kind.WALK_IN, state.waiting)):
            for service, places in per_service.items():
                lines[service, kind] = places
        if joining is not None:
            line = (joining.service, joining.kind)
            lines[line] = sorted([*lines.get(line, ()), (joining.at, joining.number)])
        return cls(policy, origin, lines)

    def minutes_after(self, moment: datetime) -> float:
        return (moment - self.origin).total_seconds() / 60

    def pick(self, services: Iterable[str], moment: datetime) -> Candidate | None:
        """The ticket a room calling for these services gets at this moment, if any."""
        return self.pick_after(services, self.minutes_after(moment))

    def pick_after(self, services: Iterable[str], minutes: float) -> Candidate | None:
        """`pick` at this many minutes after the origin."""
        line = self._first(services, minutes)
        return line.head if line else None

    def call_after(self, services: Iterable[str], minutes: float) -> Candidate | None:
        """`pick_after`, and the ticket picked leaves its line: a step of the forecast."""
        line = self._first(services, minutes)
        if line is None:
            return None
        chosen = line.head
        line.take()
        return chosen

    def next_callable(self, services: Iterable[str], minutes: float) -> float | None:
        """Minutes after the origin when a ticket for these services that may not be called
        yet at `minutes` may be, if one waits."""
        gates = [line.gate for line in self._lines_of(services)
                 if line.head is not None and line.gate is not None and line.gate > minutes]
        return min(gates, default=None)

    def _first(self, services: Iterable[str], minutes: float) -> _Line | None:
        """The line whose head is called first, among those that may be called."""
        best: _Line | None = None
        for line in self._lines_of(services):
            if line.head is None or (line.gate is not None and line.gate > minutes):
                continue
            if best is None or line.key < best.key:
                best = line
        return best

    def _lines_of(self, services: Iterable[str]) -> list[_Line]:
        services = tuple(services)
        lines = self._of_services.get(services)
        if lines is None:  # a room asks again and again for the same services
            lines = [line for s in services for kind in KINDS
                     if (line := self._line(s, kind)) is not None]
            self._of_services[services] = lines
        return lines

    def _line(self, service: str, kind: Kind) -> _Line | None:
        key = (service, kind)
        if key not in self._lines:
            places = self._places.get(key)
            self._lines[key] = _Line(self, places, kind, service) if places else None
        return self._lines[key]


def next_ticket(state: QueueState, config: SiteConfig, services: Iterable[str],
                now: datetime) -> str | None:
    """The number a room calling for these services gets now, or None: nobody to call."""
    chosen = Lines.of(state, CallingPolicy.of(config), now).pick(services, now)
    return chosen.number if chosen else None
