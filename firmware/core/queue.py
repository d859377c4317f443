"""The queue of one service day as a fold over its ledger events.

`QueueState.apply(event)` is the only way state changes, both live and when the controller
rebuilds after a restart, so the two can never disagree.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from firmware.core.events import Event, EventType

# How many recent service durations the estimate looks at, per service.
RECENT_DURATIONS = 15
RECENT_CALLS = 8  # the calls the displays may show: the newest and a short history
ROOM_HISTORY = 32  # assistance flags of a room's last calls (QueueRules.assistance_every <=)


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    NO_SHOW = "no_show"  # left the queue, may still be reinstated within the grace time
    DONE = "done"


class Outcome(StrEnum):
    """How a ticket's visit to one authority ended: the closed set statistics count."""

    SERVED = "served"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    CLOSED = "closed"  # still open at the day's end (closing time)


class LegPlace(StrEnum):
    """Where a waiting walk-in stands in its authority's queue (QueueRules.next_leg_place)."""

    ARRIVAL = "arrival"  # by the original issue time
    END = "end"  # by the time it joined (continued to this authority)
    PRIORITY = "priority"  # ahead of walk-ins, by the time it joined


ROOM_STATES = ("serving", "paused", "closed")
PAUSE_REASONS = ("break", "lunch", "back_office", "meeting")


@dataclass
class Ticket:
    number: str
    service: str
    issued_at: datetime
    lang: str
    appointment_at: datetime | None = None  # set for an appointment's check-in
    appointment_id: str | None = None
    status: TicketStatus = TicketStatus.WAITING
    room: str | None = None
    call_id: str | None = None
    called_at: datetime | None = None
    first_called_at: datetime | None = None
    no_show_at: datetime | None = None
    calls: int = 0
    outcome: Outcome | None = None
    assistance: bool = False  # needs assistance (the category alone: no reason is kept)
    then: list[str] = field(default_factory=list)  # the authorities still to visit, in order
    legs: int = 1  # the authority of the visit it waits for or is at: 1, 2, ...
    passed_since: datetime | None = None  # first passed over for its language (this leg)
    copies: int = 0  # reprints
    place: LegPlace = LegPlace.ARRIVAL  # how a walk-in stands in its line ...
    place_at: datetime | None = None  # ... and from when (None: its issue time)

    @property
    def is_open(self) -> bool:
        return self.status in (TicketStatus.WAITING, TicketStatus.CALLED)

    @property
    def line_at(self) -> datetime:
        """The time that orders a walk-in in its line."""
        return self.place_at if self.place_at is not None else self.issued_at


@dataclass(frozen=True)
class Call:
    ticket: str
    room: str
    service: str
    call_id: str
    at: datetime
    lang: str = "fi"  # the ticket's: the displays announce in it first


@dataclass(frozen=True)
class RoomState:
    """A room's state today. `languages` None: its configured ones (see `room_state`)."""

    state: str = "serving"  # one of ROOM_STATES
    reason: str | None = None  # one of PAUSE_REASONS when paused
    since: datetime | None = None  # None: no change today (serving since the day began)
    languages: tuple[str, ...] | None = None

    @property
    def serving(self) -> bool:
        return self.state == "serving"


