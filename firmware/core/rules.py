"""The rules of the queue: given the state, a command and the time, which events follow.

Pure functions: they read the state and config and return event data (or raise Refusal);
the controller appends the events to the ledger and only then applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firmware.core import numbering, service_hours
from firmware.core.errors import ErrorCode, Refusal
from firmware.core.events import EventType
from firmware.core.queue import QueueState
from firmware.site_model import SiteConfig


@dataclass(frozen=True)
class Decision:
    """One event the rules want appended: its type and data."""

    type: EventType
    data: dict[str, Any]


def _hhmm(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "not within three weeks"


def issue(
    state: QueueState, config: SiteConfig, service_id: str, lang: str, device: str, now: datetime
) -> Decision:
    service = config.service(service_id)
    if service is None:
        raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service '{service_id}' at this site")
    if not service_hours.is_open(service, config.site, now):
        upcoming = service_hours.next_open(service, config.site, now)
        raise Refusal(
            ErrorCode.SERVICE_CLOSED,
            f"{service_id} is closed now; it opens next at {_hhmm(upcoming)}",
            next_open=upcoming.isoformat(timespec="minutes") if upcoming else None,
        )
    anonymous = config.site.anonymous_numbering
    key = numbering.counter_key(service, anonymous)
    seq_no, number = numbering.next_number(
        service, anonymous, state.counters.get(key, 0), state.open_numbers()
    )
    return Decision(
        EventType.TICKET_ISSUED,
        {
            "number": number,
            "service": service_id,
            "seq_no": seq_no,
            "counter": key,
            "lang": lang,
            "device": device,
        },
    )


def call_next(
    state: QueueState, config: SiteConfig, room_id: str, services: list[str], call_id: str
) -> list[Decision]:
    """Complete what the room still holds, then call the longest-waiting ticket.

    Services are chosen by the clerk; an empty list means the room's configured ones. The
    oldest ticket across them goes first, so authorities sharing a room are served fairly.
    Returns no call decision when nobody waits (the room's open ticket is still completed).
    """
    room = config.room(room_id)
    if room is None:
        raise Refusal(ErrorCode.UNKNOWN_ROOM, f"no room '{room_id}' at this site")
    wanted = services or list(room.services)
    unknown = [s for s in wanted if config.service(s) is None]
    if unknown:
        raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service {', '.join(unknown)} at this site")
    decisions = []
    current = state.serving.get(room_id)
    if current is not None:
        # A clerk who calls the next customer has finished with the previous one.
        decisions.append(
            Decision(
                EventType.TICKET_COMPLETED,
                {"number": current.ticket, "room": room_id, "auto": True},
            )
        )
    heads = [state.waiting[s][0] for s in wanted if state.waiting.get(s)]
    if heads:
        _, number = min(heads)
        ticket = state.tickets[number]
        decisions.append(
            Decision(
                EventType.TICKET_CALLED,
                {"number": number, "room": room_id, "service": ticket.service, "call_id": call_id},
            )
        )
    return decisions


def complete(state: QueueState, config: SiteConfig, room_id: str) -> Decision:
    if config.room(room_id) is None:
        raise Refusal(ErrorCode.UNKNOWN_ROOM, f"no room '{room_id}' at this site")
    current = state.serving.get(room_id)
    if current is None:
        raise Refusal(ErrorCode.NO_TICKET, f"room {room_id} has no called ticket to complete")
    return Decision(EventType.TICKET_COMPLETED, {"number": current.ticket, "room": room_id})
