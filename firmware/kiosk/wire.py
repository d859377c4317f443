"""What the controller sends, read for the kiosk: the authorities in its retained state, the
ticket in an issue's answer, and a refusal as the customer is told it (`issue_answer`: the
answer as the kiosk flow's event).

Only reading: the contract's messages (mqtt_bridge.messages) in, the kiosk's own data out;
nothing is drawn or sent from here. A value that cannot be read becomes the careful choice:
an authority shown closed, no time and no number of seconds shown.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firmware.core.wait_words import span_of
from firmware.kiosk.flow import HelpAnswer, Issued, NoAnswer, Refused, Unreadable
from firmware.kiosk.phone_link import phone_link
from firmware.kiosk.screen import KioskService, KioskTicket, opening_text
from firmware.site_model import SiteConfig
from mqtt_bridge import messages, topics
from mqtt_bridge.messages import MessageError, Snapshot, Ticket
from ticket_printer.slip import PhoneLink, TicketSlip

# The role's name: the kiosk's log lines keep the one name they have always had in the journal.
log = logging.getLogger("firmware.kiosk.role")

# The controller's refusal codes -> which refused screen (firmware.kiosk.texts "refused_*").
# Unknown, not yet open and closed codes are one refusal, so a guesser learns nothing.
REFUSALS = {"unknown_appointment": "unknown", "service_closed": "closed",
            "rate_limited": "busy", "too_many_attempts": "attempts", "forbidden": "forbidden"}
WAITS = ("busy", "attempts")  # the refusals that say how long to wait (`retry_after_s`)
RETRY_MAX_S = 3600  # a longer wait from the wire is not believed: say "a moment" instead
# The command that asks the controller for the service advisor (body `{}`).
HELP_REQUEST = topics.HELP_REQUEST


@dataclass(frozen=True)
class Refusal:
    """A refused issue as the refused screen shows it."""

    notice: str  # REFUSALS' values, or "other"
    notice_time: str = ""  # when a closed authority opens, as the screen says it
    retry_after_s: int | None = None  # whole seconds to wait, when the wire's are believable


def kiosk_services(snapshot: Snapshot | None, config: SiteConfig,
                   lang: str) -> tuple[KioskService, ...]:
    """Every authority of the site, open or not, from the controller's latest state.

    An authority the state does not mention (or mentions in a form we cannot read) is
    shown closed: better a disabled button than a ticket the controller would refuse.
    """
    states = snapshot or messages.EMPTY_SNAPSHOT
    return tuple(
        KioskService(
            id=service.id,
            name=service.name.get(lang),
            open=bool(state and state.open),
            next_open=moment(state.next_open) if state else None,
        )
        for service in config.services
        for state in [states.service(service.id)]
    )


def ticket_slip(ticket: Ticket, config: SiteConfig, lang: str, *,
                copy: bool = False, phone: PhoneLink | None = None) -> TicketSlip:
    """The slip to print for the answer's ticket (`copy`: a reprint, marked so; `phone`: the
    ticket's page, as a QR code and a code); ValueError when the ticket lacks what a slip
    needs (the time it was issued)."""
    service = config.service(ticket.service)
    name = service.name.get(lang) if service else ticket.service
    note = service.note.get(lang) if service and service.note else ""
    if ticket.issued_at is None:
        raise ValueError("the ticket has no issued_at")
    return TicketSlip(
        site_name=config.site.name.get(lang),
        number=ticket.number, service_name=name,
        issued_at=datetime.fromisoformat(ticket.issued_at),
        ahead=ticket.ahead or 0, eta_minutes=ticket.eta_minutes,
        lang=lang, note=note, eta_range=span_of(
            list(ticket.eta_range) if ticket.eta_range else None, ticket.eta_minutes),
        copy=copy, phone=phone)


def kiosk_ticket(slip: TicketSlip, ticket: Ticket) -> KioskTicket:
    """The ticket screen for a slip on its way to the printer."""
    at = ticket.appointment_at
    return KioskTicket(
        number=slip.number, service_name=slip.service_name, ahead=slip.ahead,
        eta_minutes=slip.eta_minutes, eta_range=slip.eta_range, printed=False, printing=True,
        appointment_at=clock_text(at) if at else "", again=ticket.again)


def issue_answer(answer: dict[str, Any] | None, config: SiteConfig, lang: str,
                 now: Callable[[], datetime]) -> Issued | Refused | NoAnswer | Unreadable:
    """The controller's answer to an issue (None: no answer in time) as the flow's event."""
    if answer is None:
        return NoAnswer()
    try:
        read = messages.ticket_answer(answer)
        if isinstance(read, messages.Refusal):
            refused = refusal(read, lang, now)
            return Refused(refused.notice, refused.notice_time, refused.retry_after_s)
        if read.ticket is None:
            raise MessageError("the answer has no ticket")
        # Read from the answer as sent: a phone link that cannot be read is left off the
        # slip, never a reason to leave the customer without their number.
        slip = ticket_slip(read.ticket, config, lang, phone=phone_link(answer))
    except ValueError as e:  # MessageError is one
        log.error("unreadable ticket in the controller's answer: %s", e)
        return Unreadable()
    return Issued(kiosk_ticket(slip, read.ticket), slip)


def help_answer(answer: dict[str, Any] | None) -> HelpAnswer:
    """The controller's answer to `help/request` (None: none in time): told only on an
    explicit `"ok": true`; a refusal is logged by its code and means "ask at the desk"."""
    if isinstance(answer, dict) and answer.get("ok") is True:
        return HelpAnswer(told=True)
    if answer is None:
        log.warning("no answer from the controller to a request for help")
    else:
        error = answer.get("error") if isinstance(answer, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        log.warning("the controller refused a request for help: %s",
                    code if isinstance(code, str) else "no code")
    return HelpAnswer(told=False)


def refusal(error: messages.Refusal, lang: str, now: Callable[[], datetime]) -> Refusal:
    """The refused screen for a refusal; `now` is asked only for an opening time."""
    code = error.code
    log.info("issue refused: %s", code)  # the code only: the message may echo input
    notice = REFUSALS.get(code, "other")
    if notice == "forbidden":
        # Not the customer's doing: the site's clients or broker logins are wrong.
        log.warning("the controller does not let this kiosk issue numbers (forbidden); "
                    "check the device's login and the site's clients")
    notice_time = ""
    if notice == "closed":
        when = moment(error.next_open)
        notice_time = opening_text(when, lang, now()) if when else ""
    wait = retry_after(error.retry_after_s) if notice in WAITS else None
    return Refusal(notice, notice_time, wait)


def retry_after(value: Any) -> int | None:
    """`retry_after_s` from the wire: whole seconds to show, or None when not believable."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 < value <= RETRY_MAX_S:  # also NaN
        return None
    return math.ceil(value)


def moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def clock_text(value: str) -> str:
    """An ISO time -> "10.30" as a Finnish clock says it (the same in sv; en reads it too)."""
    at = moment(value)
    return f"{at.hour}.{at.minute:02d}" if at else ""
