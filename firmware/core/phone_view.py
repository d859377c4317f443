"""What a ticket's holder sees on a phone: the public message of each open ticket.

Pure: from the day's queue, the controller's forecast (the one the lobby's figures come
from, so the phone and the display never disagree) and the site config. Only what the
lobby display shows of that ticket, plus its own place and next step: no assistance, no
appointment, no device, nothing of the person. On a site with anonymous numbering the
authority is left out (`service` null, `next` empty), as the display leaves it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from firmware.core import day_report, estimate
from firmware.core.queue import QueueState, Ticket, TicketStatus
from firmware.site_model import LANGS, SiteConfig
from mqtt_bridge.messages import PublicPlace, PublicTicket, Words


@dataclass(frozen=True)
class PhoneKeys:
    """The public stand-ins of one ticket's secrets (phone_tokens.key_of of each)."""

    key: str  # of the token: the topic level
    code_key: str  # of the printed code: a field, so the page finds the ticket by it too


def public_tickets(state: QueueState, config: SiteConfig, plan: estimate.Forecast,
                   now: datetime, keys: Mapping[str, PhoneKeys]) -> dict[str, PublicTicket]:
    """The message of every ticket of the day that has keys, by the key of its token."""
    valid_until = _time(day_report.day_end(config, state.day))
    return {phone.key: public_ticket(ticket, state, config, plan, now, phone.code_key,
                                     valid_until)
            for number, phone in keys.items()
            if (ticket := state.tickets.get(number)) is not None}


def public_ticket(ticket: Ticket, state: QueueState, config: SiteConfig,
                  plan: estimate.Forecast, now: datetime, code_key: str,
                  valid_until: str | None = None) -> PublicTicket:
    """One ticket's message. `ahead` and `eta_range` are the forecast's for it while it
    waits (null when no room serving it works now: the order is unknown), null otherwise."""
    anonymous = config.site.anonymous_numbering
    waiting = ticket.status is TicketStatus.WAITING
    called = ticket.status is TicketStatus.CALLED
    ahead = plan.ahead_of(ticket.number) if waiting else None
    wait = plan.calls.get(ticket.number) if waiting else None
    service = config.service(ticket.service)
    room = config.room(ticket.room) if called and ticket.room else None
    return PublicTicket(
        site=config.site.id, day=state.day, at=_time(now),
        valid_until=valid_until or _time(day_report.day_end(config, state.day)),
        code_key=code_key, number=ticket.number,
        lang=ticket.lang if ticket.lang in LANGS else LANGS[0],
        status=str(ticket.status),
        service=None if anonymous or service is None
        else PublicPlace(service.id, _words(service.name.as_dict())),
        ahead=ahead, eta_range=estimate.eta_range(wait),
        almost=ahead is not None and ahead <= config.phone.almost_next,
        room=PublicPlace(room.id, _words(room.name.as_dict())) if room else None,
        call_id=ticket.call_id if called else None, calls=ticket.calls,
        next=() if anonymous else tuple(
            _words(s.name.as_dict()) for s in map(config.service, ticket.then) if s))


def _words(names: dict[str, str]) -> Words:
    return Words(names["fi"], names["sv"], names["en"])


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
