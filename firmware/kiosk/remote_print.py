"""Print jobs from the staff console: a ticket the advisor issued for a customer, to be
printed on this kiosk (`piste/v1/{site}/kiosk/{kiosk}/print`).

The payload is `{"request_id", "lang", "ticket"}`, the ticket as the controller's issue
answer has it, and `"copy": true` for a reprint (`ticket/reprint`): the slip is marked
"KOPIO · KOPIA · COPY" and keeps its number. The ticket's `phone` {url, code}, when the
controller gave one, prints as the same QR code on the original and on every copy; one that
cannot be read is left off (logged), the slip still prints.

`parse_job` reads it strictly and knows nothing but bytes: whatever arrives
either becomes a `PrintJob` or a `BadJob` whose words name what was wrong without echoing
the input (it goes to the log and the health report). `RemotePrints` keeps the kiosk's side
of it: which jobs were printed already (QoS 1 may deliver one twice; it prints once) and
the counts for `health`. The slip itself is made and printed by the role exactly as its own
(issuing.py), so a printer fault is reported the same way.
"""

from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from firmware.kiosk.phone_link import phone_link
from firmware.site_model import LANGS
from mqtt_bridge.messages import Ticket
from mqtt_bridge.topics import ID_PATTERN
from ticket_printer.slip import PhoneLink, TicketSlip

# The role's name: the kiosk's log lines keep the one name they have always had in the journal.
log = logging.getLogger("firmware.kiosk.role")

MAX_BYTES = 16 * 1024  # the contract's limit for any payload
REQUEST_ID_MAX = 64  # as for a command's request_id
# [0-9], not \d: \d would let Arabic-Indic and other digits onto the slip.
NUMBER = re.compile(r"[A-Z]?[0-9]{3}")
TIME_MAX = 40  # an ISO time with offset is 25 characters; anything far longer is not one
COUNT_MAX = 100_000  # "ahead" and "eta_minutes" beyond this are no queue of a service point
REMEMBERED = 512  # request ids kept against repeats: far more than a day's redeliveries


class BadJob(ValueError):
    """A print job that is not printed; the message says why, without the input's words."""


@dataclass(frozen=True)
class PrintJob:
    request_id: str
    lang: str
    # Only the checked fields, with their types right: what `wire.ticket_slip` reads.
    ticket: Ticket
    copy: bool = False  # a reprint: the slip says it is a copy
    phone: PhoneLink | None = None  # the ticket's page, when the controller gave one


def parse_job(payload: bytes) -> PrintJob:
    """The job in a print topic's payload; BadJob for anything else."""
    if len(payload) > MAX_BYTES:
        raise BadJob(f"too large: {len(payload)} bytes, at most {MAX_BYTES}")
    try:
        data = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadJob("not UTF-8 text") from None
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python goes
        raise BadJob("not JSON") from None
    if not isinstance(data, dict):
        raise BadJob("not a JSON object")
    request_id = data.get("request_id")
    if not (isinstance(request_id, str) and 1 <= len(request_id) <= REQUEST_ID_MAX
            and request_id.isprintable()):
        raise BadJob(f"request_id: not a printable string of 1-{REQUEST_ID_MAX} characters")
    lang = data.get("lang")
    if not isinstance(lang, str) or lang not in LANGS:
        raise BadJob(f"lang: not one of {', '.join(LANGS)}")
    ticket = data.get("ticket")
    return PrintJob(request_id, lang, _ticket(ticket), _flag(data, "copy"), phone_link(data))


def _flag(body: dict[str, Any], key: str) -> bool:
    """An optional true/false (missing or null: false); anything else is no answer to
    "is this a copy?", and a slip printed without knowing would be the wrong one."""
    value = body.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadJob(f"{key}: not true or false")
    return value


def _ticket(value: Any) -> Ticket:
    if not isinstance(value, dict):
        raise BadJob("ticket: not an object")
    number, service = value.get("number"), value.get("service")
    if not isinstance(number, str) or not NUMBER.fullmatch(number):
        raise BadJob("ticket.number: not a ticket number like K042")
    if not isinstance(service, str) or not ID_PATTERN.fullmatch(service):
        raise BadJob("ticket.service: not a service id")
    return Ticket(number=number, service=service, issued_at=_time(value.get("issued_at")),
                  ahead=_count(value, "ahead") or 0, eta_minutes=_count(value, "eta_minutes"))


def _time(value: Any) -> str:
    if not isinstance(value, str) or len(value) > TIME_MAX:
        raise BadJob("ticket.issued_at: not an ISO time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadJob("ticket.issued_at: not an ISO time") from None
    if moment.tzinfo is None:  # the slip prints the site's time; without an offset, whose?
        raise BadJob("ticket.issued_at: no UTC offset")
    return value


def _count(ticket: dict[str, Any], key: str) -> int | None:
    """An optional whole number 0..COUNT_MAX (null or missing: None)."""
    value = ticket.get(key)
    if value is None:
        return None
    # bool is an int to Python, not to the contract; a float is no count of people.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
        raise BadJob(f"ticket.{key}: not a whole number 0-{COUNT_MAX} or null")
    return value


class RemotePrints:
    """The kiosk's print jobs from the console: what to print, what was, what was refused."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remembered = remembered
        self.jobs = 0  # slips handed to the printer (how that went: the printer's health)
        self.refused = 0
        self.repeated = 0  # redeliveries of a job already printed
        self.last_refused = ""

    def take(self, payload: bytes, retained: bool,
             slip_for: Callable[[PrintJob], TicketSlip]) -> TicketSlip | None:
        """The slip to print for this message, or None: refused (logged, counted) or a
        repeat. `slip_for` makes the slip as the kiosk makes its own; it may raise
        KeyError, TypeError or ValueError, which refuses the job."""
        try:
            if retained:  # a job left on the broker would print again at every start
                raise BadJob("retained: a print job is sent once, never kept")
            job = parse_job(payload)
            if job.request_id in self._seen:
                self.repeated += 1
                log.info("print job printed already; not printed again")
                return None
            slip = slip_for(job)
        except BadJob as exc:
            self._refuse(str(exc))
            return None
        except (KeyError, TypeError, ValueError) as exc:
            self._refuse(f"no slip can be made of it: {type(exc).__name__}")
            return None
        self._seen[job.request_id] = None
        while len(self._seen) > self._remembered:
            self._seen.popitem(last=False)
        self.jobs += 1
        log.info("printing ticket %s for the staff console", slip.number)
        return slip

    def _refuse(self, why: str) -> None:
        self.refused += 1
        self.last_refused = why
        log.warning("print job from the staff console refused: %s", why)

    def health(self) -> dict[str, Any]:
        return {"jobs": self.jobs, "refused": self.refused, "repeated": self.repeated,
                "last_refused": self.last_refused}
