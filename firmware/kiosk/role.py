"""The kiosk role: the ticket dispenser's touch screen, keys, scanner, speech and printer.

Everything here runs on the runtime's loop. Touches arrive as pygame events; gpiozero keys,
the scanner thread and the print worker post callables to the inbox. One touch is one
ticket: while a ticket is on its way the screen is "issuing" and every other touch is
ignored; a per-kiosk cap per minute asks the customer to wait a moment. A ticket the
printer could not print is still valid: its number stays on screen with a note, the
failure goes to `health` (the controller raises `alert/printer`), and the status LED lights.

A refusal from the controller is shown as it concerns the customer, never with details of
the code that was typed. The technician PIN is guarded (`kiosk_lockdown.PinGuard`): wrong
PINs slow the next try and then lock the PIN screen; they are logged without the digits and
counted in `health`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from display_driver.layout import focusable, hit_test, min_target_px
from firmware.core.ticket_rate import TicketRate
from firmware.feedback.kiosk_survey import KioskSurvey
from firmware.feedback.texts import load_survey
from firmware.kiosk import faults as kiosk_faults
from firmware.kiosk import lockdown as kiosk_lockdown
from firmware.kiosk.keys import KeyPress, PhysicalKeys, StatusLed, moved_focus
from firmware.kiosk.lockdown import PinAnswer, PinGuard
from firmware.kiosk.print_worker import PrintWorker
from firmware.kiosk.scanner import Scanned, ScannerReader
from firmware.kiosk.screen import (
    CODE_MAX,
    Button,
    KioskService,
    KioskTicket,
    KioskView,
    opening_text,
    render_kiosk,
)
from firmware.kiosk.speech import KioskVoice, said, screen_text
from firmware.kiosk.texts import LANG_NAMES, text, wait_words
from firmware.runtime import Role, Runtime
from firmware.screen import Screen, touch_position
from firmware.site_model import LANGS, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.payloads import state_of
from mqtt_bridge.requester import Requester
from ticket_printer.connection import PrintResult, TicketPrinter, open_printer
from ticket_printer.slip import TicketSlip
from ticket_printer.status import PrinterState

log = logging.getLogger(__name__)

PIN_MAX = kiosk_lockdown.PIN_MAX
# The controller's refusal codes -> which refused screen (firmware.kiosk.texts "refused_*").
# Unknown, not yet open and closed codes are one refusal, so a guesser learns nothing.
REFUSALS = {"unknown_appointment": "unknown", "service_closed": "closed",
            "rate_limited": "busy", "too_many_attempts": "attempts", "forbidden": "forbidden"}
WAITS = ("busy", "attempts")  # the refusals that say how long to wait (`retry_after_s`)
RETRY_MAX_S = 3600  # a longer wait from the wire is not believed: say "a moment" instead
# A USB keypad or keyboard can stand in for the four physical keys.
KEYBOARD = {"up": "up", "down": "down", "return": "select", "enter": "select",
            "space": "select", "f1": "help"}


class KioskRole(Role):
    name = "kiosk"

    def __init__(self, frames_dir: Path | None = None, lang: str = "fi", *,
                 printer: TicketPrinter | None = None, pin_factory: Any = None,
                 speaker: Any = None, serial_for_url: Any = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        # The hardware seams: tests and the bench pass the libraries' own doubles.
        self.frames_dir = frames_dir
        self.default_lang = lang
        self._printer = printer
        self._pin_factory = pin_factory
        self._speaker = speaker
        self._serial_for_url = serial_for_url
        self.snapshot: dict[str, Any] | None = None
        self.phase = "error"  # until the controller's state arrives, nothing can be issued
        self.buttons: list[Button] = []
        self.dirty = True
        self.printed: list[str] = []  # numbers printed, for the health report
        self.unprinted: list[str] = []  # numbers whose slip failed (still valid tickets)
        self.printer_state = PrinterState.UNKNOWN
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
        self.code = ""
        self.ticket: KioskTicket | None = None
        self.message = ""
        self.notice = ""
        self.notice_time = ""
        self.retry_after_s: int | None = None
        self._retry_at: float | None = None  # monotonic moment the wait on screen ends
        self.seconds_left: int | None = None

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
        self.survey: KioskSurvey | None = None
        if runtime.config.survey.kiosk and runtime.config.survey.start:
            self.survey = KioskSurvey(load_survey(runtime.config.survey), self.requester,
                                      runtime.data_dir, cfg.idle_timeout_s)
        self._update_led()

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
        if message.topic == topics.queue_state(self.runtime.site):
            snapshot = state_of(message.payload)
            if snapshot is not None:
                self.snapshot = snapshot
                if self.phase == "error" and not self.requester.busy:
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

    # -- input ------------------------------------------------------------------------------

    def on_screen_event(self, event: Any) -> None:
        import pygame

        if not self.screen.owns(event):
            return
        if event.type in (pygame.KEYDOWN, pygame.KEYUP):
            self._keyboard(event)
            return
        pos = touch_position(event, self.screen.size)
        if pos is None:
            return
        if self._activity():
            return  # the touch answered "more time?"
        button = hit_test(self.buttons, pos)
        if button is not None:
            self.activate(button)
        elif self.phase in ("ticket", "error", "refused", "limit") and not self.requester.busy:
            self._back_to_start()  # a touch anywhere: the next customer's turn

    def _keyboard(self, event: Any) -> None:
        import pygame

        name = pygame.key.name(event.key).lower()
        if event.type == pygame.KEYDOWN:
            if kiosk_lockdown.is_chord(name, kiosk_lockdown.held_modifiers(event.mod)):
                self._set_phase("pin")
                self.code = ""
                self._pin_answer = None
                self._pin_note()  # a lockout still running says so at once
            return
        if self.phase == "pin" and name.isdigit() and len(name) == 1:
            self.activate(Button(self.screen.surface.get_rect(), "key", None, True, name))
        elif name in KEYBOARD:
            self.on_key(KeyPress(KEYBOARD[name]))
        # every other key does nothing: no shortcut leaves the kiosk

    def on_key(self, press: KeyPress) -> None:
        """A physical key (or its keyboard stand-in): up, down, select, help."""
        if self._activity():
            return
        if press.key == "help":
            if press.held:
                self.voice.enabled = True
                volume = self.voice.step_volume()
                self.voice.say(said(self.lang, "volume", n=volume), self.lang)
            else:
                self.voice.enabled = True  # the help key is how speech starts
                self.read_screen()
            self.dirty = True
            return
        targets = focusable(self.buttons)
        if not targets:
            return
        if press.key in ("up", "down"):
            self.focus = moved_focus(self.focus, len(targets), press.key)
            self.dirty = True
            self.voice.say(targets[self.focus].label, self.lang)
        elif press.key == "select":
            if self.focus is None:
                self.focus = 0
                self.dirty = True
                self.voice.say(targets[0].label, self.lang)
                return
            self.activate(targets[self.focus % len(targets)])

    def on_scan(self, scanned: Scanned) -> None:
        """A code from the barcode reader: check in at once, from the start or the keypad."""
        self._activity()
        if self.phase in ("start", "code"):
            self.code = scanned.code
            self._check_in()

    def activate(self, button: Button) -> None:
        action = button.action
        if self.phase == "survey" or action == "survey":
            self._survey_action(action, button.arg)
        elif action == "issue" and button.service_id:
            self.issue(button.service_id)
        elif action == "lang" and button.arg in LANGS:
            self.lang = button.arg
            self.dirty = True
            self.voice.say(said(self.lang, "selected", label=LANG_NAMES[self.lang]), self.lang)
            self.read_screen(interrupt=False)
        elif action == "appointment":
            self.code = ""
            self._set_phase("code")
        elif action == "large":
            self.large = not self.large
            self.dirty = True
            self.voice.say(text(self.lang, "large_on" if self.large else "large_off"),
                           self.lang)
        elif action == "speech":
            if self.voice.enabled:
                self.voice.say(text(self.lang, "speech_off"), self.lang)
                self.voice.enabled = False
            else:
                self.voice.enabled = True
                self.voice.say(text(self.lang, "speech_on"), self.lang)
                self.read_screen(interrupt=False)
            self.dirty = True
        elif action == "key":
            limit = PIN_MAX if self.phase == "pin" else CODE_MAX
            if len(self.code) < limit:
                self.code += button.arg
                self.dirty = True
                # The key is echoed so a blind customer knows what was typed; a PIN is not.
                self.voice.say("•" if self.phase == "pin" else button.arg, self.lang)
        elif action == "erase":
            self.code = self.code[:-1]
            self.dirty = True
        elif action == "ok":
            if self.phase == "pin":
                self._check_pin()
            elif len(self.code) >= 4:
                self._check_in()
        elif action in ("cancel", "done", "back"):
            self._back_to_start()

    # -- the yearly survey (the site's [survey] with kiosk = true) ---------------------------

    def _survey_open(self) -> bool:
        return self.survey is not None and self.runtime.config.survey.is_open(
            self.runtime.clock.now().date())

    def _survey_action(self, action: str, arg: str) -> None:
        assert self.survey is not None
        now = self.runtime.clock.now()
        if self.phase != "survey":
            if not self._survey_open():
                return
            self.survey.begin(self.lang, self.large, now)
            self._set_phase("survey")
            return
        step = self.survey.flow.step
        self.survey.act(action, arg, now)
        if not self.survey.active:
            self._back_to_start()
            return
        self.dirty = True
        if self.survey.flow.step != step or self.survey.flow.statement is not None:
            self.focus = None if self.focus is None else 0
            self.read_screen()

    # -- issuing ----------------------------------------------------------------------------

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
            slip = self._slip(ticket)
        except (KeyError, TypeError, ValueError) as e:
            log.error("unreadable ticket in the controller's answer: %s", e)
            self._show_error()
            return
        at = ticket.get("appointment_at")
        self.ticket = KioskTicket(
            number=slip.number, service_name=slip.service_name, ahead=slip.ahead,
            eta_minutes=slip.eta_minutes, printed=False, printing=True,
            appointment_at=_clock(at) if isinstance(at, str) else "",
            again=bool(ticket.get("again")))
        self._set_phase("ticket")
        self.worker.submit(slip, lambda result: self._printed(slip.number, result))

    def _slip(self, ticket: dict[str, Any]) -> TicketSlip:
        service = self.runtime.config.service(str(ticket["service"]))
        name = service.name.get(self.lang) if service else str(ticket["service"])
        note = service.note.get(self.lang) if service and service.note else ""
        eta = ticket.get("eta_minutes")
        return TicketSlip(
            site_name=self.runtime.config.site.name.get(self.lang),
            number=str(ticket["number"]), service_name=name,
            issued_at=datetime.fromisoformat(ticket["issued_at"]),
            ahead=int(ticket.get("ahead") or 0),
            eta_minutes=int(eta) if isinstance(eta, int | float) else None,
            lang=self.lang, note=note)

    def _refused(self, error: dict[str, Any]) -> None:
        code = str(error.get("code", ""))
        log.info("issue refused: %s", code)  # the code only: the message may echo input
        self.notice = REFUSALS.get(code, "other")
        if self.notice == "forbidden":
            # Not the customer's doing: the site's clients or broker logins are wrong.
            log.warning("the controller does not let this kiosk issue numbers (forbidden); "
                        "check the device's login and the site's clients")
        self.notice_time = ""
        if self.notice == "closed":
            when = _moment(error.get("next_open"))
            self.notice_time = opening_text(when, self.lang, self.runtime.clock.now()) \
                if when else ""
        wait = _retry_after(error.get("retry_after_s")) if self.notice in WAITS else None
        self.retry_after_s = wait
        self._retry_at = None if wait is None else self._monotonic() + wait
        self._set_phase("refused")
        self._arm_countdown()

    # -- printing ---------------------------------------------------------------------------

    def _printed(self, number: str, result: PrintResult) -> None:
        previous, self.printer_state = self.printer_state, result.state
        if result.ok:
            self.printed.append(number)
        else:
            self.unprinted.append(number)
            log.error("ticket %s could not be printed: %s", number, result.message)
        if self.ticket is not None and self.ticket.number == number:
            self.ticket = _replace(self.ticket, printed=result.ok, printing=False)
            self.dirty = True
            self.read_screen()
        if not result.ok or (result.state is PrinterState.PAPER_LOW
                             and previous is not PrinterState.PAPER_LOW):
            self._report_printer(result, None if result.ok else number)
        elif previous in kiosk_faults.FAULTS:
            self.runtime.publish_health()  # the fault is over: say so
        self._update_led()

    def _report_printer(self, result: PrintResult, unprinted: str | None) -> None:
        # Health only: the controller, the one writer of `alert/...`, turns a change of the
        # printer's state into `alert/printer` and a ledger entry (see device_faults).
        self.printer_detail = result.message
        self.runtime.publish_health()
        if unprinted:
            log.info("ticket %s stays valid although its slip was not printed", unprinted)

    def _update_led(self) -> None:
        reachable = self.runtime.link.connected and self.phase != "error"
        self.led.show(kiosk_faults.led_state(self.printer_state, reachable))

    # -- technician -------------------------------------------------------------------------

    def _check_pin(self) -> None:
        pin, self.code = self.code, ""  # the digits go at once and are never logged
        guard = self.pin_guard
        now_s = self._monotonic()
        answer = guard.try_pin(pin, self.config.technician_pin_hash, now_s)
        self._pin_answer = answer
        if answer is PinAnswer.OK:
            log.warning("technician left the kiosk with the PIN")
            self.runtime.request_stop("technician exit")
            return
        if answer is PinAnswer.WRONG:
            if guard.locked_out(now_s):
                log.error("wrong technician PIN %d times in a row: no PIN is checked for "
                          "%.0f minutes", guard.failures, guard.lockout_s / 60)
            else:
                log.warning("wrong technician PIN (%d in a row)", guard.failures)
            self.runtime.publish_health()  # the service team sees tries as they happen
        elif answer is PinAnswer.TOO_SHORT:
            log.info("technician PIN shorter than %d digits: not checked",
                     kiosk_lockdown.PIN_MIN)
        else:
            log.info("technician PIN not checked: %s", answer.value)
        self._pin_note()

    def _pin_note(self) -> None:
        """The line under the PIN field: how long to wait, if the guard says so."""
        now_s = self._monotonic()
        wait = self.pin_guard.wait_s(now_s)
        if self.pin_guard.locked_out(now_s):
            self.message = text(self.lang, "pin_locked", wait=wait_words(self.lang, wait))
        elif wait > 0:
            self.message = text(self.lang, "pin_wait", wait=wait_words(self.lang, wait))
        elif self._pin_answer is PinAnswer.TOO_SHORT:
            self.message = text(self.lang, "pin_short", n=kiosk_lockdown.PIN_MIN)
        elif self._pin_answer in (PinAnswer.WRONG, PinAnswer.WAIT, PinAnswer.LOCKED):
            self.message = text(self.lang, "pin_wrong")
        else:
            self.message = ""
        self.dirty = True
        self._arm_countdown()

    # -- waits on screen --------------------------------------------------------------------

    def _wait_left(self) -> float:
        """Seconds of the wait the current screen shows (0: none)."""
        if self.phase == "pin":
            return self.pin_guard.wait_s(self._monotonic())
        if self.phase == "refused" and self._retry_at is not None:
            return max(0.0, self._retry_at - self._monotonic())
        return 0.0

    def _arm_countdown(self) -> None:
        # A screen that says "in 40 seconds" is redrawn as the seconds go, so it stays true.
        if self._countdown_timer is not None:
            self._countdown_timer.cancel()
        self._countdown_timer = None
        left = self._wait_left()
        if left > 0 and hasattr(self, "runtime"):
            self._countdown_timer = self.runtime.call_later(min(1.0, left), self._count_down)

    def _count_down(self) -> None:
        self._countdown_timer = None
        if self.phase == "pin":
            self._pin_note()
        elif self.phase == "refused" and self._retry_at is not None:
            self.retry_after_s = math.ceil(self._wait_left())
            self.dirty = True
            self._arm_countdown()

    # -- phases, timeouts -------------------------------------------------------------------

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

    def _activity(self) -> bool:
        """Any touch or key: the customer is here. True if it only dismissed the warning."""
        warned = self.seconds_left is not None
        if warned:
            self.seconds_left = None
            self.dirty = True
            if self._tick_timer is not None:
                self._tick_timer.cancel()
        self._arm_idle()
        return warned

    def _arm_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = None
        if not hasattr(self, "runtime") or self._at_rest():
            return
        self._idle_timer = self.runtime.call_later(self.config.idle_timeout_s, self._idle)

    def _at_rest(self) -> bool:
        """The start screen as the next customer should find it: nothing to time out."""
        return (self.phase in ("start", "error", "issuing") and self.lang == self.default_lang
                and not self.large and not self.voice.enabled and self.focus is None)

    def _idle(self) -> None:
        self._idle_timer = None
        if self.phase == "issuing" or self._at_rest():
            return
        self.seconds_left = max(1, round(self.config.warning_s))
        self.dirty = True
        self.read_screen()
        self._tick_timer = self.runtime.call_later(1.0, self._tick)

    def _tick(self) -> None:
        if self.seconds_left is None:
            return
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self._back_to_start()
            return
        self.dirty = True  # the countdown is the only animation
        self._tick_timer = self.runtime.call_later(1.0, self._tick)

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
        self._set_phase("start" if ready else "error")

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
            min_target_px=self.target_px,
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
            "printer": {"state": self.printer_state.value,
                        "detail": getattr(self, "printer_detail", ""),
                        "unprinted_today": len(self.unprinted),
                        # a number only: it is still in the queue, the advisor can help
                        "last_unprinted": self.unprinted[-1] if self.unprinted else None},
            "display": {"phase": self.phase},
        }
        if self.survey is not None:
            report["survey"] = {"unsent": len(self.survey.sender),
                                "refused": self.survey.sender.refused}
        if getattr(self, "scanner", None) is not None:
            report["scanner"] = {"state": "error" if self.scanner.problem else "ok"}
        guard = self.pin_guard
        # Counts only: someone trying PINs at the kiosk is for the service team to know.
        report["technician_pin"] = {"failed": guard.failed_total, "lockouts": guard.lockouts,
                                    "locked": guard.locked_out(self._monotonic())}
        return report


def _replace(ticket: KioskTicket, **changes: Any) -> KioskTicket:
    import dataclasses

    return dataclasses.replace(ticket, **changes)


def _retry_after(value: Any) -> int | None:
    """`retry_after_s` from the wire: whole seconds to show, or None when not believable."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 < value <= RETRY_MAX_S:  # also NaN
        return None
    return math.ceil(value)


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _clock(value: str) -> str:
    """An ISO time -> "10.30" as a Finnish clock says it (the same in sv; en reads it too)."""
    moment = _moment(value)
    return f"{moment.hour}.{moment.minute:02d}" if moment else ""


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
