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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig

Place = tuple[datetime, str]  # a ticket's place in its line: (time, number)


class Kind(IntEnum):
    """The two lines of a service. The value is the first part of the order key."""

    APPOINTMENT = 0  # checked-in bookings, by appointment time
    WALK_IN = 1  # everyone else, by original issue time


@dataclass(frozen=True)
class Candidate:
    """The head of one waiting line: a ticket that could be called next."""

    number: str
    service: str
    kind: Kind
    at: datetime  # the appointment time, or the original issue time of a walk-in

    @classmethod
    def new_ticket(cls, number: str, service: str, issued_at: datetime,
                   appointment_at: datetime | None = None) -> Candidate:
        """A ticket about to be issued, in the line it will join."""
        if appointment_at is not None:
            return cls(number, service, Kind.APPOINTMENT, appointment_at)
        return cls(number, service, Kind.WALK_IN, issued_at)


@dataclass
class Lines:
    """The waiting lines of a day, two per service, each in calling order.

    A view over the state's own sorted lists: `take` moves a head index and never changes the
    state, so the forecast can play calls forward on it without copying the queue.
    """

    lines: Mapping[tuple[str, Kind], Sequence[Place]]
    heads: dict[tuple[str, Kind], int] = field(default_factory=dict)

    @classmethod
    def of(cls, state: QueueState, joining: Candidate | None = None) -> Lines:
        """The state's lines, with `joining` (a ticket about to be issued) in its place."""
        lines: dict[tuple[str, Kind], Sequence[Place]] = {}
        for kind, per_service in ((Kind.APPOINTMENT, state.appointments),
                                  (Kind.WALK_IN, state.waiting)):
            for service, places in per_service.items():
                if places:
                    lines[service, kind] = places
        if joining is not None:
            line = (joining.service, joining.kind)
            lines[line] = sorted([*lines.get(line, ()), (joining.at, joining.number)])
        return cls(lines)

    def head(self, service: str, kind: Kind) -> Candidate | None:
        places = self.lines.get((service, kind), ())
        position = self.heads.get((service, kind), 0)
        if position >= len(places):
            return None
        at, number = places[position]
        return Candidate(number, service, kind, at)

    def take(self, candidate: Candidate) -> None:
        line = (candidate.service, candidate.kind)
        self.heads[line] = self.heads.get(line, 0) + 1

    def candidates(self, services: Iterable[str]) -> list[Candidate]:
        """The head of every line of these services.

        Each line is in the order of the key, so only its head can win.
        """
        heads = (self.head(s, kind) for s in services for kind in Kind)
        return [c for c in heads if c is not None]


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

    def rank(self, candidate: Candidate, moment: datetime) -> tuple[int, datetime, str] | None:
        """The order key at this moment (smallest is called first), or None: not yet."""
        start = self.callable_from(candidate)
        if start is not None and start > moment:
            return None
        return (int(candidate.kind), candidate.at, candidate.number)

    def pick(self, lines: Lines, services: Iterable[str], moment: datetime) -> Candidate | None:
        """The ticket a room calling for these services gets at this moment, if any."""
        best: Candidate | None = None
        best_key: tuple[int, datetime, str] | None = None
        for candidate in lines.candidates(services):
            key = self.rank(candidate, moment)
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
