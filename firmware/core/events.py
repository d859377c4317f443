"""The closed vocabulary of ledger events.

Every change of the queue is one of these, appended to the ledger before anyone is told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    TICKET_ISSUED = "ticket.issued"
    TICKET_CALLED = "ticket.called"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_COMPLETED = "ticket.completed"
    TICKET_TRANSFERRED = "ticket.transferred"
    # also the day's end: data "reason": "closed" (closing time) or "expired" (a day rolled
    # over with it open)
    TICKET_CANCELLED = "ticket.cancelled"
    TICKET_REINSTATED = "ticket.reinstated"  # a late no-show back in the queue (addition)
    # Issue 24: a real day. Field lists in docs/mqtt-contract.md.
    # {number, from_service, to_service, place, leg, then}: the next authority of one visit
    TICKET_CONTINUED = "ticket.continued"
    TICKET_LEG_ADDED = "ticket.leg_added"  # {number, service, then}: the advisor adds one
    TICKET_ASSISTANCE = "ticket.assistance"  # {number, assistance}: needs assistance or not
    TICKET_REPRINTED = "ticket.reprinted"  # {number, device}: a copy printed on a kiosk
    ROOM_STATE = "room.state"  # {room, state, reason, by}: serving, paused or closed
    ROOM_LANGUAGES = "room.languages"  # {room, languages}: the clerk's session languages
    HELP_REQUESTED = "help.requested"  # {device}: a kiosk's help key asked for the advisor
    HELP_ANSWERED = "help.answered"  # {device, by}: an advisor answered
    DAY_CLOSED = "day.closed"  # {report}: the day report, once, at the day's end
    ROOM_OCCUPANCY = "room.occupancy"
    ROOM_IDLE = "room.idle"  # a room asked for a customer and nobody waited (addition)
    DEVICE_FAULT = "device.fault"
    # Customer feedback (issue 12); nothing personal: time, device, language, ratings and
    # words masked of identity codes, e-mail addresses and phone numbers.
    FEEDBACK_GIVEN = "feedback.given"  # {device, lang, rating, scale, words?, masked}
    SURVEY_ANSWERED = "survey.answered"  # {device, lang, ratings {"1": 8}, self_service, documents}
    # The silent alarm (issue 26), recorded by the controller from the retained alarm
    # messages, once per alarm and kind, `at` the message's own time. Rooms and times only:
    # never who pressed, acknowledged or cleared it.
    ALARM_RAISED = "alarm.raised"  # {alarm, room, drill, source}: source null if learned late
    ALARM_ACKNOWLEDGED = "alarm.acknowledged"  # {alarm, room, drill, after_s}: s from raise
    ALARM_ESCALATED = "alarm.escalated"  # {alarm, room, drill, relay}
    ALARM_CLEARED = "alarm.cleared"  # {alarm, room, drill}


@dataclass(frozen=True)
class Event:
    """One ledger entry. `seq` is given by the ledger when it is appended (0 before)."""

    id: str
    type: EventType
    at: datetime
    day: str  # the service day (ISO date, site time zone) the event belongs to
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def to_wire(self) -> dict[str, Any]:
        """The `queue/events` payload: `{"id", "seq", "type", "at", ...data}`."""
        return {
            **self.data,
            "id": self.id,
            "seq": self.seq,
            "type": str(self.type),
            "at": self.at.isoformat(timespec="seconds"),
            "day": self.day,
        }
