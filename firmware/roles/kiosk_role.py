"""The kiosk role: the ticket dispenser's touch screen and thermal printer.

One touch on an open authority sends one `ticket/issue` (a second tap while it is being
issued does nothing); the answer is printed and shown large. When the printer fails the
ticket is still valid: its number stays on screen with a note to remember it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from display_driver.kiosk_screen import (
    KioskService,
    KioskTicket,
    KioskView,
    hit_test,
    render_kiosk,
)
from firmware.roles.controller_role import state_of
from firmware.runtime import Role, Runtime
from firmware.screen import Screen, touch_position
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.requester import Requester
from ticket_printer.connection import TicketPrinter, open_printer
from ticket_printer.slip import TicketSlip

log = logging.getLogger(__name__)

TICKET_SHOWN_S = 12.0  # the confirmation stays this long, then the next customer's turn
ERROR_SHOWN_S = 15.0


class KioskRole(Role):
    name = "kiosk"

    def __init__(self, frames_dir: Path | None = None, lang: str = "fi") -> None:
        self.frames_dir = frames_dir
        self.lang = lang
        self.snapshot: dict[str, Any] | None = None
        self.phase = "error"  # until the controller's state arrives, nothing can be issued
        self.ticket: KioskTicket | None = None
        self.message = ""
        self.buttons: list[Any] = []
        self.dirty = True
        self.printed: list[str] = []  # numbers printed, for the health report
        self.printer_state = "unknown"
        self._back_timer: Any = None

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        device = runtime.device
        self.screen = Screen(
            f"kiosk-{device.id}",
            (device.screen.width, device.screen.height),
            fullscreen=device.screen.fullscreen,
            frames_dir=self.frames_dir,
        )
        self.printer: TicketPrinter = open_printer(device.printer, runtime.data_dir)
        self.requester = Requester(
            runtime.site, device.id, runtime.link.publish, runtime.call_later
        )
        runtime.link.subscribe(topics.queue_state(runtime.site))
        runtime.link.subscribe(self.requester.reply_topic)

    def stop(self) -> None:
        self.screen.close()

    # -- input ----------------------------------------------------------------------------

    def on_message(self, message: Incoming) -> None:
        if self.requester.on_message(message):
            return
        if message.topic == topics.queue_state(self.runtime.site):
            snapshot = state_of(message.payload)
            if snapshot is not None:
                self.snapshot = snapshot
                if self.phase == "error" and not self.requester.busy:
                    self.phase = "start"
                self.dirty = True

    def on_link_down(self) -> None:
        if self.phase in ("start", "issuing"):
            self._show_error()

    def on_screen_event(self, event: Any) -> None:
        if not self.screen.owns(event):
            return
        pos = touch_position(event, self.screen.size)
        if pos is None:
            return
        button = hit_test(self.buttons, pos)
        if self.phase == "start" and button is not None and button.service_id:
            self.issue(button.service_id)
        elif self.phase in ("ticket", "error") and not self.requester.busy:
            self._back_to_start()  # "done", or a touch anywhere: the next customer's turn

    def issue(self, service_id: str) -> None:
        if self.phase != "start":
            return  # one touch is one ticket: ignore taps while one is on its way
        self.phase = "issuing"
        self.dirty = True
        body = {
            "service": service_id,
            "lang": self.lang,
            "appointment": None,
            "device": self.runtime.device.id,
        }
        self.requester.request(
            topics.ISSUE, body, lambda answer: self._issued(service_id, answer)
        )

    # -- answers ----------------------------------------------------------------------------

    def _issued(self, service_id: str, answer: dict[str, Any] | None) -> None:
        if answer is None:
            log.warning("no answer from the controller to an issue for %s", service_id)
            self._show_error()
            return
        if not answer.get("ok"):
            error = answer.get("error") or {}
            log.info("issue refused: %s", error.get("message"))
            self.phase = "start"  # e.g. closed meanwhile: the fresh state shows it
            self.dirty = True
            return
        ticket = answer["ticket"]
        service = self.runtime.config.service(service_id)
        name = service.name.get(self.lang) if service else service_id
        slip = TicketSlip(
            site_name=self.runtime.config.site.name.get(self.lang),
            number=ticket["number"],
            service_name=name,
            issued_at=datetime.fromisoformat(ticket["issued_at"]),
            ahead=int(ticket.get("ahead", 0)),
            eta_minutes=ticket.get("eta_minutes"),
            lang=self.lang,
            note=service.note.get(self.lang) if service and service.note else "",
        )
        result = self.printer.print_ticket(slip)
        self.printer_state = str(result.state.value)
        if result.ok:
            self.printed.append(slip.number)
        else:
            log.error("ticket %s could not be printed: %s", slip.number, result.message)
            self._report_printer_fault(slip.number, result.message)
        self.ticket = KioskTicket(
            number=slip.number,
            service_name=name,
            ahead=slip.ahead,
            eta_minutes=slip.eta_minutes,
            printed=result.ok,
        )
        self.phase = "ticket"
        self.dirty = True
        self._schedule_back(TICKET_SHOWN_S)

    def _report_printer_fault(self, number: str, message: str) -> None:
        site, device = self.runtime.site, self.runtime.device.id
        now = self.runtime.clock.now().isoformat(timespec="seconds")
        self.runtime.publish_json(
            topics.device_health(site, device),
            {"at": now, "printer": {"state": self.printer_state, "message": message}},
            retain=True,
        )
        log.info("ticket %s stays valid although its slip was not printed", number)

    def _show_error(self) -> None:
        self.phase = "error"
        self.dirty = True
        self._schedule_back(ERROR_SHOWN_S)

    def _schedule_back(self, delay_s: float) -> None:
        if self._back_timer is not None:
            self._back_timer.cancel()
        self._back_timer = self.runtime.call_later(delay_s, self._back_to_start)

    def _back_to_start(self) -> None:
        if self.phase == "issuing":
            return
        self.phase = "start" if self.snapshot and self.runtime.link.connected else "error"
        self.ticket = None
        self.dirty = True

    # -- drawing ----------------------------------------------------------------------------

    def view(self) -> KioskView:
        config = self.runtime.config
        return KioskView(
            site_name=config.site.name.get(self.lang),
            services=kiosk_services(self.snapshot, config, self.lang),
            phase=self.phase,
            ticket=self.ticket,
            message=self.message,
            lang=self.lang,
            now=self.runtime.clock.now(),
        )

    def render(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        self.buttons = render_kiosk(self.screen.surface, self.view())
        self.screen.present()

    def button_center(self, service_id: str) -> tuple[int, int] | None:
        """Where a customer would touch for this authority (tests and the demo use it)."""
        for button in self.buttons:
            if button.service_id == service_id and button.enabled:
                return button.rect.center
        return None

    def health(self) -> dict[str, Any]:
        return {"printer": {"state": self.printer_state}, "display": {"phase": self.phase}}


def _moment(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def kiosk_services(snapshot: dict[str, Any] | None, config: SiteConfig,
                   lang: str) -> tuple[KioskService, ...]:
    """Every authority of the site, open or not, from the controller's latest state.

    An authority the state does not mention (or mentions in a form we cannot read) is
    shown closed: better a disabled button than a ticket the controller would refuse.
    """
    rows = (snapshot or {}).get("services")
    states = {s.get("id"): s for s in rows if isinstance(s, dict)} if isinstance(rows,
                                                                                list) else {}
    return tuple(
        KioskService(
            id=service.id,
            name=service.name.get(lang),
            open=states.get(service.id, {}).get("open") is True,
            next_open=_moment(states.get(service.id, {}).get("next_open")),
        )
        for service in config.services
    )
