"""The rules of the queue: given the state, a command and the time, which events follow.

Pure functions: they read the state and config and return event data (or raise Refusal);
the controller appends the events to the ledger and only then applies them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from firmware.core import calling, estimate, numbering, service_hours
from firmware.core.errors import ErrorCode, Refusal
from firmware.core.events import EventType
from firmware.core.queue import (
    PAUSE_REASONS,
    ROOM_STATES,
    QueueState,
    RoomState,
    Ticket,
    TicketStatus,
)
from firmware.site_model import LANGS, SiteConfig


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
    assistance: bool = False,
    then: Sequence[str] = (),
) -> Decision:
    """A new number for this service; `plan` is the forecast of this moment, if made.

    `assistance`: the customer needs assistance (the advisor says so; no reason is kept).
    `then`: the authorities the visit goes on to after this one, in order.
    """
    service = config.service(service_id)
    if service is None:
        raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service '{service_id}' at this site")
    _check_plan(config, [service_id], then)
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
    if assistance:
        data["assistance"] = True
    if then:
        data["then"] = list(then)
    return Decision(EventType.TICKET_ISSUED, data)


def _check_plan(config: SiteConfig, before: Sequence[str], then: Sequence[str]) -> None:
    """The next authorities of a visit: known services, each once."""
    seen = list(before)
    for service_id in then:
        if config.service(service_id) is None:
            raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service '{service_id}' at this site")
        if service_id in seen:
            raise Refusal(ErrorCode.BAD_REQUEST,
                          f"{service_id} is already in this visit; each authority once")
        seen.append(service_id)


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


def _room_now(state: QueueState, config: SiteConfig, room_id: str) -> RoomState:
    room = config.room(room_id)
    assert room is not None
    return state.room_state(room_id, room.languages)


def _completion(state: QueueState, config: SiteConfig, ticket: Ticket, room_id: str,
                then: str | None = None, auto: bool = False) -> list[Decision]:
    """The ticket's authority is done with it; a visit with more authorities goes on to the
    next (`then`, named by the clerk, before any planned ones) with the same number."""
    data: dict[str, Any] = {"number": ticket.number, "room": room_id, "service": ticket.service}
    if auto:
        data["auto"] = True
    decisions = [Decision(EventType.TICKET_COMPLETED, data)]
    planned = list(ticket.then)
    if then is not None:
        following = [s for s in planned if s != then]
    elif planned:
        then, following = planned[0], planned[1:]
    else:
        return decisions
    decisions.append(Decision(EventType.TICKET_CONTINUED, {
        "number": ticket.number, "from_service": ticket.service, "to_service": then,
        "place": config.rules.next_leg_place, "leg": ticket.legs + 1, "then": following,
    }))
    return decisions


def _finish_current(state: QueueState, config: SiteConfig, room_id: str) -> list[Decision]:
    """A clerk who calls the next customer (or pauses) has finished with the previous one."""
    current = state.serving.get(room_id)
    if current is None:
        return []
    return _completion(state, config, state.tickets[current.ticket], room_id, auto=True)


def _called(ticket: Ticket, room_id: str, call_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {"number": ticket.number, "room": room_id, "service": ticket.service,
                            "call_id": call_id, "lang": ticket.lang}
    if ticket.assistance:
        data["assistance"] = True  # the clerk sees it (the console); never in public topics
    return data


def call_next(
    state: QueueState, config: SiteConfig, room_id: str, services: list[str], call_id: str,
    now: datetime, by: str | None = None,
) -> list[Decision]:
    """Complete what the room still holds, then call who goes next.

    Services are chosen by the clerk; an empty list means the room's configured ones. Who
    goes next is the calling policy's choice (`firmware/core/calling.py`). A paused or
    closed room asking for a customer is back: it serves again first (`by` the client).
    Returns no call decision when nobody waits (the room's open ticket is still completed).
    """
    _room(config, room_id)
    room = config.room(room_id)
    assert room is not None
    wanted = services or list(room.services)
    unknown = [s for s in wanted if config.service(s) is None]
    if unknown:
        raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service {', '.join(unknown)} at this site")
    decisions: list[Decision] = []
    if not _room_now(state, config, room_id).serving:
        decisions.append(Decision(EventType.ROOM_STATE, {
            "room": room_id, "state": "serving", "reason": None, "by": by}))
    decisions += _finish_current(state, config, room_id)
    choice = calling.next_ticket(state, config, wanted, now, room=room_id)
    if choice is None:
        # Nobody waits. Recorded all the same: it shows the room is staffed and free, which
        # the waiting estimate needs (and the team's statistics of idle rooms).
        decisions.append(Decision(EventType.ROOM_IDLE, {"room": room_id, "services": wanted}))
        return decisions
    data = _called(state.tickets[choice.number], room_id, call_id)
    data["services"] = wanted
    if choice.by_language:
        data["by_language"] = True
    if choice.by_assistance:
        data["by_assistance"] = True
    if choice.passed_over:
        data["passed_over"] = list(choice.passed_over)
    decisions.append(Decision(EventType.TICKET_CALLED, data))
    return decisions


def call_ticket(state: QueueState, config: SiteConfig, room_id: str, number: str,
                call_id: str) -> list[Decision]:
    """Call one particular waiting ticket (the advisor brings a customer, say)."""
    _room(config, room_id)
    room_now = _room_now(state, config, room_id)
    if not room_now.serving:
        words = _state_words(room_now.state, room_now.reason)
        raise Refusal(ErrorCode.ROOM_BUSY, f"room {room_id} is {words}; nobody can be called "
                      "there until it serves again")
    ticket = _ticket(state, number)
    if ticket.status is not TicketStatus.WAITING:
        raise Refusal(ErrorCode.NO_TICKET, f"{number} is not waiting (it is {ticket.status})")
    decisions = _finish_current(state, config, room_id)
    decisions.append(Decision(EventType.TICKET_CALLED, _called(ticket, room_id, call_id)))
    return decisions


def _state_words(room_state: str, reason: str | None) -> str:
    words = {"break": "on a break", "lunch": "at lunch", "back_office": "in back-office work",
             "meeting": "in a meeting"}
    if room_state == "paused":
        return f"paused ({words[reason]})" if reason in words else "paused"
    return room_state


def recall(state: QueueState, config: SiteConfig, room_id: str, call_id: str) -> Decision:
    ticket = _in_room(state, config, room_id, "recall")
    data = _called(ticket, room_id, call_id)
    data["call_count"] = ticket.calls + 1
    return Decision(EventType.TICKET_RECALLED, data)


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
    """The room is done with its customer (the leg only: see `complete_and_continue`)."""
    return complete_and_continue(state, config, room_id)[0]


def complete_and_continue(state: QueueState, config: SiteConfig, room_id: str,
                          then: str | None = None) -> list[Decision]:
    """The room is done with its customer; a visit with more authorities goes on.

    `then`: the clerk sends the customer on to this authority now (before any planned
    ones). Without it a planned next authority follows by itself. The ticket keeps its
    number and joins the next queue at the site's `next_leg_place`.
    """
    ticket = _in_room(state, config, room_id, "complete")
    if then is not None:
        if config.service(then) is None:
            raise Refusal(ErrorCode.UNKNOWN_SERVICE, f"no service '{then}' at this site")
        if then == ticket.service:
            raise Refusal(ErrorCode.BAD_REQUEST, f"{ticket.number} is at {then} already")
    return _completion(state, config, ticket, room_id, then)


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
    """When a day rolls over with tickets open (the controller was off at the day's end),
    each ends as `expired`."""
    return _close_open(state, "expired")


def _close_open(state: QueueState, reason: str) -> list[Decision]:
    return [
        Decision(EventType.TICKET_CANCELLED,
                 {"number": t.number, "service": t.service, "reason": reason})
        for t in state.tickets.values()
        if t.is_open  # a no-show already has its outcome
    ]


# -- issue 24: a real day ----------------------------------------------------------------------


def _open_ticket(state: QueueState, number: str, what: str) -> Ticket:
    ticket = _ticket(state, number)
    if not ticket.is_open:
        raise Refusal(ErrorCode.NO_TICKET, f"{number} is no longer in the queue; cannot {what}")
    return ticket


def add_service(state: QueueState, config: SiteConfig, number: str, service_id: str
                ) -> Decision:
    """The advisor or clerk adds a next authority to an open visit (after the planned ones)."""
    ticket = _open_ticket(state, number, f"add {service_id} to it")
    _check_plan(config, [ticket.service, *ticket.then], [service_id])
    return Decision(EventType.TICKET_LEG_ADDED, {
        "number": number, "service": service_id, "then": [*ticket.then, service_id]})


def assist(state: QueueState, number: str, assistance: bool) -> list[Decision]:
    """Mark or unmark an open ticket as needing assistance; no change records nothing."""
    ticket = _open_ticket(state, number, "change its assistance mark")
    if ticket.assistance == assistance:
        return []
    return [Decision(EventType.TICKET_ASSISTANCE, {"number": number, "assistance": assistance})]


def reprint(state: QueueState, config: SiteConfig, number: str, device: str) -> Decision:
    """A copy of a lost ticket on a kiosk: the same number, marked as a copy."""
    kiosk = config.device(device)
    if kiosk is None or "kiosk" not in kiosk.roles:
        raise Refusal(ErrorCode.BAD_REQUEST, f"'{device}' is not a kiosk of this site")
    ticket = _ticket(state, number)
    if not ticket.is_open:
        raise Refusal(ErrorCode.NO_TICKET, f"{number} is closed; only a ticket still in the "
                      "queue can be printed again")
    return Decision(EventType.TICKET_REPRINTED, {"number": number, "device": device})


def room_state(state: QueueState, config: SiteConfig, room_id: str, new_state: str,
               reason: str | None, by: str | None) -> list[Decision]:
    """Serving, paused (for a reason) or closed. A room that pauses or closes is done with
    the customer it holds. Asking for the state the room is in already records nothing (a
    second press of the same key is what the clerk meant, not an error)."""
    _room(config, room_id)
    if new_state not in ROOM_STATES:
        raise Refusal(ErrorCode.BAD_REQUEST, f"a room is serving, paused or closed, not "
                      f"'{new_state}'")
    if reason is not None and reason not in PAUSE_REASONS:
        raise Refusal(ErrorCode.BAD_REQUEST, f"'{reason}' is not a reason for a pause; one of "
                      f"{', '.join(PAUSE_REASONS)}")
    if new_state == "serving":
        reason = None
    current = _room_now(state, config, room_id)
    if (current.state, current.reason) == (new_state, reason):
        return []
    decisions = [] if new_state == "serving" else _finish_current(state, config, room_id)
    decisions.append(Decision(EventType.ROOM_STATE, {
        "room": room_id, "state": new_state, "reason": reason, "by": by}))
    return decisions


def room_languages(state: QueueState, config: SiteConfig, room_id: str,
                   languages: Sequence[str]) -> list[Decision]:
    """The languages a room's clerk serves in this session; no change records nothing."""
    _room(config, room_id)
    unknown = [lang for lang in languages if lang not in LANGS]
    if unknown:
        raise Refusal(ErrorCode.BAD_REQUEST, f"no language '{unknown[0]}'; a room serves in "
                      "fi, sv or en")
    chosen = list(dict.fromkeys(languages))
    if not chosen:
        raise Refusal(ErrorCode.BAD_REQUEST, "a room serves in at least one language")
    if tuple(chosen) == _room_now(state, config, room_id).languages:
        return []
    return [Decision(EventType.ROOM_LANGUAGES, {"room": room_id, "languages": chosen})]


def help_requested(state: QueueState, config: SiteConfig, device: str) -> list[Decision]:
    """A kiosk's help key asks for the advisor; asking again before an answer adds nothing."""
    if config.device(device) is None:
        raise Refusal(ErrorCode.BAD_REQUEST, f"'{device}' is not a device of this site")
    if device in state.help_wanted:
        return []
    return [Decision(EventType.HELP_REQUESTED, {"device": device})]


def help_answered(state: QueueState, device: str, by: str | None) -> Decision:
    """An advisor goes to the device that asked for help."""
    if device not in state.help_wanted:
        raise Refusal(ErrorCode.BAD_REQUEST, f"nobody is waiting for help at {device} "
                      "(answered already?)")
    return Decision(EventType.HELP_ANSWERED, {"device": device, "by": by})


def close_at_day_end(state: QueueState) -> list[Decision]:
    """At the day's end (`day_end_at`) every ticket still open ends as `closed`."""
    return _close_open(state, "closed")


def day_end_at(config: SiteConfig, day: date | str) -> datetime | None:
    """When the service day ends: the site's closing time that day plus
    `day_end_after_closing_minutes` (never past midnight); None when the site has no
    opening hours that day (the day then ends at midnight, as days always have)."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    ranges = config.site.opening_hours.on(day.weekday())
    if not ranges:
        return None
    tz = ZoneInfo(config.site.timezone)
    closing = datetime.combine(day, max(r.end for r in ranges), tzinfo=tz)
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    after = timedelta(minutes=config.rules.day_end_after_closing_minutes)
    return min(closing + after, midnight)
