"""A ticket from the touch to the slip: the request to the controller, its answer or refusal
on screen, the slip to the print worker, and what the printer made of it.

One touch is one ticket: while a ticket is on its way the screen is "issuing" and every
other touch is ignored; a per-kiosk cap per minute asks the customer to wait a moment.
`KioskIssuing` is a mixin of `KioskRole` (role.py): it sets the role's ticket, notice and
phase as answers arrive. Reading the answers is `wire.py`'s, keeping count of the slips is
`printouts.py`'s; these methods only put the two to the screen, `health` and the LED.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from firmware.kiosk.printouts import News
from firmware.kiosk.remote_print import PrintJob
from firmware.kiosk.wire import kiosk_ticket, refusal, ticket_slip
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from ticket_printer.connection import PrintResult
from ticket_printer.slip import TicketSlip

# The role's name: the kiosk's log lines keep the one name they have always had in the journal.
log = logging.getLogger("firmware.kiosk.role")


class KioskIssuing:
    def issue(self, service_id: str | None, appointment: str | None = None) -> None:
        if self.phase not in ("start", "code"):
            return  # one touch is one ticket: ignore taps while one is on its way
        now_s = self.runtime.clock.now().timestamp()
        if not self.rate.allows(now_s):
            log.info("ticket cap reached (%d a minute)", self.rate.per_minute)
            self._set_phase("limit")
            return
        self.rate.record(now_s)
        self._set_phase("issuing")
        body = {"service": service_id, "lang": self.lang, "appointment": appointment,
                "device": self.runtime.device.id}
        self.requester.request(topics.ISSUE, body, self._issued)

    def _check_in(self) -> None:
        code, self.code = self.code, ""  # the code leaves the kiosk's memory at once
        self.issue(None, appointment=code)

    def _issued(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            log.warning("no answer from the controller to an issue")
            self._show_error()
            return
        if not answer.get("ok"):
            self._refused(answer.get("error") or {})
            return
        ticket = answer.get("ticket") or {}
        try:
            slip = ticket_slip(ticket, self.runtime.config, self.lang)
        except (KeyError, TypeError, ValueError) as e:
            log.error("unreadable ticket in the controller's answer: %s", e)
            self._show_error()
            return
        self.ticket = kiosk_ticket(slip, ticket)
        self._set_phase("ticket")
        self.worker.submit(slip, lambda result: self._printed(slip.number, result))

    def _refused(self, error: dict[str, Any]) -> None:
        # Shown as it concerns the customer, never with details of the code that was typed.
        refused = refusal(error, self.lang, self.runtime.clock.now)
        self.notice, self.notice_time = refused.notice, refused.notice_time
        wait = self.retry_after_s = refused.retry_after_s
        self._retry_at = None if wait is None else self._monotonic() + wait
        self._set_phase("refused")
        self._arm_countdown()

    # -- printing ---------------------------------------------------------------------------

    def print_job(self, message: Incoming) -> None:
        """A ticket the advisor issued at the staff console: printed like our own, on the
        same worker, so a printer fault reaches `health` and the LED the same way. The
        customer at the screen is not disturbed: their ticket and phase stay as they are."""
        def slip_for(job: PrintJob) -> TicketSlip:
            return ticket_slip(job.ticket, self.runtime.config, job.lang)

        slip = self.remote.take(message.payload, message.retain, slip_for)
        if slip is not None:
            self.worker.submit(slip, lambda result: self._printed(slip.number, result))

    def _printed(self, number: str, result: PrintResult) -> None:
        news = self.printouts.record(number, result)
        if self.ticket is not None and self.ticket.number == number:
            self.ticket = dataclasses.replace(self.ticket, printed=result.ok, printing=False)
            self.dirty = True
            self.read_screen()
        if news is not News.NONE:
            # Health only: the controller, the one writer of `alert/...`, turns a change of
            # the printer's state into `alert/printer` and a ledger entry (see device_faults);
            # the end of a fault is told at once too.
            self.runtime.publish_health()
        if news is News.FAULT and not result.ok:
            log.info("ticket %s stays valid although its slip was not printed", number)
        self._update_led()

    def _update_led(self) -> None:
        reachable = self.runtime.link.connected and self.phase not in ("error", "starting")
        self.led.show(self.printouts.led(reachable))
