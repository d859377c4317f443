"""Who a room calls next: the site's one calling policy.

The caller (`rules.call_next`), the waiting forecast (`estimate.forecast`, which plays this
policy forward room by room) and the "people ahead" on a new ticket all ask this module, so
what a customer is told is the order in which the rooms really call.

The policy today: a checked-in appointment goes first once its time minus the priority margin
has come, earliest appointment first; otherwise the walk-in who has waited longest across the
services the room calls for (a transferred ticket keeps its original issue time), so
authorities that share a room are served in fair arrival order. An appointment checked in
before it is due waits: it is not called ahead of walk-ins, nor at all, until then.

Where later rules go: each candidate gets one ordered key (`CallingPolicy.rank`), smallest
first, or None when it may not be called yet; `CallingPolicy.pick` compares the heads of the
waiting lines by it. A rule that depends on what a room called before (a fairness bound on the
language of service, assistance tickets at most every Nth call) extends the key and takes the
room's recent calls as a further argument; a paused room is one `pick` is not asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import NamedTuple

from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig

Place = tuple[datetime, str]  # a ticket's place in its line: (time, number)


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


_candidate = tuple.__new__  # a Candidate without the named tuple's Python-level constructor


class _Line:
    """One sorted line of the state, how many of it have been taken, and its head."""

    __slots__ = ("head", "kind", "places", "service", "taken")

    def __init__(self, places: Sequence[Place], kind: Kind, service: str) -> None:
        self.places, self.kind, self.service, self.taken = places, kind, service, -1
        self.head: Candidate | None = None
        self.take()

    def take(self) -> None:
        self.taken += 1
        if self.taken < len(self.places):
            at, number = self.places[self.taken]
            self.head = _candidate(Candidate, (self.kind, at, number, self.service))
        else:
            self.head = None


class Lines:
    """The waiting lines of a day, two per service, each in calling order.

    A view over the state's own sorted lists: `take` moves past a line's head and never
    changes the state, so the forecast can play calls forward without copying the queue.
    """

    def __init__(self, lines: Mapping[tuple[str, Kind], Sequence[Place]]) -> None:
        self._lines = {line: _Line(places, line[1], line[0])
                       for line, places in sorted(lines.items()) if places}
        self._of_services: dict[tuple[str, ...], list[_Line]] = {}

    @classmethod
    def of(cls, state: QueueState, joining: Candidate | None = None) -> Lines:
        """The state's lines, with `joining` (a ticket about to be issued) in its place."""
        lines: dict[tuple[str, Kind], Sequence[Place]] = {}
        for kind, per_service in ((Kind.APPOINTMENT, state.appointments),
                                  (Kind.WALK_IN, state.waiting)):
            for service, places in per_service.items():
                lines[service, kind] = places
        if joining is not None:
            line = (joining.service, joining.kind)
            place = (joining.at.astimezone(UTC), joining.number)  # UTC, as the state's lines
            lines[line] = sorted([*lines.get(line, ()), place])
        return cls(lines)

    def take(self, candidate: Candidate) -> None:
        line = self._lines[candidate.service, candidate.kind]
        if line.head is not candidate:
            raise ValueError(f"{candidate.number} is not at the head of its line")
        line.take()

    def candidates(self, services: Iterable[str]) -> list[Candidate]:
        """The head of every line of these services.

        Each line is in the order of the key, so only its head can win. (A rule that lets a
        later ticket pass, such as a language bound, looks further down the lines here.)
        """
        return [line.head for line in self.lines_of(services) if line.head is not None]

    def lines_of(self, services: Iterable[str]) -> list[_Line]:
        """The lines of these services (their heads are the candidates)."""
        services = tuple(services)
        lines = self._of_services.get(services)
        if lines is None:  # a room asks again and again for the same services
            lines = [line for s in services for kind in KINDS
                     if (line := self._lines.get((s, kind))) is not None]
            self._of_services[services] = lines
        return lines


@dataclass(frozen=True)
class CallingPolicy:
    appointment_margin: timedelta  # an appointment goes first from its time minus this

    @classmethod
    def of(cls, config: SiteConfig) -> CallingPolicy:
        return cls(timedelta(minutes=config.rules.appointment_priority_minutes))

    def callable_from(self, candidate: Candidate) -> datetime | None:
        """From when a ticket may be called; None when it may be called any time."""
        if candidate.kind is Kind.APPOINTMENT:
            return candidate.at - self.appointment_margin
        return None

    def rank(self, candidate: Candidate, moment: datetime) -> tuple[object, ...] | None:
        """The order key at this moment (smallest is called first), or None: not yet.

        Today the key is the candidate itself: its line's kind (a due appointment before any
        walk-in), then its time, then its number.
        """
        if candidate.kind is Kind.APPOINTMENT and candidate.at - self.appointment_margin > moment:
            return None  # the same test as `callable_from`, inline: this runs per forecast step
        return candidate

    def pick(self, lines: Lines, services: Iterable[str], moment: datetime) -> Candidate | None:
        """The ticket a room calling for these services gets at this moment, if any."""
        best: Candidate | None = None
        best_key: tuple[object, ...] | None = None
        rank = self.rank
        if moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)  # the zone of the lines: see QueueState
        for line in lines.lines_of(services):  # `lines.candidates`, without a list per step
            candidate = line.head
            if candidate is None:
                continue
            key = rank(candidate, moment)
            if key is not None and (best_key is None or key < best_key):
                best, best_key = candidate, key
        return best

    def next_callable(self, lines: Lines, services: Iterable[str],
                      moment: datetime) -> datetime | None:
        """When a ticket not yet callable for these services becomes callable, if one waits."""
        starts = [start for c in lines.candidates(services)
                  if (start := self.callable_from(c)) is not None and start > moment]
        return min(starts, default=None)


def next_ticket(state: QueueState, config: SiteConfig, services: Iterable[str],
                now: datetime) -> str | None:
    """The number a room calling for these services gets now, or None: nobody to call."""
    chosen = CallingPolicy.of(config).pick(Lines.of(state), services, now)
    return chosen.number if chosen else None