@dataclass
class QueueState:
    day: str
    seq: int = 0
    tickets: dict[str, Ticket] = field(default_factory=dict)  # the day's tickets by number
    # Waiting walk-in tickets per service, ordered by (original) issue time: see calling.py.
    waiting: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)
    # Waiting appointment check-ins per service, ordered by appointment time.
    appointments: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)
    serving: dict[str, Call] = field(default_factory=dict)  # room -> the call in it
    last_call: Call | None = None
    counters: dict[str, int] = field(default_factory=dict)  # numbering key -> last number
    durations: dict[str, deque[float]] = field(default_factory=dict)  # minutes, per service
    # When each room last asked for a customer (called or found nobody), for which services.
    room_calls: dict[str, tuple[datetime, tuple[str, ...]]] = field(default_factory=dict)
    # Returning walk-ins (next_leg_place "priority") per service, ahead of the walk-ins.
    priority: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)
    rooms: dict[str, RoomState] = field(default_factory=dict)  # rooms changed today
    recent: deque[Call] = field(default_factory=lambda: deque(maxlen=RECENT_CALLS))  # newest 1st
    # Per room, whether each of its last calls was of a ticket needing assistance (newest last).
    room_history: dict[str, deque[bool]] = field(default_factory=dict)
    help_wanted: dict[str, datetime] = field(default_factory=dict)  # device -> asked at
    day_closed: datetime | None = None  # when the day report was appended
    passed_over: set[str] = field(default_factory=set)  # waiting, with passed_since set
    # Tickets with authorities still to visit after this one (their `then`): the forecast
    # looks at these, not at every ticket of the day.
    chained: set[str] = field(default_factory=set)
    # Today's finished pauses per reason ("" for none), minutes: how long a break lasts here.
    pauses: dict[str, deque[float]] = field(default_factory=dict)

    def apply(self, event: Event) -> None:
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event)
        self.seq = max(self.seq, event.seq)

    # -- questions ----------------------------------------------------------------------

    def waiting_count(self, service_id: str) -> int:
        return (len(self.waiting.get(service_id, ())) + len(self.appointments.get(service_id, ()))
                + len(self.priority.get(service_id, ())))

    def room_state(self, room_id: str, config_languages: Sequence[str]) -> RoomState:
        """The room's state now, its languages filled in from the config's when unchanged."""
        room = self.rooms.get(room_id)
        if room is None:
            return RoomState(languages=tuple(config_languages))
        if room.languages is None:
            return replace(room, languages=tuple(config_languages))
        return room

    def open_numbers(self) -> set[str]:
        """Numbers that may not be given again today: open, or reinstatable no-shows."""
        return {n for n, t in self.tickets.items() if t.status is not TicketStatus.DONE}

    def note_room_call(self, room: str, at: datetime, services: tuple[str, ...]) -> None:
        self.room_calls[room] = (at, services)

    def open_tickets(self) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.is_open]

    # -- bookkeeping of the queues ------------------------------------------------------

    def _line_of(self, ticket: Ticket) -> tuple[list[tuple[datetime, str]], tuple[datetime, str]]:
        """The line a waiting ticket stands in, and its place there."""
        if ticket.appointment_at is not None:
            line = self.appointments.setdefault(ticket.service, [])
            return line, (ticket.appointment_at, ticket.number)
        lines = self.priority if ticket.place is LegPlace.PRIORITY else self.waiting
        return lines.setdefault(ticket.service, []), (ticket.line_at, ticket.number)

    def _enqueue(self, ticket: Ticket) -> None:
        line, place = self._line_of(ticket)
        bisect.insort(line, place)

    def _dequeue(self, ticket: Ticket) -> None:
        line, place = self._line_of(ticket)
        position = bisect.bisect_left(line, place)
        if position < len(line) and line[position] == place:
            line.pop(position)

    def _unpass(self, ticket: Ticket) -> None:
        ticket.passed_since = None
        self.passed_over.discard(ticket.number)

    def _leave_room(self, ticket: Ticket) -> None:
        call = self.serving.get(ticket.room) if ticket.room is not None else None
        if call is not None and call.ticket == ticket.number:
            del self.serving[call.room]

    def _close(self, ticket: Ticket, outcome: Outcome) -> None:
        if ticket.status is TicketStatus.WAITING:
            self._dequeue(ticket)
        self._leave_room(ticket)
        if ticket.passed_since is not None:
            self._unpass(ticket)
        ticket.status = TicketStatus.DONE
        ticket.outcome = outcome

    # -- event handlers -------------------------------------------------------------------

    def _issued(self, event: Event) -> None:
        d = event.data
        appointment = d.get("appointment_at")
        ticket = Ticket(
            number=d["number"],
            service=d["service"],
            issued_at=event.at,
            lang=d.get("lang", "fi"),
            appointment_at=datetime.fromisoformat(appointment) if appointment else None,
            appointment_id=d.get("appointment_id"),
            assistance=bool(d.get("assistance", False)),
            then=list(d.get("then", ())),
        )
        self.tickets[ticket.number] = ticket
        self._plan(ticket, ticket.then)
        self._enqueue(ticket)
        self.counters[d.get("counter", ticket.service)] = int(d["seq_no"])

    def _called(self, event: Event) -> None:
        d = event.data
        for number in d.get("passed_over", ()):  # skipped for their language: the bound runs
            skipped = self.tickets.get(number)
            if skipped is not None and skipped.passed_since is None:
                skipped.passed_since = event.at
                self.passed_over.add(number)
        ticket = self._call(event)
        if ticket.passed_since is not None:
            self._unpass(ticket)
        history = self.room_history.get(d["room"])
        if history is None:
            history = self.room_history[d["room"]] = deque(maxlen=ROOM_HISTORY)
        history.append(ticket.assistance)

    def _recalled(self, event: Event) -> None:
        self._call(event)

    def _call(self, event: Event) -> Ticket:
        d = event.data
        ticket = self.tickets[d["number"]]
        if ticket.status is TicketStatus.WAITING:
            self._dequeue(ticket)
        ticket.status = TicketStatus.CALLED
        ticket.room = d["room"]
        ticket.call_id = d["call_id"]
        ticket.called_at = event.at
        ticket.first_called_at = ticket.first_called_at or event.at
        ticket.calls += 1
        call = Call(ticket.number, d["room"], ticket.service, d["call_id"], event.at,
                    d.get("lang", ticket.lang))
        self.serving[d["room"]] = call
        self.last_call = call
        self.recent.appendleft(call)  # a recall is a new entry at the top
        if "services" in d:
            self.note_room_call(d["room"], event.at, tuple(d["services"]))
        return ticket

    def _idle(self, event: Event) -> None:
        self.note_room_call(event.data["room"], event.at, tuple(event.data["services"]))

    def _completed(self, event: Event) -> None:
        ticket = self.tickets[event.data["number"]]
        if ticket.called_at is not None:
            minutes = (event.at - ticket.called_at).total_seconds() / 60
            recent = self.durations.setdefault(ticket.service, deque(maxlen=RECENT_DURATIONS))
            recent.append(minutes)
        self._close(ticket, Outcome.SERVED)

    def _no_show(self, event: Event) -> None:
        ticket = self.tickets[event.data["number"]]
        self._leave_room(ticket)
        ticket.status = TicketStatus.NO_SHOW
        ticket.no_show_at = event.at
        ticket.outcome = Outcome.NO_SHOW

    def _reinstated(self, event: Event) -> None:
        ticket = self.tickets[event.data["number"]]
        ticket.status = TicketStatus.WAITING
        ticket.outcome = None
        ticket.room = None
        self._enqueue(ticket)  # back at its place in its line

    def _transferred(self, event: Event) -> None:
        ticket = self.tickets[event.data["number"]]
        if ticket.status is TicketStatus.WAITING:
            self._dequeue(ticket)
        elif ticket.status is TicketStatus.CALLED and ticket.called_at is not None:
            minutes = (event.at - ticket.called_at).total_seconds() / 60
            recent = self.durations.setdefault(ticket.service, deque(maxlen=RECENT_DURATIONS))
            recent.append(minutes)
        self._leave_room(ticket)
        ticket.service = event.data["to_service"]
        ticket.status = TicketStatus.WAITING
        ticket.room = None
        ticket.appointment_at = None  # the new authority sees a walk-in, in original order
        ticket.place, ticket.place_at = LegPlace.ARRIVAL, None
        self._unpass(ticket)
        self._enqueue(ticket)

    def _cancelled(self, event: Event) -> None:
        ticket = self.tickets[event.data["number"]]
        reason = event.data.get("reason")
        outcome = {"expired": Outcome.EXPIRED, "closed": Outcome.CLOSED}.get(reason or "")
        self._close(ticket, outcome or Outcome.CANCELLED)

    def _continued(self, event: Event) -> None:
        """The visit goes on to its next authority, with the same number (the previous leg
        was completed by the event just before)."""
        d = event.data
        ticket = self.tickets[d["number"]]
        if ticket.status is TicketStatus.WAITING:
            self._dequeue(ticket)
        self._leave_room(ticket)
        ticket.service = d["to_service"]
        self._plan(ticket, d.get("then", ()))
        ticket.legs = int(d.get("leg", ticket.legs + 1))
        ticket.status, ticket.outcome, ticket.room = TicketStatus.WAITING, None, None
        ticket.appointment_at = None
        ticket.calls, ticket.first_called_at = 0, None
        self._unpass(ticket)
        ticket.place = LegPlace(d.get("place", LegPlace.ARRIVAL))
        ticket.place_at = None if ticket.place is LegPlace.ARRIVAL else event.at
        self._enqueue(ticket)

    def _leg_added(self, event: Event) -> None:
        self._plan(self.tickets[event.data["number"]], event.data["then"])

    def _plan(self, ticket: Ticket, then: Iterable[str]) -> None:
        ticket.then = list(then)
        if ticket.then:
            self.chained.add(ticket.number)
        else:
            self.chained.discard(ticket.number)

    def _assistance(self, event: Event) -> None:
        self.tickets[event.data["number"]].assistance = bool(event.data["assistance"])

    def _reprinted(self, event: Event) -> None:
        self.tickets[event.data["number"]].copies += 1

    def _room_state(self, event: Event) -> None:
        d = event.data
        before = self.rooms.get(d["room"], RoomState())
        if before.state == "paused" and before.since is not None:
            minutes = (event.at - before.since).total_seconds() / 60
            self.pauses.setdefault(before.reason or "", deque(maxlen=RECENT_DURATIONS)).append(
                minutes)
        self.rooms[d["room"]] = replace(before, state=d["state"], reason=d.get("reason"),
                                        since=event.at)

    def _room_languages(self, event: Event) -> None:
        d = event.data
        before = self.rooms.get(d["room"], RoomState())
        self.rooms[d["room"]] = replace(before, languages=tuple(d["languages"]))

    def _help_requested(self, event: Event) -> None:
        self.help_wanted.setdefault(event.data["device"], event.at)

    def _help_answered(self, event: Event) -> None:
        self.help_wanted.pop(event.data["device"], None)

    def _day_closed(self, event: Event) -> None:
        self.day_closed = event.at


