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
    DONE = "done"


@dataclass
class Ticket:
    number: str
    service: str
    issued_at: datetime
    lang: str
    status: TicketStatus = TicketStatus.WAITING
    room: str | None = None
    call_id: str | None = None
    called_at: datetime | None = None
    calls: int = 0
    outcome: str | None = None

    def to_wire(self) -> dict[str, object]:
        return {
            "number": self.number,
            "service": self.service,
            "issued_at": self.issued_at.isoformat(timespec="seconds"),
            "status": str(self.status),
            "room": self.room,
            "call_id": self.call_id,
        }


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
    # Waiting numbers per service, ordered by issue time: calling takes the oldest head.
    waiting: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict)
    serving: dict[str, Call] = field(default_factory=dict)  # room -> the call in it
    last_call: Call | None = None
    counters: dict[str, int] = field(default_factory=dict)  # numbering key -> last number
    durations: dict[str, deque[float]] = field(default_factory=dict)  # minutes, per service

    def apply(self, event: Event) -> None:
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event)
        self.seq = max(self.seq, event.seq)

    def waiting_count(self, service_id: str) -> int:
        return len(self.waiting.get(service_id, ()))

    def ahead_of(self, number: str) -> int:
        """How many tickets of the same service wait before this one."""
        ticket = self.tickets[number]
        queue = self.waiting.get(ticket.service, [])
        return bisect.bisect_left(queue, (ticket.issued_at, ticket.number))

    def open_numbers(self) -> set[str]:
        return {n for n, t in self.tickets.items() if t.status is not TicketStatus.DONE}

    # -- event handlers -------------------------------------------------------------------

    def _issued(self, event: Event) -> None:
        d = event.data
        ticket = Ticket(
            number=d["number"], service=d["service"], issued_at=event.at, lang=d.get("lang", "fi")
        )
        self.tickets[ticket.number] = ticket
        bisect.insort(self.waiting.setdefault(ticket.service, []), (event.at, ticket.number))
        self.counters[d.get("counter", ticket.service)] = int(d["seq_no"])

    def _called(self, event: Event) -> None:
        d = event.data
        ticket = self.tickets[d["number"]]
        if ticket.status is TicketStatus.WAITING:
            queue = self.waiting.get(ticket.service, [])
            position = bisect.bisect_left(queue, (ticket.issued_at, ticket.number))
            if position < len(queue) and queue[position][1] == ticket.number:
                queue.pop(position)
        ticket.status = TicketStatus.CALLED
        ticket.room = d["room"]
        ticket.call_id = d["call_id"]
        ticket.called_at = event.at
        ticket.calls += 1
        call = Call(ticket.number, d["room"], ticket.service, d["call_id"], event.at)
        self.serving[d["room"]] = call
        self.last_call = call

    def _completed(self, event: Event) -> None:
        ticket = self.tickets[event.data["number"]]
        call = self.serving.get(ticket.room) if ticket.room is not None else None
        if call is not None and call.ticket == ticket.number:
            del self.serving[call.room]
        if ticket.called_at is not None:
            minutes = (event.at - ticket.called_at).total_seconds() / 60
            recent = self.durations.setdefault(ticket.service, deque(maxlen=RECENT_DURATIONS))
            recent.append(minutes)
        ticket.status = TicketStatus.DONE
        ticket.outcome = "served"


_HANDLERS = {
    EventType.TICKET_ISSUED: QueueState._issued,
    EventType.TICKET_CALLED: QueueState._called,
    EventType.TICKET_COMPLETED: QueueState._completed,
}


def fold(day: str, events: list[Event]) -> QueueState:
    state = QueueState(day=day)
    for event in events:
        state.apply(event)
    return state
