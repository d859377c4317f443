"""The rules of the queue: given the state, a command and the time, which events follow.

Pure functions: they read the state and config and return event data (or raise Refusal);
the controller appends the events to the ledger and only then applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from firmware.core import calling, estimate, numbering, service_hours
from firmware.core.errors import ErrorCode, Refusal
from firmware.core.events import EventType
from firmware.core.queue import QueueState, Ticket, TicketStatus
from firmware.site_model import SiteConfig


@dataclass(frozen=True)
class Decision:
    """One event the rules want appended: its type and data."""

    type: EventType
    data: dict[str, Any]


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "not within three weeks"


def _closed(service_id: str, upcoming: datetime | None, why: str) -> Refusal:
    return Refusal(
        ErrorCode.SERVICE_CLOSED,
        f"{service_id} {why}; it opens next at {_when(upcoming)}",
        next_open=upcoming.isoformat(timespec="seconds") if upcoming else None,
    )


def issue(
    state: QueueState,
    config: SiteConfig,
    service_id: str,
    lang: str,
    device: str,
    now: datetime,
    appointment_at: datetime | None = None,
    plan: estimate.Forecast | None = None,
) -> Decision:
    """A new number for this service; `plan` is the forecast of this moment, if made."""
    service = config.service(service_id)
    if service is None:
        raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service '{service_id}' at this site")
    site = config.site
    # An appointment is the authority's own promise: it is honoured outside walk-in hours.
    if appointment_at is None and not service_hours.is_open(service, site, now):
        raise _closed(service_id, service_hours.next_open(service, site, now), "is closed now")
    if appointment_at is None and config.rules.stop_issuing_before_closing:
        closes = service_hours.closes_at(service, site, now)
        wait = estimate.expected_wait(state, config, service_id, now, plan)
        if closes is not None and wait is not None and now + timedelta(minutes=wait) >= closes:
            # Better a clear "come back" now than a customer sent home at closing time.
            after = service_hours.next_open(service, site, closes)
            raise _closed(service_id, after, f"cannot serve more customers before {closes:%H:%M}")
    anonymous = site.anonymous_numbering
    key = numbering.counter_key(service, anonymous)
    seq_no, number = numbering.next_number(
        service, anonymous, state.counters.get(key, 0), state.open_numbers()
    )
    data: dict[str, Any] = {
        "number": number,
        "service": service_id,
        "seq_no": seq_no,
        "counter": key,
        "lang": lang,
        "device": device,
    }
    if appointment_at is not None:
        data["appointment_at"] = appointment_at.isoformat(timespec="seconds")
    return Decision(EventType.TICKET_ISSUED, data)


def _room(config: SiteConfig, room_id: str) -> None:
    if config.room(room_id) is None:
        raise Refusal(ErrorCode.UNKNOWN_ROOM, f"no room '{room_id}' at this site")


def _in_room(state: QueueState, config: SiteConfig, room_id: str, what: str) -> Ticket:
    _room(config, room_id)
    current = state.serving.get(room_id)
    if current is None:
        raise Refusal(ErrorCode.NO_TICKET, f"room {room_id} has no called ticket to {what}")
    return state.tickets[current.ticket]


def _ticket(state: QueueState, number: str) -> Ticket:
    ticket = state.tickets.get(number)
    if ticket is None:
        raise Refusal(ErrorCode.NO_TICKET, f"there is no ticket {number} today")
    return ticket


def _finish_current(state: QueueState, room_id: str) -> list[Decision]:
    """A clerk who calls the next customer has finished with the previous one."""
    current = state.serving.get(room_id)
    if current is None:
        return []
    return [Decision(EventType.TICKET_COMPLETED,
                     {"number": current.ticket, "room": room_id, "auto": True})]


def call_next(
    state: QueueState, config: SiteConfig, room_id: str, services: list[str], call_id: str,
    now: datetime,
) -> list[Decision]:
    """Complete what the room still holds, then call who goes next.

    Services are chosen by the clerk; an empty list means the room's configured ones. Who
    goes next is the calling policy's choice (`firmware/core/calling.py`).
    Returns no call decision when nobody waits (the room's open ticket is still completed).
    """
    _room(config, room_id)
    room = config.room(room_id)
    assert room is not None
    wanted = services or list(room.services)
    unknown = [s for s in wanted if config.service(s) is None]
    if unknown:
        raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service {', '.join(unknown)} at this site")
    decisions = _finish_current(state, room_id)
    number = calling.next_ticket(state, config, wanted, now)
    if number is None:
        # Nobody waits. Recorded all the same: it shows the room is staffed and free, which
        # the waiting estimate needs (and the team's statistics of idle rooms).
        decisions.append(Decision(EventType.ROOM_IDLE, {"room": room_id, "services": wanted}))
        return decisions
    ticket = state.tickets[number]
    decisions.append(Decision(EventType.TICKET_CALLED, {
        "number": number, "room": room_id, "service": ticket.service, "call_id": call_id,
        "services": wanted,
    }))
    return decisions


def call_ticket(state: QueueState, config: SiteConfig, room_id: str, number: str,
                call_id: str) -> list[Decision]:
    """Call one particular waiting ticket (the advisor brings a customer, say)."""
    _room(config, room_id)
    ticket = _ticket(state, number)
    if ticket.status is not TicketStatus.WAITING:
        raise Refusal(ErrorCode.NO_TICKET, f"{number} is not waiting (it is {ticket.status})")
    decisions = _finish_current(state, room_id)
    decisions.append(Decision(EventType.TICKET_CALLED, {
        "number": number, "room": room_id, "service": ticket.service, "call_id": call_id,
    }))
    return decisions


def recall(state: QueueState, config: SiteConfig, room_id: str, call_id: str) -> Decision:
    ticket = _in_room(state, config, room_id, "recall")
    return Decision(EventType.TICKET_RECALLED, {
        "number": ticket.number, "room": room_id, "service": ticket.service, "call_id": call_id,
        "call_count": ticket.calls + 1,
    })


def no_show(state: QueueState, config: SiteConfig, room_id: str) -> Decision:
    ticket = _in_room(state, config, room_id, "mark as a no-show")
    return Decision(EventType.TICKET_NO_SHOW, {"number": ticket.number, "room": room_id,
                                               "service": ticket.service})


def reinstate(state: QueueState, config: SiteConfig, number: str, now: datetime) -> Decision:
    """A late customer whose number was a no-show gets their place back within the grace."""
    ticket = _ticket(state, number)
    if ticket.status is not TicketStatus.NO_SHOW or ticket.no_show_at is None:
        raise Refusal(ErrorCode.NO_TICKET, f"{number} is not a no-show that can be reinstated")
    grace = timedelta(minutes=config.rules.no_show_grace_minutes)
    if now - ticket.no_show_at > grace:
        raise Refusal(ErrorCode.NO_TICKET,
                      f"{number} was a no-show more than {grace.seconds // 60} minutes ago; "
                      "please take a new number")
    return Decision(EventType.TICKET_REINSTATED, {"number": number, "service": ticket.service})


def complete(state: QueueState, config: SiteConfig, room_id: str) -> Decision:
    ticket = _in_room(state, config, room_id, "complete")
    return Decision(EventType.TICKET_COMPLETED, {"number": ticket.number, "room": room_id})


def transfer(state: QueueState, config: SiteConfig, to_service: str, *, room_id: str | None,
             number: str | None) -> Decision:
    """Send a customer on to another authority: same number, place by original issue time."""
    if config.service(to_service) is None:
        raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service '{to_service}' at this site")
    if number is not None:
        ticket = _ticket(state, number)
    else:
        assert room_id is not None
        ticket = _in_room(state, config, room_id, "transfer")
    if not ticket.is_open:
        raise Refusal(ErrorCode.NO_TICKET, f"{ticket.number} is no longer in the queue")
    if ticket.service == to_service:
        raise Refusal(ErrorCode.BAD_REQUEST, f"{ticket.number} is already for {to_service}")
    return Decision(EventType.TICKET_TRANSFERRED, {
        "number": ticket.number, "from_service": ticket.service, "to_service": to_service,
        "room": ticket.room if ticket.status is TicketStatus.CALLED else None,
    })


def cancel(state: QueueState, number: str) -> Decision:
    ticket = _ticket(state, number)
    if ticket.status is TicketStatus.DONE:
        raise Refusal(ErrorCode.NO_TICKET, f"{number} is already closed")
    return Decision(EventType.TICKET_CANCELLED, {"number": number, "service": ticket.service})


def expire_open(state: QueueState) -> list[Decision]:
    """At the end of the service day every ticket still open ends as `expired`."""
    return [
        Decision(EventType.TICKET_CANCELLED,
                 {"number": t.number, "service": t.service, "reason": "expired"})
        for t in state.tickets.values()
        if t.is_open  # a no-show already has its outcome
    ]
