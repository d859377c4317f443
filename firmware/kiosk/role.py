"""The kiosk role: the ticket dispenser's touch screen, keys, scanner, speech and printer.

Everything here runs on the runtime's loop. Touches arrive as pygame events; gpiozero keys,
the scanner thread and the print worker post callables to the inbox. One touch is one
ticket: while a ticket is on its way the screen is "issuing" and every other touch is
ignored; a per-kiosk cap per minute asks the customer to wait a moment. A ticket the
printer could not print is still valid: its number stays on screen with a note, the
failure goes to `health` (the controller raises `alert/printer`), and the status LED lights.

A refusal from the controller is shown as it concerns the customer, never with details of
the code that was typed. The technician PIN is guarded (`lockdown.PinGuard`): wrong
PINs slow the next try and then lock the PIN screen; they are logged without the digits and
counted in `health`.

This module holds the role's state and its life: the hardware it starts and stops, the
controller's state, the phases of the screen, the technician's PIN, speech, drawing and
`health`. The rest is in modules of one job each:

- input_events.py: what a touch, key or scan does, the yearly survey's screen included
- issuing.py: a ticket from the touch to the slip, the refusals and the printer's answer,
  and the slips the staff console sends to be printed here
- timers.py: the idle warning and the countdown of a wait on screen
- wire.py: the controller's state and answers read into the kiosk's data (functions)
- pin_screen.py: the technician PIN tried through the guard, and its note (functions)
- printouts.py: which slips printed, the printer's state, its part of `health`
- remote_print.py: the console's print jobs read strictly, repeats and refusals counted

The first three are mixins of `KioskRole`: their methods read and change the role's screen
state throughout and call back into its phases, so handing them "what they need" would mean
handing them the role (and importing it back: a circle). The last four take plain values,
know nothing of the role and can be read and tested alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from display_driver.layout import min_target_px
from firmware.core.ticket_rate import TicketRate
from firmware.feedback.kiosk_survey import KioskSurvey
from firmware.feedback.texts import load_survey
from firmware.kiosk.input_events import KioskInput
from firmware.kiosk.issuing import KioskIssuing
from firmware.kiosk.keys import PhysicalKeys, StatusLed
from firmware.kiosk.lockdown import PinAnswer, PinGuard
from firmware.kiosk.pin_screen import check_pin, pin_health, pin_note
from firmware.kiosk.print_worker import PrintWorker
from firmware.kiosk.printouts import Printouts
from firmware.kiosk.remote_print import RemotePrints
from firmware.kiosk.scanner import ScannerReader
from firmware.kiosk.screen import (
    Button,
    KioskTicket,
    KioskView,
    kiosk_text_px,
    render_kiosk,
)
from firmware.kiosk.speech import KioskVoice, screen_text
from firmware.kiosk.timers import ScreenTimers
from firmware.kiosk.wire import kiosk_services
from firmware.runtime import Role, Runtime
from firmware.screen import Screen
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.payloads import state_of
from mqtt_bridge.requester import Requester
from ticket_printer.connection import TicketPrinter, open_printer
from ticket_printer.status import PrinterState

# Importable from here as they always were: device.py, the tests, the bench and the
# screenshots take them from firmware.kiosk.role.
__all__ = ["KioskRole", "kiosk_services", "min_target_px"]

log = logging.getLogger(__name__)
# A kiosk says "starting" until the controller's first state arrives; after this long
# without it, it says "out of order" (the service advisor is then needed).
STARTING_GRACE_S = 20.0


class KioskRole(KioskInput, KioskIssuing, ScreenTimers, Role):
    name = "kiosk"

    def __init__(self, frames_dir: Path | None = None, lang: str = "fi", *,
                 printer: TicketPrinter | None = None, pin_factory: Any = None,
                 speaker: Any = None, serial_for_url: Any = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 starting_grace_s: float = STARTING_GRACE_S) -> None:
        self.starting_grace_s = starting_grace_s
        # The hardware seams: tests and the bench pass the libraries' own doubles.
        self.frames_dir = frames_dir
        self.default_lang = lang
        self._printer = printer
        self._pin_factory = pin_factory
        self._speaker = speaker
        self._serial_for_url = serial_for_url
        self.snapshot: dict[str, Any] | None = None
        # Until the controller's first state arrives nothing can be issued: the screen says
        # the kiosk is starting (not out of order, which would send customers away).
        self.phase = "starting"
        self.buttons: list[Button] = []
        self.dirty = True
        self.printouts = Printouts()  # printed and unprinted numbers, the printer's state
        self.remote = RemotePrints()  # print jobs from the staff console
        self.text_px = 0  # set with the screen: the legibility floor of its panel
        self.frames = 0  # frames drawn: an idle kiosk draws none
        # Real seconds, not the device clock: a demo's fast clock or a clock set by NTP must
        # not shorten a PIN lockout. Kept across customers: leaving the PIN screen or
        # waiting for the start screen does not clear it.
        self._monotonic = monotonic
        self.pin_guard = PinGuard()
        self._pin_answer: PinAnswer | None = None
        self._countdown_timer: Any = None
        self._reset_customer()

    def _reset_customer(self) -> None:
        self.lang = self.default_lang
        self.large = False
        self.focus: int | None = None
        self.page = 0  # the start screen's page of authorities: the next customer's is the first
        self.code = ""
        self.ticket: KioskTicket | None = None
        self.message = ""
        self.notice = ""
        self.notice_time = ""
        self.retry_after_s: int | None = None
        self._retry_at: float | None = None  # monotonic moment the wait on screen ends
        self.seconds_left: int | None = None

    # The printer's figures under the names the role has always had.

    @property
    def printed(self) -> list[str]:
        return self.printouts.printed

    @property
    def unprinted(self) -> list[str]:
        return self.printouts.unprinted

    @property
    def printer_state(self) -> PrinterState:
        return self.printouts.state

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        device = runtime.device
        cfg = device.kiosk
        self.config = cfg
        size = (device.screen.width, device.screen.height)
        self.screen = Screen(f"kiosk-{device.id}", size, fullscreen=device.screen.fullscreen,
                             frames_dir=self.frames_dir)
        self.lockdown = device.screen.fullscreen
        if self.lockdown:
            self._lock_window()
        self.target_px = max(min_target_px(cfg.screen_diagonal_in, self.screen.size), 48)
        self.text_px = kiosk_text_px(cfg, self.screen.size)  # the panel's legibility floor
        printer = self._printer or open_printer(device.printer, runtime.data_dir)
        self.worker = PrintWorker(printer, runtime.post)
        self.rate = TicketRate(cfg.tickets_per_minute)
        self.voice = KioskVoice(cfg.speech_volume, self._speaker)
        self.led = StatusLed(cfg.led_pin, pin_factory=self._pin_factory)
        self.keys = PhysicalKeys(cfg, lambda press: runtime.post(lambda: self.on_key(press)),
                                 pin_factory=self._pin_factory)
        self.scanner: ScannerReader | None = None
        if cfg.scanner_port:
            self.scanner = ScannerReader(
                cfg.scanner_port, lambda s: runtime.post(lambda: self.on_scan(s)),
                baudrate=cfg.scanner_baudrate, serial_for_url=self._serial_for_url)
            self.scanner.start()
        self.requester = Requester(runtime.site, device.id, runtime.link.publish,
                                   runtime.call_later)
        self._idle_timer: Any = None
        self._tick_timer: Any = None
        runtime.link.subscribe(topics.queue_state(runtime.site))
        runtime.link.subscribe(self.requester.reply_topic)
        self._print_topic = topics.kiosk_print(runtime.site, device.id)
        runtime.link.subscribe(self._print_topic)  # tickets the advisor issues for here
        self.survey: KioskSurvey | None = None
        if runtime.config.survey.kiosk and runtime.config.survey.start:
            self.survey = KioskSurvey(load_survey(runtime.config.survey), self.requester,
                                      runtime.data_dir, cfg.idle_timeout_s)
        self._update_led()
        runtime.call_later(self.starting_grace_s, self._started_too_long)

    def _started_too_long(self) -> None:
        """No state from the controller within the grace: now it is out of order."""
        if self.phase == "starting":
            log.warning("no queue state from the controller %.0f s after start",
                        self.starting_grace_s)
            self._show_error()

    def _lock_window(self) -> None:
        import pygame

        # No way out but the technician chord: a window manager's close (Alt+F4) becomes
        # QUIT, which the runtime would obey; keep it out of the queue. SIGTERM from systemd
        # still stops the program (the CLI handles it). Grab the keyboard so Alt+Tab and the
        # like reach us, not the desktop.
        pygame.event.set_blocked(pygame.QUIT)
        if self.screen.window is not None:
            self.screen.window.grab_keyboard = True

    def stop(self) -> None:
        if self.lockdown:
            import pygame

            pygame.event.set_allowed(pygame.QUIT)  # the lock ends with the kiosk
        if self.scanner is not None:
            self.scanner.stop()
        self.keys.close()
        self.led.close()
        self.worker.stop()
        self.voice.reset()
        self.screen.close()

    # -- the controller ---------------------------------------------------------------------

    def on_message(self, message: Incoming) -> None:
        if self.requester.on_message(message):
            return
        if message.topic == self._print_topic:
            self.print_job(message)
            return
        if message.topic == topics.queue_state(self.runtime.site):
            snapshot = state_of(message.payload)
            if snapshot is not None:
                self.snapshot = snapshot
                if self.phase in ("error", "starting") and not self.requester.busy:
                    self._set_phase("start")
                self.dirty = True

    def on_link_up(self) -> None:
        self._update_led()
        if self.survey is not None:
            self.survey.sender.resend()  # answers kept while the controller was away

    def on_link_down(self) -> None:
        if self.phase in ("start", "code", "issuing", "limit", "refused"):
            self._show_error()  # a ticket on screen stays: it is valid
        self._update_led()

    # -- technician -------------------------------------------------------------------------

    def _check_pin(self) -> None:
        pin, self.code = self.code, ""  # the digits go at once and are never logged
        answer = check_pin(self.pin_guard, pin, self.config.technician_pin_hash,
                           self._monotonic())
        self._pin_answer = answer
        if answer is PinAnswer.OK:
            self.runtime.request_stop("technician exit")
            return
        if answer is PinAnswer.WRONG:
            self.runtime.publish_health()  # the service team sees tries as they happen
        self._pin_note()

    def _pin_note(self) -> None:
        """The line under the PIN field: how long to wait, if the guard says so."""
        self.message = pin_note(self.pin_guard, self._pin_answer, self.lang, self._monotonic())
        self.dirty = True
        self._arm_countdown()

    # -- phases (their timers: timers.py) ---------------------------------------------------

    def _set_phase(self, phase: str) -> None:
        self.phase = phase
        self.focus = None if self.focus is None else 0
        self.dirty = True
        if phase != "pin":
            self.message = ""
        self._arm_idle()
        self._update_led()
        if phase != "issuing":
            self.read_screen()

    def _show_error(self) -> None:
        self._set_phase("error")

    def _back_to_start(self) -> None:
        if self.phase == "issuing":
            return
        if self.phase == "survey" and self.survey is not None:
            self.survey.leave()  # what was rated before leaving still counts
        if self._tick_timer is not None:
            self._tick_timer.cancel()
        self.voice.reset()
        self._reset_customer()
        ready = self.snapshot is not None and self.runtime.link.connected
        self._set_phase("start" if ready else "starting" if self.snapshot is None else "error")

    # -- speech -----------------------------------------------------------------------------

    def read_screen(self, interrupt: bool = True) -> None:
        if not self.voice.enabled:
            return
        if self.phase == "survey" and self.survey is not None:
            self.voice.say(self.survey.spoken(), self.lang, interrupt=interrupt)
            return
        from firmware.kiosk.screen import layout_kiosk

        view = self.view()
        buttons = layout_kiosk(view, self.screen.size).buttons
        self.voice.say(screen_text(view, buttons), self.lang, interrupt=interrupt)

    # -- drawing ----------------------------------------------------------------------------

    def view(self) -> KioskView:
        config = self.runtime.config
        return KioskView(
            site_name=config.site.name.get(self.lang),
            services=kiosk_services(self.snapshot, config, self.lang),
            phase=self.phase, ticket=self.ticket, message=self.message, lang=self.lang,
            now=self.runtime.clock.now(), focus=self.focus, large=self.large,
            speech=self.voice.enabled, code=self.code, notice=self.notice,
            notice_time=self.notice_time, seconds_left=self.seconds_left,
            min_target_px=self.target_px, text_px=self.text_px, page=self.page,
            checkin_minutes=(config.rules.appointment_early_minutes,
                             config.rules.appointment_late_minutes),
            retry_after_s=self.retry_after_s,
            survey_label=self.survey.invite(self.lang) if self._survey_open() and self.survey
            else "")

    def render(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        if self.phase == "survey" and self.survey is not None:
            self.buttons = self.survey.render(self.screen.surface, self.target_px)
        else:
            self.buttons = render_kiosk(self.screen.surface, self.view())
        self.frames += 1
        self.screen.present()

    def button_center(self, service_id: str) -> tuple[int, int] | None:
        """Where a customer would touch for this authority (tests and the demo use it)."""
        return self.button_at("issue", service_id)

    def button_at(self, action: str, arg: str | None = None) -> tuple[int, int] | None:
        for button in self.buttons:
            if button.action == action and button.enabled and (
                    arg is None or arg in (getattr(button, "service_id", None), button.arg)):
                return button.rect.center
        return None

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "printer": self.printouts.health(),
            "display": {"phase": self.phase},
            "remote_print": self.remote.health(),
        }
        if self.survey is not None:
            report["survey"] = {"unsent": len(self.survey.sender),
                                "refused": self.survey.sender.refused}
        if getattr(self, "scanner", None) is not None:
            report["scanner"] = {"state": "error" if self.scanner.problem else "ok"}
        report["technician_pin"] = pin_health(self.pin_guard, self._monotonic())
        return report
