"""The queue of one service day as a fold over its ledger events.

`QueueState.apply(event)` is the only way state changes, both live and when the controller
rebuilds after a restart, so the two can never disagree.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from firmware.core.events import Event, EventType

# How many recent service durations the estimate looks at, per service.
RECENT_DURATIONS = 15


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

    @property
    def is_open(self) -> bool:
        return self.status in (TicketStatus.WAITING, TicketStatus.CALLED)


@dataclass(frozen=True)
class Call:
    ticket: str
    room: str
    service: str
    call_id: str
    at: datetime


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

    def apply(self, event: Event) -> None:
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event)
        self.seq = max(self.seq, event.seq)

    # -- questions ----------------------------------------------------------------------

    def waiting_count(self, service_id: str) -> int:
        return len(self.waiting.get(service_id, ())) + len(self.appointments.get(service_id, ()))

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
        return self.waiting.setdefault(ticket.service, []), (ticket.issued_at, ticket.number)

    def _enqueue(self, ticket: Ticket) -> None:
        line, place = self._line_of(ticket)
        bisect.insort(line, place)

    def _dequeue(self, ticket: Ticket) -> None:
        line, place = self._line_of(ticket)
        position = bisect.bisect_left(line, place)
        if position < len(line) and line[position] == place:
            line.pop(position)

    def _leave_room(self, ticket: Ticket) -> None:
        call = self.serving.get(ticket.room) if ticket.room is not None else None
        if call is not None and call.ticket == ticket.number:
            del self.serving[call.room]

    def _close(self, ticket: Ticket, outcome: Outcome) -> None:
        if ticket.status is TicketStatus.WAITING:
            self._dequeue(ticket)
        self._leave_room(ticket)
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
        )
        self.tickets[ticket.number] = ticket
        self._enqueue(ticket)
        self.counters[d.get("counter", ticket.service)] = int(d["seq_no"])

    def _called(self, event: Event) -> None:
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
        call = Call(ticket.number, d["room"], ticket.service, d["call_id"], event.at)
        self.serving[d["room"]] = call
        self.last_call = call
        if "services" in d:
            self.note_room_call(d["room"], event.at, tuple(d["services"]))

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
        self._enqueue(ticket)  # back at the place of its original issue time

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
        self._enqueue(ticket)

    def _cancelled(self, event: Event) -> None:
        ticket = self.tickets[event.data["number"]]
        reason = event.data.get("reason")
        self._close(ticket, Outcome.EXPIRED if reason == "expired" else Outcome.CANCELLED)


_HANDLERS = {
    EventType.TICKET_ISSUED: QueueState._issued,
    EventType.TICKET_CALLED: QueueState._called,
    EventType.TICKET_RECALLED: QueueState._called,
    EventType.TICKET_COMPLETED: QueueState._completed,
    EventType.TICKET_NO_SHOW: QueueState._no_show,
    EventType.TICKET_REINSTATED: QueueState._reinstated,
    EventType.TICKET_TRANSFERRED: QueueState._transferred,
    EventType.TICKET_CANCELLED: QueueState._cancelled,
    EventType.ROOM_IDLE: QueueState._idle,
}


def fold(day: str, events: list[Event]) -> QueueState:
    state = QueueState(day=day)
    for event in events:
        state.apply(event)
    return state