_HANDLERS = {
    EventType.TICKET_ISSUED: QueueState._issued,
    EventType.TICKET_CALLED: QueueState._called,
    EventType.TICKET_RECALLED: QueueState._recalled,
    EventType.TICKET_COMPLETED: QueueState._completed,
    EventType.TICKET_NO_SHOW: QueueState._no_show,
    EventType.TICKET_REINSTATED: QueueState._reinstated,
    EventType.TICKET_TRANSFERRED: QueueState._transferred,
    EventType.TICKET_CANCELLED: QueueState._cancelled,
    EventType.ROOM_IDLE: QueueState._idle,
    EventType.TICKET_CONTINUED: QueueState._continued,
    EventType.TICKET_LEG_ADDED: QueueState._leg_added,
    EventType.TICKET_ASSISTANCE: QueueState._assistance,
    EventType.TICKET_REPRINTED: QueueState._reprinted,
    EventType.ROOM_STATE: QueueState._room_state,
    EventType.ROOM_LANGUAGES: QueueState._room_languages,
    EventType.HELP_REQUESTED: QueueState._help_requested,
    EventType.HELP_ANSWERED: QueueState._help_answered,
    EventType.DAY_CLOSED: QueueState._day_closed,
}


def fold(day: str, events: list[Event]) -> QueueState:
    state = QueueState(day=day)
    for event in events:
        state.apply(event)
    return state
